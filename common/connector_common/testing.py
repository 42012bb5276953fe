"""Test and benchmark helpers: builders of consistent canonical orders (amounts computed once, Decimal), a
simulated clock and what a test reads from a source run (ReadMessages).

Every amount is given in the order's pricing mode (incl. tax by default, excl. tax with
`prices_include_tax=False`) and split into excl./incl./tax by `split`, the one rounding rule of all builders, so
every order they build passes `connector_common.model.validate_order` by construction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStream,
    AirbyteStreamState,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    StreamDescriptor,
    SyncMode,
    Type,
)

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
from connector_common.money import cents, gross_from_net, net_from_gross, tax_on_net
from connector_common.protocol import record, serialize

D = Decimal
Amount = str | int | Decimal  # a money, quantity or rate value as a test writes it ("19.95", 2, Decimal(21))
CREATED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # default order time


def destination_catalog(*streams: str, mode: DestinationSyncMode = DestinationSyncMode.append
                        ) -> ConfiguredAirbyteCatalog:
    """The catalog a platform hands a destination: each stream incremental, written with `mode`."""
    return ConfiguredAirbyteCatalog(streams=[ConfiguredAirbyteStream(
        stream=AirbyteStream(name=name, json_schema={}, supported_sync_modes=[SyncMode.incremental]),
        sync_mode=SyncMode.incremental, destination_sync_mode=mode) for name in streams])


def position_state(stream: str, position: int) -> AirbyteMessage:
    """A STATE of `stream` whose blob is just a position (what a destination test checks it echoes back)."""
    return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
        type=AirbyteStateType.STREAM, stream=AirbyteStreamState(
            stream_descriptor=StreamDescriptor(name=stream), stream_state=AirbyteStateBlob(position=position))))


def with_position_states(stream: str, records: Sequence[dict[str, Any]], every: int) -> list[AirbyteMessage]:
    """RECORDs of `stream` with a STATE after every `every` records (its position = records before it) and one at
    the end, as a source emits them."""
    messages: list[AirbyteMessage] = []
    for i, data in enumerate(records, start=1):
        messages.append(record(stream, data))
        if i % every == 0 or i == len(records):
            messages.append(position_state(stream, i))
    return messages


class ReadMessages:
    """What a test reads from a source run's messages (`self.messages`): records per stream and the state Airbyte
    would pass to the next run."""

    __slots__ = ()
    messages: list[AirbyteMessage]

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [m.record.data for m in self.messages
                if m.type == Type.RECORD and m.record is not None and m.record.stream == stream]

    def state(self) -> list[AirbyteStateMessage]:
        """The last state per stream, as Airbyte passes it to the next run."""
        last: dict[str, AirbyteStateMessage] = {}
        for message in self.messages:
            if message.type == Type.STATE and message.state and message.state.stream:
                last[message.state.stream.stream_descriptor.name] = message.state
        return list(last.values())

    def stream_state(self, stream: str) -> dict[str, Any]:
        for state in self.state():
            if state.stream and state.stream.stream_descriptor.name == stream and state.stream.stream_state:
                return dict(json.loads(serialize(AirbyteMessage(type=Type.STATE, state=state)))["state"]["stream"][
                    "stream_state"])
        return {}


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


def split(amount: Amount, rate: Amount, *, prices_include_tax: bool = True) -> tuple[Decimal, Decimal, Decimal]:
    """(excl, incl, tax) of an amount given in a pricing mode, each in cents.

    Incl. tax: the net amount is rounded half up to cents and the tax is the rest. Excl. tax: the tax on the net
    amount is rounded half up and added. A half-cent tie therefore goes to the net amount, not to the tax.
    """
    value, r = cents(D(amount)), D(rate)
    if prices_include_tax:
        excl = cents(net_from_gross(value, r))
        return excl, value, value - excl
    tax = tax_on_net(value, r)
    return value, value + tax, tax


def make_line(sku: str | None, quantity: Amount, unit_incl: Amount, rate: Amount, *, discount_incl: Amount = "0",
              title: str | None = None, line_id: str | None = None, prices_include_tax: bool = True,
              is_service: bool = False) -> OrderLine:
    """A line whose tax is computed on the discounted line total and rounded once to cents.

    `unit_incl` and `discount_incl` are in the order's pricing mode: incl. tax by default, excl. tax with
    `prices_include_tax=False` (the names predate that option). The unit price in the other mode is derived at
    4 decimals (incl. to excl.) or in cents (excl. to incl.), as shops report it.
    """
    qty, unit, r = D(quantity), D(unit_incl), D(rate)
    total_excl, total_incl, tax = split(qty * unit - D(discount_incl), r, prices_include_tax=prices_include_tax)
    disc_excl, disc_incl, _ = split(discount_incl, r, prices_include_tax=prices_include_tax)
    if prices_include_tax:
        unit_excl, unit_gross = net_from_gross(unit, r, 4), unit
    else:
        unit_excl, unit_gross = unit, gross_from_net(unit, r, 2)
    return OrderLine(
        line_id=line_id or f"L-{sku}", sku=sku, title=title or f"Product {sku}", quantity=qty,
        unit_price_excl=unit_excl, unit_price_incl=unit_gross, discount_excl=disc_excl, discount_incl=disc_incl,
        tax_rate=r, tax_amount=tax, total_excl=total_excl, total_incl=total_incl, is_service=is_service,
    )


def make_shipping(amount_incl: Amount, rate: Amount = "21", title: str = "Shipping", *,
                  prices_include_tax: bool = True) -> ShippingLine:
    """A shipping line; `amount_incl` is in the pricing mode (excl. tax with `prices_include_tax=False`)."""
    excl, incl, tax = split(amount_incl, rate, prices_include_tax=prices_include_tax)
    return ShippingLine(title=title, amount_excl=excl, amount_incl=incl, tax_rate=D(rate), tax_amount=tax)


def make_discount(amount: Amount, rate: Amount = "21", *, prices_include_tax: bool = True, code: str | None = "WELCOME",
                  title: str = "Welcome discount") -> Discount:
    """A fixed order-level discount the shop did not allocate to lines (booked once, at `rate`), in pricing mode."""
    excl, incl, tax = split(amount, rate, prices_include_tax=prices_include_tax)
    return Discount(code=code, title=title, kind="fixed_amount", amount_incl=incl, amount_excl=excl,
                    allocation=DiscountAllocation.ORDER, tax_rate=D(rate), tax_amount=tax)


def make_refund(line: OrderLine, quantity: Amount, *, prices_include_tax: bool = True, refund_id: str = "r1",
                created_at: datetime | None = None, shipping_incl: Amount = "0") -> Refund:
    """A refund of `quantity` units of `line`: its share of the line total in the pricing mode, split like the line.

    Refunding every unit gives back exactly the line's amounts. `shipping_incl` is refunded shipping incl. tax.
    """
    qty, shipping = D(quantity), cents(D(shipping_incl))
    share = (line.total_incl if prices_include_tax else line.total_excl) * qty / line.quantity
    excl, incl, tax = split(share, line.tax_rate, prices_include_tax=prices_include_tax)
    return Refund(refund_id=refund_id, created_at=created_at or CREATED_AT + timedelta(days=3),
                  lines=(RefundLine(line_id=line.line_id, sku=line.sku, quantity=qty, amount_excl=excl,
                                    amount_incl=incl, tax_amount=tax, tax_rate=line.tax_rate),),
                  shipping_incl=shipping, adjustment_incl=D(0), total_incl=incl + shipping)


def make_customer(email: str | None, *, first_name: str | None = "Jan", last_name: str | None = "Jansen",
                  company: str | None = None, vat_number: str | None = None,
                  source_id: str | None = None) -> CustomerRef:
    """The customer snapshot on an order; a company name makes it a company customer."""
    return CustomerRef(source_id=source_id or f"c-{email}", email=email, first_name=first_name, last_name=last_name,
                       company_name=company, vat_number=vat_number, is_company=bool(company))


def make_address(country: str = "NL", *, line1: str = "Damrak 1", house_number: str | None = None,
                 postcode: str = "1012 AB", city: str = "Amsterdam", company: str | None = None,
                 first_name: str | None = None, last_name: str | None = None) -> Address:
    """A billing/shipping address; `country` is the VAT destination."""
    return Address(line1=line1, house_number=house_number, postcode=postcode, city=city, country=country,
                   company=company, first_name=first_name, last_name=last_name)


def make_order(
    *,
    source_id: str = "1001",
    lines: Sequence[OrderLine],
    shipping: Sequence[ShippingLine] = (),
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
    reference: str | None = None,
    updated_at: datetime | None = None,
    prices_include_tax: bool = True,
    discounts: Sequence[Discount] = (),
    refunds: Sequence[Refund] = (),
    address: Address | None = None,
    gateway: str = "ideal",
) -> Order:
    """An order whose totals satisfy `validate_order` by construction.

    Build its parts with the builders above, in the same pricing mode as `prices_include_tax`. `discounts` are
    order-level discounts (`make_discount`); `order_discount_incl`/`order_discount_rate` is a shorthand for one
    discount incl. tax. `address` (billing and shipping) defaults to one in `country`/`postcode` in the customer's
    name. The reference defaults to '#<source_id>', `updated_at` to `created_at`, and a paid order is paid when
    it was created.
    """
    created = created_at or CREATED_AT
    all_discounts = tuple(discounts)
    if order_discount_incl:
        all_discounts += (make_discount(order_discount_incl, order_discount_rate),)
    per_rate: dict[Decimal, Decimal] = {}
    items: list[OrderLine | ShippingLine] = [*lines, *shipping]
    for item in items:
        per_rate[item.tax_rate] = per_rate.get(item.tax_rate, D(0)) + item.tax_amount
    for disc in all_discounts:
        if disc.tax_rate is not None:
            per_rate[disc.tax_rate] = per_rate.get(disc.tax_rate, D(0)) - disc.tax_amount
    subtotal = sum((ln.total_incl for ln in lines), D(0))
    shipping_total = sum((s.amount_incl for s in shipping), D(0))
    unallocated = sum((d.amount_incl for d in all_discounts if d.allocation is DiscountAllocation.ORDER), D(0))
    discount_total = sum((ln.discount_incl for ln in lines), D(0)) + sum((d.amount_incl for d in all_discounts), D(0))
    grand = subtotal + shipping_total - unallocated
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
    if address is None:
        address = make_address(country, postcode=postcode, first_name=customer.first_name if customer else None,
                               last_name=customer.last_name if customer else None)
    return Order(
        source=source, source_id=source_id, reference=reference or f"#{source_id}", created_at=created,
        updated_at=updated_at or created, paid_at=created if payment_status is PaymentStatus.PAID else None,
        currency=currency, prices_include_tax=prices_include_tax, payment_status=payment_status,
        fulfillment_status=FulfillmentStatus.FULFILLED, cancelled=cancelled, customer=customer,
        billing_address=address, shipping_address=address, lines=tuple(lines), shipping_lines=tuple(shipping),
        discounts=all_discounts, payments=(Payment(gateway=gateway, amount=grand),), refunds=tuple(refunds),
        channel=channel,
        totals=Totals(subtotal_incl=subtotal, shipping_incl=shipping_total, discount_incl=discount_total,
                      tax_total=sum((t.amount for t in tax_lines), D(0)), tax_lines=tax_lines, grand_total=grand,
                      refunded_total=sum((r.total_incl for r in refunds), D(0))),
    )
