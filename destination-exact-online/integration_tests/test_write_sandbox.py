"""End-to-end writes against the Exact stand-in: exactly once, totals to the cent, faults, crashes, rotation."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import AirbyteMessage, FailureType
from exact_testdata import line, messages_for, order, realistic_orders, sandbox_config

import sandbox
from connector_common.model import PaymentStatus
from connector_common.testing import SimulatedClock

from .conftest import ledger, orders_in, resume_after, run_write


def _assert_booked_once(server: sandbox.SandboxServer, messages: list[AirbyteMessage],
                        entity: str = "SalesInvoice") -> None:
    """Every order has exactly one document under its reference, with the order's grand total to the cent."""
    orders = {f"{o.source}:{o.reference}": o for o in orders_in(messages)}
    docs = [d for d in ledger(server, entity) if not str(d["YourRef"]).split(":", 1)[1].count("/R")]
    refs = Counter(d["YourRef"] for d in docs)
    assert [r for r, n in refs.items() if n > 1] == []
    assert set(refs) == set(orders)
    for doc in docs:
        assert Decimal(str(doc["AmountFC"])) == orders[doc["YourRef"]].totals.grand_total, doc["YourRef"]


def test_given_300_orders_when_written_twice_then_one_invoice_per_order_to_the_cent_and_nothing_new(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for(realistic_orders(300))
    config = sandbox_config(exact.base_url)

    first = run_write(config, messages, clock=clock)
    assert first.error is None
    _assert_booked_once(exact, messages)
    credit_notes = [d for d in ledger(exact) if "/R" in d["YourRef"]]
    assert len(credit_notes) == sum(1 for o in orders_in(messages) if o.refunds)
    assert all(Decimal(str(d["AmountFC"])) < 0 for d in credit_notes)
    assert len(first.states) == 12
    summary = first.summary()
    assert summary["skipped_count"] == 0
    assert summary["customers"]["defaulted"] == sum(1 for o in orders_in(messages) if o.customer is None)

    exact.clear_log()
    second = run_write(first.config_after(config), messages, clock=clock)
    assert second.error is None
    assert [r.method for r in exact.requests() if r.method in ("POST", "PUT") and "/oauth2/" not in r.path] == []
    assert second.summary()["outcomes"] == {"orders:exists": 300}
    _assert_booked_once(exact, messages)


def test_given_minutely_limit_when_writing_then_connector_waits_out_the_minute_instead_of_failing(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for(realistic_orders(80))
    result = run_write(sandbox_config(exact.base_url), messages, clock=clock)
    assert result.error is None
    assert [r for r in exact.requests() if r.status == 429] == []
    assert clock.total_slept > 0  # waited for X-RateLimit-Minutely-Reset rather than hitting 429
    _assert_booked_once(exact, messages)


@pytest.mark.parametrize("kind", ["429", "500", "503", "drop", "lost_response"])
def test_given_injected_faults_when_written_and_resumed_then_every_order_is_booked_exactly_once(
        exact: sandbox.SandboxServer, clock: SimulatedClock, kind: str) -> None:
    messages = messages_for(realistic_orders(60), state_every=10)
    exact.add_fault(kind, rate=0.15, path=r"^/api/v1/\d+/", retry_after=2)
    config = sandbox_config(exact.base_url, batch_size=10)
    todo = messages
    for _ in range(20):
        result = run_write(config, todo, clock=clock)
        config = result.config_after(config)
        if result.error is None:
            break
        assert result.error.failure_type == FailureType.transient_error
        todo = resume_after(todo, result)
    else:
        pytest.fail("never finished")
    assert sum(r.fault is not None for r in exact.requests()) > 0
    _assert_booked_once(exact, messages)


def test_given_a_crash_between_booking_and_state_when_resumed_then_no_order_is_booked_twice(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for(realistic_orders(60), state_every=25)
    config = sandbox_config(exact.base_url, batch_size=10)

    emitted: list[str] = []
    with pytest.raises(KeyboardInterrupt):  # killed at message 22: two batches of 10 booked, no STATE yet
        run_write(config, _raise_at(messages, 22), clock=clock, sink=emitted)
    assert len([d for d in ledger(exact) if "/R" not in d["YourRef"]]) == 20
    config = _latest_config(config, emitted)
    result = run_write(config, messages, clock=clock)  # nothing was echoed: the platform resends everything
    assert result.error is None
    assert result.summary()["outcomes"]["orders:exists"] == 20
    _assert_booked_once(exact, messages)


def _latest_config(config: dict, lines: list[str]) -> dict:  # type: ignore[type-arg]
    controls = [json.loads(line) for line in lines if '"CONTROL"' in line]
    return dict(controls[-1]["control"]["connectorConfig"]["config"]) if controls else config


def _raise_at(messages: list[AirbyteMessage], index: int):  # type: ignore[no-untyped-def]
    for i, m in enumerate(messages):
        if i == index:
            raise KeyboardInterrupt("killed")
        yield m


def test_given_daily_limit_exhausted_when_writing_then_stops_cleanly_and_resumes_next_day(
        clock: SimulatedClock) -> None:
    exact = sandbox.start("exact", clock=clock, minutely_limit=None, daily_limit=5000)
    messages = messages_for(realistic_orders(60), state_every=10)
    exact.add_fault("daily_limit", every=90, count=1, path=r"^/api/v1/\d+/")
    config = sandbox_config(exact.base_url, batch_size=10)
    first = run_write(config, messages, clock=clock)
    assert len(first.states) >= 1
    assert first.error is not None and first.error.failure_type == FailureType.transient_error
    assert "daily limit" in (first.error.message or "") and "resume after" in (first.error.message or "")
    assert first.summary()["skipped_count"] == 0
    exact.vendor.limits.reset()  # type: ignore[attr-defined]  # the next day
    second = run_write(first.config_after(config), resume_after(messages, first), clock=clock)
    assert second.error is None
    _assert_booked_once(exact, messages)
    exact.stop()


def test_given_token_rotation_mid_run_when_written_from_cli_config_then_latest_token_is_persisted(
        clock: SimulatedClock, config_file: Path) -> None:
    server = sandbox.start("exact", clock=clock, daily_limit=None, access_token_ttl=40)
    try:
        messages = messages_for(realistic_orders(60))
        config = sandbox_config(server.base_url)
        config_file.write_text(json.dumps(config))
        result = run_write(config, messages, clock=clock, config_path=str(config_file))
        assert result.error is None
        assert len(result.controls) >= 2  # one per refresh, each carrying the new single-use refresh token
        saved = json.loads(config_file.read_text())
        last = result.controls[-1].control.connectorConfig.config  # type: ignore[union-attr]
        assert saved["credentials"]["refresh_token"] == last["credentials"]["refresh_token"]
        assert saved["credentials"]["refresh_token"] != config["credentials"]["refresh_token"]
        _assert_booked_once(server, messages)
        # the persisted token works for the next run, the original one is burnt
        again = run_write(saved, messages, clock=clock)
        assert again.error is None and again.summary()["outcomes"] == {"orders:exists": 60}
        stale = run_write(config, messages, clock=clock)
        assert stale.error is not None and stale.error.failure_type == FailureType.config_error
    finally:
        server.stop()


@pytest.mark.parametrize("document_type", ["sales_order", "sales_entry"])
def test_given_other_document_types_when_written_then_one_document_per_order_to_the_cent(
        exact: sandbox.SandboxServer, clock: SimulatedClock, document_type: str) -> None:
    messages = messages_for(realistic_orders(40))
    config = sandbox_config(exact.base_url, document_type=document_type, revenue_gl_account="8000",
                            rounding_gl_account="8900", revenue_gl_accounts_by_country={"DE": "8300"})
    result = run_write(config, messages, clock=clock)
    assert result.error is None, result.error
    entity = "SalesOrder" if document_type == "sales_order" else "SalesEntry"
    _assert_booked_once(exact, messages, entity)
    again = run_write(result.config_after(config), messages, clock=clock)
    assert again.summary()["outcomes"] == {"orders:exists": 40}


def test_given_dry_run_when_written_then_plan_is_printed_and_nothing_is_written(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for([order(1, email=None), order(2, scenario="icp"), order(3, scenario="oss_de")])
    result = run_write(sandbox_config(exact.base_url, dry_run=True), messages, clock=clock)
    assert result.error is None
    writes = [r for r in exact.requests() if r.method in ("POST", "PUT") and "/oauth2/" not in r.path]
    assert writes == []
    logs = [m.log.message for m in result.messages if m.log]
    plans = [text for text in logs if text.startswith("PLAN ")]
    assert len(plans) == 3
    assert "default debtor 999999" in plans[0] and "domestic_21" in plans[0]
    assert "new debtor" in plans[1] and "icp_goods" in plans[1] and "VAT code 7" in plans[1]
    assert "oss_DE_19" in plans[2] and "VAT code D1" in plans[2]
    assert result.summary()["outcomes"] == {"orders:dry_run": 3}


def test_given_an_order_without_vat_code_when_written_then_it_is_skipped_with_a_named_error_and_the_run_fails(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    config = sandbox_config(exact.base_url, vat_codes={"domestic_zero": "5"})  # no export code
    messages = messages_for([order(1), order(2, scenario="export"), order(3)])
    result = run_write(config, messages, clock=clock)
    assert result.error is not None and result.error.failure_type == FailureType.config_error
    summary = result.summary()
    assert summary["skipped_count"] == 1
    assert "900002 (#1002)" in summary["skipped"][0] and "lines.0" in summary["skipped"][0]
    assert "export" in summary["skipped"][0] and "country NL" in summary["skipped"][0]
    assert len(ledger(exact)) == 2


def test_given_pos_return_receipt_and_exchange_when_written_twice_then_credit_notes_once_to_the_cent(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    def receipt(number: int, *lines: Any) -> Any:
        o = order(number, email=None, ship=None, source="lightspeed_retail", status=PaymentStatus.REFUNDED,
                  lines=lines)
        return replace(o, reference=f"2201000026{number:02d}", channel="pos")

    returned = receipt(1, line("1", "SKU-1", "19.95", -2, Decimal(21), gross=True),
                       line("2", "SKU-2", "4.50", -1, Decimal(9), gross=True))
    exchange = receipt(2, line("1", "SKU-3", "10.00", 1, Decimal(21), gross=True),
                       line("2", "SKU-1", "19.95", -1, Decimal(21), gross=True))
    messages = messages_for([returned, exchange])
    config = sandbox_config(exact.base_url)
    first = run_write(config, messages, clock=clock)
    assert first.error is None
    second = run_write(first.config_after(config), messages, clock=clock)
    assert second.error is None and second.summary()["outcomes"] == {"orders:exists": 2}
    docs = {d["YourRef"]: d for d in ledger(exact)}
    assert sorted(docs) == ["lightspeed_retail:220100002601", "lightspeed_retail:220100002602"]
    posted = [json.loads(r.body) for r in exact.requests() if r.method == "POST" and r.path.endswith("/SalesInvoices")]
    assert [(p["YourRef"], p["Type"]) for p in posted] == [(ref, 8021) for ref in sorted(docs)]  # credit notes
    default_debtor = {d["OrderedBy"] for d in docs.values()}
    assert len(default_debtor) == 1  # both walk-in receipts on the one default debtor
    for o in (returned, exchange):
        doc = docs[f"lightspeed_retail:{o.reference}"]
        assert Decimal(str(doc["AmountFC"])) == o.totals.grand_total < 0
