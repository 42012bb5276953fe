"""Benchmark: the orders stream against the Shopify stand-in, paged and bulk; prints records/s and cost points.

Run: `.venv/bin/python source-shopify-orders/bench.py [orders] [latency_seconds]` (defaults 1000, 0.15). The stand-in
and the connector share a simulated clock, so rate-limit waits and the simulated per-request latency cost no wall time
but are added up: "simulated s" is how long the same read would take against a shop with that bucket (Standard
1000 points / 50 per s is the slowest documented plan; Plus 20000 / 1000). "sustained/h" is the long-run rate once
the initial full bucket is spent: min(restore rate / actual points per order, one request per latency).
The last line, `BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder

import sandbox
from connector_common.testing import SimulatedClock
from source_shopify_orders import SourceShopifyOrders

PLANS = (("standard", 1000.0, 50.0), ("plus", 20000.0, 1000.0))


def run(orders: int, *, bulk: bool, bucket: float, restore: float, latency: float = 0.0) -> dict[str, Any]:
    clock = SimulatedClock(now=time.time())
    vendor_obj = sandbox.make_vendor("shopify", seed="demo", orders=orders, clock=clock.time, max_available=bucket,
                                     restore_rate=restore)
    server = sandbox.SandboxServer(vendor_obj, latency=latency, sleep=clock.sleep).start()
    try:
        vendor: Any = server.vendor
        config = {"shop": "bench", "api_base_url": server.base_url, "start_date": "2020-01-01",
                  "credentials": {"auth_method": "access_token", "access_token": vendor.access_token},
                  "bulk_threshold": 1 if bulk else 0, "bulk_poll_seconds": 1}
        with tempfile.TemporaryDirectory() as folder:
            config_file = Path(folder, "config.json")
            config_file.write_text(json.dumps(config))
            catalog = CatalogBuilder().with_stream("orders", SyncMode.incremental).build()
            catalog_file = Path(folder, "catalog.json")
            catalog_file.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog)))
            source = SourceShopifyOrders(config_path=str(config_file), sleep=clock.sleep, clock=clock.time,
                                         wall_clock=clock.time)
            entrypoint = AirbyteEntrypoint(source)
            args = entrypoint.parse_args(["read", "--config", str(config_file), "--catalog", str(catalog_file)])
            cpu0, wall0 = time.process_time(), time.perf_counter()
            records = sum(1 for line in entrypoint.run(args) if line.startswith('{"type":"RECORD"'))
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        client = source.clients[-1]
        spent = float(vendor.dump().get("cost_spent", 0))
        return {"records": records, "wall": wall, "cpu": cpu, "calls": sum(client.http.calls.values()),
                "requested": client.requested_points, "actual": client.actual_points, "spent": spent,
                "simulated": clock.total_slept, "throttled": client.throttled}
    finally:
        server.stop()


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.15
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    sandbox.make_vendor("shopify", seed="demo", orders=orders)  # warm the generator (not measured below)
    print(f"shop with {orders} orders generated in {time.perf_counter() - t0:.1f} s; simulated latency {latency:g} s")
    print(f"{'path':<7}{'bucket':>12}{'records':>9}{'rec/s wall':>12}{'cpu s/1k':>10}{'calls':>7}"
          f"{'req pts/1k':>12}{'actual pts/1k':>15}{'simulated s':>13}{'orders/h at limit':>19}{'sustained/h':>13}"
          f"{'throttled':>10}")
    for bulk in (False, True):
        for plan, bucket, restore in PLANS:
            r = run(orders, bulk=bulk, bucket=bucket, restore=restore, latency=latency)
            per_k = 1000 / max(r["records"], 1)
            measured = r["records"] / ((r["simulated"] + r["wall"]) / 3600)
            by_points = 3600 * restore * r["records"] / r["spent"] if r["spent"] else float("inf")
            by_latency = 3600 * r["records"] / (r["calls"] * latency) if latency else float("inf")
            sustained = min(by_points, by_latency)
            results.append({"path": "bulk" if bulk else "paged", "plan": plan, "bucket": bucket, "restore": restore,
                            "orders_per_hour_measured": measured, "orders_per_hour_sustained": sustained, **r})
            print(f"{'bulk' if bulk else 'paged':<7}{f'{bucket:.0f}/{restore:.0f}':>12}{r['records']:>9}"
                  f"{r['records'] / r['wall']:>12.0f}{r['cpu'] * per_k:>10.2f}{r['calls']:>7}"
                  f"{r['requested'] * per_k:>12.0f}{r['spent'] * per_k:>15.0f}{r['simulated']:>13.1f}"
                  f"{measured:>19.0f}{sustained:>13.0f}{r['throttled']:>10}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB")
    print("BENCH " + json.dumps({"bench": "source-shopify-orders", "orders": orders, "latency_s": latency,
                                 "peak_rss_mb": rss, "runs": results}))


if __name__ == "__main__":
    main()
