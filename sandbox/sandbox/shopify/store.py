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
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import count
from typing import Any

from sandbox import seed as shopgen
from sandbox.core import parse_iso

SORT_KEYS = {"ID": "id", "UPDATED_AT": "updated_at", "CREATED_AT": "created_at", "PROCESSED_AT": "processed_at"}
QUANTITY_NAMES = ("available", "on_hand", "committed", "incoming", "reserved", "damaged", "quality_control",
                  "safety_stock")
ATTRIBUTES = ("status", "financial_status", "fulfillment_status", "test", "email", "name", "product_type",
              "source_name", "sku", "product_id")
REASONS = frozenset({"correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
                     "movement_received", "movement_canceled", "other", "promotion", "quality_control", "received",
                     "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
                     "shrinkage"})
SET_ERRORS = {  # InventorySetQuantitiesUserErrorCode -> (input field, message)
    "INVALID_NAME": ("name", "The quantity name must be either 'available' or 'on_hand'."),
    "INVALID_REASON": ("reason", "The specified reason is invalid."),
    "INVALID_INVENTORY_ITEM": ("inventoryItemId", "The specified inventory item could not be found."),
    "INVALID_LOCATION": ("locationId", "The specified location could not be found."),
    "COMPARE_QUANTITY_REQUIRED": ("changeFromQuantity", "changeFromQuantity must be given for each quantity (null "
                                                        "skips the compare-and-swap check)."),
    "CHANGE_FROM_QUANTITY_STALE": ("changeFromQuantity", "The changeFromQuantity value does not match persisted "
                                                         "value."),
    "INVALID_QUANTITY_NEGATIVE": ("quantity", "The quantity can't be negative."),
    "INVALID_QUANTITY_TOO_HIGH": ("quantity", "The total quantity can't be higher than 1,000,000,000."),
    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH": ("", "The same idempotency key cannot be used with different operation "
                                               "parameters."),
}
_TERM = re.compile(r"""(-?)(\w+):(>=|<=|>|<)?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)|(\bOR\b)""")
_ESCAPED = re.compile(r"\\(.)")


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
    return parse_iso(value)


def gid_number(value: str) -> int:
    """Numeric id of a GID (``gid://shopify/Order/12`` -> 12); raises ValueError otherwise."""
    return int(value.rsplit("/", 1)[-1].split("?", maxsplit=1)[0])


def number_of(ident: str, kind: str) -> int | None:
    """The number of a GID of `kind`, or None for anything else."""
    prefix = f"gid://shopify/{kind}/"
    rest = ident[len(prefix):].split("?", maxsplit=1)[0] if ident.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def set_error(code: str, *where: str) -> dict[str, Any]:
    """An InventorySetQuantitiesUserError."""
    name, message = SET_ERRORS[code]
    return {"field": ["input", *where, *([name] if name else [])], "code": code, "message": message}


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
        self.items_at: dict[int, list[int]] = {}  # location -> its inventory items, in `levels` order
        for item, location in self.levels:
            self.items_at.setdefault(location, []).append(item)
        self.level_updated: dict[tuple[int, int], datetime] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
        self.serial = count(1)  # ids of fulfillments and inventory adjustment groups
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

    def available(self, item: int) -> int:
        """The units of an inventory item available over all locations (a variant's inventory quantity)."""
        return sum((self.levels.get((item, gid_number(loc["id"]))) or {}).get("available", 0) for loc in self.locations)

    def set_quantities(self, request: dict[str, Any]) -> dict[str, Any]:
        """inventorySetQuantities(input: {name, reason, referenceDocumentUri, quantities: [{inventoryItemId,
        locationId, quantity, changeFromQuantity}]}): all or nothing. changeFromQuantity is the compare-and-swap
        value (must be given; null skips the check); on_hand = available + committed is kept."""
        name = request["name"]
        errors = [set_error(code) for code, bad in (("INVALID_NAME", name not in ("available", "on_hand")),
                                                    ("INVALID_REASON", request["reason"] not in REASONS)) if bad]
        targets = []
        for i, q in enumerate(request["quantities"]):
            item, location = number_of(q["inventoryItemId"], "InventoryItem"), number_of(q["locationId"], "Location")
            level = self.levels.get((item or 0, location or 0))
            code = ("INVALID_INVENTORY_ITEM" if item is None or self.node("InventoryItem", item) is None
                    else "INVALID_LOCATION" if location is None or level is None
                    else "COMPARE_QUANTITY_REQUIRED" if "changeFromQuantity" not in q
                    else "CHANGE_FROM_QUANTITY_STALE" if q["changeFromQuantity"] not in (None, level.get(name))
                    else "INVALID_QUANTITY_NEGATIVE" if q["quantity"] < 0
                    else "INVALID_QUANTITY_TOO_HIGH" if q["quantity"] > 1_000_000_000 else None)
            if code:
                errors.append(set_error(code, "quantities", str(i)))
            elif item is not None and location is not None and level is not None:
                targets.append((item, location, level, q["quantity"]))
        if errors:
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        other = "on_hand" if name == "available" else "available"
        for item, location, level, quantity in targets:
            delta = quantity - level[name]
            level[name], level[other] = quantity, level[other] + delta
            self.level_updated[(item, location)] = self.now()
            changes += [{"name": changed, "delta": delta, "quantityAfterChange": level[changed],
                         "item": self.node("InventoryItem", item), "location": self.node("Location", location)}
                        for changed in (name, other)]
        return {"userErrors": [], "inventoryAdjustmentGroup": {
            "id": f"gid://shopify/InventoryAdjustmentGroup/{next(self.serial)}", "changes": changes,
            "createdAt": self.render.ts(self.now()), "reason": request["reason"],
            "referenceDocumentUri": request.get("referenceDocumentUri")}}

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
            status = "CLOSED" if done else "OPEN"
            fo = FulfillmentOrder(order_id, gid_number(self.locations[0]["id"]), status, total,
                                  {k: 0 if done else v for k, v in total.items()})
            if done:
                fo.fulfillments.append({"id": order_id, "created_at": order.updated_at, "tracking": [],
                                        "lines": dict(total)})
            self.fulfillment_orders[order_id] = fo
        if fo is not None and order is not None and order.cancelled_at and fo.status in ("OPEN", "IN_PROGRESS"):
            fo.status = "CANCELLED"  # cancelling an order cancels its open fulfillment orders
        return fo

    def fulfillment_order_node(self, order_id: int) -> dict[str, Any] | None:
        fo = self.fulfillment_order(order_id)
        order = self.shop.orders.get(order_id)
        return self.render.fulfillment_order_node(fo, order, self) if fo and order else None

    def create_fulfillment(self, fulfillment: dict[str, Any]) -> dict[str, Any]:
        """fulfillmentCreate(fulfillment: FulfillmentInput!): fulfils fulfillment order line items (all remaining when
        none are listed) with tracking info; the fulfillment order closes when nothing remains and the order becomes
        FULFILLED (else PARTIALLY_FULFILLED). A closed or cancelled fulfillment order is refused. Shopify accepts
        several fulfillment orders of one order at one location; a generated order has one, so one is accepted."""
        def fail(text: str) -> dict[str, Any]:
            return {"fulfillment": None, "userErrors": [{"field": ["fulfillment"], "message": text}]}

        groups = fulfillment["lineItemsByFulfillmentOrder"]
        if len(groups) != 1:
            return fail("Exactly one fulfillment order per fulfillment is supported by the stand-in.")
        fo_gid = groups[0]["fulfillmentOrderId"]
        order_id = number_of(fo_gid, "FulfillmentOrder")
        fo = self.fulfillment_order(order_id) if order_id is not None else None
        if fo is None or order_id is None:
            return fail("Fulfillment order does not exist.")
        if fo.status not in ("OPEN", "IN_PROGRESS") or not any(fo.remaining.values()):
            return fail(f"Fulfillment order {fo_gid} has an unfulfillable status= {fo.status.lower()}.")
        wanted: dict[int, int] = {}
        for item in groups[0].get("fulfillmentOrderLineItems") or []:
            line = number_of(item["id"], "FulfillmentOrderLineItem")
            if line is None or line not in fo.remaining:
                return fail(f"Fulfillment order line item {item['id']} does not exist on fulfillment order {fo_gid}.")
            wanted[line] = wanted.get(line, 0) + item["quantity"]
        wanted = wanted or {k: v for k, v in fo.remaining.items() if v}
        if any(q <= 0 or q > fo.remaining[line] for line, q in wanted.items()):
            return fail("Invalid fulfillment order line item quantity requested.")
        given = fulfillment.get("trackingInfo") or {}
        numbers = given.get("numbers") or ([given["number"]] if given.get("number") else [])
        urls = given.get("urls") or ([given["url"]] if given.get("url") else [])
        tracking = [{"number": n, "company": given.get("company"), "url": urls[i] if i < len(urls) else None}
                    for i, n in enumerate(numbers)]
        for line_id, qty in wanted.items():
            fo.remaining[line_id] -= qty
        left = sum(fo.remaining.values())
        fo.status = "CLOSED" if left == 0 else "IN_PROGRESS"
        number = 1_000_000_000 + next(self.serial)
        fo.fulfillments.append({"id": number, "created_at": self.now(), "tracking": tracking, "lines": wanted})
        shopgen.fulfil(self.shop, order_id, self.now(), "fulfilled" if left == 0 else "partial")
        node = next(f for f in self.render.fulfillments(self, order_id) if f["id"].endswith(f"/{number}"))
        return {"fulfillment": node, "userErrors": []}


# ---------------------------------------------------------------------------------------------------------------
# Search syntax
# ---------------------------------------------------------------------------------------------------------------
_OPS: dict[str, Callable[[Any, Any], bool]] = {">=": operator.ge, ">": operator.gt, "<=": operator.le,
                                               "<": operator.lt, "": operator.eq}


def time_pred(attr: str, op: str, raw: str) -> Callable[[Entry], bool]:
    bound, test = parse_ts(raw.strip("'\"")), _OPS[op]
    return lambda e: test(getattr(e, attr), bound)


def attr_pred(key: str, value: str) -> Callable[[Entry], bool]:
    wanted = value.lower()
    return lambda e: e.attrs.get(key, "").lower() == wanted


def search(query: str) -> list[Callable[[Entry], bool]]:
    """Shopify search syntax: terms AND-ed (``AND`` implied or written), ``OR`` between groups, ``-`` negates;
    quoted values may escape quotes with a backslash. Fields: updated_at, created_at, processed_at and id with >,
    >=, <, <=; status, financial_status, fulfillment_status, test, email, name, product_type, source_name, sku,
    product_id. Unknown fields are ignored (Shopify ignores them too, with a search warning). No parentheses."""
    groups: list[list[Callable[[Entry], bool]]] = [[]]
    for neg, key, op, raw, connective in _TERM.findall(query):
        if connective:
            groups.append([])
            continue
        value = _ESCAPED.sub(r"\1", raw[1:-1]) if raw[:1] in "'\"" and len(raw) > 1 else raw
        if key in ("updated_at", "created_at", "processed_at"):
            pred = time_pred(key, op, value)
        elif key == "id":
            pred = partial(lambda n, test, e: test(e.id, n), int(value.rsplit("/", 1)[-1]), _OPS[op])
        elif key in ATTRIBUTES and not (key == "status" and value == "any"):
            pred = attr_pred(key, value)
        else:
            continue
        groups[-1].append(partial(lambda p, e: not p(e), pred) if neg else pred)
    if len(groups) == 1:
        return groups[0]
    return [lambda e: any(all(p(e) for p in group) for group in groups)]


def _raw_entry(node: dict[str, Any]) -> Entry:
    created = parse_ts(node.get("createdAt"))
    attrs = {"financial_status": str(node.get("displayFinancialStatus") or "").lower(),
             "fulfillment_status": str(node.get("displayFulfillmentStatus") or "").lower(),
             "status": "cancelled" if node.get("cancelledAt") else "closed" if node.get("closedAt") else "open",
             "test": str(bool(node.get("test"))).lower(), "name": str(node.get("name") or ""),
             "email": str(node.get("email") or "").lower()}
    return Entry(gid_number(node["id"]), created, parse_ts(node.get("updatedAt") or node.get("createdAt")),
                 parse_ts(node.get("processedAt") or node.get("createdAt")), attrs, lambda: node)
