"""source-lightspeed against the eCom stand-in: first and incremental sync, rate limits, quota, faults, check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from airbyte_cdk.models import Status
from lightspeed_harness import EPOCH, ecom_config, run_check, run_read

from connector_common.model import validate_order
from connector_common.records import from_record
from connector_common.testing import SimulatedClock
from sandbox.core import SandboxServer
from sandbox.lightspeed_ecom import LightspeedEcom

SEED = "demo"
ORDERS = 40
MODULE_CLOCK = SimulatedClock(now=EPOCH)


@pytest.fixture(scope="module")
def shop_server() -> Iterator[SandboxServer]:
    """One eCom stand-in for the module (published limits, 20/s), on a clock the connector shares."""
    server = SandboxServer(LightspeedEcom(seed=SEED, orders=ORDERS, clock=MODULE_CLOCK)).start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> SimulatedClock:
    MODULE_CLOCK.now = EPOCH
    MODULE_CLOCK.slept.clear()
    return MODULE_CLOCK


@pytest.fixture
def ecom(shop_server: SandboxServer, clock: SimulatedClock) -> SandboxServer:
    shop_server.reset()  # fresh data, windows, faults and request log; after the clock is rewound
    return shop_server


def _vendor(server: SandboxServer) -> LightspeedEcom:
    vendor = server.vendor
    assert isinstance(vendor, LightspeedEcom)
    return vendor


def _booked_ids(vendor: LightspeedEcom) -> set[str]:
    """Orders the default status filter reads: every status but new and offer."""
    return {str(i) for i, o in vendor.tables["orders"].records.items() if o["status"] not in ("new", "offer")}


def test_given_generated_shop_when_first_sync_then_every_order_customer_and_variant_arrives_and_reconciles(ecom, clock):
    run = run_read(ecom_config(ecom.base_url), clock)  # run_read validates every emitted line

    vendor = _vendor(ecom)
    orders = run.records("orders")
    assert sorted(o["source_id"] for o in orders) == sorted(_booked_ids(vendor))  # each once
    for record in orders:
        order = from_record("orders", record)
        check = validate_order(order)
        assert check.ok, (record["reference"], check.problems)
        raw = vendor.tables["orders"].records[int(record["source_id"])]
        assert order.totals.grand_total == Decimal(str(raw["priceIncl"])).quantize(Decimal("0.01"))
        assert len(order.lines) == len(vendor.order_lines[int(record["source_id"])])
    assert not [w for w in run.warnings() if "do not add up" in w or "reconcile" in w]
    assert run.warnings() == []
    assert {c["source_id"] for c in run.records("customers")} == {str(i) for i in vendor.tables["customers"].records}
    products = run.records("products")
    assert {p["source_id"] for p in products} == {str(i) for i in vendor.tables["variants"].records}
    assert all(p["sku"] for p in products)
    updated = [datetime.fromisoformat(o["updated_at"]) for o in orders]
    assert updated == sorted(updated)
    cursor = datetime.fromisoformat(run.stream_state("orders")["updated_at"].replace("Z", "+00:00"))
    assert cursor == max(updated).astimezone(UTC)


def test_given_state_when_one_order_changes_then_only_it_is_read_and_the_boundary_is_not_read_twice(ecom, clock):
    config = ecom_config(ecom.base_url)  # default 5-minute lookback: the boundary order comes back from the API
    first = run_read(config, clock, streams=("orders",))
    clock.now += 3600
    changed = sorted(int(i) for i in _booked_ids(_vendor(ecom)))[3]
    _vendor(ecom).update_order(changed, status="completed_shipped")

    second = run_read(config, clock, state=first.state(), streams=("orders",))
    ecom.clear_log()
    third = run_read(config, clock, state=second.state(), streams=("orders",))

    assert [o["source_id"] for o in second.records("orders")] == [str(changed)]
    assert second.records("orders")[0]["updated_at"] > max(o["updated_at"] for o in first.records("orders"))
    assert any(r.path.endswith("/orders.json") for r in ecom.requests())  # asked again inside the lookback ...
    assert third.records("orders") == []  # ... and the boundary order was dropped as already delivered
    assert third.stream_state("orders")["updated_at"] == second.stream_state("orders")["updated_at"]


def test_given_a_tight_five_minute_window_when_syncing_then_the_connector_waits_instead_of_hitting_429(clock):
    server = SandboxServer(LightspeedEcom(seed=SEED, orders=ORDERS, clock=clock, per_second=20,
                                          rate_limits=((300.0, 20), (3600.0, 3000), (86400.0, 12000)))).start()
    try:
        run = run_read(ecom_config(server.base_url), clock, streams=("orders",))  # sleep only advances the clock
        statuses = [r.status for r in server.requests()]
        wanted = _booked_ids(_vendor(server))
    finally:
        server.stop()

    assert {o["source_id"] for o in run.records("orders")} == wanted
    assert len(statuses) > 20 and 429 not in statuses
    assert any(s >= 100 for s in clock.slept)  # waited for the 5-minute window to reset


def test_given_daily_limit_used_up_when_syncing_then_it_stops_cleanly_as_a_transient_error(ecom, clock):
    _vendor(ecom).exhaust_daily_limit()

    run = run_read(ecom_config(ecom.base_url), clock, streams=("orders",), expect_error=True)

    errors = [m.trace.error for m in run.messages if m.trace and m.trace.error]
    assert errors[0].failure_type.value == "transient_error"  # the stream's own error: retry after the reset
    assert "daily request limit" in errors[0].message
    assert [e.failure_type.value for e in errors[1:]] == ["config_error"]  # only the CDK's summary of failed streams
    assert run.records("orders") == [] and run.stream_state("orders") == {}
    assert sum(1 for r in ecom.requests() if r.status == 429) <= 1  # stops at the first refusal, no retry storm
    assert clock.slept == []  # no hours-long sleep waiting for tomorrow


def test_given_wrong_api_secret_when_check_then_it_fails_naming_the_credentials_without_the_secret(ecom, tmp_path):
    config = ecom_config(ecom.base_url, platform={"api_secret": "wrong-secret-value-0000000000000"})

    status, messages = run_check(config, tmp_path)

    assert status.status == Status.FAILED
    assert "401" in status.message and "Invalid API key or secret" in status.message
    assert not any("wrong-secret-value" in str(m) for m in messages)


def test_given_unknown_language_when_check_then_it_fails_naming_the_language(ecom, tmp_path):
    status, _ = run_check(ecom_config(ecom.base_url, platform={"language": "xx"}), tmp_path)

    assert status.status == Status.FAILED
    assert "Unknown or inactive language" in status.message and "'xx'" in status.message


def test_given_a_burst_of_503s_when_syncing_then_retries_deliver_every_order_once(ecom, clock):
    ecom.add_fault("503", every=1, count=3, path=r"/orders\.json$")

    run = run_read(ecom_config(ecom.base_url), clock, streams=("orders",))

    assert sorted(o["source_id"] for o in run.records("orders")) == sorted(_booked_ids(_vendor(ecom)))
    assert sum(1 for r in ecom.requests() if r.status == 503) == 3
    assert len(clock.slept) >= 3  # backed off (on the fake clock) before each retry


def test_given_valid_key_and_secret_when_check_then_it_succeeds(ecom, tmp_path):
    status, _ = run_check(ecom_config(ecom.base_url), tmp_path)

    assert status.status == Status.SUCCEEDED
