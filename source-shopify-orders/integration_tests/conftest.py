"""Fixtures for tests against the Shopify stand-in: fake clock, sandbox server, config builder, in-process runner."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import (
    AirbyteMessage,
    ConfiguredAirbyteCatalogSerializer,
    Level,
    SyncMode,
    TraceType,
    Type,
)
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.standard_tests.pytest_hooks import (  # the standard suite's scenario parametrisation
    pytest_generate_tests,
    read_from_streams,
    read_scenarios,
)

import sandbox
from connector_common.protocol import validate_line
from connector_common.testing import SimulatedClock
from sandbox.core import SandboxServer
from source_shopify_orders import SourceShopifyOrders

STREAMS = ("orders", "customers", "products")
__all__ = ["pytest_generate_tests", "read_from_streams", "read_scenarios"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_creds: standard-suite scenarios that need real credentials")


@pytest.fixture
def clock() -> SimulatedClock:
    """One clock for the stand-in's bucket refill and the connector's sleeps: sleeping advances time instantly."""
    return SimulatedClock(now=time.time())


def start_shop(fake_clock: SimulatedClock, **kwargs: Any) -> SandboxServer:
    """The stand-in on the fake clock unless `clock=` is given (a subprocess cannot share the fake clock)."""
    kwargs.setdefault("seed", "demo")
    kwargs.setdefault("orders", 30)
    kwargs.setdefault("clock", fake_clock.time)
    return sandbox.start("shopify", **kwargs)


@pytest.fixture
def make_shop(clock: SimulatedClock) -> Iterator[Callable[..., SandboxServer]]:
    """Start stand-ins with constructor overrides (e.g. max_available=1000); all are stopped after the test."""
    servers: list[SandboxServer] = []

    def make(**kwargs: Any) -> SandboxServer:
        servers.append(start_shop(clock, **kwargs))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def shop(make_shop: Callable[..., SandboxServer]) -> SandboxServer:
    return make_shop()


@pytest.fixture
def config() -> Callable[..., dict[str, Any]]:
    return config_for


@pytest.fixture
def run(tmp_path: Path, clock: SimulatedClock) -> Callable[..., Run]:
    """`run("read", config, streams=..., state=...)`: the connector in-process, every line validated."""

    def runner(command: str, config: dict[str, Any], **kwargs: Any) -> Run:
        return run_source(tmp_path, command, config, clock=clock, **kwargs)

    return runner


def config_for(server: SandboxServer, **overrides: Any) -> dict[str, Any]:
    """A valid config for the stand-in (static custom-app token) with `overrides` on top."""
    config: dict[str, Any] = {
        "shop": "demo-shop",
        "api_base_url": server.base_url,
        "credentials": {"auth_method": "access_token", "access_token": server.vendor.access_token},  # type: ignore[attr-defined]
        "start_date": "2020-01-01",
        "bulk_threshold": 0,
        "bulk_poll_seconds": 1,
    }
    config.update(overrides)
    return config


@dataclass
class Run:
    """Every line one connector command printed, each validated against the Airbyte protocol."""

    lines: list[str]
    messages: list[AirbyteMessage]
    exception: BaseException | None = None
    config_path: Path | None = None
    source: SourceShopifyOrders | None = field(default=None, repr=False)

    def records(self, stream: str | None = None) -> list[dict[str, Any]]:
        return [m.record.data for m in self.messages if m.type == Type.RECORD and m.record is not None
                and (stream is None or m.record.stream == stream)]

    def states(self, stream: str) -> list[dict[str, Any]]:
        out = []
        for m in self.messages:
            if m.type == Type.STATE and m.state is not None and m.state.stream is not None \
                    and m.state.stream.stream_descriptor.name == stream:
                blob = m.state.stream.stream_state
                out.append(dict(blob.__dict__) if blob is not None else {})
        return out

    def state_for_next_run(self) -> list[dict[str, Any]]:
        """The last STATE per stream, as the platform passes it to the next sync."""
        last: dict[str, dict[str, Any]] = {}
        for line in self.lines:
            data = json.loads(line)
            if data.get("type") == "STATE":
                last[data["state"]["stream"]["stream_descriptor"]["name"]] = data["state"]
        return list(last.values())

    def logs(self, level: Level | None = None) -> list[str]:
        return [m.log.message for m in self.messages if m.type == Type.LOG and m.log is not None
                and (level is None or m.log.level == level)]

    def errors(self) -> list[str]:
        return [m.trace.error.message for m in self.messages if m.type == Type.TRACE and m.trace is not None
                and m.trace.type == TraceType.ERROR and m.trace.error is not None]

    def controls(self) -> list[dict[str, Any]]:
        return [m.control.connectorConfig.config for m in self.messages
                if m.type == Type.CONTROL and m.control is not None and m.control.connectorConfig is not None]

    def status(self) -> tuple[str, str | None]:
        (msg,) = [m for m in self.messages if m.type == Type.CONNECTION_STATUS]
        assert msg.connectionStatus is not None
        return msg.connectionStatus.status.value, msg.connectionStatus.message


def catalog_json(streams: tuple[str, ...] = STREAMS, mode: SyncMode = SyncMode.incremental) -> str:
    builder = CatalogBuilder()
    for name in streams:
        builder = builder.with_stream(name, mode)
    return json.dumps(ConfiguredAirbyteCatalogSerializer.dump(builder.build()))


def run_source(tmp_path: Path, command: str, config: dict[str, Any], *, clock: SimulatedClock,
               streams: tuple[str, ...] = STREAMS, state: list[dict[str, Any]] | None = None,
               mode: SyncMode = SyncMode.incremental, config_path: Path | None = None) -> Run:
    """Run `command` in-process through the real entrypoint; validate every printed line."""
    config_file = config_path or tmp_path / f"config-{time.monotonic_ns()}.json"
    config_file.write_text(json.dumps(config))
    args = [command, "--config", str(config_file)]
    if command == "read":
        catalog_file = tmp_path / "catalog.json"
        catalog_file.write_text(catalog_json(streams, mode))
        args += ["--catalog", str(catalog_file)]
        if state is not None:
            state_file = tmp_path / "state.json"
            state_file.write_text(json.dumps(state))
            args += ["--state", str(state_file)]
    source = SourceShopifyOrders(config_path=str(config_file), sleep=clock.sleep, clock=clock.time,
                                 wall_clock=clock.time)
    entrypoint = AirbyteEntrypoint(source)
    printed = io.StringIO()
    yielded: list[str] = []
    exception: BaseException | None = None
    with contextlib.redirect_stdout(printed):
        try:
            for line in entrypoint.run(entrypoint.parse_args(args)):
                yielded.append(line)
        except Exception as exc:  # the CDK raises after emitting the TRACE error of a failed stream
            exception = exc
    lines = [ln for ln in printed.getvalue().splitlines() + yielded if ln.strip()]
    messages = [validate_line(ln) for ln in lines]
    return Run(lines=lines, messages=messages, exception=exception, config_path=config_file, source=source)
