"""Harness for runs against the eAccounting sandbox: catalogs, STATE messages, an in-process write runner, ledger."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

import sandbox
from connector_common import protocol
from connector_common.testing import destination_catalog, position_state, with_position_states

sys.path.insert(0, str(Path(__file__).parent.parent / "unit_tests"))
from destination_eaccounting.destination import DestinationEaccounting


def catalog(*streams: str) -> ConfiguredAirbyteCatalog:
    return destination_catalog(*(streams or ("orders",)))


def state(position: int) -> AirbyteMessage:
    return position_state("orders", position)


def with_states(records: list[dict[str, Any]], every: int = 20, stream: str = "orders") -> list[AirbyteMessage]:
    return with_position_states(stream, records, every)


class Run:
    """One `write` run: every message it printed (validated as protocol lines), and how it ended."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.error: AirbyteTracedException | None = None

    def add(self, message: AirbyteMessage) -> None:
        line = protocol.serialize(message)
        protocol.validate_line(line)
        self.lines.append(line)

    @property
    def states(self) -> list[int]:
        return [int(m.state.stream.stream_state.position) for m in map(protocol.validate_line, self.lines)  # type: ignore[union-attr]
                if m.type == Type.STATE]

    @property
    def summary(self) -> dict[str, Any]:
        """The write loop's final SUMMARY log, parsed."""
        line = next(line for line in reversed(self.lines) if "SUMMARY " in line)
        message = str(json.loads(line)["log"]["message"])
        data: dict[str, Any] = json.loads(message.split("SUMMARY ", 1)[1])
        return data


def run_write(cfg: dict[str, Any], messages: list[AirbyteMessage], *, streams: tuple[str, ...] = ("orders",),
              clock: Callable[[], float] | None = None, config_path: str | None = None) -> Run:
    """Run the destination in-process (sleep is a no-op: waits are counted, not slept)."""
    run = Run()
    kwargs: dict[str, Any] = {"sleep": lambda _s: None, "emit": run.add}
    if clock is not None:
        kwargs["clock"] = clock
    destination = DestinationEaccounting(config_path=config_path, **kwargs)
    try:
        for message in destination.write(cfg, catalog(*streams), iter(messages)):
            run.add(message)
    except AirbyteTracedException as exc:
        run.error = exc
    return run


def ledger(srv: sandbox.SandboxServer, kind: str = "drafts") -> dict[str, list[dict[str, Any]]]:
    """Documents in the sandbox by YourReference."""
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for doc in srv.vendor.dump()[kind]:
        by_ref.setdefault(doc["YourReference"], []).append(doc)
    return by_ref


def booked_total(doc: dict[str, Any]) -> Decimal:
    return Decimal(str(doc["TotalAmount"])) - Decimal(str(doc["TotalRoundings"]))
