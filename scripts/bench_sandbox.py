"""Benchmark of the sandbox itself: it must never be the bottleneck. Prints figures; asserts nothing."""

from __future__ import annotations

import statistics
import time

import requests
from sandbox.lightspeed_ecom import LightspeedEcom
from sandbox.seed import generate_shop

import sandbox


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
    print(f"seed: 10,000 orders generated in {time.process_time() - started:.2f} s CPU")

    started = time.perf_counter()
    servers = {name: sandbox.start(name, seed="demo", orders=50) for name in sandbox.VENDORS}
    print(f"start: all {len(servers)} stand-ins (50-order demo shop) up in {time.perf_counter() - started:.2f} s")
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
    finally:
        shop.stop()


if __name__ == "__main__":
    main()
