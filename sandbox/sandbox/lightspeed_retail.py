"""Lightspeed Retail (R-Series) stand-in: rotating OAuth2, API V3 Sale/Customer/Item, cursor paging, leaky bucket.

Endpoints (the server base URL plays both `https://cloud.lightspeedapp.com` and `https://api.lightspeedapp.com`):

    POST /auth/oauth/token                              grant_type=refresh_token | authorization_code (JSON or form)
    GET  /API/V3/Account.json                           {"@attributes": {"count": "1"}, "Account": {...}}
    GET  /API/V3/Account/{accountID}/Sale.json          {"@attributes": {"next": url, "previous": url}, "Sale": ...}
    GET  /API/V3/Account/{accountID}/Sale/{saleID}.json {"Sale": {...}}
    GET  /API/V3/Account/{accountID}/Customer.json, Customer/{id}.json, Item.json, Item/{id}.json
    GET  /API/V3/Account/{accountID}/TaxCategory.json, TaxCategory/{id}.json   (relation `TaxCategoryClasses`)
    GET  /API/V3/Account/{accountID}/Shop.json, Shop/{id}.json                 (`taxCategoryID`: the shop's sales tax)

Credentials (constructor keywords override them): client `LightspeedRetail.CLIENT_ID` / `CLIENT_SECRET`, initial
refresh token `REFRESH_TOKEN`, authorization code `AUTHORIZATION_CODE`, account `ACCOUNT_ID`. The token response is
`{"token_type": "Bearer", "expires_in": 3600, "access_token": ..., "refresh_token": ...}`. Refresh tokens ROTATE
(documented): a refresh invalidates the refresh token used and every access token issued with it; pass
`rotate_refresh_tokens=False` to keep one refresh token. Unused refresh tokens expire after 30 days. Token errors
are OAuth-style (`{"error": "invalid_grant", "error_description": ...}`); API errors use Lightspeed's shape
`{"httpCode": "401", "httpMessage": "Unauthorized", "message": "Access token could not be verified",
"errorClass": ...}` ("Access token has been revoked" after a rotation or `revoke_tokens()`).

Queries: `field=op,value` with op one of `=`, `>`, `>=`, `<`, `<=`, `!=`, `~` (like, `%` wildcard), `><` (between:
`><,from,to`), `IN` (`IN,[1,2,3]`, at most 100); a plain value means equality; one relation level works
(`SaleLines.itemID=5`); `or=` is refused with a 400. Timestamps are ISO-8601 (`2024-01-01T00:00:00-00:00`;
an unencoded `+` arrives as a space and is a 400, as a real server cannot read it either).
`archived=true|false|only`, `sort=field` / `sort=-field` (Sale: saleID, timeStamp, completeTime, updatetime),
`limit` (default and max 100; more is a 400),
`load_relations` (JSON array, e.g. `["SaleLines","SaleLines.Item","SalePayments","SalePayments.PaymentType",
"Customer","Customer.Contact"]`, or `all`), `count=1` (only `@attributes.count`, costs 10 drips). Paging is by
cursor: follow `@attributes.next` verbatim until it is `""`; `previous` goes back.

XML-born JSON: every value is a string (`"true"`, `"12.50"`), one child is an object and several are a list (also
for the top-level `Sale`), an empty list page has no `Sale` key, a loaded relation without children is absent.

Leaky bucket per account: size 90 drips, drip rate 1/s (`bucket_size`, `drip_rate`), drained by the injected
`clock`. Cost: 1 per GET, + 0.1 per to-one and 0.2 per to-many loaded relation, doubled on list calls; `count=1`
costs 10. Headers on every API response: `X-LS-API-Bucket-Level: used/size`, `X-LS-API-Drip-Rate`,
`X-LS-API-Request-Cost`, `X-LS-API-Burst-Level`, `X-LS-Acct-Id`, `X-LS-Oauth-Client-Id`. Over the bucket (or over
`burst_limit` requests in one clock second): 429 with `Retry-After` in seconds and `X-LS-API-RateLimit-Type`
`api-leaky-bucket` / `api-burst-limiter`. R-Series has no documented daily limit, so `exhaust_daily_limit()` is not
offered.

Data: `seed=None` is empty; a generated seed renders the neutral shop of `sandbox.seed`: the channel "pos" orders
(`channels=`; `kinds=("domestic",)` keeps only sales a store in the shop's country makes over the counter) become
Sales (anonymous ones with customerID "0"), every refund becomes its own completed return Sale
(saleID `RETURN_SALE_OFFSET + refund id`, negative `unitQuantity`, negative totals, `parentSaleLineID` pointing at
the sold line), every customer a Customer with Contact, every variant an Item (`taxClassID` 1 standard, 2 reduced,
3 zero). Tax: one TaxCategory per country of `sandbox.seed.VAT_RATES` (ids in that order, so the shop's NL is 1;
`isTaxInclusive` "true", `tax1Name` "BTW"/"VAT", `tax1Rate` the standard rate as a fraction, `tax2Rate` "0") with
TaxCategoryClasses for the reduced (class 2) and zero (class 3) rates; the standard class uses the category rate.
One Shop (shopID 1, `taxCategoryID` "1") as sales reference it. Items carry `taxClassID`, never a
`taxCategoryID` (as documented): an item's rate is its class's rate in the shop's category. Totals follow
`calcTotal = calcSubtotal - calcDiscount + calcTax1 + calcTax2` exactly (subtotal and discount excl. tax). A voided
(cancelled unpaid) sale has `voided` "true"; a pending one `completed` "false".
`seed="dir:/path"` replays vendor payloads, each file in its endpoint's envelope, every file optional:

    Sale.json      {"Sale": [...] | {...}}  with relations as loaded (SaleLines.SaleLine, SalePayments.SalePayment,
                                            Customer, SaleLines.SaleLine.Item, SalePayments.SalePayment.PaymentType)
    Customer.json  {"Customer": [...] | {...}}   (optionally with Contact)
    Item.json      {"Item": [...] | {...}}
    TaxCategory.json {"TaxCategory": [...] | {...}}  (optionally with TaxCategoryClasses.TaxCategoryClass)
    Shop.json      {"Shop": [...] | {...}}

Mutation API for tests: `update_sale(sale_id, **fields)`, `touch_sale(sale_id, at=None)` (timeStamp from the
injected clock), `add_sale(sale)`; with a generated shop `refresh_order(order_id)` re-renders after a
`sandbox.seed` mutation on `vendor.shop`.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sandbox import seed as neutral
from sandbox.core import Request, Response, Vendor

API_PREFIX = "/API/V3/Account"
TOKEN_PATH = "/auth/oauth/token"
MAX_LIMIT = 100
MAX_IN_VALUES = 100
COUNT_COST = 10.0
REFRESH_TOKEN_TTL = 30 * 86400.0
RETURN_SALE_OFFSET = 100_000_000
OPERATORS = (">=", "<=", "!=", "><", ">", "<", "=", "~", "IN")
CONTROL_PARAMS = frozenset({"limit", "after", "before", "sort", "load_relations", "count", "archived", "offset",
                            "orderby", "orderby_desc"})
# relation name -> (to_many, child element name)
RELATIONS: dict[str, dict[str, tuple[bool, str]]] = {
    "Sale": {"SaleLines": (True, "SaleLine"), "SaleLines.Item": (False, "Item"),
             "SalePayments": (True, "SalePayment"), "SalePayments.PaymentType": (False, "PaymentType"),
             "Customer": (False, "Customer"), "Customer.Contact": (False, "Contact")},
    "Customer": {"Contact": (False, "Contact")},
    "Item": {},
    "TaxCategory": {"TaxCategoryClasses": (True, "TaxCategoryClass")},
    "Shop": {"Contact": (False, "Contact")},
}
ID_FIELDS = {"Sale": "saleID", "Customer": "customerID", "Item": "itemID", "TaxCategory": "taxCategoryID",
             "Shop": "shopID"}
SORTABLE = {"Sale": {"saleID": "saleID", "timeStamp": "timeStamp", "completeTime": "completeTime",
                     "updatetime": "updateTime", "updateTime": "updateTime"},
            "Customer": {"customerID": "customerID", "timeStamp": "timeStamp", "createTime": "createTime"},
            "Item": {"itemID": "itemID", "timeStamp": "timeStamp", "createTime": "createTime"},
            "TaxCategory": {"taxCategoryID": "taxCategoryID", "timeStamp": "timeStamp"},
            "Shop": {"shopID": "shopID", "timeStamp": "timeStamp"}}
PAYMENT_TYPES = {  # gateway -> (paymentTypeID, name, type)
    "cash": ("1", "Cash", "cash"), "creditcard": ("2", "Credit Card", "credit card"),
    "pin": ("3", "Debit Card", "debit card"), "ideal": ("4", "iDEAL", "ecom"), "paypal": ("5", "PayPal", "ecom"),
    "bancontact": ("6", "Bancontact", "debit card"),
}
TAX_CLASS_IDS = {"standard": "1", "reduced": "2", "zero": "3"}
TAX_NAMES = {"NL": "BTW", "BE": "BTW", "DE": "MwSt", "FR": "TVA", "SE": "Moms"}
SHOP_ID = "1"


class RetailError(Exception):
    """An API error, rendered in Lightspeed Retail's `{"httpCode": ..., "message": ...}` shape."""

    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 429: "Too Many Requests"}
    CLASSES = {400: "InvalidArgumentException", 401: "AuthenticationException", 403: "InsufficientRightsException",
               404: "NotFoundException", 405: "MethodNotAllowedException", 429: "RateLimitExceededException"}

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict[str, str]:
        return {"httpCode": str(self.status), "httpMessage": self.REASONS.get(self.status, "Error"),
                "message": self.message, "errorClass": self.CLASSES.get(self.status, "Exception")}


def to_iso(ts: float) -> str:
    """Epoch seconds -> the API's timestamp format, `2024-01-02T08:00:00+00:00`."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def parse_time(text: str) -> float:
    """ISO-8601 (naive = UTC) -> epoch seconds. Raises ValueError."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def is_time_field(name: str) -> bool:
    return name == "timeStamp" or name.endswith("Time")


def typed(name: str, raw: Any) -> tuple[int, Any]:
    """A sortable, comparable key for a stored string value: times as epoch, ids/numbers as Decimal."""
    if raw in (None, ""):
        return (0, 0)
    text = str(raw)
    if is_time_field(name):
        try:
            return (1, parse_time(text))
        except ValueError:
            return (2, text)
    try:
        return (1, Decimal(text))
    except InvalidOperation:
        return (2, text)


def quirk(children: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """XML->JSON: one child is an object, several a list."""
    return children[0] if len(children) == 1 else children


def as_list(value: Any) -> list[dict[str, Any]]:
    """Undo the quirk when loading payloads: object -> [object], "" / None -> []."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def money(value: Decimal) -> str:
    return str(value)


@dataclass
class Table:
    """One resource's records (strings, relations as lists) with lazily built sort indexes."""

    id_field: str
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    _indexes: dict[str, list[tuple[tuple[int, Any], int]]] = field(default_factory=dict)

    def put(self, record: dict[str, Any]) -> None:
        self.records[int(record[self.id_field])] = record
        self._indexes.clear()

    def index(self, name: str) -> list[tuple[tuple[int, Any], int]]:
        if name not in self._indexes:
            self._indexes[name] = sorted((typed(name, rec.get(name)), rid) for rid, rec in self.records.items())
        return self._indexes[name]


@dataclass
class Condition:
    """One parsed `field=op,value` filter."""

    name: str
    op: str
    values: list[str]

    def matches(self, record: dict[str, Any]) -> bool:
        if "." in self.name:
            relation, _, child_field = self.name.partition(".")
            return any(Condition(child_field, self.op, self.values).matches(child)
                       for child in as_list(record.get(relation)) if isinstance(child, dict))
        have = typed(self.name, record.get(self.name, "false" if self.name == "archived" else None))
        wants = [typed(self.name, v) for v in self.values]
        try:
            if self.op == "=":
                return have == wants[0]
            if self.op == "!=":
                return have != wants[0]
            if self.op == ">":
                return have[0] != 0 and have > wants[0]
            if self.op == ">=":
                return have[0] != 0 and have >= wants[0]
            if self.op == "<":
                return have[0] != 0 and have < wants[0]
            if self.op == "<=":
                return have[0] != 0 and have <= wants[0]
            if self.op == "><":
                return have[0] != 0 and wants[0] <= have <= wants[1]
            if self.op == "IN":
                return have in wants
        except TypeError:
            return False
        pattern = "^" + ".*".join(re.escape(part) for part in self.values[0].split("%")) + "$"
        return re.match(pattern, str(record.get(self.name, "")), re.IGNORECASE | re.DOTALL) is not None


@dataclass
class Bucket:
    """The leaky bucket plus the one-second burst limiter."""

    size: float
    drip_rate: float
    burst_limit: int | None
    level: float = 0.0
    last: float | None = None
    burst_second: int = -1
    burst_used: int = 0

    def drain(self, now: float) -> None:
        if self.last is not None:
            self.level = max(0.0, self.level - (now - self.last) * self.drip_rate)
        self.last = now

    def headers(self, cost: float) -> dict[str, str]:
        out = {"X-LS-API-Bucket-Level": f"{_num(self.level)}/{_num(self.size)}",
               "X-LS-API-Drip-Rate": _num(self.drip_rate), "X-LS-API-Request-Cost": _num(cost)}
        if self.burst_limit is not None:
            out["X-LS-API-Burst-Level"] = f"{self.burst_used}/{self.burst_limit}"
        return out

    def spend(self, now: float, cost: float) -> tuple[str, int] | None:
        """Take `cost` drips; on refusal return (limiter type, seconds to wait) and take nothing."""
        self.drain(now)
        second = math.floor(now)
        if second != self.burst_second:
            self.burst_second, self.burst_used = second, 0
        if self.burst_limit is not None and self.burst_used >= self.burst_limit:
            return "api-burst-limiter", 1
        if self.level + cost > self.size:
            return "api-leaky-bucket", max(1, math.ceil((self.level + cost - self.size) / self.drip_rate))
        self.level += cost
        self.burst_used += 1
        return None


def _num(value: float) -> str:
    """12.5 -> "12.5", 90.0 -> "90" (header numbers)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


@dataclass
class Tokens:
    """Issued OAuth tokens: access token -> (expiry, refresh token it came with); refresh token -> last use."""

    access: dict[str, tuple[float, str]] = field(default_factory=dict)
    refresh: dict[str, float] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)


class LightspeedRetail(Vendor):
    """Stand-in for the Lightspeed Retail (R-Series) API V3; see the module docstring for the contract."""

    name = "lightspeed_retail"
    CLIENT_ID = "ls-retail-sandbox-client"
    CLIENT_SECRET = "ls-retail-sandbox-secret-0123456789"
    REFRESH_TOKEN = "ls-retail-sandbox-refresh-token"
    AUTHORIZATION_CODE = "ls-retail-sandbox-code"
    ACCOUNT_ID = "123456"

    def __init__(self, seed: str | None = None, orders: int = 50, *, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 authorization_code: str = AUTHORIZATION_CODE, account_id: str = ACCOUNT_ID,
                 rotate_refresh_tokens: bool = True, token_ttl: int = 3600, bucket_size: float = 90.0,
                 drip_rate: float = 1.0, burst_limit: int | None = 20, channels: Iterable[str] = ("pos",),
                 kinds: Iterable[str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self.order_count = orders
        self.client_id, self.client_secret = client_id, client_secret
        self.initial_refresh_token = refresh_token
        self.authorization_code = authorization_code
        self.account_id = str(account_id)
        self.rotate = rotate_refresh_tokens
        self.token_ttl = token_ttl
        self.channels = frozenset(channels)
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.clock = clock
        self._bucket_args = (bucket_size, drip_rate, burst_limit)
        self.bucket = Bucket(*self._bucket_args)
        self.tokens = Tokens()
        self.shop: neutral.Shop | None = None
        self.tables: dict[str, Table] = {}
        self.payment_types: dict[str, dict[str, Any]] = {}
        self.reset()

    # -- Vendor hooks ------------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.bucket = Bucket(*self._bucket_args)
        self.tokens = Tokens(refresh={self.initial_refresh_token: self.clock()})
        self.tables = {name: Table(id_field) for name, id_field in ID_FIELDS.items()}
        self.payment_types = {}
        self.shop = None
        if self.seed is None:
            return
        if self.seed.startswith("dir:"):
            self._load_dir(Path(self.seed[4:]))
        else:
            self._load_generated(self.seed, self.order_count)

    def dump(self) -> dict[str, Any]:
        return {
            **{name: [table.records[rid] for rid in sorted(table.records)] for name, table in self.tables.items()},
            "bucket": {"level": _num(self.bucket.level), "size": _num(self.bucket.size)},
            "tokens": {"access": len(self.tokens.access), "refresh": len(self.tokens.refresh)},
        }

    def revoke_tokens(self) -> None:
        self.tokens.revoked.update(self.tokens.access)
        self.tokens.revoked.update(self.tokens.refresh)
        self.tokens.access.clear()
        self.tokens.refresh.clear()

    # -- mutation API for tests --------------------------------------------------------------------------------------
    def add_sale(self, sale: dict[str, Any]) -> None:
        """Add (or replace) a sale in stored form (strings; SaleLines/SalePayments as lists)."""
        self.tables["Sale"].put(sale)

    def update_sale(self, sale_id: int, **fields: Any) -> dict[str, Any]:
        """Merge `fields` into the sale; `timeStamp`/`updateTime` become now unless given."""
        table = self.tables["Sale"]
        if sale_id not in table.records:
            raise KeyError(f"no sale {sale_id}")
        now = to_iso(self.clock())
        record = {**table.records[sale_id], "timeStamp": now, "updateTime": now, **fields}
        table.put(record)
        return record

    def touch_sale(self, sale_id: int, at: datetime | None = None) -> dict[str, Any]:
        """Bump the sale's `timeStamp` to `at` (default: the clock's now), in the neutral shop too."""
        when = at or datetime.fromtimestamp(self.clock(), UTC)
        if self.shop is not None and sale_id in self.shop.orders:
            neutral.touch(self.shop, sale_id, when)
            self.refresh_order(sale_id)
            return self.tables["Sale"].records[sale_id]
        stamp = to_iso(when.timestamp())
        return self.update_sale(sale_id, timeStamp=stamp, updateTime=stamp)

    def refresh_order(self, order_id: int) -> None:
        """Re-render one order (and its return sales) after a `sandbox.seed` mutation on `self.shop`."""
        if self.shop is None:
            raise KeyError("this stand-in has no generated shop")
        for sale in render_sales(self.shop.orders[order_id], self._customers_with_sales()):
            self.tables["Sale"].put(sale)

    # -- request handling --------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == TOKEN_PATH:
            return self._token(req)
        try:
            return self._api(req)
        except RetailError as exc:
            return Response(exc.status, exc.body())

    def _token(self, req: Request) -> Response:
        if req.method != "POST":
            return Response(405, {"error": "invalid_request", "error_description": "Use POST"})
        try:
            content_type = req.header("content-type", "") or ""
            form = req.json() if "json" in content_type else req.form()
        except ValueError:
            return Response(400, {"error": "invalid_request", "error_description": "Malformed body"})
        form = {k: str(v) for k, v in (form or {}).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = _basic(req.header("authorization"))
        if basic is not None:
            client_id, client_secret = basic
        if client_id != self.client_id or client_secret != self.client_secret:
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        now = self.clock()
        grant = form.get("grant_type")
        if grant == "refresh_token":
            old = form.get("refresh_token", "")
            used = self.tokens.refresh.get(old)
            if used is None or now - used > REFRESH_TOKEN_TTL:
                self.tokens.refresh.pop(old, None)
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "The refresh token is invalid or expired"})
            self.tokens.refresh[old] = now
            if self.rotate:
                del self.tokens.refresh[old]
                stale = [token for token, (_, parent) in self.tokens.access.items() if parent == old]
                for token in stale:
                    del self.tokens.access[token]
                self.tokens.revoked.update([old, *stale])
                refresh = secrets.token_hex(24)
            else:
                refresh = old
        elif grant == "authorization_code":
            if form.get("code") != self.authorization_code:
                return Response(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
            refresh = secrets.token_hex(24)
        else:
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": f"grant_type {grant!r} is not supported"})
        self.tokens.refresh[refresh] = now
        access = secrets.token_hex(32)
        self.tokens.access[access] = (now + self.token_ttl, refresh)
        return Response(200, {"token_type": "Bearer", "expires_in": self.token_ttl, "access_token": access,
                              "refresh_token": refresh, "scope": "employee:all"})

    def _authorise(self, req: Request, now: float) -> None:
        header = req.header("authorization") or ""
        token = header[7:] if header.startswith("Bearer ") else ""
        grant = self.tokens.access.get(token)
        if grant is None:
            message = "Access token has been revoked" if token in self.tokens.revoked else \
                "Access token could not be verified"
            raise RetailError(401, message)
        if now >= grant[0]:
            raise RetailError(401, "Access token has expired")

    def _api(self, req: Request) -> Response:
        now = self.clock()
        self._authorise(req, now)
        if req.method != "GET":
            raise RetailError(405, f"{req.method} is not supported by this stand-in")
        if req.path == "/API/V3/Account.json":
            resource, rid, relations, cost = "Account", None, [], 1.0
        else:
            resource, rid = self._parse_path(req.path)
            relations = _relations(resource, req.arg("load_relations"))
            cost = COUNT_COST if req.arg("count") == "1" else _relation_cost(resource, relations, listing=rid is None)
        refused = self.bucket.spend(now, cost)
        headers = self._headers(cost)
        if refused is not None:
            kind, wait = refused
            headers.update({"Retry-After": str(wait), "X-LS-API-RateLimit-Type": kind})
            return Response(429, RetailError(429, "Rate Limit Exceeded: Please try again later.").body(), headers)
        try:
            body = self._account() if resource == "Account" else self._get(req, resource, rid, relations)
        except RetailError as exc:
            return Response(exc.status, exc.body(), headers)
        return Response(200, body, headers)

    def _headers(self, cost: float) -> dict[str, str]:
        return {**self.bucket.headers(cost), "X-LS-Acct-Id": self.account_id, "X-LS-Oauth-Client-Id": self.client_id}

    def _parse_path(self, path: str) -> tuple[str, int | None]:
        parts = path[len(API_PREFIX) + 1:].split("/") if path.startswith(API_PREFIX + "/") else []
        if len(parts) < 2 or not parts[-1].endswith(".json"):
            raise RetailError(404, f"Unknown resource {path}")
        account, tail = parts[0], [*parts[1:-1], parts[-1][:-len(".json")]]
        if account != self.account_id:
            raise RetailError(403, "Not Authorized: no access to this account")
        if tail[0] not in self.tables or len(tail) > 2:
            raise RetailError(404, f"Unknown resource {path}")
        if len(tail) == 1:
            return tail[0], None
        if not tail[1].isdigit():
            raise RetailError(404, f"{tail[0]} not found")
        return tail[0], int(tail[1])

    def _account(self) -> dict[str, Any]:
        return {"@attributes": {"count": "1"},
                "Account": {"accountID": self.account_id, "name": "Sandbox Retail",
                            "link": {"@attributes": {"href": f"{API_PREFIX}/{self.account_id}"}}}}

    def _get(self, req: Request, resource: str, rid: int | None, relations: list[str]) -> dict[str, Any]:
        table = self.tables[resource]
        if rid is not None:
            if rid not in table.records:
                raise RetailError(404, f"{resource} not found")
            return {resource: self._render(resource, table.records[rid], relations)}
        conditions = _conditions(req)
        archived = req.arg("archived", "false") or "false"
        if archived not in ("true", "false", "only"):
            raise RetailError(400, "archived must be true, false or only")
        if archived != "true":
            conditions.append(Condition("archived", "=", ["true" if archived == "only" else "false"]))
        if req.arg("count") == "1":
            if {"limit", "sort", "after", "before"} & set(req.query):
                raise RetailError(400, "count cannot be combined with limit, sort, after or before")
            total = sum(1 for rec in table.records.values() if all(c.matches(rec) for c in conditions))
            return {"@attributes": {"count": str(total)}}
        limit_text = req.arg("limit", str(MAX_LIMIT)) or str(MAX_LIMIT)
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise RetailError(400, f"limit must be between 1 and {MAX_LIMIT}")
        sort_arg = req.arg("sort", ID_FIELDS[resource]) or ID_FIELDS[resource]
        desc = sort_arg.startswith("-")
        sort_field = SORTABLE[resource].get(sort_arg.lstrip("-"))
        if sort_field is None:
            raise RetailError(400, f"Cannot sort {resource} by {sort_arg.lstrip('-')}")
        ids, has_next, has_previous = _walk(table, sort_field, desc=desc, conditions=conditions,
                                            limit=int(limit_text), after=req.arg("after"), before=req.arg("before"))
        records = [table.records[i] for i in ids]
        base = f"http://{req.header('host', '127.0.0.1')}{req.path}"
        params = {k: v[0] for k, v in req.query.items() if k not in ("after", "before")}
        id_field = ID_FIELDS[resource]
        next_url = f"{base}?{urlencode({**params, 'after': _cursor(sort_field, id_field, records[-1])})}" \
            if ids and has_next else ""
        previous_url = f"{base}?{urlencode({**params, 'before': _cursor(sort_field, id_field, records[0])})}" \
            if ids and has_previous else ""
        out: dict[str, Any] = {"@attributes": {"next": next_url, "previous": previous_url}}
        if records:
            out[resource] = quirk([self._render(resource, rec, relations) for rec in records])
        return out

    # -- rendering stored records with relations ---------------------------------------------------------------------
    def _render(self, resource: str, record: dict[str, Any], relations: list[str]) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if not isinstance(v, list | dict)}
        if resource == "Item":
            out["Prices"] = {"ItemPrice": quirk(record.get("Prices", []))}
            return out
        if resource == "TaxCategory":
            classes = record.get("TaxCategoryClasses", [])
            if "TaxCategoryClasses" in relations and classes:
                out["TaxCategoryClasses"] = {"TaxCategoryClass": quirk([dict(c) for c in classes])}
            return out
        if resource == "Shop":
            if "Contact" in relations and record.get("Contact"):
                out["Contact"] = _render_contact(record["Contact"])
            return out
        if resource == "Customer":
            if "Contact" in relations and record.get("Contact"):
                out["Contact"] = _render_contact(record["Contact"])
            return out
        if "SaleLines" in relations:
            lines = []
            for line in record.get("SaleLines", []):
                rendered = dict(line)
                item = self.tables["Item"].records.get(int(line.get("itemID") or 0))
                if "SaleLines.Item" in relations and item is not None:
                    rendered["Item"] = self._render("Item", item, [])
                lines.append(rendered)
            if lines:
                out["SaleLines"] = {"SaleLine": quirk(lines)}
        if "SalePayments" in relations:
            payments = []
            for payment in record.get("SalePayments", []):
                rendered = dict(payment)
                kind = self.payment_types.get(str(payment.get("paymentTypeID")))
                if "SalePayments.PaymentType" in relations and kind is not None:
                    rendered["PaymentType"] = dict(kind)
                payments.append(rendered)
            if payments:
                out["SalePayments"] = {"SalePayment": quirk(payments)}
        customer = self.tables["Customer"].records.get(int(record.get("customerID") or 0))
        if "Customer" in relations and customer is not None:
            out["Customer"] = self._render("Customer", customer,
                                           ["Contact"] if "Customer.Contact" in relations else [])
        return out

    # -- data sources ------------------------------------------------------------------------------------------------
    def _customers_with_sales(self) -> dict[int, neutral.Customer]:
        return self.shop.customers if self.shop is not None else {}

    def _load_generated(self, name: str, orders: int) -> None:
        shop = neutral.generate_shop(name, orders)
        self.shop = shop
        for gateway, (type_id, title, kind) in PAYMENT_TYPES.items():
            self.payment_types[type_id] = {"paymentTypeID": type_id, "name": title, "code": gateway,
                                           "type": kind, "archived": "false"}
        for category in render_tax_categories(shop):
            self.tables["TaxCategory"].put(category)
        self.tables["Shop"].put(render_shop(shop))
        for customer in shop.customers.values():
            self.tables["Customer"].put(render_customer(customer))
        for product in shop.products.values():
            for variant in product.variants:
                self.tables["Item"].put(render_item(variant, product))
        for order in shop.orders.values():
            if order.channel in self.channels and (self.kinds is None or order.kind in self.kinds):
                for sale in render_sales(order, shop.customers):
                    self.tables["Sale"].put(sale)

    def _load_dir(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ValueError(f"seed folder {folder} does not exist")
        for resource in ("TaxCategory", "Shop", "Item", "Customer", "Sale"):
            file = folder / f"{resource}.json"
            if not file.exists():
                continue
            data = json.loads(file.read_text(encoding="utf-8"))
            for record in as_list(data.get(resource) if isinstance(data, dict) else data):
                self._load_record(resource, record)

    def _load_record(self, resource: str, record: dict[str, Any]) -> None:
        """Store a payload: relations become lists, embedded Items/Customers/PaymentTypes become records."""
        stored = {k: v for k, v in record.items() if not isinstance(v, dict | list)}
        if resource == "Item":
            stored["Prices"] = as_list((record.get("Prices") or {}).get("ItemPrice"))
        elif resource == "TaxCategory":
            stored["TaxCategoryClasses"] = as_list((record.get("TaxCategoryClasses") or {}).get("TaxCategoryClass"))
        elif resource == "Customer":
            if isinstance(record.get("Contact"), dict):
                stored["Contact"] = _load_contact(record["Contact"])
        elif resource == "Sale":
            lines = as_list((record.get("SaleLines") or {}).get("SaleLine"))
            for line in lines:
                if isinstance(line.get("Item"), dict):
                    self._load_record("Item", line["Item"])
            stored["SaleLines"] = [{k: v for k, v in line.items() if k != "Item"} for line in lines]
            payments = as_list((record.get("SalePayments") or {}).get("SalePayment"))
            for payment in payments:
                if isinstance(payment.get("PaymentType"), dict):
                    kind = payment["PaymentType"]
                    self.payment_types[str(kind.get("paymentTypeID"))] = dict(kind)
            stored["SalePayments"] = [{k: v for k, v in p.items() if k != "PaymentType"} for p in payments]
            if isinstance(record.get("Customer"), dict):
                self._load_record("Customer", record["Customer"])
        self.tables[resource].put(stored)


# -- query helpers (pure) --------------------------------------------------------------------------------------------
def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _relations(resource: str, raw: str | None) -> list[str]:
    if not raw:
        return []
    known = RELATIONS[resource]
    if raw == "all":
        return list(known)
    try:
        names = json.loads(raw)
    except ValueError:
        raise RetailError(400, "load_relations must be a JSON array of relation names") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RetailError(400, "load_relations must be a JSON array of relation names")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RetailError(400, f"Invalid relation(s) for {resource}: {', '.join(unknown)}")
    return names


def _relation_cost(resource: str, relations: list[str], *, listing: bool) -> float:
    extra = sum(0.2 if RELATIONS[resource][name][0] else 0.1 for name in relations)
    return round(1 + extra * (2 if listing else 1), 3)


def _conditions(req: Request) -> list[Condition]:
    out = []
    for name, values in req.query.items():
        if name == "or":
            raise RetailError(400, "or= is not supported by this stand-in")
        if name in CONTROL_PARAMS:
            continue
        raw = values[0]
        head, sep, rest = raw.partition(",")
        if sep and head in OPERATORS:
            op = head
            args = [rest]
            if op == "><":
                args = rest.split(",", 1)
                if len(args) != 2:
                    raise RetailError(400, f"{name}: between needs two values")
            elif op == "IN":
                args = [a.strip() for a in rest.strip("[]").split(",") if a.strip()]
                if len(args) > MAX_IN_VALUES:
                    raise RetailError(400, f"{name}: IN takes at most {MAX_IN_VALUES} values")
        else:
            op, args = "=", [raw]
        if is_time_field(name.rpartition(".")[2]):
            for arg in args:
                try:
                    parse_time(arg)
                except ValueError:
                    raise RetailError(400, f"{name}: invalid timestamp {arg!r}") from None
        out.append(Condition(name, op, args))
    return out


def _cursor(sort_field: str, id_field: str, record: dict[str, Any]) -> str:
    """An opaque `after`/`before` value: the record's position in the sort (value, id)."""
    raw = json.dumps([sort_field, str(record.get(sort_field, "")), str(record[id_field])])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(text: str, sort_field: str) -> tuple[tuple[int, Any], int]:
    try:
        name, value, rid = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        key = (typed(sort_field, value), int(rid))
    except (ValueError, TypeError, binascii.Error):
        raise RetailError(400, "Invalid cursor") from None
    if name != sort_field:
        raise RetailError(400, "The cursor belongs to a different sort")
    return key


def _walk(table: Table, sort_field: str, *, desc: bool, conditions: list[Condition], limit: int,
          after: str | None, before: str | None) -> tuple[list[int], bool, bool]:
    """Keyset paging over the sort index: (ids of this page, is there a next page, is there a previous page)."""
    index = table.index(sort_field)
    lo, hi = 0, len(index)
    for cond in conditions:  # narrow by a range filter on the sort field itself
        if cond.name != sort_field or cond.op not in (">=", ">", "<=", "<", "><"):
            continue
        first = typed(sort_field, cond.values[0])
        if cond.op in (">=", "><"):
            lo = max(lo, bisect_left(index, (first, -1)))
        elif cond.op == ">":
            lo = max(lo, bisect_right(index, (first, math.inf)))
        elif cond.op == "<=":
            hi = min(hi, bisect_right(index, (first, math.inf)))
        else:
            hi = min(hi, bisect_left(index, (first, -1)))
        if cond.op == "><":
            hi = min(hi, bisect_right(index, (typed(sort_field, cond.values[1]), math.inf)))
    forward = before is None
    ascending = forward != desc  # walking direction over the ascending index
    if after or before:
        key = _decode_cursor(after or before or "", sort_field)
        pos = bisect_right(index, key) if ascending else bisect_left(index, key) - 1
    else:
        pos = lo if ascending else hi - 1
    pos = max(pos, lo) if ascending else min(pos, hi - 1)
    step = 1 if ascending else -1
    records = table.records
    picked: list[int] = []
    more = False
    while lo <= pos < hi:
        rid = index[pos][1]
        if all(c.matches(records[rid]) for c in conditions):
            if len(picked) == limit:
                more = True
                break
            picked.append(rid)
        pos += step
    if forward:
        return picked, more, bool(after)
    picked.reverse()
    return picked, True, more


def _render_contact(contact: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in contact.items() if not isinstance(v, list | dict)}
    for group, child in (("Addresses", "ContactAddress"), ("Phones", "ContactPhone"), ("Emails", "ContactEmail")):
        children = contact.get(group) or []
        out[group] = {child: quirk(children)} if children else ""
    return out


def _load_contact(contact: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in contact.items() if not isinstance(v, list | dict)}
    for group, child in (("Addresses", "ContactAddress"), ("Phones", "ContactPhone"), ("Emails", "ContactEmail")):
        value = contact.get(group)
        out[group] = as_list(value.get(child)) if isinstance(value, dict) else []
    return out


# -- rendering the neutral shop in R-Series form (pure; stored form: strings, relations as lists) --------------------
def _stamp(value: datetime | None) -> str:
    return to_iso(value.timestamp()) if value else ""


def _rate(rate: Decimal) -> str:
    return str((rate / 100).normalize())


def render_customer(customer: neutral.Customer) -> dict[str, Any]:
    """A neutral customer as an R-Series Customer (with its Contact)."""
    address = customer.address
    cid = str(customer.id)
    return {
        "customerID": cid, "firstName": customer.first_name, "lastName": customer.last_name,
        "title": "", "company": customer.company or "", "vatNumber": customer.vat_number or "",
        "companyRegistrationNumber": "", "createTime": _stamp(customer.created_at),
        "timeStamp": _stamp(customer.updated_at), "archived": "false", "contactID": cid,
        "creditAccountID": "0", "customerTypeID": "0", "discountID": "0", "taxCategoryID": "0",
        "Contact": {
            "contactID": cid, "custom": "", "noEmail": "false", "noPhone": "false", "noMail": "false",
            "timeStamp": _stamp(customer.updated_at),
            "Addresses": [{"address1": address.line1, "address2": address.address2 or "", "city": address.city,
                           "state": address.province_code or "", "zip": address.postcode,
                           "country": address.country, "countryCode": address.country,
                           "stateCode": address.province_code or ""}],
            "Phones": [{"number": customer.phone, "useType": "Mobile"}] if customer.phone else [],
            "Emails": [{"address": customer.email, "useType": "Primary"}],
        },
    }


def render_tax_categories(shop: neutral.Shop) -> list[dict[str, Any]]:
    """The shop's sales taxes: one TaxCategory per `VAT_RATES` country (the shop's own country first, id 1), the
    standard rate as the category rate, reduced and zero as TaxCategoryClasses (rates are fractions, as documented)."""
    stamp = _stamp(neutral.CUSTOMER_START)
    countries = [shop.country, *(c for c in neutral.VAT_RATES if c != shop.country)]
    out = []
    for number, country in enumerate(countries, start=1):
        standard, reduced = neutral.VAT_RATES[country]
        cid = str(number)
        classes = [{"taxCategoryClassID": str(number * 10 + index), "tax1Rate": _rate(rate), "tax2Rate": "0",
                    "timeStamp": stamp, "taxCategoryID": cid, "taxClassID": TAX_CLASS_IDS[name]}
                   for index, (name, rate) in enumerate((("reduced", reduced), ("zero", neutral.ZERO)), start=1)]
        out.append({"taxCategoryID": cid, "isTaxInclusive": "true", "tax1Name": f"{TAX_NAMES.get(country, 'VAT')} "
                    f"{country}", "tax2Name": "", "tax1Rate": _rate(standard), "tax2Rate": "0", "timeStamp": stamp,
                    "TaxCategoryClasses": classes})
    return out


def render_shop(shop: neutral.Shop) -> dict[str, Any]:
    """The one physical store; its `taxCategoryID` is the sales tax its register applies (the shop country's)."""
    return {"shopID": SHOP_ID, "name": shop.name, "serviceRate": "0", "timeZone": shop.timezone,
            "taxLabor": "false", "labelTitle": "Shop Name", "labelMsrp": "false", "archived": "false",
            "timeStamp": _stamp(neutral.CUSTOMER_START), "companyRegistrationNumber": "", "vatNumber": "",
            "zebraBrowserPrint": "false", "contactID": "0", "taxCategoryID": "1", "receiptSetupID": "1",
            "vendorID": "0", "ccGatewayID": "0", "gatewayConfigID": "0", "priceLevelID": "1",
            # the store's own address: where POS sales hand the goods over (their place of supply for VAT)
            "Contact": {"contactID": "0", "custom": "", "noEmail": "true", "noPhone": "true", "noMail": "true",
                        "timeStamp": _stamp(neutral.CUSTOMER_START),
                        "Addresses": [{"address1": "Damrak 1", "address2": "", "city": "Amsterdam", "state": "",
                                       "zip": "1012 LG", "country": "Netherlands", "countryCode": neutral.SHOP_COUNTRY,
                                       "stateCode": ""}],
                        "Phones": [], "Emails": []}}


def render_item(variant: neutral.Variant, product: neutral.Product) -> dict[str, Any]:
    """A neutral variant as an R-Series Item; the default price is the shelf price incl. tax."""
    net = neutral.net_of(variant.price, variant.tax_rate)
    description = product.title if variant.title == "Default" else f"{product.title} - {variant.title}"
    return {
        "itemID": str(variant.id), "systemSku": f"2100000{variant.id:05d}", "customSku": variant.sku,
        "manufacturerSku": "", "upc": "", "ean": variant.barcode, "description": description,
        "tax": "true" if variant.tax_rate else "false", "taxClassID": TAX_CLASS_IDS[variant.tax_class],
        "itemType": "default", "archived": "false" if variant.active and product.active else "true",
        "discountable": "true", "serialized": "false",
        "defaultCost": money(neutral.cents(net * Decimal("0.4"))),
        "avgCost": money(neutral.cents(net * Decimal("0.4"))),
        "categoryID": str(product.id), "manufacturerID": "0", "itemMatrixID": str(product.id),
        "createTime": _stamp(product.created_at), "timeStamp": _stamp(product.updated_at),
        "Prices": [{"amount": money(variant.price), "useTypeID": "1", "useType": "Default"},
                   {"amount": money(variant.price), "useTypeID": "2", "useType": "MSRP"}],
    }


def _sale_header(order: neutral.Order, sale_id: int, customer_id: str) -> dict[str, Any]:
    return {
        "saleID": str(sale_id), "timeStamp": _stamp(order.updated_at), "createTime": _stamp(order.created_at),
        "updateTime": _stamp(order.updated_at), "archived": "false",
        "isTaxInclusive": str(order.prices_include_tax).lower(),
        "referenceNumber": str(order.number), "referenceNumberSource": "", "tax1Rate": "0", "tax2Rate": "0",
        "change": "0", "receiptPreference": "printed", "calcTips": "0", "calcTax2": "0",
        "customerID": customer_id, "employeeID": "1", "registerID": "1", "shopID": "1", "shipToID": "0",
        "taxCategoryID": "1", "quoteID": "0", "discountID": "0",
    }


def render_sales(order: neutral.Order, customers: dict[int, neutral.Customer]) -> list[dict[str, Any]]:
    """A neutral order as its R-Series Sale plus one return Sale per refund."""
    customer_id = str(order.customer_id) if order.customer_id in customers else "0"
    sale = _sale_header(order, order.id, customer_id)
    taxable = sum((ln.total_excl for ln in order.lines if ln.tax_rate), neutral.ZERO)
    lines = [_sale_line(order, sale_id=order.id, line_id=str(ln.id), item_id=ln.variant_id, quantity=ln.quantity,
                        unit_price=ln.unit_price, subtotal_excl=ln.gross_excl, discount_excl=ln.discount_excl,
                        discount=ln.discount, rate=ln.tax_rate, tax=ln.tax_amount, total_incl=ln.total_incl,
                        displayable=ln.total_incl if order.prices_include_tax else ln.total_excl)
             for ln in order.lines]
    for ship in order.shipping_lines:
        lines.append(_sale_line(order, sale_id=order.id, line_id=str(ship.id), item_id=None, quantity=1,
                                unit_price=ship.price, subtotal_excl=ship.price_excl, discount_excl=neutral.ZERO,
                                discount=neutral.ZERO, rate=ship.tax_rate, tax=ship.tax_amount,
                                total_incl=ship.price_incl, displayable=ship.price))
        if ship.tax_rate:
            taxable += ship.price_excl
    paid = sum((p.amount for p in order.payments if p.kind == "sale" and p.status == "success"), neutral.ZERO)
    top_rate = max((ln.tax_rate for ln in order.lines), default=neutral.ZERO)
    sale.update({
        "completed": "true" if order.paid_at is not None else "false",
        "voided": "true" if order.financial_status == "voided" else "false",
        "completeTime": _stamp(order.paid_at), "ticketNumber": f"22{order.id:010d}", "tax1Rate": _rate(top_rate),
        "calcDiscount": money(order.discount_total_excl),
        "calcSubtotal": money(order.lines_total_excl + order.shipping_total_excl),
        "calcTaxable": money(taxable), "calcNonTaxable": money(order.total_excl - taxable),
        "calcTax1": money(order.total_tax), "calcTotal": money(order.grand_total), "total": money(order.grand_total),
        "totalDue": money(order.grand_total), "displayableTotal": money(order.grand_total),
        "taxTotal": money(order.total_tax), "calcPayments": money(paid), "balance": money(order.grand_total - paid),
        "displayableSubtotal": money(order.subtotal + (order.shipping_total_incl if order.prices_include_tax
                                                        else order.shipping_total_excl)),
        "SaleLines": lines,
        "SalePayments": [_payment(order.id, p) for p in order.payments if p.kind == "sale" and p.status == "success"],
    })
    sales = [sale]
    by_line = {ln.id: ln for ln in order.lines}
    for refund in order.refunds:
        sales.append(_return_sale(order, refund, by_line, customer_id))
    return sales


def _sale_line(order: neutral.Order, *, sale_id: int, line_id: str, item_id: int | None, quantity: int,
               unit_price: Decimal, subtotal_excl: Decimal, discount_excl: Decimal, discount: Decimal, rate: Decimal,
               tax: Decimal, total_incl: Decimal, displayable: Decimal, parent: str = "0") -> dict[str, Any]:
    """One SaleLine; `subtotal_excl` is before discount, `displayable` the line total in the pricing mode."""
    return {
        "saleLineID": line_id, "saleID": str(sale_id), "createTime": _stamp(order.created_at),
        "timeStamp": _stamp(order.updated_at), "unitQuantity": str(quantity), "unitPrice": money(unit_price),
        "normalUnitPrice": money(unit_price), "discountAmount": money(discount), "discountPercent": "0",
        "avgCost": "0", "fifoCost": "0", "tax": "true" if rate else "false", "tax1Rate": _rate(rate), "tax2Rate": "0",
        "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
        "displayableSubtotal": money(displayable), "displayableUnitPrice": money(unit_price),
        "calcLineDiscount": money(discount_excl), "calcTransactionDiscount": "0", "calcTotal": money(total_incl),
        "calcSubtotal": money(subtotal_excl), "calcTax1": money(tax), "calcTax2": "0",
        "taxClassID": "1" if rate else "3", "customerID": "0", "discountID": "0", "employeeID": "1",
        "itemID": str(item_id or 0), "noteID": "0", "parentSaleLineID": parent, "shopID": "1",
        "taxCategoryID": "1", "lineType": "SaleLine",
    }


def _payment(sale_id: int, payment: neutral.Payment) -> dict[str, Any]:
    type_id = PAYMENT_TYPES.get(payment.gateway, ("1", "", ""))[0]
    amount = payment.amount if payment.kind == "sale" else -payment.amount
    return {"salePaymentID": str(payment.id), "saleID": str(sale_id), "amount": money(amount),
            "createTime": _stamp(payment.processed_at), "archived": "false", "paymentTypeID": type_id,
            "registerID": "1", "employeeID": "1", "creditAccountID": "0"}


def _return_sale(order: neutral.Order, refund: neutral.Refund, by_line: dict[int, neutral.OrderLine],
                 customer_id: str) -> dict[str, Any]:
    sale_id = RETURN_SALE_OFFSET + refund.id
    sale = _sale_header(order, sale_id, customer_id)
    at = _stamp(refund.created_at)
    lines: list[dict[str, Any]] = []
    for back in refund.lines:
        sold = by_line[back.line_id]
        lines.append(_sale_line(
            order, sale_id=sale_id, line_id=str(RETURN_SALE_OFFSET + refund.id * 100 + len(lines) + 1),
            item_id=sold.variant_id, quantity=-back.quantity, unit_price=sold.unit_price,
            subtotal_excl=-back.amount_excl, discount_excl=neutral.ZERO, discount=neutral.ZERO, rate=sold.tax_rate,
            tax=-back.tax_amount, total_incl=-back.amount_incl,
            displayable=-(back.amount_incl if order.prices_include_tax else back.amount_excl), parent=str(sold.id)))
    if refund.shipping_incl:
        ship = order.shipping_lines[0]
        lines.append(_sale_line(
            order, sale_id=sale_id, line_id=str(RETURN_SALE_OFFSET + refund.id * 100 + len(lines) + 1), item_id=None,
            quantity=-1, unit_price=ship.price, subtotal_excl=-refund.shipping_excl, discount_excl=neutral.ZERO,
            discount=neutral.ZERO, rate=ship.tax_rate, tax=-refund.shipping_tax, total_incl=-refund.shipping_incl,
            displayable=-(refund.shipping_incl if order.prices_include_tax else refund.shipping_excl),
            parent=str(ship.id)))
    for line in lines:
        line["createTime"] = line["timeStamp"] = at
    subtotal = sum((Decimal(line["calcSubtotal"]) for line in lines), neutral.ZERO)
    taxable = sum((Decimal(line["calcSubtotal"]) for line in lines if line["tax"] == "true"), neutral.ZERO)
    refund_payment = next((p for p in order.payments if p.kind == "refund" and p.processed_at == refund.created_at
                           and p.amount == refund.amount), None)
    payments = [_payment(sale_id, refund_payment)] if refund_payment else []
    sale.update({
        "timeStamp": at, "createTime": at, "updateTime": at, "completeTime": at, "completed": "true",
        "voided": "false", "ticketNumber": f"22{sale_id:010d}",
        "tax1Rate": _rate(max((by_line[b.line_id].tax_rate for b in refund.lines), default=neutral.ZERO)),
        "calcDiscount": "0.00", "calcSubtotal": money(subtotal), "calcTaxable": money(taxable),
        "calcNonTaxable": money(subtotal - taxable), "calcTax1": money(-refund.tax_amount),
        "calcTotal": money(-refund.amount), "total": money(-refund.amount), "totalDue": money(-refund.amount),
        "displayableTotal": money(-refund.amount), "taxTotal": money(-refund.tax_amount),
        "calcPayments": money(-refund.amount if payments else neutral.ZERO),
        "balance": money(neutral.ZERO if payments else -refund.amount),
        "displayableSubtotal": money(sum((Decimal(line["displayableSubtotal"]) for line in lines), neutral.ZERO)),
        "SaleLines": lines, "SalePayments": payments,
    })
    return sale
