"""Refunds: an order plus one refund of some line quantities or of everything left (then with shipping)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from sandbox.seed.model import Order, Payment, Refund, RefundLine
from sandbox.seed.pricing import ZERO, cents


def with_refund(order: Order, at: datetime, quantities: dict[int, int] | None, note: str | None) -> Order:
    """Order plus one refund; `quantities` None = refund everything still refundable, incl. shipping."""
    done = Counter[int]()
    for old in order.refunds:
        done.update({rl.line_id: rl.quantity for rl in old.lines})
    lines = []
    for ln in order.lines:
        left = ln.quantity - done[ln.id]
        qty = left if quantities is None else min(left, quantities.get(ln.id, 0))
        if qty <= 0:
            continue
        incl = cents(ln.total_incl * qty / ln.quantity)
        tax = cents(ln.tax_amount * qty / ln.quantity)
        lines.append(RefundLine(line_id=ln.id, sku=ln.sku, quantity=qty, amount_incl=incl, amount_excl=incl - tax,
                                tax_amount=tax))
    full = quantities is None and not any(r.shipping_incl for r in order.refunds)  # shipping is refunded once
    ship_incl, ship_excl, ship_tax = ((order.shipping_total_incl, order.shipping_total_excl, order.shipping_tax)
                                      if full else (ZERO, ZERO, ZERO))
    amount = sum((rl.amount_incl for rl in lines), ZERO) + ship_incl
    tax_amount = sum((rl.tax_amount for rl in lines), ZERO) + ship_tax
    refund = Refund(id=order.id * 1000 + 601 + len(order.refunds), created_at=at, note=note, lines=tuple(lines),
                    shipping_incl=ship_incl, shipping_excl=ship_excl, shipping_tax=ship_tax, amount=amount,
                    tax_amount=tax_amount)
    refunds = (*order.refunds, refund)
    refunded_total = order.refunded_total + amount
    gateway = order.payments[0].gateway if order.payments else "manual"
    payment = Payment(id=order.id * 1000 + 701 + len(order.refunds), kind="refund", status="success",
                      gateway=gateway, amount=amount, processed_at=at)
    status = "refunded" if refunded_total >= order.grand_total else "partially_refunded"
    return replace(order, refunds=refunds, refunded_total=refunded_total,
                   refunded_tax=order.refunded_tax + tax_amount, payments=(*order.payments, payment),
                   financial_status=status, updated_at=max(order.updated_at, at))
