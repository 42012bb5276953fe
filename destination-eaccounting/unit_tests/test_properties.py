"""Property-based tests (hypothesis) over the pure mapping: any consistent order plans a document whose eAccounting
total equals the shop's grand total to the cent, or is refused with a PlanError naming the field, never anything else."""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connector_common.model import Order
from connector_common.strategies import consistent_orders

sys.path.insert(0, str(Path(__file__).parent))
from test_mapping import company, context, private

from destination_eaccounting.mapping import document_payload
from destination_eaccounting.plan import CustomerView, PlanError
from destination_eaccounting.planner import plan_order

D = Decimal
# the shop's rates per ship-to country (NL seller): domestic, OSS (DE 7 % has no coding in the context: the refusal
# path is part of the property), export
COUNTRY_RATES = {"NL": ("21", "9", "0"), "DE": ("19", "7"), "US": ("0",)}
KINDS = ("customer_invoice_draft", "customer_invoice", "order")
REFUSABLE_FIELDS = ("lines", "shipping_lines.", "discounts.", "totals.grand_total")


ORDERS = consistent_orders(COUNTRY_RATES)


def customer_for(order: Order, is_company: bool) -> CustomerView:
    country = order.ship_to.country if order.ship_to and order.ship_to.country else "NL"
    if is_company and country == "NL":  # a Dutch company: invoiced excl. VAT, eAccounting adds VAT per rate
        return company("NL", "NL123456782B01", "EUR")
    return private(country, "EUR")


def payload_total(payload: dict[str, object], plan_rows: int, includes_vat: bool, rates: list[Decimal]) -> Decimal:
    """eAccounting's arithmetic (reference §11) over the rows as sent: row amount = round(Q x P x (1 - discount)),
    VAT per rate over the summed amounts."""
    rows = payload["Rows"]
    assert isinstance(rows, list) and len(rows) == plan_rows
    by_rate: dict[Decimal, Decimal] = {}
    for row, rate in zip(rows, rates, strict=True):
        amount = (row["Quantity"] * row["UnitPrice"] * (1 - row["DiscountPercentage"])).quantize(
            D("0.01"), rounding=ROUND_HALF_UP)
        by_rate[rate] = by_rate.get(rate, D(0)) + amount
    total = D(0)
    for rate, base in by_rate.items():
        if includes_vat:
            total += base
        else:
            total += base + (base * rate / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    return total


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=ORDERS, kind=st.sampled_from(KINDS), is_company=st.booleans())
def test_any_consistent_order_plans_to_the_cent_or_is_refused_naming_the_field(
        order: Order, kind: str, is_company: bool) -> None:
    ctx = context("NL", oss=True, mapping=(("oss_DE_19", "OSS DE 19%"),))
    try:
        plan = plan_order(order, customer_for(order, is_company), ctx, kind=kind)
    except PlanError as exc:
        event(f"refused: {exc.field}")
        assert exc.field is not None and exc.field.startswith(REFUSABLE_FIELDS), exc
        return
    event(f"planned: {'credit' if plan.is_credit else 'sale'}, incl. VAT {plan.includes_vat}")
    expected = -order.totals.grand_total if plan.is_credit else order.totals.grand_total
    assert plan.totals.before_roundings == plan.expected_total == expected
    payload = document_payload(plan, order, {row.article.number: f"id-{row.article.number}" for row in plan.rows})
    sign = -1 if plan.is_credit else 1
    booked = payload_total(payload, len(plan.rows), plan.includes_vat, [row.rate for row in plan.rows])
    assert booked == sign * expected
