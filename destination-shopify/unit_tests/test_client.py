"""ShopifyAdmin over requests-mock: SKU lookups per 50 SKUs, exact SKU match, stock mutation retried with the same
idempotency key, fulfilment never re-sent blindly, throttle honoured, no secret in an error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests_mock

from connector_common.errors import AmbiguousWrite, AuthFailed
from connector_common.http import Redactor
from connector_common.shopify import ShopifyClient, make_auth
from connector_common.testing import SimulatedClock
from destination_shopify.client import ShopifyAdmin

BASE = "https://demo.myshopify.com"
URL = f"{BASE}/admin/api/2026-10/graphql.json"
TOKEN = "shpat_destination_unit_token_0987654321"
COST = {"cost": {"requestedQueryCost": 12, "actualQueryCost": 10,
                 "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0}}}


def admin(clock: SimulatedClock | None = None) -> ShopifyAdmin:
    clock = clock or SimulatedClock()
    redactor = Redactor()
    auth = make_auth({"auth_method": "access_token", "access_token": TOKEN}, BASE, redactor)
    return ShopifyAdmin(ShopifyClient(BASE, "2026-10", auth, redactor=redactor, sleep=clock.sleep, clock=clock,
                                      rand=lambda: 0.5))


def variants_page(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {"productVariants": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}},
            "extensions": COST}


def variant(sku: str, available: int, item: int) -> dict[str, Any]:
    return {"id": f"gid://shopify/ProductVariant/{item}", "sku": sku,
            "inventoryItem": {"id": f"gid://shopify/InventoryItem/{item}", "tracked": True, "inventoryLevel": {
                "quantities": [{"name": "available", "quantity": available}]}}}


def test_given_120_skus_when_looked_up_then_three_queries_with_quoted_skus_and_exact_matches_only():
    shop = admin()
    with requests_mock.Mocker() as m:
        m.post(URL, [{"json": variants_page([variant("SKU-1", 3, 1), variant("SKU-1-RED", 9, 2)])},
                     {"json": variants_page([])}, {"json": variants_page([])}])
        found = shop.inventory_items([f"SKU-{n}" for n in range(120)] + ['A"B'], "gid://shopify/Location/1")
        bodies = [json.loads(r.body) for r in m.request_history]
    assert len(bodies) == 3
    assert bodies[0]["variables"]["query"].startswith('sku:"A\\"B" OR sku:"SKU-0" OR sku:"SKU-1" OR')
    assert bodies[0]["variables"]["location"] == "gid://shopify/Location/1"
    assert [i.available for i in found["SKU-1"]] == [{"gid://shopify/Location/1": 3}]
    assert "SKU-1-RED" not in found and found["SKU-2"] == []


def test_given_a_502_on_the_stock_mutation_when_sent_then_retried_with_the_same_idempotency_key():
    clock = SimulatedClock()
    shop = admin(clock)
    ok = {"data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": {"id": "g"}, "userErrors": []}},
          "extensions": COST}
    with requests_mock.Mocker() as m:
        m.post(URL, [{"status_code": 502, "text": "Bad gateway"}, {"json": ok}])
        errors = shop.set_available({"name": "available", "reason": "correction", "quantities": []}, "key-1")
        keys = [json.loads(r.body)["variables"]["key"] for r in m.request_history]
    assert errors == []
    assert keys == ["key-1", "key-1"]
    assert clock.total_slept > 0


def test_given_throttled_then_ok_when_setting_stock_then_it_waits_for_the_bucket_and_succeeds():
    clock = SimulatedClock()
    shop = admin(clock)
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                 "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": None,
                                         "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 0,
                                                            "restoreRate": 50.0}}}}
    ok = {"data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": [
        {"code": "CHANGE_FROM_QUANTITY_STALE", "field": ["input", "quantities", "0", "changeFromQuantity"],
         "message": "stale"}]}}, "extensions": COST}
    with requests_mock.Mocker() as m:
        m.post(URL, [{"json": throttled}, {"json": ok}])
        errors = shop.set_available({"name": "available", "reason": "correction", "quantities": []}, "k")
    assert [(e.code, e.index) for e in errors] == [("CHANGE_FROM_QUANTITY_STALE", 0)]
    assert shop.client.throttled == 1
    assert clock.total_slept >= 10 / 50.0


def test_given_a_502_on_fulfillment_create_when_sent_then_not_repeated_but_ambiguous():
    shop = admin()
    with requests_mock.Mocker() as m:
        m.post(URL, status_code=502, text="Bad gateway")
        with pytest.raises(AmbiguousWrite):
            shop.create_fulfillment({"lineItemsByFulfillmentOrder": []})
        assert m.call_count == 1


def test_given_orders_named_alike_when_looked_up_then_only_the_exact_name_with_its_tracking_numbers():
    shop = admin()
    node = {"id": "gid://shopify/Order/1", "name": "#1001", "cancelledAt": None,
            "displayFulfillmentStatus": "PARTIALLY_FULFILLED",
            "fulfillments": [{"id": "gid://shopify/Fulfillment/5", "status": "SUCCESS",
                              "trackingInfo": [{"number": "3SABC", "company": "PostNL", "url": None}]},
                             {"id": "gid://shopify/Fulfillment/6", "status": "CANCELLED",
                              "trackingInfo": [{"number": "OLD", "company": None, "url": None}]}],
            "fulfillmentOrders": {"nodes": [{"id": "gid://shopify/FulfillmentOrder/1", "status": "IN_PROGRESS",
                                             "assignedLocation": {"location": {"id": "gid://shopify/Location/1"}},
                                             "lineItems": {"nodes": [{"id": "li", "sku": "A",
                                                                      "remainingQuantity": 1}]}}]}}
    other = {**node, "id": "gid://shopify/Order/2", "name": "#10010"}
    with requests_mock.Mocker() as m:
        m.post(URL, json={"data": {"orders": {"nodes": [other, node]}}, "extensions": COST})
        order = shop.order_by_name("#1001")
        query = json.loads(m.request_history[0].body)["variables"]["query"]
    assert query == 'name:"#1001"'
    assert order is not None and order.id == "gid://shopify/Order/1"
    assert order.fulfillments_by_tracking == {"3SABC": "gid://shopify/Fulfillment/5"}
    assert order.fulfillment_orders[0].lines[0].remaining == 1
    assert not order.truncated


def test_given_an_order_with_more_lines_than_one_lookup_reads_when_looked_up_then_it_is_marked_truncated():
    shop = admin()
    lines = {"pageInfo": {"hasNextPage": True}, "nodes": [{"id": "li", "sku": "A", "remainingQuantity": 1}]}
    node = {"id": "gid://shopify/Order/1", "name": "#1001", "cancelledAt": None,
            "displayFulfillmentStatus": "UNFULFILLED", "fulfillments": [],
            "fulfillmentOrders": {"pageInfo": {"hasNextPage": False}, "nodes": [
                {"id": "gid://shopify/FulfillmentOrder/1", "status": "OPEN",
                 "assignedLocation": {"location": {"id": "gid://shopify/Location/1"}}, "lineItems": lines}]}}
    with requests_mock.Mocker() as m:
        m.post(URL, json={"data": {"orders": {"nodes": [node]}}, "extensions": COST})
        order = shop.order_by_name("#1001")
    assert order is not None and order.truncated


def test_given_a_rejected_token_when_called_then_the_error_names_the_fix_and_not_the_token():
    shop = admin()
    with requests_mock.Mocker() as m:
        m.post(URL, status_code=401, json={"errors": f"[API] Invalid API key or access token ({TOKEN})"})
        with pytest.raises(AuthFailed) as err:
            shop.locations()
    assert "check the token" in str(err.value)
    assert TOKEN not in str(err.value)
