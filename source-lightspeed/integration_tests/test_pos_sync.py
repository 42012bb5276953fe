"""source-lightspeed against the Restaurant K-Series and Retail X-Series stand-ins, through the real entrypoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from airbyte_cdk.models import Status
from lightspeed_harness import kseries_config, run_check, run_read, xseries_config

import sandbox
from connector_common.model import validate_order
from connector_common.protocol import validate_line
from connector_common.records import from_record
from connector_common.testing import SimulatedClock
from sandbox.core import SandboxServer
from sandbox.lightspeed_kseries import LightspeedKSeries
from sandbox.lightspeed_xseries import LightspeedXSeries
from sandbox.lightspeed_xseries import seed as xseed

BOOKED_TYPES = {"SALE", "SPLIT", "REFUND", "CANCEL", "VOID"}


@pytest.fixture
def kseries(clock: SimulatedClock) -> Iterator[SandboxServer]:
    server = sandbox.start("lightspeed_kseries", seed="demo", orders=60, clock=clock, per_second=None)
    yield server
    server.stop()


@pytest.fixture
def xseries(clock: SimulatedClock) -> Iterator[SandboxServer]:
    server = sandbox.start("lightspeed_xseries", seed="demo", orders=80, clock=clock, channels=("pos", "web"),
                           rate_limit=False)
    yield server
    server.stop()


def _sales(server: SandboxServer) -> dict[str, dict]:
    vendor: LightspeedKSeries = server.vendor  # type: ignore[assignment]
    return {s["accountFiscId"]: s for rows in vendor.store.sales.values() for s in rows}


# -- K-Series --------------------------------------------------------------------------------------------------------
def test_given_a_restaurant_when_first_sync_then_every_account_once_to_the_cent_with_tips_and_split_payments(
        kseries, clock):
    run = run_read(kseries_config(kseries.base_url), clock, streams=("orders",))

    orders = [from_record("orders", r) for r in run.records("orders")]
    assert {o.source_id for o in orders} == set(_sales(kseries))
    assert len(orders) == len({o.source_id for o in orders})
    assert all(validate_order(o).ok for o in orders), [validate_order(o).problems for o in orders][:2]
    tips = [line for o in orders for line in o.lines if line.sku == "TIP"]
    assert tips and all(line.tax_rate == 0 and not line.taxable for line in tips)
    assert any(len(o.payments) == 2 for o in orders)  # a split bill keeps both payments
    assert any(o.customer is None for o in orders) and any(o.customer for o in orders)
    assert {line.tax_rate for o in orders for line in o.lines if line.sku not in ("TIP",)} >= {Decimal(9), Decimal(21)}
    assert any(o.payment_status.value == "refunded" for o in orders) and any(o.cancelled for o in orders)
    assert run.warnings() == []
    assert run.stream_state("orders")


def test_given_small_pages_when_reading_then_next_page_tokens_are_followed_and_page_size_is_at_most_100(
        kseries, clock):
    run = run_read(kseries_config(kseries.base_url, page_size=7), clock, streams=("orders",))

    calls = [r.query for r in kseries.requests() if r.path.endswith("/sales")]
    per_location = {loc: len(rows) for loc, rows in kseries.vendor.store.sales.items()}  # type: ignore[attr-defined]
    assert len(run.records("orders")) == len(_sales(kseries))
    # every page of 7 after a location's first comes with the token the previous page gave (one window holds all)
    assert sum(1 for q in calls if "nextPageToken" in q) == sum(-(-n // 7) - 1 for n in per_location.values())
    assert {q["pageSize"][0] for q in calls} == {"7"}
    big = run_read(kseries_config(kseries.base_url, page_size=250), clock, streams=("orders",), source=run.source)
    assert len(big.records("orders")) == len(_sales(kseries))
    assert {r.query["pageSize"][0] for r in kseries.requests() if r.path.endswith("/sales")} == {"7", "100"}


def test_given_a_back_fill_over_365_days_when_sales_close_on_a_window_boundary_then_each_is_read_once(
        kseries, clock):
    vendor: LightspeedKSeries = kseries.vendor  # type: ignore[assignment]
    location = sorted(vendor.store.sales)[0]
    template = vendor.store.sales[location][0]
    # start_date 2022-01-01: the first window ends at 2022-12-31T23:59:59 (365 days less a second), the next starts there
    for fisc_id, closed in (("A1.edge", "2022-12-31T23:59:59.000Z"), ("A1.inside", "2022-12-31T23:59:59.500Z")):
        vendor.put_sale(location, {**template, "accountFiscId": fisc_id, "receiptId": fisc_id, "timeClosed": closed})

    run = run_read(kseries_config(kseries.base_url), clock, streams=("orders",))

    ids = [r["source_id"] for r in run.records("orders")]
    assert ids.count("A1.edge") == 1 and ids.count("A1.inside") == 1
    assert len(ids) == len(set(ids)) == len(_sales(kseries))


def test_given_state_when_new_bills_close_then_the_next_sync_reads_only_those(kseries, clock):
    config = kseries_config(kseries.base_url, lookback_window_minutes=0)
    first = run_read(config, clock, streams=("orders",))  # later runs reuse its source: one refresh-token chain
    vendor: LightspeedKSeries = kseries.vendor  # type: ignore[assignment]
    added = vendor.add_bills(3, datetime.fromtimestamp(clock.now, UTC))
    clock.now += 3 * 3600

    second = run_read(config, clock, first.state(), streams=("orders",), source=first.source)

    assert {r["source_id"] for r in second.records("orders")} == {s["accountFiscId"] for s in added}
    third = run_read(config, clock, second.state(), streams=("orders",), source=first.source)
    assert third.records("orders") == []  # the boundary sale is not read twice


def test_given_one_configured_location_when_reading_then_only_its_sales_and_an_unknown_one_fails_check(
        kseries, clock, tmp_path):
    vendor: LightspeedKSeries = kseries.vendor  # type: ignore[assignment]
    location = sorted(vendor.store.sales)[0]
    config = kseries_config(kseries.base_url, platform={"business_location_ids": [str(location)]})

    run = run_read(config, clock, streams=("orders",))

    assert {r["source_id"] for r in run.records("orders")} == {s["accountFiscId"] for s in vendor.store.sales[location]}
    status, _ = run_check(kseries_config(kseries.base_url, platform={"business_location_ids": ["999"]}), tmp_path,
                          source=run.source)
    assert status.status == Status.FAILED and "business_location_ids" in status.message and "999" in status.message


def written_back(capsys: pytest.CaptureFixture[str], path: Path, *keys: str) -> str:
    """The refresh token of the run's one CONTROL message, after checking the config file holds the same."""
    controls = [validate_line(line) for line in capsys.readouterr().out.splitlines() if '"CONTROL"' in line]
    assert len(controls) == 1
    control, written = controls[0].control.connectorConfig.config, json.loads(path.read_text())
    for key in keys:
        control, written = control[key], written[key]
    assert written["refresh_token"] == control["refresh_token"]
    return str(control["refresh_token"])


def test_given_a_rotating_refresh_token_when_syncing_then_control_message_and_config_file_hold_the_new_one(
        kseries, clock, tmp_path, capsys):
    path = tmp_path / "config.json"
    config = kseries_config(kseries.base_url)
    path.write_text(json.dumps(config))

    run_read(config, clock, streams=("orders",), config_path=str(path))

    assert written_back(capsys, path, "platform") != LightspeedKSeries.REFRESH_TOKEN
    again = run_read(json.loads(path.read_text()), clock, streams=("orders",), config_path=str(path))
    assert again.records("orders")
    stale = run_read(config, clock, streams=("orders",), expect_error=True)  # the used token is dead
    errors = [m.trace.error for m in stale.messages if m.trace and m.trace.error]
    assert errors and errors[0].failure_type.value == "config_error"
    assert LightspeedKSeries.CLIENT_SECRET not in json.dumps([e.message for e in errors])


def test_given_the_per_second_budget_when_reading_then_429s_are_waited_out(clock):
    server = sandbox.start("lightspeed_kseries", seed="demo", orders=60, clock=clock, per_second=2)
    try:
        run = run_read(kseries_config(server.base_url, page_size=5), clock, streams=("orders",))
        statuses = [r.status for r in server.requests()]
    finally:
        server.stop()

    assert len(run.records("orders")) == len({r["source_id"] for r in run.records("orders")}) > 0
    assert 429 in statuses and clock.total_slept > 0


def test_given_customers_and_products_streams_then_guests_and_menu_items_once_each(kseries, clock):
    run = run_read(kseries_config(kseries.base_url), clock, streams=("customers", "products"))

    skus = [r["sku"] for r in run.records("products")]
    assert skus and len(skus) == len(set(skus))
    assert run.records("customers") and all(r["source"] == "lightspeed_kseries" for r in run.records("customers"))


# -- X-Series --------------------------------------------------------------------------------------------------------
def test_given_a_store_when_first_sync_then_closed_sales_once_and_state_is_the_version(xseries, clock):
    run = run_read(xseries_config(xseries.base_url, personal_token=True), clock, streams=("orders",))

    vendor: LightspeedXSeries = xseries.vendor  # type: ignore[assignment]
    sales = vendor.store.tables["sales"]
    closed = {sid for sid, s in sales.items() if s["status"] == "CLOSED"}
    orders = [from_record("orders", r) for r in run.records("orders")]
    assert {o.source_id for o in orders} == closed
    assert all(validate_order(o).ok for o in orders)
    assert any(o.customer is None for o in orders) and any(o.customer for o in orders)
    assert any(o.totals.grand_total < 0 for o in orders)  # return sales
    assert run.stream_state("orders") == {"version": max(int(s["version"]) for s in sales.values())}

    again = run_read(xseries_config(xseries.base_url, personal_token=True), clock, run.state(), streams=("orders",))
    assert again.records("orders") == []


def test_given_state_when_a_sale_is_edited_then_only_that_sale_is_read_again(xseries, clock):
    config = xseries_config(xseries.base_url, personal_token=True, page_size=10)
    first = run_read(config, clock, streams=("orders",))
    vendor: LightspeedXSeries = xseries.vendor  # type: ignore[assignment]
    assert vendor.shop is not None
    order_id = next(o.id for o in vendor.shop.orders.values()
                    if (vendor.store.get("sales", xseed.uid("sale", o.id)) or {}).get("status") == "CLOSED")
    touched = [s["id"] for s in vendor.touch_sale(order_id) if s["status"] == "CLOSED"]
    calls_before = len(xseries.requests())

    second = run_read(config, clock, first.state(), streams=("orders",))

    assert [r["source_id"] for r in second.records("orders")] == touched
    sales_calls = [r for r in xseries.requests()[calls_before:] if r.path == "/api/2.0/sales"]
    assert sales_calls[0].query["after"] == [str(first.stream_state("orders")["version"])]
    assert second.stream_state("orders")["version"] > first.stream_state("orders")["version"]


def test_given_oauth_when_syncing_then_the_rotated_refresh_token_is_written_back(xseries, clock, tmp_path, capsys):
    path = tmp_path / "config.json"
    config = xseries_config(xseries.base_url)
    path.write_text(json.dumps(config))

    run = run_read(config, clock, streams=("customers", "products"), config_path=str(path))

    assert written_back(capsys, path, "platform", "credentials") != LightspeedXSeries.REFRESH_TOKEN
    skus = [r["sku"] for r in run.records("products")]
    assert skus and len(skus) == len(set(skus))
    assert run.records("customers")
