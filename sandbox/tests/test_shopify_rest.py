"""The Shopify stand-in's REST Admin endpoints (written from Shopify's REST reference) and the replay of REST order
JSON (`--shopify-orders`): field sets, filters, Link paging, order sub-resources, scopes, and what a replayed order
looks like through GraphQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.core import SandboxServer
from sandbox.shopify import Shopify
from sandbox.shopify.replay import ReplayError, load

REST = "/admin/api/2026-10"
TOKEN = {"X-Shopify-Access-Token": Shopify.ACCESS_TOKEN}
FIXTURES = Path(__file__).parent / "fixtures" / "shopify_rest"
# Shopify's REST Order reference: the fields an accounting app reads (shared/reference/shopify.md section 8).
ORDER_FIELDS = {
    "id", "admin_graphql_api_id", "name", "order_number", "number", "confirmation_number", "token", "created_at",
    "updated_at", "processed_at", "cancelled_at", "closed_at", "financial_status", "fulfillment_status",
    "cancel_reason", "test", "confirmed", "currency", "presentment_currency", "taxes_included", "tax_exempt",
    "estimated_taxes", "duties_included", "total_line_items_price", "subtotal_price", "total_discounts", "total_tax",
    "total_price", "total_shipping_price_set", "total_tip_received", "total_outstanding", "total_weight",
    "current_subtotal_price", "current_total_discounts", "current_total_tax", "current_total_price",
    "current_total_duties_set", "current_total_additional_fees_set", "discount_codes", "discount_applications",
    "line_items", "shipping_lines", "tax_lines", "billing_address", "shipping_address", "customer", "email",
    "contact_email", "phone", "refunds", "payment_gateway_names", "tags", "note", "note_attributes", "source_name",
    "location_id", "user_id", "company", "payment_terms", "po_number", "fulfillments", "client_details",
    "browser_ip", "order_status_url", "subtotal_price_set", "total_price_set", "total_tax_set",
    "total_discounts_set"}
LINE_FIELDS = {"id", "sku", "title", "variant_title", "name", "variant_id", "product_id", "quantity",
               "current_quantity", "price", "price_set", "total_discount", "discount_allocations", "tax_lines",
               "taxable", "requires_shipping", "gift_card", "fulfillable_quantity", "fulfillment_status",
               "properties", "vendor", "grams", "duties"}


def start(**kwargs: Any) -> SandboxServer:
    return SandboxServer(Shopify(**kwargs)).start()


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    srv = start(seed="demo", orders=60, shopify_orders=FIXTURES)
    yield srv
    srv.stop()


def get(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else f"{server.base_url}{REST}/{path}"
    return requests.get(url, params=params, headers=TOKEN, timeout=10)


def body(resp: requests.Response) -> Any:
    assert resp.status_code == 200, resp.text
    return json.loads(resp.text, parse_float=Decimal)


def walk(server: SandboxServer, path: str, key: str, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every row of a Link-paged list (following rel="next" only) and the number of pages."""
    rows, pages = [], 0
    url: str | None = path
    while url:
        resp = get(server, url, **(params if pages == 0 else {}))
        rows += body(resp)[key]
        pages += 1
        url = resp.links.get("next", {}).get("url")
    return rows, pages


def test_orders_carry_shopifys_documented_field_set(server: SandboxServer) -> None:
    resp = get(server, "orders.json", status="any", limit=250)
    orders = body(resp)["orders"]
    generated = [o for o in orders if o["name"].startswith("#") and o["id"] < 10**9 and o["line_items"]]
    assert generated
    order = generated[0]
    assert set(order) >= ORDER_FIELDS
    assert set(order["line_items"][0]) >= LINE_FIELDS
    one = get(server, f"orders/{order['id']}.json")
    assert len(one.content) > 3000  # Shopify's documented order is about 4 KB; the old stand-in's was 1.85 KB
    assert order["admin_graphql_api_id"] == f"gid://shopify/Order/{order['id']}"
    assert order["created_at"].endswith(("+01:00", "+02:00"))  # the shop's own offset (Europe/Amsterdam)
    assert Decimal(order["total_price"]) == Decimal(order["total_price_set"]["shop_money"]["amount"])
    assert resp.headers["X-Shopify-Shop-Api-Call-Limit"].endswith("/40")


def test_link_paging_both_ways_and_its_rules(server: SandboxServer) -> None:
    total = body(get(server, "orders/count.json", status="any"))["count"]
    rows, pages = walk(server, "orders.json", "orders", status="any", limit=7)
    assert len(rows) == total == len({r["id"] for r in rows}) == 64  # 60 generated + 4 replayed
    assert pages == -(-total // 7)
    first = get(server, "orders.json", status="any", limit=7)
    second = get(server, first.links["next"]["url"])
    assert "previous" not in first.links and "previous" in second.links
    assert [o["id"] for o in body(get(server, second.links["previous"]["url"]))["orders"]] == \
        [o["id"] for o in body(first)["orders"]]
    bad = requests.get(second.links["next"]["url"] + "&status=any", headers=TOKEN, timeout=10)
    assert bad.status_code == 400
    assert bad.json() == {"errors": {"page_info": ["status cannot be passed when page_info is present"]}}
    assert get(server, "orders.json", limit=251).status_code == 400
    assert get(server, "orders.json", created_at_max="yesterday").json() == \
        {"errors": {"created_at_max": ["'yesterday' is not a valid date"]}}
    assert get(server, "orders.json", page_info="not-a-cursor").json() == {"errors": {"page_info": ["Invalid value."]}}


def test_filters_since_id_ids_fields_status_and_order(server: SandboxServer) -> None:
    every = body(get(server, "orders.json", status="any", limit=250))["orders"]
    ids = sorted(o["id"] for o in every)
    after = body(get(server, "orders.json", status="any", since_id=ids[9], limit=250))["orders"]
    assert [o["id"] for o in after] == ids[10:]
    picked = body(get(server, "orders.json", status="any", ids=f"{ids[3]},{ids[5]}"))["orders"]
    assert [o["id"] for o in picked] == [ids[3], ids[5]]
    trimmed = body(get(server, "orders.json", status="any", fields="id,total_price", limit=3))["orders"]
    assert [set(o) for o in trimmed] == [{"id", "total_price"}] * 3
    open_count = body(get(server, "orders/count.json"))["count"]
    assert open_count == sum(1 for o in every if o["cancelled_at"] is None and o["closed_at"] is None)
    assert body(get(server, "orders/count.json", status="cancelled"))["count"] == \
        sum(1 for o in every if o["cancelled_at"] is not None)
    by_update = body(get(server, "orders.json", status="any", order="updated_at asc", limit=250))["orders"]
    stamps = [o["updated_at"] for o in by_update]
    assert [datetime.fromisoformat(s) for s in stamps] == sorted(datetime.fromisoformat(s) for s in stamps)
    since = by_update[len(by_update) // 2]["updated_at"]
    newer = body(get(server, "orders.json", status="any", updated_at_min=since, limit=250))["orders"]
    assert {o["id"] for o in newer} == {o["id"] for o in by_update[len(by_update) // 2:]
                                        if datetime.fromisoformat(o["updated_at"]) >= datetime.fromisoformat(since)}


def test_order_sub_resources_follow_the_order(server: SandboxServer) -> None:
    every = body(get(server, "orders.json", status="any", limit=250))["orders"]
    refunded = next(o for o in every if o["refunds"] and o["id"] < 10**9)
    refunds = body(get(server, f"orders/{refunded['id']}/refunds.json"))["refunds"]
    assert [r["id"] for r in refunds] == [r["id"] for r in refunded["refunds"]]
    assert all(r["order_id"] == refunded["id"] and r["refund_line_items"] for r in refunds)
    transactions = body(get(server, f"orders/{refunded['id']}/transactions.json"))["transactions"]
    assert {t["kind"] for t in transactions} >= {"sale", "refund"}
    assert sum(Decimal(t["amount"]) for t in transactions if t["kind"] == "refund") == \
        sum(Decimal(t["amount"]) for r in refunds for t in r["transactions"])
    fulfilled = next(o for o in every if o["fulfillment_status"] == "fulfilled" and o["id"] < 10**9)
    fulfillments = body(get(server, f"orders/{fulfilled['id']}/fulfillments.json"))["fulfillments"]
    assert fulfillments and fulfillments == fulfilled["fulfillments"]
    assert get(server, "orders/999999999999.json").status_code == 404
    assert get(server, f"orders/{refunded['id']}/risks.json").status_code == 404


def test_tender_transactions_are_the_orders_money_movements(server: SandboxServer) -> None:
    orders = body(get(server, "orders.json", status="any", limit=250))["orders"]
    tenders, _ = walk(server, "tender_transactions.json", "tender_transactions", limit=40,
                      order="processed_at asc")
    assert [datetime.fromisoformat(t["processed_at"]) for t in tenders] == \
        sorted(datetime.fromisoformat(t["processed_at"]) for t in tenders)
    refunded = next(o for o in orders if o["refunds"] and o["id"] < 10**9)
    moved = sum(Decimal(t["amount"]) for t in tenders if t["order_id"] == refunded["id"])
    refunds = sum(Decimal(t["amount"]) for r in refunded["refunds"] for t in r["transactions"])
    assert moved == Decimal(refunded["total_price"]) - refunds == Decimal(refunded["current_total_price"])
    replayed = [t for t in tenders if t["order_id"] == 5810231002]  # #2102: its own refund transaction
    assert [t["amount"] for t in replayed] == ["-30.25"]
    since = tenders[len(tenders) // 2]["processed_at"]
    later = body(get(server, "tender_transactions.json", processed_at_min=since, limit=250))["tender_transactions"]
    assert {t["id"] for t in later} == {t["id"] for t in tenders
                                        if datetime.fromisoformat(t["processed_at"]) >= datetime.fromisoformat(since)}
    assert get(server, f"tender_transactions/{tenders[0]['id']}.json").status_code == 404


def test_customers_products_locations_inventory_shop_events(server: SandboxServer) -> None:
    customers, _ = walk(server, "customers.json", "customers", limit=50)
    assert len(customers) == body(get(server, "customers/count.json"))["count"] > 0
    assert {"id", "email", "first_name", "last_name", "addresses", "default_address", "tax_exempt",
            "email_marketing_consent", "admin_graphql_api_id"} <= set(customers[0])
    products = body(get(server, "products.json", limit=250))["products"]
    assert len(products) == body(get(server, "products/count.json"))["count"] > 0
    variant = products[0]["variants"][0]
    assert {"id", "product_id", "sku", "price", "inventory_item_id", "inventory_quantity", "barcode"} <= set(variant)
    assert products[0]["body_html"]
    locations = body(get(server, "locations.json"))["locations"]
    assert [loc["name"] for loc in locations] == ["Shop location", "Warehouse Utrecht"]
    levels = body(get(server, "inventory_levels.json", inventory_item_ids=variant["inventory_item_id"]))
    assert {lv["location_id"] for lv in levels["inventory_levels"]} == {loc["id"] for loc in locations}
    assert sum(lv["available"] for lv in levels["inventory_levels"]) == variant["inventory_quantity"]
    at_shop, _ = walk(server, "inventory_levels.json", "inventory_levels", location_ids=locations[0]["id"], limit=50)
    assert len(at_shop) == sum(len(p["variants"]) for p in products)
    needs_ids = get(server, "inventory_levels.json")
    assert needs_ids.status_code == 422
    shop = body(get(server, "shop.json"))["shop"]
    assert shop["myshopify_domain"].endswith(".myshopify.com") and shop["currency"] == "EUR"
    assert body(get(server, "events.json", filter="Order", verb="destroy")) == {"events": []}


def test_scopes_and_protected_customer_data() -> None:
    srv = start(seed="demo", orders=5, scopes=("read_orders", "read_customers", "read_products"))
    try:
        denied = get(srv, "locations.json")
        assert denied.status_code == 403
        assert denied.json() == {"errors": "[API] This action requires merchant approval for read_locations scope."}
        assert get(srv, "inventory_levels.json", location_ids=1).status_code == 403
    finally:
        srv.stop()
    srv = start(seed="demo", orders=5, protected_customer_data="none")
    try:
        assert get(srv, "customers.json").json() == {"errors": "[API] This app is not approved to access REST "
                                                               "endpoints with protected customer data."}
    finally:
        srv.stop()


ORDER_QUERY = """query($id: ID!) { order(id: $id) {
  id name totalPriceSet { shopMoney { amount currencyCode } } totalTaxSet { shopMoney { amount } }
  customer { id email } purchasingEntity { ... on PurchasingCompany { company { id name } } }
  lineItems(first: 10) { nodes { id sku quantity originalUnitPriceSet { shopMoney { amount } }
    taxLines { rate priceSet { shopMoney { amount } } } } }
  shippingLines(first: 5) { nodes { title originalPriceSet { shopMoney { amount } } } }
  discountApplications(first: 5) { nodes { ... on DiscountCodeApplication { code } } }
  refunds { id totalRefundedSet { shopMoney { amount } } } } }"""


def test_replayed_orders_are_graphql_orders_too(server: SandboxServer) -> None:
    def order(gid: str) -> dict[str, Any]:
        resp = requests.post(f"{server.base_url}{REST}/graphql.json", headers=TOKEN, timeout=10,
                             json={"query": ORDER_QUERY, "variables": {"id": gid}})
        data = body(resp)
        assert "errors" not in data, data
        return dict(data["data"]["order"])

    b2b = order("gid://shopify/Order/9007199254740993")  # an id beyond 2**53, money as JSON numbers in the file
    assert b2b["name"] == "#2103"
    assert Decimal(b2b["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("1228.15")
    assert Decimal(b2b["totalTaxSet"]["shopMoney"]["amount"]) == Decimal("213.15")
    assert b2b["lineItems"]["nodes"][0]["id"] == "gid://shopify/LineItem/9007199254741001"
    assert b2b["purchasingEntity"]["company"] == {"id": "gid://shopify/Company/9876543",
                                                  "name": "Horecagroothandel Smit B.V."}
    nl = order("gid://shopify/Order/5810231001")
    assert [t["rate"] for li in nl["lineItems"]["nodes"] for t in li["taxLines"]] == [Decimal("0.21"), Decimal("0.09")]
    assert nl["discountApplications"]["nodes"] == [{"code": "WELKOM10"}]
    assert nl["shippingLines"]["nodes"] == [{"title": "PostNL Standaard",
                                             "originalPriceSet": {"shopMoney": {"amount": "4.95"}}}]
    assert nl["customer"] == {"id": "gid://shopify/Customer/7310231001", "email": "anna.devries@example.nl"}
    refunded = order("gid://shopify/Order/5810231002")
    assert [r["totalRefundedSet"]["shopMoney"]["amount"] for r in refunded["refunds"]] == ["30.25"]


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", ": not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("[1, 2]", ": not a Shopify order: expected an object, got a JSON list"),
    ('{"orders": [{"id": 1, "line_items": []}, 7]}', " orders[1]: not a Shopify order: expected an object, got int"),
    ('{"order": {"id": "abc", "line_items": []}}', ": not a Shopify order: 'id' must be an integer, got 'abc'"),
    ('{"id": 5, "name": "#9", "line_items": [], "total_price": "1.00", "financial_status": "settled"}',
     ": order #9: ValueError: financial_status 'settled' is not one of Shopify's (authorized, expired, paid, "
     "partially_paid, partially_refunded, pending, refunded, voided)"),
    ('{"id": 5, "name": "#9", "line_items": [{"id": 1, "price": "abc", "quantity": 1}], "total_price": "1.00"}',
     ": order #9: ValueError: price: 'abc' is not an amount"),
    ('{"id": 5, "name": "#9", "line_items": [{"price": "1.00", "quantity": 1}], "total_price": "1.00"}',
     ": order #9: a required field is missing: 'id'"),
])
def test_a_file_that_is_not_an_order_says_which_and_why(tmp_path: Path, content: str, reason: str) -> None:
    bad = tmp_path / "export.json"
    bad.write_text(content)
    with pytest.raises(ReplayError) as caught:
        load(tmp_path)
    assert str(caught.value) == f"{bad}{reason}"


def test_replay_keeps_exact_ids_and_amounts() -> None:
    orders, customers = load(FIXTURES / "webhook_b2b_order_numbers.json")
    (node,) = orders
    assert node["legacyResourceId"] == "9007199254740993"
    assert node["totalPriceSet"]["shopMoney"] == {"__typename": "MoneyV2", "amount": "1228.15", "currencyCode": "EUR"}
    assert node["__rest"]["total_price"] == Decimal("1228.15")  # the payload as loaded, a Decimal, not a float
    assert [c["email"] for c in customers] == ["inkoop@horecagroothandel.example.nl"]


def test_a_refunded_shipping_adjustment_is_a_refund_shipping_line(tmp_path: Path) -> None:
    """REST writes refunded shipping as a negative `shipping_refund` order adjustment; 2026-10 GraphQL has no such
    adjustment reason and serves it as Refund.refundShippingLines with positive amounts."""
    raw = json.loads((FIXTURES / "orders_nl_multi_rate_discount_refund.json").read_text())
    order = raw["orders"][0]
    order["refunds"] = [{"id": 77001, "created_at": order["created_at"], "note": "shipping back",
                         "refund_line_items": [], "transactions": [],
                         "order_adjustments": [{"id": 88001, "kind": "shipping_refund", "reason": "Shipping refund",
                                                "amount": "-4.09", "tax_amount": "-0.86"}]}]
    (tmp_path / "order.json").write_text(json.dumps({"order": order}))
    srv = start(seed="demo", orders=0, shopify_orders=tmp_path)
    try:
        query = """query($id: ID!) { order(id: $id) { refunds { orderAdjustments(first: 5) { nodes { id } }
          refundShippingLines(first: 5) { nodes { subtotalAmountSet { shopMoney { amount } }
          taxAmountSet { shopMoney { amount } } shippingLine { title } } } } } }"""
        resp = requests.post(f"{srv.base_url}{REST}/graphql.json", headers=TOKEN, timeout=10,
                             json={"query": query, "variables": {"id": f"gid://shopify/Order/{order['id']}"}})
        data = body(resp)
        assert "errors" not in data, data
        (refund,) = data["data"]["order"]["refunds"]
        assert refund["orderAdjustments"]["nodes"] == []
        assert refund["refundShippingLines"]["nodes"] == [{
            "subtotalAmountSet": {"shopMoney": {"amount": "4.09"}}, "taxAmountSet": {"shopMoney": {"amount": "0.86"}},
            "shippingLine": {"title": "PostNL Standaard"}}]
        (rest_refund,) = body(get(srv, f"orders/{order['id']}/refunds.json"))["refunds"]
        assert [(a["kind"], a["amount"], a["tax_amount"]) for a in rest_refund["order_adjustments"]] == [
            ("shipping_refund", "-4.09", "-0.86")]
    finally:
        srv.stop()
