"""Benchmark: the orders stream against the Shopify stand-in, paged and bulk; prints records/s and cost points.

Run: `.venv/bin/python source-shopify-orders/bench.py [orders]` (default 1000). The stand-in and the connector share
a simulated clock, so rate-limit waits cost no wall time but are added up: "simulated s" is how long the same read
would take against a shop with that bucket (Standard 1000/50 per s is the slowest documented plan; Advanced 2000/100).
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
from source_shopify_orders import SourceShopifyOrders

import sandbox


class SimClock:
    def __init__(self) -> None:
        self.now = time.time()
        self.slept = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


def run(orders: int, *, bulk: bool, bucket: float, restore: float) -> dict[str, Any]:
    clock = SimClock()
    server = sandbox.start("shopify", seed="demo", orders=orders, clock=clock.time, max_available=bucket,
                           restore_rate=restore)
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
                "simulated": clock.slept, "throttled": client.throttled}
    finally:
        server.stop()


def main() -> None:
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    t0 = time.perf_counter()
    sandbox.make_vendor("shopify", seed="demo", orders=orders)  # warm the generator (not measured below)
    print(f"shop with {orders} orders generated in {time.perf_counter() - t0:.1f} s")
    print(f"{'path':<7}{'bucket':>12}{'records':>9}{'rec/s wall':>12}{'cpu s/1k':>10}{'calls':>7}"
          f"{'req pts/1k':>12}{'actual pts/1k':>15}{'simulated s':>13}{'orders/h at limit':>19}{'throttled':>10}")
    for bulk in (False, True):
        for bucket, restore in ((1000.0, 50.0), (2000.0, 100.0)):
            r = run(orders, bulk=bulk, bucket=bucket, restore=restore)
            per_k = 1000 / max(r["records"], 1)
            hours = (r["simulated"] + r["wall"]) / 3600
            print(f"{'bulk' if bulk else 'paged':<7}{f'{bucket:.0f}/{restore:.0f}':>12}{r['records']:>9}"
                  f"{r['records'] / r['wall']:>12.0f}{r['cpu'] * per_k:>10.2f}{r['calls']:>7}"
                  f"{r['requested'] * per_k:>12.0f}{r['spent'] * per_k:>15.0f}{r['simulated']:>13.1f}"
                  f"{r['records'] / hours:>19.0f}{r['throttled']:>10}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
