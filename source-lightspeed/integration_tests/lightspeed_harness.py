"""Test harness for source-lightspeed: start time, config builders, an in-process runner validating every line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, _run_command, read
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from connector_common.protocol import serialize, validate_line
from connector_common.testing import ReadMessages, SimulatedClock
from sandbox.lightspeed_ecom import LightspeedEcom
from sandbox.lightspeed_kseries import LightspeedKSeries
from sandbox.lightspeed_retail import LightspeedRetail
from sandbox.lightspeed_xseries import LightspeedXSeries
from source_lightspeed import SourceLightspeed

STREAMS = ("orders", "customers", "products")
EPOCH = 1_735_700_000.0  # 2025-01-01, after every seeded record; the start of every SimulatedClock here


def ecom_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    platform = {"platform_type": "ecom", "cluster": "eu1", "language": "nl", "api_key": LightspeedEcom.API_KEY,
                "api_secret": LightspeedEcom.API_SECRET, "base_url": base_url}
    platform.update(overrides.pop("platform", {}))
    return {"platform": platform, "start_date": "2022-01-01T00:00:00Z", **overrides}


def retail_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    platform = {"platform_type": "retail", "client_id": LightspeedRetail.CLIENT_ID,
                "client_secret": LightspeedRetail.CLIENT_SECRET, "refresh_token": LightspeedRetail.REFRESH_TOKEN,
                "account_id": LightspeedRetail.ACCOUNT_ID, "base_url": base_url,
                "auth_server_url": f"{base_url}/auth/oauth/token"}
    platform.update(overrides.pop("platform", {}))
    return {"platform": platform, "start_date": "2022-01-01T00:00:00Z", **overrides}


def kseries_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    platform = {"platform_type": "kseries", "client_id": LightspeedKSeries.CLIENT_ID,
                "client_secret": LightspeedKSeries.CLIENT_SECRET, "refresh_token": LightspeedKSeries.REFRESH_TOKEN,
                "base_url": base_url}
    platform.update(overrides.pop("platform", {}))
    return {"platform": platform, "start_date": "2022-01-01T00:00:00Z", **overrides}


def xseries_config(base_url: str, *, personal_token: bool = False, **overrides: Any) -> dict[str, Any]:
    credentials = ({"auth_type": "personal_token", "personal_token": LightspeedXSeries.PERSONAL_TOKEN}
                   if personal_token else
                   {"auth_type": "oauth2", "client_id": LightspeedXSeries.CLIENT_ID,
                    "client_secret": LightspeedXSeries.CLIENT_SECRET, "refresh_token": LightspeedXSeries.REFRESH_TOKEN})
    platform = {"platform_type": "xseries", "domain_prefix": LightspeedXSeries.DOMAIN_PREFIX, "base_url": base_url,
                "credentials": credentials}
    platform.update(overrides.pop("platform", {}))
    return {"platform": platform, "start_date": "2022-01-01T00:00:00Z", **overrides}


def catalog(*streams: str) -> Any:
    builder = CatalogBuilder()
    for name in streams or STREAMS:
        builder = builder.with_stream(name, SyncMode.incremental)
    return builder.build()


def validated(output: EntrypointOutput) -> list[AirbyteMessage]:
    """Every message of a run, each re-serialised and checked against the protocol models (type -> field)."""
    return [validate_line(serialize(message)) for message in output.get_message_iterator()]


@dataclass
class Run(ReadMessages):
    output: EntrypointOutput
    messages: list[AirbyteMessage]
    source: SourceLightspeed

    def warnings(self) -> list[str]:
        return [m.log.message for m in self.messages if m.type == Type.LOG and m.log and m.log.level.value == "WARN"]


def run_read(config: dict[str, Any], clock: SimulatedClock | None = None,
             state: list[AirbyteStateMessage] | None = None, *, streams: tuple[str, ...] = STREAMS,
             expect_error: bool = False, config_path: str | None = None, source: SourceLightspeed | None = None) -> Run:
    clock = clock or SimulatedClock(now=EPOCH)
    source = source or SourceLightspeed(config_path, sleep=clock.sleep, clock=clock, monotonic=clock)
    outcome = ExpectedOutcome.EXPECT_UNCAUGHT_ERROR if expect_error else ExpectedOutcome.EXPECT_SUCCESS
    output = read(source, config, catalog(*streams), state, expected_outcome=outcome)
    return Run(output=output, messages=validated(output), source=source)


def run_check(config: dict[str, Any], tmp_path: Any, source: SourceLightspeed | None = None
              ) -> tuple[Any, list[AirbyteMessage]]:
    """`check` through the real entrypoint; returns (connection status, every validated message)."""
    path = tmp_path / "check_config.json"
    path.write_text(json.dumps(config))
    source = source or SourceLightspeed(str(path), sleep=SimulatedClock(now=EPOCH).sleep)
    output = _run_command(source, ["check", "--config", str(path)])
    messages = validated(output)
    return output.connection_status_messages[0].connectionStatus, messages


