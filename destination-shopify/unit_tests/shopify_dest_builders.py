"""Test builders of destination-shopify: canonical stock levels and shipments (as records and models), and an
in-memory Shopify (`FakeAdmin`) with the ShopifyAdmin interface booking.py uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connector_common.errors import AmbiguousWrite
from connector_common.model import Shipment, ShipmentLine, StockLevel
from connector_common.records import to_record
from destination_shopify.client import Location, UserError
from destination_shopify.mapping import FulfillmentOrder, FulfillmentOrderLine, InventoryItem, ShopOrder

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MAIN = Location(id="gid://shopify/Location/1", legacy_id="1", name="Main warehouse", primary=True)
SHOP2 = Location(id="gid://shopify/Location/2", legacy_id="2", name="Shop Utrecht", primary=False)


def stock_level(sku: str, available: str | int, *, warehouse: str = "1", minute: int = 0) -> StockLevel:
    value = Decimal(str(available))
    return StockLevel(source="exact_online", source_id=f"item-{sku}@{warehouse}", sku=sku, location=warehouse,
                      available=value, on_hand=max(value, Decimal(0)), reserved=Decimal(0), planned_in=Decimal(0),
                      planned_out=Decimal(0), updated_at=WHEN.replace(minute=minute))


def stock_record(sku: str, available: str | int, **kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = to_record(stock_level(sku, available, **kwargs))
    return data


def shipment(order: str = "#1001", lines: Iterable[tuple[str, int]] = (("SKU-A", 1),), *,
             tracking: str | None = "3SABC123", carrier: str | None = "PostNL", url: str | None = None,
             source: str = "shopify", sid: str = "gd-1") -> Shipment:
    return Shipment(source="exact_online", source_id=sid, order_source=source, order_reference=order,
                    shipped_at=WHEN, updated_at=WHEN,
                    lines=tuple(ShipmentLine(sku=s, quantity=Decimal(q)) for s, q in lines),
                    tracking_number=tracking, tracking_url=url, carrier=carrier, delivery_number="GD0001")


def shipment_record(*args: Any, **kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = to_record(shipment(*args, **kwargs))
    return data


def open_order(name: str = "#1001", lines: Mapping[str, int] | None = None, *, location: str = MAIN.id,
               number: int = 1) -> ShopOrder:
    lines = lines or {"SKU-A": 2, "SKU-B": 1}
    fo_lines = tuple(FulfillmentOrderLine(id=f"gid://shopify/FulfillmentOrderLineItem/{number}{i}", sku=sku,
                                          remaining=qty) for i, (sku, qty) in enumerate(lines.items()))
    return ShopOrder(id=f"gid://shopify/Order/{number}", name=name, cancelled=False, fulfillment_status="UNFULFILLED",
                     fulfillment_orders=(FulfillmentOrder(id=f"gid://shopify/FulfillmentOrder/{number}",
                                                          status="OPEN", location_id=location, lines=fo_lines),))


@dataclass
class FakeItem:
    sku: str
    item_id: str
    available: dict[str, int]
    tracked: bool = True


@dataclass
class FakeAdmin:
    """A Shopify store in memory. `lose_fulfillments`: the next N fulfillmentCreate calls commit but raise
    AmbiguousWrite (the answer is lost); `sale_during_set`: units sold at the first set of a SKU, just before it
    lands (a concurrent sale: the compare fails)."""

    items: dict[str, list[FakeItem]] = field(default_factory=dict)
    orders: dict[str, ShopOrder] = field(default_factory=dict)
    lose_fulfillments: int = 0
    sale_during_set: dict[str, int] = field(default_factory=dict)
    lookups: int = 0
    sku_queries: int = 0
    mutations: list[dict[str, Any]] = field(default_factory=list)
    fulfillments: list[dict[str, Any]] = field(default_factory=list)
    client: Any = None

    def __post_init__(self) -> None:
        self.client = type("Counters", (), {"actual_points": 0.0})()

    @property
    def calls(self) -> int:
        return self.lookups + self.sku_queries + len(self.mutations) + len(self.fulfillments)

    def add_item(self, sku: str, available: int | None = 0, *, location: str = MAIN.id, tracked: bool = True) -> None:
        n = sum(len(v) for v in self.items.values()) + 1
        levels = {} if available is None else {location: available}
        self.items.setdefault(sku, []).append(FakeItem(sku, f"gid://shopify/InventoryItem/{n}", levels, tracked))

    def available(self, sku: str, location: str = MAIN.id) -> int:
        return self.items[sku][0].available[location]

    def inventory_items(self, skus: Iterable[str], location_id: str) -> dict[str, list[InventoryItem]]:
        wanted = sorted(set(skus))
        self.sku_queries += (len(wanted) + 49) // 50
        return {sku: [InventoryItem(sku=sku, item_id=i.item_id, tracked=i.tracked,
                                    available={k: v for k, v in i.available.items() if k == location_id})
                      for i in self.items.get(sku, [])] for sku in wanted}

    def set_available(self, payload: Mapping[str, Any], key: str) -> list[UserError]:
        self.mutations.append({"payload": payload, "key": key})
        by_id = {i.item_id: i for items in self.items.values() for i in items}
        errors = []
        for index, q in enumerate(payload["quantities"]):
            item = by_id[q["inventoryItemId"]]
            sold = self.sale_during_set.pop(item.sku, 0)
            item.available[q["locationId"]] -= sold
            if q["changeFromQuantity"] is not None and item.available[q["locationId"]] != q["changeFromQuantity"]:
                errors.append(UserError(code="CHANGE_FROM_QUANTITY_STALE",
                                        field=("input", "quantities", str(index), "changeFromQuantity"),
                                        message="The quantity changed"))
        if errors:
            return errors  # nothing applied, as Shopify does with userErrors
        for q in payload["quantities"]:
            by_id[q["inventoryItemId"]].available[q["locationId"]] = q["quantity"]
        return []

    def order_by_name(self, name: str) -> ShopOrder | None:
        self.lookups += 1
        return self.orders.get(name)

    def create_fulfillment(self, payload: Mapping[str, Any]) -> tuple[str | None, list[UserError]]:
        self.fulfillments.append(dict(payload))
        fid = f"gid://shopify/Fulfillment/{len(self.fulfillments)}"
        order = next(o for o in self.orders.values()
                     if any(fo.id == payload["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderId"]
                            for fo in o.fulfillment_orders))
        done = {li["id"]: li["quantity"] for group in payload["lineItemsByFulfillmentOrder"]
                for li in group["fulfillmentOrderLineItems"]}
        fos = tuple(FulfillmentOrder(id=fo.id, status=fo.status, location_id=fo.location_id,
                                     lines=tuple(FulfillmentOrderLine(id=li.id, sku=li.sku,
                                                                      remaining=li.remaining - done.get(li.id, 0))
                                                 for li in fo.lines)) for fo in order.fulfillment_orders)
        fos = tuple(FulfillmentOrder(id=fo.id, status="OPEN" if any(li.remaining for li in fo.lines) else "CLOSED",
                                     location_id=fo.location_id, lines=fo.lines) for fo in fos)
        still_open = any(fo.status == "OPEN" for fo in fos)
        self.orders[order.name] = ShopOrder(
            id=order.id, name=order.name, cancelled=order.cancelled,
            fulfillment_status="PARTIALLY_FULFILLED" if still_open else "FULFILLED", fulfillment_orders=fos,
            fulfillments_by_tracking={**order.fulfillments_by_tracking, payload["trackingInfo"]["number"]: fid})
        if self.lose_fulfillments:
            self.lose_fulfillments -= 1
            raise AmbiguousWrite("FulfillShipment: HTTP 502; the request may have been processed", elapsed=0.1)
        return fid, []
