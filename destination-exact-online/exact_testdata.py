"""Canonical test orders for the Exact destination's tests and benchmark: consistent to the cent by construction."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    Type,
)
from airbyte_cdk.models import StreamDescriptor as Descriptor

from connector_common import protocol
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
from connector_common.money import cents, net_from_gross
from connector_common.records import to_record

D = Decimal
BASE_TIME = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

# name -> (ship-to country, rate, company name, VAT number)
SCENARIOS: dict[str, tuple[str, Decimal, str | None, str | None]] = {
    "domestic_21": ("NL", D(21), None, None),
    "domestic_9": ("NL", D(9), None, None),
    "domestic_0": ("NL", D(0), None, None),
    "icp": ("DE", D(0), "Muster GmbH", "DE123456789"),
    "export": ("US", D(0), None, None),
    "oss_de": ("DE", D(19), None, None),
    "oss_be": ("BE", D(21), None, None),
    "oss_fr": ("FR", D(20), None, None),
    "company_nl": ("NL", D(21), "Bakker BV", "NL123456789B01"),
}


def line(line_id: str, sku: str | None, price: str, qty: int, rate: Decimal, *, gross: bool,
         discount: str = "0") -> OrderLine:
    """One consistent line. `price`/`discount` are incl. VAT when `gross`, else excl."""
    unit, disc, quantity = D(price), D(discount), D(qty)
    if gross:
        total_incl = unit * quantity - disc
        total_excl = cents(net_from_gross(total_incl, rate))
        disc_excl = cents(net_from_gross(disc, rate))
        unit_excl, unit_incl, disc_incl = net_from_gross(unit, rate, 4), unit, disc
    else:
        total_excl = unit * quantity - disc
        total_incl = total_excl + cents(total_excl * rate / 100)
        disc_excl, disc_incl = disc, disc + cents(disc * rate / 100)
        unit_excl, unit_incl = unit, cents(unit * (100 + rate) / 100)
    return OrderLine(line_id=line_id, sku=sku, title=f"Product {sku or line_id}", quantity=quantity,
                     unit_price_excl=unit_excl, unit_price_incl=unit_incl, discount_excl=disc_excl,
                     discount_incl=disc_incl, tax_rate=rate, tax_amount=total_incl - total_excl,
                     total_excl=total_excl, total_incl=total_incl)


def shipping(amount_incl: str, rate: Decimal) -> ShippingLine:
    incl = D(amount_incl)
    excl = cents(net_from_gross(incl, rate))
    return ShippingLine(title="Verzending", amount_excl=excl, amount_incl=incl, tax_rate=rate, tax_amount=incl - excl)


def order(number: int, *, scenario: str = "domestic_21", gross: bool = True, lines: tuple[OrderLine, ...] = (),
          ship: str | None = "4.95", email: str | None = "auto", order_discount: str | None = None,
          status: PaymentStatus = PaymentStatus.PAID, cancelled: bool = False, source: str = "shopify",
          refund: bool = False, minutes: int = 0) -> Order:
    """A consistent canonical order for one scenario (grand total = lines + shipping - order discount)."""
    country, rate, company, vat_number = SCENARIOS[scenario]
    if not lines:
        lines = (line(f"{number}-1", f"SKU-{number % 7}", "19.95", 2, rate, gross=gross, discount="2.00"),
                 line(f"{number}-2", "SKU-O'NEIL", "5.00", 1, rate, gross=gross))
    ships = (shipping(ship, rate),) if ship else ()
    discounts: tuple[Discount, ...] = ()
    if order_discount:
        amount = D(order_discount)
        excl = cents(net_from_gross(amount, rate))
        discounts = (Discount(code="WELCOME", title="Welkomstkorting", kind="fixed_amount", amount_incl=amount,
                              amount_excl=excl, allocation=DiscountAllocation.ORDER, tax_rate=rate,
                              tax_amount=amount - excl),)
    per_rate: dict[Decimal, Decimal] = {}
    for item in (*lines, *ships):
        r = item.tax_rate
        per_rate[r] = per_rate.get(r, D(0)) + item.tax_amount
    for disc in discounts:
        per_rate[rate] = per_rate.get(rate, D(0)) - disc.tax_amount
    subtotal = sum((ln.total_incl for ln in lines), D(0))
    ship_total = sum((s.amount_incl for s in ships), D(0))
    disc_total = sum((d.amount_incl for d in discounts), D(0))
    grand = subtotal + ship_total - disc_total
    created = BASE_TIME + timedelta(minutes=minutes or number)
    if email == "auto":
        email = f"Klant.{number % 40}@Example.com " if number % 40 else "o'brien@example.com"
    address = Address(line1="Kerkstraat", house_number=str(number % 90 + 1), postcode="1234 AB", city="Stad",
                      country=country, company=company, first_name="Jan", last_name=f"Klant{number % 40}")
    refunds: tuple[Refund, ...] = ()
    if refund:
        first = lines[0]
        per_unit_incl = first.total_incl / first.quantity
        incl = cents(per_unit_incl)
        excl = cents(net_from_gross(incl, first.tax_rate))
        refunds = (Refund(refund_id=f"{number}01", created_at=created + timedelta(days=3),
                          lines=(RefundLine(line_id=first.line_id, sku=first.sku, quantity=D(1), amount_excl=excl,
                                            amount_incl=incl, tax_amount=incl - excl, tax_rate=first.tax_rate),),
                          shipping_incl=D(0), adjustment_incl=D(0), total_incl=incl),)
    return Order(
        source=source, source_id=f"{900000 + number}", reference=f"#{1000 + number}", created_at=created,
        updated_at=created + timedelta(seconds=30), currency="EUR", prices_include_tax=gross, payment_status=status,
        fulfillment_status=FulfillmentStatus.FULFILLED, lines=lines,
        totals=Totals(subtotal_incl=subtotal, shipping_incl=ship_total, discount_incl=disc_total,
                      tax_total=sum(per_rate.values(), D(0)),
                      tax_lines=tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items())),
                      grand_total=grand, refunded_total=sum((r.total_incl for r in refunds), D(0))),
        cancelled=cancelled,
        customer=CustomerRef(source_id=f"c{number % 40}", email=email, first_name="Jan",
                             last_name=f"Klant{number % 40}", company_name=company, vat_number=vat_number,
                             is_company=company is not None)
        if email else None,
        billing_address=address, shipping_address=address, shipping_lines=ships, discounts=discounts,
        payments=(Payment(gateway="ideal", amount=grand),), refunds=refunds,
    )


def realistic_orders(count: int, seed: int = 7, start: int = 1) -> list[Order]:
    """A mix of every scenario: gross and net prices, discounts, shipping, POS sales without e-mail, refunds."""
    rng = random.Random(seed)
    names = list(SCENARIOS)
    out = []
    for n in range(start, start + count):
        scenario = names[n % len(names)]
        rate = SCENARIOS[scenario][1]
        gross = rng.random() < 0.8
        lines = tuple(line(f"{n}-{i}", f"SKU-{rng.randrange(60):03d}", f"{rng.randrange(100, 9000) / 100:.2f}",
                           rng.randrange(1, 4), rate, gross=gross,
                           discount=f"{rng.choice([0, 0, 0, 1, 2.5]):.2f}") for i in range(rng.randrange(1, 4)))
        out.append(order(n, scenario=scenario, gross=gross, lines=lines,
                         ship=rng.choice([None, "4.95", "6.95"]),
                         email=None if n % 13 == 0 and SCENARIOS[scenario][3] is None else "auto",
                         order_discount="5.00" if n % 11 == 0 else None, refund=n % 17 == 0))
    return out


def with_status(o: Order, status: PaymentStatus) -> Order:
    return replace(o, payment_status=status)


def record_message(stream: str, obj: Any) -> AirbyteMessage:
    return protocol.record(stream, to_record(obj))


def state_message(cursor: str) -> AirbyteMessage:
    state = AirbyteStateMessage(type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
        stream_descriptor=Descriptor(name="orders"), stream_state=AirbyteStateBlob(updated_at=cursor)))
    return AirbyteMessage(type=Type.STATE, state=state)


def messages_for(orders: list[Order], state_every: int = 25) -> list[AirbyteMessage]:
    """RECORD messages with a STATE after every `state_every` orders (and at the end), as a source emits them."""
    out: list[AirbyteMessage] = []
    for i, o in enumerate(orders, start=1):
        out.append(record_message("orders", o))
        if i % state_every == 0 or i == len(orders):
            out.append(state_message(o.updated_at.isoformat()))
    return out


SANDBOX_VAT_CODES = {"domestic_zero": "5", "export": "6"}  # 0 % codes Exact cannot tell apart (reference §7)


def sandbox_config(base_url: str, **overrides: Any) -> dict[str, Any]:
    """A config for the sandbox stand-in (its documented credentials and seeded default debtor 999999)."""
    config: dict[str, Any] = {
        "api_url": base_url,
        "credentials": {"client_id": "exact-sandbox-client-id", "client_secret": "exact-sandbox-client-secret",
                        "refresh_token": "exact-sandbox-refresh-token"},
        "default_debtor_code": "999999",
        "vat_codes": dict(SANDBOX_VAT_CODES),
        "batch_size": 25,
    }
    config.update(overrides)
    return config
