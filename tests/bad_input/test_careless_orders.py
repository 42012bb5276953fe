"""Issue 16, careless and hostile orders: each destination's real `write` process against a fresh stand-in.

What a user checks: the SUMMARY's notices and skipped list (reason code + the order's reference), the final error,
the exit code, and what the ledger holds afterwards (nothing half-written, nothing silently changed).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from stdin_runs import KINDS, Case, Runs, WriteRun, customer, order_data, record_line, state_line, stdin_of, under_xdist

from connector_common.model import CustomerRef, Order
from connector_common.testing import make_address, make_line, make_order

REPORTS = Path(tempfile.mkdtemp(prefix="careless-reports-"))  # booking reports of the runs that ask for one
BAD_VAT = "DE123456789"  # the format of a German VAT number, but its check digit is wrong (valid: DE123456788)
GOOD_VAT = "DE123456788"


def company_order(source_id: str, *, vat_number: str, rate: str) -> Order:
    """A paid sale to a German company: at 0 % it claims to be reverse charge (ICP), at 19 % it is an OSS sale."""
    ref = customer(source_id)
    company = CustomerRef(source_id=ref.source_id, email=ref.email, first_name="Anna", last_name="Becker",
                          company_name="Becker GmbH", vat_number=vat_number, is_company=True)
    address = make_address("DE", line1="Hauptstr. 1", postcode="10115", city="Berlin", company="Becker GmbH")
    return make_order(source_id=source_id, lines=[make_line(f"SKU-{source_id}", 2, "50.00", rate)], customer=company,
                      country="DE", postcode="10115", address=address)


def vat_stdin() -> bytes:
    """A valid reverse-charge sale, the same with a wrong check digit, and a 19 % sale to a company whose number is
    wrong (so it is no reverse-charge sale either way)."""
    orders = [company_order("601", vat_number=GOOD_VAT, rate="0"), company_order("602", vat_number=BAD_VAT, rate="0"),
              company_order("603", vat_number=BAD_VAT, rate="19")]
    return stdin_of([line for n, o in enumerate(orders, 1) for line in (record_line(order_data(o)), state_line(n))])


def invalid_number_stdin() -> bytes:
    """Only the 0 % sale on the invalid number (a seller that is not OSS-registered has no 19 % code for #603)."""
    return stdin_of([record_line(order_data(company_order("602", vat_number=BAD_VAT, rate="0"))), state_line(1)])


def sku_case_stdin() -> bytes:
    """The shop's SKU-701 booked (its item created), then an order whose line says sku-701: the same item for a
    ledger that compares item codes case-insensitively."""
    first = make_order(source_id="701", lines=[make_line("SKU-701", 1, "12.10", "21")], customer=customer("701"))
    second = make_order(source_id="702", lines=[make_line("sku-701", 2, "12.10", "21")], customer=customer("702"))
    return stdin_of([record_line(order_data(first)), state_line(1), record_line(order_data(second)), state_line(2)])


def changed_stdin() -> tuple[bytes, Order, Order]:
    """Order 801 booked and checkpointed, then the same order re-sent with an extra line and a later updated_at."""
    first = make_order(source_id="801", lines=[make_line("SKU-801", 1, "12.10", "21")], customer=customer("801"))
    changed = make_order(source_id="801", lines=[make_line("SKU-801", 1, "12.10", "21"),
                                                 make_line("TEA-9", 2, "4.36", "9")],
                         customer=customer("801"), updated_at=first.updated_at + timedelta(days=2))
    same = make_order(source_id="802", lines=[make_line("SKU-802", 1, "12.10", "21")], customer=customer("802"))
    lines = [record_line(order_data(first)), record_line(order_data(same)), state_line(1),
             record_line(order_data(changed)), record_line(order_data(same)), state_line(2)]
    return stdin_of(lines), first, changed


def zero_lines_stdin() -> bytes:
    """Order 911 has a line of quantity 0 and amount 0 (a free gift the shop listed); order 912 a line of quantity 0
    that still amounts to 12.10 (a shop bug: booking it as 1 x 12.10 or dropping it would both be wrong)."""
    free = make_order(source_id="911", lines=[make_line("SKU-911", 1, "12.10", "21"),
                                              make_line("GIFT-1", 0, "5.00", "21", title="Free tote bag")],
                      customer=customer("911"))
    bad = order_data(make_order(source_id="912", lines=[make_line("SKU-912", 1, "12.10", "21"),
                                                        make_line("SKU-913", 1, "12.10", "21", title="Mug")],
                                customer=customer("912")))
    bad["lines"][1]["quantity"] = "0"
    return stdin_of([record_line(order_data(free)), state_line(1), record_line(bad), state_line(2)])


def amounts_stdin() -> bytes:
    """951: a sale with a deposit returned (a line at a negative unit price), 952: only that line (a sale that
    totals below 0), 953: a line of 10^15 EUR (beyond what either ledger holds), 954: 2,000,000 EUR (above the
    default max_order_total), 955: the same 2,000,000 EUR order where the config raises the maximum (other run)."""
    orders = [make_order(source_id="951", lines=[make_line("SKU-951", 1, "50.00", "21"),
                                                 make_line("DEP-1", 1, "-10.00", "21", title="Deposit back")],
                         customer=customer("951")),
              make_order(source_id="952", lines=[make_line("DEP-1", 1, "-10.00", "21", title="Deposit back")],
                         customer=customer("952")),
              make_order(source_id="953", lines=[make_line("SKU-953", 1, "1000000000000000.00", "21")],
                         customer=customer("953")),
              make_order(source_id="954", lines=[make_line("SKU-954", 1, "2000000.00", "21")], customer=customer("954"))]
    return stdin_of([line for n, o in enumerate(orders, 1) for line in (record_line(order_data(o)), state_line(n))])


def raised_maximum_stdin() -> bytes:
    order = make_order(source_id="955", lines=[make_line("SKU-955", 1, "2000000.00", "21")], customer=customer("955"))
    return stdin_of([record_line(order_data(order)), state_line(1)])


def sub_cent_stdin() -> bytes:
    """Order 961 whose line and total carry 5 decimals (24.20001): a shop's float arithmetic leaking out."""
    data = order_data(make_order(source_id="961", lines=[make_line("SKU-961", 2, "12.10", "21")],
                                 customer=customer("961")))
    for key in ("total_incl", "total_excl"):
        data["lines"][0][key] = str(Decimal(data["lines"][0][key]) + Decimal("0.00001"))
    for key in ("grand_total", "subtotal_incl"):
        data["totals"][key] = str(Decimal(data["totals"][key]) + Decimal("0.00001"))
    return stdin_of([record_line(data), state_line(1)])


CASES = [
    *(Case(f"vat-{kind}", kind, vat_stdin(), {"oss_registered": True, "invalid_vat_number": "refuse"})
      for kind in KINDS),
    *(Case(f"vat-book-oss-{kind}", kind, vat_stdin(), {"oss_registered": True}) for kind in KINDS),  # the default
    *(Case(f"vat-book-domestic-{kind}", kind, invalid_number_stdin(),
           {"oss_registered": False, "invalid_vat_number": "book_with_vat",
            "report_path": str(REPORTS / f"vat-book-domestic-{kind}")}) for kind in KINDS),
    *(Case(f"sku-case-{kind}", kind, sku_case_stdin()) for kind in KINDS),
    *(Case(f"changed-{kind}", kind, changed_stdin()[0]) for kind in KINDS),
    *(Case(f"zero-lines-{kind}", kind, zero_lines_stdin(), {"report_path": str(REPORTS / f"zero-lines-{kind}")})
      for kind in KINDS),
    *(Case(f"amounts-{kind}", kind, amounts_stdin()) for kind in KINDS),
    Case("sub-cent-eaccounting", "eaccounting", sub_cent_stdin()),
    *(Case(f"raised-maximum-{kind}", kind, raised_maximum_stdin(), {"max_order_total": "5000000"}) for kind in KINDS),
]


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    made = Runs(CASES, prefetch=not under_xdist())
    yield made
    made.close()


def _skipped(run: WriteRun, source_id: str) -> list[str]:
    return [s for s in run.summary["skipped"] if s.startswith(f"orders/{source_id} ")]


# --- 6. VAT numbers with wrong check digits -------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_given_an_invalid_vat_number_when_written_with_refuse_then_no_reverse_charge_and_number_and_order_named(
        runs: Runs, kind: str) -> None:
    run = runs[f"vat-{kind}"]

    # the valid number is reverse charged; the invalid one at 0 % is refused naming number and order: booking it
    # as reverse charge would be wrong, and nobody charged the VAT it owes
    assert sorted(run.references()) == ["#601", "#603"]
    refused = _skipped(run, "602")
    assert len(refused) == 1 and f"VAT number {BAD_VAT} fails its check digits" in refused[0]
    assert "not a reverse-charge sale" in refused[0]
    # at 19 % the order is booked at the charged (OSS) rate, and the number is named in the summary's notices
    assert run.summary["notices"] == {"invalid_vat_number": 1}
    assert run.summary["notice_list"] == [
        f"invalid_vat_number: order #603: VAT number {BAD_VAT} fails its check digits (the number's checksum or "
        "check digit is invalid): not a reverse-charge sale, booked at the charged (domestic or OSS) rate"]
    assert run.total_of("#603") == company_order("603", vat_number=BAD_VAT, rate="19").totals.grand_total
    assert run.returncode != 0 and "1 record(s) were skipped" in run.errors[-1]


def _product_vat(run: WriteRun, reference: str) -> set[str]:
    """The VAT of the document's product rows as the ledger holds it: Exact's VAT code, eAccounting's VAT rate."""
    [document] = [d for d in run.documents if str(d.get("YourRef") or d.get("YourReference")).endswith(reference)]
    rows = document.get("SalesInvoiceLines") or document.get("Rows") or []
    return {str(r.get("VATCode") or "").strip() if run.kind == "exact" else str(r["VatRate"]) for r in rows
            if str(r.get("ItemCode") or r.get("ArticleNumber")).startswith("SKU-")}


@pytest.mark.parametrize(("kind", "vat"), [("exact", {"D1"}), ("eaccounting", {"19.00"})], ids=KINDS)
def test_given_an_invalid_vat_number_at_0_percent_when_book_with_vat_and_oss_then_one_document_at_the_oss_rate(
        runs: Runs, kind: str, vat: set[str]) -> None:
    run = runs[f"vat-book-oss-{kind}"]

    # the default: nothing refused; #602 is one document at Germany's 19 % (OSS), totalling what the customer paid
    assert run.returncode == 0, run.errors
    assert sorted(run.references()) == ["#601", "#602", "#603"]
    paid = company_order("602", vat_number=BAD_VAT, rate="0").totals.grand_total
    assert run.total_of("#602") == paid == Decimal("100.00")
    assert _product_vat(run, "#602") == vat  # Exact's code D1 "OSS Duitsland 19%"; eAccounting's OSS 19 % coding
    assert run.summary["notices"] == {"invalid_vat_number": 2}
    assert run.summary["notice_list"] == [
        f"invalid_vat_number: order #602: VAT number {BAD_VAT} fails its check digits (the number's checksum or "
        "check digit is invalid): not a reverse-charge sale; the shop charged 0%, booked with 19% VAT (OSS, DE) "
        "contained in the 100.00 EUR the customer paid",
        f"invalid_vat_number: order #603: VAT number {BAD_VAT} fails its check digits (the number's checksum or "
        "check digit is invalid): not a reverse-charge sale, booked at the charged (domestic or OSS) rate"]


@pytest.mark.parametrize(("kind", "vat"), [("exact", {"2"}), ("eaccounting", {"21.00"})], ids=KINDS)
def test_given_an_invalid_vat_number_at_0_percent_when_book_with_vat_without_oss_then_one_document_at_the_domestic_rate(
        runs: Runs, kind: str, vat: set[str]) -> None:
    run = runs[f"vat-book-domestic-{kind}"]

    # not OSS-registered: the Dutch seller's own 21 %, contained in the 100.00 paid (the ledger's rounding rule
    # books the cent that 21 % of a net in cents cannot give)
    assert run.returncode == 0, run.errors
    assert run.references() == ["#602"] and run.total_of("#602") == Decimal("100.00")
    assert _product_vat(run, "#602") == vat  # Exact's code 2 "BTW hoog 21%"; eAccounting's 21 % coding
    note = (f"invalid_vat_number: order #602: VAT number {BAD_VAT} fails its check digits (the number's checksum or "
            "check digit is invalid): not a reverse-charge sale; the shop charged 0%, booked with 21% VAT (domestic, "
            "NL) contained in the 100.00 EUR the customer paid")
    assert run.summary["notices"] == {"invalid_vat_number": 1}
    assert run.summary["notice_list"] == [note]
    # the booking report an accountant opens names it in the order's row
    with (REPORTS / f"vat-book-domestic-{kind}.csv").open(newline="", encoding="utf-8") as handle:
        reasons = [row["reason"] for row in csv.DictReader(handle) if row["shop_reference"] == "#602"]
    assert any(note in reason for reason in reasons), reasons


# --- 3. SKU case ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_given_a_sku_differing_only_in_case_from_an_item_when_written_then_booked_on_that_item(
        runs: Runs, kind: str) -> None:
    run = runs[f"sku-case-{kind}"]

    assert run.returncode == 0, run.errors
    assert sorted(run.references()) == ["#701", "#702"]
    items = [i for i in run.items if str(i.get("Code") or i.get("Number") or "").strip().casefold() == "sku-701"]
    assert len(items) == 1, items  # one item, matched the way Exact and eAccounting match codes
    assert run.summary["skipped_count"] == 0


# --- 2. an order changed after it was booked ------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_given_an_order_re_sent_with_new_lines_when_written_then_changed_after_booking_with_both_totals(
        runs: Runs, kind: str) -> None:
    run = runs[f"changed-{kind}"]
    _, first, changed = changed_stdin()
    old, new = first.totals.grand_total, changed.totals.grand_total

    # the ledger keeps the booked document, once, untouched; the unchanged re-sent order is simply "exists"
    assert sorted(run.references()) == ["#801", "#802"] and run.total_of("#801") == old
    refused = _skipped(run, "801")
    assert len(refused) == 1, run.summary["skipped"]
    assert "changed_after_booking:" in refused[0] and "changed after booking" in refused[0]
    assert f"total {old}" in refused[0] and f"now totals {new}" in refused[0]
    assert run.summary["notices"] == {"changed_after_booking": 1}
    assert run.summary["outcomes"]["orders:exists"] == 1  # #802 the second time
    assert run.returncode != 0 and "1 record(s) were skipped" in run.errors[-1]


# --- 4. zero-quantity lines: one rule ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_given_zero_quantity_lines_when_written_then_a_zero_line_is_dropped_and_noted_and_one_with_an_amount_refused(
        runs: Runs, kind: str) -> None:
    run = runs[f"zero-lines-{kind}"]

    assert run.references() == ["#911"]  # 912 is not half-written
    assert run.total_of("#911") == Decimal("12.10")
    assert run.summary["notices"] == {"zero_line_dropped": 1}
    assert run.summary["notice_list"] == [
        "zero_line_dropped: order #911: line 2 ('Free tote bag') has quantity 0 and amount 0: left out of the document"]
    booked = next(d for d in run.documents if "911" in str(d.get("YourRef") or d.get("YourReference")))
    rows = booked.get("SalesInvoiceLines") or booked.get("Rows") or []
    assert not any("tote" in str(r.get("Description") or r.get("Text") or "").lower() for r in rows), rows
    refused = _skipped(run, "912")
    assert len(refused) == 1 and "lines.1.quantity" in refused[0], run.summary["skipped"]
    assert "line 2 ('Mug'): quantity is 0 but the line amounts to 12.10 incl. VAT" in refused[0]
    # the booking report an accountant opens shows both, in the orders' rows
    with (REPORTS / f"zero-lines-{kind}.csv").open(newline="", encoding="utf-8") as handle:
        reasons = {row["shop_reference"]: row["reason"] for row in csv.DictReader(handle)}
    assert "zero_line_dropped: order #911: line 2 ('Free tote bag')" in reasons["#911"]
    assert "line 2 ('Mug'): quantity is 0" in reasons["#912"]


# --- 5. absurd amounts and negative unit prices ------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_given_absurd_amounts_and_negative_unit_prices_when_written_then_one_rule_in_both_destinations(
        runs: Runs, kind: str) -> None:
    run = runs[f"amounts-{kind}"]

    # a negative unit price is a negative line in both; a sale totalling below 0 is a credit document in both
    assert sorted(run.references()) == ["#951", "#952"]
    assert run.total_of("#951") == Decimal("40.00")
    assert abs(run.total_of("#952")) == Decimal("10.00")
    beyond = _skipped(run, "953")
    assert len(beyond) == 1 and "lines.0.unit_price_incl" in beyond[0], run.summary["skipped"]
    assert "beyond the largest amount the ledger holds" in beyond[0]
    implausible = _skipped(run, "954")
    assert len(implausible) == 1 and "totals.grand_total" in implausible[0]
    assert "order total 2000000.00 EUR is above max_order_total 1000000" in implausible[0]
    assert run.returncode != 0 and "2 record(s) were skipped" in run.errors[-1]


@pytest.mark.parametrize("kind", KINDS)
def test_given_a_raised_max_order_total_when_a_big_order_is_written_then_it_is_booked(runs: Runs, kind: str) -> None:
    run = runs[f"raised-maximum-{kind}"]

    assert run.returncode == 0, run.errors
    assert run.total_of("#955") == Decimal("2000000.00")


# --- 7. a line total with 5 decimals ------------------------------------------------------------------------------
def test_given_a_line_total_with_5_decimals_when_written_to_eaccounting_then_booked_to_the_cent_without_a_0_00_row(
        runs: Runs) -> None:
    run = runs["sub-cent-eaccounting"]

    assert run.returncode == 0, run.errors
    assert run.total_of("#961") == Decimal("24.20")
    rows = run.documents[0]["Rows"]
    assert not any("Rounding" in str(r.get("Text")) for r in rows), rows
    assert run.summary.get("rounding_rows", 0) == 0
