"""Pure mapping on impossible or oversized orders: contradicting signs, the 1000-row limit, long references, huge
shop texts in error messages."""

from __future__ import annotations

import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from connector_common.model import Order
from connector_common.testing import make_line, make_order

sys.path.insert(0, str(Path(__file__).parent))
from test_mapping import context, private

from destination_eaccounting.plan import MAX_REFERENCE, PlanError, document_reference
from destination_eaccounting.planner import MAX_ROWS, plan_order

D = Decimal
HUGE = "Ü" * 100_000


def test_given_negative_quantity_with_positive_totals_when_planned_then_refused_naming_the_line_quantity() -> None:
    sale = make_line("SKU-1", 2, "12.10", "21")
    order = make_order(source_id="201", lines=[replace(sale, quantity=D(-2))])

    with pytest.raises(PlanError) as err:
        plan_order(order, private("NL", "EUR"), context("NL"), kind="customer_invoice_draft")

    assert err.value.field == "lines.0.quantity"
    assert "quantity -2" in str(err.value) and "24.20" in str(err.value)


def test_given_exchange_with_a_returned_line_when_planned_then_still_booked_to_the_cent() -> None:
    order = make_order(source_id="301", lines=[make_line("NEW-1", 1, "30.25", "21"),
                                               make_line("OLD-1", -1, "12.10", "21")])

    plan = plan_order(order, private("NL", "EUR"), context("NL"), kind="customer_invoice_draft")

    assert plan.totals.before_roundings == order.totals.grand_total == D("18.15")


def bulk_order(lines: int) -> Order:
    """`lines` lines of 1.21 incl. 21 % VAT on five SKUs."""
    return make_order(source_id="9000", lines=[make_line(f"BULK-{i % 5}", 1, "1.21", "21", line_id=f"L{i}")
                                               for i in range(lines)])


@pytest.mark.parametrize("kind", ["customer_invoice_draft", "order"])
def test_given_more_lines_than_a_draft_or_order_holds_when_planned_then_refused_naming_the_limit(kind: str) -> None:
    order = bulk_order(MAX_ROWS + 1)

    with pytest.raises(PlanError) as err:
        plan_order(order, private("NL", "EUR"), context("NL"), kind=kind)

    assert err.value.field == "lines"
    assert "1001 rows" in str(err.value) and "at most 1000 rows" in str(err.value)


def test_given_exactly_the_row_limit_when_planned_then_booked_to_the_cent() -> None:
    order = bulk_order(MAX_ROWS)

    plan = plan_order(order, private("NL", "EUR"), context("NL"), kind="customer_invoice_draft")

    assert len(plan.rows) == MAX_ROWS
    assert plan.totals.before_roundings == order.totals.grand_total == D("1210.00")


def test_given_two_long_references_sharing_100_characters_when_referenced_then_they_stay_distinct() -> None:
    stem = "#" + "7" * 120
    first = make_order(source_id="1", lines=[make_line("A", 1, "1.21", "21")])
    one, two = replace(first, reference=stem + "1"), replace(first, reference=stem + "2")

    refs = {document_reference(one), document_reference(two)}

    assert len(refs) == 2
    assert all(len(ref) == MAX_REFERENCE for ref in refs)
    assert document_reference(first) == "shopify:#1"  # short references are unchanged


def test_given_huge_title_when_its_vat_cannot_be_coded_then_the_error_quotes_at_most_60_characters() -> None:
    order = make_order(source_id="209", lines=[make_line("SKU-1", 1, "11.50", "15", title=HUGE)])

    with pytest.raises(PlanError) as err:
        plan_order(order, private("NL", "EUR"), context("NL"), kind="customer_invoice_draft")

    assert err.value.field == "lines.0.tax_rate"
    assert len(str(err.value)) < 400
    assert "Ü" * 60 + "…" in str(err.value)


def test_given_a_10000_line_order_when_planned_as_a_draft_then_refused_before_anything_is_sent() -> None:
    with pytest.raises(PlanError) as err:
        plan_order(bulk_order(10_000), private("NL", "EUR"), context("NL"), kind="customer_invoice_draft")

    assert err.value.field == "lines"
    assert "10000 rows for 10000 order lines" in str(err.value)
