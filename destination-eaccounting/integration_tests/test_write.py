"""End to end against the eAccounting sandbox: exactly one document per order, totals to the cent, re-runs, faults."""

from __future__ import annotations

import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import FailureType

import sandbox

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit_tests"))
from eacc_builders import Line, OrderSpec, build_order, many_specs, order_record
from eacc_harness import Run, booked_total, catalog, ledger, run_write, with_states

from destination_eaccounting.destination import DestinationEaccounting
from destination_eaccounting.plan import document_reference

ORDERS = 200


def bookable(specs: list[OrderSpec]) -> list[OrderSpec]:
    return [s for s in specs if s.payment_status.value == "paid" and not s.cancelled]


def assert_exactly_once(server: sandbox.SandboxServer, specs: list[OrderSpec]) -> None:
    """One draft per bookable order with the shop's total to the cent, one credit per refund, nothing else."""
    docs = ledger(server)
    expected: dict[str, Any] = {}
    for spec in bookable(specs):
        order = build_order(spec)
        expected[document_reference(order)] = order.totals.grand_total
        for refund in order.refunds:
            expected[document_reference(order, refund)] = refund.total_incl
    duplicates = {ref: len(d) for ref, d in docs.items() if len(d) > 1}
    missing = sorted(set(expected) - set(docs))
    unexpected = sorted(set(docs) - set(expected))
    assert (duplicates, missing, unexpected) == ({}, [], [])
    wrong = {ref: (str(abs(booked_total(d[0]))), str(expected[ref])) for ref, d in docs.items()
             if abs(booked_total(d[0])) != expected[ref]}
    assert wrong == {}


def resume_until_done(cfg: dict[str, Any], specs: list[OrderSpec], max_runs: int = 20) -> list[Run]:
    """Run, and after a failure restart from the last echoed state, the way Airbyte resumes a sync."""
    records = [order_record(s) for s in specs]
    position, runs = 0, []
    for _ in range(max_runs):
        run = run_write(cfg, with_states(records[position:]))
        runs.append(run)
        if run.states:
            position += run.states[-1]
        if run.error is None:
            return runs
    raise AssertionError(f"not done after {max_runs} runs: {[str(r.error) for r in runs]}")


def test_given_a_few_hundred_orders_when_written_then_one_document_each_with_totals_to_the_cent(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    specs = many_specs(ORDERS)
    run = run_write(cfg, with_states([order_record(s) for s in specs]))
    assert run.error is None, run.error
    assert run.states == [20 * i for i in range(1, ORDERS // 20 + 1)]
    assert_exactly_once(server, specs)
    summary = run.summary
    outcomes = summary["outcomes"]
    assert outcomes["orders:created"] == len(bookable(specs))
    assert outcomes["orders:skipped_unpaid"] + outcomes["orders:skipped_cancelled"] == ORDERS - len(bookable(specs))
    customers = summary["customers"]
    assert customers["defaulted"] == sum(1 for s in bookable(specs) if s.email is None)
    vat = summary["vat"]
    assert {"domestic_25", "domestic_12", "domestic_6", "icp_goods", "export"} <= set(vat)


def test_given_everything_booked_when_run_again_then_nothing_new_and_few_calls(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    specs = many_specs(60)
    records = [order_record(s) for s in specs]
    assert run_write(cfg, with_states(records)).error is None
    before = {k: len(v) for k, v in ledger(server).items()}
    server.clear_log()
    again = run_write(cfg, with_states(records))
    assert again.error is None
    assert {k: len(v) for k, v in ledger(server).items()} == before
    posts = [r for r in server.requests() if r.method == "POST" and "/v2/" in r.path]
    assert posts == []


@pytest.mark.parametrize("fault", [
    {"kind": "429", "rate": 0.15, "retry_after": 1},
    {"kind": "500", "rate": 0.1},
    {"kind": "503", "rate": 0.1},
    {"kind": "drop", "rate": 0.08},
    {"kind": "lost_response", "rate": 0.15, "method": "POST"},
])
def test_given_injected_faults_when_written_and_resumed_then_no_duplicate_and_no_gap(
        server: sandbox.SandboxServer, cfg: dict[str, Any], fault: dict[str, Any]) -> None:
    specs = many_specs(80)
    server.add_fault(**fault)
    resume_until_done(cfg, specs)
    server.clear_faults()
    assert_exactly_once(server, specs)


def test_given_lost_post_responses_when_written_then_duplicates_are_avoided_by_rechecking_the_reference(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    specs = bookable(many_specs(30))
    server.add_fault("lost_response", every=2, method="POST", path="customerinvoicedrafts")
    run = run_write(cfg, with_states([order_record(s) for s in specs]))
    assert run.error is None, run.error
    assert_exactly_once(server, specs)
    assert run.summary["recovered_after_ambiguous_write"] >= len(specs) // 2


def test_given_a_crash_between_booking_and_state_when_rerun_from_last_state_then_exactly_once(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    specs = many_specs(50)
    records = [order_record(s) for s in specs]
    messages = with_states(records, every=20)

    class Crash(Exception):
        pass

    def crashing() -> Any:
        for i, message in enumerate(messages):
            if i == 30:  # 28 records and 1 state in: the batch after the state is booked, its state never echoed
                raise Crash
            yield message

    echoed = []
    with pytest.raises(Crash):
        for message in DestinationEaccounting(sleep=lambda _s: None, emit=lambda _m: None).write(
                cfg, catalog(), crashing()):
            echoed.append(message)
    assert [m.state.stream.stream_state.position for m in echoed if m.state] == [20]
    resume = run_write(cfg, with_states(records[20:]))
    assert resume.error is None
    assert_exactly_once(server, specs)


def test_given_token_rotation_on_every_call_when_written_then_config_file_keeps_the_live_token(
        server: sandbox.SandboxServer, cfg: dict[str, Any], tmp_path: Path) -> None:
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(cfg))
    ticks = iter(range(0, 10**9, 4000))  # every clock read is more than an hour later: each call refreshes
    specs = bookable(many_specs(12))
    run = run_write(cfg, with_states([order_record(s) for s in specs]), clock=lambda: float(next(ticks)),
                    config_path=str(config_file))
    assert run.error is None, run.error
    controls = [json.loads(line) for line in run.lines if '"CONTROL"' in line]
    assert len(controls) > 10
    saved = json.loads(config_file.read_text())
    assert saved["credentials"]["refresh_token"] == controls[-1]["control"]["connectorConfig"]["config"][
        "credentials"]["refresh_token"]
    assert_exactly_once(server, specs)
    follow_up = run_write(saved, with_states([order_record(s) for s in specs]))
    assert follow_up.error is None


def test_given_revoked_tokens_when_written_then_config_error_asks_to_reauthorise(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    server.vendor.revoke_tokens()
    run = run_write(cfg, with_states([order_record(OrderSpec())]))
    assert run.error is not None and run.error.failure_type == FailureType.config_error
    assert "re-authorise" in str(run.error.message)
    assert "sandbox-eaccounting-secret" not in str(run.error.message) + "".join(run.lines)


def test_given_dry_run_when_written_then_plan_printed_and_nothing_created(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    specs = bookable(many_specs(10))
    run = run_write({**cfg, "dry_run": True}, with_states([order_record(s) for s in specs]))
    assert run.error is None
    plans = [line for line in run.lines if "DRY RUN shopify" in line]
    assert len(plans) == len(specs) + sum(1 for s in specs if s.refund_line)
    assert "customer invoice draft" in plans[0] and "VAT 25%" in plans[0]
    dump = server.vendor.dump()
    assert (dump["drafts"], dump["articles"], len(dump["customers"])) == ([], [], 1)
    assert not [r for r in server.requests() if r.method in ("POST", "PUT", "DELETE") and "/v2/" in r.path]


@pytest.mark.parametrize(("document_type", "kind"), [("customer_invoice", "invoices"), ("order", "orders")])
def test_given_other_document_types_when_written_then_booked_once(
        server: sandbox.SandboxServer, cfg: dict[str, Any], document_type: str, kind: str) -> None:
    specs = [s for s in bookable(many_specs(20)) if not s.refund_line]
    records = [order_record(s) for s in specs]
    for _ in range(2):
        run = run_write({**cfg, "document_type": document_type}, with_states(records))
        assert run.error is None, run.error
    docs = ledger(server, kind)
    assert sorted(docs) == sorted(document_reference(build_order(s)) for s in specs)
    assert all(len(d) == 1 for d in docs.values())
    if kind == "invoices":
        assert all(booked_total(d[0]) == build_order(s).totals.grand_total
                   for s in specs for ref, d in docs.items() if ref == document_reference(build_order(s)))


def test_given_bad_orders_when_skip_policy_then_good_ones_booked_and_failure_names_the_order(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    good = OrderSpec(reference="#1")
    oss = OrderSpec(reference="#2", country="DE", lines=[Line("TS-1", "Shirt", "1", "119.00", "19")])
    broken = order_record(OrderSpec(reference="#3"))
    broken["currency"] = "XXX"
    run = run_write(cfg, with_states([order_record(good), order_record(oss), broken]))
    assert run.error is not None and "2 record(s) were skipped" in str(run.error.message)
    assert sorted(ledger(server)) == ["shopify:#1"]
    errors = [line for line in run.lines if '"ERROR"' in line]
    assert any("orders/2 (#2)" in e and "domestic_19" in e for e in errors)
    assert any("orders/3 (#3)" in e and "currency" in e for e in errors)
    assert run.states == [3]


def test_given_o_brien_email_when_written_twice_then_one_customer_matched_by_escaped_filter(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    first = OrderSpec(reference="#1", email="o'brien@example.se")
    second = OrderSpec(reference="#2", email=" O'Brien@Example.se ")
    assert run_write(cfg, with_states([order_record(first)])).error is None
    assert run_write(cfg, with_states([order_record(second)])).error is None
    customers = [c for c in server.vendor.dump()["customers"] if c["EmailAddress"]]
    assert [c["EmailAddress"] for c in customers] == ["o'brien@example.se"]


def test_given_steady_state_when_orders_of_known_customers_then_about_one_call_per_order(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    first = bookable(many_specs(100))
    assert run_write(cfg, with_states([order_record(s) for s in first])).error is None
    later = [s for s in bookable(many_specs(100, start=5001)) if not s.refund_line]
    server.clear_log()
    assert run_write(cfg, with_states([order_record(s) for s in later])).error is None
    calls = Counter(r.method for r in server.requests() if "/v2/" in r.path)
    assert calls["POST"] == len(later)
    assert sum(calls.values()) / len(later) < 1.3


def test_given_pos_return_receipts_and_exchange_when_written_twice_then_credit_invoices_once_to_the_cent(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    receipt = OrderSpec(reference="220100002601", source="lightspeed_retail", email=None, channel="pos",
                        lines=[Line("TS-1", "Shirt", "-2", "249.95", "25"), Line("MUG-1", "Mug", "-1", "89.00", "12")])
    exchange = OrderSpec(reference="220100002602", source="lightspeed_retail", email=None, channel="pos",
                         lines=[Line("TS-2", "Shirt L", "1", "199.00", "25"), Line("TS-1", "Shirt", "-1", "249.95",
                                                                                   "25")])
    records = [order_record(receipt), order_record(exchange)]
    for record in records:
        record["payment_status"] = "refunded"
    first = run_write(cfg, with_states(records))
    assert first.error is None, first.error
    again = run_write(cfg, with_states(records))
    assert again.error is None and again.summary["outcomes"] == {"orders:exists": 2}
    docs = ledger(server)
    assert sorted(docs) == ["lightspeed_retail:220100002601", "lightspeed_retail:220100002602"]
    for spec in (receipt, exchange):
        [doc] = docs[f"lightspeed_retail:{spec.reference}"]
        assert doc["IsCreditInvoice"] is True and doc["CustomerNumber"] == "1"  # walk-in: the default customer
        assert booked_total(doc) == build_order(spec).totals.grand_total  # negative, to the cent
    rows = docs["lightspeed_retail:220100002602"][0]["Rows"]
    assert sorted((Decimal(str(r["Quantity"])), r["ArticleNumber"]) for r in rows) == [(-1, "TS-1"), (1, "TS-2")]


def test_given_customer_refused_by_eaccounting_when_written_then_that_order_skipped_and_the_others_booked(
        server: sandbox.SandboxServer, cfg: dict[str, Any]) -> None:
    # an e-mail address beyond CustomerApi.EmailAddress's maxLength (255): eAccounting refuses the customer
    refused = OrderSpec(reference="#1", email=f"{'x' * 250}@example.se", company="Firma AB")
    no_country = order_record(OrderSpec(reference="#2", email="bolag@example.se", company="Bolag AB",
                                        vat_number="SE556677889901"))
    no_country["billing_address"]["country"] = no_country["shipping_address"]["country"] = None
    run = run_write(cfg, with_states([order_record(refused), no_country, order_record(OrderSpec(reference="#3"))]))
    assert run.error is not None and "1 record(s) were skipped" in str(run.error.message)
    assert "orders/1 (#1): customer.email: eAccounting refused the customer" in str(run.error.message)
    assert sorted(ledger(server)) == ["shopify:#2", "shopify:#3"]
    bolag = [c for c in server.vendor.dump()["customers"] if c["EmailAddress"] == "bolag@example.se"]
    assert [c["InvoiceCountryCode"] for c in bolag] == ["SE"]  # the seller's country filled in
    assert run.states == [3]
