"""Airbyte's standard source tests (spec, check +/-, discover, basic read) against the Shopify stand-in."""

from __future__ import annotations

from functools import cache
from typing import Any

from airbyte_cdk.test.models.scenario import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

import sandbox
from sandbox.core import SandboxServer
from source_shopify_orders import SourceShopifyOrders

WRONG_TOKEN = "shpat_definitely_not_the_token_0000"


@cache
def stand_in() -> SandboxServer:
    """One stand-in per test process (Plus-sized bucket: the suite runs with real sleeps)."""
    return sandbox.start("shopify", seed="demo", orders=15, max_available=20000, restore_rate=1000)


def scenario_config(config_path: str) -> dict[str, Any]:
    server = stand_in()
    token = WRONG_TOKEN if "invalid" in config_path else server.vendor.access_token  # type: ignore[attr-defined]
    return {"shop": "demo-shop", "api_base_url": server.base_url, "start_date": "2020-01-01",
            "credentials": {"auth_method": "access_token", "access_token": token}}


class TestShopifyOrdersStandard(SourceTestSuiteBase):
    connector = SourceShopifyOrders

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [s.model_copy(update={"config_dict": scenario_config(str(s.config_path))})
                for s in super().get_scenarios()]
