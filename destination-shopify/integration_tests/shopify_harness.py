"""Harness for destination-shopify against the Shopify stand-in: config, catalogs, STATE messages, an in-process
write runner, and readers of what the stand-in holds (available quantity per SKU and location, fulfilments per
order with their tracking)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

import sandbox
from connector_common import protocol
from connector_common.testing import SimulatedClock, destination_catalog, position_state, with_position_states
from destination_shopify.destination import DestinationShopify

PRIMARY, WAREHOUSE = 1, 2  # the stand-in's locations: "Shop location" (primary) and a warehouse


def config_for(server: sandbox.SandboxServer, **overrides: Any) -> dict[str, Any]:
    """A valid config for the stand-in (its static custom-app token) with `overrides` on top."""
    vendor: Any = server.vendor
    config: dict[str, Any] = {"shop": "demo-shop", "api_base_url": server.base_url,
                              "credentials": {"auth_method": "access_token", "access_token": vendor.access_token}}
    config.update(overrides)
    return config


def catalog(*streams: str) -> ConfiguredAirbyteCatalog:
    return destination_catalog(*(streams or ("stock_levels", "shipments")))


state = position_state


def with_states(stream: str, records: list[dict[str, Any]], every: int = 10) -> list[AirbyteMessage]:
    return with_position_states(stream, records, every)


@dataclass
class Run:
    """One `write` run: every message it printed (validated as protocol lines), and how it ended."""

    lines: list[str] = field(default_factory=list)
    error: AirbyteTracedException | None = None

    def add(self, message: AirbyteMessage) -> None:
        line = protocol.serialize(message)
        protocol.validate_line(line)
        self.lines.append(line)

    @property
    def states(self) -> list[int]:
        return [int(m.state.stream.stream_state.position)  # type: ignore[union-attr]
                for m in map(protocol.validate_line, self.lines) if m.type == Type.STATE]

    @property
    def summary(self) -> dict[str, Any]:
        """The write loop's final SUMMARY log, parsed."""
        line = next(line for line in reversed(self.lines) if "SUMMARY " in line)
        data: dict[str, Any] = json.loads(str(json.loads(line)["log"]["message"]).split("SUMMARY ", 1)[1])
        return data

    @property
    def logs(self) -> list[str]:
        return [str(json.loads(line)["log"]["message"]) for line in self.lines if '"type": "LOG"' in line
                or '"type":"LOG"' in line]


def run_write(cfg: dict[str, Any], messages: Iterable[AirbyteMessage], *,
              streams: tuple[str, ...] = ("stock_levels", "shipments"), clock: SimulatedClock | None = None) -> Run:
    """Run the destination in-process on `clock` (the stand-in's too): waits advance it instead of sleeping."""
    run = Run()
    clock = clock or SimulatedClock(now=time.time())
    destination = DestinationShopify(sleep=clock.sleep, clock=clock, wall_clock=clock, emit=run.add)
    try:
        for message in destination.write(cfg, catalog(*streams), iter(messages)):
            run.add(message)
    except AirbyteTracedException as exc:
        run.error = exc
    return run


def resume_until_done(cfg: dict[str, Any], stream: str, records: list[dict[str, Any]], *, every: int = 10,
                      max_runs: int = 30, clock: SimulatedClock | None = None) -> list[Run]:
    """Run, and after a failure restart from the last echoed state, the way Airbyte resumes a sync."""
    position, runs = 0, []
    for _ in range(max_runs):
        run = run_write(cfg, with_states(stream, records[position:], every=every), streams=(stream,), clock=clock)
        runs.append(run)
        if run.states:
            position += run.states[-1]
        if run.error is None:
            return runs
    raise AssertionError(f"not done after {max_runs} runs: {[str(r.error) for r in runs]}")


# --- what the stand-in holds ------------------------------------------------------------------------------------
def variants(server: sandbox.SandboxServer, *, active: bool = True) -> list[Any]:
    """The generated shop's variants (SKU, id) that are for sale (or not)."""
    vendor: Any = server.vendor
    return [v for p in vendor.shop.products.values() for v in p.variants if v.active is active]


def available(server: sandbox.SandboxServer, sku: str, location: int = PRIMARY) -> int:
    vendor: Any = server.vendor
    variant = next(v for p in vendor.shop.products.values() for v in p.variants if v.sku == sku)
    return int(vendor.store.levels[(variant.id, location)]["available"])


def orders(server: sandbox.SandboxServer) -> list[Any]:
    vendor: Any = server.vendor
    return list(vendor.shop.orders.values())


def open_orders(server: sandbox.SandboxServer) -> list[Any]:
    """Orders the shop still has to ship: not cancelled, not fulfilled, with lines to fulfil."""
    return [o for o in orders(server) if o.cancelled_at is None and o.fulfillment_status == "unfulfilled"
            and not o.refunds and o.lines]


def order_by_name(server: sandbox.SandboxServer, name: str) -> Any:
    return next(o for o in orders(server) if f"#{o.number}" == name)


def fulfillments(server: sandbox.SandboxServer, name: str) -> list[dict[str, Any]]:
    """The fulfilments the stand-in recorded for an order (by name), with their tracking info."""
    vendor: Any = server.vendor
    order = order_by_name(server, name)
    fo = vendor.store.fulfillment_order(order.id)
    return list(fo.fulfillments) if fo else []


def tracking_numbers(server: sandbox.SandboxServer, name: str) -> list[str]:
    return [t["number"] for f in fulfillments(server, name) for t in f["tracking"]]


def graphql_operations(server: sandbox.SandboxServer) -> list[str]:
    """The operation names of the GraphQL requests the stand-in served, in order (e.g. 'SetStock')."""
    names = []
    for req in server.requests():
        if req.path.endswith("/graphql.json"):
            try:
                query = str(json.loads(req.body).get("query") or "")
            except ValueError:
                query = ""
            head = query.split("{", 1)[0].split()
            names.append(head[1].split("(")[0] if len(head) > 1 else "?")
    return names


def intercept(server: sandbox.SandboxServer, operation: str, before: Callable[[], None], times: int = 1) -> None:
    """Run `before()` inside the stand-in just before it executes the next `times` requests of `operation`
    (a sale in the shop between the destination's read and its write)."""
    vendor: Any = server.vendor
    original = vendor.handle
    left = {"n": times}

    def handle(req: Any) -> Any:
        if left["n"] and req.path.endswith("/graphql.json") and f"{operation}(" in req.body.decode():
            left["n"] -= 1
            before()
        return original(req)

    vendor.handle = handle

