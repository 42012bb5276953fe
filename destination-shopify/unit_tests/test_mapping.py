"""Pure mappings: StockLevel -> inventorySetQuantities input, Shipment -> fulfillmentCreate input, and the decisions
(unchanged stock, stale compare, order state, line matching by SKU)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from shopify_dest_builders import MAIN, SHOP2, open_order, shipment, stock_level

from destination_shopify.config import settings_from_config
from destination_shopify.mapping import (
    FulfillmentOrder,
    FulfillmentOrderLine,
    InventoryItem,
    MappingProblem,
    ShopOrder,
    StockChange,
    after_stale,
    fulfillment_input,
    idempotency_key,
    inventory_set_input,
    order_problem,
    stock_change,
    stock_quantity,
)

ITEM = InventoryItem(sku="SKU-A", item_id="gid://shopify/InventoryItem/7", tracked=True, available={MAIN.id: 5})


# --- stock ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("available", "expected"), [("12", (12, False)), ("0", (0, False)), ("12.000", (12, False)),
                                                    ("-3", (0, True))])
def test_given_a_ledger_figure_when_converted_then_whole_units_and_negative_becomes_zero(available, expected):
    assert stock_quantity(stock_level("SKU-A", available)) == expected


def test_given_a_fractional_figure_when_converted_then_the_available_field_is_named():
    with pytest.raises(MappingProblem) as err:
        stock_quantity(stock_level("SKU-A", "2.5"))
    assert err.value.field == "available"
    assert "2.5 is not a whole number" in str(err.value)


def test_given_a_new_figure_when_planned_then_the_change_compares_against_shopifys_figure():
    change = stock_change(stock_level("SKU-A", 9), [ITEM], MAIN.id, "'Main'")
    assert change == StockChange(sku="SKU-A", item_id=ITEM.item_id, location_id=MAIN.id, quantity=9, change_from=5)


def test_given_the_same_figure_when_planned_then_no_change():
    assert stock_change(stock_level("SKU-A", 5), [ITEM], MAIN.id, "'Main'") is None


@pytest.mark.parametrize(("matches", "location", "field", "text"), [
    ([], MAIN.id, "sku", "SKU 'SKU-A' is not a variant SKU in the Shopify store"),
    ([ITEM, ITEM], MAIN.id, "sku", "belongs to 2 variants"),
    ([InventoryItem(sku="SKU-A", item_id="x", tracked=False, available={MAIN.id: 1})], MAIN.id, "sku",
     "does not track"),
    ([ITEM], SHOP2.id, "location", "is not stocked at Shopify location 'Shop Utrecht'"),
])
def test_given_a_sku_shopify_cannot_take_when_planned_then_the_problem_names_sku_and_field(matches, location, field,
                                                                                             text):
    with pytest.raises(MappingProblem) as err:
        stock_change(stock_level("SKU-A", 9), matches, location, "'Shop Utrecht'")
    assert err.value.field == field
    assert text in str(err.value)


def test_given_changes_when_mapped_then_the_input_sets_available_with_change_from_quantity():
    changes = [StockChange(sku="A", item_id="gid://shopify/InventoryItem/1", location_id=MAIN.id, quantity=9,
                           change_from=5),
               StockChange(sku="B", item_id="gid://shopify/InventoryItem/2", location_id=MAIN.id, quantity=0,
                           change_from=3)]
    assert inventory_set_input(changes, "gid://bookkeeping-sync/StockSync/ledger") == {
        "name": "available", "reason": "correction", "referenceDocumentUri": "gid://bookkeeping-sync/StockSync/ledger",
        "quantities": [
            {"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": MAIN.id, "quantity": 9,
             "changeFromQuantity": 5},
            {"inventoryItemId": "gid://shopify/InventoryItem/2", "locationId": MAIN.id, "quantity": 0,
             "changeFromQuantity": 3}]}


def test_given_one_call_when_keyed_then_its_retries_share_the_key_and_another_call_or_input_does_not():
    one = inventory_set_input([StockChange(sku="A", item_id="i", location_id="l", quantity=9, change_from=5)])
    two = inventory_set_input([StockChange(sku="A", item_id="i", location_id="l", quantity=9, change_from=4)])
    assert idempotency_key(one, "call-1") == idempotency_key(dict(one), "call-1")
    assert idempotency_key(one, "call-1") != idempotency_key(two, "call-1")
    assert idempotency_key(one, "call-1") != idempotency_key(one, "call-2")  # a later run is applied, not replayed


@pytest.mark.parametrize(("current", "expected_from"), [(9, None), (4, 4), (12, 12)])
def test_given_a_stale_compare_when_decided_then_done_at_target_else_set_again_against_the_fresh_figure(
        current, expected_from):
    change = StockChange(sku="A", item_id="i", location_id="l", quantity=9, change_from=5)
    decided = after_stale(change, current)
    if expected_from is None:
        assert decided is None
    else:
        assert decided == StockChange(sku="A", item_id="i", location_id="l", quantity=9, change_from=expected_from)


# --- shipments --------------------------------------------------------------------------------------------------
def test_given_a_shipment_when_mapped_then_lines_by_sku_with_tracking_company_and_url():
    settings = settings_from_config({"shop": "demo", "credentials": {"auth_method": "access_token",
                                                                     "access_token": "x"},
                                     "carrier_mapping": [{"shipping_method": "pnl", "tracking_company": "PostNL"}]})
    ship = shipment(lines=[("SKU-A", 2)], carrier="PNL", url="https://track.example/3SABC123")
    payload = fulfillment_input(ship, open_order(), tracking_company=settings.tracking_company(ship.carrier),
                                notify_customer=True)
    assert payload == {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1",
                                         "fulfillmentOrderLineItems": [
                                             {"id": "gid://shopify/FulfillmentOrderLineItem/10", "quantity": 2}]}],
        "notifyCustomer": True,
        "trackingInfo": {"number": "3SABC123", "company": "PostNL", "url": "https://track.example/3SABC123"}}


def test_given_an_unmapped_carrier_when_named_then_its_own_name_is_sent():
    settings = settings_from_config({"shop": "demo", "credentials": {"auth_method": "access_token",
                                                                     "access_token": "x"}})
    assert settings.tracking_company("DHL ") == "DHL"
    assert settings.tracking_company(None) is None


def test_given_a_sku_in_two_lines_of_one_location_when_mapped_then_both_fulfilment_orders_are_used():
    fo = [FulfillmentOrder(id=f"fo{n}", status="OPEN", location_id=MAIN.id,
                           lines=(FulfillmentOrderLine(id=f"li{n}", sku="SKU-A", remaining=1),)) for n in (1, 2)]
    order = ShopOrder(id="o", name="#7", cancelled=False, fulfillment_status="UNFULFILLED",
                      fulfillment_orders=tuple(fo))
    payload = fulfillment_input(shipment("#7", [("SKU-A", 2)]), order, tracking_company=None, notify_customer=False)
    assert payload["lineItemsByFulfillmentOrder"] == [
        {"fulfillmentOrderId": "fo1", "fulfillmentOrderLineItems": [{"id": "li1", "quantity": 1}]},
        {"fulfillmentOrderId": "fo2", "fulfillmentOrderLineItems": [{"id": "li2", "quantity": 1}]}]
    assert "company" not in payload["trackingInfo"]


@pytest.mark.parametrize(("lines", "tracking", "field", "text"), [
    ([("SKU-Z", 1)], "T1", "lines", "SKU 'SKU-Z' has no unfulfilled units on order #1001"),
    ([("SKU-A", 3)], "T1", "lines", "ships 3 x 'SKU-A' but order #1001 has only 2 unfulfilled"),
    ([("SKU-A", 1)], None, "tracking_number", "no tracking number"),
])
def test_given_a_shipment_the_order_cannot_take_when_mapped_then_the_problem_names_the_field(lines, tracking, field,
                                                                                               text):
    with pytest.raises(MappingProblem) as err:
        fulfillment_input(shipment(lines=lines, tracking=tracking), open_order(), tracking_company=None,
                          notify_customer=False)
    assert err.value.field == field
    assert text in str(err.value)


def test_given_lines_at_two_locations_when_mapped_then_refused_as_one_fulfilment_per_location():
    fos = (FulfillmentOrder(id="fo1", status="OPEN", location_id=MAIN.id,
                            lines=(FulfillmentOrderLine(id="a", sku="SKU-A", remaining=1),)),
           FulfillmentOrder(id="fo2", status="OPEN", location_id=SHOP2.id,
                            lines=(FulfillmentOrderLine(id="b", sku="SKU-B", remaining=1),)))
    order = ShopOrder(id="o", name="#9", cancelled=False, fulfillment_status="UNFULFILLED", fulfillment_orders=fos)
    with pytest.raises(MappingProblem, match="different Shopify locations"):
        fulfillment_input(shipment("#9", [("SKU-A", 1), ("SKU-B", 1)]), order, tracking_company=None,
                          notify_customer=False)


@pytest.mark.parametrize(("order", "reason"), [
    (None, "order #1001 was not found in the Shopify store"),
    (ShopOrder(id="o", name="#1001", cancelled=True, fulfillment_status="UNFULFILLED", fulfillment_orders=()),
     "order #1001 is cancelled in Shopify"),
    (ShopOrder(id="o", name="#1001", cancelled=False, fulfillment_status="FULFILLED", fulfillment_orders=()),
     "order #1001 is already fulfilled in Shopify"),
    (replace(open_order(), truncated=True), "order #1001 has more fulfilment orders or lines than the connector reads"),
    (open_order(), None),
])
def test_given_an_order_state_when_checked_then_the_reason_names_the_order(order, reason):
    problem = order_problem(shipment(), order)
    assert (problem is None) if reason is None else (reason in str(problem))
