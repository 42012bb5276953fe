"""Benchmark: records per second and API calls per 100 orders for both platforms, against the sandbox.

Run: .venv/bin/python source-lightspeed/bench.py [orders] [latency_seconds] (defaults 400, 0.15). The stand-ins enforce
each platform's published limits on a simulated clock shared with the connector, so rate-limit waits and the simulated
per-request latency cost no wall time but are reported as the time the same sync would take against the real API
("simulated"). "Sustained" is the long-run rate once the initial allowance is spent: the tightest published limit
(eCom 3,000 calls/hour, Retail 1 call/s drip) or one request per latency, divided by the calls per order.
The last line, `BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import Any

from airbyte_cdk.models import SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from connector_common.testing import SimulatedClock
from sandbox.core import SandboxServer
from sandbox.lightspeed_ecom import LightspeedEcom
from sandbox.lightspeed_retail import LightspeedRetail
from source_lightspeed import SourceLightspeed

EPOCH = 1_735_700_000.0  # 2025-01-01, after every generated record
START_DATE = "2020-01-01T00:00:00Z"
CALLS_PER_HOUR = {"ecom": 3000.0, "retail": 3600.0}  # eCom hourly cap; Retail drip 1/s


def ecom_config(base_url: str) -> dict[str, Any]:
    return {"start_date": START_DATE, "platform": {
        "platform_type": "ecom", "cluster": "eu1", "language": "nl", "api_key": LightspeedEcom.API_KEY,
        "api_secret": LightspeedEcom.API_SECRET, "base_url": base_url}}


def retail_config(base_url: str) -> dict[str, Any]:
    return {"start_date": START_DATE, "platform": {
        "platform_type": "retail", "client_id": LightspeedRetail.CLIENT_ID,
        "client_secret": LightspeedRetail.CLIENT_SECRET, "refresh_token": LightspeedRetail.REFRESH_TOKEN,
        "account_id": LightspeedRetail.ACCOUNT_ID, "base_url": base_url,
        "auth_server_url": f"{base_url}/auth/oauth/token"}}


def measure(platform: str, orders: int, latency: float = 0.0) -> dict[str, Any]:
    clock = SimulatedClock(now=EPOCH)  # shared by stand-in and connector: a rate-limit wait advances it
    if platform == "ecom":  # published limits: 300 / 5 min, 3,000 / hour, 12,000 / day, 20 / s
        server = SandboxServer(LightspeedEcom(seed="bench", orders=orders, clock=clock), latency=latency,
                               sleep=clock.sleep).start()
        config = ecom_config(server.base_url)
    else:  # published limits: leaky bucket 90, 1 drip / s, burst 20 / s
        server = SandboxServer(LightspeedRetail(seed="bench", orders=orders, clock=clock), latency=latency,
                               sleep=clock.sleep).start()
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
    per_order = calls / max(records, 1)
    by_limit = CALLS_PER_HOUR[platform] / per_order if per_order else float("inf")
    by_latency = 3600 / (per_order * latency) if per_order and latency else float("inf")
    return {"platform": platform, "orders": records, "wall_s": wall, "cpu_s": cpu, "records_per_s": records / wall,
            "calls": calls, "calls_per_100": 100 * calls / max(records, 1), "status_429": sum(
                1 for r in requests if r.status == 429), "simulated_s": simulated,
            "orders_per_hour_at_limits": 3600 * records / simulated if simulated else 0.0, "by_endpoint": dict(api),
            "latency_s": latency, "orders_per_hour_sustained": min(by_limit, by_latency),
            "orders_per_day_ecom_daily_cap": 12000 / per_order if platform == "ecom" and per_order else None}


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.15
    print(f"source-lightspeed benchmark, {orders} generated orders per shop (web orders -> eCom, POS -> Retail), "
          f"simulated latency {latency:g} s per request")
    results = []
    for platform in ("ecom", "retail"):
        # Retail renders only the POS share of the generated shop (~12 %), so it gets more generated orders.
        r = measure(platform, orders if platform == "ecom" else orders * 8, latency)
        results.append(r)
        print(f"\n[{r['platform']}] {r['orders']} orders read")
        print(f"  wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s -> {r['records_per_s']:.0f} records/s "
              f"(CPU {1000 * r['cpu_s'] / max(r['orders'], 1):.2f} s per 1000 orders)")
        print(f"  API calls: {r['calls']} = {r['calls_per_100']:.1f} per 100 orders; HTTP 429 received: "
              f"{r['status_429']}")
        print(f"  under the published rate limits (simulated clock): {r['simulated_s']:.0f} s -> "
              f"{r['orders_per_hour_at_limits']:.0f} orders/hour; sustained "
              f"{r['orders_per_hour_sustained']:.0f} orders/hour")
        print(f"  calls by endpoint: {r['by_endpoint']}")
    print("BENCH " + json.dumps({"bench": "source-lightspeed", "latency_s": latency, "runs": results}))


if __name__ == "__main__":
    main()
