"""The booking report: per-order outcomes through the write loop, the CSV an accountant sums, the escaped HTML page."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common.errors import ApiError, ConfigError, RecordError
from connector_common.protocol import record
from connector_common.report import (
    CREATED,
    WOULD_CREATE,
    DocumentOutcome,
    Recorder,
    VatPart,
    render_html,
    report_paths,
    totals_by_document_type,
    totals_by_scenario,
)
from connector_common.write_loop import Pending, split_report_flag, write_loop

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class BookingSink:
    """A sink that books like a destination: debtor, one invoice per order (plus a credit note for 'R' orders)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def prepare(self, batch: Sequence[Pending]) -> None:
        pass

    def write(self, item: Pending) -> str:
        data = item.data
        if data["payment_status"] == "pending":
            return "skipped_unpaid"
        if data["source_id"] == "bad":
            raise RecordError("orders", "bad (#9)", "lines[0].tax_rate", "line 1 has no VAT rate")
        self.recorder.debtor("matched debtor jan@example.com")
        self.recorder.document(DocumentOutcome("SalesInvoice", f"shop:{data['reference']}", CREATED, "24700001", (
            VatPart("domestic_21", "2", Decimal("21"), Decimal("100.00"), Decimal("21.00")),
            VatPart("domestic_9", "1", Decimal("9"), Decimal("10.00"), Decimal("0.90")))))
        if data["source_id"].endswith("R"):
            self.recorder.document(DocumentOutcome("credit_note", f"shop:{data['reference']}/R1", CREATED,
                                                   "24700002", (VatPart("domestic_21", "2", Decimal("21"),
                                                                        Decimal("-10.00"), Decimal("-2.10")),)))
        if data["source_id"] == "noted":
            self.recorder.note("changed in the shop after it was booked")
        return "created"

    def summary(self) -> dict[str, Any]:
        return {}


def order(source_id: str, reference: str, status: str = "paid") -> Any:
    return record("orders", {"source_id": source_id, "reference": reference, "payment_status": status,
                             "created_at": "2026-03-01T10:00:00+01:00"})


def run(tmp_path: Path, messages: list[Any]) -> tuple[Recorder, list[Any]]:
    recorder = Recorder(tmp_path / "out" / "booking", destination="Exact Online")
    sink = BookingSink(recorder)
    out: list[Any] = []
    with pytest.raises(AirbyteTracedException):  # the bad order fails the sync after the summary
        out.extend(write_loop(messages, sink, streams={"orders"}, recorder=recorder))
    return recorder, out


MESSAGES = [order("1", "#1001"), order("2R", "#1002"), order("p", "#1003", "pending"), order("bad", "#9"),
            order("noted", HOSTILE)]


def test_given_a_write_with_report_path_when_it_ends_then_the_csv_has_a_row_per_document_part_and_every_reason(
        tmp_path: Path) -> None:
    _, out = run(tmp_path, MESSAGES)

    rows = list(csv.DictReader((tmp_path / "out" / "booking.csv").open(encoding="utf-8")))
    by_order: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_order.setdefault(row["shop_reference"], []).append(row)
    assert [r["vat_scenario"] for r in by_order["#1001"]] == ["domestic_21", "domestic_9"]
    assert {(r["document_type"], r["document_number"]) for r in by_order["#1002"]} == {
        ("SalesInvoice", "24700001"), ("credit_note", "24700002")}
    assert len(by_order["#1003"]) == 1
    assert (by_order["#1003"][0]["status"], by_order["#1003"][0]["reason"]) == (
        "skipped", "not paid: payment status pending")
    assert by_order["#9"][0]["status"] == "failed"
    assert "orders/bad (#9): lines[0].tax_rate: line 1 has no VAT rate" in by_order["#9"][0]["reason"]
    assert by_order[HOSTILE][0]["reason"] == "changed in the shop after it was booked"
    assert sum(Decimal(r["gross"]) for r in rows if r["gross"]) == Decimal("131.90") * 3 - Decimal("12.10")
    assert all(Decimal(r["gross"]) == Decimal(r["net"]) + Decimal(r["vat"]) for r in rows if r["gross"])
    summary_line = next(m.log.message for m in out if m.log is not None and m.log.message.startswith("SUMMARY"))
    assert str(tmp_path / "out" / "booking.html") in summary_line


class TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_given_a_hostile_shop_text_when_rendered_then_it_is_text_on_the_page_never_markup(tmp_path: Path) -> None:
    recorder, _ = run(tmp_path, MESSAGES)

    page = (tmp_path / "out" / "booking.html").read_text(encoding="utf-8")
    parsed = TextAndTags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert HOSTILE in "".join(parsed.text)
    assert render_html(recorder.orders, destination=HOSTILE, dry_run=False).count("<script>") == 0


def test_given_the_page_then_it_is_semantic_and_has_totals_and_what_to_check(tmp_path: Path) -> None:
    run(tmp_path, MESSAGES)

    page = (tmp_path / "out" / "booking.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<caption>" in page and '<th scope="col"' in page
    assert '<th scope="row">domestic 21</th>' in page
    assert "What to check" in page and "@media print" in page
    assert "2 order(s) were not booked: #1003, #9" in page


def test_given_documents_then_totals_per_scenario_and_type_count_credits_negative(tmp_path: Path) -> None:
    recorder, _ = run(tmp_path, MESSAGES)

    scenario = totals_by_scenario(recorder.orders)
    kinds = totals_by_document_type(recorder.orders)
    assert (scenario["domestic_21"].net, scenario["domestic_21"].vat) == (Decimal("290.00"), Decimal("60.90"))
    assert (kinds["credit_note"].documents, kinds["credit_note"].gross) == (1, Decimal("-12.10"))
    assert kinds["SalesInvoice"].documents == 3


def test_given_a_dry_run_then_the_page_says_would_create_and_nothing_was_written(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "dry", dry_run=True)
    recorder.begin("orders", {"source_id": "1", "reference": "#1", "created_at": "2026-03-01T00:00:00Z"})
    recorder.document(DocumentOutcome("SalesInvoice", "shop:#1", WOULD_CREATE, parts=(
        VatPart("export", "6", Decimal("0"), Decimal("5.00"), Decimal("0.00")),)))
    recorder.finish("dry_run")

    page = render_html(recorder.orders, destination="Exact Online", dry_run=True)
    assert recorder.orders[0].status == "dry run"
    assert "would create" in page and "dry run: nothing was written" in page


def test_given_no_report_path_then_outcomes_are_not_kept() -> None:
    recorder = Recorder()
    recorder.begin("orders", {"source_id": "1"})
    recorder.finish("created")
    assert recorder.orders == [] and recorder.save() is None


@pytest.mark.parametrize(("given", "html"), [("r/booking", "r/booking.html"), ("r/booking.html", "r/booking.html"),
                                             ("r/booking.csv", "r/booking.html"), ("r/b.v1", "r/b.v1.html")])
def test_given_a_report_path_then_both_files_sit_beside_each_other(given: str, html: str) -> None:
    assert report_paths(given) == (Path(html), Path(html).with_suffix(".csv"))


def test_given_the_cli_report_flag_then_it_is_taken_out_of_the_cdk_arguments() -> None:
    assert split_report_flag(["write", "--config", "c.json", "--report", "r/x", "--catalog", "k.json"]) == (
        ["write", "--config", "c.json", "--catalog", "k.json"], "r/x")
    assert split_report_flag(["write", "--report=r/y"]) == (["write"], "r/y")
    assert split_report_flag(["check", "--config", "c.json"]) == (["check", "--config", "c.json"], None)


def test_given_a_report_path_that_cannot_be_written_then_the_write_stops_before_booking_naming_it(
        tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match=r"report_path '.*a-file/booking': cannot write .*a-file/booking\.html: "
                                          r"part of its folder path is a file"):
        Recorder(tmp_path / "a-file" / "booking")


def test_given_the_report_cannot_be_saved_at_the_end_then_the_summary_still_comes_and_says_so(
        tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "gone" / "booking")
    assert list((tmp_path / "gone").iterdir()) == []  # checked, nothing left behind
    (tmp_path / "gone").rmdir()
    (tmp_path / "gone").write_text("")  # the folder became a file while the sync ran

    out = list(write_loop([order("1", "#1001")], BookingSink(recorder), streams={"orders"}, recorder=recorder))

    logs = [m.log.message for m in out if m.log is not None]
    assert any(line.startswith("booking report not written to ") for line in logs)
    assert logs[-1].startswith("SUMMARY") and '"orders:created": 1' in logs[-1]


class StoppingSink(BookingSink):
    def write(self, item: Pending) -> str:
        if item.data["source_id"] == "2":
            raise ApiError("Exact Online answered 503 three times on POST salesinvoice/SalesInvoices")
        return super().write(item)


def test_given_an_api_error_stops_the_write_then_the_report_names_where_and_says_the_rest_was_not_processed(
        tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "booking", destination="Exact Online")
    with pytest.raises(AirbyteTracedException):
        list(write_loop([order("1", "#1001"), order("2", "#1002"), order("3", "#1003")], StoppingSink(recorder),
                        streams={"orders"}, recorder=recorder))

    rows = list(csv.DictReader((tmp_path / "booking.csv").open(encoding="utf-8")))
    assert [(r["shop_reference"], r["status"]) for r in rows if r["status"] != "booked"] == [("#1002", "failed")]
    assert "#1003" not in {r["shop_reference"] for r in rows}
    page = (tmp_path / "booking.html").read_text(encoding="utf-8")
    assert "The sync stopped at order #1002: orders after it were not processed" in page
