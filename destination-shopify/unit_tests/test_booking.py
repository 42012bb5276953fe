"""The Booker inside the common write loop against an in-memory Shopify: batched stock with compare-and-set, unknown
SKUs reported by SKU, shipments fulfilled once (re-sent, lost answers), orders refused with their reason."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage, AirbyteStateType, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common.exactly_once import CreateOnce
from connector_common.testing import SimulatedClock
from connector_common.write_loop import Pending, WriteReport, write_loop

sys.path.insert(0, str(Path(__file__).parent))
from shopify_dest_builders import MAIN, SHOP2, FakeAdmin, open_order, shipment_record, stock_record

from destination_shopify.booking import Booker, LocationPlan, plan_locations, resolve_location
from destination_shopify.config import settings_from_config
from destination_shopify.mapping import ShopOrder

CONFIG: dict[str, Any] = {"shop": "demo", "credentials": {"auth_method": "access_token", "access_token": "x"}}


def booker(admin: FakeAdmin, **config: Any) -> Booker:
    settings = settings_from_config({**CONFIG, **config})
    clock = SimulatedClock()
    return Booker(admin, settings, plan_locations([MAIN, SHOP2], settings),  # type: ignore[arg-type]
                  create_once=CreateOnce(settle_cap=10.0, sleep=clock.sleep, clock=clock))


def records(stream: str, rows: list[dict[str, Any]]) -> list[AirbyteMessage]:
    out = [AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=r, emitted_at=0))
           for r in rows]
    out.append(AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(type=AirbyteStateType.LEGACY,
                                                                         data={"cursor": "x"})))
    return out


def run(sink: Booker, stream: str, rows: list[dict[str, Any]], **kwargs: Any) -> tuple[WriteReport, list[Any]]:
    report = WriteReport()
    out: list[Any] = []
    try:
        out = list(write_loop(records(stream, rows), sink, streams={"stock_levels", "shipments"}, report=report,
                              **kwargs))
    except AirbyteTracedException as exc:
        out.append(exc)
    return report, out


# --- stock ------------------------------------------------------------------------------------------------------
def test_given_120_skus_when_written_then_three_sku_queries_one_mutation_and_shopify_shows_the_ledger_figures():
    admin = FakeAdmin()
    for n in range(120):
        admin.add_item(f"SKU-{n}", available=5)
    report, _ = run(booker(admin), "stock_levels", [stock_record(f"SKU-{n}", n % 7) for n in range(120)],
                    batch_size=250)
    assert admin.sku_queries == 3
    assert len(admin.mutations) == 1
    assert len(admin.mutations[0]["payload"]["quantities"]) == 120 - sum(1 for n in range(120) if n % 7 == 5)
    assert [admin.available(f"SKU-{n}") for n in range(120)] == [n % 7 for n in range(120)]
    assert report.outcomes["stock_levels:updated"] + report.outcomes["stock_levels:unchanged"] == 120
    assert report.states_echoed == 1


def test_given_unchanged_figures_when_written_then_no_mutation():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=4)
    report, _ = run(booker(admin), "stock_levels", [stock_record("SKU-A", 4)])
    assert admin.mutations == []
    assert report.outcomes == {"stock_levels:unchanged": 1}


def test_given_a_sku_unknown_in_the_shop_when_written_then_it_is_skipped_and_reported_by_sku():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=1)
    sink = booker(admin)
    report, out = run(sink, "stock_levels", [stock_record("SKU-A", 3), stock_record("NOPE-9", 3)])
    assert admin.available("SKU-A") == 3
    assert report.skipped == ["stock_levels/item-NOPE-9@1 (NOPE-9): sku: SKU 'NOPE-9' is not a variant SKU in the "
                              "Shopify store"]
    assert sink.summary()["shopify"]["unknown_skus"] == ["NOPE-9"]
    assert report.states_echoed == 1  # the state after the batch is echoed: the known SKU is committed
    assert isinstance(out[-1], AirbyteTracedException) and "1 record(s) were skipped" in out[-1].message


def test_given_a_sale_during_the_write_when_the_compare_fails_then_reread_and_the_ledger_figure_lands():
    admin = FakeAdmin(sale_during_set={"SKU-A": 1})
    admin.add_item("SKU-A", available=10)
    admin.add_item("SKU-B", available=2)
    sink = booker(admin)
    report, _ = run(sink, "stock_levels", [stock_record("SKU-A", 7), stock_record("SKU-B", 6)])
    assert (admin.available("SKU-A"), admin.available("SKU-B")) == (7, 6)
    assert len(admin.mutations) == 2
    assert admin.mutations[1]["payload"]["quantities"][0]["changeFromQuantity"] == 9  # the re-read figure
    assert sink.counts["stale_compares"] == 1
    assert report.outcomes == {"stock_levels:updated": 2}


def test_given_a_retry_whose_first_attempt_landed_when_the_compare_fails_then_nothing_is_set_twice():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=10)
    sink = booker(admin)
    original = admin.set_available
    calls = {"n": 0}

    def land_then_stale(payload: Any, key: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            original(payload, key)  # applied, but the caller hears a stale compare (a replay without idempotency)
            payload = {**payload, "quantities": [{**q, "changeFromQuantity": 10} for q in payload["quantities"]]}
            return original(payload, key)
        return original(payload, key)

    admin.set_available = land_then_stale  # type: ignore[method-assign]
    report, _ = run(sink, "stock_levels", [stock_record("SKU-A", 7)])
    assert admin.available("SKU-A") == 7
    assert calls["n"] == 1  # the re-read shows the target: no second mutation
    assert report.outcomes == {"stock_levels:updated": 1}


def test_given_two_figures_for_one_sku_in_a_batch_when_written_then_the_newest_wins():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=0)
    report, _ = run(booker(admin), "stock_levels", [stock_record("SKU-A", 8, minute=5), stock_record("SKU-A", 3,
                                                                                                    minute=1)])
    assert admin.available("SKU-A") == 8
    assert report.outcomes == {"stock_levels:updated": 1, "stock_levels:superseded": 1}


def test_given_a_warehouse_mapping_when_written_then_each_warehouse_sets_its_location_and_others_are_counted():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=0)
    admin.items["SKU-A"][0].available[SHOP2.id] = 0
    sink = booker(admin, location_mapping=[{"warehouse": "1", "location": "Main warehouse"},
                                           {"warehouse": "2", "location": "2"}])
    report, _ = run(sink, "stock_levels", [stock_record("SKU-A", 4, warehouse="1"),
                                           stock_record("SKU-A", 6, warehouse="2"),
                                           stock_record("SKU-A", 9, warehouse="3")])
    assert (admin.available("SKU-A", MAIN.id), admin.available("SKU-A", SHOP2.id)) == (4, 6)
    assert report.outcomes == {"stock_levels:updated": 2, "stock_levels:skipped_unmapped_warehouse": 1}


def test_given_two_warehouses_on_one_location_when_written_then_both_are_refused_naming_them():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=0)
    report, _ = run(booker(admin), "stock_levels", [stock_record("SKU-A", 4, warehouse="1"),
                                                    stock_record("SKU-A", 6, warehouse="2")])
    assert admin.available("SKU-A") == 0
    assert report.skipped_count == 2
    assert "warehouses '1' and '2' both set SKU 'SKU-A'" in report.skipped[0]


def test_given_a_negative_ledger_figure_when_written_then_shopify_shows_zero():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=3)
    report, _ = run(booker(admin), "stock_levels", [stock_record("SKU-A", -2)])
    assert admin.available("SKU-A") == 0
    assert report.outcomes == {"stock_levels:set_to_zero_negative": 1}


def test_given_location_names_when_resolved_then_by_name_id_or_number_and_default_primary():
    assert resolve_location([SHOP2, MAIN], None) == MAIN
    assert resolve_location([MAIN, SHOP2], "shop utrecht") == SHOP2
    assert resolve_location([MAIN, SHOP2], "gid://shopify/Location/2") == SHOP2
    assert resolve_location([MAIN, SHOP2], "2") == SHOP2
    with pytest.raises(Exception, match="location: no active Shopify location 'Amsterdam'"):
        resolve_location([MAIN, SHOP2], "Amsterdam")
    assert isinstance(plan_locations([MAIN], settings_from_config(CONFIG)), LocationPlan)


# --- shipments --------------------------------------------------------------------------------------------------
def test_given_a_shipment_when_written_twice_then_one_fulfilment_with_its_tracking_number():
    admin = FakeAdmin(orders={"#1001": open_order()})
    sink = booker(admin)
    first, _ = run(sink, "shipments", [shipment_record(lines=[("SKU-A", 2), ("SKU-B", 1)])])
    second, _ = run(sink, "shipments", [shipment_record(lines=[("SKU-A", 2), ("SKU-B", 1)])])
    assert len(admin.fulfillments) == 1
    assert admin.fulfillments[0]["trackingInfo"] == {"number": "3SABC123", "company": "PostNL"}
    assert admin.orders["#1001"].fulfillment_status == "FULFILLED"
    assert (first.outcomes, second.outcomes) == ({"shipments:fulfilled": 1}, {"shipments:exists": 1})


def test_given_the_answer_is_lost_after_the_fulfilment_committed_when_written_then_it_is_found_not_created_again():
    admin = FakeAdmin(orders={"#1001": open_order()}, lose_fulfillments=1)
    report, _ = run(booker(admin), "shipments", [shipment_record(lines=[("SKU-A", 1)])])
    assert len(admin.fulfillments) == 1
    assert report.outcomes == {"shipments:recovered": 1}
    assert report.states_echoed == 1


@pytest.mark.parametrize(("orders", "reason"), [
    ({}, "order #1001 was not found in the Shopify store"),
    ({"#1001": ShopOrder(id="o", name="#1001", cancelled=True, fulfillment_status="UNFULFILLED",
                         fulfillment_orders=())}, "order #1001 is cancelled in Shopify"),
    ({"#1001": ShopOrder(id="o", name="#1001", cancelled=False, fulfillment_status="FULFILLED",
                         fulfillment_orders=())}, "order #1001 is already fulfilled in Shopify"),
])
def test_given_an_order_that_cannot_be_fulfilled_when_written_then_reported_by_reference_and_nothing_written(
        orders, reason):
    admin = FakeAdmin(orders=orders)
    report, _ = run(booker(admin), "shipments", [shipment_record()])
    assert admin.fulfillments == []
    assert report.skipped_count == 1
    assert report.skipped[0].startswith("shipments/gd-1 (#1001): order_reference: ")
    assert reason in report.skipped[0]


def test_given_a_shipment_from_another_shop_when_written_then_refused_naming_the_source():
    report, _ = run(booker(FakeAdmin()), "shipments", [shipment_record(source="lightspeed_ecom")])
    assert "came from 'lightspeed_ecom', not from Shopify" in report.skipped[0]


def test_given_a_bad_record_when_written_then_the_field_is_named():
    bad = stock_record("SKU-A", 1)
    bad["available"] = 1.5
    sink = booker(FakeAdmin())
    report, _ = run(sink, "stock_levels", [bad])
    assert report.skipped[0].startswith("stock_levels/item-SKU-A@1 (SKU-A): available: ")


def test_given_pending_items_when_written_then_outcomes_follow_records():
    admin = FakeAdmin()
    admin.add_item("SKU-A", available=0)
    sink = booker(admin)
    items = [Pending("stock_levels", stock_record("SKU-A", 2))]
    sink.prepare(items)
    assert sink.write(items[0]) == "updated"
