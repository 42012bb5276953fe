"""Pure mapping on impossible orders: a line whose sign contradicts itself and huge shop texts in error messages."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from connector_common.errors import RecordError
from connector_common.model import contradicts_sign
from connector_common.testing import make_line, make_order, make_shipping
from destination_exact_online.documents import invoice_payload
from destination_exact_online.plan import order_plan

from .helpers import settings, table
from .test_mapping import exact_total, refs_for

D = Decimal
HUGE = "Ü" * 100_000
MAX_BODY_BYTES = 9_500_000  # reference §3: the safe cap of one request body


def test_given_negative_quantity_with_positive_totals_when_planned_then_refused_naming_the_line_quantity() -> None:
    sale = make_line("SKU-1", 2, "12.10", "21")
    order = make_order(source_id="201", lines=[replace(sale, quantity=D(-2))], shipping=[make_shipping("4.95")])

    with pytest.raises(RecordError) as err:
        order_plan(order, settings(), table())

    assert err.value.field == "lines.0.quantity"
    assert err.value.key == "201 (#201)"
    assert "quantity -2" in str(err.value) and "24.20" in str(err.value)


@pytest.mark.parametrize(("quantity", "unit", "total", "contradicts"), [
    ("2", "12.10", "24.20", False),  # a sale
    ("-1", "12.10", "-12.10", False),  # a returned line (POS return receipt, exchange)
    ("-1", "-5.00", "5.00", False),  # a returned discount line (negative price)
    ("1", "0", "0", False),  # a free item
    ("-2", "12.10", "24.20", True),  # negative quantity on a sale
    ("2", "12.10", "-24.20", True),  # a sale that pays money back
])
def test_given_line_signs_when_checked_then_only_impossible_combinations_contradict(
        quantity: str, unit: str, total: str, contradicts: bool) -> None:
    line = replace(make_line("SKU-1", 1, "1.21", "21"), quantity=D(quantity), unit_price_incl=D(unit),
                   total_incl=D(total))
    assert contradicts_sign(line) is contradicts


def test_given_exchange_with_a_returned_line_when_planned_then_still_booked_to_the_cent() -> None:
    order = make_order(source_id="301", lines=[make_line("NEW-1", 1, "30.25", "21"),
                                               make_line("OLD-1", -1, "12.10", "21")])

    plan = order_plan(order, settings(), table())

    assert exact_total(plan) == order.totals.grand_total == D("18.15")
    assert [ln.quantity for ln in plan.lines if ln.kind == "product"] == [D(1), D(-1)]


def test_given_huge_title_without_sku_when_refused_then_the_error_quotes_at_most_60_characters() -> None:
    order = make_order(source_id="209", lines=[make_line(None, 1, "12.10", "21", title=HUGE)])

    with pytest.raises(RecordError) as err:
        order_plan(order, settings(), table())

    assert err.value.field == "lines.0.sku"
    assert len(str(err.value)) < 200
    assert "Ü" * 60 + "…" in str(err.value)


def test_given_huge_title_with_sku_when_paid_then_booked_with_the_description_cut_to_exacts_60_characters() -> None:
    order = make_order(source_id="206", lines=[make_line("SKU-1", 1, "12.10", "21", title=HUGE)])

    plan = order_plan(order, settings(), table())
    payload = invoice_payload(plan, refs_for(plan), settings())

    assert exact_total(plan) == order.totals.grand_total
    assert [len(line["Description"]) for line in payload["SalesInvoiceLines"]] == [60]


def test_given_a_10000_line_order_when_planned_then_one_invoice_to_the_cent_within_exacts_documented_body_cap() -> None:
    # reference §3 (Restrictions / API limits): a message body is limited to 9.5 MB outside NL/BE (10 MB per
    # API limits); no limit on the number of lines of one sales invoice is documented
    order = make_order(source_id="9000", lines=[make_line(f"BULK-{i % 5}", 1, "1.21", "21", line_id=f"L{i}")
                                                for i in range(10_000)])

    plan = order_plan(order, settings(), table())
    body = json.dumps(invoice_payload(plan, refs_for(plan), settings()), default=str)

    assert exact_total(plan) == order.totals.grand_total == D("12100.00")
    assert len(plan.lines) == 10_000
    assert len(body.encode()) < MAX_BODY_BYTES
