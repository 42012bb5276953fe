"""Reads against the Shopify stand-in: first sync, incremental syncs, changes during a sync, throttling, filters."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import Level

from connector_common.records import from_record
from sandbox.core import SandboxServer

Factory = Callable[..., Any]


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["source_id"] for r in records]


def _live_orders(server: SandboxServer) -> dict[int, Any]:
    return {i: o for i, o in server.vendor.shop.orders.items() if not o.test}  # type: ignore[attr-defined]


def test_given_demo_shop_when_first_sync_then_every_order_customer_and_variant_arrives_once_in_canonical_form(
        shop: SandboxServer, run: Factory, config: Factory) -> None:
    result = run("read", config(shop))

    assert result.exception is None and result.errors() == []
    orders = result.records("orders")
    expected = _live_orders(shop)
    assert sorted(_ids(orders), key=int) == sorted((str(i) for i in expected), key=int)
    for data in orders:
        order = from_record("orders", data)  # schema-valid and convertible: Decimal money, aware datetimes
        source = expected[int(order.source_id)]
        assert order.totals.grand_total == source.grand_total
        assert order.totals.tax_total == source.total_tax
        assert order.reference == f"#{source.number}"
    keys = [(r["updated_at"], int(r["source_id"])) for r in orders]
    assert keys == sorted(keys)  # ascending, the cursor's order
    vendor: Any = shop.vendor
    assert len(result.records("products")) == sum(len(p.variants) for p in vendor.shop.products.values())
    assert len(result.records("customers")) == len(vendor.shop.customers)
    assert result.logs(Level.WARN) == []  # every generated order reconciles to the cent


def test_given_a_finished_sync_when_orders_change_then_the_next_sync_emits_only_the_changed_ones(
        shop: SandboxServer, run: Factory, config: Factory, clock: Any) -> None:
    cfg = config(shop)
    first = run("read", cfg, streams=("orders",))
    clock.sleep(60)
    vendor: Any = shop.vendor
    unpaid = next(o for o in _live_orders(shop).values() if o.financial_status == "pending")
    vendor.mark_paid(unpaid.id)
    refundable = next(o for o in _live_orders(shop).values()
                      if o.financial_status == "paid" and not o.refunds and o.id != unpaid.id)
    vendor.refund_order(refundable.id)

    second = run("read", cfg, streams=("orders",), state=first.state_for_next_run())
    third = run("read", cfg, streams=("orders",), state=second.state_for_next_run())

    assert sorted(_ids(second.records("orders"))) == sorted([str(unpaid.id), str(refundable.id)])
    by_id = {r["source_id"]: r for r in second.records("orders")}
    assert by_id[str(unpaid.id)]["payment_status"] == "paid"
    refund = from_record("orders", by_id[str(refundable.id)]).refunds[0]
    assert refund.total_incl > 0 and refund.lines
    assert sum((line.amount_incl for line in refund.lines), Decimal(0)) + refund.shipping_incl \
        + refund.adjustment_incl == refund.total_incl
    assert third.records("orders") == []  # nothing changed: nothing re-emitted


def test_given_orders_updated_while_paging_when_two_syncs_run_then_none_is_lost_and_the_latest_version_arrives(
        make_shop: Factory, run: Factory, config: Factory, clock: Any) -> None:
    server = make_shop(orders=40)
    vendor: Any = server.vendor
    touched: list[int] = []
    original = vendor.handle

    def handle_and_touch(req: Any) -> Any:
        response = original(req)
        if len(touched) < 3 and b"query Orders" in req.body:  # right after each of the first pages
            oldest = min(_live_orders(server).values(), key=lambda o: (o.updated_at, o.id))
            clock.sleep(1)
            vendor.touch_order(oldest.id)
            touched.append(oldest.id)
        return response

    vendor.handle = handle_and_touch
    cfg = config(server, page_size=5)
    first = run("read", cfg, streams=("orders",))
    vendor.handle = original
    second = run("read", cfg, streams=("orders",), state=first.state_for_next_run())

    emitted = first.records("orders") + second.records("orders")
    assert {r["source_id"] for r in emitted} == {str(i) for i in _live_orders(server)}
    assert len(touched) == 3
    for order_id in touched:
        versions = [from_record("orders", r).updated_at for r in emitted if r["source_id"] == str(order_id)]
        assert max(versions) == vendor.shop.orders[order_id].updated_at.replace(microsecond=0)


def test_given_a_small_cost_bucket_when_syncing_then_the_client_waits_for_the_bucket_instead_of_being_throttled(
        make_shop: Factory, run: Factory, config: Factory, clock: Any) -> None:
    server = make_shop(orders=30, max_available=1000, restore_rate=50)
    result = run("read", config(server), streams=("orders",))

    assert result.errors() == []
    assert len(result.records("orders")) == len(_live_orders(server))
    assert clock.total_slept > 0  # it paced itself by the bucket ...
    client = result.source.clients[-1]
    assert client.throttled == 0 and server.vendor.throttled == 0  # type: ignore[attr-defined]


def test_given_throttled_answers_when_reading_then_the_client_waits_and_retries_the_same_page(
        make_shop: Factory, run: Factory, config: Factory, clock: Any) -> None:
    server = make_shop(orders=12, max_available=1000, restore_rate=50)
    vendor: Any = server.vendor
    original = vendor.handle
    drained: list[int] = []

    def drain_bucket(req: Any) -> Any:
        body = req.json() if req.body else {}
        if "query Orders" in body.get("query", "") and (body.get("variables") or {}).get("after") \
                and len(drained) < 2:
            drained.append(1)
            vendor._refill()
            vendor.available = 0.0  # what another app of the same shop does to the shared bucket
        return original(req)

    vendor.handle = drain_bucket
    result = run("read", config(server), streams=("orders",))
    assert result.errors() == []
    assert len(result.records("orders")) == len(_live_orders(server))
    assert vendor.throttled == 2 and result.source.clients[-1].throttled == 2


def test_given_test_and_cancelled_orders_when_filters_apply_then_test_orders_are_skipped_and_cancelled_ones_flagged(
        shop: SandboxServer, run: Factory, config: Factory) -> None:
    vendor: Any = shop.vendor
    victim = next(o for o in _live_orders(shop).values() if not o.cancelled_at)
    vendor.cancel_order(victim.id)
    for made_test in [o for o in _live_orders(shop).values() if o.id != victim.id][:2]:  # as a shop's test checkout
        vendor.shop.orders[made_test.id] = replace(made_test, test=True)
    vendor.shop.version += 1

    result = run("read", config(shop), streams=("orders",))
    ids = set(_ids(result.records("orders")))
    test_orders = sorted((o for o in vendor.shop.orders.values() if o.test), key=lambda o: o.id)
    assert test_orders and not ids & {str(o.id) for o in test_orders}
    (left_out,) = [line for line in result.logs() if "left out by the config" in line]  # counted and named
    assert left_out.startswith(f"orders: left out by the config, not emitted: {len(test_orders)} test orders "
                               "(include_test_orders is off): ")
    named = left_out.split("(include_test_orders is off): ", 1)[1].split(";")[0].split(" and ")[0].split(", ")
    assert named == [f"#{o.number}" for o in test_orders[:20]]
    cancelled = next(r for r in result.records("orders") if r["source_id"] == str(victim.id))
    assert cancelled["cancelled"] is True and cancelled["cancelled_at"]

    only_paid = run("read", config(shop, payment_statuses=["PAID"], include_cancelled=False), streams=("orders",))
    assert only_paid.records("orders")
    assert {r["payment_status"] for r in only_paid.records("orders")} == {"paid"}
    assert all(r["cancelled"] is False for r in only_paid.records("orders"))


def test_given_an_order_whose_totals_do_not_reconcile_when_read_then_it_is_emitted_with_a_warn_naming_the_difference(
        make_shop: Factory, run: Factory, config: Factory, tmp_path: Any) -> None:
    fixtures = __import__("pathlib").Path(__file__).parents[1] / "unit_tests" / "fixtures" / "shopify"
    (tmp_path / "orders").mkdir()
    good = json.loads((fixtures / "orders_taxes_included_multi_rate.json").read_text())
    bad = json.loads((fixtures / "orders_pos_no_customer.json").read_text())
    bad["totalPriceSet"]["shopMoney"]["amount"] = "7.50"  # Shopify says 7.50, the lines add up to 7.49
    (tmp_path / "orders" / "orders.json").write_text(json.dumps([good, bad]))
    server = make_shop(seed=f"dir:{tmp_path}")

    result = run("read", config(server), streams=("orders",))

    assert sorted(r["source_id"] for r in result.records("orders")) == ["5480334508245", "5480334570000"]
    (warning,) = result.logs(Level.WARN)
    assert warning.startswith("orders/5480334570000 (#1044): totals do not reconcile, difference 0.01 EUR")


def test_given_b2b_intra_eu_orders_when_read_then_the_customer_carries_the_vat_number_and_is_a_company(
        shop: SandboxServer, run: Factory, config: Factory) -> None:
    vendor: Any = shop.vendor
    icp = {i: o for i, o in _live_orders(shop).items() if o.kind == "icp"}
    assert icp, "the demo shop should hold intra-EU B2B orders"

    result = run("read", config(shop), streams=("orders",))

    assert result.errors() == []
    by_id = {r["source_id"]: r for r in result.records("orders")}
    for order_id, source in icp.items():
        customer = vendor.shop.customers[source.customer_id]
        record = by_id[str(order_id)]
        assert record["customer"]["vat_number"] == customer.vat_number
        assert record["customer"]["is_company"] is True
        assert record["customer"]["company_name"] == customer.company
    consumers = [r for i, r in by_id.items() if _live_orders(shop)[int(i)].company is None]
    assert consumers and all((r.get("customer") or {}).get("vat_number") is None for r in consumers)
