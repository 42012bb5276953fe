"""Airbyte's standard destination tests (spec, config vs spec, check succeed/failed) against the Exact stand-in."""

from __future__ import annotations

import atexit
import json
from pathlib import Path

from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase

import sandbox
from destination_exact_online import DestinationExactOnline

ROOT = Path(__file__).parent.parent
_SERVER = sandbox.start("exact", minutely_limit=None, daily_limit=None)  # one per test process (xdist-safe)
atexit.register(_SERVER.stop)


class TestDestinationExactOnline(DestinationTestSuiteBase):
    connector = DestinationExactOnline

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        """The acceptance-test-config.yml scenarios with this process's sandbox URL in their config."""
        scenarios = []
        for scenario in super().get_scenarios():
            if scenario.config_path is not None:
                config = json.loads((ROOT / scenario.config_path).read_text())
                config["api_url"] = _SERVER.base_url
                scenarios.append(scenario.model_copy(update={"config_dict": config}))
            else:
                scenarios.append(scenario)
        return scenarios
