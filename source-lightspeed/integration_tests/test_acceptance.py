"""Airbyte's standard source tests (spec, check +/-, discover, basic read) against the Lightspeed eCom stand-in."""

from __future__ import annotations

from functools import cache
from typing import Any

from airbyte_cdk.test.models.scenario import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

import sandbox
from sandbox.core import SandboxServer
from sandbox.lightspeed_ecom import LightspeedEcom
from source_lightspeed import SourceLightspeed

WRONG_SECRET = "lsecom-not-the-secret-000000000000"


@cache
def stand_in() -> SandboxServer:
    """One stand-in per test process, with roomy limits: the suite runs with real sleeps."""
    return sandbox.start("lightspeed_ecom", seed="demo", orders=10, per_second=None,
                         rate_limits=((300.0, 100_000), (3600.0, 100_000), (86400.0, 100_000)))


def scenario_config(config_path: str) -> dict[str, Any]:
    secret = WRONG_SECRET if "invalid" in config_path else LightspeedEcom.API_SECRET
    return {"platform": {"platform_type": "ecom", "cluster": "eu1", "language": "nl",
                         "api_key": LightspeedEcom.API_KEY, "api_secret": secret,
                         "base_url": stand_in().base_url},
            "start_date": "2020-01-01T00:00:00Z"}


class TestSourceLightspeedStandard(SourceTestSuiteBase):
    connector = SourceLightspeed

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [s.model_copy(update={"config_dict": scenario_config(str(s.config_path))})
                for s in super().get_scenarios()]
