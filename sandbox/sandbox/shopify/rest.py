"""Shopify REST Admin API (legacy, 2026-10) of the stand-in: routes, paging, and REST JSON rendered from the store's
GraphQL nodes.

The store keeps every object as a GraphQL node dict; REST is derived from it here, field for field as Shopify's REST
reference documents the resources (snake_case, numeric ids, money as ``"12.10"`` strings with a ``*_set`` twin,
timestamps in the shop's own UTC offset). An order replayed from Shopify's own REST JSON (`sandbox.shopify.replay`)
carries its original payload under ``REST_KEY`` and is served back exactly as loaded, unknown fields included.

Paths (under ``/admin/api/{version}/``; Shopify's documented query parameters):

- ``orders.json`` (``status`` open|closed|cancelled|any, default open; ``financial_status``, ``fulfillment_status``),
  ``customers.json``, ``products.json`` (``status``, ``product_type``, ``vendor``), ``locations.json``,
  ``events.json`` (``filter`` = subject type, ``verb``), ``inventory_levels.json`` (``inventory_item_ids`` or
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import simplejson

from sandbox.core import Request, Response
from sandbox.shopify import seed as render
from sandbox.shopify.resolvers import RECENT_ORDER_DAYS
from sandbox.shopify.store import CursorError, Entry, decode_cursor, encode_cursor, resolve

if TYPE_CHECKING:
    from sandbox.shopify.routes import Shopify

REST_KEY = "__rest"  # a replayed order's original REST JSON, kept on its node (never a GraphQL field)
PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/(?P<path>[a-z_]+(?:/\d+)?(?:/[a-z_]+)?)\.json$")
MAX_LIMIT = 250
DEFAULT_LIMIT = 50
CENT = Decimal("0.01")
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
NOT_APPROVED = "[API] This app is not approved to access REST endpoints with protected customer data."


@dataclass(frozen=True)
class Ctx:
    """What rendering needs besides the node: the shop's time zone, its myshopify domain, and the units available
    of an inventory item over all locations (a variant's ``inventory_quantity``)."""

    tz: ZoneInfo
    domain: str
    available: Callable[[int], int] = lambda _item: 0


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
        return {"shop": shop_json(shop)}, {}
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
    store = shop.store

    def available(item: int) -> int:
        return sum((store.level(item, _legacy_id(loc)) or {}).get("available", 0) for loc in store.locations)

    return Ctx(ZoneInfo(shop.shop.timezone), render.shop_node(shop.shop, shop.plan)["myshopifyDomain"], available)


def entries(shop: Shopify, resource: str, scopes: tuple[str, ...]) -> list[Entry]:
    """Orders/customers/products the token may list, in id order (orders: 60 days without read_all_orders)."""
    return [e for e in shop.store.entries(resource) if visible(shop, resource, scopes, e)]


def visible(shop: Shopify, resource: str, scopes: tuple[str, ...], entry: Entry) -> bool:
    if resource == "orders" and "read_all_orders" not in scopes:
        return entry.created_at >= shop.now() - timedelta(days=RECENT_ORDER_DAYS)
    return True


def locations(shop: Shopify) -> list[dict[str, Any]]:
    return list(shop.store.locations)


def tender_transactions(shop: Shopify, scopes: tuple[str, ...]) -> list[dict[str, Any]]:
    """REST TenderTransactions: every successful sale, capture and refund (negative) of the orders the token sees."""
    ctx, out = context(shop), []
    for entry in entries(shop, "orders", scopes):
        for t in order_children(entry.render(), "transactions", ctx):
            if t.get("status") != "success" or t.get("kind") not in ("sale", "capture", "refund"):
                continue
            amount = Decimal(str(t["amount"])).quantize(CENT)
            out.append({"id": t["id"], "order_id": t.get("order_id", entry.id),
                        "amount": str(-amount if t["kind"] == "refund" else amount), "currency": t.get("currency"),
                        "user_id": t.get("user_id"), "test": bool(t.get("test")),
                        "processed_at": t.get("processed_at") or t.get("created_at"),
                        "remote_reference": t.get("authorization"), "payment_details": None,
                        "payment_method": "credit_card" if t.get("gateway") == "shopify_payments" else "other"})
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
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RestError(400, {param: [f"{value!r} is not a valid date"]}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
        return entries(self.shop, self.resource, self.scopes) if self.resource in ("orders", "customers",
                                                                                   "products") else None

    def get(self, ident: int) -> dict[str, Any]:
        listed = self.entries()
        if listed is not None:
            entry = self.shop.store.entry(self.resource, ident)
            if entry is not None and visible(self.shop, self.resource, self.scopes, entry):
                return entry.render()
        else:
            for node in self.nodes():
                if _legacy_id(node) == ident:
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
        if self.resource == "events":
            if filters.get("filter"):
                kinds = {k.strip().lower() for k in filters["filter"].split(",")}
                checks.append(lambda r: str(r["subject_type"]).lower() in kinds)
            if filters.get("verb"):
                checks.append(lambda r: r["verb"] == filters["verb"])
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
    if resource == "events":
        return {"id": node["id"], "created_at": _parse(node["created_at"]), "updated_at": _parse(node["created_at"]),
                "processed_at": None, "subject_type": node["subject_type"], "verb": node["verb"]}
    if resource == "tender_transactions":
        stamp = _parse(node["processed_at"])
        return {"id": node["id"], "created_at": stamp, "updated_at": stamp, "processed_at": stamp}
    if resource == "inventory_levels":
        return {"id": _legacy_id(node), "updated_at": _parse(node.get("updatedAt")),
                "created_at": _parse(node.get("createdAt")), "processed_at": None,
                "inventory_item_id": _gid_number((_resolve(node.get("item")) or {}).get("id")),
                "location_id": _gid_number((_resolve(node.get("location")) or {}).get("id"))}
    return {"id": _legacy_id(node), "updated_at": _parse(node.get("updatedAt")),
            "created_at": _parse(node.get("createdAt")), "processed_at": None}


def _fields(row: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return row
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    return {k: v for k, v in row.items() if k in wanted}


# -- value helpers ------------------------------------------------------------------------------------------------
_resolve = resolve  # a node field's value (the store's Lazy parts rendered on first use)


def _list(value: Any) -> list[Any]:
    value = _resolve(value)
    if value is None:
        return []
    if isinstance(value, dict):  # a written-out connection
        return list(value.get("nodes") or [e["node"] for e in value.get("edges") or []])
    return list(value)


def _gid_number(value: Any) -> int | None:
    if value is None:
        return None
    return int(str(value).rsplit("/", 1)[-1].split("?", 1)[0])


def _legacy_id(node: dict[str, Any]) -> int:
    legacy = node.get("legacyResourceId")
    return int(legacy) if legacy is not None else int(_gid_number(node["id"]) or 0)


def _parse(value: str | None) -> datetime | None:
    return _ts(value) if value else None


def rest_time(value: str | None, ctx: Ctx) -> str | None:
    """A GraphQL UTC timestamp as REST writes it: in the shop's time zone, with its offset."""
    if not value:
        return None
    return _ts(value).astimezone(ctx.tz).isoformat()


def _amount(money: dict[str, Any] | None) -> str | None:
    """A MoneyV2 amount as REST writes it: '12.10' (two places)."""
    if not money or money.get("amount") is None:
        return None
    return str(Decimal(str(money["amount"])).quantize(CENT))


def money_str(bag: dict[str, Any] | None) -> str | None:
    return _amount((bag or {}).get("shopMoney"))


def money_set(bag: dict[str, Any] | None) -> dict[str, Any] | None:
    if not bag:
        return None
    shop, presentment = bag.get("shopMoney") or {}, bag.get("presentmentMoney") or bag.get("shopMoney") or {}
    return {"shop_money": {"amount": _amount(shop), "currency_code": shop.get("currencyCode")},
            "presentment_money": {"amount": _amount(presentment), "currency_code": presentment.get("currencyCode")}}


def _negated(amount: str | None) -> str | None:
    return None if amount is None else str(-Decimal(amount))


def _negated_set(bag: dict[str, Any] | None) -> dict[str, Any] | None:
    if bag is None:
        return None
    return {side: {**money, "amount": _negated(money["amount"])} for side, money in bag.items()}


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _rate(value: Any) -> float | Decimal | None:
    return value if value is None or isinstance(value, Decimal) else float(value)


# -- resources ----------------------------------------------------------------------------------------------------
def address_json(a: dict[str, Any] | None, *, with_id: bool = False) -> dict[str, Any] | None:
    if a is None:
        return None
    out = {"first_name": a.get("firstName"), "address1": a.get("address1"), "phone": a.get("phone"),
           "city": a.get("city"), "zip": a.get("zip"), "province": a.get("province"), "country": a.get("country"),
           "last_name": a.get("lastName"), "address2": a.get("address2"), "company": a.get("company"),
           "latitude": a.get("latitude"), "longitude": a.get("longitude"), "name": a.get("name"),
           "country_code": a.get("countryCodeV2"), "province_code": a.get("provinceCode")}
    if with_id:
        out = {"id": _gid_number(a.get("id")), **out, "country_name": a.get("country"), "default": True}
    return out


def tax_lines_json(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"price": money_str(t.get("priceSet")), "rate": _rate(t.get("rate")), "title": t.get("title"),
             "price_set": money_set(t.get("priceSet")), "channel_liable": t.get("channelLiable", False)}
            for t in lines]


def _allocations(node: dict[str, Any], apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for alloc in _list(node.get("discountAllocations")):
        app = _resolve(alloc.get("discountApplication")) or {}
        index = app.get("index")
        if index is None:
            index = next((i for i, a in enumerate(apps) if a is app), 0)
        out.append({"amount": money_str(alloc.get("allocatedAmountSet")),
                    "amount_set": money_set(alloc.get("allocatedAmountSet")), "discount_application_index": index})
    return out


def discount_application_json(app: dict[str, Any]) -> dict[str, Any]:
    value = app.get("value") or {}
    kind = {"DiscountCodeApplication": "discount_code", "ManualDiscountApplication": "manual",
            "AutomaticDiscountApplication": "automatic", "ScriptDiscountApplication": "script"}.get(
        str(app.get("__typename")), "discount_code")
    out: dict[str, Any] = {
        "target_type": _lower(app.get("targetType")), "type": kind,
        "value": str(Decimal(str(value["percentage"])).quantize(Decimal("0.1"))) if "percentage" in value
        else _amount(value),
        "value_type": "percentage" if "percentage" in value else "fixed_amount",
        "allocation_method": _lower(app.get("allocationMethod")),
        "target_selection": _lower(app.get("targetSelection"))}
    if kind == "discount_code":
        out["code"] = app.get("code")
    else:
        out["title"], out["description"] = app.get("title"), app.get("description") or app.get("title")
    return out


def discount_codes_json(node: dict[str, Any], apps: list[dict[str, Any]], lines: list[dict[str, Any]]
                        ) -> list[dict[str, Any]]:
    """`discount_codes[] {code, amount, type}`: amount = what the code's application allocated to the lines."""
    allocated: dict[int, Decimal] = {}
    for line in lines:
        for alloc in line["discount_allocations"]:
            index = alloc["discount_application_index"]
            allocated[index] = allocated.get(index, Decimal(0)) + Decimal(alloc["amount"] or "0")
    out = []
    for code in node.get("discountCodes") or []:
        index = next((i for i, a in enumerate(apps) if a.get("code") == code), None)
        app = discount_application_json(apps[index]) if index is not None else {}
        amount = allocated.get(index, Decimal(0)) if index is not None else Decimal(0)
        out.append({"code": code, "amount": str(amount.quantize(CENT)),
                    "type": app.get("value_type", "fixed_amount")})
    return out


def line_item_json(li: dict[str, Any], apps: list[dict[str, Any]]) -> dict[str, Any]:
    variant, product = _resolve(li.get("variant")) or {}, _resolve(li.get("product")) or {}
    quantity = int(li.get("quantity") or 0)
    return {
        "id": _gid_number(li["id"]), "admin_graphql_api_id": li["id"], "attributed_staffs": [],
        "current_quantity": li.get("currentQuantity", quantity), "fulfillable_quantity": li.get(
            "fulfillableQuantity", li.get("currentQuantity", quantity)),
        "fulfillment_service": "manual", "fulfillment_status": None, "gift_card": bool(li.get("isGiftCard", False)),
        "grams": 0, "name": li.get("name"), "price": money_str(li.get("originalUnitPriceSet")),
        "price_set": money_set(li.get("originalUnitPriceSet")), "product_exists": bool(product),
        "product_id": _gid_number(product.get("id")), "properties": [], "quantity": quantity,
        "requires_shipping": li.get("requiresShipping", True), "sku": li.get("sku"),
        "taxable": li.get("taxable", True), "title": li.get("title"),
        "total_discount": money_str(li.get("totalDiscountSet")) or "0.00",
        "total_discount_set": money_set(li.get("totalDiscountSet")),
        "variant_id": _gid_number(variant.get("id")), "variant_inventory_management": "shopify",
        "variant_title": li.get("variantTitle"), "vendor": li.get("vendor"),
        "tax_lines": tax_lines_json(_list(li.get("taxLines"))), "duties": [],
        "discount_allocations": _allocations(li, apps)}


def shipping_line_json(s: dict[str, Any], apps: list[dict[str, Any]]) -> dict[str, Any]:
    discounted = s.get("discountedPriceSet") or s.get("originalPriceSet")
    return {"id": _gid_number(s["id"]), "carrier_identifier": s.get("carrierIdentifier"), "code": s.get("code"),
            "discounted_price": money_str(discounted), "discounted_price_set": money_set(discounted),
            "is_removed": s.get("isRemoved", False), "phone": None, "price": money_str(s.get("originalPriceSet")),
            "price_set": money_set(s.get("originalPriceSet")), "requested_fulfillment_service_id": None,
            "source": s.get("source"), "title": s.get("title"),
            "tax_lines": tax_lines_json(_list(s.get("taxLines"))), "discount_allocations": _allocations(s, apps)}


def transaction_json(tx: dict[str, Any], order_id: int, ctx: Ctx) -> dict[str, Any]:
    amount = tx.get("amountSet") or {}
    parent = _resolve(tx.get("parentTransaction")) or {}
    return {
        "id": _gid_number(tx["id"]), "order_id": order_id, "kind": _lower(tx.get("kind")),
        "gateway": tx.get("gateway"), "status": _lower(tx.get("status")), "message": tx.get("message"),
        "created_at": rest_time(tx.get("createdAt"), ctx), "test": bool(tx.get("test")),
        "authorization": tx.get("authorizationCode"), "location_id": None, "user_id": None,
        "parent_id": _gid_number(parent.get("id")), "processed_at": rest_time(tx.get("processedAt"), ctx),
        "device_id": None, "error_code": _lower(tx.get("errorCode")), "source_name": "web", "receipt": {},
        "currency_exchange_adjustment": None, "amount": money_str(amount),
        "currency": (amount.get("shopMoney") or {}).get("currencyCode"), "payment_id": f"#{_gid_number(tx['id'])}",
        "total_unsettled_set": money_set(amount) if tx.get("kind") == "AUTHORIZATION" else None,
        "manual_payment_gateway": False, "admin_graphql_api_id": tx["id"]}


def refund_json(r: dict[str, Any], order_id: int, lines: dict[str, dict[str, Any]], ctx: Ctx
                ) -> dict[str, Any]:
    refund_id = _gid_number(r["id"])
    items = []
    for item in _list(r.get("refundLineItems")):
        line = _resolve(item.get("lineItem")) or {}
        items.append({"id": _gid_number(item.get("id")), "line_item_id": _gid_number(line.get("id")),
                      "location_id": None, "quantity": item.get("quantity"),
                      "restock_type": _lower(item.get("restockType")),
                      "subtotal": Decimal(money_str(item.get("subtotalSet")) or "0"),
                      "subtotal_set": money_set(item.get("subtotalSet")),
                      "total_tax": Decimal(money_str(item.get("totalTaxSet")) or "0"),
                      "total_tax_set": money_set(item.get("totalTaxSet")),
                      "line_item": lines.get(str(line.get("id"))) or {"id": _gid_number(line.get("id")),
                                                                      "sku": line.get("sku")}})
    adjustments = [{"id": _gid_number(a.get("id")), "order_id": order_id, "refund_id": refund_id,
                    "amount": money_str(a.get("amountSet")), "tax_amount": money_str(a.get("taxAmountSet")),
                    "kind": _lower(a.get("reason")),
                    "reason": str(a.get("reason") or "").replace("_", " ").capitalize(),
                    "amount_set": money_set(a.get("amountSet")), "tax_amount_set": money_set(a.get("taxAmountSet"))}
                   for a in _list(r.get("orderAdjustments"))]
    # REST still reports refunded shipping as a negative `shipping_refund` adjustment
    adjustments += [{"id": _gid_number(s.get("id")), "order_id": order_id, "refund_id": refund_id,
                     "amount": _negated(money_str(s.get("subtotalAmountSet"))),
                     "tax_amount": _negated(money_str(s.get("taxAmountSet"))), "kind": "shipping_refund",
                     "reason": "Shipping refund", "amount_set": _negated_set(money_set(s.get("subtotalAmountSet"))),
                     "tax_amount_set": _negated_set(money_set(s.get("taxAmountSet")))}
                    for s in _list(r.get("refundShippingLines"))]
    return {"id": refund_id, "order_id": order_id, "created_at": rest_time(r.get("createdAt"), ctx),
            "note": r.get("note"), "user_id": None, "processed_at": rest_time(r.get("createdAt"), ctx),
            "restock": any(i.get("restocked") for i in _list(r.get("refundLineItems"))), "duties": [],
            "total_duties_set": None, "return": None, "admin_graphql_api_id": r["id"],
            "refund_line_items": items, "order_adjustments": adjustments,
            "transactions": [transaction_json(t, order_id, ctx) for t in _list(r.get("transactions"))]}


def fulfillment_json(f: dict[str, Any], order_id: int, lines: dict[str, dict[str, Any]], ctx: Ctx
                     ) -> dict[str, Any]:
    tracking = _list(f.get("trackingInfo"))
    location = _resolve(f.get("location")) or {}
    items = []
    for fli in _list(f.get("fulfillmentLineItems")):
        line = _resolve(fli.get("lineItem")) or {}
        row = dict(lines.get(str(line.get("id"))) or {"id": _gid_number(line.get("id"))})
        row["quantity"] = fli.get("quantity", row.get("quantity"))
        items.append(row)
    return {"id": _gid_number(f["id"]), "admin_graphql_api_id": f["id"], "created_at": rest_time(f.get("createdAt"),
            ctx), "location_id": _gid_number(location.get("id")), "name": f.get("name"), "order_id": order_id,
            "origin_address": {}, "receipt": {}, "service": "manual",
            "shipment_status": _lower(f.get("displayStatus")), "status": _lower(f.get("status")),
            "tracking_company": tracking[0].get("company") if tracking else None,
            "tracking_number": tracking[0].get("number") if tracking else None,
            "tracking_numbers": [t.get("number") for t in tracking if t.get("number")],
            "tracking_url": tracking[0].get("url") if tracking else None,
            "tracking_urls": [t.get("url") for t in tracking if t.get("url")],
            "updated_at": rest_time(f.get("updatedAt"), ctx), "line_items": items}


def customer_json(c: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    addresses = [address_json(a, with_id=True) for a in _list(c.get("addresses")) if a]
    default = address_json(_resolve(c.get("defaultAddress")), with_id=True)
    spent = c.get("amountSpent") or {}
    consent = "subscribed" if c.get("acceptsMarketing") else "not_subscribed"
    return {
        "id": _legacy_id(c), "email": c.get("email"), "created_at": rest_time(c.get("createdAt"), ctx),
        "updated_at": rest_time(c.get("updatedAt"), ctx), "first_name": c.get("firstName"),
        "last_name": c.get("lastName"), "orders_count": int(c.get("numberOfOrders") or 0),
        "state": _lower(c.get("state")) or "disabled", "total_spent": _amount(spent) or "0.00",
        "last_order_id": None, "note": c.get("note"), "verified_email": bool(c.get("verifiedEmail")),
        "multipass_identifier": None, "tax_exempt": bool(c.get("taxExempt")),
        "tags": ", ".join(c.get("tags") or []), "last_order_name": None, "currency": spent.get("currencyCode"),
        "phone": c.get("phone"), "addresses": addresses, "tax_exemptions": list(c.get("taxExemptions") or []),
        "email_marketing_consent": {"state": consent, "opt_in_level": "single_opt_in", "consent_updated_at": None},
        "sms_marketing_consent": None, "admin_graphql_api_id": c["id"], "default_address": default}


def order_json(node: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The REST Order (Shopify's documented field set) of an order node; a replayed order's own JSON if it has one."""
    original = node.get(REST_KEY)
    if original is not None:
        return dict(original)
    order_id = _legacy_id(node)
    apps = _list(node.get("discountApplications"))
    lines = [line_item_json(li, apps) for li in _list(node.get("lineItems"))]
    by_gid = {li["admin_graphql_api_id"]: li for li in lines}
    customer = _resolve(node.get("customer"))
    company = _resolve(node.get("purchasingEntity")) or {}
    currency = node.get("currencyCode")
    financial = _lower(node.get("displayFinancialStatus"))
    fulfillment = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}.get(
        str(node.get("displayFulfillmentStatus")))
    name = str(node.get("name") or "")
    number = int(name.lstrip("#")) if name.lstrip("#").isdigit() else order_id
    subtotal = node.get("subtotalPriceSet")
    lines_total = sum((Decimal(li["price"] or "0") * li["quantity"] for li in lines), Decimal(0))
    zero = {"shopMoney": {"amount": "0.0", "currencyCode": currency},
            "presentmentMoney": {"amount": "0.0", "currencyCode": currency}}
    lines_bag = {"shopMoney": {"amount": str(lines_total), "currencyCode": currency},
                 "presentmentMoney": {"amount": str(lines_total), "currencyCode": currency}}
    return {
        "id": order_id, "admin_graphql_api_id": node["id"], "app_id": None, "browser_ip": None,
        "buyer_accepts_marketing": False, "cancel_reason": _lower(node.get("cancelReason")),
        "cancelled_at": rest_time(node.get("cancelledAt"), ctx), "cart_token": None, "checkout_id": None,
        "checkout_token": None, "client_details": None, "closed_at": rest_time(node.get("closedAt"), ctx),
        "company": {"id": _gid_number(company["company"]["id"]),
                    "location_id": _gid_number((company.get("location") or {}).get("id"))}
        if company.get("company") else None,
        "confirmation_number": node.get("confirmationNumber"), "confirmed": node.get("confirmed", True),
        "contact_email": node.get("email"), "created_at": rest_time(node.get("createdAt"), ctx),
        "currency": currency,
        "current_shipping_price_set": money_set(node.get("currentShippingPriceSet") or
                                                node.get("totalShippingPriceSet")),
        "current_subtotal_price": money_str(node.get("currentSubtotalPriceSet") or subtotal),
        "current_subtotal_price_set": money_set(node.get("currentSubtotalPriceSet") or subtotal),
        "current_total_additional_fees_set": None,
        "current_total_discounts": money_str(node.get("currentTotalDiscountsSet") or node.get("totalDiscountsSet")),
        "current_total_discounts_set": money_set(node.get("currentTotalDiscountsSet") or
                                                 node.get("totalDiscountsSet")),
        "current_total_duties_set": None,
        "current_total_price": money_str(node.get("currentTotalPriceSet") or node.get("totalPriceSet")),
        "current_total_price_set": money_set(node.get("currentTotalPriceSet") or node.get("totalPriceSet")),
        "current_total_tax": money_str(node.get("currentTotalTaxSet") or node.get("totalTaxSet")),
        "current_total_tax_set": money_set(node.get("currentTotalTaxSet") or node.get("totalTaxSet")),
        "customer_locale": "en", "device_id": None,
        "discount_codes": discount_codes_json(node, apps, lines),
        "duties_included": False, "email": node.get("email"), "estimated_taxes": False,
        "financial_status": financial, "fulfillment_status": fulfillment, "landing_site": None,
        "landing_site_ref": None, "location_id": None, "merchant_business_entity_id": None,
        "merchant_of_record_app_id": None, "name": name, "note": node.get("note"), "note_attributes": [],
        "number": number - 1000 if number > 1000 else number, "order_number": number,
        "order_status_url": f"https://{ctx.domain}/orders/{order_id}/authenticate",
        "original_total_additional_fees_set": None, "original_total_duties_set": None,
        "payment_gateway_names": list(node.get("paymentGatewayNames") or []),
        "payment_terms": None, "phone": node.get("phone"), "po_number": node.get("poNumber"),
        "presentment_currency": node.get("presentmentCurrencyCode") or currency,
        "processed_at": rest_time(node.get("processedAt"), ctx), "reference": None, "referring_site": None,
        "source_identifier": None, "source_name": node.get("sourceName"), "source_url": None,
        "subtotal_price": money_str(subtotal), "subtotal_price_set": money_set(subtotal),
        "tags": ", ".join(node.get("tags") or []), "tax_exempt": bool(node.get("taxExempt")),
        "tax_lines": tax_lines_json(_list(node.get("taxLines"))), "taxes_included": bool(node.get("taxesIncluded")),
        "test": bool(node.get("test")), "token": f"{order_id:032x}",
        "total_cash_rounding_payment_adjustment_set": money_set(zero),
        "total_cash_rounding_refund_adjustment_set": money_set(zero),
        "total_discounts": money_str(node.get("totalDiscountsSet")),
        "total_discounts_set": money_set(node.get("totalDiscountsSet")),
        "total_line_items_price": str(lines_total.quantize(CENT)), "total_line_items_price_set": money_set(lines_bag),
        "total_outstanding": money_str(node.get("totalOutstandingSet")) or "0.00",
        "total_price": money_str(node.get("totalPriceSet")), "total_price_set": money_set(node.get("totalPriceSet")),
        "total_shipping_price_set": money_set(node.get("totalShippingPriceSet")),
        "total_tax": money_str(node.get("totalTaxSet")), "total_tax_set": money_set(node.get("totalTaxSet")),
        "total_tip_received": "0.00", "total_weight": 0, "updated_at": rest_time(node.get("updatedAt"), ctx),
        "user_id": None,
        "billing_address": address_json(_resolve(node.get("billingAddress"))),
        "customer": customer_json(customer, ctx) if customer else None,
        "discount_applications": [discount_application_json(a) for a in apps],
        "fulfillments": [fulfillment_json(f, order_id, by_gid, ctx) for f in _list(node.get("fulfillments"))],
        "line_items": lines, "payment_terms_id": None,
        "refunds": [refund_json(r, order_id, by_gid, ctx) for r in _list(node.get("refunds"))],
        "shipping_address": address_json(_resolve(node.get("shippingAddress"))),
        "shipping_lines": [shipping_line_json(s, apps) for s in _list(node.get("shippingLines"))],
    }


def order_children(node: dict[str, Any], child: str, ctx: Ctx) -> list[dict[str, Any]]:
    """`orders/{id}/{transactions|refunds|fulfillments}.json` rows of an order node."""
    order = order_json(node, ctx)
    if child == "transactions":
        if node.get(REST_KEY) is not None:
            embedded = node[REST_KEY].get("transactions")
            if embedded is not None:
                return list(embedded)
            return [t for r in order.get("refunds") or [] for t in r.get("transactions") or []]
        return [transaction_json(t, order["id"], ctx) for t in _list(node.get("transactions"))]
    return list(order.get(child) or [])


def variant_json(v: dict[str, Any], product_id: int, ctx: Ctx) -> dict[str, Any]:
    item = _resolve(v.get("inventoryItem")) or {}
    options = [o.get("value") for o in v.get("selectedOptions") or []] or [v.get("title")]
    options += [None] * (3 - len(options))
    quantity = v["inventoryQuantity"] if "inventoryQuantity" in v else ctx.available(_legacy_id(item)) if item \
        else 0
    return {"id": _legacy_id(v), "product_id": product_id, "title": v.get("title"), "price": _amount(
            {"amount": v.get("price")}), "position": v.get("position", 1), "inventory_policy": "deny",
            "compare_at_price": _amount({"amount": v.get("compareAtPrice")}), "option1": options[0],
            "option2": options[1], "option3": options[2], "created_at": rest_time(v.get("createdAt"), ctx),
            "updated_at": rest_time(v.get("updatedAt"), ctx), "taxable": v.get("taxable", True),
            "barcode": v.get("barcode"), "fulfillment_service": "manual", "grams": 0,
            "inventory_management": "shopify" if item.get("tracked", True) else None,
            "requires_shipping": item.get("requiresShipping", True), "sku": v.get("sku"), "weight": 0.0,
            "weight_unit": "kg", "inventory_item_id": _gid_number(item.get("id")),
            "inventory_quantity": quantity, "old_inventory_quantity": quantity, "admin_graphql_api_id": v["id"],
            "image_id": None}


def product_json(p: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    product_id = _legacy_id(p)
    variants = [variant_json(v, product_id, ctx) for v in _list(p.get("variants"))]
    return {"id": product_id, "title": p.get("title"), "body_html": p.get("descriptionHtml"),
            "vendor": p.get("vendor"), "product_type": p.get("productType"),
            "created_at": rest_time(p.get("createdAt"), ctx), "handle": p.get("handle"),
            "updated_at": rest_time(p.get("updatedAt"), ctx), "published_at": rest_time(p.get("publishedAt"), ctx),
            "template_suffix": None, "published_scope": "web", "tags": ", ".join(p.get("tags") or []),
            "status": _lower(p.get("status")) or "active", "admin_graphql_api_id": p["id"], "variants": variants,
            "options": [{"id": product_id, "product_id": product_id, "name": "Title", "position": 1,
                         "values": [v["title"] for v in variants]}], "images": [], "image": None}


def location_json(loc: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    a = _resolve(loc.get("address")) or {}
    return {"id": _legacy_id(loc), "name": loc.get("name"), "address1": a.get("address1"),
            "address2": a.get("address2"), "city": a.get("city"), "zip": a.get("zip"), "province": a.get("province"),
            "country": a.get("countryCode"), "phone": a.get("phone"), "created_at": rest_time(loc.get("createdAt"),
            ctx), "updated_at": rest_time(loc.get("updatedAt"), ctx), "country_code": a.get("countryCode"),
            "country_name": a.get("country"), "province_code": a.get("provinceCode"),
            "legacy": bool(loc.get("isFulfillmentService", False)), "active": bool(loc.get("isActive", True)),
            "admin_graphql_api_id": loc["id"], "localized_country_name": a.get("country"),
            "localized_province_name": a.get("province")}


def inventory_level_json(level: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    by_name = _resolve(level.get("quantities")) or {}
    quantities = {q.get("name"): q.get("quantity") for q in (by_name.values() if isinstance(by_name, dict)
                                                               else by_name)}
    item, location = _resolve(level.get("item")) or {}, _resolve(level.get("location")) or {}
    return {"inventory_item_id": _gid_number(item.get("id")), "location_id": _gid_number(location.get("id")),
            "available": quantities.get("available"), "updated_at": rest_time(level.get("updatedAt"), ctx),
            "admin_graphql_api_id": level["id"]}


def as_rendered(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Rows that are REST JSON already (events, tender transactions)."""
    return dict(row)


def shop_json(shop: Shopify) -> dict[str, Any]:
    node = render.shop_node(shop.shop, shop.plan)
    ctx = context(shop)
    address = node.get("billingAddress") or {}
    slug = str(node.get("myshopifyDomain") or "")
    return {
        "id": _gid_number(node["id"]), "name": node.get("name"), "email": node.get("email"),
        "domain": shop.shop.domain, "province": address.get("province"), "country": address.get("countryCodeV2"),
        "address1": address.get("address1"), "zip": address.get("zip"), "city": address.get("city"),
        "source": None, "phone": address.get("phone"), "latitude": None, "longitude": None, "primary_locale": "en",
        "address2": address.get("address2"), "created_at": rest_time("2020-01-01T00:00:00Z", ctx),
        "updated_at": rest_time("2020-01-01T00:00:00Z", ctx), "country_code": address.get("countryCodeV2"),
        "country_name": address.get("country"), "currency": node.get("currencyCode"),
        "customer_email": node.get("email"), "timezone": f"(GMT+01:00) {node.get('ianaTimezone')}",
        "iana_timezone": node.get("ianaTimezone"), "shop_owner": node.get("name"), "money_format": "€{{amount}}",
        "money_with_currency_format": "€{{amount}} " + str(node.get("currencyCode")), "weight_unit": "kg",
        "province_code": address.get("provinceCode"), "taxes_included": node.get("taxesIncluded"),
        "auto_configure_tax_inclusivity": None, "tax_shipping": None, "county_taxes": True,
        "plan_display_name": shop.plan, "plan_name": shop.plan.lower(), "has_discounts": True,
        "has_gift_cards": False, "myshopify_domain": slug, "google_apps_domain": None,
        "google_apps_login_enabled": None, "money_in_emails_format": "€{{amount}}",
        "money_with_currency_in_emails_format": "€{{amount}} " + str(node.get("currencyCode")),
        "eligible_for_payments": True, "requires_extra_payments_agreement": False, "password_enabled": False,
        "has_storefront": True, "finances": True, "primary_location_id": None, "checkout_api_supported": True,
        "multi_location_enabled": True, "setup_required": False, "pre_launch_enabled": False,
        "enabled_presentment_currencies": list(node.get("enabledPresentmentCurrencies") or []),
        "marketing_sms_consent_enabled_at_checkout": False, "transactional_sms_disabled": False,
        "admin_graphql_api_id": node["id"]}


__all__ = ["REST_KEY", "handle", "order_json", "rest_response"]
