"""Airbyte's standard source tests (spec, check +/-, discover, basic read) against the Exact stand-in."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from airbyte_cdk.test.models.scenario import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from exact_harness import exact_config, user_session

import sandbox
from sandbox.core import SandboxServer
from sandbox.exact import ExactOnline
from source_exact_online import SourceExactOnline

WRONG_SECRET = "exact-not-the-client-secret-000000"
TOKEN_TTL = 3600.0


@cache
def stand_in() -> tuple[SandboxServer, dict[str, Any]]:
    """One stand-in per test process (roomy limits: the suite runs with real sleeps) with one delivered order of
    ours, and a token pair.

    The suite runs every scenario with the same config, and Exact's refresh tokens are single use: the config holds
    a valid access token (as a connection does between syncs), so no scenario needs to rotate.
    """
    server = sandbox.start("exact", seed="demo", orders=10, catalogue=True, minutely_limit=None, daily_limit=None,
                           access_token_ttl=TOKEN_TTL)
    exact = server.vendor
    assert isinstance(exact, ExactOnline)
    order = exact.book_order("shopify:#1001", {exact.stock_positions()[0]["ItemCode"]: 1})
    exact.deliver(order["OrderNumber"], tracking_number="3SACCEPT1", shipping_method="POSTNL")  # one shipment
    session, _ = user_session(server.base_url)
    token = session.headers["Authorization"].split(" ", 1)[1]
    return server, {"access_token": token, "token_expires_at": time.time() + TOKEN_TTL - 60}


def scenario_config(config_path: str) -> dict[str, Any]:
    server, tokens = stand_in()
    config = exact_config(server.base_url, start_date="2020-01-01T00:00:00Z")
    if "invalid" in config_path:
        config["credentials"]["client_secret"] = WRONG_SECRET
    else:
        config["credentials"] |= tokens
    return config


class TestSourceExactOnlineStandard(SourceTestSuiteBase):
    connector = SourceExactOnline

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [s.model_copy(update={"config_dict": scenario_config(str(s.config_path))})
                for s in super().get_scenarios()]
