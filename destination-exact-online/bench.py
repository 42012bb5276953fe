"""Benchmark: Exact API calls per order (first and steady-state sync) and orders per minute under Exact's limits.

Runs the destination in-process against the Exact stand-in with Exact's published limits (60 calls/minute,
5,000/day per division) and a simulated network latency per request, on a virtual clock: waiting out the minute
and the latency cost no real time, so the figures are what a real division would see.
Usage: .venv/bin/python destination-exact-online/bench.py [orders] [latency_seconds]
The last line, `BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from airbyte_cdk.models import (
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
)
from exact_testdata import BASE_TIME, messages_for, realistic_orders, sandbox_config

from connector_common.http import endpoint_of
from connector_common.protocol import serialize
from connector_common.testing import SimulatedClock
from destination_exact_online import DestinationExactOnline
from sandbox import SandboxServer, make_vendor

DOCUMENT_PATHS = ("/salesinvoice/SalesInvoices", "/salesorder/SalesOrders", "/salesentry/SalesEntries")


def run(config: dict[str, Any], orders: list[Any], clock: SimulatedClock) -> tuple[dict[str, Any], dict[str, Any]]:
    catalog = ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=AirbyteStream(name="orders", json_schema={}, supported_sync_modes=[SyncMode.incremental]),
        sync_mode=SyncMode.incremental, destination_sync_mode=DestinationSyncMode.append)])
    controls: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    destination = DestinationExactOnline(emit=lambda m: controls.append(json.loads(serialize(m))),
                                         sleep=clock.sleep, clock=clock)
    started, wall = clock.now, time.perf_counter()
    for message in destination.write(config, catalog, iter(messages_for(orders))):
        if message.log and message.log.message.startswith("SUMMARY "):
            summary = json.loads(message.log.message[len("SUMMARY "):])
    new_config = controls[-1]["control"]["connectorConfig"]["config"] if controls else config
    summary["virtual_seconds"] = clock.now - started
    summary["wall_seconds"] = time.perf_counter() - wall
    return summary, new_config


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.15
    # the shop's orders are placed BASE_TIME + n minutes; each run starts after its orders were placed, as a real
    # scheduled sync does (the ledger's clock is what tells a destination which orders cannot be booked yet)
    clock = SimulatedClock(now=(BASE_TIME + timedelta(minutes=count + 10)).timestamp())
    server = SandboxServer(make_vendor("exact", clock=clock, minutely_limit=60, daily_limit=5000), latency=latency,
                           sleep=clock.sleep).start()
    try:
        config = sandbox_config(server.base_url, batch_size=50)
        print(f"Exact destination benchmark: {count} orders per run, simulated latency {latency:g}s/request, "
              "limits 60 calls/min and 5000 calls/day per division (virtual clock)")
        results: list[dict[str, Any]] = []
        print(f"{'run':<28}{'orders':>7}{'API calls':>10}{'calls/order':>12}{'orders/min':>11}{'orders/day*':>12}"
              f"{'wall s':>8}")
        for label, orders in (("first sync (new customers)", realistic_orders(count, start=1)),
                              ("steady state (known)", realistic_orders(count, start=count + 1)),
                              ("re-run (all booked)", realistic_orders(count, start=count + 1))):
            placed = max(o.created_at for o in orders).timestamp()
            clock.sleep(max(0.0, placed + 600 - clock.now))  # the next sync runs 10 minutes after its last order
            server.clear_log()
            summary, config = run(config, orders, clock)
            calls = int(summary["api_calls"])
            by_endpoint = Counter(endpoint_of(r.method, r.path) for r in server.requests()
                                  if not r.path.startswith("/_sandbox"))
            documents = sum(n for key, n in by_endpoint.items()
                            if key.startswith("POST ") and key.endswith(DOCUMENT_PATHS))
            per_order = calls / count
            per_minute = count / (summary["virtual_seconds"] / 60)
            results.append({"run": label, "orders": count, "api_calls": calls, "calls_per_order": per_order,
                            "orders_per_minute": per_minute, "documents": documents,
                            "calls_per_document": calls / documents if documents else None,
                            "calls_by_endpoint": dict(sorted(by_endpoint.items())),
                            "orders_per_day": 5000 / per_order if per_order else None,
                            "virtual_seconds": summary["virtual_seconds"], "wall_seconds": summary["wall_seconds"]})
            print(f"{label:<28}{count:>7}{calls:>10}{per_order:>12.2f}{per_minute:>11.1f}"
                  f"{int(5000 / per_order) if per_order else 0:>12}{summary['wall_seconds']:>8.1f}")
        print("* orders/day = 5000 / calls per order (the daily limit; setup calls of each run included)")
        for r in results:
            per_doc = f"{r['calls_per_document']:.3f}" if r["calls_per_document"] else "n/a"
            print(f"{r['run']}: {r['documents']} documents posted, {per_doc} calls per document; "
                  + ", ".join(f"{k}: {n}" for k, n in r["calls_by_endpoint"].items()))
        invoices = server.vendor.rows("SalesInvoice")  # type: ignore[attr-defined]
        print(f"ledger: {len(invoices)} sales invoices/credit notes for {2 * count} orders")
        print("BENCH " + json.dumps({"bench": "destination-exact-online", "latency_s": latency, "minutely_limit": 60,
                                     "daily_limit": 5000, "ledger_documents": len(invoices), "runs": results}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
