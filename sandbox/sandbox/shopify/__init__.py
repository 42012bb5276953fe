"""Shopify Admin API stand-in (registry name "shopify"): GraphQL with cost throttle, bulk operations, OAuth, REST bits.

Paths (the base URL plays ``https://{shop}.myshopify.com``; any ``YYYY-MM`` version is accepted):

- ``POST /admin/api/{v}/graphql.json``  body ``{"query", "variables"}``; roots: orders, customers, products,
  productVariants (connections: first <= 250, after, query, sortKey ID|UPDATED_AT|CREATED_AT|PROCESSED_AT,
  reverse), ordersCount(query:, limit:) -> Count { count precision } (same search as orders; limit default
  10000, null = none; EXACT or AT_LEAST; an object, so cost 1), order/customer/product/productVariant(id:),
  node(id:), nodes(ids:), shop,
  currentAppInstallation { accessScopes { handle } }, currentBulkOperation, bulkOperation(id:);
  mutations bulkOperationRunQuery(query:, groupObjects:) and bulkOperationCancel(id:).
- ``POST /admin/oauth/access_token``  (form or JSON) grant_type=client_credentials + client_id + client_secret ->
  ``{"access_token", "scope", "expires_in"}``; grant_type=refresh_token + refresh_token -> also a new
  ``refresh_token`` and ``refresh_token_expires_in``; the used refresh token is invalid afterwards (strict
  rotation; Shopify's 2026-08 changelog lets the old one live until the new one is used: ``refresh_grace=True``).
- ``GET /admin/oauth/access_scopes.json`` and the REST Admin endpoints of `sandbox.shopify.rest` (orders, customers,
  products, locations, inventory_levels, events, count, order transactions/refunds/fulfillments, shop), every one
  with ``X-Shopify-Shop-Api-Call-Limit: n/40`` (leaky bucket 40, 2/s; over it 429 + ``Retry-After: 2.0``).
- ``GET /_bulk/{n}.jsonl``: bulk results (no token, like Shopify's signed URLs);
  ``POST /_shopify/bulk_fault`` ``{"mode": "failed"|"no_url"|"stuck"|null, "error_code": "..."}``.

Credentials (class constants, overridable by keyword): static token ``ACCESS_TOKEN`` (a custom-app ``shpat_``
token that never expires), ``CLIENT_ID``/``CLIENT_SECRET``, initial ``REFRESH_TOKEN``. Wrong or missing
``X-Shopify-Access-Token`` gives 401 ``{"errors": "[API] Invalid API key or access token (unrecognized login or
wrong password)"}``. Scopes per token (default read_orders, read_all_orders, read_customers, read_products); a
root field without its scope gives data null + an ACCESS_DENIED error; without read_customers an order's
``customer`` is denied; without read_all_orders only orders created in the last 60 days are visible.

Protected customer data (``protected_customer_data``): "full" (default, approved for all fields), "level1"
(Customer object allowed, but name/email/phone/address fields come back null with an ACCESS_DENIED error each,
"This app is not approved to use the email field."), "none" (every Customer object is null with "This app is
not approved to access the Customer object."; order email/phone/addresses null too). Data is still returned.

B2B: an order of a company customer has ``purchasingEntity`` = PurchasingCompany { company { id name externalId }
contact location { id name taxSettings { taxRegistrationId taxExempt taxExemptions } } }; the customer's VAT number
is ``location.taxSettings.taxRegistrationId`` and ``company.externalId`` is the merchant's own reference. Consumer
and guest orders have ``purchasingEntity: null`` (Shopify returns the Customer there; not modelled).

Throttle (calculated query cost): requested cost = scalars 0, objects 1, connections 2 + first x node cost;
bucket ``max_available`` (2000 default; 1000 standard, 20000 Plus) refilled at ``restore_rate``/s by the
injectable ``clock``; requested > available -> HTTP 200 ``errors[THROTTLED]`` with actualQueryCost null;
requested > ``max_query_cost`` (1000) -> ``MAX_COST_EXCEEDED``. After execution the difference between requested
and actual cost is refunded. ``dump()["cost_spent"]`` totals the actual cost charged.

Bulk operations advance CREATED -> RUNNING -> COMPLETED by one step per status poll (``bulk_polls_per_step``);
the JSONL has one object per line and nested connection nodes as their own lines with ``__parentId``.
Versions before 2026-01 allow one running bulk query (else userError OPERATION_IN_PROGRESS), later five.

Replay: ``Shopify(shopify_orders=PATH)`` (``python -m sandbox serve --only shopify --shopify-orders PATH``) adds the
Shopify REST order JSON under PATH (`sandbox.shopify.replay`) to any seed; REST serves those orders back as loaded.

Seeds: ``Shopify(seed="demo", orders=50)`` renders `sandbox.seed.generate_shop`. ``seed="dir:/path"`` loads
Shopify GraphQL node JSON: ``/path/orders/*.json``, ``/path/customers/*.json``, ``/path/products/*.json``, each
file one node or a list of nodes exactly as the GraphQL API returns them (connections written as
``{"nodes": [...]}`` or ``{"edges": [{"node": ...}]}``; ``__typename`` optional). Mutations need a generated seed.

Unknown shop: ``Shopify(shop_exists=False)`` answers every ``/admin`` path with 404 ``{"errors": "Not Found"}``.
Unverified details (no stored Shopify page found): the exact text of the page-size error, OAuth error bodies
(``{"error", "error_description"}`` as OAuth 2.0 specifies), and the REST/GraphQL 404 body for an unknown shop.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import seed as shopgen
from sandbox.core import Request, Response, Vendor, json_response
from sandbox.shopify import render, replay, rest
from sandbox.shopify.gql import (
    Connection,
    Field,
    GraphQLError,
    Operation,
    Projector,
    bind_fields,
    decode_cursor,
    encode_cursor,
    is_connection,
    node_selection,
    page_size,
    parse,
    requested_cost,
    resolve,
)

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
DEFAULT_SCOPES = ("read_orders", "read_all_orders", "read_customers", "read_products")
ROOT_SCOPES = {"orders": "read_orders", "order": "read_orders", "ordersCount": "read_orders",
               "customers": "read_customers", "customer": "read_customers", "products": "read_products",
               "product": "read_products",
               "productVariants": "read_products", "productVariant": "read_products"}
SORT_KEYS = {"ID": "id", "UPDATED_AT": "updated_at", "CREATED_AT": "created_at", "PROCESSED_AT": "processed_at"}
GRAPHQL_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")
PII_FIELDS = {"Customer": ("email", "phone", "firstName", "lastName", "displayName", "defaultAddress", "addresses",
                           "addressesV2"),
              "Order": ("email", "phone", "billingAddress", "shippingAddress")}
RECENT_ORDER_DAYS = 60
ORDERS_COUNT_LIMIT = 10000  # `ordersCount(limit:)` default (2025-07 changelog "Uncapped counts in GraphQL")
REST_BUCKET = 40
REST_LEAK = 2.0


@dataclass
class Token:
    """An issued access or refresh token; `expires_at` None = never."""

    scopes: tuple[str, ...]
    expires_at: float | None = None


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
        return render.gid("BulkOperation", self.number)


@dataclass
class _Index:
    version: int
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    sorted_keys: dict[tuple[str, str], list[tuple[Any, int]]] = field(default_factory=dict)
    sorted_entries: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)


def _parse_ts(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Shopify(Vendor):
    """The Shopify stand-in; see the module docstring for paths, credentials and switches."""

    name = "shopify"
    ACCESS_TOKEN = "shpat_sandbox_0000000000000000000000"
    CLIENT_ID = "sandbox-shopify-client-id"
    CLIENT_SECRET = "sandbox-shopify-client-secret"
    REFRESH_TOKEN = "shprt_sandbox_initial_refresh_token"

    def __init__(self, seed: str | None = None, orders: int = 50, *, access_token: str = ACCESS_TOKEN,
                 client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 scopes: tuple[str, ...] = DEFAULT_SCOPES, client_credentials_ttl: float = 86399,
                 refresh_ttl: float = 3600, refresh_grace: bool = False, max_available: float = 2000,
                 restore_rate: float = 100, max_query_cost: int = 1000, plan: str = "Advanced",
                 protected_customer_data: str = "full", shop_exists: bool = True, bulk_polls_per_step: int = 1,
                 bulk_fault: str | None = None, bulk_error_code: str = "INTERNAL_SERVER_ERROR",
                 shopify_orders: str | Path | None = None, clock: Callable[[], float] = time.time) -> None:
        if protected_customer_data not in ("full", "level1", "none"):
            raise ValueError("protected_customer_data must be full, level1 or none")
        self.seed, self.order_count = seed, orders
        self.access_token, self.client_id, self.client_secret = access_token, client_id, client_secret
        self.initial_refresh_token, self.scopes = refresh_token, tuple(scopes)
        self.client_credentials_ttl, self.refresh_ttl, self.refresh_grace = client_credentials_ttl, refresh_ttl, \
            refresh_grace
        self.max_available, self.restore_rate, self.max_query_cost = max_available, restore_rate, max_query_cost
        self.plan, self.protected_customer_data, self.shop_exists = plan, protected_customer_data, shop_exists
        self.bulk_polls_per_step, self.bulk_fault, self.bulk_error_code = bulk_polls_per_step, bulk_fault, \
            bulk_error_code
        self.clock = clock
        self.shopify_orders = shopify_orders
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def reset(self) -> None:
        path = shopgen.dir_seed_path(self.seed)
        self.shop = shopgen.generate_shop(self.seed, self.order_count)
        self.raw: dict[str, dict[int, dict[str, Any]]] = {"orders": {}, "customers": {}, "products": {}}
        if path is not None:
            self.raw = _load_dir(path)
        if self.shopify_orders is not None:
            orders, customers = replay.load(self.shopify_orders)
            self.raw["orders"].update((int(n["legacyResourceId"]), n) for n in orders)
            for c in customers:
                self.raw["customers"].setdefault(int(c["legacyResourceId"]), c)
        self.events: list[dict[str, Any]] = []
        domain = render.shop_node(self.shop, self.plan)["myshopifyDomain"]
        self.rest_ctx = rest.Ctx(ZoneInfo(self.shop.timezone), domain)
        self.tokens: dict[str, Token] = {self.access_token: Token(self.scopes)}
        self.refresh_tokens: dict[str, Token] = {self.initial_refresh_token: Token(self.scopes)}
        self.retiring: dict[str, str] = {}  # new refresh token -> the old one it replaces (grace mode)
        self.available = float(self.max_available)
        self.last_refill = self.clock()
        self.rest_used = 0.0
        self.rest_last = self.clock()
        self.cost_spent = 0
        self.throttled = 0
        self.bulk_ops: list[BulkOp] = []
        self.bulk_files: dict[int, bytes] = {}
        self._index: _Index | None = None
        self._render_cache: dict[tuple[str, int], tuple[object, dict[str, Any]]] = {}

    def revoke_tokens(self) -> None:
        self.tokens.clear()
        self.refresh_tokens.clear()
        self.retiring.clear()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def dump(self) -> dict[str, Any]:
        self._refill()
        orders = self._entries("orders")
        return {
            "shop": self.shop.name, "seed": self.seed, "plan": self.plan,
            "counts": {k: len(self._entries(k)) for k in ("orders", "customers", "products")},
            "orders": [{"id": e.id, "updatedAt": render.ts(e.updated_at), **e.attrs} for e in orders],
            "cost_spent": self.cost_spent, "throttled_requests": self.throttled,
            "throttle": {"maximumAvailable": self.max_available, "currentlyAvailable": self.available,
                         "restoreRate": self.restore_rate},
            "active_tokens": len(self.tokens), "active_refresh_tokens": len(self.refresh_tokens),
            "bulk_operations": [self._bulk_node(op) for op in self.bulk_ops],
        }

    # -- mutation API for tests (generated seeds) --------------------------------------------------------------
    def _need_generated(self) -> None:
        if shopgen.dir_seed_path(self.seed) is not None or (self.seed is None and not self.shop.orders):
            raise ValueError("order mutations need a generated seed (seed='demo'), not a dir: or empty shop")

    def mark_paid(self, order_id: int) -> shopgen.Order:
        self._need_generated()
        return shopgen.mark_paid(self.shop, order_id, self.now())

    def refund_order(self, order_id: int, quantities: dict[int, int] | None = None, note: str | None = None
                     ) -> shopgen.Order:
        self._need_generated()
        return shopgen.refund(self.shop, order_id, self.now(), quantities, note)

    def cancel_order(self, order_id: int, reason: str = "customer") -> shopgen.Order:
        self._need_generated()
        return shopgen.cancel(self.shop, order_id, self.now(), reason)

    def touch_order(self, order_id: int) -> shopgen.Order:
        self._need_generated()
        return shopgen.touch(self.shop, order_id, self.now())

    def add_orders(self, count: int) -> list[shopgen.Order]:
        if shopgen.dir_seed_path(self.seed) is not None:
            raise ValueError("add_orders needs a generated seed, not a dir: seed")
        return shopgen.add_orders(self.shop, count, self.now())

    # -- routing -------------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path.startswith("/_bulk/") and req.method == "GET":
            return self._bulk_file(req.path)
        if req.path == "/_shopify/bulk_fault" and req.method == "POST":
            spec = req.json() or {}
            self.bulk_fault = spec.get("mode")
            self.bulk_error_code = spec.get("error_code", self.bulk_error_code)
            return json_response({"mode": self.bulk_fault, "error_code": self.bulk_error_code})
        if not req.path.startswith("/admin"):
            return json_response({"errors": "Not Found"}, 404)
        if not self.shop_exists:
            return json_response({"errors": "Not Found"}, 404)
        if req.path == "/admin/oauth/access_token" and req.method == "POST":
            return self._token(req)
        scopes = self._auth(req)
        if scopes is None:
            return json_response(INVALID_TOKEN, 401)
        if req.path == "/admin/oauth/access_scopes.json" and req.method == "GET":
            return self._rest(json_response({"access_scopes": [{"handle": s} for s in scopes]}))
        m = GRAPHQL_PATH.match(req.path)
        if m and req.method == "POST":
            return self._graphql(req, m.group(1), scopes)
        answer = rest.handle(self, req, scopes)
        if answer is not None:
            return self._rest(answer)
        return json_response({"errors": "Not Found"}, 404)

    # -- auth ----------------------------------------------------------------------------------------------------
    def _auth(self, req: Request) -> tuple[str, ...] | None:
        token = self.tokens.get(req.header("X-Shopify-Access-Token") or "")
        if token is None or (token.expires_at is not None and token.expires_at <= self.clock()):
            return None
        return token.scopes

    def _token(self, req: Request) -> Response:
        try:
            body = req.json() if "json" in (req.header("Content-Type") or "") else req.form()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return json_response({"error": "invalid_request", "error_description": "Malformed request body"}, 400)
        if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
            return json_response({"error": "invalid_client", "error_description": "Client authentication failed"},
                                 401)
        grant = body.get("grant_type")
        if grant == "client_credentials":
            access = "shpat_" + secrets.token_hex(16)
            self.tokens[access] = Token(self.scopes, self.clock() + self.client_credentials_ttl)
            return json_response({"access_token": access, "scope": ",".join(self.scopes),
                                  "expires_in": int(self.client_credentials_ttl)})
        if grant == "refresh_token":
            old = str(body.get("refresh_token") or "")
            info = self.refresh_tokens.get(old)
            if info is None or (info.expires_at is not None and info.expires_at <= self.clock()):
                return json_response({"error": "invalid_grant",
                                      "error_description": "The refresh token is invalid or expired"}, 400)
            access, new_refresh = "shpat_" + secrets.token_hex(16), "shprt_" + secrets.token_hex(16)
            self.tokens[access] = Token(info.scopes, self.clock() + self.refresh_ttl)
            self.refresh_tokens[new_refresh] = Token(info.scopes, self.clock() + 90 * 86400)
            if self.refresh_grace:
                self.retiring[new_refresh] = old
            else:
                del self.refresh_tokens[old]
            retired = self.retiring.pop(old, None)  # using a replacement retires its predecessor
            if retired:
                self.refresh_tokens.pop(retired, None)
            return json_response({"access_token": access, "expires_in": int(self.refresh_ttl),
                                  "refresh_token": new_refresh, "refresh_token_expires_in": 90 * 86400,
                                  "scope": ",".join(info.scopes)})
        return json_response({"error": "unsupported_grant_type",
                              "error_description": f"Grant type {grant!r} is not supported"}, 400)

    # -- REST ----------------------------------------------------------------------------------------------------
    def _rest(self, resp: Response) -> Response:
        now = self.clock()
        self.rest_used = max(0.0, self.rest_used - (now - self.rest_last) * REST_LEAK)
        self.rest_last = now
        if self.rest_used + 1 > REST_BUCKET:
            return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                                            "resume uninterrupted service."}, 429,
                                 {"Retry-After": "2.0",
                                  "X-Shopify-Shop-Api-Call-Limit": f"{REST_BUCKET}/{REST_BUCKET}"})
        self.rest_used += 1
        resp.headers["X-Shopify-Shop-Api-Call-Limit"] = f"{int(self.rest_used + 0.999)}/{REST_BUCKET}"
        return resp

    # Store access for `sandbox.shopify.rest`.
    def rest_entries(self, resource: str) -> list[Entry]:
        """Orders/customers/products the API may list, in id order (60-day window without read_all_orders)."""
        entries = self._build_index().sorted_entries[(resource, "id")]
        if resource == "orders" and "read_all_orders" not in self.scopes:
            cutoff = self.now() - timedelta(days=RECENT_ORDER_DAYS)
            return [e for e in entries if e.created_at >= cutoff]
        return entries

    def rest_entry(self, resource: str, ident: int) -> Entry | None:
        return self._entry(resource, ident)

    def shop_node(self) -> dict[str, Any]:
        return render.shop_node(self.shop, self.plan)

    def rest_locations(self) -> list[dict[str, Any]]:
        """Location nodes with their `inventoryLevels`: the shop's one location (the shop address), stocking every
        variant's inventory item with the variant's `inventoryQuantity` as `available`."""
        shop = self.shop_node()
        address = shop["billingAddress"]
        at = render.ts(min((p.created_at for p in self.shop.products.values()), default=None)) or \
            "2020-01-01T00:00:00Z"
        location = {"__typename": "Location", "id": render.gid("Location", 1), "legacyResourceId": "1",
                    "name": shop["name"], "isActive": True, "createdAt": at, "updatedAt": at,
                    "address": {"address1": None, "address2": None, "city": address.get("city"), "zip": None,
                                "province": None, "provinceCode": None, "countryCode": address.get("countryCodeV2"),
                                "country": render.COUNTRY_NAMES.get(address.get("countryCodeV2") or ""),
                                "phone": None}}
        levels = []
        for product in self._entries("products"):
            for v in resolve(product.render()["variants"]):
                item = v.get("inventoryItem") or {}
                if not item.get("id"):
                    continue
                number = render.gid_number(item["id"])
                levels.append({"__typename": "InventoryLevel",
                               "id": f"gid://shopify/InventoryLevel/1?inventory_item_id={number}",
                               "item": {"id": item["id"]}, "location": {"id": location["id"]},
                               "quantities": [{"name": "available", "quantity": v.get("inventoryQuantity", 0)}],
                               "createdAt": v.get("createdAt"), "updatedAt": v.get("updatedAt")})
        location["inventoryLevels"] = levels
        return [location]

    def delete_order(self, order_id: int) -> None:
        """Delete an order as a merchant does: gone from every list, and a REST ``destroy`` Event records it."""
        if self.raw["orders"].pop(order_id, None) is None and self.shop.orders.pop(order_id, None) is None:
            raise KeyError(f"no order {order_id}")
        self.shop.version += 1
        self._index = None
        self.events.append(rest.deletion_event("Order", order_id, len(self.events) + 1, self.now(), self.rest_ctx))

    # -- GraphQL -------------------------------------------------------------------------------------------------
    def _refill(self) -> None:
        now = self.clock()
        self.available = min(float(self.max_available), self.available + (now - self.last_refill) * self.restore_rate)
        self.last_refill = now

    def _cost_ext(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": {"maximumAvailable": float(self.max_available),
                                            "currentlyAvailable": int(self.available),
                                            "restoreRate": float(self.restore_rate)}}}

    def _graphql(self, req: Request, version: str, scopes: tuple[str, ...]) -> Response:
        try:
            body = req.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return json_response({"errors": {"query": "Required parameter missing or invalid"}}, 400)
        self._refill()
        try:
            op = parse(body["query"])
            bind_fields(op.fields, {**op.defaults, **(body.get("variables") or {})})
            requested = 10 if op.kind == "mutation" else requested_cost(op.fields)
        except GraphQLError as exc:
            return json_response({"errors": [exc.to_dict()]})
        if requested > self.max_query_cost:
            message = (f"Query cost is {requested}, which exceeds the single query max cost limit "
                       f"({self.max_query_cost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more "
                       "information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data "
                       "with fewer limits, bulk operations should be used instead.\nSee "
                       "https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n")
            return json_response({"errors": [{"message": message, "extensions": {
                "code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": self.max_query_cost}}],
                "extensions": self._cost_ext(requested, None)})
        if requested > self.available:
            self.throttled += 1
            return json_response({"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": self._cost_ext(requested, None)})
        self.available -= requested
        projector = Projector(denied=self._denied(scopes))
        data: dict[str, Any] = {}
        try:
            for f in op.fields:
                data[f.key] = self._root(f, op, version, scopes, projector=projector, req=req)
        except GraphQLError as exc:
            self.available += requested
            return json_response({"errors": [exc.to_dict()], "extensions": self._cost_ext(requested, None)})
        actual = 10 if op.kind == "mutation" else min(requested, projector.actual_cost)
        self.available = min(float(self.max_available), self.available + requested - actual)
        self.cost_spent += actual
        out: dict[str, Any] = {"data": data}
        if projector.errors:
            out["errors"] = projector.errors
        out["extensions"] = self._cost_ext(requested, actual)
        return json_response(out)

    def _denied(self, scopes: tuple[str, ...]) -> dict[str, dict[str, str]]:
        denied: dict[str, dict[str, str]] = {}
        if "read_customers" not in scopes:
            denied["Customer"] = {"*": "Access denied for customer field. Required access: `read_customers` "
                                       "access scope."}
        elif self.protected_customer_data == "none":
            denied["Customer"] = {"*": "This app is not approved to access the Customer object. See "
                                       "https://shopify.dev/docs/apps/launch/protected-customer-data for more "
                                       "details."}
        elif self.protected_customer_data == "level1":
            denied["Customer"] = {f: f"This app is not approved to use the {f} field. See https://shopify.dev/"
                                     "docs/apps/launch/protected-customer-data for more details."
                                  for f in PII_FIELDS["Customer"]}
        if self.protected_customer_data != "full":
            denied["Order"] = {f: f"This app is not approved to use the {f} field. See https://shopify.dev/docs/"
                                  "apps/launch/protected-customer-data for more details." for f in PII_FIELDS["Order"]}
        return denied

    def _root(self, f: Field, op: Operation, version: str, scopes: tuple[str, ...], *, projector: Projector,
              req: Request) -> Any:
        if op.kind == "mutation":
            if f.name == "bulkOperationRunQuery":
                return projector.project(self._bulk_run(f, version), f.selections, [f.key])
            if f.name == "bulkOperationCancel":
                return projector.project(self._bulk_cancel(f), f.selections, [f.key])
            raise GraphQLError(f"Field '{f.name}' doesn't exist on type 'Mutation'", "undefinedField",
                               typeName="Mutation", fieldName=f.name)
        need = ROOT_SCOPES.get(f.name)
        if need and need not in scopes:
            projector.errors.append({"message": f"Access denied for {f.name} field. Required access: `{need}` access "
                                                "scope.", "path": [f.key],
                                     "extensions": {"code": "ACCESS_DENIED",
                                                    "documentation": "https://shopify.dev/api/usage/access-scopes",
                                                    "requiredAccess": f"`{need}` access scope."}})
            return None
        if f.name in ("orders", "customers", "products", "productVariants"):
            return self._list(f, scopes, projector)
        if f.name == "ordersCount":
            return projector.project(self._orders_count(f, scopes), f.selections, [f.key])
        if f.name in ("order", "customer", "product", "productVariant", "node"):
            return projector.project(self._node(str(f.args.get("id", "")), scopes, req), f.selections, [f.key])
        if f.name == "nodes":
            ids = f.args.get("ids") or []
            return [projector.project(self._node(str(i), scopes, req), f.selections, [f.key, n])
                    for n, i in enumerate(ids)]
        if f.name == "shop":
            return projector.project(render.shop_node(self.shop, self.plan), f.selections, [f.key])
        if f.name == "currentAppInstallation":
            node = {"__typename": "AppInstallation", "id": render.gid("AppInstallation", 1),
                    "accessScopes": [{"__typename": "AccessScope", "handle": s} for s in scopes]}
            return projector.project(node, f.selections, [f.key])
        if f.name in ("currentBulkOperation", "bulkOperation"):
            op_ = self.bulk_ops[-1] if self.bulk_ops and f.name == "currentBulkOperation" else None
            if f.name == "bulkOperation":
                op_ = self._find_bulk(str(f.args.get("id", "")))
            return projector.project(self._bulk_poll(op_, req) if op_ else None, f.selections, [f.key])
        raise GraphQLError(f"Field '{f.name}' doesn't exist on type 'QueryRoot'", "undefinedField",
                           typeName="QueryRoot", fieldName=f.name)

    def _node(self, ident: str, scopes: tuple[str, ...], req: Request) -> dict[str, Any] | None:
        m = re.fullmatch(r"gid://shopify/(\w+)/(\d+)", ident)
        if not m:
            raise GraphQLError(f"Invalid global id '{ident}'", "argumentLiteralsIncompatible")
        kind, number = m.group(1), int(m.group(2))
        if kind == "BulkOperation":
            op = self._find_bulk(ident)
            return self._bulk_poll(op, req) if op else None
        resource = {"Order": "orders", "Customer": "customers", "Product": "products"}.get(kind)
        if kind == "ProductVariant":
            for product in self._entries("products"):
                for v in product.render()["variants"]:
                    if v["id"] == ident:
                        return dict(v)
            return None
        if resource is None or ROOT_SCOPES[resource] not in scopes:
            return None
        entry = self._entry(resource, number)
        return entry.render() if entry else None

    # -- listing -------------------------------------------------------------------------------------------------
    def _entries(self, resource: str) -> list[Entry]:
        return self._build_index().entries[resource]

    def _entry(self, resource: str, ident: int) -> Entry | None:
        entries = self._build_index().sorted_entries[(resource, "id")]
        keys = self._build_index().sorted_keys[(resource, "id")]
        pos = bisect_left(keys, (ident, ident))
        return entries[pos] if pos < len(entries) and entries[pos].id == ident else None

    def _build_index(self) -> _Index:
        if self._index is not None and self._index.version == self.shop.version:
            return self._index
        index = _Index(version=self.shop.version)
        index.entries["orders"] = [self._order_entry(o) for o in self.shop.orders.values()] + [
            _raw_entry("orders", n, self._raw_renderer("orders", n)) for n in self.raw["orders"].values()]
        index.entries["customers"] = [
            Entry(c.id, c.created_at, c.updated_at, c.created_at, {"email": c.email.lower()},
                  self._renderer("customers", c.id, c, partial(render.customer_node, c, self.shop)))
            for c in self.shop.customers.values()] + [
            _raw_entry("customers", n, self._raw_renderer("customers", n)) for n in self.raw["customers"].values()]
        index.entries["products"] = [
            Entry(p.id, p.created_at, p.updated_at, p.created_at,
                  {"status": "active" if p.active else "archived", "product_type": p.product_group.lower(),
                   "vendor": p.vendor},
                  self._renderer("products", p.id, p, partial(render.product_node, p, self.shop.currency)))
            for p in self.shop.products.values()] + [
            _raw_entry("products", n, self._raw_renderer("products", n)) for n in self.raw["products"].values()]
        for resource, entries in index.entries.items():
            for sort in ("id", "updated_at", "created_at", "processed_at"):
                ordered = sorted(entries, key=partial(self._sort_key, sort=sort))
                index.sorted_entries[(resource, sort)] = ordered
                index.sorted_keys[(resource, sort)] = [self._sort_key(e, sort) for e in ordered]
        self._index = index
        return index

    @staticmethod
    def _sort_key(entry: Entry, sort: str) -> tuple[Any, int]:
        if sort == "id":
            return (entry.id, entry.id)
        value: datetime = getattr(entry, sort)
        return (value.timestamp(), entry.id)

    def _order_entry(self, o: shopgen.Order) -> Entry:
        status = "cancelled" if o.cancelled_at else "closed" if o.fulfillment_status == "fulfilled" and \
            o.financial_status != "pending" else "open"
        attrs = {"financial_status": o.financial_status, "fulfillment_status": o.fulfillment_status,
                 "status": status, "test": str(o.test).lower(), "name": f"#{o.number}",
                 "email": (o.email or "").lower(), "source_name": o.channel}
        return Entry(o.id, o.created_at, o.updated_at, o.created_at, attrs,
                     self._renderer("orders", o.id, o, partial(render.order_node, o, self.shop)))

    def _renderer(self, resource: str, ident: int, source: object,
                  make: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        def get() -> dict[str, Any]:
            cached = self._render_cache.get((resource, ident))
            if cached is not None and cached[0] is source:
                return cached[1]
            node = make()
            self._render_cache[(resource, ident)] = (source, node)
            return node
        return get

    @staticmethod
    def _raw_renderer(resource: str, node: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        return lambda: node

    def _page(self, resource: str, sort: str, reverse: bool, after: tuple[Any, int] | None, *,
              preds: list[Callable[[Entry], bool]], size: int) -> tuple[list[Entry], bool]:
        """Up to `size` matching entries after the cursor key, and whether more match."""
        index = self._build_index()
        entries, keys = index.sorted_entries[(resource, sort)], index.sorted_keys[(resource, sort)]
        if reverse:
            stop = bisect_left(keys, after) if after else len(keys)
            positions: Any = range(stop - 1, -1, -1)
        else:
            positions = range(bisect_right(keys, after) if after else 0, len(keys))
        page: list[Entry] = []
        for pos in positions:
            entry = entries[pos]
            if all(p(entry) for p in preds):
                if len(page) == size:
                    return page, True
                page.append(entry)
        return page, False

    def _list(self, f: Field, scopes: tuple[str, ...], projector: Projector) -> dict[str, Any]:
        resource = "products" if f.name == "productVariants" else f.name
        size = page_size(f)
        sort_key = str(f.args.get("sortKey") or "ID")
        if sort_key not in SORT_KEYS:
            raise GraphQLError(f"Argument 'sortKey' on Field '{f.name}' has an invalid value ({sort_key}).",
                               "argumentLiteralsIncompatible")
        sort = SORT_KEYS[sort_key]
        query = str(f.args.get("query") or "")
        preds = self._order_preds(query, scopes) if resource == "orders" else _search(query)
        after = None
        if f.args.get("after"):
            cur = decode_cursor(str(f.args["after"]))
            if "last_id" not in cur:
                raise GraphQLError("Invalid cursor for current pagination sort.", "BAD_REQUEST")
            after = (cur.get("last_value"), int(cur["last_id"]))
        if f.name == "productVariants":
            return self._variants(f, preds, size, after, projector)
        page, more = self._page(resource, sort, bool(f.args.get("reverse")), after, preds=preds, size=size)
        cursors = [encode_cursor({"last_id": e.id, "last_value": self._sort_key(e, sort)[0]}) for e in page]
        return projector.connection([e.render() for e in page], f, [f.key], has_next=more,
                                    has_previous=after is not None, cursors=cursors)

    def _orders_count(self, f: Field, scopes: tuple[str, ...]) -> dict[str, Any]:
        """`ordersCount(query:, limit:)` (2024-07+): the orders the same `query:` matches in `orders`.

        `limit` defaults to 10000; null means no limit. A count that reaches the limit comes back as the limit with
        precision AT_LEAST ("A limit was imposed and reached"), otherwise EXACT.
        """
        if f.args.get("savedSearchId") is not None:
            raise GraphQLError("savedSearchId is not supported by the stand-in", "BAD_REQUEST")
        limit = f.args.get("limit", ORDERS_COUNT_LIMIT)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            raise GraphQLError(f"Argument 'limit' on Field 'ordersCount' must be a positive integer (got {limit})",
                               "BAD_REQUEST", fieldName="ordersCount")
        preds = self._order_preds(str(f.args.get("query") or ""), scopes)
        matched = 0
        for entry in self._entries("orders"):
            if all(p(entry) for p in preds):
                matched += 1
                if limit is not None and matched >= limit:
                    return {"__typename": "Count", "count": limit, "precision": "AT_LEAST"}
        return {"__typename": "Count", "count": matched, "precision": "EXACT"}

    def _order_preds(self, query: str, scopes: tuple[str, ...]) -> list[Callable[[Entry], bool]]:
        """The search filter of `orders`/`ordersCount`, narrowed to 60 days without read_all_orders."""
        preds = _search(query)
        if "read_all_orders" not in scopes:
            cutoff = self.now() - timedelta(days=RECENT_ORDER_DAYS)
            preds.append(_time_pred("created_at", ">=", cutoff.isoformat()))
        return preds

    def _variants(self, f: Field, preds: list[Callable[[Entry], bool]], size: int, after: tuple[Any, int] | None,
                  projector: Projector) -> dict[str, Any]:
        nodes = [v for e in self._build_index().sorted_entries[("products", "id")] if all(p(e) for p in preds)
                 for v in e.render()["variants"]]
        start = 0
        if after is not None:
            start = next((i + 1 for i, v in enumerate(nodes) if render.gid_number(v["id"]) == after[1]), len(nodes))
        page = nodes[start:start + size]
        cursors = [encode_cursor({"last_id": render.gid_number(v["id"]), "last_value": render.gid_number(v["id"])})
                   for v in page]
        return projector.connection(page, f, [f.key], has_next=start + size < len(nodes), has_previous=start > 0,
                                    cursors=cursors)

    # -- bulk operations -----------------------------------------------------------------------------------------
    def _find_bulk(self, ident: str) -> BulkOp | None:
        return next((op for op in self.bulk_ops if op.gid == ident), None)

    def _bulk_run(self, f: Field, version: str) -> dict[str, Any]:
        query = str(f.args.get("query") or "")
        try:
            inner = parse(query)
            roots = [r for r in inner.fields if r.name in ("orders", "customers", "products")]
            if len(roots) != 1 or len(inner.fields) != 1:
                raise GraphQLError("Bulk queries must contain exactly one top-level connection field "
                                   "(orders, customers or products)")
        except GraphQLError as exc:
            return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": None,
                    "userErrors": [{"__typename": "BulkOperationUserError", "code": "INVALID", "field": ["query"],
                                    "message": str(exc)}]}
        running = [op for op in self.bulk_ops if op.status in ("CREATED", "RUNNING", "CANCELING")]
        if len(running) >= (5 if version >= "2026-01" else 1):
            return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": None,
                    "userErrors": [{"__typename": "BulkOperationUserError", "code": "OPERATION_IN_PROGRESS",
                                    "field": None, "message": "A bulk query operation for this app and shop is "
                                                              f"already in progress: {running[0].gid}."}]}
        op = BulkOp(number=len(self.bulk_ops) + 1, query=query, version=version, created_at=self.now())
        self.bulk_ops.append(op)
        return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": self._bulk_node(op, None),
                "userErrors": []}

    def _bulk_cancel(self, f: Field) -> dict[str, Any]:
        op = self._find_bulk(str(f.args.get("id", "")))
        if op is None or op.status not in ("CREATED", "RUNNING"):
            return {"__typename": "BulkOperationCancelPayload", "bulkOperation": self._bulk_node(op) if op else None,
                    "userErrors": [{"__typename": "UserError", "field": ["id"],
                                    "message": "A bulk operation cannot be canceled when it is "
                                               f"{(op.status if op else 'missing').lower()}"}]}
        op.status, op.polls = "CANCELING", 0
        return {"__typename": "BulkOperationCancelPayload", "bulkOperation": self._bulk_node(op), "userErrors": []}

    def _bulk_poll(self, op: BulkOp, req: Request) -> dict[str, Any]:
        """Advance the job one step per `bulk_polls_per_step` status reads, then render it."""
        op.polls += 1
        if op.polls >= self.bulk_polls_per_step:
            if op.status == "CREATED":
                op.status, op.polls = "RUNNING", 0
            elif op.status == "RUNNING" and self.bulk_fault != "stuck":
                self._bulk_finish(op)
            elif op.status == "CANCELING":
                op.status, op.completed_at, op.polls = "CANCELED", self.now(), 0
        return self._bulk_node(op, req)

    def _bulk_finish(self, op: BulkOp) -> None:
        inner = parse(op.query)
        root = inner.fields[0]
        lines = self._bulk_lines(root)
        payload = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
        op.completed_at, op.polls = self.now(), 0
        op.object_count, op.root_count = len(lines), sum(1 for ln in lines if "__parentId" not in ln)
        if self.bulk_fault == "failed":
            half = payload[: payload.rfind(b"\n", 0, len(payload) // 2) + 1] if payload else b""
            op.status, op.error_code, op.has_partial = "FAILED", self.bulk_error_code, bool(half)
            op.object_count = half.count(b"\n")
            self.bulk_files[op.number] = half
            op.file_size = len(half)
            return
        op.status, op.file_size = "COMPLETED", len(payload)
        op.has_url = bool(lines) and self.bulk_fault != "no_url"
        self.bulk_files[op.number] = payload

    def _bulk_lines(self, root: Field) -> list[dict[str, Any]]:
        resource = root.name
        sort = SORT_KEYS.get(str(root.args.get("sortKey") or "ID"), "id")
        preds = _search(str(root.args.get("query") or ""))
        page, _ = self._page(resource, sort, bool(root.args.get("reverse")), None, preds=preds, size=10**9)
        out: list[dict[str, Any]] = []
        projector = Projector(denied=self._denied(self.scopes))
        for entry in page:
            self._bulk_emit(entry.render(), node_selection(root), None, projector, out)
        return out

    def _bulk_emit(self, node: dict[str, Any], selections: list[Field], parent: str | None, projector: Projector,
                   out: list[dict[str, Any]]) -> None:
        flat = [s for s in selections if not (s.selections and is_connection(s))]
        nested = [s for s in selections if s.selections and is_connection(s)]
        line = projector.project(node, flat, [])
        if line is None:
            return
        if parent is not None:
            line["__parentId"] = parent
        out.append(line)
        for s in nested:
            for child in resolve(node.get(s.name)) or []:
                self._bulk_emit(child, node_selection(s), node["id"], projector, out)

    def _bulk_node(self, op: BulkOp, req: Request | None = None) -> dict[str, Any]:
        host = f"http://{req.header('Host', '127.0.0.1')}" if req else ""
        url = f"{host}/_bulk/{op.number}.jsonl"
        return {"__typename": "BulkOperation", "id": op.gid, "status": op.status, "errorCode": op.error_code,
                "createdAt": render.ts(op.created_at), "completedAt": render.ts(op.completed_at),
                "objectCount": str(op.object_count), "rootObjectCount": str(op.root_count),
                "fileSize": str(op.file_size) if op.completed_at else None,
                "url": url if op.has_url else None, "partialDataUrl": url if op.has_partial else None,
                "query": op.query, "type": "QUERY"}

    def _bulk_file(self, path: str) -> Response:
        m = re.fullmatch(r"/_bulk/(\d+)\.jsonl", path)
        data = self.bulk_files.get(int(m.group(1))) if m else None
        if data is None:
            return Response(404, "<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
        return Response(200, data, {"Content-Type": "application/jsonl"})


# ---------------------------------------------------------------------------------------------------------------
# Search syntax, dir: seeds and REST shape
# ---------------------------------------------------------------------------------------------------------------
_TERM = re.compile(r"""(-?)(\w+):(>=|<=|>|<)?('[^']*'|"[^"]*"|\S+)""")


def _time_pred(attr: str, op: str, raw: str) -> Callable[[Entry], bool]:
    bound = _parse_ts(raw.strip("'\""))
    compare: dict[str, Callable[[datetime], bool]] = {
        ">=": lambda v: v >= bound, ">": lambda v: v > bound, "<=": lambda v: v <= bound,
        "<": lambda v: v < bound, "": lambda v: v == bound,
    }
    test = compare[op]
    return lambda e: test(getattr(e, attr))


def _attr_pred(key: str, value: str) -> Callable[[Entry], bool]:
    wanted = value.lower()
    return lambda e: e.attrs.get(key, "").lower() == wanted


def _id_pred(op: str, number: int) -> Callable[[Entry], bool]:
    ops: dict[str, Callable[[Entry], bool]] = {
        ">=": lambda e: e.id >= number, ">": lambda e: e.id > number, "<=": lambda e: e.id <= number,
        "<": lambda e: e.id < number}
    return ops.get(op, lambda e: e.id == number)


def _negate(pred: Callable[[Entry], bool]) -> Callable[[Entry], bool]:
    return lambda e: not pred(e)


def _search(query: str) -> list[Callable[[Entry], bool]]:
    """Shopify search syntax, the AND-ed subset: updated_at/created_at/processed_at with >, >=, <, <=; id;
    status, financial_status, fulfillment_status, test, email, name, product_type. Unknown fields are ignored
    (Shopify ignores them too, with a search warning)."""
    preds: list[Callable[[Entry], bool]] = []
    for neg, key, op, raw in _TERM.findall(query):
        value = raw.strip("'\"")
        pred: Callable[[Entry], bool]
        if key in ("updated_at", "created_at", "processed_at"):
            pred = _time_pred(key, op or "", value)
        elif key == "id":
            pred = _id_pred(op, int(value.rsplit("/", 1)[-1]))
        elif key == "status" and value == "any":
            continue
        elif key in ("status", "financial_status", "fulfillment_status", "test", "email", "name", "product_type",
                     "source_name"):
            pred = _attr_pred(key, value)
        else:
            continue
        preds.append(_negate(pred) if neg else pred)
    return preds


def _unwrap(value: Any) -> Any:
    """Turn written-out connections ({"nodes": []} / {"edges": [{"node"}]}) back into `Connection` lists."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) <= {"nodes", "edges", "pageInfo"} and ("nodes" in value or "edges" in value):
        items = value.get("nodes") or [e["node"] for e in value.get("edges", [])]
        return Connection(_unwrap(i) for i in items)
    return {k: _unwrap(v) for k, v in value.items()}


def _load_dir(path: Path) -> dict[str, dict[int, dict[str, Any]]]:
    out: dict[str, dict[int, dict[str, Any]]] = {"orders": {}, "customers": {}, "products": {}}
    typenames = {"orders": "Order", "customers": "Customer", "products": "Product"}
    for resource, typename in typenames.items():
        folder = path / resource
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.json")):
            loaded = json.loads(file.read_text(encoding="utf-8"))
            for item in loaded if isinstance(loaded, list) else [loaded]:
                node = _unwrap(item)
                node.setdefault("__typename", typename)
                out[resource][render.gid_number(node["id"])] = node
    return out


def _raw_entry(resource: str, node: dict[str, Any], make: Callable[[], dict[str, Any]]) -> Entry:
    created = _parse_ts(node.get("createdAt"))
    attrs = {"financial_status": str(node.get("displayFinancialStatus") or "").lower(),
             "fulfillment_status": str(node.get("displayFulfillmentStatus") or "").lower(),
             "status": "cancelled" if node.get("cancelledAt") else "closed" if node.get("closedAt") else "open",
             "test": str(bool(node.get("test"))).lower(), "name": str(node.get("name") or ""),
             "email": str(node.get("email") or "").lower()}
    return Entry(render.gid_number(node["id"]), created, _parse_ts(node.get("updatedAt") or node.get("createdAt")),
                 _parse_ts(node.get("processedAt") or node.get("createdAt")), attrs, make)


__all__ = ["Shopify"]
