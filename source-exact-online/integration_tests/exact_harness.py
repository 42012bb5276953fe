"""Test harness for source-exact-online: the stand-in's credentials, a config builder, an in-process runner that
validates every line and keeps the rotated config (Exact's refresh tokens are single use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from connector_common.protocol import serialize, validate_line
from connector_common.testing import ReadMessages, SimulatedClock
from sandbox.exact import ExactOnline
from source_exact_online import SourceExactOnline

STREAMS = ("stock_levels", "shipments", "products", "customers")
START = 1_714_550_400.0  # 2024-05-01T08:00:00Z: the stand-in's clock and the connector's
TICK = 0.01


def exact_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    return {"api_url": base_url,
            "credentials": {"client_id": ExactOnline.CLIENT_ID, "client_secret": ExactOnline.CLIENT_SECRET,
                            "refresh_token": ExactOnline.REFRESH_TOKEN},
            **overrides}


def catalog(*streams: str) -> Any:
    builder = CatalogBuilder()
    for name in streams or STREAMS:
        builder = builder.with_stream(name, SyncMode.incremental)
    return builder.build()


@dataclass
class Run(ReadMessages):
    output: EntrypointOutput
    messages: list[AirbyteMessage]
    config: dict[str, Any]  # the config the platform keeps after the run (the last CONTROL message's)
    controls: list[AirbyteMessage] = field(default_factory=list)

    def logs(self, level: str | None = None) -> list[str]:
        return [m.log.message for m in self.messages if m.type == Type.LOG and m.log
                and (level is None or m.log.level.value == level)]

    def text(self) -> str:
        """Everything the run printed (messages, CONTROL included, and stderr)."""
        return "\n".join([serialize(m) for m in self.messages] + [serialize(m) for m in self.controls]
                         + [self.output.stderr or ""])


def run_read(config: dict[str, Any], clock: SimulatedClock, state: list[AirbyteStateMessage] | None = None, *,
             streams: tuple[str, ...] = STREAMS, expect_error: bool = False) -> Run:
    controls: list[AirbyteMessage] = []
    source = SourceExactOnline(sleep=clock.sleep, clock=clock, emit=controls.append)
    outcome = ExpectedOutcome.EXPECT_EXCEPTION if expect_error else ExpectedOutcome.EXPECT_SUCCESS
    output = read(source, config, catalog(*streams), state, expected_outcome=outcome)
    messages = [validate_line(serialize(m)) for m in output.get_message_iterator()]
    for control in controls:
        validate_line(serialize(control))
    after = dict(controls[-1].control.connectorConfig.config) if controls else config  # type: ignore[union-attr]
    return Run(output=output, messages=messages, config=after, controls=controls)


def user_session(base_url: str) -> tuple[requests.Session, str]:
    """What an Exact user does in the web app, as HTTP calls on their own token chain (the stand-in's one-time
    authorization code): returns (session, division prefix)."""
    token = requests.post(f"{base_url}/api/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "code": ExactOnline.AUTHORIZATION_CODE,
        "client_id": ExactOnline.CLIENT_ID, "client_secret": ExactOnline.CLIENT_SECRET,
        "redirect_uri": ExactOnline.REDIRECT_URI}).json()
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"})
    return session, f"{base_url}/api/v1/{ExactOnline.DIVISION}"
