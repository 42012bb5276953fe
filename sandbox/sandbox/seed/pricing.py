"""Money rules of the generated shop, computed ONCE here (renderers only format): every amount is rounded
ROUND_HALF_UP to cents.

An order is priced either tax-inclusive (`prices_include_tax=True`, the Dutch default) or exclusive. For a line
the *pricing-mode* unit price times quantity is the gross; the discount is allocated in the same mode; then

- inclusive: total_incl = gross_incl - discount_incl; tax = round(total_incl * r / (100 + r));
  total_excl = total_incl - tax; gross_excl = round(gross_incl * 100 / (100 + r))
- exclusive: total_excl = gross_excl - discount_excl; tax = round(total_excl * r / 100);
  total_incl = total_excl + tax; gross_incl = round(gross_excl * (100 + r) / 100)

and in both modes discount = gross - total (the unit price's other view is converted and rounded like the gross).

Shipping lines are taxed the same way (no discounts on shipping). The order totals are plain sums, so these
identities hold exactly (tests check them for every generated order):

    lines_total_incl - discount_total_incl + shipping_total_incl == grand_total
    lines_total_excl - discount_total_excl + shipping_total_excl == total_excl
    sum(t.tax for t in tax_lines) == total_tax == grand_total - total_excl
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.seed.model import OrderLine, ShippingLine, TaxTotal, Variant

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up (the only rounding used in the shop)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def net_of(price_incl: Decimal, rate: Decimal) -> Decimal:
    """Price excl. tax for a price incl. tax at `rate` percent."""
    return cents(price_incl * HUNDRED / (HUNDRED + rate))


def gross_of(price_excl: Decimal, rate: Decimal) -> Decimal:
    """Price incl. tax for a price excl. tax at `rate` percent."""
    return cents(price_excl * (HUNDRED + rate) / HUNDRED)


def _views(value: Decimal, rate: Decimal, include_tax: bool) -> tuple[Decimal, Decimal]:
    """(incl, excl) of a pricing-mode value: the other view converted at `rate` and rounded."""
    return (value, net_of(value, rate)) if include_tax else (gross_of(value, rate), value)


def _taxed(total: Decimal, rate: Decimal, include_tax: bool) -> tuple[Decimal, Decimal, Decimal]:
    """(incl, excl, tax) of a pricing-mode total: the tax rounded once, the other view the total -/+ the tax."""
    if include_tax:
        tax = cents(total * rate / (HUNDRED + rate))
        return total, total - tax, tax
    tax = cents(total * rate / HUNDRED)
    return total + tax, total, tax


def price_line(*, line_id: int, variant: Variant, title: str, quantity: int, rate: Decimal, unit_price: Decimal,
               include_tax: bool, discount: Decimal, discount_code: str | None) -> OrderLine:
    """Derive every amount of one line from its pricing-mode unit price and discount."""
    unit_incl, unit_excl = _views(unit_price, rate, include_tax)
    gross_incl, gross_excl = _views(unit_price * quantity, rate, include_tax)
    total_incl, total_excl, tax = _taxed(unit_price * quantity - discount, rate, include_tax)
    return OrderLine(id=line_id, product_id=variant.product_id, variant_id=variant.id, sku=variant.sku,
                     title=title, variant_title=variant.title,
                     quantity=quantity, tax_rate=rate, unit_price=unit_price, unit_price_incl=unit_incl,
                     unit_price_excl=unit_excl, gross_incl=gross_incl, gross_excl=gross_excl,
                     discount_code=discount_code, discount=discount, discount_incl=gross_incl - total_incl,
                     discount_excl=gross_excl - total_excl, tax_amount=tax, total_excl=total_excl,
                     total_incl=total_incl)


def price_shipping(*, line_id: int, title: str, code: str, price: Decimal, rate: Decimal,
                   include_tax: bool) -> ShippingLine:
    """Derive the amounts of a shipping line from its pricing-mode price."""
    incl, excl, tax = _taxed(price, rate, include_tax)
    return ShippingLine(id=line_id, title=title, code=code, tax_rate=rate, price=price, price_incl=incl,
                        price_excl=excl, tax_amount=tax)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` proportionally in cents; the last share takes the rounding rest."""
    whole = sum(weights, ZERO)
    if whole == 0:
        return [ZERO for _ in weights]
    shares = [cents(total * w / whole) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def order_totals(lines: tuple[OrderLine, ...], shipping: tuple[ShippingLine, ...]) -> dict[str, Any]:
    """All order-level sums of a new order, nothing refunded yet (keyword arguments for `Order`)."""
    per_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, base, tax in [(ln.tax_rate, ln.total_excl, ln.tax_amount) for ln in lines] + \
            [(s.tax_rate, s.price_excl, s.tax_amount) for s in shipping]:
        old_base, old_tax = per_rate.get(rate, (ZERO, ZERO))
        per_rate[rate] = (old_base + base, old_tax + tax)
    lines_incl = sum((ln.gross_incl for ln in lines), ZERO)
    lines_excl = sum((ln.gross_excl for ln in lines), ZERO)
    disc_incl = sum((ln.discount_incl for ln in lines), ZERO)
    disc_excl = sum((ln.discount_excl for ln in lines), ZERO)
    ship_incl = sum((s.price_incl for s in shipping), ZERO)
    ship_excl = sum((s.price_excl for s in shipping), ZERO)
    ship_tax = sum((s.tax_amount for s in shipping), ZERO)
    total_tax = sum((ln.tax_amount for ln in lines), ZERO) + ship_tax
    return {
        "lines_total_incl": lines_incl, "lines_total_excl": lines_excl,
        "discount_total_incl": disc_incl, "discount_total_excl": disc_excl,
        "shipping_total_incl": ship_incl, "shipping_total_excl": ship_excl, "shipping_tax": ship_tax,
        "subtotal_incl": lines_incl - disc_incl, "subtotal_excl": lines_excl - disc_excl,
        "total_tax": total_tax, "total_excl": lines_excl - disc_excl + ship_excl,
        "grand_total": lines_incl - disc_incl + ship_incl,
        "tax_lines": tuple(TaxTotal(rate=r, base=b, tax=t) for r, (b, t) in sorted(per_rate.items(), reverse=True)),
        "refunded_total": ZERO, "refunded_tax": ZERO,
    }
