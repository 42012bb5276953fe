"""Property-based tests (hypothesis) over the pure mapping: any consistent order books to the cent or is refused with
a RecordError naming the field, never another exception."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from connector_common.errors import RecordError
from connector_common.model import Order
from connector_common.money import cents
from connector_common.testing import make_line, make_order, make_shipping
from destination_exact_online.mapping import document_payload, order_plan

from .helpers import settings as exact_settings
from .helpers import table
from .test_mapping import exact_total, refs_for

D = Decimal
# the shop's rates per ship-to country (NL seller): domestic, OSS (DE 7 % has no code in the fixture division: the
# refusal path is part of the property), export
COUNTRY_RATES = {"NL": ("21", "9", "0"), "DE": ("19", "7"), "BE": ("21",), "FR": ("20",), "US": ("0",)}
PRICES = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
DOCUMENTS = {
    "sales_invoice": {},
    "sales_order": {"document_type": "sales_order"},
    "sales_entry": {"document_type": "sales_entry", "revenue_gl_account": "8000", "rounding_gl_account": "8900"},
}
REFUSABLE_FIELDS = ("lines.", "shipping_lines.", "discounts.", "totals.grand_total")


@st.composite
def consistent_orders(draw: st.DrawFn) -> Order:
    """A sale, an exchange or a return receipt built by make_order: consistent to the cent by construction."""
    country = draw(st.sampled_from(sorted(COUNTRY_RATES)))
    rates = st.sampled_from(COUNTRY_RATES[country])
    kind = draw(st.sampled_from(["sale", "sale", "sale", "exchange", "return"]))
    lines = []
    for i in range(draw(st.integers(1, 6))):
        quantity, unit = draw(st.integers(1, 20)), draw(PRICES)
        if kind == "return":
            lines.append(make_line(f"SKU-{i}", -quantity, str(unit), draw(rates), line_id=f"L{i}"))
            continue
        discount = draw(st.decimals(min_value=D(0), max_value=quantity * unit, places=2))
        lines.append(make_line(f"SKU-{i}", quantity, str(unit), draw(rates), discount_incl=str(discount),
                               line_id=f"L{i}"))
    if kind == "exchange":
        lines.append(make_line("SKU-BACK", -1, str(draw(PRICES)), draw(rates), line_id="L-back"))
    shipping = [make_shipping(str(draw(PRICES)), draw(rates))] if kind != "return" and draw(st.booleans()) else []
    subtotal = sum((line.total_incl for line in lines), D(0))
    order_discount = None
    if kind == "sale" and subtotal > D("0.01") and draw(st.booleans()):
        order_discount = str(draw(st.decimals(min_value=D("0.01"), max_value=subtotal, places=2)))
    return make_order(source_id="4242", lines=lines, shipping=shipping, order_discount_incl=order_discount,
                      order_discount_rate=draw(rates), country=country)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=consistent_orders(), document=st.sampled_from(sorted(DOCUMENTS)),
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
