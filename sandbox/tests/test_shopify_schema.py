"""The Shopify stand-in as Shopify's 2026-10 Admin schema: documents our source never sends, validation errors as
Shopify words them, and the inventorySetQuantities / fulfillmentCreate mutations acting on the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.core import SandboxServer
from sandbox.shopify import Shopify
from sandbox.shopify.contract import check
from source_shopify_orders import queries

TOKEN = {"X-Shopify-Access-Token": Shopify.ACCESS_TOKEN}
SET = """mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { field message code } } }""".replace("mutation Set(", "mutation Set($key: String!, ")
FULFIL = """mutation Fulfil($f: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $f) { fulfillment { id status trackingInfo { number company url } }
    userErrors { field message } } }"""
ORDER = """query($q: String) { orders(first: 1, query: $q) { nodes { id displayFulfillmentStatus
  fulfillments { trackingInfo { number company url } }
  fulfillmentOrders(first: 5) { nodes { id status order { name }
    lineItems(first: 20) { nodes { id totalQuantity remainingQuantity lineItem { sku } } } } } } } }"""


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    srv = SandboxServer(Shopify(seed="demo", orders=40)).start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh() -> Iterator[SandboxServer]:
    srv = SandboxServer(Shopify(seed="demo", orders=40)).start()
    yield srv
    srv.stop()


def gql(server: SandboxServer, query: str, variables: dict[str, Any] | None = None,
        version: str = "2026-10") -> dict[str, Any]:
    resp = requests.post(f"{server.base_url}/admin/api/{version}/graphql.json",
                         json={"query": query, "variables": variables or {}}, headers=TOKEN, timeout=10)
    assert resp.status_code == 200
    return resp.json()


def data(server: SandboxServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = gql(server, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


# -- documents our source never sends ----------------------------------------------------------------------------
def test_shop_fields_and_a_field_the_store_has_no_data_for(server: SandboxServer) -> None:
    shop = data(server, "{ shop { name currencyCode ianaTimezone plan { displayName } billingAddress { countryCodeV2 }"
                        " primaryDomain { host } orderNumberFormatPrefix } }")["shop"]
    vendor: Any = server.vendor
    assert shop["name"] == vendor.shop.name and shop["currencyCode"] == "EUR"
    assert shop["plan"] == {"displayName": "Advanced"} and shop["billingAddress"] == {"countryCodeV2": "NL"}
    assert shop["primaryDomain"] == {"host": ""}  # non-null object, no data in the store: the empty shop's value
    assert shop["orderNumberFormatPrefix"] == ""


def test_locations_and_inventory_levels_with_named_quantities(server: SandboxServer) -> None:
    got = data(server, """{ locations(first: 5) { nodes { id name isPrimary
        inventoryLevels(first: 3) { nodes { item { sku } quantities(names: ["available", "on_hand", "committed"]) {
          name quantity } } } } } }""")["locations"]["nodes"]
    assert [(loc["name"], loc["isPrimary"]) for loc in got] == [("Shop location", True), ("Warehouse Utrecht", False)]
    level = got[0]["inventoryLevels"]["nodes"][0]
    assert level["item"]["sku"]
    assert [q["name"] for q in level["quantities"]] == ["available", "on_hand", "committed"]
    by_name = {q["name"]: q["quantity"] for q in level["quantities"]}
    assert by_name["on_hand"] == by_name["available"] + by_name["committed"]


def test_product_body_html_images_metafields_and_variant_inventory_item(server: SandboxServer) -> None:
    vendor: Any = server.vendor
    product = next(iter(vendor.shop.products.values()))
    sku = product.variants[0].sku
    got = data(server, """query($q: String) { products(first: 1, query: "status:active") { nodes { bodyHtml
        descriptionHtml images(first: 1) { nodes { url } } metafields(first: 2) { nodes { namespace key value } } } }
      productVariants(first: 1, query: $q) { nodes { sku inventoryItem { id sku } } } }""",
               {"q": f"sku:'{sku}'"})
    node = got["products"]["nodes"][0]
    assert node["bodyHtml"] == node["descriptionHtml"] and node["bodyHtml"].startswith("<p>")
    assert node["images"]["nodes"][0]["url"].startswith("https://cdn.shopify.com/")
    assert node["metafields"]["nodes"][0]["namespace"] == "custom"
    assert got["productVariants"]["nodes"] == [{"sku": sku, "inventoryItem": {
        "id": f"gid://shopify/InventoryItem/{product.variants[0].id}", "sku": sku}}]


def test_search_or_connective_and_escaped_quotes(server: SandboxServer) -> None:
    vendor: Any = server.vendor
    skus = sorted(v.sku for p in vendor.shop.products.values() for v in p.variants)[:3]
    query = " OR ".join(f'sku:"{sku}"' for sku in skus) + ' OR sku:"no\\"such"'
    got = data(server, "query($q: String) { productVariants(first: 10, query: $q) { nodes { sku } } }", {"q": query})
    assert sorted(n["sku"] for n in got["productVariants"]["nodes"]) == skus
    both = data(server, 'query { orders(first: 5, query: "name:#1001 OR name:#1002 AND test:false") { nodes { name } } }')
    assert {n["name"] for n in both["orders"]["nodes"]} <= {"#1001", "#1002"} and both["orders"]["nodes"]


def test_order_transactions_error_code_fulfillment_orders_and_tax_lines(server: SandboxServer) -> None:
    nodes = data(server, """{ orders(first: 5, query: "financial_status:paid") { nodes { transactions { kind status errorCode amountSet {
        shopMoney { amount } } } taxLines { title rate } fulfillmentOrders(first: 2) { nodes { status
        assignedLocation { location { name } } } } app { name } } } }""")["orders"]["nodes"]
    node = nodes[0]
    assert node["transactions"] and all(t["errorCode"] is None for t in node["transactions"])
    assert any(n["taxLines"] for n in nodes) and node["app"] is None  # nullable and not in the store: null
    assert node["fulfillmentOrders"]["nodes"][0]["assignedLocation"]["location"]["name"] == "Shop location"


def test_every_document_of_our_source_validates() -> None:
    documents = [v for k, v in vars(queries).items() if k.isupper() and isinstance(v, str)
                 and (v.lstrip().startswith(("query", "mutation")) or "INNER" in k)]
    documents += [queries.orders_query(50), queries.more_line_items_query(1),
                  queries.in_presentment_currency(queries.orders_query(50))]
    assert len(documents) >= 8
    for doc in documents:
        text = doc % {"search": "updated_at:>='2024-01-01'"} if "%(search)s" in doc else doc
        assert check(text).errors is None, (text[:80], check(text).errors)


# -- validation errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "message", "code"), [
    ("{ orders(first: 1) { nodes { id bogus } } }", "Field 'bogus' doesn't exist on type 'Order'", "undefinedField"),
    ('{ orders(first: "ten") { nodes { id } } }',
     "Argument 'first' on Field 'orders' has an invalid value (\"ten\"). Expected type 'Int'.",
     "argumentLiteralsIncompatible"),
    ("{ order { id } }", "Field 'order' is missing required arguments: id", "missingRequiredArguments"),
    ("{ orders(first: 1, colour: RED) { nodes { id } } }", "Field 'orders' doesn't accept argument 'colour'",
     "argumentNotAccepted"),
])
def test_invalid_documents_get_shopify_errors_before_any_cost(fresh: SandboxServer, query: str, message: str,
                                                              code: str) -> None:
    body = gql(fresh, query)
    assert "data" not in body and "extensions" not in body  # refused before the cost is calculated
    error = body["errors"][0]
    assert error["message"] == message and error["extensions"]["code"] == code
    assert error["locations"] and {"line", "column"} <= set(error["locations"][0])
    assert fresh.vendor.dump()["cost_spent"] == 0


def test_bad_variables_are_refused_per_variable_before_any_cost(fresh: SandboxServer) -> None:
    body = gql(fresh, "query($n: Int!, $q: String) { orders(first: $n, query: $q) { nodes { id } } }", {"n": "ten"})
    assert "data" not in body and body["errors"] == [{
        "message": "Variable $n of type Int! was provided invalid value", "locations": [{"line": 1, "column": 7}],
        "extensions": {"value": "ten", "problems": [{"path": [], "explanation": "Int cannot represent non-integer "
                                                                                "value: 'ten'"}]}}]
    missing = gql(fresh, SET, {"key": "k"})["errors"][0]
    assert missing["message"] == "Variable $input of type InventorySetQuantitiesInput! was provided invalid value"
    assert fresh.vendor.dump()["cost_spent"] == 0


def test_bulk_query_with_an_invalid_inner_query_answers_user_errors(fresh: SandboxServer) -> None:
    got = data(fresh, 'mutation { bulkOperationRunQuery(query: "{ orders { edges { node { id bodyHtml } } } }") {'
                      " bulkOperation { id } userErrors { code field message } } }")["bulkOperationRunQuery"]
    assert got["bulkOperation"] is None
    assert got["userErrors"] == [{"code": "INVALID", "field": ["query"],
                                  "message": "Field 'bodyHtml' doesn't exist on type 'Order'"}]


# -- inventorySetQuantities --------------------------------------------------------------------------------------
def _item_and_level(server: SandboxServer) -> tuple[str, int]:
    vendor: Any = server.vendor
    variant = next(v for p in vendor.shop.products.values() for v in p.variants if v.active)
    item = f"gid://shopify/InventoryItem/{variant.id}"
    return item, vendor.store.level(variant.id, 1)["available"]


def _available(server: SandboxServer, item: str, location: int = 1) -> int:
    got = data(server, f"""{{ inventoryItem(id: "{item}") {{ inventoryLevel(locationId: "gid://shopify/Location/{location}")
        {{ quantities(names: ["available"]) {{ quantity }} }} }} }}""")
    return int(got["inventoryItem"]["inventoryLevel"]["quantities"][0]["quantity"])


def _set(item: str, quantity: int, compare: int | None, location: str = "gid://shopify/Location/1",
         key: str = "k") -> dict[str, Any]:
    return {"key": key, "input": {"name": "available", "reason": "correction", "quantities": [
        {"inventoryItemId": item, "locationId": location, "quantity": quantity, "changeFromQuantity": compare}]}}


def test_set_quantities_sets_available_and_on_hand(fresh: SandboxServer) -> None:
    item, before = _item_and_level(fresh)
    got = data(fresh, SET, _set(item, 7, before))["inventorySetQuantities"]
    assert got["userErrors"] == []
    assert got["inventoryAdjustmentGroup"]["changes"] == [
        {"name": "available", "delta": 7 - before, "quantityAfterChange": 7},
        {"name": "on_hand", "delta": 7 - before, "quantityAfterChange": 7}]
    assert _available(fresh, item) == 7


def test_set_quantities_with_a_stale_compare_quantity_changes_nothing(fresh: SandboxServer) -> None:
    item, before = _item_and_level(fresh)
    vendor: Any = fresh.vendor
    sku = next(v.sku for p in vendor.shop.products.values() for v in p.variants if item.endswith(f"/{v.id}"))
    vendor.sell(sku, 2)  # a concurrent sale after our read
    got = data(fresh, SET, _set(item, 7, before))["inventorySetQuantities"]
    assert got["inventoryAdjustmentGroup"] is None
    assert got["userErrors"] == [{"field": ["input", "quantities", "0", "changeFromQuantity"],
                                  "message": "The changeFromQuantity value does not match persisted value.",
                                  "code": "CHANGE_FROM_QUANTITY_STALE"}]
    assert _available(fresh, item) == before - 2


def test_set_quantities_unknown_item_and_location(fresh: SandboxServer) -> None:
    item, before = _item_and_level(fresh)
    bad_item = data(fresh, SET, _set("gid://shopify/InventoryItem/999999", 1, 0))["inventorySetQuantities"]
    assert bad_item["userErrors"][0]["code"] == "INVALID_INVENTORY_ITEM"
    bad_loc = data(fresh, SET, _set(item, 1, before, "gid://shopify/Location/77", key="k2"))["inventorySetQuantities"]
    assert [e["code"] for e in bad_loc["userErrors"]] == ["INVALID_LOCATION"]
    assert _available(fresh, item) == before


def test_set_quantities_is_idempotent_per_key_and_needs_the_key(fresh: SandboxServer) -> None:
    item, before = _item_and_level(fresh)
    first = data(fresh, SET, _set(item, 5, before, key="same"))
    assert data(fresh, SET, _set(item, 5, before, key="same")) == first  # a retry: applied once, same answer
    other = data(fresh, SET, _set(item, 6, before, key="same"))["inventorySetQuantities"]
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert _available(fresh, item) == 5
    no_key = SET.replace(" @idempotent(key: $key)", "").replace("$key: String!, ", "")
    body = gql(fresh, no_key, {"input": _set(item, 4, 5)["input"]})
    assert body["data"]["inventorySetQuantities"] is None
    assert body["errors"][0]["message"] == "The @idempotent directive is required for this mutation."
    assert gql(fresh, no_key, {"input": _set(item, 4, 5)["input"]}, version="2026-01")["data"][
        "inventorySetQuantities"]["userErrors"] == []  # optional before 2026-04


# -- fulfillmentCreate -------------------------------------------------------------------------------------------
def _open_order(server: SandboxServer) -> Any:
    vendor: Any = server.vendor
    return next(o for o in vendor.shop.orders.values() if o.fulfillment_status == "unfulfilled"
                and not o.cancelled_at and sum(ln.quantity for ln in o.lines) > 1)


def test_fulfillment_create_fulfils_everything_with_tracking_and_closes_the_order(fresh: SandboxServer) -> None:
    order = _open_order(fresh)
    q = {"q": f"name:#{order.number}"}
    before = data(fresh, ORDER, q)["orders"]["nodes"][0]
    fo = before["fulfillmentOrders"]["nodes"][0]
    assert before["displayFulfillmentStatus"] == "UNFULFILLED" and fo["status"] == "OPEN"
    assert fo["order"] == {"name": f"#{order.number}"}
    assert sorted(li["lineItem"]["sku"] for li in fo["lineItems"]["nodes"]) == sorted(ln.sku for ln in order.lines)
    tracking = {"number": "3SABCD1234", "company": "PostNL", "url": "https://postnl.nl/track/3SABCD1234"}
    got = data(fresh, FULFIL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}],
                                     "trackingInfo": tracking, "notifyCustomer": False}})["fulfillmentCreate"]
    assert got["userErrors"] == [] and got["fulfillment"]["trackingInfo"] == [tracking]
    after = data(fresh, ORDER, q)["orders"]["nodes"][0]
    assert after["displayFulfillmentStatus"] == "FULFILLED"
    assert after["fulfillments"] == [{"trackingInfo": [tracking]}]
    fo_after = after["fulfillmentOrders"]["nodes"][0]
    assert fo_after["status"] == "CLOSED" and {li["remainingQuantity"] for li in fo_after["lineItems"]["nodes"]} == {0}
    again = data(fresh, FULFIL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    assert again["fulfillmentCreate"]["fulfillment"] is None
    assert "unfulfillable status= closed" in again["fulfillmentCreate"]["userErrors"][0]["message"]


def test_partial_fulfillment_and_over_fulfilment(fresh: SandboxServer) -> None:
    order = _open_order(fresh)
    q = {"q": f"name:#{order.number}"}
    fo = data(fresh, ORDER, q)["orders"]["nodes"][0]["fulfillmentOrders"]["nodes"][0]
    line = next(li for li in fo["lineItems"]["nodes"] if li["totalQuantity"] >= 1)
    too_many = {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
        {"id": line["id"], "quantity": line["totalQuantity"] + 1}]}]}}
    refused = data(fresh, FULFIL, too_many)["fulfillmentCreate"]
    assert refused["fulfillment"] is None
    assert refused["userErrors"] == [{"field": ["fulfillment"],
                                      "message": "Invalid fulfillment order line item quantity requested."}]
    one = {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
        {"id": line["id"], "quantity": 1}]}]}}
    assert data(fresh, FULFIL, one)["fulfillmentCreate"]["userErrors"] == []
    after = data(fresh, ORDER, q)["orders"]["nodes"][0]
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    fo_after = after["fulfillmentOrders"]["nodes"][0]
    remaining = {li["id"]: li["remainingQuantity"] for li in fo_after["lineItems"]["nodes"]}
    assert fo_after["status"] == "IN_PROGRESS" and remaining[line["id"]] == line["remainingQuantity"] - 1


def test_fulfilling_a_cancelled_order_or_an_unknown_fulfillment_order_is_refused(fresh: SandboxServer) -> None:
    order = _open_order(fresh)
    vendor: Any = fresh.vendor
    vendor.cancel_order(order.id)
    fo = f"gid://shopify/FulfillmentOrder/{order.id}"
    got = data(fresh, FULFIL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo}]}})
    assert got["fulfillmentCreate"]["userErrors"] == [
        {"field": ["fulfillment"], "message": f"Fulfillment order {fo} has an unfulfillable status= cancelled."}]
    unknown = data(fresh, FULFIL, {"f": {"lineItemsByFulfillmentOrder": [
        {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/424242"}]}})
    assert unknown["fulfillmentCreate"]["userErrors"] == [{"field": ["fulfillment"],
                                                           "message": "Fulfillment order does not exist."}]
    assert data(fresh, ORDER, {"q": f"name:#{order.number}"})["orders"]["nodes"][0]["fulfillments"] == []


def test_count_fields_without_data_are_exact_zero_and_list_counts_count_the_list(server: SandboxServer) -> None:
    got = data(server, """{ products(first: 1) { nodes { mediaCount { count precision }
        sellingPlanGroupsCount { count precision } variantsCount { count } variants(first: 250) { nodes { id } } } }
      orders(first: 1) { nodes { transactionsCount { count } transactions { id } } }
      customersCount { count precision } locationsCount { count } }""")
    product = got["products"]["nodes"][0]
    assert product["mediaCount"] == product["sellingPlanGroupsCount"] == {"count": 0, "precision": "EXACT"}
    assert product["variantsCount"]["count"] == len(product["variants"]["nodes"]) > 0
    order = got["orders"]["nodes"][0]
    assert order["transactionsCount"]["count"] == len(order["transactions"]) > 0
    vendor: Any = server.vendor
    assert got["customersCount"] == {"count": len(vendor.shop.customers), "precision": "EXACT"}
    assert got["locationsCount"] == {"count": 2}


def test_location_inventory_levels_page_and_filter_by_update(fresh: SandboxServer) -> None:
    query = """query($after: String, $q: String) { location(id: "gid://shopify/Location/1") {
        inventoryLevels(first: 10, after: $after, query: $q) { nodes { id item { sku } }
          pageInfo { hasNextPage endCursor } } } }"""
    whole = data(fresh, query.replace("first: 10", "first: 250"))["location"]["inventoryLevels"]
    paged, after = [], None
    while True:
        page = data(fresh, query, {"after": after})["location"]["inventoryLevels"]
        paged += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == whole["nodes"] and len(paged) > 10 and not whole["pageInfo"]["hasNextPage"]
    vendor: Any = fresh.vendor
    sku = paged[3]["item"]["sku"]
    vendor.sell(sku, 1, location=1)
    changed = data(fresh, query, {"q": "updated_at:>2024-01-01"})["location"]["inventoryLevels"]["nodes"]
    assert [n["item"]["sku"] for n in changed] == [sku]
    item_id = paged[0]["id"].replace("InventoryLevel/1?inventory_item_id=", "InventoryItem/")
    item = data(fresh, "query($id: ID!) { inventoryItem(id: $id) { locationsCount { count } } }", {"id": item_id})
    assert item["inventoryItem"]["locationsCount"] == {"count": 2}
