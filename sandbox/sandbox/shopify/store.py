"""The Shopify stand-in's store: orders, customers, products, variants, locations, inventory, fulfillment, bulk jobs.

Listable records are `Entry`s (sort and search keys plus a lazy node renderer) kept in per-sort indexes that are
rebuilt when the generated shop's `version` changes. Nodes are plain dicts with ``__typename`` shaped like the Admin
schema's objects; a `Connection` (a list) marks a Relay connection and a `Lazy` value is rendered when selected.

Rules kept here (shopify.dev, 2026-10): inventory quantities per (item, location) by name (available, on_hand,
committed, ...; on_hand = available + committed), `inventorySetQuantities` with the changeFromQuantity compare-and-swap
check; one fulfillment order per generated order at the primary location, whose remaining quantities
`fulfillmentCreate` decrements (CLOSED when none remain; the order becomes FULFILLED or PARTIALLY_FULFILLED).
"""

from __future__ import annotations

import base64
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sandbox import seed as shopgen

SORT_KEYS = {"ID": "id", "UPDATED_AT": "updated_at", "CREATED_AT": "created_at", "PROCESSED_AT": "processed_at"}
QUANTITY_NAMES = ("available", "on_hand", "committed", "incoming", "reserved", "damaged", "quality_control",
                  "safety_stock")
_TERM = re.compile(r"""(-?)(\w+):(>=|<=|>|<)?('[^']*'|"[^"]*"|\S+)""")


class Connection(list[Any]):
    """A list served as a Relay connection (nodes / edges / pageInfo)."""


class Lazy:
    """A node field computed on first use (rendering only what a query selects keeps pages fast)."""

    __slots__ = ("_fn", "_value")
    _UNSET: Any = object()

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._value: Any = Lazy._UNSET

    def get(self) -> Any:
        if self._value is Lazy._UNSET:
            self._value = self._fn()
        return self._value


def resolve(value: Any) -> Any:
    """The value of a node field, computing it if it is `Lazy`."""
    return value.get() if isinstance(value, Lazy) else value


class CursorError(ValueError):
    """A paging cursor the store did not issue."""


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CursorError(f"Invalid cursor for current pagination sort: {cursor!r}") from exc
    if not isinstance(value, dict):
        raise CursorError(f"Invalid cursor for current pagination sort: {cursor!r}")
    return value


def parse_ts(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def gid_number(value: str) -> int:
    """Numeric id of a GID (``gid://shopify/Order/12`` -> 12); raises ValueError otherwise."""
    return int(value.rsplit("/", 1)[-1].split("?", maxsplit=1)[0])


@dataclass
class Entry:
    """One listable record: sort/filter keys plus a lazy node renderer."""

    id: int
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    attrs: dict[str, str]
    render: Callable[[], dict[str, Any]]


@dataclass
class BulkOp:
    """A bulk query job. `polls` counts status reads since the last state change."""

    number: int
    query: str
    version: str
    created_at: datetime
    status: str = "CREATED"
    polls: int = 0
    error_code: str | None = None
    completed_at: datetime | None = None
    object_count: int = 0
    root_count: int = 0
    file_size: int = 0
    has_url: bool = False
    has_partial: bool = False

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"


@dataclass
class FulfillmentOrder:
    """The one fulfillment order of a generated order: remaining quantity per line id, and its fulfillments."""

    order_id: int
    location_id: int
    status: str
    total: dict[int, int]
    remaining: dict[int, int]
    fulfillments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Index:
    version: int
    sorted_keys: dict[tuple[str, str], list[tuple[Any, int]]] = field(default_factory=dict)
    sorted_entries: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)


class Store:
    """The stand-in's objects. `shop` is the generated shop, `raw` the nodes of a ``dir:`` seed."""

    def __init__(self, shop: shopgen.Shop, raw: dict[str, dict[int, dict[str, Any]]],
                 render: Any, now: Callable[[], datetime]) -> None:
        self.shop, self.raw, self.render, self.now = shop, raw, render, now
        self.locations = render.locations(shop)
        self.levels: dict[tuple[int, int], dict[str, int]] = render.stock(shop, self.locations)
        self.level_updated: dict[tuple[int, int], datetime] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
        self.next_fulfillment = 1
        self.idempotency: dict[str, tuple[str, dict[str, Any]]] = {}
        self.bulk_ops: list[BulkOp] = []
        self.bulk_files: dict[int, bytes] = {}
        self._index: _Index | None = None
        self._cache: dict[tuple[str, int], tuple[object, dict[str, Any]]] = {}

    # -- listing -------------------------------------------------------------------------------------------------
    def entries(self, resource: str) -> list[Entry]:
        return self._build().sorted_entries[(resource, "id")]

    def entry(self, resource: str, ident: int) -> Entry | None:
        index = self._build()
        entries, keys = index.sorted_entries[(resource, "id")], index.sorted_keys[(resource, "id")]
        pos = bisect_left(keys, (ident, ident))
        return entries[pos] if pos < len(entries) and entries[pos].id == ident else None

    def page(self, resource: str, sort: str, reverse: bool, after: tuple[Any, int] | None, *,
             preds: list[Callable[[Entry], bool]], size: int) -> tuple[list[Entry], bool]:
        """Up to `size` matching entries after the cursor key, and whether more match."""
        index = self._build()
        entries, keys = index.sorted_entries[(resource, sort)], index.sorted_keys[(resource, sort)]
        if reverse:
            stop = bisect_left(keys, after) if after else len(keys)
            positions: Any = range(stop - 1, -1, -1)
        else:
            positions = range(bisect_right(keys, after) if after else 0, len(keys))
        found: list[Entry] = []
        for pos in positions:
            entry = entries[pos]
            if all(p(entry) for p in preds):
                if len(found) == size:
                    return found, True
                found.append(entry)
        return found, False

    @staticmethod
    def sort_key(entry: Entry, sort: str) -> tuple[Any, int]:
        if sort == "id":
            return (entry.id, entry.id)
        value: datetime = getattr(entry, sort)
        return (value.timestamp(), entry.id)

    def _build(self) -> _Index:
        if self._index is not None and self._index.version == self.shop.version:
            return self._index
        r, shop = self.render, self.shop
        index = _Index(version=shop.version)
        listed: dict[str, list[Entry]] = {"orders": [self._order_entry(o) for o in shop.orders.values()]}
        listed["customers"] = [
            Entry(c.id, c.created_at, c.updated_at, c.created_at, {"email": c.email.lower()},
                  self._cached("customers", c.id, c, partial(r.customer_node, c, shop)))
            for c in shop.customers.values()]
        listed["products"] = [
            Entry(p.id, p.created_at, p.updated_at, p.created_at,
                  {"status": "active" if p.active else "archived", "product_type": p.product_group.lower()},
                  self._cached("products", p.id, p, partial(r.product_node, p, shop.currency)))
            for p in shop.products.values()]
        for resource in ("orders", "customers", "products"):
            listed[resource] += [_raw_entry(n) for n in self.raw[resource].values()]
        listed["variants"] = [
            Entry(gid_number(v["id"]), p.created_at, p.updated_at, p.processed_at,
                  {"sku": str(v.get("sku") or "").lower(), "product_id": str(p.id), **p.attrs},
                  partial(lambda node: node, v))
            for p in listed["products"] for v in resolve(p.render().get("variants")) or []]
        for resource, entries in listed.items():
            for sort in ("id", "updated_at", "created_at", "processed_at"):
                ordered = sorted(entries, key=partial(self.sort_key, sort=sort))
                index.sorted_entries[(resource, sort)] = ordered
                index.sorted_keys[(resource, sort)] = [self.sort_key(e, sort) for e in ordered]
        self._index = index
        return index

    def _order_entry(self, o: shopgen.Order) -> Entry:
        status = "cancelled" if o.cancelled_at else "closed" if o.fulfillment_status == "fulfilled" and \
            o.financial_status != "pending" else "open"
        attrs = {"financial_status": o.financial_status, "fulfillment_status": o.fulfillment_status,
                 "status": status, "test": str(o.test).lower(), "name": f"#{o.number}",
                 "email": (o.email or "").lower(), "source_name": o.channel}
        return Entry(o.id, o.created_at, o.updated_at, o.created_at, attrs,
                     self._cached("orders", o.id, o, partial(self.render.order_node, o, self.shop, self)))

    def _cached(self, resource: str, ident: int, source: object,
                make: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        def get() -> dict[str, Any]:
            cached = self._cache.get((resource, ident))
            if cached is not None and cached[0] is source:
                return cached[1]
            node = make()
            self._cache[(resource, ident)] = (source, node)
            return node
        return get

    def node(self, kind: str, number: int) -> dict[str, Any] | None:
        """The node of a GID's kind and number, or None."""
        resource = {"Order": "orders", "Customer": "customers", "Product": "products",
                    "ProductVariant": "variants"}.get(kind)
        if resource is not None:
            entry = self.entry(resource, number)
            return entry.render() if entry else None
        if kind == "InventoryItem":
            entry = self.entry("variants", number)
            return resolve(entry.render().get("inventoryItem")) if entry else None
        if kind == "Location":
            return next((loc for loc in self.locations if gid_number(loc["id"]) == number), None)
        if kind == "FulfillmentOrder":
            return self.fulfillment_order_node(number)
        return None

    # -- inventory -----------------------------------------------------------------------------------------------
    def level(self, item: int, location: int) -> dict[str, int] | None:
        return self.levels.get((item, location))

    def set_quantity(self, item: int, location: int, name: str, quantity: int) -> int:
        """Set quantity `name` (available | on_hand) and keep on_hand = available + committed; returns the delta."""
        level = self.levels[(item, location)]
        delta = quantity - level[name]
        level[name] = quantity
        level["on_hand" if name == "available" else "available"] += delta
        self.level_updated[(item, location)] = self.now()
        return delta

    def sell(self, item: int, location: int, quantity: int) -> dict[str, int]:
        """A concurrent sale in the shop: `quantity` moves from available to committed."""
        level = self.levels[(item, location)]
        level["available"] -= quantity
        level["committed"] += quantity
        self.level_updated[(item, location)] = self.now()
        return dict(level)

    # -- fulfillment ---------------------------------------------------------------------------------------------
    def fulfillment_order(self, order_id: int) -> FulfillmentOrder | None:
        """The fulfillment order of a generated order (made on first use from the order's lines)."""
        fo = self.fulfillment_orders.get(order_id)
        order = self.shop.orders.get(order_id)
        if fo is None and order is not None:
            refunded: dict[int, int] = {}
            for r in order.refunds:
                for rl in r.lines:
                    refunded[rl.line_id] = refunded.get(rl.line_id, 0) + rl.quantity
            total = {ln.id: ln.quantity - refunded.get(ln.id, 0) for ln in order.lines}
            done = order.fulfillment_status == "fulfilled"
            status = "CLOSED" if done or order.cancelled_at else "OPEN"
            fo = FulfillmentOrder(order_id, gid_number(self.locations[0]["id"]), status, total,
                                  {k: 0 if done else v for k, v in total.items()})
            if done:
                fo.fulfillments.append({"id": order_id, "created_at": order.updated_at, "tracking": [],
                                        "lines": dict(total)})
            self.fulfillment_orders[order_id] = fo
        return fo

    def fulfillment_order_node(self, order_id: int) -> dict[str, Any] | None:
        fo = self.fulfillment_order(order_id)
        order = self.shop.orders.get(order_id)
        return self.render.fulfillment_order_node(fo, order, self) if fo and order else None

    def fulfil(self, order_id: int, lines: dict[int, int], tracking: list[dict[str, Any]]) -> dict[str, Any]:
        """Record a fulfillment of `lines` ({line id: quantity}, already checked) and update the order."""
        fo = self.fulfillment_orders[order_id]
        for line_id, qty in lines.items():
            fo.remaining[line_id] -= qty
        left = sum(fo.remaining.values())
        fo.status = "CLOSED" if left == 0 else "IN_PROGRESS"
        number = 1_000_000_000 + self.next_fulfillment
        self.next_fulfillment += 1
        fulfillment = {"id": number, "created_at": self.now(), "tracking": tracking, "lines": dict(lines)}
        fo.fulfillments.append(fulfillment)
        shopgen.fulfil(self.shop, order_id, self.now(), "fulfilled" if left == 0 else "partial")
        return fulfillment


# ---------------------------------------------------------------------------------------------------------------
# Search syntax
# ---------------------------------------------------------------------------------------------------------------
def time_pred(attr: str, op: str, raw: str) -> Callable[[Entry], bool]:
    bound = parse_ts(raw.strip("'\""))
    compare: dict[str, Callable[[datetime], bool]] = {
        ">=": lambda v: v >= bound, ">": lambda v: v > bound, "<=": lambda v: v <= bound,
        "<": lambda v: v < bound, "": lambda v: v == bound,
    }
    test = compare[op]
    return lambda e: test(getattr(e, attr))


def attr_pred(key: str, value: str) -> Callable[[Entry], bool]:
    wanted = value.lower()
    return lambda e: e.attrs.get(key, "").lower() == wanted


def _id_pred(op: str, number: int) -> Callable[[Entry], bool]:
    ops: dict[str, Callable[[Entry], bool]] = {
        ">=": lambda e: e.id >= number, ">": lambda e: e.id > number, "<=": lambda e: e.id <= number,
        "<": lambda e: e.id < number}
    return ops.get(op, lambda e: e.id == number)


def _negate(pred: Callable[[Entry], bool]) -> Callable[[Entry], bool]:
    return lambda e: not pred(e)


def search(query: str) -> list[Callable[[Entry], bool]]:
    """Shopify search syntax, the AND-ed subset: updated_at/created_at/processed_at with >, >=, <, <=; id;
    status, financial_status, fulfillment_status, test, email, name, product_type, source_name, sku, product_id.
    Unknown fields are ignored (Shopify ignores them too, with a search warning)."""
    preds: list[Callable[[Entry], bool]] = []
    for neg, key, op, raw in _TERM.findall(query):
        value = raw.strip("'\"")
        pred: Callable[[Entry], bool]
        if key in ("updated_at", "created_at", "processed_at"):
            pred = time_pred(key, op or "", value)
        elif key == "id":
            pred = _id_pred(op, int(value.rsplit("/", 1)[-1]))
        elif key == "status" and value == "any":
            continue
        elif key in ("status", "financial_status", "fulfillment_status", "test", "email", "name", "product_type",
                     "source_name", "sku", "product_id"):
            pred = attr_pred(key, value)
        else:
            continue
        preds.append(_negate(pred) if neg else pred)
    return preds


def _raw_entry(node: dict[str, Any]) -> Entry:
    created = parse_ts(node.get("createdAt"))
    attrs = {"financial_status": str(node.get("displayFinancialStatus") or "").lower(),
             "fulfillment_status": str(node.get("displayFulfillmentStatus") or "").lower(),
             "status": "cancelled" if node.get("cancelledAt") else "closed" if node.get("closedAt") else "open",
             "test": str(bool(node.get("test"))).lower(), "name": str(node.get("name") or ""),
             "email": str(node.get("email") or "").lower()}
    return Entry(gid_number(node["id"]), created, parse_ts(node.get("updatedAt") or node.get("createdAt")),
                 parse_ts(node.get("processedAt") or node.get("createdAt")), attrs, lambda: node)
