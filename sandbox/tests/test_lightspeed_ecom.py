"""Tests of the Lightspeed eCom (C-Series) stand-in, written from the documented request/response shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import seed as neutral
from sandbox.core import SandboxServer
from sandbox.lightspeed_ecom import LightspeedEcom

AUTH = (LightspeedEcom.API_KEY, LightspeedEcom.API_SECRET)


def start(**kwargs: Any) -> SandboxServer:
    """What `sandbox.start("lightspeed_ecom", ...)` does (pytest 9 shadows the `sandbox` package attributes)."""
    return SandboxServer(LightspeedEcom(**kwargs)).start()


class FakeClock:
    """An injectable clock: epoch seconds that only move when a test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    srv = start(seed="demo", orders=60, per_second=None)  # the 20/s limit has its own test
    yield srv
    srv.stop()


@pytest.fixture
def server(shared_server: SandboxServer) -> SandboxServer:
    shared_server.reset()  # fresh data, budget, faults and log for every test
    return shared_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp())


def get(srv: SandboxServer, path: str, auth: tuple[str, str] | None = AUTH, **params: Any) -> requests.Response:
    return requests.get(f"{srv.base_url}{path}", params=params, auth=auth, timeout=10)


def body(resp: requests.Response) -> Any:
    return resp.json(parse_float=Decimal)


def all_pages(srv: SandboxServer, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        rows = body(get(srv, path, page=page, **params))[key]
        out.extend(rows)
        if len(rows) < int(params.get("limit", 50)):
            return out
        page += 1


# -- auth and errors -----------------------------------------------------------------------------------------------
def test_given_no_credentials_when_listing_orders_then_401_in_lightspeed_error_shape(server: SandboxServer) -> None:
    resp = get(server, "/nl/orders.json", auth=None)
    assert resp.status_code == 401
    error = resp.json()["error"]
    assert error["code"] == 401 and error["method"] == "GET" and error["request"] == "/nl/orders.json"
    assert error["message"]


def test_given_a_wrong_secret_when_listing_then_401(server: SandboxServer) -> None:
    assert get(server, "/nl/orders.json", auth=(LightspeedEcom.API_KEY, "wrong")).status_code == 401


def test_given_custom_credentials_then_only_those_are_accepted() -> None:
    srv = start(seed=None, api_key="k" * 32, api_secret="s" * 32)
    try:
        assert get(srv, "/nl/orders.json").status_code == 401
        assert get(srv, "/nl/orders.json", auth=("k" * 32, "s" * 32)).json() == {"orders": []}
    finally:
        srv.stop()


def test_given_an_unknown_language_when_listing_then_404_unknown_or_inactive_language(server: SandboxServer) -> None:
    resp = get(server, "/xx/orders.json")
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "Unknown or inactive language"


def test_given_a_missing_order_when_fetching_it_then_404(server: SandboxServer) -> None:
    resp = get(server, "/nl/orders/999999.json")
    assert resp.status_code == 404
    assert resp.json()["error"]["request"] == "/nl/orders/999999.json"


# -- envelopes and the rendered shop ----------------------------------------------------------------------------------
def test_given_the_demo_shop_then_only_web_orders_are_served_with_count_matching(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 60)
    web = {o.id for o in shop.orders.values() if o.channel == "web"}
    orders = all_pages(server, "/nl/orders.json", "orders", limit=250)
    assert {o["id"] for o in orders} == web
    assert body(get(server, "/nl/orders/count.json")) == {"count": len(web)}


def test_given_an_order_then_single_envelope_and_resource_links_use_the_host(server: SandboxServer) -> None:
    first = body(get(server, "/nl/orders.json", limit=1))["orders"][0]
    order = body(get(server, f"/nl/orders/{first['id']}.json"))["order"]
    assert order == first
    assert isinstance(order["priceIncl"], Decimal) and isinstance(order["priceExcl"], Decimal)
    products = order["products"]["resource"]
    assert products["id"] is False and products["url"] == f"orders/{order['id']}/products"
    assert products["link"] == f"{server.base_url}/nl/orders/{order['id']}/products.json"
    assert order["number"].startswith("ORD")
    assert datetime.fromisoformat(order["updatedAt"]).utcoffset() is not None


def test_given_every_order_then_lines_plus_shipping_add_up_to_the_order_total(server: SandboxServer) -> None:
    for order in all_pages(server, "/nl/orders.json", "orders", limit=250):
        lines = body(get(server, f"/nl/orders/{order['id']}/products.json"))["orderProducts"]
        assert lines, order["id"]
        assert sum(line["priceIncl"] for line in lines) + order["shipmentPriceIncl"] + order["paymentPriceIncl"] \
            == order["priceIncl"]
        assert sum(t["amount"] for t in order["taxRates"]) == order["priceIncl"] - order["priceExcl"]
        for line in lines:
            assert line["taxRate"] < 1  # a fraction, e.g. 0.21
            assert line["priceIncl"] == line["basePriceIncl"] * line["quantityOrdered"] - line["discountIncl"] \
                or line["priceExcl"] == line["basePriceExcl"] * line["quantityOrdered"] - line["discountExcl"]
        count = body(get(server, f"/nl/orders/{order['id']}/products/count.json"))["count"]
        assert count == len(lines)


def test_given_a_guest_order_then_its_customer_link_has_id_false() -> None:
    shop = neutral.generate_shop("demo", 60)
    guest = next(o for o in shop.orders.values() if o.customer_id is None)
    srv = start(seed="demo", orders=60, channels=("web", "pos"))
    try:
        order = body(get(srv, f"/nl/orders/{guest.id}.json"))["order"]
        assert order["customer"]["resource"]["id"] is False
        assert order["priceIncl"] == guest.grand_total
    finally:
        srv.stop()


def test_given_customers_products_variants_taxes_then_documented_envelopes(server: SandboxServer) -> None:
    customers = body(get(server, "/nl/customers.json", limit=250))["customers"]
    assert customers and {"id", "email", "firstname", "lastname", "companyVatNumber", "updatedAt"} <= set(customers[0])
    assert body(get(server, "/nl/customers/count.json"))["count"] == len(customers)
    product = body(get(server, "/nl/products.json", limit=1))["products"][0]
    assert body(get(server, f"/nl/products/{product['id']}.json"))["product"]["title"] == product["title"]
    variants = body(get(server, "/nl/variants.json", product=product["id"]))["variants"]
    assert variants and all(v["product"]["resource"]["id"] == product["id"] for v in variants)
    assert all(v["priceIncl"] > v["priceExcl"] or v["tax"]["resource"]["id"] == 3 for v in variants)
    taxes = body(get(server, "/nl/taxes.json"))["taxes"]
    assert sorted(t["rate"] for t in taxes) == [Decimal("0"), Decimal("0.09"), Decimal("0.21")]
    assert body(get(server, "/nl/shop.json"))["shop"]["currency"]["shortcode"] == "EUR"


# -- paging and filters ---------------------------------------------------------------------------------------------
def test_given_small_pages_when_paging_then_every_order_once_newest_first(server: SandboxServer) -> None:
    orders = all_pages(server, "/nl/orders.json", "orders", limit=7)
    ids = [o["id"] for o in orders]
    assert len(ids) == len(set(ids)) == body(get(server, "/nl/orders/count.json"))["count"]
    assert ids == sorted(ids, reverse=True)
    assert body(get(server, "/nl/orders.json", page=999))["orders"] == []
    assert len(body(get(server, "/nl/orders.json"))["orders"]) == 50  # default limit


@pytest.mark.parametrize("params", [{"limit": 251}, {"limit": 0}, {"page": 0}, {"page": "x"}])
def test_given_an_invalid_page_or_limit_then_400(server: SandboxServer, params: dict[str, Any]) -> None:
    resp = get(server, "/nl/orders.json", **params)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == 400


def test_given_updated_at_window_then_only_orders_inside_it_both_ends_inclusive(server: SandboxServer) -> None:
    orders = all_pages(server, "/nl/orders.json", "orders", limit=250)
    stamps = sorted(datetime.fromisoformat(o["updatedAt"]).astimezone(UTC) for o in orders)
    lo, hi = stamps[10], stamps[30]
    fmt = "%Y-%m-%d %H:%M:%S"
    got = all_pages(server, "/nl/orders.json", "orders", limit=250, updated_at_min=lo.strftime(fmt),
                    updated_at_max=hi.strftime(fmt))
    expected = [o for o in orders if lo <= datetime.fromisoformat(o["updatedAt"]) <= hi]
    assert {o["id"] for o in got} == {o["id"] for o in expected}
    assert len(got) >= 21
    count = body(get(server, "/nl/orders/count.json", updated_at_min=lo.strftime(fmt), updated_at_max=hi.strftime(fmt)))
    assert count["count"] == len(expected)


def test_given_created_at_min_and_since_id_then_filtered(server: SandboxServer) -> None:
    orders = all_pages(server, "/nl/orders.json", "orders", limit=250)
    pivot = sorted(orders, key=lambda o: o["id"])[20]
    since = body(get(server, "/nl/orders.json", limit=250, since_id=pivot["id"]))["orders"]
    assert {o["id"] for o in since} == {o["id"] for o in orders if o["id"] > pivot["id"]}
    created = datetime.fromisoformat(pivot["createdAt"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    newer = body(get(server, "/nl/orders.json", limit=250, created_at_min=created))["orders"]
    assert {o["id"] for o in newer} == {o["id"] for o in orders
                                        if datetime.fromisoformat(o["createdAt"]) >= datetime.fromisoformat(
                                            pivot["createdAt"])}


def test_given_customer_and_email_filters_then_matching_records(server: SandboxServer) -> None:
    order = next(o for o in all_pages(server, "/nl/orders.json", "orders", limit=250)
                 if o["customer"]["resource"]["id"])
    cid = order["customer"]["resource"]["id"]
    mine = body(get(server, "/nl/orders.json", customer=cid, limit=250))["orders"]
    assert mine and all(o["customer"]["resource"]["id"] == cid for o in mine)
    customer = body(get(server, f"/nl/customers/{cid}.json"))["customer"]
    found = body(get(server, "/nl/customers.json", email=customer["email"].upper()))["customers"]
    assert [c["id"] for c in found] == [cid]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01 00:00:00", "01-02-2024"])
def test_given_an_invalid_date_filter_then_400(server: SandboxServer, value: str) -> None:
    resp = get(server, "/nl/orders.json", updated_at_min=value)
    assert resp.status_code == 400
    assert "updated_at_min" in resp.json()["error"]["message"]


# -- rate limits ------------------------------------------------------------------------------------------------------
def test_given_any_response_then_rate_limit_headers_are_triples(server: SandboxServer) -> None:
    first = get(server, "/nl/orders.json", limit=1)
    second = get(server, "/nl/orders.json", limit=1)
    assert first.headers["X-RateLimit-Limit"] == "300/3000/12000"
    assert second.headers["X-RateLimit-Remaining"] == "298/2998/11998"
    resets = [int(x) for x in second.headers["X-RateLimit-Reset"].split("/")]
    assert 0 < resets[0] <= 300 and 0 < resets[1] <= 3600 and 0 < resets[2] <= 86400


def test_given_a_tiny_window_when_exceeded_then_429_until_the_clock_passes_the_reset(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=5, rate_limits=((300, 3), (3600, 100), (86400, 1000)),
                        clock=clock)
    try:
        assert [get(srv, "/nl/orders.json").status_code for _ in range(3)] == [200, 200, 200]
        clock.now += 100
        limited = get(srv, "/nl/orders.json")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == 429
        assert limited.headers["Retry-After"] == "200"
        assert limited.headers["X-RateLimit-Remaining"] == "0/97/997"
        clock.now += 200
        ok = get(srv, "/nl/orders.json")
        assert ok.status_code == 200
        assert ok.headers["X-RateLimit-Remaining"] == "2/96/996"
    finally:
        srv.stop()


def test_given_the_per_second_limit_when_exceeded_then_429_and_the_next_second_is_fine(clock: FakeClock) -> None:
    srv = start(seed=None, per_second=2, clock=clock)
    try:
        assert [get(srv, "/nl/orders.json").status_code for _ in range(3)] == [200, 200, 429]
        clock.now += 1
        assert get(srv, "/nl/orders.json").status_code == 200
    finally:
        srv.stop()


def test_given_the_daily_limit_fault_then_429_until_reset(server: SandboxServer) -> None:
    server.add_fault("daily_limit", every=1, count=1)
    first = get(server, "/nl/orders.json")
    assert first.status_code == 429
    assert first.headers["X-RateLimit-Remaining"].endswith("/0")
    assert 0 < int(first.headers["Retry-After"]) <= 86400
    assert get(server, "/nl/customers.json").status_code == 429
    limits = body(requests.get(f"{server.base_url}/_sandbox/state", timeout=5))["rateLimit"]
    assert limits[-1]["used"] == limits[-1]["limit"]
    server.reset()
    assert get(server, "/nl/orders.json").status_code == 200


def test_given_the_ratelimit_endpoint_then_it_reports_the_three_windows(server: SandboxServer) -> None:
    get(server, "/nl/orders.json")
    limits = body(get(server, "/nl/account/ratelimit.json"))["accountRatelimit"]
    assert limits["limit5Min"]["limit"] == 300 and limits["limit5Min"]["remaining"] == 298
    assert limits["limitDay"]["remaining"] == 11998


def test_given_unauthenticated_calls_then_they_do_not_spend_the_budget(server: SandboxServer) -> None:
    get(server, "/nl/orders.json", auth=None)
    assert get(server, "/nl/orders.json").headers["X-RateLimit-Remaining"] == "299/2999/11999"


# -- mutations and replay ----------------------------------------------------------------------------------------------
def test_given_a_touched_order_then_an_incremental_read_sees_it_once(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=30, clock=clock)
    try:
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedEcom)
        since = datetime.fromtimestamp(clock.now - 1, UTC).strftime("%Y-%m-%d %H:%M:%S")
        assert body(get(srv, "/nl/orders.json", updated_at_min=since))["orders"] == []
        order_id = body(get(srv, "/nl/orders.json", limit=1, page=5))["orders"][0]["id"]
        vendor.touch_order(order_id)
        changed = body(get(srv, "/nl/orders.json", updated_at_min=since))["orders"]
        assert [o["id"] for o in changed] == [order_id]
        assert datetime.fromisoformat(changed[0]["updatedAt"]).timestamp() == clock.now
        assert vendor.shop is not None and vendor.shop.orders[order_id].updated_at.timestamp() == clock.now
    finally:
        srv.stop()


def test_given_a_seed_mutation_when_refreshed_then_the_order_shows_the_refund(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=40, clock=clock)
    try:
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedEcom) and vendor.shop is not None
        order = next(o for o in vendor.shop.orders.values()
                     if o.channel == "web" and o.financial_status == "paid" and not o.refunds)
        neutral.refund(vendor.shop, order.id, datetime.fromtimestamp(clock.now, UTC), {order.lines[0].id: 1})
        vendor.refresh_order(order.id)
        lines = body(get(srv, f"/nl/orders/{order.id}/products.json"))["orderProducts"]
        assert lines[0]["quantityRefunded"] == 1
    finally:
        srv.stop()


def test_given_a_folder_seed_then_its_payloads_are_served_and_updatable(tmp_path: Path, clock: FakeClock) -> None:
    orders = {"orders": [
        {"id": 7, "number": "ORD00007", "createdAt": "2024-05-01T12:00:00+02:00",
         "updatedAt": "2024-05-01T12:30:00+02:00", "priceIncl": 12.1, "priceExcl": 10,
         "customer": {"resource": {"id": 3, "url": "customers/3", "link": "https://api.webshopapp.com/nl/customers/3.json"}}},
        {"id": 8, "number": "ORD00008", "createdAt": "2024-05-02T12:00:00+02:00",
         "updatedAt": "2024-05-02T12:00:00+02:00", "priceIncl": 24.2, "priceExcl": 20,
         "customer": {"resource": {"id": False, "url": "", "link": ""}}},
    ]}
    (tmp_path / "orders.json").write_text(json.dumps(orders), encoding="utf-8")
    (tmp_path / "orders" / "7").mkdir(parents=True)
    (tmp_path / "orders" / "7" / "products.json").write_text(
        json.dumps({"orderProducts": [{"id": 70, "sku": "A'1", "priceIncl": 12.1, "quantityOrdered": 1}]}),
        encoding="utf-8")
    srv = start(seed=f"dir:{tmp_path}", clock=clock)
    try:
        listed = body(get(srv, "/nl/orders.json"))["orders"]
        assert [o["id"] for o in listed] == [8, 7]
        assert listed[1]["customer"]["resource"]["link"] == f"{srv.base_url}/nl/customers/3.json"
        assert body(get(srv, "/nl/orders/7/products.json"))["orderProducts"][0]["sku"] == "A'1"
        window = body(get(srv, "/nl/orders.json", updated_at_min="2024-05-01 10:30:00",
                          updated_at_max="2024-05-01 10:30:00"))["orders"]
        assert [o["id"] for o in window] == [7]  # 12:30+02:00 is 10:30 UTC
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedEcom)
        vendor.update_order(7, paymentStatus="paid")
        updated = body(get(srv, "/nl/orders/7.json"))["order"]
        assert updated["paymentStatus"] == "paid"
        assert datetime.fromisoformat(updated["updatedAt"]).timestamp() == clock.now
    finally:
        srv.stop()


def test_given_an_empty_seed_then_every_list_is_empty() -> None:
    srv = start(seed=None)
    try:
        for resource in ("orders", "customers", "products", "variants"):
            assert body(get(srv, f"/nl/{resource}.json")) == {resource: []}
            assert body(get(srv, f"/nl/{resource}/count.json")) == {"count": 0}
    finally:
        srv.stop()


# -- performance ----------------------------------------------------------------------------------------------------
