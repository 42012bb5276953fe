"""PURE: canonical StockLevel / Shipment -> Shopify `inventorySetQuantities` / `fulfillmentCreate` inputs, and the
decisions around them (unchanged stock, stale compare, which fulfilment lines a shipment covers)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from connector_common.model import Shipment, StockLevel

STOCK_QUANTITY_NAME = "available"
STOCK_REASON = "correction"  # one of Shopify's documented reasons for a set: the ledger corrects the shop's count
REFERENCE_PREFIX = "gid://bookkeeping-sync"
OPEN_FULFILLMENT_STATUSES = frozenset({"OPEN", "IN_PROGRESS"})
FULFILLED_STATUSES = frozenset({"FULFILLED", "RESTOCKED"})


class MappingProblem(ValueError):
    """A record that cannot be written as it is; `field` names the record's field at fault."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryItem:
    """A Shopify inventory item of a variant: its SKU and its `available` quantity per location where it is stocked."""

    sku: str
    item_id: str
    tracked: bool
    available: Mapping[str, int] = field(default_factory=dict)  # location id -> available


@dataclass(frozen=True, slots=True, kw_only=True)
class StockChange:
    """One quantity to set: `quantity` at `location_id`, valid only while Shopify still holds `change_from`."""

    sku: str
    item_id: str
    location_id: str
    quantity: int
    change_from: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FulfillmentOrderLine:
    id: str
    sku: str | None
    remaining: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FulfillmentOrder:
    id: str
    status: str
    location_id: str | None
    lines: tuple[FulfillmentOrderLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopOrder:
    """What the destination needs to know of a Shopify order to fulfil it exactly once."""

    id: str
    name: str
    cancelled: bool
    fulfillment_status: str
    fulfillment_orders: tuple[FulfillmentOrder, ...]
    fulfillments_by_tracking: Mapping[str, str] = field(default_factory=dict)  # tracking number -> fulfillment id
    truncated: bool = False  # more fulfilment orders or lines than one lookup reads


# --- stock ------------------------------------------------------------------------------------------------------
def stock_quantity(level: StockLevel) -> tuple[int, bool]:
    """The whole number Shopify can hold for a ledger's `available` figure, and whether it was raised to 0.

    A negative figure (more reserved than on hand: oversold in the ledger) is set as 0, so the shop stops selling.

    Raises:
        MappingProblem: a fractional quantity (Shopify counts whole units).
    """
    value = level.available
    if value != value.to_integral_value():
        raise MappingProblem("available", f"{value} is not a whole number of units; Shopify counts whole units")
    quantity = int(value)
    return (0, True) if quantity < 0 else (quantity, False)


def stock_change(level: StockLevel, matches: Sequence[InventoryItem], location_id: str,
                 location_label: str) -> StockChange | None:
    """The change that makes Shopify show the ledger's figure, or None when it already does (no mutation).

    Raises:
        MappingProblem: the SKU is unknown in the shop, matches several variants, is not tracked, or is not stocked at
            the location.
    """
    if not matches:
        raise MappingProblem("sku", f"SKU {level.sku!r} is not a variant SKU in the Shopify store")
    if len(matches) > 1:
        raise MappingProblem("sku", f"SKU {level.sku!r} belongs to {len(matches)} variants in Shopify; give each "
                                    "variant its own SKU")
    item = matches[0]
    if not item.tracked:
        raise MappingProblem("sku", f"SKU {level.sku!r}: Shopify does not track this variant's inventory; turn on "
                                    "'Track quantity' for it")
    if location_id not in item.available:
        raise MappingProblem("location", f"SKU {level.sku!r} is not stocked at Shopify location {location_label}; "
                                         "activate the item at that location")
    quantity, _clamped = stock_quantity(level)
    current = item.available[location_id]
    if current == quantity:
        return None
    return StockChange(sku=level.sku, item_id=item.item_id, location_id=location_id, quantity=quantity,
                       change_from=current)


def after_stale(change: StockChange, current: int) -> StockChange | None:
    """The rule on a compare mismatch (CHANGE_FROM_QUANTITY_STALE), given the quantity Shopify holds now.

    - Shopify already shows the target (our earlier attempt landed, or the shop got there itself): done, None.
    - Otherwise the shop moved while we wrote (a sale, a return, a manual count): the ledger is the source of truth
      for stock, so set the target again, compared against the fresh figure. A sale made in that window reaches the
      ledger as an order and comes back in its next stock figure.
    """
    return None if current == change.quantity else replace(change, change_from=current)


def inventory_set_input(changes: Iterable[StockChange], reference: str | None = None) -> dict[str, Any]:
    """The `InventorySetQuantitiesInput` of one mutation: absolute `available` quantities with their CAS figure."""
    payload: dict[str, Any] = {
        "name": STOCK_QUANTITY_NAME,
        "reason": STOCK_REASON,
        "quantities": [{"inventoryItemId": c.item_id, "locationId": c.location_id, "quantity": c.quantity,
                        "changeFromQuantity": c.change_from} for c in changes],
    }
    if reference:
        payload["referenceDocumentUri"] = reference
    return payload


def stock_reference(source: str) -> str:
    """The audit reference Shopify shows in the inventory history: which system set the figure."""
    return f"{REFERENCE_PREFIX}/StockSync/{source}"


def idempotency_key(payload: Mapping[str, Any], attempt: str) -> str:
    """The `@idempotent` key of one mutation call: a digest of its input and of `attempt` (a fresh value per call,
    kept across the HTTP client's retries of that call). A retried call therefore replays instead of applying
    twice, while a later call with the very same figures (the shop went back to the old quantity in between) is
    applied again rather than answered from Shopify's idempotency cache."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{attempt}\n{text}".encode()).hexdigest()[:40]


# --- shipments --------------------------------------------------------------------------------------------------
def order_problem(shipment: Shipment, order: ShopOrder | None) -> str | None:
    """Why a shipment cannot be fulfilled on this order (None when it can): the reason reported per order."""
    if order is None:
        return f"order {shipment.order_reference} was not found in the Shopify store"
    if order.cancelled:
        return f"order {shipment.order_reference} is cancelled in Shopify"
    if order.truncated:
        return (f"order {shipment.order_reference} has more fulfilment orders or lines than the connector reads "
                "in one lookup; fulfil it in the Shopify admin")
    if order.fulfillment_status in FULFILLED_STATUSES or not any(
            fo.status in OPEN_FULFILLMENT_STATUSES for fo in order.fulfillment_orders):
        return f"order {shipment.order_reference} is already fulfilled in Shopify (no open fulfilment orders)"
    return None


def shipped_quantities(shipment: Shipment) -> dict[str, int]:
    """Units per SKU of a shipment (lines of the same SKU added up).

    Raises:
        MappingProblem: a line without a whole, positive quantity.
    """
    totals: dict[str, int] = {}
    for i, line in enumerate(shipment.lines):
        quantity: Decimal = line.quantity
        if quantity <= 0 or quantity != quantity.to_integral_value():
            raise MappingProblem(f"lines.{i}.quantity", f"{quantity} is not a whole positive number of units")
        totals[line.sku] = totals.get(line.sku, 0) + int(quantity)
    if not totals:
        raise MappingProblem("lines", "the shipment has no lines")
    return totals


def fulfillment_input(shipment: Shipment, order: ShopOrder, *, tracking_company: str | None,
                      notify_customer: bool) -> dict[str, Any]:
    """The `FulfillmentInput` that fulfils exactly the shipment's SKUs and quantities on the order's open
    fulfilment orders at one location (one `fulfillmentCreate` covers fulfilment orders of one location).

    Raises:
        MappingProblem: a SKU the order has no open line for, more units than remain unfulfilled, a shipment that
            would need two locations, or no tracking number.
    """
    if not shipment.tracking_number:
        raise MappingProblem("tracking_number", "no tracking number: a re-sent shipment could not be recognised in "
                                                "Shopify, so it is not fulfilled")
    wanted = shipped_quantities(shipment)
    open_orders = [fo for fo in order.fulfillment_orders if fo.status in OPEN_FULFILLMENT_STATUSES]
    remaining_by_sku: dict[str, int] = {}
    for fo in open_orders:
        for line in fo.lines:
            if line.sku:
                remaining_by_sku[line.sku] = remaining_by_sku.get(line.sku, 0) + line.remaining
    for sku, quantity in wanted.items():
        left = remaining_by_sku.get(sku, 0)
        if left == 0:
            raise MappingProblem("lines", f"SKU {sku!r} has no unfulfilled units on order {order.name}")
        if quantity > left:
            raise MappingProblem("lines", f"ships {quantity} x {sku!r} but order {order.name} has only {left} "
                                          "unfulfilled")
    locations = list(dict.fromkeys(fo.location_id for fo in open_orders))
    for location in locations:
        allocation = _allocate(wanted, [fo for fo in open_orders if fo.location_id == location])
        if allocation is not None:
            tracking: dict[str, Any] = {"number": shipment.tracking_number}
            if tracking_company:
                tracking["company"] = tracking_company
            if shipment.tracking_url:
                tracking["url"] = shipment.tracking_url
            return {"lineItemsByFulfillmentOrder": allocation, "notifyCustomer": notify_customer,
                    "trackingInfo": tracking}
    raise MappingProblem("lines", f"the shipment's lines are assigned to different Shopify locations on order "
                                  f"{order.name}; one fulfilment covers one location")


def _allocate(wanted: Mapping[str, int], orders: Sequence[FulfillmentOrder]) -> list[dict[str, Any]] | None:
    """Fulfilment-order line quantities covering `wanted` from these fulfilment orders, or None if they cannot."""
    left = dict(wanted)
    by_order: list[dict[str, Any]] = []
    for fo in orders:
        items = []
        for line in fo.lines:
            need = left.get(line.sku or "", 0)
            take = min(need, line.remaining)
            if take > 0:
                items.append({"id": line.id, "quantity": take})
                left[line.sku or ""] = need - take
        if items:
            by_order.append({"fulfillmentOrderId": fo.id, "fulfillmentOrderLineItems": items})
    return by_order if not any(left.values()) else None
