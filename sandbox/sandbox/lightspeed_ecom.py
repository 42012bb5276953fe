"""Lightspeed eCom (C-Series) stand-in: key/secret Basic auth, `{language}/{resource}.json`, paging, filters, limits.

What it serves (all GET, below the server base URL, which plays the cluster host `https://api.webshopapp.com`):

    /{language}/orders.json                     {"orders": [...]}        filters below, page/limit
    /{language}/orders/count.json               {"count": N}             same filters
    /{language}/orders/{id}.json                {"order": {...}}
    /{language}/orders/{id}/products.json       {"orderProducts": [...]} the order lines, page/limit
    /{language}/orders/{id}/products/count.json {"count": N}
    /{language}/customers.json, /customers/count.json, /customers/{id}.json   (filter `email=`)
    /{language}/products.json,  /products/count.json,  /products/{id}.json
    /{language}/variants.json,  /variants/count.json,  /variants/{id}.json    (filter `product=`)
    /{language}/taxes.json,     /taxes/{id}.json
    /{language}/shop.json                       {"shop": {..., "currency": {"shortcode": "EUR"}}}
    /{language}/account/ratelimit.json          {"accountRatelimit": {"limit5Min": {...}, ...}}

Credentials: HTTP Basic, username `LightspeedEcom.API_KEY`, password `LightspeedEcom.API_SECRET` (override with the
`api_key` / `api_secret` constructor arguments). Anything else gives 401 in Lightspeed's error shape
`{"error": {"code": 401, "method": "GET", "request": "/nl/orders.json", "message": "..."}}`. An unknown language
gives 404 "Unknown or inactive language".

Lists: `page` (1-based) and `limit` (default 50, max 250; more is a 400 here). Filters (UTC, `YYYY-MM-DD HH:MM:SS`,
ISO-8601 also accepted, both ends inclusive): `created_at_min`, `created_at_max`, `updated_at_min`,
`updated_at_max`; `since_id` (id greater than); `customer=` on orders; `email=` on customers; `product=` on
variants. Count endpoints honour the same filters. The real default order is undocumented; this stand-in serves
newest first (id descending), so a connector must not rely on ascending order.

Rate limits: fixed windows per key, defaults 300 / 5 min, 3,000 / hour, 12,000 / day (`rate_limits=` takes
`((seconds, limit), ...)` so tests can use tiny windows) plus 20 requests per second (`per_second=`). Every
authenticated response carries `X-RateLimit-Limit: 300/3000/12000`, `X-RateLimit-Remaining: a/b/c` and
`X-RateLimit-Reset: s1/s2/s3` (seconds until each window resets). Over a limit: 429 in the error shape with
`Retry-After` in seconds. `exhaust_daily_limit()` uses the daily window up until `reset()`.

Data: `seed=None` is an empty shop; a generated seed renders the neutral shop of `sandbox.seed` (the channel "web"
orders, all customers, products and variants); `seed="dir:/path"` replays a folder of eCom payloads, each file in
the endpoint's own envelope, every file optional:

    orders.json     {"orders": [...]}           customers.json {"customers": [...]}
    products.json   {"products": [...]}         variants.json  {"variants": [...]}
    taxes.json      {"taxes": [...]}            orders/{id}/products.json {"orderProducts": [...]}

Amounts (`priceExcl`, `priceIncl`, `taxRate`, ...) go out as JSON numbers, as the real API sends them; `taxRate` is
a fraction (0.21). On order lines `basePrice*` is the unit price before discount, `discount*` the line's discount
and `price*` the line total after discount (`basePriceIncl * quantityOrdered - discountIncl`); the order's
`priceIncl` is the sum of the lines plus `shipmentPriceIncl` plus `paymentPriceIncl`. Timestamps carry the shop's
offset (Europe/Amsterdam), e.g. `2024-05-01T12:34:56+02:00`.

Mutation API for tests: `update_order(order_id, **fields)` and `touch_order(order_id, at=None)` set `updatedAt`
from the injected `clock` (or `at`); `add_order(order, lines)` adds a payload.
"""

from __future__ import annotations

import base64
import json
import math
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import seed as neutral
from sandbox.core import Request, Response, Vendor

SHOP_TZ = ZoneInfo("Europe/Amsterdam")
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
DEFAULT_RATE_LIMITS: tuple[tuple[float, int], ...] = ((300.0, 300), (3600.0, 3000), (86400.0, 12000))
DEFAULT_PER_SECOND = 20
LANGUAGES = ("nl", "en", "de", "fr")
FILTER_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
# resource path segment -> (list envelope, single envelope)
RESOURCES = {
    "orders": ("orders", "order"),
    "customers": ("customers", "customer"),
    "products": ("products", "product"),
    "variants": ("variants", "variant"),
    "taxes": ("taxes", "tax"),
}
# query parameter -> record field it filters on (equality)
EQUALITY_FILTERS = {
    "orders": {"customer": "customer"},
    "customers": {"email": "email"},
    "variants": {"product": "product"},
}


class EcomError(Exception):
    """An API error, rendered in Lightspeed eCom's `{"error": {...}}` shape."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def to_iso(ts: float) -> str:
    """Epoch seconds -> ISO-8601 with the shop's UTC offset, as the API renders timestamps."""
    return datetime.fromtimestamp(ts, SHOP_TZ).isoformat(timespec="seconds")


def parse_timestamp(text: str) -> float:
    """Payload or filter timestamp -> epoch seconds; naive values are UTC. Raises ValueError."""
    for fmt in FILTER_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # the wire format has JSON numbers
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dump_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass
class Table:
    """One resource's records, with the created/updated indexes the filters need."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    updated: dict[int, float] = field(default_factory=dict)
    encoded: dict[int, dict[tuple[str, str], bytes]] = field(default_factory=dict)
    _by_updated: list[tuple[float, int]] | None = None
    _ids_desc: list[int] | None = None

    def put(self, record: dict[str, Any]) -> None:
        rid = int(record["id"])
        self.records[rid] = record
        self.encoded.pop(rid, None)
        self.created[rid] = parse_timestamp(record["createdAt"]) if record.get("createdAt") else 0.0
        self.updated[rid] = parse_timestamp(record["updatedAt"]) if record.get("updatedAt") else self.created[rid]
        self._by_updated = None
        self._ids_desc = None

    def ids_desc(self) -> list[int]:
        if self._ids_desc is None:
            self._ids_desc = sorted(self.records, reverse=True)
        return self._ids_desc

    def query(self, filters: Filters, where: Callable[[dict[str, Any]], bool] | None = None) -> list[int]:
        """Ids matching the filters, newest first."""
        if filters.updated_min is not None or filters.updated_max is not None:
            if self._by_updated is None:
                self._by_updated = sorted((ts, rid) for rid, ts in self.updated.items())
            keys = self._by_updated
            lo = 0 if filters.updated_min is None else bisect_left(keys, (filters.updated_min, -1))
            hi = len(keys) if filters.updated_max is None else bisect_right(keys, (filters.updated_max, math.inf))
            candidates: Iterable[int] = sorted((rid for _, rid in keys[lo:hi]), reverse=True)
        else:
            candidates = self.ids_desc()
        out = []
        for rid in candidates:
            if filters.since_id is not None and rid <= filters.since_id:
                continue
            created = self.created[rid]
            if filters.created_min is not None and created < filters.created_min:
                continue
            if filters.created_max is not None and created > filters.created_max:
                continue
            if where is not None and not where(self.records[rid]):
                continue
            out.append(rid)
        return out


@dataclass(frozen=True)
class RawList:
    """A list envelope whose records are already JSON-encoded (`{"orders": [...]}`)."""

    key: str
    items: list[bytes]


@dataclass(frozen=True)
class Filters:
    """The common list filters of eCom endpoints, parsed."""

    created_min: float | None = None
    created_max: float | None = None
    updated_min: float | None = None
    updated_max: float | None = None
    since_id: int | None = None


@dataclass
class Window:
    """A fixed rate-limit window: `limit` requests per `seconds`."""

    seconds: float
    limit: int
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.seconds:
            self.started = now
            self.used = 0

    def reset_in(self, now: float) -> int:
        return max(0, math.ceil(self.started + self.seconds - now)) if self.used else 0


class LightspeedEcom(Vendor):
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
        self.seed = seed
        self.order_count = orders
        self.languages = frozenset(languages)
        self.clock = clock
        self._rate_limits = tuple(rate_limits)
        self._per_second = per_second
        self._auth = "Basic " + base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.channels = frozenset(channels)
        self.shop: neutral.Shop | None = None
        self._variants: dict[int, neutral.Variant] = {}
        self.tables: dict[str, Table] = {}
        self.order_lines: dict[int, list[dict[str, Any]]] = {}
        self.windows: list[Window] = []
        self.second = Window(1.0, per_second or 0)
        self.reset()

    # -- Vendor hooks --------------------------------------------------------------------------
    def reset(self) -> None:
        self.tables = {name: Table() for name in RESOURCES}
        self.order_lines = {}
        self.windows = [Window(seconds, limit) for seconds, limit in self._rate_limits]
        self.second = Window(1.0, self._per_second or 0)
        self.shop = None
        if self.seed is None:
            return
        if self.seed.startswith("dir:"):
            self._load_dir(Path(self.seed[4:]))
        else:
            self._load_generated(self.seed, self.order_count)

    def dump(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            name: [table.records[rid] for rid in sorted(table.records)] for name, table in self.tables.items()
        }
        state["orderProducts"] = {str(oid): lines for oid, lines in sorted(self.order_lines.items())}
        state["rateLimit"] = [{"seconds": w.seconds, "limit": w.limit, "used": w.used} for w in self.windows]
        return json.loads(json.dumps(state, default=_dump_default))

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
        out = dict(record)
        for key, value in record.items():
            if isinstance(value, dict) and isinstance(value.get("resource"), dict):
                ref = value["resource"]
                out[key] = {"resource": {**ref, "link": _link(base, language, ref["url"])}}
        return out

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
    def _load_generated(self, name: str, orders: int) -> None:
        shop = neutral.generate_shop(name, orders)
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

    def _load_dir(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ValueError(f"seed folder {folder} does not exist")
        for resource, (plural, _) in RESOURCES.items():
            file = folder / f"{resource}.json"
            if file.exists():
                for record in _envelope(file, plural):
                    self.tables[resource].put(_strip_links(record))
        orders_dir = folder / "orders"
        if orders_dir.is_dir():
            for file in orders_dir.glob("*/products.json"):
                self.order_lines[int(file.parent.name)] = [_strip_links(r) for r in _envelope(file, "orderProducts")]


def _link(base: str, language: str, url: str) -> str:
    """`orders/1/products` -> `{base}/{language}/orders/1/products.json` (`.json` before any query string)."""
    if not url:
        return ""
    path, sep, query = url.partition("?")
    return f"{base}/{language}/{path}.json{sep}{query}"


def _envelope(file: Path, key: str) -> list[dict[str, Any]]:
    data = json.loads(file.read_text(encoding="utf-8"))
    records = data.get(key, []) if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise ValueError(f"{file}: expected a list under {key!r}")
    return records


def _strip_links(record: dict[str, Any]) -> dict[str, Any]:
    """Drop host-specific `link` values of a replayed payload; they are rebuilt per request."""
    out = dict(record)
    for key, value in record.items():
        if isinstance(value, dict) and isinstance(value.get("resource"), dict):
            ref = value["resource"]
            out[key] = {"resource": {"id": ref.get("id", False), "url": ref.get("url", ""), "link": ""}}
    return out


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise EcomError(404, f"Invalid {what} {text!r}") from None


def _time_arg(req: Request, name: str) -> float | None:
    value = req.arg(name)
    if value is None or value == "":
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise EcomError(400, f"Invalid date for {name}: expected YYYY-MM-DD HH:MM:SS") from None


def _filters(req: Request) -> Filters:
    since = req.arg("since_id")
    if since is not None and not since.isdigit():
        raise EcomError(400, "Invalid since_id")
    return Filters(created_min=_time_arg(req, "created_at_min"), created_max=_time_arg(req, "created_at_max"),
                   updated_min=_time_arg(req, "updated_at_min"), updated_max=_time_arg(req, "updated_at_max"),
                   since_id=int(since) if since is not None else None)


def _where(resource: str, req: Request) -> Callable[[dict[str, Any]], bool] | None:
    wanted = {field_name: req.arg(param) for param, field_name in EQUALITY_FILTERS.get(resource, {}).items()
              if req.arg(param) not in (None, "")}
    if not wanted:
        return None

    def matches(record: dict[str, Any]) -> bool:
        for field_name, value in wanted.items():
            have = record.get(field_name)
            if isinstance(have, dict) and isinstance(have.get("resource"), dict):
                have = have["resource"].get("id")
            if field_name == "email":
                if str(have or "").lower() != str(value).lower():
                    return False
            elif str(have) != str(value):
                return False
        return True

    return matches


def _page(req: Request, items: list[Any]) -> list[Any]:
    page_text, limit_text = req.arg("page", "1") or "1", req.arg("limit", str(DEFAULT_LIMIT)) or str(DEFAULT_LIMIT)
    if not page_text.isdigit() or int(page_text) < 1:
        raise EcomError(400, "Invalid page: must be a positive integer")
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise EcomError(400, "Invalid limit: must be a positive integer")
    page, limit = int(page_text), int(limit_text)
    if limit > MAX_LIMIT:
        raise EcomError(400, f"Invalid limit: the maximum is {MAX_LIMIT}")
    return items[(page - 1) * limit: page * limit]


# -- rendering the neutral shop in eCom's format (pure) -------------------------------------------------------
COUNTRIES = {  # ISO alpha-2 -> (eCom country id, alpha-3, title)
    "NL": (155, "nld", "Netherlands"), "BE": (21, "bel", "Belgium"), "DE": (81, "deu", "Germany"),
    "FR": (74, "fra", "France"), "SE": (203, "swe", "Sweden"), "GB": (225, "gbr", "United Kingdom"),
    "US": (226, "usa", "United States"),
}
TAX_IDS = {Decimal("21"): 1, Decimal("9"): 2, Decimal("0"): 3}
ORDER_LANGUAGE = {"id": 1, "code": "nl", "locale": "nl_NL", "title": "Nederlands"}
PAYMENT_TITLES = {"ideal": "iDEAL", "creditcard": "Credit card", "paypal": "PayPal", "bancontact": "Bancontact",
                  "cash": "Cash", "pin": "PIN"}


def _ref(rid: Any, url: str) -> dict[str, Any]:
    return {"resource": {"id": rid, "url": url, "link": ""}}


def _fraction(rate: Decimal) -> Decimal:
    """Percentage -> the fraction eCom uses (21 -> 0.21)."""
    return (rate / 100).normalize()


def _iso_dt(value: datetime | None) -> str:
    return to_iso(value.timestamp()) if value else ""


def _address_fields(prefix: str, address: neutral.Address | None) -> dict[str, Any]:
    if address is None:
        return {f"{prefix}Name": "", f"{prefix}Street": "", f"{prefix}Street2": "", f"{prefix}Number": "",
                f"{prefix}Extension": "", f"{prefix}Zipcode": "", f"{prefix}City": "", f"{prefix}Region": "",
                f"{prefix}Country": False}
    number, extension = address.house_number, ""
    digits = len(number) - len(number.lstrip("0123456789"))
    if 0 < digits < len(number):
        number, extension = number[:digits], number[digits:].lstrip("-")
    country_id, code3, title = COUNTRIES.get(address.country, (0, address.country.lower(), address.country))
    return {f"{prefix}Name": f"{address.first_name} {address.last_name}", f"{prefix}Street": address.street,
            f"{prefix}Street2": address.address2 or "", f"{prefix}Number": number, f"{prefix}Extension": extension,
            f"{prefix}Zipcode": address.postcode, f"{prefix}City": address.city,
            f"{prefix}Region": address.province_code or "",
            f"{prefix}Country": {"id": country_id, "code": address.country.lower(), "code3": code3, "title": title}}


def render_customer(customer: neutral.Customer) -> dict[str, Any]:
    """A neutral customer as an eCom `customer` resource."""
    return {
        "id": customer.id, "createdAt": _iso_dt(customer.created_at), "updatedAt": _iso_dt(customer.updated_at),
        "lastOnlineAt": _iso_dt(customer.updated_at), "isConfirmed": True, "type": 0, "gender": "",
        "birthDate": "", "nationalId": "", "email": customer.email, "firstname": customer.first_name,
        "middlename": "", "lastname": customer.last_name, "phone": customer.phone or "", "mobile": "",
        "isCompany": customer.company is not None, "companyName": customer.company or "", "companyCoCNumber": "",
        "companyVatNumber": customer.vat_number or "",
        **_address_fields("addressBilling", customer.address), **_address_fields("addressShipping", customer.address),
        "memo": "", "doNotificationEmail": customer.accepts_marketing,
        "groups": _ref(False, f"customers/{customer.id}/groups"),
        "orders": _ref(False, f"orders?customer={customer.id}"),
    }


def render_product(product: neutral.Product) -> dict[str, Any]:
    """A neutral product as an eCom `product` resource."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in product.title.lower()).strip("-")
    return {
        "id": product.id, "createdAt": _iso_dt(product.created_at), "updatedAt": _iso_dt(product.updated_at),
        "isVisible": product.active, "visibility": "visible" if product.active else "hidden",
        "url": f"{slug}-{product.id}", "title": product.title, "fulltitle": product.title,
        "description": product.description, "content": product.description, "data01": product.product_group,
        "data02": "", "data03": "", "brand": False, "supplier": False,
        "categories": _ref(False, f"categories/products?product={product.id}"),
        "variants": _ref(False, f"variants?product={product.id}"),
    }


def render_variant(variant: neutral.Variant, product: neutral.Product, position: int) -> dict[str, Any]:
    """A neutral variant as an eCom `variant` resource; `priceIncl` is the shelf price (tax incl)."""
    excl = neutral.net_of(variant.price, variant.tax_rate)
    return {
        "id": variant.id, "createdAt": _iso_dt(product.created_at), "updatedAt": _iso_dt(product.updated_at),
        "isDefault": position == 0, "sortOrder": position + 1, "articleCode": variant.sku, "ean": variant.barcode,
        "sku": variant.sku, "hs": "", "unitPrice": False, "unitUnit": "", "priceExcl": excl,
        "priceIncl": variant.price, "priceCost": neutral.cents(excl * Decimal("0.4")), "oldPriceExcl": 0,
        "oldPriceIncl": 0, "stockTracking": "disabled", "stockLevel": 0, "weight": 0, "title": variant.title,
        "taxType": "incl", "options": [], "isActive": variant.active,
        "tax": _ref(TAX_IDS.get(variant.tax_rate, 1), f"taxes/{TAX_IDS.get(variant.tax_rate, 1)}"),
        "product": _ref(product.id, f"products/{product.id}"),
    }


def render_taxes() -> list[dict[str, Any]]:
    """The NL shop's tax rates as eCom `tax` resources."""
    stamp = _iso_dt(neutral.CUSTOMER_START)
    return [{"id": tid, "createdAt": stamp, "updatedAt": stamp, "isDefault": tid == 1, "title": f"{rate}%",
             "rate": _fraction(rate)} for rate, tid in TAX_IDS.items()]


def _order_status(order: neutral.Order) -> tuple[str, str, str]:
    """(status, paymentStatus, shipmentStatus) of a neutral order."""
    if order.cancelled_at is not None:
        return "cancelled", "cancelled" if order.paid_at is None else "paid", "cancelled"
    payment = "paid" if order.paid_at is not None else "not_paid"
    if order.fulfillment_status == "fulfilled":
        return "completed_shipped", payment, "shipped"
    if order.paid_at is None:
        return "processing_awaiting_payment", payment, "not_shipped"
    return "processing_awaiting_shipment", payment, "not_shipped"


def render_order(order: neutral.Order, shop: neutral.Shop) -> dict[str, Any]:
    """A neutral order as an eCom `order` resource (without its lines, which live under /products)."""
    customer = shop.customers.get(order.customer_id) if order.customer_id is not None else None
    status, payment_status, shipment_status = _order_status(order)
    billing = order.billing_address
    shipping = order.shipping_lines[0] if order.shipping_lines else None
    code = order.discount_codes[0] if order.discount_codes else None
    gateway = order.payments[0].gateway if order.payments else "ideal"
    return {
        "id": order.id, "createdAt": _iso_dt(order.created_at), "updatedAt": _iso_dt(order.updated_at),
        "number": f"ORD{order.number:05d}", "status": status, "customStatusId": False,
        "channel": "main", "remoteIp": "", "userAgent": "", "referralId": False, "priceCost": 0,
        "priceExcl": order.total_excl, "priceIncl": order.grand_total, "weight": 0, "volume": 0,
        "colli": 0, "gender": "", "birthDate": "", "nationalId": "",
        "email": order.email or "", "firstname": billing.first_name if billing else "", "middlename": "",
        "lastname": billing.last_name if billing else "", "phone": order.phone or "", "mobile": "",
        "isCompany": order.company is not None, "companyName": order.company or "", "companyCoCNumber": "",
        "companyVatNumber": order.vat_number or "",
        **_address_fields("addressBilling", billing), "addressBillingRegionData": False,
        **_address_fields("addressShipping", order.shipping_address), "addressShippingRegionData": False,
        "addressShippingCompany": order.company or "",
        "paymentId": gateway, "paymentStatus": payment_status, "paymentIsPost": False,
        "paymentIsInvoiceExternal": False, "paymentTaxRate": 0, "paymentTaxRates": [],
        "paymentBasePriceExcl": 0, "paymentBasePriceIncl": 0, "paymentPriceExcl": 0, "paymentPriceIncl": 0,
        "paymentTitle": PAYMENT_TITLES.get(gateway, gateway), "paymentData": False,
        "shipmentId": "core|1|1" if shipping else "", "shipmentStatus": shipment_status,
        "shipmentIsCashOnDelivery": False, "shipmentIsPickup": shipping is None,
        "shipmentTaxRate": _fraction(shipping.tax_rate) if shipping else 0,
        "shipmentTaxRates": [{"name": f"{shipping.tax_rate}%", "rate": _fraction(shipping.tax_rate),
                              "amount": shipping.tax_amount}] if shipping else [],
        "shipmentBasePriceExcl": shipping.price_excl if shipping else 0,
        "shipmentBasePriceIncl": shipping.price_incl if shipping else 0,
        "shipmentPriceExcl": shipping.price_excl if shipping else 0,
        "shipmentPriceIncl": shipping.price_incl if shipping else 0,
        "shipmentDiscountExcl": 0, "shipmentDiscountIncl": 0, "shipmentTitle": shipping.title if shipping else "",
        "shipmentData": False, "shippingDate": "", "deliveryDate": "",
        "isDiscounted": code is not None,
        "discountType": ("percentage" if code.kind == "percentage" else "amount") if code else "amount",
        "discountAmount": order.discount_total_incl,
        "discountPercentage": _fraction(code.value) if code and code.kind == "percentage" else 0,
        "discountCouponCode": code.code if code else "",
        "taxRates": [{"name": f"{t.rate}%", "rate": _fraction(t.rate), "amount": t.tax} for t in order.tax_lines],
        "isNewCustomer": False, "comment": order.note or "", "memo": "", "allowNotifications": True,
        "doNotifyNew": False, "doNotifyReminder": False, "doNotifyCancelled": False,
        "language": dict(ORDER_LANGUAGE),
        "customer": _ref(customer.id, f"customers/{customer.id}") if customer else _ref(False, ""),
        "invoices": _ref(False, f"invoices?order={order.id}"), "shipments": _ref(False, f"shipments?order={order.id}"),
        "products": _ref(False, f"orders/{order.id}/products"),
        "metafields": _ref(False, f"orders/{order.id}/metafields"),
        "quote": False, "events": _ref(False, f"orders/{order.id}/events"),
    }


def render_order_lines(order: neutral.Order, variants: dict[int, neutral.Variant]) -> list[dict[str, Any]]:
    """The lines of a neutral order as eCom `orderProduct` resources."""
    refunded: dict[int, int] = {}
    for refund in order.refunds:
        for back in refund.lines:
            refunded[back.line_id] = refunded.get(back.line_id, 0) + back.quantity
    invoiced = order.paid_at is not None
    shipped = order.fulfillment_status == "fulfilled"
    out = []
    for line in order.lines:
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        out.append({
            "id": line.id, "supplierTitle": "", "brandTitle": "", "productTitle": line.title,
            "variantTitle": line.variant_title, "taxStatus": "auto", "articleCode": line.sku,
            "ean": variant.barcode if variant else "", "sku": line.sku, "weight": 0, "volume": 0, "colli": 0,
            "sizeX": 0, "sizeY": 0, "sizeZ": 0, "priceCost": 0, "customExcl": 0, "customIncl": 0,
            "basePriceExcl": line.unit_price_excl, "basePriceIncl": line.unit_price_incl,
            "priceExcl": line.total_excl, "priceIncl": line.total_incl,
            "discountExcl": line.discount_excl, "discountIncl": line.discount_incl,
            "taxRate": _fraction(line.tax_rate),
            "taxRates": [{"name": f"{line.tax_rate}%", "rate": _fraction(line.tax_rate), "amount": line.tax_amount}],
            "quantityOrdered": line.quantity, "quantityInvoiced": line.quantity if invoiced else 0,
            "quantityShipped": line.quantity if shipped else 0, "quantityRefunded": refunded.get(line.id, 0),
            "quantityReturned": refunded.get(line.id, 0), "customFields": False,
            "product": _ref(line.product_id, f"products/{line.product_id}") if line.product_id else _ref(False, ""),
            "variant": _ref(line.variant_id, f"variants/{line.variant_id}") if line.variant_id else _ref(False, ""),
        })
    return out
