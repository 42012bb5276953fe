"""The Shopify stand-in's routes: what each request does (GraphQL Admin API, OAuth, bulk files, REST bits).

``POST /admin/api/{v}/graphql.json`` is parsed and validated against Shopify's 2026-10 Admin schema (`contract`),
charged by its calculated cost (`limits`) and executed by graphql-core over the store (`resolvers`). See the package
docstring for the other paths, the credentials and the switches.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from graphql.execution.values import get_variable_values

from sandbox import seed as shopgen
from sandbox.core import Request, Response, Vendor, json_response
from sandbox.shopify import bulk, replay, rest
from sandbox.shopify import seed as render
from sandbox.shopify.auth import DEFAULT_SCOPES, INVALID_TOKEN, Auth, denied_fields
from sandbox.shopify.contract import check, schema, variable_errors
from sandbox.shopify.limits import CostBucket, CostError, RestBucket, operation, requested_cost
from sandbox.shopify.resolvers import RECENT_ORDER_DAYS, Context, run
from sandbox.shopify.store import Entry, Store, time_pred

GRAPHQL_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/graphql\.json$")


class Shopify(Vendor):
    """The Shopify stand-in; see the package docstring for paths, credentials and switches."""

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
        self.auth_settings: dict[str, Any] = {
            "access_token": access_token, "client_id": client_id, "client_secret": client_secret,
            "refresh_token": refresh_token, "scopes": tuple(scopes), "client_credentials_ttl": client_credentials_ttl,
            "refresh_ttl": refresh_ttl, "refresh_grace": refresh_grace}
        self.scopes = tuple(scopes)
        self.limits = (max_available, restore_rate, max_query_cost)
        self.plan, self.protected_customer_data, self.shop_exists = plan, protected_customer_data, shop_exists
        self.bulk_polls_per_step, self.bulk_fault, self.bulk_error_code = bulk_polls_per_step, bulk_fault, \
            bulk_error_code
        self.clock = clock
        self.shopify_orders = shopify_orders
        self.access_token, self.client_id, self.client_secret = access_token, client_id, client_secret
        self.initial_refresh_token = refresh_token
        self.reset()

    # the shared cost bucket, as tests and benchmarks read (and drain) it
    @property
    def available(self) -> float:
        return self.bucket.available

    @available.setter
    def available(self, value: float) -> None:
        self.bucket.available = value

    @property
    def throttled(self) -> int:
        return self.bucket.throttled

    @property
    def cost_spent(self) -> int:
        return self.bucket.spent

    def _refill(self) -> None:
        self.bucket.refill()

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def reset(self) -> None:
        path = shopgen.dir_seed_path(self.seed)
        raw = render.load_dir(path) if path is not None else {"orders": {}, "customers": {}, "products": {}}
        if self.shopify_orders is not None:  # Shopify REST order JSON (sandbox.shopify.replay)
            orders, customers = replay.load(self.shopify_orders)
            raw["orders"].update((int(n["legacyResourceId"]), n) for n in orders)
            for c in customers:
                raw["customers"].setdefault(int(c["legacyResourceId"]), c)
        self.shop = shopgen.generate_shop(self.seed, self.order_count)
        self.store = Store(self.shop, raw, render, self.now)
        self.auth = Auth(**self.auth_settings, clock=self.clock)
        self.bucket = CostBucket(*self.limits, clock=self.clock)
        self.rest_bucket = RestBucket(self.clock)

    def revoke_tokens(self) -> None:
        self.auth.revoke()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def dump(self) -> dict[str, Any]:
        self.bucket.refill()
        ctx = self._context(self.scopes, "")
        return {
            "shop": self.shop.name, "seed": self.seed, "plan": self.plan,
            "counts": {k: len(self.store.entries(k)) for k in ("orders", "customers", "products")},
            "orders": [{"id": e.id, "updatedAt": render.ts(e.updated_at), **e.attrs}
                       for e in self.store.entries("orders")],
            "cost_spent": self.bucket.spent, "throttled_requests": self.bucket.throttled,
            "throttle": {"maximumAvailable": self.bucket.max_available,
                         "currentlyAvailable": self.bucket.available, "restoreRate": self.bucket.restore_rate},
            "active_tokens": len(self.auth.tokens), "active_refresh_tokens": len(self.auth.refresh_tokens),
            "bulk_operations": [bulk.node(op, ctx) for op in self.store.bulk_ops],
        }

    # -- admin hooks for tests (generated seeds) -----------------------------------------------------------------
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

    def sell(self, sku: str, quantity: int = 1, location: int = 1) -> dict[str, int]:
        """A concurrent sale of `quantity` x `sku` at `location`: available drops, committed rises."""
        variant = next((v for p in self.shop.products.values() for v in p.variants if v.sku == sku), None)
        if variant is None:
            raise KeyError(f"no variant with SKU {sku!r}")
        return self.store.sell(variant.id, location, quantity)

    # -- routing -------------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path.startswith("/_bulk/") and req.method == "GET":
            m = re.fullmatch(r"/_bulk/(\d+)\.jsonl", req.path)
            data = self.store.bulk_files.get(int(m.group(1))) if m else None
            if data is None:
                return Response(404, "<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
            return Response(200, data, {"Content-Type": "application/jsonl"})
        if req.path == "/_shopify/bulk_fault" and req.method == "POST":
            spec = req.json() or {}
            self.bulk_fault = spec.get("mode")
            self.bulk_error_code = spec.get("error_code", self.bulk_error_code)
            return json_response({"mode": self.bulk_fault, "error_code": self.bulk_error_code})
        if not req.path.startswith("/admin") or not self.shop_exists:
            return json_response({"errors": "Not Found"}, 404)
        if req.path == "/admin/oauth/access_token" and req.method == "POST":
            return self.auth.grant(req)
        scopes = self.auth.scopes_of(req)
        if scopes is None:
            return json_response(INVALID_TOKEN, 401)
        if req.path == "/admin/oauth/access_scopes.json" and req.method == "GET":
            return self.rest_bucket.admit(json_response({"access_scopes": [{"handle": s} for s in scopes]}))
        m = GRAPHQL_PATH.match(req.path)
        if m and req.method == "POST":
            return self._graphql(req, m.group(1), scopes)
        answer = rest.handle(self, req, scopes)
        if answer is not None:
            return self.rest_bucket.admit(answer)
        return json_response({"errors": "Not Found"}, 404)

    # -- GraphQL -------------------------------------------------------------------------------------------------
    def recent_only(self, scopes: tuple[str, ...]) -> Callable[[Entry], bool] | None:
        """Without read_all_orders a token sees the orders of the last 60 days only (GraphQL and REST alike)."""
        if "read_all_orders" in scopes:
            return None
        return time_pred("created_at", ">=", (self.now() - timedelta(days=RECENT_ORDER_DAYS)).isoformat())

    def _context(self, scopes: tuple[str, ...], version: str, host: str = "") -> Context:
        return Context(self.store, scopes, denied_fields(scopes, self.protected_customer_data), self, version,
                       recent_only=self.recent_only(scopes), host=host)

    def _graphql(self, req: Request, version: str, scopes: tuple[str, ...]) -> Response:
        try:
            body = req.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return json_response({"errors": {"query": "Required parameter missing or invalid"}}, 400)
        checked = check(body["query"])
        if checked.errors or checked.document is None:
            return json_response({"errors": checked.errors})
        op = operation(checked.document, body.get("operationName"))
        given = body.get("variables") or {}
        variables = get_variable_values(schema(), op.variable_definitions or [], given)
        if isinstance(variables, list):
            return json_response({"errors": variable_errors(variables, op, given)})
        try:
            requested = requested_cost(checked.document, op, variables)
        except CostError as exc:
            return json_response({"errors": [exc.body]})
        refused = self.bucket.charge(requested)
        if refused is not None:
            return refused
        ctx = self._context(scopes, version, req.header("Host", "127.0.0.1") or "")
        result = run(checked, variables, ctx, body.get("operationName"))
        actual = 10 if op.operation.value == "mutation" else min(requested, ctx.cost)
        self.bucket.settle(requested, actual)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [_formatted(e) for e in result.errors]
        out["extensions"] = self.bucket.extension(requested, actual)
        return json_response(out)


def _formatted(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = dict(error.formatted)
    if out.get("path") is None:
        out.pop("path", None)
    return out
