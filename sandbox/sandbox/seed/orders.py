"""The shop's orders: web and POS sales, their lines, discount codes, shipping, payments and initial refunds."""

from __future__ import annotations

import bisect
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.seed.catalogue import active_variants
from sandbox.seed.model import Customer, DiscountCode, Order, OrderLine, Payment, ShippingLine, Variant
from sandbox.seed.pricing import HUNDRED, ZERO, allocate, cents, net_of, order_totals, price_line, price_shipping
from sandbox.seed.refunds import with_refund
from sandbox.seed.shop import CURRENCY, EU_COUNTRIES, ORDER_START, SHOP_COUNTRY, TAGS, Shop, vat_rate

POS_SHARE = 0.12  # anonymous counter sales (no customer, no shipping, no discount)
EXCLUSIVE_SHARE = 0.08  # orders priced excl. VAT
ZERO_RATED = ("icp", "export")  # 0 % VAT, priced at the net NL price; the rest pay the destination's rate
BASKET_SIZES = (1, 1, 2, 2, 3, 4)  # distinct variants per order
QUANTITIES = (1, 1, 1, 2, 3)  # per line
# A web order's discount (code, kind, value; percentage = percent, fixed_amount = EUR) by cumulative odds: the
# first whose bound is above the roll
OFFERS: tuple[tuple[str, str, Decimal] | None, ...] = (
    ("WELCOME10", "percentage", Decimal("10")), ("SUMMER15", "percentage", Decimal("15")),
    ("FIVEOFF", "fixed_amount", Decimal("5.00")), ("TENOFF", "fixed_amount", Decimal("10.00")), None)
OFFER_ODDS = (0.08, 0.12, 0.17, 0.2, 1.0)
# The financial status as drawn, by cumulative odds; refunds are made right after.
STATUSES = ("voided", "pending", "refunded", "partially_refunded", "paid")
STATUS_ODDS = (0.03, 0.08, 0.11, 0.16, 1.0)
REFUND_NOTES = {"refunded": "Returned within 14 days", "partially_refunded": "Damaged item"}
SHIPPING_INCL = {"domestic": Decimal("4.95"), "oss": Decimal("9.95"), "icp": Decimal("12.50"),
                 "export": Decimal("24.95")}
FREE_SHIPPING_FROM = Decimal("75.00")  # domestic orders, lines incl. VAT after discount
POS_GATEWAYS = ("cash", "pin", "pin")
WEB_GATEWAYS = {"BE": ("bancontact", "bancontact", "creditcard")}  # per customer country; others:
DEFAULT_GATEWAYS = ("ideal", "ideal", "ideal", "creditcard", "paypal")
ORDER_NOTES = (None, None, None, "Graag bellen vóór levering", "Gift wrap, please — it's for Zoë")
# Order field: the customer field it copies (None for anonymous POS sales, which are never shipped)
FROM_CUSTOMER = {"customer_id": "id", "email": "email", "phone": "phone", "company": "company",
                 "vat_number": "vat_number", "billing_address": "address", "shipping_address": "address"}


def _order_kind(customer: Customer | None) -> tuple[str, str]:
    """(VAT treatment, destination country) of an order by `customer`; None is an anonymous sale in the shop."""
    country = customer.address.country if customer else SHOP_COUNTRY
    if country == SHOP_COUNTRY:
        return "domestic", country
    if country not in EU_COUNTRIES:
        return "export", country
    return ("icp" if customer and customer.vat_number else "oss"), country


def _discounts(offer: tuple[str, str, Decimal] | None, gross: list[Decimal]) -> list[Decimal]:
    """The offer's share of each line's gross, in the pricing mode; a fixed amount only applies when the lines come
    to more than twice its value."""
    if offer is None:
        return [ZERO for _ in gross]
    _, kind, value = offer
    if kind == "percentage":
        return [cents(g * value / HUNDRED) for g in gross]
    return allocate(value, gross) if sum(gross, ZERO) > value * 2 else [ZERO for _ in gross]


def _shipping(order_id: int, kind: str, country: str, lines: tuple[OrderLine, ...],
              include_tax: bool) -> ShippingLine:
    """The standard shipping line: taxed at the destination's standard rate (0 for icp/export), free for domestic
    orders from `FREE_SHIPPING_FROM`."""
    rate = Decimal("0") if kind in ZERO_RATED else vat_rate(country, "standard")
    incl = SHIPPING_INCL[kind]
    if kind == "domestic" and sum((ln.total_incl for ln in lines), ZERO) >= FREE_SHIPPING_FROM:
        incl = ZERO
    price = incl if include_tax or rate == 0 else net_of(incl, rate)
    return price_shipping(line_id=order_id * 1000 + 901, title="Standard" if incl else "Free shipping",
                          code="STANDARD", price=price, rate=rate, include_tax=include_tax)


def build_order(rng: random.Random, shop: Shop, order_id: int, created_at: datetime, updated_at: datetime, *,
                variants: list[Variant]) -> Order:
    """Generate one order (deterministic for a given RNG state) of the shop's active `variants`."""
    pos = rng.random() < POS_SHARE
    customer = None if pos or not shop.customers else shop.customers[rng.randrange(1, len(shop.customers) + 1)]
    kind, country = _order_kind(customer)
    include_tax = rng.random() >= EXCLUSIVE_SHARE
    picked = rng.sample(variants, k=min(len(variants), rng.choice(BASKET_SIZES)))
    quantities = [rng.choice(QUANTITIES) for _ in picked]
    rates = [Decimal("0") if kind in ZERO_RATED else vat_rate(country, v.tax_class) for v in picked]
    # Inclusive B2C orders keep the shelf price (also for OSS); otherwise the net NL price is the unit price.
    units = [v.price if include_tax and kind not in ZERO_RATED else net_of(v.price, v.tax_rate) for v in picked]
    gross = [u * q for u, q in zip(units, quantities, strict=True)]
    offer = OFFERS[bisect.bisect(OFFER_ODDS, rng.random())]  # drawn for POS sales too, which take no code
    discounts = _discounts(None if pos else offer, gross)
    offer = offer if not pos and any(discounts) else None  # a code that takes nothing off is not on the order
    lines = tuple(
        price_line(line_id=order_id * 1000 + i + 1, variant=v, title=shop.products[v.product_id].title,
                   quantity=q, rate=r, unit_price=u, include_tax=include_tax, discount=d,
                   discount_code=offer[0] if offer and d else None)
        for i, (v, q, r, u, d) in enumerate(zip(picked, quantities, rates, units, discounts, strict=True)))
    codes = () if offer is None else (
        DiscountCode(code=offer[0], kind=offer[1], value=offer[2], amount=sum(discounts, ZERO),
                     amount_incl=sum((ln.discount_incl for ln in lines), ZERO),
                     amount_excl=sum((ln.discount_excl for ln in lines), ZERO)),)
    shipping = () if pos else (_shipping(order_id, kind, country, lines, include_tax),)
    totals = order_totals(lines, shipping)

    financial = STATUSES[bisect.bisect(STATUS_ODDS, rng.random())]
    cancelled = financial == "voided"
    gateway = rng.choice(POS_GATEWAYS if pos else WEB_GATEWAYS.get(country, DEFAULT_GATEWAYS))
    paid_at = None if financial in ("pending", "voided") else created_at + timedelta(seconds=rng.randrange(5, 120))
    payments = () if cancelled else (
        Payment(id=order_id * 1000 + 501, kind="sale", status="pending" if paid_at is None else "success",
                gateway=gateway, amount=totals["grand_total"], processed_at=paid_at or created_at),)
    contact: dict[str, Any] = {name: getattr(customer, field, None) for name, field in FROM_CUSTOMER.items()}
    order = Order(
        id=order_id, number=1000 + order_id, created_at=created_at, updated_at=updated_at, paid_at=paid_at,
        cancelled_at=updated_at if cancelled else None, cancel_reason="customer" if cancelled else None,
        channel="pos" if pos else "web", kind=kind, currency=CURRENCY, prices_include_tax=include_tax,
        test=order_id % 97 == 0, **contact,
        lines=lines, shipping_lines=shipping, discount_codes=codes, payments=payments, refunds=(),
        financial_status="paid" if financial in REFUND_NOTES else financial,
        fulfillment_status="fulfilled" if paid_at is not None else "unfulfilled",
        note=rng.choice(ORDER_NOTES), tags=tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(2))})),
        **totals,
    )
    if financial == "refunded":  # everything, with shipping
        order = with_refund(order, updated_at, None, REFUND_NOTES[financial])
    elif financial == "partially_refunded":  # the line with the most items, all but one of them
        biggest = max(order.lines, key=lambda ln: ln.quantity)
        order = with_refund(order, updated_at, {biggest.id: max(1, biggest.quantity - 1)}, REFUND_NOTES[financial])
    return order


def append_orders(rng: random.Random, shop: Shop, count: int, fixed_at: datetime | None = None) -> list[Order]:
    """Append `count` orders after the newest one (from `ORDER_START`); updated_at is non-decreasing with id, with
    ties. With `fixed_at`, order i of the batch is created and updated at `fixed_at + i seconds`."""
    last = shop.orders[max(shop.orders)] if shop.orders else None
    created = max(ORDER_START, last.created_at) if last else ORDER_START
    prev_updated = last.updated_at if last else None
    variants = active_variants(shop)
    next_id = last.id + 1 if last else 1
    for order_id in range(next_id, next_id + count):
        created = created + timedelta(seconds=rng.randrange(60, 1800))
        updated = created + timedelta(seconds=rng.randrange(600, 3600))
        if fixed_at is not None:
            created = updated = fixed_at + timedelta(seconds=order_id - next_id)
        elif prev_updated is not None:
            if rng.random() < 0.1 and created <= prev_updated:
                updated = prev_updated  # deliberate tie on updated_at (same second)
            elif updated <= prev_updated:
                updated = prev_updated + timedelta(seconds=1)
        prev_updated = updated
        shop.orders[order_id] = build_order(rng, shop, order_id, created, updated, variants=variants)
    shop.version += 1
    return [shop.orders[order_id] for order_id in range(next_id, next_id + count)]
