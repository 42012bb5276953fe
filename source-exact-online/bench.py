"""Benchmark: Exact API calls per 1,000 stock positions and per goods delivery read by source-exact-online.

Runs the source in-process against the Exact stand-in under Exact's published limits (60 calls a minute, 5,000 a
day) with a simulated latency per request on a virtual clock, so waiting costs no real time. Stock runs: a first
sync of every position (items x 2 warehouses), the same sync again (nothing changed), and a sync where one position
in ten changed (stock counts). Shipment run: sales orders with our booking reference, each delivered once.
Usage: .venv/bin/python source-exact-online/bench.py [stock_positions] [latency_seconds] [deliveries]
The last line, `BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "integration_tests"))

from exact_harness import START, TICK, exact_config, run_read

from connector_common.testing import SimulatedClock
from sandbox import SandboxServer
from sandbox.exact import ExactOnline


def calls(server: SandboxServer) -> Counter[str]:
    """API calls the stand-in served since the log was cleared, by endpoint (token calls left out)."""
    return Counter(r.path.split(f"/api/v1/{ExactOnline.DIVISION}/")[-1] for r in server.requests()
                   if "/oauth2/" not in r.path)


def main(positions: int = 10_000, latency: float = 0.15, deliveries: int = 100) -> dict[str, Any]:
    clock = SimulatedClock(now=START, tick=TICK)
    vendor = ExactOnline(clock=clock)  # published limits: 60 a minute, 5,000 a day
    server = SandboxServer(vendor, latency=latency, sleep=clock.sleep).start()
    try:
        items = positions // 2
        for n in range(items):
            vendor.add_stock_item(f"SKU-{n:06d}", f"Artikel {n}", price="9.95", stock={"1": n % 40, "2": n % 7})
        runs: list[dict[str, Any]] = []
        config, state = exact_config(server.base_url), None

        def read(label: str, streams: tuple[str, ...]) -> None:
            nonlocal config, state
            server.clear_log()
            started = clock.now
            run = run_read(config, clock, state, streams=streams)
            config, state = run.config, run.state()
            records = sum(len(run.records(s)) for s in streams)
            served = calls(server)
            runs.append({"run": label, "records": records, "calls": sum(served.values()),
                         "calls_per_1000": 1000 * sum(served.values()) / records if records else None,
                         "simulated_s": round(clock.now - started, 1), "by_endpoint": dict(served),
                         "http_429": sum(r.status == 429 for r in server.requests())})
            print(f"{label}: {records} records, {sum(served.values())} calls, {clock.now - started:.0f} s simulated "
                  f"({dict(served)})", flush=True)

        read("stock: first sync", ("stock_levels",))
        read("stock: nothing changed", ("stock_levels",))
        for n in range(0, items, 5):  # every fifth item in warehouse 1: one position in ten
            vendor.set_stock(f"SKU-{n:06d}", "1", 100 + n % 13)
        read("stock: one in ten counted", ("stock_levels",))

        read("shipments: first sync", ("shipments",))
        for n in range(deliveries):
            order = vendor.book_order(f"shopify:#{5000 + n}", {f"SKU-{n:06d}": 1, f"SKU-{n + 1:06d}": 2})
            vendor.deliver(order["OrderNumber"], tracking_number=f"3SBENCH{n:05d}", shipping_method="POSTNL")
        read(f"shipments: {deliveries} deliveries", ("shipments",))
    finally:
        server.stop()
    return {"positions": positions, "latency": latency, "deliveries": deliveries, "runs": runs}


if __name__ == "__main__":
    args = sys.argv[1:]
    figures = main(int(args[0]) if args else 10_000, float(args[1]) if len(args) > 1 else 0.15,
                   int(args[2]) if len(args) > 2 else 100)
    print("BENCH " + json.dumps(figures))
