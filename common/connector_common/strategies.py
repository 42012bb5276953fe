"""Hypothesis strategies for property-based tests (needs the `test` extra: hypothesis is not a runtime dependency)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from hypothesis import strategies as st

from connector_common.model import Order
from connector_common.testing import make_line, make_order, make_shipping

D = Decimal
PRICES = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)


def consistent_orders(country_rates: Mapping[str, Sequence[str]]) -> st.SearchStrategy[Order]:
    """Orders built by `make_order` (consistent to the cent by construction): sales with line and order discounts
    and shipping, exchanges (one line returned) and return receipts (all quantities negative), shipped to one of
    `country_rates`' countries at one of its rates."""

    @st.composite
    def build(draw: st.DrawFn) -> Order:
        country = draw(st.sampled_from(sorted(country_rates)))
        rates = st.sampled_from(list(country_rates[country]))
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

    return build()
