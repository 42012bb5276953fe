"""Lightspeed eCom (C-Series) stand-in: what a request does (Basic auth, resources, paging, errors)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox import seed as neutral
from sandbox.core import Request, Response, Window, to_plain
from sandbox.lightspeed_common import LightspeedVendor, read_list
from sandbox.lightspeed_ecom.contract import LANGUAGES, RESOURCES, EcomError, _filters, _int, _page, _where, to_iso
from sandbox.lightspeed_ecom.limits import DEFAULT_PER_SECOND, DEFAULT_RATE_LIMITS
from sandbox.lightspeed_ecom.seed import (
    render_customer,
    render_order,
    render_order_lines,
    render_product,
    render_taxes,
    render_variant,
)
from sandbox.lightspeed_ecom.store import RawList, Table, _json_default, relink


class LightspeedEcom(LightspeedVendor):
    """Stand-in for the Lightspeed eCom (C-Series) REST API; see the module docstring for the contract."""

    name = "lightspeed_ecom"
    API_KEY = "lsecom0000000000000000000000key1"
    API_SECRET = "lsecom000000000000000000000secr1"
    SHOP_ID = 313131

    def __init__(self, seed: str | None = None, orders: int = 50, *, api_key: str = API_KEY,
                 api_secret: str = API_SECRET, languages: Iterable[str] = LANGUAGES,
                 rate_limits: Iterable[tuple[float, int]] = DEFAULT_RATE_LIMITS,
                 per_second: int | None = DEFAULT_PER_SECOND, channels: Iterable[str] = ("web",),
                 clock: Callable[[], float] = time.time) -> None:
        self.languages = frozenset(languages)
        self._rate_limits = tuple(rate_limits)
        self._per_second = per_second
        self._auth = "Basic " + base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.channels = frozenset(channels)
        self._variants: dict[int, neutral.Variant] = {}
        super().__init__(seed, orders, clock)

    # -- Vendor hooks --------------------------------------------------------------------------
    def clear(self) -> None:
        self.tables: dict[str, Table] = {name: Table() for name in RESOURCES}
        self.order_lines: dict[int, list[dict[str, Any]]] = {}
        self.windows = [Window(seconds, limit) for seconds, limit in self._rate_limits]
        self.second = Window(1.0, self._per_second or 0)
        self.shop: neutral.Shop | None = None

    def dump(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            name: [table.records[rid] for rid in sorted(table.records)] for name, table in self.tables.items()
        }
        state["orderProducts"] = {str(oid): lines for oid, lines in sorted(self.order_lines.items())}
        state["rateLimit"] = [{"seconds": w.seconds, "limit": w.limit, "used": w.used} for w in self.windows]
        return to_plain(state)

    def exhaust_daily_limit(self) -> Response:
        daily = max(self.windows, key=lambda w: w.seconds)
        now = self.clock()
        daily.roll(now)
        daily.used = daily.limit
        headers = {**self._limit_headers(now), "Retry-After": str(max(1, daily.reset_in(now)))}
        return self._error_response("GET", "/", EcomError(429, "Too many requests"), headers)

    # -- mutation API for tests ------------------------------------------------------------------
    def add_order(self, order: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> None:
        """Add (or replace) an order payload and its lines."""
        self.tables["orders"].put(order)
        self.order_lines[int(order["id"])] = list(lines or [])

    def update_order(self, order_id: int, **fields: Any) -> dict[str, Any]:
        """Merge `fields` into the order and bump `updatedAt` to now (unless `updatedAt` is given)."""
        table = self.tables["orders"]
        if order_id not in table.records:
            raise KeyError(f"no order {order_id}")
        record = {**table.records[order_id], "updatedAt": to_iso(self.clock()), **fields}
        table.put(record)
        return record

    def touch_order(self, order_id: int, at: datetime | None = None) -> dict[str, Any]:
        """Set the order's `updatedAt` to `at` (default: the clock's now), in the neutral shop too."""
        when = at or datetime.fromtimestamp(self.clock(), UTC)
        if self.shop is not None and order_id in self.shop.orders:
            neutral.touch(self.shop, order_id, when)
            return self.refresh_order(order_id)
        return self.update_order(order_id, updatedAt=to_iso(when.timestamp()))

    def refresh_order(self, order_id: int) -> dict[str, Any]:
        """Re-render one order of the neutral shop after a `sandbox.seed` mutation on `self.shop`."""
        if self.shop is None:
            raise KeyError("this stand-in has no generated shop")
        order = self.shop.orders[order_id]
        record = render_order(order, self.shop)
        self.add_order(record, render_order_lines(order, self._variants))
        return record

    # -- request handling --------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.header("authorization") != self._auth:
            return self._error_response(req.method, req.path, EcomError(401, "Invalid API key or secret"))
        now = self.clock()
        limited = self._spend(now)
        headers = self._limit_headers(now)
        if limited is not None:
            headers["Retry-After"] = str(max(1, limited))
            return self._error_response(req.method, req.path, EcomError(429, "Too many requests"), headers)
        try:
            body = self._route(req)
        except EcomError as exc:
            headers.update(exc.headers)
            return self._error_response(req.method, req.path, exc, headers)
        if isinstance(body, RawList):
            payload = b'{"' + body.key.encode() + b'": [' + b", ".join(body.items) + b"]}"
        else:
            payload = json.dumps(body, default=_json_default).encode("utf-8")
        return Response(200, payload, {**headers, "Content-Type": "application/json; charset=utf-8"})

    def _spend(self, now: float) -> int | None:
        """Count one request; return seconds to wait if a window is exhausted (nothing is counted then)."""
        windows = [*self.windows, self.second] if self._per_second else list(self.windows)
        for window in windows:
            window.roll(now)
        full = [w for w in windows if w.used >= w.limit]
        if full:
            return max(w.reset_in(now) for w in full)
        for window in windows:
            window.used += 1
        return None

    def _limit_headers(self, now: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "/".join(str(w.limit) for w in self.windows),
            "X-RateLimit-Remaining": "/".join(str(max(0, w.limit - w.used)) for w in self.windows),
            "X-RateLimit-Reset": "/".join(str(w.reset_in(now)) for w in self.windows),
        }

    @staticmethod
    def _error_response(method: str, path: str, exc: EcomError, headers: dict[str, str] | None = None) -> Response:
        body = {"error": {"code": exc.status, "method": method, "request": path, "message": exc.message}}
        return Response(exc.status, body, dict(headers or {}))

    def _route(self, req: Request) -> dict[str, Any] | RawList:
        if req.method != "GET":
            raise EcomError(405, f"Method {req.method} not allowed on this stand-in")
        parts = req.path.strip("/").split("/")
        if len(parts) < 2 or not parts[-1].endswith(".json"):
            raise EcomError(404, "Not found")
        language, segments = parts[0], [*parts[1:-1], parts[-1][: -len(".json")]]
        if language not in self.languages:
            raise EcomError(404, "Unknown or inactive language")
        base = f"http://{req.header('host', '127.0.0.1')}"
        resource = segments[0]
        if segments == ["shop"]:
            return self._shop(base, language)
        if segments == ["account", "ratelimit"]:
            return self._ratelimit()
        if resource not in RESOURCES:
            raise EcomError(404, "Not found")
        plural, singular = RESOURCES[resource]
        table = self.tables[resource]
        if len(segments) == 1:
            ids = table.query(_filters(req), _where(resource, req))
            return RawList(plural, [self._encoded(table, i, base, language) for i in _page(req, ids)])
        if segments[1:] == ["count"]:
            return {"count": len(table.query(_filters(req), _where(resource, req)))}
        rid = _int(segments[1], "id")
        if rid not in table.records:
            raise EcomError(404, f"{singular.capitalize()} not found")
        if len(segments) == 2:
            return {singular: self._out(table.records[rid], base, language)}
        if resource == "orders" and segments[2] == "products":
            lines = self.order_lines.get(rid, [])
            if len(segments) == 3:
                return {"orderProducts": [self._out(line, base, language)
                                          for line in _page(req, lines)]}
            if segments[3:] == ["count"]:
                return {"count": len(lines)}
            line_id = _int(segments[3], "id")
            for line in lines:
                if int(line["id"]) == line_id:
                    return {"orderProduct": self._out(line, base, language)}
            raise EcomError(404, "OrderProduct not found")
        raise EcomError(404, "Not found")

    def _encoded(self, table: Table, rid: int, base: str, language: str) -> bytes:
        """The record's JSON for this host and language, encoded once per record version."""
        per_host = table.encoded.setdefault(rid, {})
        if (base, language) not in per_host:
            record = self._out(table.records[rid], base, language)
            per_host[(base, language)] = json.dumps(record, default=_json_default).encode("utf-8")
        return per_host[(base, language)]

    @staticmethod
    def _out(record: dict[str, Any], base: str, language: str) -> dict[str, Any]:
        """A stored record with its resource links completed for this host and language."""
        return relink(record, lambda url: _link(base, language, url))

    def _shop(self, base: str, language: str) -> dict[str, Any]:
        return {"shop": {"id": self.SHOP_ID, "title": "Sandbox Shop", "mainLanguage": "nl",
                         "currency": {"shortcode": "EUR", "symbol": "€", "title": "Euro"},
                         "languages": sorted(self.languages),
                         "link": f"{base}/{language}/shop.json"}}

    def _ratelimit(self) -> dict[str, Any]:
        now = self.clock()
        names = ("limit5Min", "limitHour", "limitDay")
        body = {}
        for name, window in zip(names, self.windows, strict=False):
            reset = window.reset_in(now)
            body[name] = {"limit": window.limit, "remaining": max(0, window.limit - window.used), "reset": reset,
                          "resetTime": to_iso(now + reset)}
        return {"accountRatelimit": body}

    # -- data sources -----------------------------------------------------------------------------------
    def load_generated(self, seed: str) -> None:
        shop = neutral.generate_shop(seed, self.order_count)
        self.shop = shop
        self._variants = {v.id: v for p in shop.products.values() for v in p.variants}
        for customer in shop.customers.values():
            self.tables["customers"].put(render_customer(customer))
        for product in shop.products.values():
            self.tables["products"].put(render_product(product))
            for position, variant in enumerate(product.variants):
                self.tables["variants"].put(render_variant(variant, product, position))
        for tax in render_taxes():
            self.tables["taxes"].put(tax)
        for order in shop.orders.values():
            if order.channel in self.channels:
                self.tables["orders"].put(render_order(order, shop))
                self.order_lines[order.id] = render_order_lines(order, self._variants)

    def load_dir(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ValueError(f"seed folder {folder} does not exist")
        for resource, (plural, _) in RESOURCES.items():
            file = folder / f"{resource}.json"
            if file.exists():
                for record in read_list(file, plural):
                    self.tables[resource].put(relink(record))
        orders_dir = folder / "orders"
        if orders_dir.is_dir():
            for file in orders_dir.glob("*/products.json"):
                self.order_lines[int(file.parent.name)] = [relink(r) for r in read_list(file, "orderProducts")]


def _link(base: str, language: str, url: str) -> str:
    """`orders/1/products` -> `{base}/{language}/orders/1/products.json` (`.json` before any query string)."""
    if not url:
        return ""
    path, sep, query = url.partition("?")
    return f"{base}/{language}/{path}.json{sep}{query}"
