"""Shopify REST Admin API (legacy, 2026-10) of the stand-in: paths, query parameters, Link paging and errors; the JSON
of each resource is rendered from the store's GraphQL nodes by `sandbox.shopify.rest_json`.

Paths (under ``/admin/api/{version}/``; Shopify's documented query parameters):

- ``orders.json`` (``status`` open|closed|cancelled|any, default open; ``financial_status``, ``fulfillment_status``),
  ``customers.json``, ``products.json`` (``status``, ``product_type``, ``vendor``), ``locations.json``,
  ``events.json`` (always empty: nothing in the store is deleted), ``inventory_levels.json`` (``inventory_item_ids`` or
  ``location_ids`` required), ``tender_transactions.json`` (successful sales, captures and refunds of the orders;
  ``processed_at_min/max``): ``limit`` 1..250 (default 50), ``since_id``, ``ids``, ``updated_at_min/max``,
  ``created_at_min/max``, ``order`` (``updated_at asc`` ...), ``fields=`` (comma list). Paging is Link-header
  cursor paging: ``<...?limit=N&page_info=...>; rel="next"`` / ``rel="previous"``; with ``page_info`` only
  ``limit`` and ``fields`` may be sent (anything else: 400 "X cannot be passed when page_info is present").
- ``{resource}/count.json`` -> ``{"count": n}`` with the same filters; ``{resource}/{id}.json`` -> one object.
- ``orders/{id}/transactions.json``, ``orders/{id}/refunds.json``, ``orders/{id}/fulfillments.json``.
- ``shop.json``.

Unverified (no stored Shopify page): the exact 422 text when ``inventory_levels.json`` gets neither id list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import simplejson

from sandbox.core import Request, Response, parse_iso
from sandbox.shopify import seed as render
from sandbox.shopify.rest_json import (
    Ctx,
    as_rendered,
    customer_json,
    gid_int,
    inventory_level_json,
    legacy_id,
    location_json,
    order_children,
    order_json,
    product_json,
    shop_json,
    tender_transaction_json,
)
from sandbox.shopify.store import CursorError, Entry, decode_cursor, encode_cursor, resolve

if TYPE_CHECKING:
    from sandbox.shopify.routes import Shopify

PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/(?P<path>[a-z_]+(?:/\d+)?(?:/[a-z_]+)?)\.json$")
MAX_LIMIT = 250
DEFAULT_LIMIT = 50
PAGE_INFO_ALLOWED = {"page_info", "limit", "fields"}
TIME_FILTERS = (("updated_at_min", "updated_at", ">="), ("updated_at_max", "updated_at", "<="),
                ("created_at_min", "created_at", ">="), ("created_at_max", "created_at", "<="),
                ("processed_at_min", "processed_at", ">="), ("processed_at_max", "processed_at", "<="))
SCOPES = {"orders": "read_orders", "customers": "read_customers", "products": "read_products",
          "locations": "read_locations", "inventory_levels": "read_inventory", "events": None,
          "tender_transactions": "read_orders"}
SINGULAR = {"orders": "order", "customers": "customer", "products": "product", "locations": "location",
            "events": "event"}
ORDER_CHILDREN = ("transactions", "refunds", "fulfillments")
PROTECTED = {"orders", "customers"}
LISTED = ("orders", "customers", "products")  # the store's own listings (`Store.entries`); the rest are node lists
NOT_APPROVED = "[API] This app is not approved to access REST endpoints with protected customer data."


class RestError(Exception):
    """A REST error answer: status and Shopify's ``errors`` body."""

    def __init__(self, status: int, errors: Any) -> None:
        super().__init__(str(errors))
        self.status, self.errors = status, errors


def rest_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Decimals written as the numbers they are (a replayed `1e400` or `12.10` stays exact)."""
    data = simplejson.dumps(body, use_decimal=True, ensure_ascii=False).encode()
    return Response(status, data, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def handle(shop: Shopify, req: Request, scopes: tuple[str, ...]) -> Response | None:
    """Answer a REST Admin request, or None when `req.path` is not one of the REST paths above."""
    m = PATH.match(req.path)
    if m is None or req.method != "GET":
        return None
    parts = m.group("path").split("/")
    try:
        body, headers = _route(shop, req, m.group("version"), parts, scopes)
    except RestError as exc:
        return rest_response({"errors": exc.errors}, exc.status)
    return rest_response(body, headers=headers)


def _route(shop: Shopify, req: Request, version: str, parts: list[str], scopes: tuple[str, ...]
           ) -> tuple[Any, dict[str, str]]:
    resource = parts[0]
    if resource == "shop" and len(parts) == 1:
        return {"shop": shop_json(shop, context(shop))}, {}
    if resource not in SCOPES:
        raise RestError(404, "Not Found")
    need = SCOPES[resource]
    if need and need not in scopes:
        raise RestError(403, f"[API] This action requires merchant approval for {need} scope.")
    if resource in PROTECTED and shop.protected_customer_data != "full":
        raise RestError(403, NOT_APPROVED)
    view = View(shop, resource, scopes)
    if len(parts) == 1:
        return view.list(req, version)
    if parts[1] == "count":
        return {"count": view.count(_filters(req.query, resource))}, {}
    if not parts[1].isdigit() or resource not in SINGULAR:
        raise RestError(404, "Not Found")
    node = view.get(int(parts[1]))
    if len(parts) == 2:
        return {SINGULAR[resource]: _fields(view.render(node), req.arg("fields"))}, {}
    child = parts[2]
    if resource != "orders" or child not in ORDER_CHILDREN:
        raise RestError(404, "Not Found")
    rows = order_children(node, child, context(shop))
    return {child: [_fields(r, req.arg("fields")) for r in rows]}, {}


# -- the store, as REST sees it -----------------------------------------------------------------------------------
def context(shop: Shopify) -> Ctx:
    return Ctx(ZoneInfo(shop.shop.timezone), render.shop_node(shop.shop, shop.plan)["myshopifyDomain"],
               shop.store.available)


def entries(shop: Shopify, resource: str, scopes: tuple[str, ...]) -> list[Entry]:
    """Orders/customers/products the token may list, in id order (orders: 60 days without read_all_orders)."""
    keep = visible(shop, resource, scopes)
    return [e for e in shop.store.entries(resource) if keep(e)]


def visible(shop: Shopify, resource: str, scopes: tuple[str, ...]) -> Callable[[Entry], bool]:
    recent = shop.recent_only(scopes) if resource == "orders" else None
    return recent or (lambda _entry: True)


def locations(shop: Shopify) -> list[dict[str, Any]]:
    return list(shop.store.locations)


def tender_transactions(shop: Shopify, scopes: tuple[str, ...]) -> list[dict[str, Any]]:
    """REST TenderTransactions: every successful sale, capture and refund (negative) of the orders the token sees."""
    ctx, out = context(shop), []
    for entry in entries(shop, "orders", scopes):
        for t in order_children(entry.render(), "transactions", ctx):
            if t.get("status") != "success" or t.get("kind") not in ("sale", "capture", "refund"):
                continue
            out.append(tender_transaction_json(t, entry.id))
    return out


def inventory_levels(shop: Shopify) -> list[dict[str, Any]]:
    """Every (inventory item, location) level the store keeps, as InventoryLevel nodes."""
    store = shop.store
    levels = (render.inventory_level(store, item, location) for item, location in sorted(store.levels))
    return [level for level in levels if level is not None]


# -- listing ------------------------------------------------------------------------------------------------------
def _encode(payload: dict[str, Any]) -> str:
    return encode_cursor(payload).rstrip("=")


def _decode(token: str) -> dict[str, Any]:
    try:
        return decode_cursor(token)
    except CursorError:
        raise RestError(400, {"page_info": ["Invalid value."]}) from None


def _filters(query: dict[str, list[str]], resource: str) -> dict[str, str]:
    return {k: v[0] for k, v in query.items() if v and k not in ("limit", "page_info")}


def _ts(value: str, param: str = "date") -> datetime:
    try:
        return parse_iso(value)
    except ValueError:
        raise RestError(400, {param: [f"{value!r} is not a valid date"]}) from None


def _ids(text: str, name: str) -> set[int]:
    try:
        return {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise RestError(400, {name: ["must be a comma-separated list of integers"]}) from None


class View:
    """One listable REST resource over the store: filters, sort, paging, rendering."""

    def __init__(self, shop: Shopify, resource: str, scopes: tuple[str, ...]) -> None:
        self.shop, self.resource, self.scopes = shop, resource, scopes

    def nodes(self) -> list[dict[str, Any]]:
        """Nodes of resources the store lists as entries are read lazily through `entries`; the others here.
        Events: the store records none (nothing in it is ever deleted), so events.json lists nothing."""
        if self.resource == "events":
            return []
        if self.resource == "locations":
            return locations(self.shop)
        if self.resource == "tender_transactions":
            return tender_transactions(self.shop, self.scopes)
        return inventory_levels(self.shop)

    def entries(self) -> list[Entry] | None:
        return entries(self.shop, self.resource, self.scopes) if self.resource in LISTED else None

    def get(self, ident: int) -> dict[str, Any]:
        if self.resource in LISTED:
            entry = self.shop.store.entry(self.resource, ident)
            if entry is not None and visible(self.shop, self.resource, self.scopes)(entry):
                return entry.render()
        else:
            for node in self.nodes():
                if legacy_id(node) == ident:
                    return node
        raise RestError(404, "Not Found")

    def render(self, node: dict[str, Any]) -> dict[str, Any]:
        ctx = context(self.shop)
        renderers: dict[str, Callable[[dict[str, Any], Ctx], dict[str, Any]]] = {
            "orders": order_json, "customers": customer_json, "products": product_json,
            "locations": location_json, "inventory_levels": inventory_level_json, "events": as_rendered,
            "tender_transactions": as_rendered}
        return renderers[self.resource](node, ctx)

    def _matches(self, filters: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
        """A predicate over (node or entry timestamps) built from Shopify's documented filters."""
        checks: list[Callable[[Any], bool]] = []
        for param, attr, op in TIME_FILTERS:
            if filters.get(param):
                checks.append(_bound(attr, op, _ts(filters[param], param)))
        if filters.get("ids"):
            wanted = _ids(filters["ids"], "ids")
            checks.append(lambda r: r["id"] in wanted)
        if filters.get("since_id"):
            since = min(_ids(filters["since_id"], "since_id") or {0})
            checks.append(lambda r: r["id"] > since)
        if self.resource == "orders":
            status = filters.get("status", "open")
            if status not in ("open", "closed", "cancelled", "any"):
                raise RestError(400, {"status": ["is invalid"]})
            if status != "any":
                checks.append(lambda r: r.get("status") == status)
            for key in ("financial_status", "fulfillment_status"):
                value = filters.get(key)
                if value and value != "any":
                    wanted_value = "unfulfilled" if value in ("unshipped", "unfulfilled") else value
                    checks.append(_equals(key, wanted_value))
        for key in ("product_type", "vendor") if self.resource == "products" else ():
            if filters.get(key):
                checks.append(_equals(key, filters[key].lower(), fold=True))
        if self.resource == "products" and filters.get("status"):
            allowed = set(filters["status"].split(","))
            checks.append(lambda r: r.get("status") in allowed)
        if self.resource == "inventory_levels":
            items = _ids(filters.get("inventory_item_ids", ""), "inventory_item_ids")
            location_ids = _ids(filters.get("location_ids", ""), "location_ids")
            if not items and not location_ids:
                raise RestError(422, "inventory_item_ids or location_ids is required")
            if items:
                checks.append(lambda r: r["inventory_item_id"] in items)
            if location_ids:
                checks.append(lambda r: r["location_id"] in location_ids)
        return lambda keys: all(check(keys) for check in checks)

    def _rows(self, filters: dict[str, str]) -> list[tuple[tuple[Any, int], Callable[[], dict[str, Any]]]]:
        """(sort key, renderer) of every matching object, sorted as `order=` asks."""
        order = filters.get("order", "id asc").split()
        field_name = order[0] if order and order[0] in ("id", "updated_at", "created_at", "processed_at") else "id"
        match = self._matches(filters)
        rows: list[tuple[tuple[Any, int], Callable[[], dict[str, Any]]]] = []
        listed = self.entries()
        if listed is not None:
            for e in listed:
                keys = {"id": e.id, "updated_at": e.updated_at, "created_at": e.created_at,
                        "processed_at": e.processed_at, **e.attrs}
                if self.resource == "products" and filters.get("vendor"):  # not a store search key
                    keys["vendor"] = e.render().get("vendor")
                if match(keys):
                    rows.append((_sort_key(keys, field_name), e.render))
        else:
            for node in self.nodes():
                keys = _node_keys(node, self.resource)
                if match(keys):
                    rows.append((_sort_key(keys, field_name), partial(_same, node)))
        rows.sort(key=lambda r: r[0], reverse=len(order) > 1 and order[1].lower() == "desc")
        return rows

    def count(self, filters: dict[str, str]) -> int:
        return len(self._rows(filters))

    def list(self, req: Request, version: str) -> tuple[dict[str, Any], dict[str, str]]:
        token = req.arg("page_info")
        if token:
            extra = sorted(set(req.query) - PAGE_INFO_ALLOWED)
            if extra:
                raise RestError(400, {"page_info": [f"{extra[0]} cannot be passed when page_info is present"]})
            state = _decode(token)
            filters, start = dict(state.get("filters") or {}), int(state.get("start", 0))
        else:
            filters, start = _filters(req.query, self.resource), 0
        try:
            limit = int(req.arg("limit") or DEFAULT_LIMIT)
        except ValueError:
            raise RestError(400, {"limit": ["is not a number"]}) from None
        if not 1 <= limit <= MAX_LIMIT:
            raise RestError(400, {"limit": [f"must be between 1 and {MAX_LIMIT}"]})
        rows = self._rows(filters)
        page = rows[start:start + limit]
        fields = req.arg("fields")
        body = {self.resource: [_fields(self.render(make()), fields) for _, make in page]}
        links = []
        base = f"http://{req.header('Host', '127.0.0.1')}/admin/api/{version}/{self.resource}.json"
        extra_query = {"fields": fields} if fields else {}
        if start > 0:
            prev = _encode({"filters": filters, "start": max(0, start - limit)})
            links.append(f'<{base}?{urlencode({"limit": limit, **extra_query, "page_info": prev})}>; rel="previous"')
        if start + limit < len(rows):
            nxt = _encode({"filters": filters, "start": start + limit})
            links.append(f'<{base}?{urlencode({"limit": limit, **extra_query, "page_info": nxt})}>; rel="next"')
        return body, ({"Link": ", ".join(links)} if links else {})


def _bound(attr: str, op: str, bound: datetime) -> Callable[[dict[str, Any]], bool]:
    if op == ">=":
        return lambda r: r[attr] is not None and r[attr] >= bound
    return lambda r: r[attr] is not None and r[attr] <= bound


def _equals(key: str, value: str, *, fold: bool = False) -> Callable[[dict[str, Any]], bool]:
    if fold:
        return lambda r: str(r.get(key) or "").lower() == value
    return lambda r: r.get(key) == value


def _same(node: dict[str, Any]) -> dict[str, Any]:
    return node


def _sort_key(keys: dict[str, Any], field_name: str) -> tuple[Any, int]:
    value = keys.get(field_name)
    if isinstance(value, datetime):
        return (value.timestamp(), keys["id"])
    return (value if value is not None else 0, keys["id"])


def _node_keys(node: dict[str, Any], resource: str) -> dict[str, Any]:
    if resource == "tender_transactions":
        stamp = _parse(node["processed_at"])
        return {"id": node["id"], "created_at": stamp, "updated_at": stamp, "processed_at": stamp}
    if resource == "inventory_levels":
        return {"id": legacy_id(node), "updated_at": _parse(node.get("updatedAt")),
                "created_at": _parse(node.get("createdAt")), "processed_at": None,
                "inventory_item_id": gid_int((resolve(node.get("item")) or {}).get("id")),
                "location_id": gid_int((resolve(node.get("location")) or {}).get("id"))}
    return {"id": legacy_id(node), "updated_at": _parse(node.get("updatedAt")),
            "created_at": _parse(node.get("createdAt")), "processed_at": None}


def _parse(value: str | None) -> datetime | None:
    return _ts(value) if value else None


def _fields(row: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return row
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    return {k: v for k, v in row.items() if k in wanted}


__all__ = ["context", "entries", "handle", "inventory_levels", "locations"]
