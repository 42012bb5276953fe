"""source-lightspeed against the eCom stand-in: first and incremental sync, rate limits, bad credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from airbyte_cdk.models import Status
from connector_common.model import validate_order
from connector_common.records import from_record
from lightspeed_harness import ecom_config, run_check, run_read

import sandbox


def test_given_demo_shop_when_first_sync_then_every_web_order_customer_and_variant_arrives_and_adds_up(ecom, clock):
    run = run_read(ecom_config(ecom.base_url), clock)

    vendor = ecom.vendor
    orders = run.records("orders")
    wanted = {str(i) for i, o in vendor.tables["orders"].records.items() if o["status"] not in ("new", "offer")}
    assert {o["source_id"] for o in orders} == wanted
    assert len(orders) == len(wanted)  # no duplicates
    for record in orders:
        order = from_record("orders", record)
        assert validate_order(order).ok, record["reference"]
        source = vendor.tables["orders"].records[int(record["source_id"])]
        assert order.totals.grand_total == Decimal(str(source["priceIncl"])).quantize(Decimal("0.01"))
        assert len(order.lines) == len(vendor.order_lines[int(record["source_id"])])
    assert run.warnings() == []
    assert {c["source_id"] for c in run.records("customers")} == {str(i) for i in vendor.tables["customers"].records}
    products = run.records("products")
    assert {p["source_id"] for p in products} == {str(i) for i in vendor.tables["variants"].records}
    assert all(p["sku"] for p in products)


def test_given_orders_in_ascending_time_when_read_then_state_is_the_newest_order(ecom, clock):
    run = run_read(ecom_config(ecom.base_url), clock, streams=("orders",))

    updated = [datetime.fromisoformat(o["updated_at"]) for o in run.records("orders")]
    assert updated == sorted(updated)
    state = run.stream_state("orders")
    assert datetime.fromisoformat(state["updated_at"].replace("Z", "+00:00")) == max(updated).astimezone(UTC)


def test_given_state_when_one_order_changes_then_incremental_sync_reads_only_that_order(ecom, clock):
    config = ecom_config(ecom.base_url, lookback_window_minutes=0)
    first = run_read(config, clock, streams=("orders",))
    clock.now += 3600
    changed = sorted(ecom.vendor.tables["orders"].records)[3]
    ecom.vendor.update_order(changed, status="completed_shipped")

    second = run_read(config, clock, state=first.state(), streams=("orders",))

    assert [o["source_id"] for o in second.records("orders")] == [str(changed)]
    third = run_read(config, clock, state=second.state(), streams=("orders",))
    assert third.records("orders") == []  # the inclusive boundary record is not read twice


def test_given_a_small_rate_limit_window_when_syncing_then_the_connector_waits_instead_of_hitting_429(clock):
    server = sandbox.start("lightspeed_ecom", seed="demo", orders=60, clock=clock,
                           rate_limits=((300.0, 25), (3600.0, 3000), (86400.0, 12000)), per_second=None)
    try:
        run = run_read(ecom_config(server.base_url), clock, streams=("orders",))
        statuses = [r.status for r in server.requests()]
    finally:
        server.stop()
    assert len(run.records("orders")) > 25
    assert 429 not in statuses
    assert any(s >= 100 for s in clock.slept)  # waited for the 5-minute window to reset


def test_given_daily_limit_used_up_when_syncing_then_the_sync_stops_with_a_transient_error(ecom, clock):
    ecom.vendor.exhaust_daily_limit()

    run = run_read(ecom_config(ecom.base_url), clock, streams=("orders",), expect_error=True)

    errors = [m.trace.error for m in run.messages if m.trace and m.trace.error]
    assert errors and errors[0].failure_type.value == "transient_error"
    assert "daily request limit" in errors[0].message


def test_given_wrong_api_secret_when_check_then_it_fails_naming_the_problem_without_the_secret(ecom, tmp_path):
    config = ecom_config(ecom.base_url, platform={"api_secret": "wrong-secret-value-0000000000000"})

    status, messages = run_check(config, tmp_path)

    assert status.status == Status.FAILED
    assert "401" in status.message and "Invalid API key or secret" in status.message
    assert not any("wrong-secret-value" in str(m) for m in messages)


def test_given_valid_key_when_check_then_it_succeeds(ecom, tmp_path):
    status, _ = run_check(ecom_config(ecom.base_url), tmp_path)

    assert status.status == Status.SUCCEEDED


def test_given_unknown_language_when_check_then_it_fails_naming_the_language(ecom, tmp_path):
    status, _ = run_check(ecom_config(ecom.base_url, platform={"language": "xx"}), tmp_path)

    assert status.status == Status.FAILED and "Unknown or inactive language" in status.message


def test_given_a_server_error_burst_when_syncing_then_retries_deliver_every_order(ecom, clock):
    ecom.add_fault("503", count=3, path="orders.json")

    run = run_read(ecom_config(ecom.base_url), clock, streams=("orders",))

    assert len(run.records("orders")) == len({o for o, r in ecom.vendor.tables["orders"].records.items()
                                               if r["status"] not in ("new", "offer")})
