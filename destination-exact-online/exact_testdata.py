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
from connector_common.model import Order, OrderLine, PaymentStatus, ShippingLine
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

D = Decimal
BASE_TIME = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

# name -> (ship-to country, rate, company name, VAT number)
SCENARIOS: dict[str, tuple[str, Decimal, str | None, str | None]] = {
    "domestic_21": ("NL", D(21), None, None),
    "domestic_9": ("NL", D(9), None, None),
    "domestic_0": ("NL", D(0), None, None),
    "icp": ("DE", D(0), "Muster GmbH", "DE123456788"),
    "export": ("US", D(0), None, None),
    "oss_de": ("DE", D(19), None, None),
    "oss_be": ("BE", D(21), None, None),
    "oss_fr": ("FR", D(20), None, None),
    "company_nl": ("NL", D(21), "Bakker BV", "NL123456782B01"),
}


def line(line_id: str, sku: str | None, price: str, qty: int, rate: Decimal, *, gross: bool,
         discount: str = "0") -> OrderLine:
    """One consistent line. `price`/`discount` are incl. VAT when `gross`, else excl."""
    return make_line(sku, qty, price, rate, discount_incl=discount, title=f"Product {sku or line_id}",
                     line_id=line_id, prices_include_tax=gross)


def shipping(amount_incl: str, rate: Decimal) -> ShippingLine:
    return make_shipping(amount_incl, rate, "Verzending")


def order(number: int, *, scenario: str = "domestic_21", gross: bool = True, lines: tuple[OrderLine, ...] = (),
          ship: str | None = "4.95", email: str | None = "auto", order_discount: str | None = None,
          status: PaymentStatus = PaymentStatus.PAID, cancelled: bool = False, source: str = "shopify",
          refund: bool = False, minutes: int = 0) -> Order:
    """A consistent canonical order for one scenario (grand total = lines + shipping - order discount).

    Shipping, the order discount and the refund (one unit of the first line) are incl. VAT whatever `gross` says.
    """
    country, rate, company, vat_number = SCENARIOS[scenario]
    if not lines:
        lines = (line(f"{number}-1", f"SKU-{number % 7}", "19.95", 2, rate, gross=gross, discount="2.00"),
                 line(f"{number}-2", "SKU-O'NEIL", "5.00", 1, rate, gross=gross))
    created = BASE_TIME + timedelta(minutes=minutes or number)
    if email == "auto":
        email = f"Klant.{number % 40}@Example.com " if number % 40 else "o'brien@example.com"
    last_name = f"Klant{number % 40}"
    return make_order(
        source=source, source_id=f"{900000 + number}", reference=f"#{1000 + number}", created_at=created,
        updated_at=created + timedelta(seconds=30), prices_include_tax=gross, payment_status=status,
        cancelled=cancelled, lines=lines, shipping=(shipping(ship, rate),) if ship else (),
        discounts=(make_discount(order_discount, rate, title="Welkomstkorting"),) if order_discount else (),
        refunds=(make_refund(lines[0], 1, refund_id=f"{number}01", created_at=created + timedelta(days=3)),)
        if refund else (),
        customer=make_customer(email, last_name=last_name, company=company, vat_number=vat_number,
                               source_id=f"c{number % 40}") if email else None,
        address=make_address(country, line1="Kerkstraat", house_number=str(number % 90 + 1), postcode="1234 AB",
                             city="Stad", company=company, first_name="Jan", last_name=last_name),
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
