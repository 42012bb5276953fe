"""Test and benchmark helpers: builders of consistent canonical orders (amounts computed once, Decimal) and a
simulated clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from connector_common.model import (
    Address,
    CustomerRef,
    Discount,
    DiscountAllocation,
    FulfillmentStatus,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    ShippingLine,
    TaxLine,
    Totals,
)
from connector_common.money import cents, net_from_gross, quantize

D = Decimal


@dataclass
class SimulatedClock:
    """Time for tests and benchmarks: `sleep` advances `now` instead of waiting, so rate-limit waits, backoff and
    token expiry cost nothing. Share one clock between a sandbox stand-in and a connector. `tick` moves time on
    every read (for code that measures elapsed time between calls).

    Use `clock` (or `clock.time`) wherever a `Callable[[], float]` clock is taken and `clock.sleep` for sleep.
    """

    now: float = 1_700_000_000.0
    tick: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        self.now += self.tick
        return self.now

    def time(self) -> float:
        return self()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    @property
    def total_slept(self) -> float:
        return sum(self.slept)


def make_line(sku: str | None, quantity: str | int, unit_incl: str, rate: str, *, discount_incl: str = "0",
              title: str | None = None, line_id: str | None = None) -> OrderLine:
    """A line priced incl. tax: tax is computed on the discounted line total and rounded once to cents."""
    qty, unit, r, disc = D(quantity), D(unit_incl), D(rate), D(discount_incl)
    total_incl = cents(qty * unit - disc)
    total_excl = cents(net_from_gross(total_incl, r))
    return OrderLine(
        line_id=line_id or f"L-{sku}", sku=sku, title=title or f"Product {sku}", quantity=qty,
        unit_price_excl=quantize(net_from_gross(unit, r), 4), unit_price_incl=unit,
        discount_excl=cents(net_from_gross(disc, r)), discount_incl=disc, tax_rate=r,
        tax_amount=total_incl - total_excl, total_excl=total_excl, total_incl=total_incl,
    )


def make_shipping(amount_incl: str, rate: str = "21", title: str = "Shipping") -> ShippingLine:
    gross, r = D(amount_incl), D(rate)
    net = cents(net_from_gross(gross, r))
    return ShippingLine(title=title, amount_excl=net, amount_incl=gross, tax_rate=r, tax_amount=gross - net)


def make_order(
    *,
    source_id: str = "1001",
    lines: tuple[OrderLine, ...] | list[OrderLine],
    shipping: tuple[ShippingLine, ...] | list[ShippingLine] = (),
    order_discount_incl: str | None = None,
    order_discount_rate: str = "21",
    customer: CustomerRef | None = None,
    country: str = "NL",
    postcode: str = "1012 AB",
    payment_status: PaymentStatus = PaymentStatus.PAID,
    cancelled: bool = False,
    created_at: datetime | None = None,
    source: str = "shopify",
    currency: str = "EUR",
    channel: str = "web",
) -> Order:
    """An order whose totals satisfy `validate_order` by construction."""
    created = created_at or datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    discounts: tuple[Discount, ...] = ()
    per_rate: dict[Decimal, Decimal] = {}
    for item in [*lines, *shipping]:
        per_rate[item.tax_rate] = per_rate.get(item.tax_rate, D(0)) + item.tax_amount
    discount_total = sum((ln.discount_incl for ln in lines), D(0))
    if order_discount_incl:
        gross, r = D(order_discount_incl), D(order_discount_rate)
        net = cents(net_from_gross(gross, r))
        discounts = (Discount(code="WELCOME", title="Welcome discount", kind="fixed_amount", amount_incl=gross,
                              amount_excl=net, allocation=DiscountAllocation.ORDER, tax_rate=r,
                              tax_amount=gross - net),)
        per_rate[r] = per_rate.get(r, D(0)) - (gross - net)
        discount_total += gross
    subtotal = sum((ln.total_incl for ln in lines), D(0))
    shipping_total = sum((s.amount_incl for s in shipping), D(0))
    unallocated = sum((d.amount_incl for d in discounts), D(0))
    grand = subtotal + shipping_total - unallocated
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
    address = Address(line1="Damrak 1", postcode=postcode, city="Amsterdam", country=country,
                      first_name=customer.first_name if customer else None,
                      last_name=customer.last_name if customer else None)
    return Order(
        source=source, source_id=source_id, reference=f"#{source_id}", created_at=created, updated_at=created,
        paid_at=created if payment_status is PaymentStatus.PAID else None, currency=currency,
        prices_include_tax=True, payment_status=payment_status, fulfillment_status=FulfillmentStatus.FULFILLED,
        cancelled=cancelled, customer=customer, billing_address=address, shipping_address=address,
        lines=tuple(lines), shipping_lines=tuple(shipping), discounts=discounts,
        payments=(Payment(gateway="ideal", amount=grand),), channel=channel,
        totals=Totals(subtotal_incl=subtotal, shipping_incl=shipping_total, discount_incl=discount_total,
                      tax_total=sum((t.amount for t in tax_lines), D(0)), tax_lines=tax_lines, grand_total=grand),
    )
