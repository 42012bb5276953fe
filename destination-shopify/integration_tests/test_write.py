"""destination-shopify against the Shopify stand-in (its Admin GraphQL schema, inventory and fulfilment orders):
what the shop holds afterwards per SKU and location and per order, re-runs, retries, a concurrent sale, faults."""

from __future__ import annotations

from typing import Any

import pytest
from shopify_dest_builders import shipment_record, stock_record
from shopify_harness import (
    PRIMARY,
    WAREHOUSE,
    available,
    config_for,
    fulfillments,
    graphql_operations,
    intercept,
    open_orders,
    orders,
    resume_until_done,
    run_write,
    tracking_numbers,
    variants,
    with_states,
)

import sandbox
from connector_common.testing import SimulatedClock

STOCK = ("stock_levels",)
SHIPMENTS = ("shipments",)


def ledger_figures(server: sandbox.SandboxServer, count: int, *, unchanged: int = 0) -> dict[str, int]:
    """`count` SKUs of the shop with a ledger figure; the first `unchanged` equal to what the shop shows now."""
    skus = [v.sku for v in variants(server)][:count]
    assert len(skus) == count, f"the demo shop has only {len(skus)} active variants"
    figures = {sku: (7 * i + 3) % 41 for i, sku in enumerate(skus)}
    for sku in skus[:unchanged]:
        figures[sku] = available(server, sku)
    for sku in skus[unchanged:]:
        if figures[sku] == available(server, sku):
            figures[sku] += 1
    return figures


def assert_skipped(run: Any, count: int) -> None:
    """A run that skipped records ends failed after its SUMMARY (so a scheduler notices), naming the count."""
    assert run.error is not None, "skipped records must fail the run"
    assert str(run.error.message).startswith(f"{count} record(s) were skipped"), run.error.message


def shelf(server: sandbox.SandboxServer, figures: dict[str, int], location: int = PRIMARY) -> dict[str, int]:
    return {sku: available(server, sku, location) for sku in figures}


def shipment_for(order: Any, n: int, *, lines: list[tuple[str, int]] | None = None, carrier: str = "PNL",
                 tracking: str | None = None) -> dict[str, Any]:
    """A ledger goods delivery of the whole order (or `lines`), with tracking number TRK-<n>."""
    number = tracking or f"3STRK{n:05d}"
    return shipment_record(f"#{order.number}", lines if lines is not None else [(ln.sku, ln.quantity)
                                                                               for ln in order.lines],
                           tracking=number, carrier=carrier, url=f"https://postnl.example/track/{number}",
                           sid=f"gd-{n}")


# --- stock levels -----------------------------------------------------------------------------------------------
def test_given_ledger_figures_when_written_then_the_shop_shows_each_at_the_primary_location_in_few_calls(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    figures = ledger_figures(server, 55, unchanged=10)
    warehouse_before = shelf(server, figures, WAREHOUSE)
    records = [stock_record(sku, q) for sku, q in figures.items()] + [stock_record("NO-SUCH-SKU-9", 4)]
    server.clear_log()
    run = run_write(cfg, with_states("stock_levels", records, every=100), streams=STOCK, clock=clock)
    assert_skipped(run, 1)
    assert shelf(server, figures) == figures
    assert shelf(server, figures, WAREHOUSE) == warehouse_before  # only the mapped (primary) location is set
    summary = run.summary
    assert summary["outcomes"] == {"stock_levels:updated": 45, "stock_levels:unchanged": 10,
                                   "stock_levels:skipped_error": 1}
    assert summary["shopify"]["unknown_skus"] == ["NO-SUCH-SKU-9"]
    assert any("NO-SUCH-SKU-9" in text and "not a variant SKU" in text for text in summary["skipped"])
    ops = graphql_operations(server)
    assert ops.count("SetStock") == 1  # 45 quantities in one inventorySetQuantities
    assert ops.count("VariantsBySku") == 2  # 56 SKUs: one query per 50
    assert run.states == [56]


def test_given_the_same_figures_when_written_again_then_no_mutation(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    figures = ledger_figures(server, 30)
    records = [stock_record(sku, q) for sku, q in figures.items()]
    assert run_write(cfg, with_states("stock_levels", records), streams=STOCK, clock=clock).error is None
    server.clear_log()
    again = run_write(cfg, with_states("stock_levels", records), streams=STOCK, clock=clock)
    assert again.error is None, again.error
    assert shelf(server, figures) == figures
    assert "SetStock" not in graphql_operations(server)
    assert again.summary["outcomes"] == {"stock_levels:unchanged": 30}


def test_given_the_shop_is_back_at_its_old_figure_when_the_same_record_is_written_again_then_it_is_set_again(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    sku = variants(server)[0].sku
    before = available(server, sku)
    records = [stock_record(sku, before + 5)]
    assert run_write(cfg, with_states("stock_levels", records), streams=STOCK, clock=clock).error is None
    vendor: Any = server.vendor
    vendor.sell(sku, 5)  # five sold in the shop: it shows the old figure again, so the same record means a new set
    again = run_write(cfg, with_states("stock_levels", records), streams=STOCK, clock=clock)
    assert again.error is None, again.error
    assert available(server, sku) == before + 5  # applied, not replayed from Shopify's idempotency cache
    assert again.summary["outcomes"] == {"stock_levels:updated": 1}


def mapped_config(server: sandbox.SandboxServer) -> dict[str, Any]:
    """Ledger warehouse 1 -> the primary location, 2 -> the warehouse location (by name)."""
    vendor: Any = server.vendor
    names = {int(str(loc["legacyResourceId"])): str(loc["name"]) for loc in vendor.store.locations}
    return config_for(server, location_mapping=[{"warehouse": "1", "location": names[PRIMARY]},
                                                {"warehouse": "2", "location": names[WAREHOUSE]}])


def test_given_a_sale_in_the_shop_between_read_and_write_when_the_compare_fails_then_the_ledger_figure_lands(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    vendor: Any = server.vendor
    sku, other = variants(server)[0].sku, variants(server)[1].sku
    # one SKU per location (one lookup each), both quantities in one inventorySetQuantities call
    figures = {(sku, PRIMARY): available(server, sku) - 4, (other, WAREHOUSE): available(server, other, WAREHOUSE) + 2}
    intercept(server, "inventorySetQuantities", lambda: vendor.sell(sku, 2))  # 2 sold after our read
    server.clear_log()
    records = [stock_record(s, q, warehouse=str(loc)) for (s, loc), q in figures.items()]
    run = run_write(mapped_config(server), with_states("stock_levels", records), streams=STOCK, clock=clock)
    assert run.error is None, run.error
    # The rule (README, "On a compare mismatch"): re-read; the ledger is the source of truth for stock, so its
    # figure is set against the fresh quantity; the sale comes back through the ledger in its next figure.
    assert {key: available(server, *key) for key in figures} == figures
    assert run.summary["shopify"]["stale_compares"] == 1
    assert graphql_operations(server).count("SetStock") == 2  # the refused call changed nothing, then one more
    assert run.summary["outcomes"] == {"stock_levels:updated": 2}


def test_given_a_lost_answer_to_the_stock_mutation_when_retried_then_it_is_applied_once(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    vendor: Any = server.vendor
    sku = variants(server)[4].sku
    target = available(server, sku) + 6
    # Requests: Locations, VariantsBySku, SetStock (answer lost after it was applied), SetStock again (retry).
    server.add_fault("lost_response", every=3, count=1, path="graphql")
    server.clear_log()
    run = run_write(cfg, with_states("stock_levels", [stock_record(sku, target)]), streams=STOCK, clock=clock)
    assert run.error is None, run.error
    assert available(server, sku) == target
    assert graphql_operations(server).count("SetStock") == 2
    assert len(vendor.store.idempotency) == 1  # the retry carried the same key: replayed, not applied twice
    assert run.summary["outcomes"] == {"stock_levels:updated": 1}


def test_given_a_warehouse_mapping_when_written_then_each_warehouse_sets_its_own_location(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    cfg = mapped_config(server)
    sku = variants(server)[2].sku
    shop_figure, warehouse_figure = available(server, sku, PRIMARY) + 11, available(server, sku, WAREHOUSE) + 3
    records = [stock_record(sku, shop_figure, warehouse="1"), stock_record(sku, warehouse_figure, warehouse="2"),
               stock_record(sku, 99, warehouse="9")]  # warehouse 9 is not mapped: left alone
    run = run_write(cfg, with_states("stock_levels", records), streams=STOCK, clock=clock)
    assert run.error is None, run.error
    assert (available(server, sku, PRIMARY), available(server, sku, WAREHOUSE)) == (shop_figure, warehouse_figure)
    assert run.summary["outcomes"] == {"stock_levels:updated": 2, "stock_levels:skipped_unmapped_warehouse": 1}


def test_given_a_negative_ledger_figure_when_written_then_the_shop_shows_zero(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    sku = variants(server)[3].sku
    run = run_write(cfg, with_states("stock_levels", [stock_record(sku, -3)]), streams=STOCK, clock=clock)
    assert run.error is None, run.error
    assert available(server, sku) == 0
    assert run.summary["outcomes"] == {"stock_levels:set_to_zero_negative": 1}


# --- shipments --------------------------------------------------------------------------------------------------
def test_given_deliveries_when_written_twice_then_each_order_has_exactly_one_fulfilment_with_its_tracking(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    cfg = config_for(server, carrier_mapping=[{"shipping_method": "PNL", "tracking_company": "PostNL"}],
                     notify_customer=True)
    shop_orders = open_orders(server)[:6]
    assert len(shop_orders) == 6, "the demo shop needs open orders"
    records = [shipment_for(o, n) for n, o in enumerate(shop_orders)]
    first = run_write(cfg, with_states("shipments", records, every=3), streams=SHIPMENTS, clock=clock)
    assert first.error is None, first.error
    assert first.summary["outcomes"] == {"shipments:fulfilled": 6}
    assert first.states == [3, 6]
    server.clear_log()
    again = run_write(cfg, with_states("shipments", records, every=3), streams=SHIPMENTS, clock=clock)
    assert again.error is None, again.error
    assert again.summary["outcomes"] == {"shipments:exists": 6}
    assert "FulfillShipment" not in graphql_operations(server)
    vendor: Any = server.vendor
    for n, order in enumerate(shop_orders):
        name = f"#{order.number}"
        made = fulfillments(server, name)
        assert [t["number"] for f in made for t in f["tracking"]] == [f"3STRK{n:05d}"], name
        assert made[0]["tracking"][0]["company"] == "PostNL"
        assert made[0]["tracking"][0]["url"] == f"https://postnl.example/track/3STRK{n:05d}"
        assert vendor.store.fulfillment_order(order.id).status == "CLOSED"
        assert vendor.shop.orders[order.id].fulfillment_status == "fulfilled"


def test_given_a_lost_answer_to_fulfillment_create_when_written_then_found_by_tracking_and_not_created_again(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    order = open_orders(server)[0]
    # Requests: Locations, OrderByName, FulfillShipment (committed, answer lost), then the lookup by tracking.
    server.add_fault("lost_response", every=3, count=1, path="graphql")
    server.clear_log()
    run = run_write(cfg, with_states("shipments", [shipment_for(order, 1)]), streams=SHIPMENTS, clock=clock)
    assert run.error is None, run.error
    assert tracking_numbers(server, f"#{order.number}") == ["3STRK00001"]
    assert graphql_operations(server).count("FulfillShipment") == 1
    assert run.summary["outcomes"] == {"shipments:recovered": 1}


def test_given_two_deliveries_of_one_order_when_written_then_two_fulfilments_and_the_order_is_fulfilled(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    order = next(o for o in open_orders(server) if len(o.lines) >= 2)
    head, rest = order.lines[0], order.lines[1:]
    records = [shipment_for(order, 1, lines=[(head.sku, head.quantity)]),
               shipment_for(order, 2, lines=[(ln.sku, ln.quantity) for ln in rest])]
    run = run_write(cfg, with_states("shipments", records), streams=SHIPMENTS, clock=clock)
    assert run.error is None, run.error
    assert tracking_numbers(server, f"#{order.number}") == ["3STRK00001", "3STRK00002"]
    vendor: Any = server.vendor
    assert vendor.shop.orders[order.id].fulfillment_status == "fulfilled"
    assert run.summary["outcomes"] == {"shipments:fulfilled": 2}


def test_given_unknown_cancelled_and_fulfilled_orders_when_written_then_each_is_reported_by_reference_and_counted(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    vendor: Any = server.vendor
    good, to_cancel = open_orders(server)[:2]
    vendor.cancel_order(to_cancel.id)
    done = next(o for o in orders(server) if o.fulfillment_status == "fulfilled" and o.cancelled_at is None)
    records = [shipment_for(good, 1),
               shipment_record("#999999", [("SKU-X", 1)], tracking="3SNOPE", sid="gd-unknown"),
               shipment_for(to_cancel, 2), shipment_for(done, 3)]
    server.clear_log()
    run = run_write(cfg, with_states("shipments", records), streams=SHIPMENTS, clock=clock)
    assert_skipped(run, 3)
    summary = run.summary
    assert summary["outcomes"] == {"shipments:fulfilled": 1, "shipments:skipped_error": 3}
    skipped = " | ".join(summary["skipped"])
    assert "order #999999 was not found" in skipped
    assert f"order #{to_cancel.number} is cancelled" in skipped
    assert f"order #{done.number} is already fulfilled" in skipped
    assert graphql_operations(server).count("FulfillShipment") == 1  # nothing written for the three
    assert tracking_numbers(server, f"#{good.number}") == ["3STRK00001"]
    assert tracking_numbers(server, f"#{to_cancel.number}") == []


def test_given_more_units_than_the_order_has_when_written_then_refused_naming_the_sku_and_nothing_written(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock) -> None:
    order = open_orders(server)[0]
    line = order.lines[0]
    run = run_write(cfg, with_states("shipments", [shipment_for(order, 1, lines=[(line.sku, line.quantity + 5)])]),
                    streams=SHIPMENTS, clock=clock)
    assert_skipped(run, 1)
    assert run.summary["outcomes"] == {"shipments:skipped_error": 1}
    assert line.sku in run.summary["skipped"][0] and "unfulfilled" in run.summary["skipped"][0]
    assert fulfillments(server, f"#{order.number}") == []


# --- faults -----------------------------------------------------------------------------------------------------
FAULTS = [  # rates on every GraphQL request (queries and mutations); the server's fault RNG is seeded
    {"kind": "429", "rate": 0.3, "retry_after": 1},
    {"kind": "500", "rate": 0.3},
    {"kind": "503", "rate": 0.3},
    {"kind": "drop", "rate": 0.3},
    {"kind": "lost_response", "rate": 0.3},
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f["kind"] for f in FAULTS])
def test_given_injected_faults_when_stock_is_written_and_resumed_then_the_shop_shows_the_ledger_figures(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock, fault: dict[str, Any]) -> None:
    figures = ledger_figures(server, 40)
    rule = server.add_fault(path="graphql", **fault)
    resume_until_done(cfg, "stock_levels", [stock_record(s, q) for s, q in figures.items()], every=10, clock=clock)
    server.clear_faults()
    assert rule.injected > 0
    assert shelf(server, figures) == figures


@pytest.mark.parametrize("fault", FAULTS, ids=[f["kind"] for f in FAULTS])
def test_given_injected_faults_when_shipments_are_written_and_resumed_then_exactly_one_fulfilment_each(
        server: sandbox.SandboxServer, cfg: dict[str, Any], clock: SimulatedClock, fault: dict[str, Any]) -> None:
    shop_orders = open_orders(server)[:10]
    rule = server.add_fault(path="graphql", **fault)
    resume_until_done(cfg, "shipments", [shipment_for(o, n) for n, o in enumerate(shop_orders)], every=2,
                      clock=clock)
    server.clear_faults()
    assert rule.injected > 0
    assert {f"#{o.number}": tracking_numbers(server, f"#{o.number}") for o in shop_orders} == {
        f"#{o.number}": [f"3STRK{n:05d}"] for n, o in enumerate(shop_orders)}
