"""Fixtures for tests against the Exact stand-in: the server, a ticking SimulatedClock, catalogs and a write runner."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteMessage,
    Type,
)
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401 (standard-suite scenarios)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

import sandbox
from connector_common.protocol import serialize, validate_line
from connector_common.records import from_record
from connector_common.testing import SimulatedClock, destination_catalog
from destination_exact_online import DestinationExactOnline

# Clocks here start at 2024-05-01, move 10 ms on every read and jump on sleep: waits and token expiry cost nothing.
START, TICK = 1_714_550_400.0, 0.01


catalog = destination_catalog


@dataclass
class RunResult:
    lines: list[str] = field(default_factory=list)
    error: AirbyteTracedException | None = None

    @property
    def messages(self) -> list[AirbyteMessage]:
        return [validate_line(line) for line in self.lines]

    @property
    def states(self) -> list[AirbyteMessage]:
        return [m for m in self.messages if m.type == Type.STATE]

    @property
    def controls(self) -> list[AirbyteMessage]:
        return [m for m in self.messages if m.type == Type.CONTROL]

    def config_after(self, config: dict[str, Any]) -> dict[str, Any]:
        """The config the platform keeps after this run: the last CONTROL message's, else the one it started with."""
        if not self.controls:
            return config
        return dict(self.controls[-1].control.connectorConfig.config)  # type: ignore[union-attr]

    def summary(self) -> dict[str, Any]:
        for m in self.messages:
            if m.type == Type.LOG and m.log and m.log.message.startswith("SUMMARY "):
                return dict(json.loads(m.log.message[len("SUMMARY "):]))
        raise AssertionError("no SUMMARY line")


def run_write(config: dict[str, Any], messages: Iterable[AirbyteMessage], *, clock: SimulatedClock | None = None,
              streams: tuple[str, ...] = ("orders",), config_path: str | None = None,
              sink: list[str] | None = None) -> RunResult:
    """Destination.write in-process; every emitted line (CONTROL included) is serialised and protocol-validated."""
    result = RunResult(lines=sink if sink is not None else [])

    def keep(message: AirbyteMessage) -> None:
        line = serialize(message)
        validate_line(line)
        result.lines.append(line)

    clock = clock or SimulatedClock(now=START, tick=TICK)
    destination = DestinationExactOnline(config_path, emit=keep, sleep=clock.sleep, clock=clock)
    try:
        for message in destination.write(config, catalog(*streams), iter(messages)):
            keep(message)
    except AirbyteTracedException as exc:
        result.error = exc
    return result


def resume_after(messages: list[AirbyteMessage], result: RunResult) -> list[AirbyteMessage]:
    """The input the platform sends next time: everything after the last STATE the destination echoed."""
    if not result.states:
        return list(messages)
    last = serialize(result.states[-1])
    index = max(i for i, m in enumerate(messages) if m.type == Type.STATE and serialize(m) == last)
    return messages[index + 1:]


def ledger(server: sandbox.SandboxServer, entity: str = "SalesInvoice") -> list[dict[str, Any]]:
    return list(server.vendor.rows(entity))  # type: ignore[attr-defined]


def orders_in(messages: Iterable[AirbyteMessage]) -> Iterator[Any]:
    for m in messages:
        if m.type == Type.RECORD and m.record is not None:
            yield from_record("orders", m.record.data)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(now=START, tick=TICK)


@pytest.fixture
def exact(clock: SimulatedClock) -> Iterator[sandbox.SandboxServer]:
    server = sandbox.start("exact", clock=clock, daily_limit=None)
    yield server
    server.stop()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.json"
