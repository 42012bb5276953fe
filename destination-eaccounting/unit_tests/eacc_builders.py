"""Test builders: canonical orders priced the way shops price them (incl. or excl. VAT), and config dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connector_common.model import Order, PaymentStatus, Refund
from connector_common.records import to_record
from connector_common.testing import (
    make_address,
    make_customer,
    make_discount,
    make_line,
    make_order,
    make_refund,
    make_shipping,
)

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


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


def build_order(spec: OrderSpec) -> Order:
    """The canonical order `spec` describes, priced in its pricing mode (the common builders do the arithmetic)."""
    incl = spec.prices_include_tax
    lines = [make_line(ln.sku, ln.quantity, ln.unit_price, ln.rate, discount_incl=ln.discount, title=ln.title,
                       line_id=str(i), prices_include_tax=incl, is_service=ln.is_service)
             for i, ln in enumerate(spec.lines, start=1)]
    refunds: tuple[Refund, ...] = ()
    if spec.refund_line:
        idx, qty = spec.refund_line
        refunds = (make_refund(lines[idx], qty, prices_include_tax=incl, created_at=START + timedelta(days=2)),)
    customer = None
    if spec.email is not None or spec.company:
        customer = make_customer(spec.email, first_name=spec.first_name, last_name=spec.last_name,
                                 company=spec.company, vat_number=spec.vat_number)
    return make_order(
        source=spec.source, source_id=spec.source_id or spec.reference.lstrip("#"), reference=spec.reference,
        created_at=START + timedelta(minutes=spec.minutes), currency=spec.currency, prices_include_tax=incl,
        payment_status=spec.payment_status, cancelled=spec.cancelled, channel=spec.channel, gateway="klarna",
        lines=lines, customer=customer, refunds=refunds,
        shipping=[make_shipping(*spec.shipping, "Postnord", prices_include_tax=incl)] if spec.shipping else [],
        discounts=[make_discount(*spec.order_discount, prices_include_tax=incl, code="SPRING", title="Spring sale")]
        if spec.order_discount else [],
        address=make_address(spec.country, line1="Storgatan 1", postcode="111 22",
                             city="Stockholm" if spec.country == "SE" else "City", company=spec.company,
                             first_name=spec.first_name, last_name=spec.last_name),
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
            spec.country, spec.company = "DE", f"Firma {n % 3} GmbH"
            spec.vat_number = ("DE100000008", "DE100000016", "DE100000024")[n % 3]  # valid check digits
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
