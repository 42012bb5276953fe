"""The shop's orders: web and POS sales, their lines, discount codes, shipping, payments and initial refunds."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sandbox.seed.catalogue import active_variants
from sandbox.seed.model import Customer, DiscountCode, Order, Payment, ShippingLine, Variant
from sandbox.seed.pricing import HUNDRED, ZERO, allocate, cents, net_of, order_totals, price_line, price_shipping
from sandbox.seed.refunds import with_refund
from sandbox.seed.shop import CURRENCY, EU_COUNTRIES, SHOP_COUNTRY, TAGS, VAT_RATES, Shop

DISCOUNTS = (("WELCOME10", "percentage", Decimal("10")), ("SUMMER15", "percentage", Decimal("15")),
             ("FIVEOFF", "fixed_amount", Decimal("5.00")), ("TENOFF", "fixed_amount", Decimal("10.00")))
SHIPPING_INCL = {"domestic": Decimal("4.95"), "oss": Decimal("9.95"), "icp": Decimal("12.50"),
                 "export": Decimal("24.95")}
FREE_SHIPPING_FROM = Decimal("75.00")


def _line_rate(kind: str, country: str, variant: Variant) -> Decimal:
    if kind in ("icp", "export"):
        return Decimal("0")
    if kind == "oss":
        if variant.tax_class == "zero":
            return Decimal("0")
        standard, reduced = VAT_RATES[country]
        return standard if variant.tax_class == "standard" else reduced
    return variant.tax_rate


def _order_kind(customer: Customer | None) -> tuple[str, str]:
    if customer is None:
        return "domestic", SHOP_COUNTRY
    country = customer.address.country
    if country == SHOP_COUNTRY:
        return "domestic", country
    if country not in EU_COUNTRIES:
        return "export", country
    return ("icp" if customer.vat_number else "oss"), country


def build_order(rng: random.Random, shop: Shop, order_id: int, created_at: datetime, updated_at: datetime, *,
                variants: list[Variant] | None = None) -> Order:
    """Generate one order (deterministic for a given RNG state); `variants` = the active ones (a cache)."""
    pos = rng.random() < 0.12
    customer = None if pos or not shop.customers else shop.customers[rng.randrange(1, len(shop.customers) + 1)]
    kind, country = _order_kind(customer)
    include_tax = rng.random() >= 0.08
    if variants is None:
        variants = active_variants(shop)
    picked = rng.sample(variants, k=min(len(variants), rng.choice((1, 1, 2, 2, 3, 4))))
    quantities = [rng.choice((1, 1, 1, 2, 3)) for _ in picked]
    rates = [_line_rate(kind, country, v) for v in picked]
    # Inclusive B2C orders keep the shelf price (also for OSS); otherwise the net NL price is the unit price.
    units = [v.price if include_tax and kind in ("domestic", "oss") else net_of(v.price, v.tax_rate) for v in picked]
    gross = [u * q for u, q in zip(units, quantities, strict=True)]
    code: DiscountCode | None = None
    discounts = [ZERO for _ in picked]
    roll = rng.random()
    if not pos and roll < 0.2:
        name, dkind, value = DISCOUNTS[0 if roll < 0.08 else 1 if roll < 0.12 else 2 if roll < 0.17 else 3]
        if dkind == "percentage":
            discounts = [cents(g * value / HUNDRED) for g in gross]
        elif sum(gross, ZERO) > value * 2:
            discounts = allocate(value, gross)
        if any(discounts):
            code = DiscountCode(code=name, kind=dkind, value=value, amount=sum(discounts, ZERO), amount_incl=ZERO,
                                amount_excl=ZERO)
    lines = tuple(
        price_line(line_id=order_id * 1000 + i + 1, variant=v, title=shop.products[v.product_id].title,
                   quantity=q, rate=r, unit_price=u, include_tax=include_tax, discount=d,
                   discount_code=code.code if code and d else None)
        for i, (v, q, r, u, d) in enumerate(zip(picked, quantities, rates, units, discounts, strict=True)))
    if code is not None:
        code = replace(code, amount_incl=sum((ln.discount_incl for ln in lines), ZERO),
                       amount_excl=sum((ln.discount_excl for ln in lines), ZERO))
    shipping: tuple[ShippingLine, ...] = ()
    if not pos:
        ship_rate = VAT_RATES[country][0] if kind in ("domestic", "oss") else Decimal("0")
        ship_incl = SHIPPING_INCL[kind]
        if kind == "domestic" and sum((ln.total_incl for ln in lines), ZERO) >= FREE_SHIPPING_FROM:
            ship_incl = ZERO
        price = ship_incl if include_tax or ship_rate == 0 else net_of(ship_incl, ship_rate)
        title = "Standard" if ship_incl else "Free shipping"
        shipping = (price_shipping(line_id=order_id * 1000 + 901, title=title, code="STANDARD", price=price,
                                   rate=ship_rate, include_tax=include_tax),)
    totals = order_totals(lines, shipping, ())
    grand = totals["grand_total"]
    assert isinstance(grand, Decimal)

    status_roll = rng.random()
    cancelled = status_roll < 0.03
    financial = "voided" if cancelled else "pending" if status_roll < 0.08 else \
        "refunded" if status_roll < 0.11 else "partially_refunded" if status_roll < 0.16 else "paid"
    if pos:
        gateway = rng.choice(("cash", "pin", "pin"))
    elif customer is not None and customer.address.country == "BE":
        gateway = rng.choice(("bancontact", "bancontact", "creditcard"))
    else:
        gateway = rng.choice(("ideal", "ideal", "ideal", "creditcard", "paypal"))
    paid_at = None if financial in ("pending", "voided") else created_at + timedelta(seconds=rng.randrange(5, 120))
    payments: tuple[Payment, ...] = ()
    if financial != "voided":
        payments = (Payment(id=order_id * 1000 + 501, kind="sale", status="pending" if paid_at is None else "success",
                            gateway=gateway, amount=grand, processed_at=paid_at or created_at),)
    order = Order(
        id=order_id, number=1000 + order_id, created_at=created_at, updated_at=updated_at, paid_at=paid_at,
        cancelled_at=updated_at if cancelled else None, cancel_reason="customer" if cancelled else None,
        channel="pos" if pos else "web", kind=kind, currency=CURRENCY, prices_include_tax=include_tax,
        test=order_id % 97 == 0, customer_id=customer.id if customer else None,
        email=customer.email if customer else None, phone=customer.phone if customer else None,
        company=customer.company if customer else None, vat_number=customer.vat_number if customer else None,
        billing_address=customer.address if customer else None,
        shipping_address=customer.address if customer and not pos else None,
        lines=lines, shipping_lines=shipping, discount_codes=(code,) if code else (), payments=payments, refunds=(),
        financial_status="paid" if financial in ("refunded", "partially_refunded") else financial,
        fulfillment_status="fulfilled" if financial in ("paid", "refunded", "partially_refunded") else "unfulfilled",
        note=rng.choice((None, None, None, "Graag bellen vóór levering", "Gift wrap, please — it's for Zoë")),
        tags=tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(2))})),
        **totals,  # type: ignore[arg-type]
    )
    if financial == "refunded":
        order = with_refund(order, updated_at, None, "Returned within 14 days")
    elif financial == "partially_refunded":
        biggest = max(order.lines, key=lambda ln: ln.quantity)
        order = with_refund(order, updated_at, {biggest.id: max(1, biggest.quantity - 1)}, "Damaged item")
    return order


def append_orders(rng: random.Random, shop: Shop, count: int, start: datetime,
                   fixed_at: datetime | None = None) -> list[Order]:
    """Append `count` orders after the newest one; updated_at is non-decreasing with id, with ties.

    With `fixed_at`, order i of the batch is created and updated at `fixed_at + i seconds`."""
    last = shop.orders[max(shop.orders)] if shop.orders else None
    created = max(start, last.created_at) if last else start
    prev_updated = last.updated_at if last else None
    new = []
    variants = active_variants(shop)
    next_id = (max(shop.orders) + 1) if shop.orders else 1
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
        order = build_order(rng, shop, order_id, created, updated, variants=variants)
        shop.orders[order_id] = order
        new.append(order)
    shop.version += 1
    return new
