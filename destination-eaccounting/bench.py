"""Benchmark: API calls per order (first sync, steady state) and orders per minute under eAccounting's limits.

Run: .venv/bin/python destination-eaccounting/bench.py [orders] [latency_seconds] (defaults 300, 0.15). The last line,
`BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "unit_tests"))
sys.path.insert(0, str(HERE / "integration_tests"))

from eacc_builders import START, config, many_specs, order_record  # noqa: E402
from eacc_harness import run_write, with_states  # noqa: E402

from connector_common.testing import SimulatedClock  # noqa: E402

sandbox: Any = importlib.import_module("sandbox")  # the stand-in package (installed editable from sandbox/)
ORDERS = 300
PER_ENDPOINT_PER_MINUTE = 590  # 600 documented, 10 kept in reserve by EaccountingRateLimiter
SIMULATED_LATENCY = 0.15  # seconds per call, a plausible round trip to eaccountingapi.vismaonline.com


def measure(server: Any, cfg: dict[str, Any], specs: list[Any], label: str,
            clock: SimulatedClock) -> tuple[float, float, int]:
    clock.sleep(max(0.0, (START + timedelta(minutes=max(s.minutes for s in specs) + 10)).timestamp() - clock.now))
    server.clear_log()
    started = time.perf_counter()
    run = run_write(cfg, with_states([order_record(s) for s in specs], every=50), clock=clock)
    elapsed = time.perf_counter() - started
    if run.error is not None:
        raise SystemExit(f"{label}: write failed: {run.error.message}")
    booked = run.summary["outcomes"].get("orders:created", 0)
    calls = Counter(f"{r.method} {r.path.split('/')[2] if '/v2/' in r.path else r.path}" for r in server.requests())
    total = sum(calls.values())
    per_order = total / booked
    busiest = max(v for k, v in calls.items() if k.startswith("POST")) / booked
    print(f"{label}: {booked} orders booked, {total} API calls = {per_order:.2f} calls/order "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(calls.items()))}); wall {elapsed:.1f} s on the sandbox")
    return per_order, busiest, booked


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else ORDERS
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else SIMULATED_LATENCY
    # each run starts 10 minutes after its last order was placed, as a scheduled sync does (the company's newest
    # document tells the destination which orders cannot be booked yet)
    clock = SimulatedClock(now=START.timestamp(), tick=0.001)
    server = sandbox.start("eaccounting", seed="demo", clock=clock)
    try:
        cfg = config(server.base_url)
        first = many_specs(orders)
        first_calls, first_busiest, first_booked = measure(server, cfg, first,
                                                           "first sync (new customers and articles)", clock)
        steady = [s for s in many_specs(orders, start=100001) if not s.refund_line]
        for spec in steady:
            spec.minutes += orders + 30  # placed after the first sync
        steady_calls, steady_busiest, steady_booked = measure(server, cfg, steady,
                                                              "steady state (known customers and articles)", clock)
    finally:
        server.stop()
    results = []
    for label, calls, busiest, booked in (("first sync", first_calls, first_busiest, first_booked),
                                          ("steady state", steady_calls, steady_busiest, steady_booked)):
        by_limit = PER_ENDPOINT_PER_MINUTE / busiest
        by_latency = 60 / (calls * latency) if latency else float("inf")
        print(f"{label}: orders/minute under 600 calls/min per endpoint = {by_limit:.0f}; with "
              f"{latency * 1000:.0f} ms per call sequentially = {by_latency:.0f}; "
              f"expected = {min(by_limit, by_latency):.0f} orders/minute")
        results.append({"run": label, "orders": booked, "calls_per_order": calls,
                        "busiest_endpoint_posts_per_order": busiest, "orders_per_minute_by_limit": by_limit,
                        "orders_per_minute_by_latency": by_latency, "orders_per_minute": min(by_limit, by_latency)})
    print("BENCH " + json.dumps({"bench": "destination-eaccounting", "latency_s": latency,
                                 "per_endpoint_per_minute": PER_ENDPOINT_PER_MINUTE, "runs": results}))


if __name__ == "__main__":
    main()
