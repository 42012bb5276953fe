"""reconcile-bookings' comparison: shop vs ledger per VAT scenario and document type; missing, twice, a cent off."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connector_common import reconcile
from connector_common.reconcile import LedgerDocument
from connector_common.reconcile import reconcile as compare
from connector_common.records import to_record
from connector_common.report import CREATED, DocumentOutcome, Recorder, VatPart, write_report
from connector_common.testing import make_line, make_order

D = Decimal


def booking_report(tmp_path: Path) -> Path:
    """A booking report's CSV of three booked orders (one with a credit note) and one skipped order."""
    recorder = Recorder(tmp_path / "booking")
    for sid, ref, day in (("1", "#1", "2026-03-01"), ("2", "#2", "2026-03-02"), ("3", "#3", "2026-03-31")):
        recorder.begin("orders", {"source_id": sid, "reference": ref, "created_at": f"{day}T09:00:00Z"})
        recorder.document(DocumentOutcome("SalesInvoice", f"shop:{ref}", CREATED, f"2470000{sid}", (
            VatPart("domestic_21", "2", D("21"), D("100.00"), D("21.00")),
            VatPart("icp_goods", "7", D("0"), D("50.00"), D("0.00")))))
        if sid == "2":
            recorder.document(DocumentOutcome("credit_note", "shop:#2/R9", CREATED, "24700009", (
                VatPart("domestic_21", "2", D("21"), D("-10.00"), D("-2.10")),)))
        recorder.finish("created")
    recorder.begin("orders", {"source_id": "4", "reference": "#4", "payment_status": "pending"})
    recorder.finish("skipped_unpaid")
    return write_report(tmp_path / "booking", recorder.orders, destination="x", dry_run=False)[1]


def ledger_of(*rows: tuple[str, str, str, str]) -> list[LedgerDocument]:
    return [LedgerDocument(ref, number, "2026-03-01", D(net), D(vat)) for ref, number, net, vat in rows]


CLEAN = [("shop:#1", "24700001", "150.00", "21.00"), ("shop:#2", "24700002", "150.00", "21.00"),
         ("shop:#2/R9", "24700009", "-10.00", "-2.10"), ("shop:#3", "24700003", "150.00", "21.00")]


def test_given_a_ledger_that_holds_every_document_then_every_total_agrees_and_skipped_orders_are_named(
        tmp_path: Path) -> None:
    shop = reconcile.shop_from_report_csv([booking_report(tmp_path)])

    result = compare(shop, ledger_of(*CLEAN), ledger="Exact Online")

    assert result.clean and result.difference == 0
    scenario = {line.name: line for line in result.by_scenario}
    assert (scenario["domestic_21"].shop_net, scenario["domestic_21"].ledger_vat) == (D("290.00"), D("60.90"))
    kinds = {line.name: line for line in result.by_type}
    assert (kinds["credit_note"].shop_documents, kinds["invoice"].ledger_documents) == (1, 3)
    assert [(n.order, n.reason) for n in result.not_booked] == [("#4", "not paid: payment status pending")]
    assert "difference shop vs ledger: 0.00" in reconcile.render_text(result)


def test_given_a_missing_a_doubled_and_a_cent_off_document_then_each_is_named_with_its_number(
        tmp_path: Path) -> None:
    shop = reconcile.shop_from_report_csv([booking_report(tmp_path)])
    ledger = ledger_of(("shop:#1", "24700001", "150.00", "21.00"), ("shop:#1", "24700011", "150.00", "21.00"),
                       ("shop:#2", "24700002", "150.01", "21.00"), ("shop:#2/R9", "24700009", "-10.00", "-2.10"))

    result = compare(shop, ledger, ledger="Exact Online")

    assert not result.clean
    assert [(f.order, f.reference) for f in result.missing] == [("#3", "shop:#3")]
    assert [(f.order, f.numbers) for f in result.twice] == [("#1", ("24700001", "24700011"))]
    assert [(f.numbers, f.shop_gross, f.ledger_gross) for f in result.differs] == [
        (("24700002",), D("171.00"), D("171.01"))]
    assert result.difference == D("171.00") - D("171.00") + D("0.01")  # +1 doubled, -1 missing, +0.01
    text = reconcile.render_text(result)
    assert "#3 (shop:#3): document(s) none; shop 171.00" in text
    assert "#2 (shop:#2): document(s) 24700002; shop 171.00, ledger 171.01" in text


def test_given_a_period_then_only_orders_dated_in_it_are_compared(tmp_path: Path) -> None:
    shop = reconcile.shop_from_report_csv([booking_report(tmp_path)])

    result = compare(shop, ledger_of(*CLEAN[:3]), ledger="x", period=(date(2026, 3, 1), date(2026, 3, 30)))

    assert result.clean and result.period == ("2026-03-01", "2026-03-30")


def test_given_the_sources_jsonl_then_paid_orders_and_refunds_are_expected_and_unpaid_ones_named(
        tmp_path: Path) -> None:
    paid = make_order(source_id="10", reference="#10", lines=[make_line("SKU-1", "1", "12.10", "21")])
    pending = make_order(source_id="11", reference="#11", payment_status="pending",
                         lines=[make_line("SKU-2", "1", "5.00", "21")])
    path = tmp_path / "source_output.jsonl"
    path.write_text("\n".join(json.dumps({"type": "RECORD", "record": {"stream": "orders", "data": to_record(o),
                                                                        "emitted_at": 0}}) for o in (paid, pending)))

    shop = reconcile.shop_from_source_jsonl([path])
    reference = f"{paid.source}:#10"
    result = compare(shop, ledger_of((reference, "1", "10.00", "2.10")), ledger="x")

    assert list(shop.documents) == [reference]
    assert result.clean  # source records carry the gross only: compared on the gross
    assert [(n.order, n.reason) for n in result.not_booked] == [("#11", "not paid: payment status pending")]


def test_given_a_file_that_is_not_a_booking_report_then_one_line_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["status", "net"], ["booked", "1.00"]])
    with pytest.raises(reconcile.ConfigError, match=r"other\.csv: line 2 has no booking_reference"):
        reconcile.shop_from_report_csv([path])


def test_given_an_unknown_destination_then_the_installed_ledgers_are_listed(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.json"
    config.write_text("{}")
    code = reconcile.main(["--destination", "nope", "--config", str(config), "--bookings",
                           str(booking_report(tmp_path))])
    err = capsys.readouterr().err
    assert code == 2 and "'nope' is not an installed ledger" in err and "exact-online" in err


def test_given_a_bookings_file_that_does_not_exist_then_one_line_names_it(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.json"
    config.write_text("{}")
    code = reconcile.main(["--destination", "exact-online", "--config", str(config), "--bookings",
                           str(tmp_path / "missing.csv")])
    assert (code, capsys.readouterr().err) == (2, f"reconcile-bookings: {tmp_path / 'missing.csv'}: "
                                                  "No such file or directory\n")


def test_given_the_ledgers_documents_of_the_period_then_ours_the_records_do_not_know_are_named(
        tmp_path: Path) -> None:
    shop = reconcile.shop_from_report_csv([booking_report(tmp_path)])
    in_period = [*ledger_of(*CLEAN), LedgerDocument("shop:#7", "24700007", "2026-03-05", D("10.00"), D("2.10")),
                 LedgerDocument("lightspeed:#7", "24700008", "2026-03-05", D("5.00"), D("0.00")),  # another source
                 LedgerDocument("", "24700010", "2026-03-06", D("1.00"), D("0.00"))]  # booked by hand

    result = compare(shop, ledger_of(*CLEAN), ledger="x", period=(date(2026, 3, 1), date(2026, 3, 31)),
                     ledger_in_period=in_period)

    assert not result.clean and result.period_listed
    assert [(f.order, f.numbers, f.ledger_gross) for f in result.unknown] == [("#7", ("24700007",), D("12.10"))]
    assert "in the ledger for the period, not in these records: 1" in reconcile.render_text(result)
    assert "    - #7 (shop:#7): document(s) 24700007; shop -, ledger 12.10" in reconcile.render_text(result)


def test_given_no_period_then_the_ledger_is_asked_by_reference_only(tmp_path: Path) -> None:
    shop = reconcile.shop_from_report_csv([booking_report(tmp_path)])
    result = compare(shop, ledger_of(*CLEAN), ledger="x")
    assert result.clean and not result.period_listed
    assert "not in these records" not in reconcile.render_text(result)
