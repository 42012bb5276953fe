"""Test builders: canonical orders priced the way shops price them (incl. or excl. VAT), and config dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
    Refund,
    RefundLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from connector_common.records import to_record

CENT = Decimal("0.01")
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def c(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    sku: str | None
    title: str
    quantity: str
    unit_price: str  # in the order's pricing mode (incl. or excl. VAT)
    rate: str
    discount: str = "0"  # allocated discount, pricing mode
    is_service: bool = False


@dataclass
class OrderSpec:
    reference: str = "#1001"
    lines: list[Line] = field(default_factory=lambda: [Line("TS-1", "T-shirt", "2", "250.00", "25")])
    country: str = "SE"
    currency: str = "SEK"
    email: str | None = "anna@example.se"
    first_name: str = "Anna"
    last_name: str = "Svensson"
    company: str | None = None
    vat_number: str | None = None
    prices_include_tax: bool = True
    shipping: tuple[str, str] | None = None  # (price in pricing mode, rate)
    order_discount: tuple[str, str] | None = None  # (amount in pricing mode, rate)
    payment_status: PaymentStatus = PaymentStatus.PAID
    cancelled: bool = False
    refund_line: tuple[int, str] | None = None  # (line index, quantity) refunded
    source: str = "shopify"
    source_id: str | None = None
    minutes: int = 0
    channel: str = "web"


def _split(amount: Decimal, rate: Decimal, incl: bool) -> tuple[Decimal, Decimal, Decimal]:
    """(excl, incl, tax) of an amount in pricing mode."""
    if incl:
        tax = c(amount * rate / (100 + rate))
        return amount - tax, amount, tax
    tax = c(amount * rate / 100)
    return amount, amount + tax, tax


def build_order(spec: OrderSpec) -> Order:
    incl = spec.prices_include_tax
    lines = []
    taxes: dict[Decimal, Decimal] = {}
    for i, ln in enumerate(spec.lines, start=1):
        rate, qty, unit = Decimal(ln.rate), Decimal(ln.quantity), Decimal(ln.unit_price)
        gross = c(qty * unit)
        total = gross - Decimal(ln.discount)
        t_excl, t_incl, tax = _split(total, rate, incl)
        g_excl, g_incl, _ = _split(gross, rate, incl)
        u_excl, u_incl, _ = _split(unit, rate, incl)
        lines.append(OrderLine(line_id=str(i), sku=ln.sku, title=ln.title, quantity=qty, unit_price_excl=u_excl,
                               unit_price_incl=u_incl, discount_excl=g_excl - t_excl, discount_incl=g_incl - t_incl,
                               tax_rate=rate, tax_amount=tax, total_excl=t_excl, total_incl=t_incl,
                               is_service=ln.is_service))
        taxes[rate] = taxes.get(rate, Decimal(0)) + tax
    shipping: tuple[ShippingLine, ...] = ()
    if spec.shipping:
        rate = Decimal(spec.shipping[1])
        s_excl, s_incl, s_tax = _split(Decimal(spec.shipping[0]), rate, incl)
        shipping = (ShippingLine(title="Postnord", amount_excl=s_excl, amount_incl=s_incl, tax_rate=rate,
                                 tax_amount=s_tax),)
        taxes[rate] = taxes.get(rate, Decimal(0)) + s_tax
    discounts: tuple[Discount, ...] = ()
    if spec.order_discount:
        rate = Decimal(spec.order_discount[1])
        d_excl, d_incl, d_tax = _split(Decimal(spec.order_discount[0]), rate, incl)
        discounts = (Discount(code="SPRING", title="Spring sale", kind="fixed_amount", amount_incl=d_incl,
                              amount_excl=d_excl, allocation=DiscountAllocation.ORDER, tax_rate=rate,
                              tax_amount=d_tax),)
        taxes[rate] = taxes.get(rate, Decimal(0)) - d_tax
    grand = (sum((ln.total_incl for ln in lines), Decimal(0)) + sum((s.amount_incl for s in shipping), Decimal(0))
             - sum((d.amount_incl for d in discounts), Decimal(0)))
    refunds: tuple[Refund, ...] = ()
    if spec.refund_line:
        idx, qty_text = spec.refund_line
        line = lines[idx]
        qty = Decimal(qty_text)
        share_incl = c(line.total_incl * qty / line.quantity)
        share_tax = c(line.tax_amount * qty / line.quantity)
        refunds = (Refund(refund_id="r1", created_at=START + timedelta(days=2), shipping_incl=Decimal(0),
                          adjustment_incl=Decimal(0), total_incl=share_incl,
                          lines=(RefundLine(line_id=line.line_id, sku=line.sku, quantity=qty,
                                            amount_excl=share_incl - share_tax, amount_incl=share_incl,
                                            tax_amount=share_tax, tax_rate=line.tax_rate),)),)
    address = Address(line1="Storgatan 1", postcode="111 22", city="Stockholm" if spec.country == "SE" else "City",
                      country=spec.country, first_name=spec.first_name, last_name=spec.last_name,
                      company=spec.company)
    created = START + timedelta(minutes=spec.minutes)
    customer = None
    if spec.email is not None or spec.company:
        customer = CustomerRef(source_id=f"c-{spec.email}", email=spec.email, first_name=spec.first_name,
                               last_name=spec.last_name, company_name=spec.company, vat_number=spec.vat_number,
                               is_company=bool(spec.company))
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(taxes.items()))
    return Order(
        source=spec.source, source_id=spec.source_id or spec.reference.lstrip("#"), reference=spec.reference,
        created_at=created, updated_at=created, currency=spec.currency, prices_include_tax=incl,
        payment_status=spec.payment_status, fulfillment_status=FulfillmentStatus.FULFILLED, lines=tuple(lines),
        totals=Totals(subtotal_incl=sum((ln.total_incl for ln in lines), Decimal(0)),
                      shipping_incl=sum((s.amount_incl for s in shipping), Decimal(0)),
                      discount_incl=sum((d.amount_incl for d in discounts), Decimal(0)),
                      tax_total=sum(taxes.values(), Decimal(0)), tax_lines=tax_lines, grand_total=grand),
        cancelled=spec.cancelled, customer=customer, billing_address=address, shipping_address=address,
        shipping_lines=shipping, discounts=discounts, refunds=refunds, channel=spec.channel,
        payments=(Payment(gateway="klarna", amount=grand),),
    )


def order_record(spec: OrderSpec) -> dict[str, Any]:
    record: dict[str, Any] = to_record(build_order(spec))
    return record


def config(base_url: str = "http://127.0.0.1:9", **overrides: Any) -> dict[str, Any]:
    """A destination config pointing both hosts at `base_url` (the sandbox serves /connect/token and /v2)."""
    cfg: dict[str, Any] = {
        "api_base_url": base_url.rstrip("/") + "/v2",
        "identity_base_url": base_url.rstrip("/"),
        "credentials": {"client_id": "sandbox-eaccounting-client", "client_secret": "sandbox-eaccounting-secret",
                        "refresh_token": "sandbox-eaccounting-refresh-token"},
        "default_customer_number": "1",
    }
    cfg.update(overrides)
    return cfg


def many_specs(count: int, start: int = 1001) -> list[OrderSpec]:
    """A realistic Swedish shop mix: private 25/12/6 %, line and order discounts, shipping, anonymous POS sales,
    Swedish companies, EU B2B reverse charge, exports, refunds, plus unpaid and cancelled orders that are skipped."""
    specs = []
    for n in range(count):
        i = start + n
        kind = n % 10
        email = f"kund{n % 37}@example.se"
        lines = [Line(f"TS-{n % 7}", f"T-shirt {n % 7}", str(1 + n % 3), f"{149 + n % 5}.{n % 100:02d}", "25",
                      discount="10.00" if n % 4 == 0 else "0")]
        if n % 3 == 0:
            lines.append(Line(f"BK-{n % 5}", f"Bok {n % 5}", "1", "189.00", "6"))
        if n % 5 == 0:
            lines.append(Line(f"FD-{n % 3}", f"Kaffe {n % 3}", "2", "64.90", "12"))
        spec = OrderSpec(reference=f"#{i}", email=email, lines=lines, shipping=("49.00", "25") if n % 2 else None,
                         minutes=n)
        if kind == 3:
            spec.email, spec.channel = None, "pos"
        elif kind == 5:
            spec.company, spec.prices_include_tax = f"Företag {n % 4} AB", False
            spec.email = f"inkop{n % 4}@foretag.se"
            spec.lines = [Line(f"TS-{n % 7}", "T-shirt", "10", "119.20", "25")]
        elif kind == 6:
            spec.country, spec.company, spec.vat_number = "DE", f"Firma {n % 3} GmbH", f"DE{100000000 + n % 3}"
            spec.email, spec.prices_include_tax = f"einkauf{n % 3}@firma.de", False
            spec.lines = [Line(f"TS-{n % 7}", "T-shirt", "5", "119.20", "0")]
            spec.shipping = ("99.00", "0")
        elif kind == 8:
            spec.country, spec.email = "US", f"buyer{n % 5}@example.com"
            spec.lines = [Line(f"TS-{n % 7}", "T-shirt", "1", "159.20", "0")]
            spec.shipping = None
        elif kind == 9:
            spec.order_discount = ("25.00", "25")
        if n % 25 == 7:
            spec.payment_status = PaymentStatus.PENDING
        if n % 40 == 11:
            spec.cancelled = True
        if n % 20 == 1:
            spec.refund_line = (0, "1")
        specs.append(spec)
    return specs
