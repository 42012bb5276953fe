"""Mutations for incremental-sync tests: each replaces the frozen order (or customer), bumps its `updated_at` to
`at` and the shop's `version`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sandbox.seed.model import Customer, Order, Payment
from sandbox.seed.refunds import with_refund
from sandbox.seed.shop import Shop


def _store(shop: Shop, order: Order) -> Order:
    shop.orders[order.id] = order
    shop.version += 1
    return order


def touch(shop: Shop, order_id: int, at: datetime) -> Order:
    """Bump an order's updated_at to `at` (nothing else changes)."""
    return _store(shop, replace(shop.orders[order_id], updated_at=at))


def mark_paid(shop: Shop, order_id: int, at: datetime, gateway: str | None = None) -> Order:
    """Mark a pending order paid at `at` (its pending payment becomes a successful one)."""
    order = shop.orders[order_id]
    gateway = gateway or (order.payments[0].gateway if order.payments else "ideal")
    payment = Payment(id=order.id * 1000 + 501, kind="sale", status="success", gateway=gateway,
                      amount=order.grand_total, processed_at=at)
    return _store(shop, replace(order, financial_status="paid", paid_at=at, updated_at=at,
                                payments=(payment, *order.payments[1:])))


def cancel(shop: Shop, order_id: int, at: datetime, reason: str = "customer") -> Order:
    """Cancel an order at `at`; a paid order is refunded in full, an unpaid one becomes voided."""
    order = shop.orders[order_id]
    if order.paid_at is not None and order.refunded_total < order.grand_total:
        order = with_refund(order, at, None, f"Cancelled: {reason}")
    elif order.paid_at is None:
        order = replace(order, financial_status="voided", payments=())
    return _store(shop, replace(order, cancelled_at=at, cancel_reason=reason, updated_at=at))


def refund(shop: Shop, order_id: int, at: datetime, quantities: dict[int, int] | None = None,
           note: str | None = None) -> Order:
    """Refund line quantities ({line_id: qty}) or, with None, everything left incl. shipping."""
    return _store(shop, with_refund(shop.orders[order_id], at, quantities, note))


def fulfil(shop: Shop, order_id: int, at: datetime, status: str) -> Order:
    """Set an order's fulfillment status (fulfilled | partial) at `at` (a vendor recorded a shipment)."""
    return _store(shop, replace(shop.orders[order_id], fulfillment_status=status, updated_at=at))


def touch_customer(shop: Shop, customer_id: int, at: datetime, **changes: object) -> Customer:
    """Change customer fields (e.g. email=...) and bump updated_at to `at`."""
    customer = replace(shop.customers[customer_id], updated_at=at, **changes)  # type: ignore[arg-type]
    shop.customers[customer_id] = customer
    shop.version += 1
    return customer
