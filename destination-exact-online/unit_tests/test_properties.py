"""Property-based tests (hypothesis) over the pure mapping: any consistent order books to the cent or is refused with
a RecordError naming the field, never another exception."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connector_common.errors import RecordError
from connector_common.model import Order
from connector_common.money import cents
from connector_common.strategies import consistent_orders
from destination_exact_online.documents import document_payload
from destination_exact_online.plan import order_plan

from .helpers import settings as exact_settings
from .helpers import table
from .test_mapping import exact_total, refs_for

D = Decimal
# the shop's rates per ship-to country (NL seller): domestic, OSS (DE 7 % has no code in the fixture division: the
# refusal path is part of the property), export
COUNTRY_RATES = {"NL": ("21", "9", "0"), "DE": ("19", "7"), "BE": ("21",), "FR": ("20",), "US": ("0",)}
DOCUMENTS = {
    "sales_invoice": {},
    "sales_order": {"document_type": "sales_order"},
    "sales_entry": {"document_type": "sales_entry", "revenue_gl_account": "8000", "rounding_gl_account": "8900"},
}
REFUSABLE_FIELDS = ("lines.", "shipping_lines.", "discounts.", "totals.grand_total")


ORDERS = consistent_orders(COUNTRY_RATES)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=ORDERS, document=st.sampled_from(sorted(DOCUMENTS)),
       discount_booking=st.sampled_from(["discount_lines", "line_discounts"]))
def test_any_consistent_order_books_to_the_cent_or_is_refused_naming_the_field(
        order: Order, document: str, discount_booking: str) -> None:
    config = exact_settings(discount_booking=discount_booking, **DOCUMENTS[document])
    try:
        plan = order_plan(order, config, table())
    except RecordError as exc:
        event(f"refused: {exc.field}")
        assert exc.key == "4242 (#4242)"
        assert exc.field is not None and exc.field.startswith(REFUSABLE_FIELDS), exc
        return
    event(f"booked: {document}")
    shop_vat = document == "sales_entry"
    assert exact_total(plan, shop_vat=shop_vat) == plan.total == order.totals.grand_total
    payload = document_payload(plan, refs_for(plan), config)
    lines = next(v for k, v in payload.items() if k.endswith("Lines"))
    assert sum((line["AmountFC"] for line in lines), D(0)) == plan.net_total
    if shop_vat:  # a sales entry carries the shop's VAT on each line
        assert sum((line["AmountFC"] + line["VATAmountFC"] for line in lines), D(0)) == order.totals.grand_total
    else:  # Exact computes each line's VAT from the percentage of its code, half up per line
        codes = table()
        vat = [cents(line["AmountFC"] * (codes.percentage_of(line["VATCode"]) or D(0))) for line in lines]
        assert sum((line["AmountFC"] for line in lines), D(0)) + sum(vat, D(0)) == order.totals.grand_total
