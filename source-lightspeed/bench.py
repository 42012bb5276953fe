"""Benchmark: records per second and API calls per 100 orders for both platforms, against the sandbox.

Run: .venv/bin/python source-lightspeed/bench.py [orders]. The stand-ins enforce each platform's published limits on
a simulated clock shared with the connector, so rate-limit waits cost no wall time but are reported as the time the
same sync would take against the real API ("simulated").
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from airbyte_cdk.models import SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from source_lightspeed import SourceLightspeed

import sandbox

sys.path.insert(0, str(Path(__file__).parent / "integration_tests"))
from lightspeed_harness import FakeClock, ecom_config, retail_config


def measure(platform: str, orders: int) -> dict[str, Any]:
    clock = FakeClock()
    if platform == "ecom":
        server = sandbox.start("lightspeed_ecom", seed="bench", orders=orders, clock=clock, per_second=20)
        config = ecom_config(server.base_url)
    else:
        server = sandbox.start("lightspeed_retail", seed="bench", orders=orders, clock=clock, burst_limit=20)
        config = retail_config(server.base_url)
    source = SourceLightspeed(sleep=clock.sleep, clock=clock, monotonic=clock)
    catalog = CatalogBuilder().with_stream("orders", SyncMode.incremental).build()
    started_wall, started_cpu, started_sim = time.perf_counter(), time.process_time(), clock.now
    output = read(source, config, catalog)
    wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
    requests = server.requests()
    server.stop()
    records = sum(1 for m in output.records if m.type == Type.RECORD)
    api = Counter(r.path.rsplit("/", 1)[-1] if "products" not in r.path else "orders/{id}/products.json"
                  for r in requests if "/auth/" not in r.path)
    calls = sum(api.values())
    simulated = clock.now - started_sim + wall
    return {"platform": platform, "orders": records, "wall_s": wall, "cpu_s": cpu, "records_per_s": records / wall,
            "calls": calls, "calls_per_100": 100 * calls / max(records, 1), "status_429": sum(
                1 for r in requests if r.status == 429), "simulated_s": simulated,
            "orders_per_hour_at_limits": 3600 * records / simulated if simulated else 0.0, "by_endpoint": dict(api)}


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    print(f"source-lightspeed benchmark, {orders} generated orders per shop (web orders -> eCom, POS -> Retail)")
    for platform in ("ecom", "retail"):
        # Retail renders only the POS share of the generated shop (~12 %), so it gets more generated orders.
        r = measure(platform, orders if platform == "ecom" else orders * 8)
        print(f"\n[{r['platform']}] {r['orders']} orders read")
        print(f"  wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s -> {r['records_per_s']:.0f} records/s "
              f"(CPU {1000 * r['cpu_s'] / max(r['orders'], 1):.2f} s per 1000 orders)")
        print(f"  API calls: {r['calls']} = {r['calls_per_100']:.1f} per 100 orders; HTTP 429 received: "
              f"{r['status_429']}")
        print(f"  under the published rate limits (simulated clock): {r['simulated_s']:.0f} s -> "
              f"{r['orders_per_hour_at_limits']:.0f} orders/hour")
        print(f"  calls by endpoint: {r['by_endpoint']}")


if __name__ == "__main__":
    main()
