"""Tests of the Lightspeed Retail (R-Series) stand-in, written from the documented request/response shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import seed as neutral
from sandbox.core import SandboxServer
from sandbox.lightspeed_retail import RETURN_SALE_OFFSET, LightspeedRetail

ACCOUNT = LightspeedRetail.ACCOUNT_ID
SALES = f"/API/V3/Account/{ACCOUNT}/Sale.json"
ALL_RELATIONS = json.dumps(["SaleLines", "SaleLines.Item", "SalePayments", "SalePayments.PaymentType", "Customer",
                            "Customer.Contact"])


class FakeClock:
    """An injectable clock: epoch seconds that only move when a test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def start(**kwargs: Any) -> SandboxServer:
    """What `sandbox.start("lightspeed_retail", ...)` does (pytest 9 shadows the `sandbox` package attributes)."""
    return SandboxServer(LightspeedRetail(**kwargs)).start()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    # every order as a sale (web ones too) so customers and shipping lines are covered; no rate limits here
    srv = start(seed="demo", orders=120, channels=("pos", "web"), bucket_size=1e9, burst_limit=None)
    yield srv
    srv.stop()


@pytest.fixture
def server(shared_server: SandboxServer) -> SandboxServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp())


def refresh(srv: SandboxServer, refresh_token: str = LightspeedRetail.REFRESH_TOKEN, *, as_json: bool = False,
            secret: str = LightspeedRetail.CLIENT_SECRET) -> requests.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": LightspeedRetail.CLIENT_ID,
            "client_secret": secret}
    url = f"{srv.base_url}/auth/oauth/token"
    return requests.post(url, json=form, timeout=10) if as_json else requests.post(url, data=form, timeout=10)


def bearer(srv: SandboxServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {refresh(srv).json()['access_token']}"}


def get(srv: SandboxServer, path: str, headers: dict[str, str], **params: Any) -> requests.Response:
    return requests.get(f"{srv.base_url}{path}", params=params, headers=headers, timeout=10)


def as_list(value: Any) -> list[Any]:
    return [] if value in (None, "") else value if isinstance(value, list) else [value]


def every_sale(srv: SandboxServer, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Follow `@attributes.next` verbatim, as the docs say."""
    out: list[dict[str, Any]] = []
    resp = get(srv, SALES, headers, **params)
    while True:
        assert resp.status_code == 200, resp.text
        data = resp.json()
        out.extend(as_list(data.get("Sale")))
        if not data["@attributes"]["next"]:
            return out
        resp = requests.get(data["@attributes"]["next"], headers=headers, timeout=10)


# -- OAuth -----------------------------------------------------------------------------------------------------------
def test_given_the_refresh_token_when_refreshing_then_a_bearer_token_response() -> None:
    srv = start(seed=None)
    try:
        token = refresh(srv).json()
        assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
        assert len(token["access_token"]) >= 32 and token["refresh_token"] != LightspeedRetail.REFRESH_TOKEN
        again = refresh(srv, token["refresh_token"], as_json=True).json()
        assert again["access_token"] != token["access_token"]
    finally:
        srv.stop()


def test_given_a_rotation_then_the_old_refresh_and_access_tokens_are_dead(server: SandboxServer) -> None:
    first = refresh(server).json()
    second = refresh(server, first["refresh_token"]).json()
    reused = refresh(server, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    old = get(server, SALES, {"Authorization": f"Bearer {first['access_token']}"})
    assert old.status_code == 401
    assert old.json() == {"httpCode": "401", "httpMessage": "Unauthorized", "message": "Access token has been revoked",
                          "errorClass": "AuthenticationException"}
    assert get(server, SALES, {"Authorization": f"Bearer {second['access_token']}"}).status_code == 200


def test_given_rotation_off_then_the_same_refresh_token_keeps_working() -> None:
    srv = start(seed=None, rotate_refresh_tokens=False)
    try:
        first = refresh(srv).json()
        assert first["refresh_token"] == LightspeedRetail.REFRESH_TOKEN
        assert refresh(srv).status_code == 200
    finally:
        srv.stop()


def test_given_a_wrong_client_secret_then_invalid_client(server: SandboxServer) -> None:
    resp = refresh(server, secret="nope")
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"


def test_given_client_credentials_in_basic_auth_and_an_authorization_code_then_tokens(server: SandboxServer) -> None:
    resp = requests.post(f"{server.base_url}/auth/oauth/token", timeout=10,
                         auth=(LightspeedRetail.CLIENT_ID, LightspeedRetail.CLIENT_SECRET),
                         data={"grant_type": "authorization_code", "code": LightspeedRetail.AUTHORIZATION_CODE})
    assert resp.status_code == 200 and resp.json()["refresh_token"]
    bad = requests.post(f"{server.base_url}/auth/oauth/token", timeout=10,
                        data={"grant_type": "password", "client_id": LightspeedRetail.CLIENT_ID,
                              "client_secret": LightspeedRetail.CLIENT_SECRET})
    assert bad.status_code == 400 and bad.json()["error"] == "unsupported_grant_type"


def test_given_no_or_unknown_token_then_401_could_not_be_verified(server: SandboxServer) -> None:
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        resp = get(server, SALES, headers)
        assert resp.status_code == 401
        assert resp.json()["message"] == "Access token could not be verified"


def test_given_the_clock_passes_expires_in_then_the_access_token_is_refused(clock: FakeClock) -> None:
    srv = start(seed=None, clock=clock, token_ttl=60)
    try:
        headers = bearer(srv)
        assert get(srv, SALES, headers).status_code == 200
        clock.now += 61
        assert get(srv, SALES, headers).status_code == 401
    finally:
        srv.stop()


def test_given_an_unused_refresh_token_for_30_days_then_it_expired(clock: FakeClock) -> None:
    srv = start(seed=None, clock=clock)
    try:
        token = refresh(srv).json()
        clock.now += 31 * 86400
        assert refresh(srv, token["refresh_token"]).json()["error"] == "invalid_grant"
    finally:
        srv.stop()


def test_given_the_revoke_tokens_fault_then_access_and_refresh_tokens_are_dead(server: SandboxServer) -> None:
    token = refresh(server).json()
    server.add_fault("revoke_tokens", every=1, count=1)
    resp = get(server, SALES, {"Authorization": f"Bearer {token['access_token']}"})
    assert resp.status_code == 401 and resp.json()["message"] == "Access token has been revoked"
    assert refresh(server, token["refresh_token"]).status_code == 400
    server.reset()
    assert refresh(server).status_code == 200


# -- account and resources -------------------------------------------------------------------------------------------
def test_given_a_token_then_account_json_names_the_account(server: SandboxServer) -> None:
    headers = bearer(server)
    account = get(server, "/API/V3/Account.json", headers).json()["Account"]
    assert account["accountID"] == ACCOUNT
    other = get(server, "/API/V3/Account/999/Sale.json", headers)
    assert other.status_code == 403 and other.json()["httpCode"] == "403"


def test_given_every_sale_then_totals_add_up_and_all_values_are_strings(server: SandboxServer) -> None:
    sales = every_sale(server, bearer(server), load_relations=ALL_RELATIONS)
    assert len(sales) > 120  # 120 orders plus the return sales of refunds
    for sale in sales:
        assert all(isinstance(v, str) for v in sale.values() if not isinstance(v, dict | list))
        total = Decimal(sale["calcSubtotal"]) - Decimal(sale["calcDiscount"]) + Decimal(sale["calcTax1"]) \
            + Decimal(sale["calcTax2"])
        assert total == Decimal(sale["calcTotal"]) == Decimal(sale["total"]), sale["saleID"]
        lines = as_list(sale.get("SaleLines", {}).get("SaleLine"))
        assert lines, sale["saleID"]
        assert sum(Decimal(line["calcTotal"]) for line in lines) == Decimal(sale["calcTotal"])
        assert sum(Decimal(line["calcTax1"]) for line in lines) == Decimal(sale["calcTax1"])
        payments = as_list(sale.get("SalePayments", {}).get("SalePayment"))
        assert sum((Decimal(p["amount"]) for p in payments), Decimal(0)) == Decimal(sale["calcPayments"])


def test_given_the_neutral_shop_then_sales_match_its_orders(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 120)
    headers = bearer(server)
    for order in list(shop.orders.values())[:30]:
        sale = get(server, f"/API/V3/Account/{ACCOUNT}/Sale/{order.id}.json", headers).json()["Sale"]
        assert Decimal(sale["calcTotal"]) == order.grand_total
        assert sale["customerID"] == str(order.customer_id or 0)
        assert sale["completed"] == ("true" if order.paid_at else "false")
        assert sale["voided"] == ("true" if order.financial_status == "voided" else "false")


def test_given_one_result_then_the_xml_quirk_gives_objects_not_lists(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 120)
    single = next(o for o in shop.orders.values() if len(o.lines) == 1 and not o.shipping_lines)
    headers = bearer(server)  # one refresh: refresh tokens rotate
    data = get(server, SALES, headers, saleID=single.id, load_relations='["SaleLines"]').json()
    assert isinstance(data["Sale"], dict) and data["Sale"]["saleID"] == str(single.id)
    assert isinstance(data["Sale"]["SaleLines"]["SaleLine"], dict)
    several = next(o for o in shop.orders.values() if len(o.lines) > 1)
    sale = get(server, f"/API/V3/Account/{ACCOUNT}/Sale/{several.id}.json", headers,
               load_relations='["SaleLines"]').json()["Sale"]
    assert isinstance(sale["SaleLines"]["SaleLine"], list)
    empty = get(server, SALES, headers, saleID=999999).json()
    assert "Sale" not in empty and empty["@attributes"]["next"] == ""


def test_given_an_anonymous_pos_sale_then_customer_id_is_0_and_no_customer(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 120)
    anonymous = next(o for o in shop.orders.values() if o.channel == "pos")
    sale = get(server, f"/API/V3/Account/{ACCOUNT}/Sale/{anonymous.id}.json", bearer(server),
               load_relations=ALL_RELATIONS).json()["Sale"]
    assert sale["customerID"] == "0" and "Customer" not in sale
    payment = as_list(sale["SalePayments"]["SalePayment"])[0]
    assert payment["PaymentType"]["code"] in ("cash", "pin")


def test_given_a_customer_relation_then_contact_emails_follow_the_xml_quirk(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 120)
    order = next(o for o in shop.orders.values() if o.customer_id)
    headers = bearer(server)
    sale = get(server, f"/API/V3/Account/{ACCOUNT}/Sale/{order.id}.json", headers,
               load_relations=ALL_RELATIONS).json()["Sale"]
    customer = sale["Customer"]
    assert customer["customerID"] == str(order.customer_id)
    assert customer["Contact"]["Emails"]["ContactEmail"]["address"] == order.email
    listed = get(server, f"/API/V3/Account/{ACCOUNT}/Customer.json", headers, load_relations='["Contact"]')
    assert len(as_list(listed.json()["Customer"])) == min(100, len(shop.customers))


def test_given_a_refund_then_a_return_sale_with_negative_lines_points_at_the_sold_line(server: SandboxServer) -> None:
    shop = neutral.generate_shop("demo", 120)
    order = next(o for o in shop.orders.values() if o.refunds)
    refund = order.refunds[0]
    sale = get(server, f"/API/V3/Account/{ACCOUNT}/Sale/{RETURN_SALE_OFFSET + refund.id}.json", bearer(server),
               load_relations=ALL_RELATIONS).json()["Sale"]
    assert Decimal(sale["calcTotal"]) == -refund.amount
    lines = as_list(sale["SaleLines"]["SaleLine"])
    sold_ids = {str(line.id) for line in order.lines} | {str(s.id) for s in order.shipping_lines}
    assert all(int(line["unitQuantity"]) < 0 and line["parentSaleLineID"] in sold_ids for line in lines)
    assert sale["referenceNumber"] == str(order.number)


# -- paging, filters, sorting ----------------------------------------------------------------------------------------
def test_given_small_pages_when_following_next_then_every_sale_once_in_id_order(server: SandboxServer) -> None:
    headers = bearer(server)
    sales = every_sale(server, headers, limit=7)
    ids = [int(s["saleID"]) for s in sales]
    assert ids == sorted(set(ids))
    assert len(ids) == int(get(server, SALES, headers, count=1).json()["@attributes"]["count"])


def test_given_a_second_page_then_previous_returns_the_first(server: SandboxServer) -> None:
    headers = bearer(server)
    first = get(server, SALES, headers, limit=5).json()
    assert first["@attributes"]["previous"] == ""
    second = requests.get(first["@attributes"]["next"], headers=headers, timeout=10).json()
    back = requests.get(second["@attributes"]["previous"], headers=headers, timeout=10).json()
    assert [s["saleID"] for s in back["Sale"]] == [s["saleID"] for s in first["Sale"]]


def test_given_a_timestamp_filter_and_sort_then_ascending_and_inclusive(server: SandboxServer) -> None:
    headers = bearer(server)
    everything = every_sale(server, headers)
    stamps = sorted(datetime.fromisoformat(s["timeStamp"]) for s in everything)
    pivot = stamps[40]
    got = every_sale(server, headers, timeStamp=f">=,{pivot.isoformat()}", sort="timeStamp", limit=10)
    keys = [(datetime.fromisoformat(s["timeStamp"]), int(s["saleID"])) for s in got]
    assert keys == sorted(keys) and keys[0][0] == pivot
    assert len(got) == sum(1 for s in stamps if s >= pivot)
    newest_first = get(server, SALES, headers, sort="-timeStamp", limit=3).json()["Sale"]
    assert datetime.fromisoformat(newest_first[0]["timeStamp"]) == stamps[-1]


def test_given_between_in_like_and_boolean_filters_then_matching_sales(server: SandboxServer) -> None:
    headers = bearer(server)
    between = every_sale(server, headers, saleID="><,10,20")
    assert [int(s["saleID"]) for s in between] == list(range(10, 21))
    chosen = every_sale(server, headers, saleID="IN,[3,5,8]")
    assert [s["saleID"] for s in chosen] == ["3", "5", "8"]
    like = every_sale(server, headers, ticketNumber="~,22000000001%")
    assert [s["saleID"] for s in like] == [str(i) for i in range(10, 20)]
    open_sales = every_sale(server, headers, completed="false")
    assert open_sales and all(s["completed"] == "false" for s in open_sales)
    by_line = every_sale(server, headers, **{"SaleLines.itemID": "3"}, load_relations='["SaleLines"]')
    assert by_line and all(any(line["itemID"] == "3" for line in as_list(s["SaleLines"]["SaleLine"]))
                           for s in by_line)


@pytest.mark.parametrize("params", [
    {"limit": 101}, {"count": 1, "limit": 5}, {"sort": "calcTotal"}, {"load_relations": "SaleLines"},
    {"load_relations": '["Nope"]'}, {"timeStamp": ">,2024-01-01T00:00:00 00:00"}, {"after": "garbage"},
    {"archived": "maybe"}, {"or": "saleID=1|saleID=2"}, {"saleID": "IN,[" + ",".join(map(str, range(101))) + "]"},
])
def test_given_invalid_parameters_then_400_in_lightspeed_shape(server: SandboxServer, params: dict[str, Any]) -> None:
    resp = get(server, SALES, bearer(server), **params)
    assert resp.status_code == 400
    assert resp.json()["httpCode"] == "400" and resp.json()["message"]


def test_given_archived_items_then_hidden_by_default_and_listed_on_request(server: SandboxServer) -> None:
    headers = bearer(server)
    path = f"/API/V3/Account/{ACCOUNT}/Item.json"
    default = as_list(get(server, path, headers).json().get("Item"))
    everything = as_list(get(server, path, headers, archived="true").json().get("Item"))
    only = as_list(get(server, path, headers, archived="only").json().get("Item"))
    assert only and all(i["archived"] == "true" for i in only)
    assert len(default) + len(only) == len(everything)
    assert isinstance(everything[0]["Prices"]["ItemPrice"], list)


# -- tax categories (developers.lightspeedhq.com/retail/endpoints/TaxCategory) -----------------------------------------
TAX_CATEGORY_FIELDS = {"taxCategoryID", "isTaxInclusive", "tax1Name", "tax2Name", "tax1Rate", "tax2Rate", "timeStamp"}
TAX_CATEGORY_CLASS_FIELDS = {"taxCategoryClassID", "tax1Rate", "tax2Rate", "timeStamp", "taxCategoryID", "taxClassID"}


def test_given_tax_categories_when_listed_then_documented_fields_as_strings_and_classes_only_on_request(
        server: SandboxServer) -> None:
    headers = bearer(server)
    path = f"/API/V3/Account/{ACCOUNT}/TaxCategory.json"

    plain = get(server, path, headers).json()
    loaded = get(server, path, headers, load_relations=json.dumps(["TaxCategoryClasses"])).json()

    assert plain["@attributes"]["next"] == ""
    categories = as_list(plain["TaxCategory"])
    assert len(categories) == len(neutral.VAT_RATES)
    assert all(set(c) == TAX_CATEGORY_FIELDS and all(isinstance(v, str) for v in c.values()) for c in categories)
    with_classes = as_list(loaded["TaxCategory"])
    classes = as_list(with_classes[0]["TaxCategoryClasses"]["TaxCategoryClass"])
    assert all(set(c) == TAX_CATEGORY_CLASS_FIELDS for c in classes)
    assert {c["taxCategoryID"] for c in classes} == {with_classes[0]["taxCategoryID"]}


def test_given_the_generated_nl_shop_then_its_shop_category_carries_21_9_and_0_percent_per_tax_class(
        server: SandboxServer) -> None:
    headers = bearer(server)
    shop = get(server, f"/API/V3/Account/{ACCOUNT}/Shop.json", headers).json()["Shop"]
    category = get(server, f"/API/V3/Account/{ACCOUNT}/TaxCategory/{shop['taxCategoryID']}.json", headers,
                   load_relations=json.dumps(["TaxCategoryClasses"])).json()["TaxCategory"]

    assert category["isTaxInclusive"] == "true" and category["tax1Name"].startswith("BTW")
    assert Decimal(category["tax1Rate"]) == Decimal("0.21") and Decimal(category["tax2Rate"]) == 0
    per_class = {c["taxClassID"]: Decimal(c["tax1Rate"])
                 for c in as_list(category["TaxCategoryClasses"]["TaxCategoryClass"])}
    assert per_class == {"2": Decimal("0.09"), "3": Decimal(0)}  # standard (1) uses the category rate
    de = get(server, f"/API/V3/Account/{ACCOUNT}/TaxCategory.json", headers, tax1Name="~,MwSt%").json()
    assert Decimal(de["TaxCategory"]["tax1Rate"]) == Decimal("0.19")


def test_given_items_then_they_reference_a_tax_class_and_the_class_rate_prices_them(server: SandboxServer) -> None:
    headers = bearer(server)
    items = as_list(get(server, f"/API/V3/Account/{ACCOUNT}/Item.json", headers, archived="true").json()["Item"])
    vendor = server.vendor
    assert isinstance(vendor, LightspeedRetail) and vendor.shop is not None
    rates = {"1": Decimal(21), "2": Decimal(9), "3": Decimal(0)}

    for item in items:
        assert "taxCategoryID" not in item  # documented: items carry a tax class, the shop a tax category
        variant = vendor.shop.variant(int(item["itemID"]))
        assert variant is not None and rates[item["taxClassID"]] == variant.tax_rate


def test_given_a_folder_seed_with_one_tax_category_then_it_is_served_as_an_object(tmp_path: Path) -> None:
    category = {"taxCategoryID": "5", "isTaxInclusive": "false", "tax1Name": "Tax 15", "tax2Name": "",
                "tax1Rate": "0.15", "tax2Rate": "0", "timeStamp": "2021-04-07T13:52:16+00:00"}
    (tmp_path / "TaxCategory.json").write_text(json.dumps({"TaxCategory": category}), encoding="utf-8")
    srv = start(seed=f"dir:{tmp_path}")
    try:
        headers = bearer(srv)
        body = get(srv, f"/API/V3/Account/{ACCOUNT}/TaxCategory.json", headers).json()
        missing = get(srv, f"/API/V3/Account/{ACCOUNT}/TaxCategory/6.json", headers)
    finally:
        srv.stop()
    assert body["TaxCategory"] == category
    assert missing.status_code == 404


# -- rate limits -----------------------------------------------------------------------------------------------------
def test_given_a_small_bucket_then_costs_fill_it_429_with_retry_after_and_it_drains(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=10, clock=clock, bucket_size=5, drip_rate=1)
    try:
        headers = bearer(srv)
        first = get(srv, SALES, headers, load_relations='["SaleLines","Customer"]')
        assert first.headers["X-LS-API-Request-Cost"] == "1.6"  # 1 + (0.2 + 0.1) doubled on a list call
        assert first.headers["X-LS-API-Bucket-Level"] == "1.6/5"
        assert first.headers["X-LS-API-Drip-Rate"] == "1"
        assert get(srv, SALES, headers).headers["X-LS-API-Bucket-Level"] == "2.6/5"
        assert get(srv, SALES, headers).headers["X-LS-API-Bucket-Level"] == "3.6/5"
        assert get(srv, SALES, headers).headers["X-LS-API-Bucket-Level"] == "4.6/5"
        limited = get(srv, SALES, headers)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "1"
        assert limited.headers["X-LS-API-RateLimit-Type"] == "api-leaky-bucket"
        assert limited.json()["httpCode"] == "429"
        clock.now += 2
        drained = get(srv, SALES, headers)
        assert drained.status_code == 200 and drained.headers["X-LS-API-Bucket-Level"] == "3.6/5"
        assert get(srv, SALES, headers, count=1).status_code == 429  # count costs 10 drips
    finally:
        srv.stop()


def test_given_the_burst_limit_then_429_burst_limiter_within_one_second(clock: FakeClock) -> None:
    srv = start(seed=None, clock=clock, burst_limit=2)
    try:
        headers = bearer(srv)
        statuses = [get(srv, SALES, headers) for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert statuses[1].headers["X-LS-API-Burst-Level"] == "2/2"
        assert statuses[2].headers["X-LS-API-RateLimit-Type"] == "api-burst-limiter"
        clock.now += 1
        assert get(srv, SALES, headers).status_code == 200
    finally:
        srv.stop()


def test_given_the_default_limits_then_headers_show_the_documented_bucket() -> None:
    srv = start(seed=None)
    try:
        resp = get(srv, SALES, bearer(srv))
        assert resp.headers["X-LS-API-Bucket-Level"].endswith("/90")
        assert resp.headers["X-LS-Acct-Id"] == ACCOUNT
        assert resp.headers["X-LS-Oauth-Client-Id"] == LightspeedRetail.CLIENT_ID
    finally:
        srv.stop()


# -- mutations and replay --------------------------------------------------------------------------------------------
def test_given_a_touched_sale_then_a_timestamp_filter_returns_just_it(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=40, clock=clock, burst_limit=None)
    try:
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedRetail) and vendor.shop is not None
        headers = bearer(srv)
        since = datetime.fromtimestamp(clock.now - 1, UTC).isoformat()
        assert "Sale" not in get(srv, SALES, headers, timeStamp=f">,{since}").json()
        pos = next(o.id for o in vendor.shop.orders.values() if o.channel == "pos")
        vendor.touch_sale(pos)
        changed = get(srv, SALES, headers, timeStamp=f">,{since}").json()["Sale"]
        assert changed["saleID"] == str(pos)
        assert datetime.fromisoformat(changed["timeStamp"]).timestamp() == clock.now
    finally:
        srv.stop()


def test_given_a_seed_refund_when_refreshed_then_a_return_sale_appears(clock: FakeClock) -> None:
    srv = start(seed="demo", orders=60, clock=clock, burst_limit=None)
    try:
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedRetail) and vendor.shop is not None
        order = next(o for o in vendor.shop.orders.values()
                     if o.channel == "pos" and o.financial_status == "paid" and not o.refunds)
        at = datetime.fromtimestamp(clock.now, UTC)
        refunded = neutral.refund(vendor.shop, order.id, at, {order.lines[0].id: 1})
        vendor.refresh_order(order.id)
        sales = every_sale(srv, bearer(srv), timeStamp=f">=,{at.isoformat()}", load_relations='["SaleLines"]')
        assert {s["saleID"] for s in sales} == {str(order.id), str(RETURN_SALE_OFFSET + refunded.refunds[0].id)}
        returned = next(s for s in sales if s["saleID"] != str(order.id))
        assert returned["SaleLines"]["SaleLine"]["unitQuantity"] == "-1"
    finally:
        srv.stop()


def test_given_a_folder_seed_then_payloads_are_replayed_with_their_relations(tmp_path: Path,
                                                                            clock: FakeClock) -> None:
    sale = {"saleID": "42", "timeStamp": "2024-06-01T10:00:00+00:00", "completed": "true", "voided": "false",
            "customerID": "7", "calcTotal": "12.10",
            "SaleLines": {"SaleLine": {"saleLineID": "420", "saleID": "42", "itemID": "9", "unitQuantity": "1",
                                       "Item": {"itemID": "9", "description": "Mug", "archived": "false",
                                                "timeStamp": "2024-01-01T00:00:00+00:00"}}},
            "SalePayments": {"SalePayment": {"salePaymentID": "1", "amount": "12.10", "paymentTypeID": "1",
                                             "PaymentType": {"paymentTypeID": "1", "name": "Cash"}}},
            "Customer": {"customerID": "7", "firstName": "Zoë", "archived": "false",
                         "timeStamp": "2024-01-01T00:00:00+00:00",
                         "Contact": {"Emails": {"ContactEmail": {"address": "o'brien@example.com"}}}}}
    (tmp_path / "Sale.json").write_text(json.dumps({"@attributes": {"next": ""}, "Sale": sale}), encoding="utf-8")
    srv = start(seed=f"dir:{tmp_path}", clock=clock)
    try:
        headers = bearer(srv)
        got = get(srv, SALES, headers, load_relations=ALL_RELATIONS).json()["Sale"]
        assert got["SaleLines"]["SaleLine"]["Item"]["description"] == "Mug"
        assert got["SalePayments"]["SalePayment"]["PaymentType"]["name"] == "Cash"
        assert got["Customer"]["Contact"]["Emails"]["ContactEmail"]["address"] == "o'brien@example.com"
        item = get(srv, f"/API/V3/Account/{ACCOUNT}/Item/9.json", headers).json()["Item"]
        assert item["description"] == "Mug"
        vendor = srv.vendor
        assert isinstance(vendor, LightspeedRetail)
        vendor.touch_sale(42, at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=1))
        assert get(srv, SALES, headers).json()["Sale"]["timeStamp"] == "2025-01-01T01:00:00+00:00"
    finally:
        srv.stop()


# -- performance -----------------------------------------------------------------------------------------------------
