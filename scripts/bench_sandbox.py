"""Benchmark of the sandbox itself: it must never be the bottleneck. Prints figures (last line `BENCH {json}`)."""

from __future__ import annotations

import json
import statistics
import time

import requests

import sandbox
from sandbox.lightspeed_ecom import LightspeedEcom
from sandbox.seed import generate_shop


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    started = time.process_time()
    generate_shop("bench", 10_000)
    seed_cpu = time.process_time() - started
    print(f"seed: 10,000 orders generated in {seed_cpu:.2f} s CPU")

    started = time.perf_counter()
    servers = {name: sandbox.start(name, seed="demo", orders=50) for name in sandbox.VENDORS}
    start_s = time.perf_counter() - started
    print(f"start: all {len(servers)} stand-ins (50-order demo shop) up in {start_s:.2f} s")
    for s in servers.values():
        s.stop()

    shop = sandbox.start("lightspeed_ecom", seed="bench", orders=3000, per_second=None)
    try:
        session = requests.Session()
        session.auth = (LightspeedEcom.API_KEY, LightspeedEcom.API_SECRET)
        url = f"{shop.base_url}/nl/orders.json"
        page = timed(lambda: session.get(url, params={"limit": 250, "page": 2}).raise_for_status())
        small = timed(lambda: session.get(f"{shop.base_url}/nl/orders/count.json").raise_for_status(), 20)
        print(f"lightspeed eCom: 250-order page over HTTP {page * 1000:.1f} ms (median), small keep-alive request "
              f"{small * 1000:.1f} ms")
        print("BENCH " + json.dumps({"bench": "sandbox", "seed_10k_orders_cpu_s": seed_cpu, "stand_ins": len(servers),
                                     "start_all_s": start_s, "ecom_250_order_page_ms": page * 1000,
                                     "small_request_ms": small * 1000}))
    finally:
        shop.stop()


if __name__ == "__main__":
    main()
