"""Benchmark of the sandbox itself: it must never be the bottleneck. Prints figures (last line `BENCH {json}`)."""

from __future__ import annotations

import json
import statistics
import sys
import time

import requests

import sandbox
from sandbox.core import Request
from sandbox.lightspeed_ecom import LightspeedEcom
from sandbox.seed import generate_shop
from sandbox.shopify import Shopify

# A typical incremental orders page: the fields a bookkeeping sync reads, 250 orders of a 10k-order shop.
SHOPIFY_PAGE = """query Orders($c: String) { orders(first: 250, after: $c, sortKey: UPDATED_AT,
  query: "updated_at:>='2024-01-01T00:00:00Z'") { pageInfo { hasNextPage endCursor } nodes {
    id name updatedAt displayFinancialStatus currencyCode taxesIncluded email customer { id email }
    totalPriceSet { shopMoney { amount currencyCode } } totalTaxSet { shopMoney { amount currencyCode } }
    lineItems(first: 10) { nodes { id sku quantity originalUnitPriceSet { shopMoney { amount } }
      taxLines { rate priceSet { shopMoney { amount } } } } }
    shippingLines(first: 3) { nodes { title originalPriceSet { shopMoney { amount } } } } } } }"""


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def shopify_page_ms(pages: int = 8) -> float:
    """CPU milliseconds the Shopify stand-in spends answering one 250-order page (in process, no HTTP)."""
    vendor = Shopify(seed="bench", orders=10_000, max_available=10**9, max_query_cost=10**9)
    headers = {"x-shopify-access-token": Shopify.ACCESS_TOKEN, "content-type": "application/json"}

    def page(cursor: str | None) -> str | None:
        body = json.dumps({"query": SHOPIFY_PAGE, "variables": {"c": cursor}}).encode()
        resp = vendor.handle(Request("POST", "/admin/api/2026-10/graphql.json", {}, headers, body))
        conn = json.loads(resp.encoded()[0])["data"]["orders"]
        assert len(conn["nodes"]) == 250
        return conn["pageInfo"]["endCursor"]

    cursor = page(None)  # builds the index and warms the caches
    started = time.process_time()
    for _ in range(pages):
        cursor = page(cursor)
    return (time.process_time() - started) / pages * 1000


def main() -> None:
    if "--shopify" in sys.argv:  # only the Shopify page figure (compare two versions of the stand-in)
        print(f"shopify: 250-order page {shopify_page_ms():.1f} ms CPU")
        return
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
        shopify_ms = shopify_page_ms()
        print(f"shopify: 250-order GraphQL page {shopify_ms:.1f} ms CPU (validated + executed, in process)")
        print("BENCH " + json.dumps({"bench": "sandbox", "seed_10k_orders_cpu_s": seed_cpu, "stand_ins": len(servers),
                                     "start_all_s": start_s, "ecom_250_order_page_ms": page * 1000,
                                     "small_request_ms": small * 1000, "shopify_250_order_page_ms": shopify_ms}))
    finally:
        shop.stop()


if __name__ == "__main__":
    main()
