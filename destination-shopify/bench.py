"""Benchmark: Shopify API calls and cost points per 1,000 stock updates, and per shipment, of destination-shopify.

Runs the destination in-process against the Shopify stand-in (its published Advanced-plan bucket: 2,000 points,
100 points/s restore; 1,000 points per query at most) with a simulated latency per request on a virtual clock, so
waiting costs no real time. Stock runs: a first sync where every figure differs from the shop, the same figures
again (steady state: nothing to change), and a sync where one SKU in ten changed. Shipment run: whole-order
deliveries with tracking numbers, then the same deliveries re-sent.
Usage: .venv/bin/python destination-shopify/bench.py [stock_updates] [latency_seconds]
The last line, `BENCH {json}`, carries the same figures for scripts/bench.py.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "integration_tests"))
sys.path.insert(0, str(Path(__file__).parent / "unit_tests"))

from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from shopify_dest_builders import shipment_record, stock_record
from shopify_harness import catalog, config_for, open_orders, with_states

from connector_common.testing import SimulatedClock
from destination_shopify import DestinationShopify
from sandbox import SandboxServer, make_vendor
from sandbox.seed import catalogue

VARIANTS_PER_PRODUCT = 1.6  # the generated catalogue's active variants per product (61 of 36 products)


def shop(updates: int, clock: SimulatedClock, latency: float) -> SandboxServer:
    """A generated shop with at least `updates` active variants (the catalogue grows with PRODUCTS_PER_SHOP)."""
    catalogue.PRODUCTS_PER_SHOP = max(catalogue.PRODUCTS_PER_SHOP, int(updates / VARIANTS_PER_PRODUCT) + 20)
    vendor = make_vendor("shopify", seed="demo", orders=200, clock=clock.time)
    return SandboxServer(vendor, latency=latency, sleep=clock.sleep).start()


def write(server: SandboxServer, clock: SimulatedClock, stream: str, records: list[dict[str, Any]],
          **config: Any) -> dict[str, Any]:
    """One `write` run: its SUMMARY plus the GraphQL requests and actual cost points the stand-in counted."""
    vendor: Any = server.vendor
    requests_before, cost_before, started = len(server.requests()), vendor.cost_spent, clock.now
    summary: dict[str, Any] = {}
    destination = DestinationShopify(sleep=clock.sleep, clock=clock, wall_clock=clock, emit=lambda _m: None)
    messages: Iterator[Any] = iter(with_states(stream, records, every=250))
    try:
        for message in destination.write(config_for(server, **config), catalog(stream), messages):
            if message.log and message.log.message.startswith("SUMMARY "):
                summary = json.loads(message.log.message[len("SUMMARY "):])
    except AirbyteTracedException as exc:  # a benchmark reports a failed run (e.g. skipped records) and goes on
        summary["error"] = str(exc)[:300]
    calls = [r for r in server.requests()[requests_before:] if r.path.endswith("/graphql.json")]
    return {"records": len(records), "calls": len(calls), "cost_points": vendor.cost_spent - cost_before,
            "virtual_seconds": round(clock.now - started, 1), "outcomes": summary.get("outcomes", {}),
            "error": summary.get("error")}


def main() -> None:
    updates = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.15
    clock = SimulatedClock(now=1_796_400_000.0)
    server = shop(updates, clock, latency)
    runs: list[dict[str, Any]] = []
    try:
        vendor: Any = server.vendor
        skus = [v.sku for p in vendor.shop.products.values() for v in p.variants if v.active][:updates]
        levels = {v.sku: vendor.store.levels[(v.id, 1)]["available"]
                  for p in vendor.shop.products.values() for v in p.variants}
        first = {sku: levels[sku] + 1 + i % 7 for i, sku in enumerate(skus)}
        changed = {sku: q + (3 if i % 10 == 0 else 0) for i, (sku, q) in enumerate(first.items())}
        for label, figures in (("first sync (every figure differs)", first), ("same figures again", first),
                               ("one SKU in ten changed", changed)):
            run = write(server, clock, "stock_levels", [stock_record(s, q) for s, q in figures.items()],
                        batch_size=250)
            runs.append({"run": label, "stream": "stock_levels", **run})
        orders = open_orders(server)[:20]
        deliveries = [shipment_record(f"#{o.number}", [(ln.sku, ln.quantity) for ln in o.lines],
                                      tracking=f"3SBENCH{n:05d}", carrier="PostNL", sid=f"gd-{n}")
                      for n, o in enumerate(orders)]
        for label in ("shipments (whole orders)", "same shipments re-sent"):
            runs.append({"run": label, "stream": "shipments", **write(server, clock, "shipments", deliveries)})
    finally:
        server.stop()
    for run in runs:
        per = run["records"] or 1
        run["calls_per_1000"] = round(run["calls"] * 1000 / per, 1)
        run["cost_points_per_record"] = round(run["cost_points"] / per, 2)
    print(f"destination-shopify: {updates} stock updates, latency {latency:g} s per request "
          "on the Shopify stand-in")
    print(f"{'run':<36}{'records':>8}{'calls':>7}{'calls/1000':>12}{'points/record':>15}  outcomes")
    for run in runs:
        outcomes = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(run["outcomes"].items()))
        print(f"{run['run']:<36}{run['records']:>8}{run['calls']:>7}{run['calls_per_1000']:>12}"
              f"{run['cost_points_per_record']:>15}  {outcomes}{'  ERROR ' + run['error'] if run['error'] else ''}")
    print("BENCH " + json.dumps({"updates": updates, "latency": latency,
                                 "runs": runs}, sort_keys=True))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
