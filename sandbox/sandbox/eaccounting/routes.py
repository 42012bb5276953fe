"""The Visma eAccounting API v2 stand-in, what a request does: the token endpoint, `/v2/...` resources, paging,
$filter, the rate limit (`auth`, `limits`, `store` and `contract` hold the rules; this module routes).

Credentials (class constants, each overridable by a constructor keyword of the same name in lower case):
    CLIENT_ID = "sandbox-eaccounting-client", CLIENT_SECRET = "sandbox-eaccounting-secret",
    REFRESH_TOKEN = "sandbox-eaccounting-refresh-token" (the initial refresh token; single use, it rotates),
    AUTHORIZATION_CODE = "sandbox-eaccounting-code" (single use, any redirect_uri).

Paths below `server.base_url` (the real hosts are identity.vismaonline.com and eaccountingapi.vismaonline.com):
    POST /connect/token    form: grant_type=refresh_token&refresh_token=... (or authorization_code&code=...);
                           client auth by HTTP Basic (client_id:client_secret) or client_id/client_secret form
                           fields. 200 {"access_token", "token_type": "Bearer", "expires_in": 3600,
                           "refresh_token", "scope"}; the used refresh token dies (rotation). Errors are
                           IdentityServer's: 400 {"error": "invalid_client" | "invalid_grant" |
                           "unsupported_grant_type" | "invalid_request"}.
    /v2/companysettings (GET), /v2/termsofpayments, /v2/units, /v2/vatcodes, /v2/articleaccountcodings,
    /v2/countries, /v2/fiscalyears (GET list + GET /{id}),
    /v2/customers (GET, POST; GET/PUT/DELETE /{id}), /v2/articles (GET, POST; GET/PUT /{id}),
    /v2/customerinvoicedrafts (GET, POST; GET/PUT/DELETE /{id}; POST /{id}/convert -> 201 invoice),
    /v2/customerinvoices (GET [+ modifiedSinceUtc], POST, GET /{id}),
    /v2/orders (GET, POST; GET/PUT/DELETE /{id}; POST /{id}/convert -> 201 invoice).

Lists take `$page` (1-based), `$pagesize` (default 50, clamped to `max_page_size`, 1000 unless configured: the
real maximum is not documented), `$filter`, `$orderby`, `$select` and answer
{"Meta": {"CurrentPage", "PageSize", "TotalNumberOfPages", "TotalNumberOfResults", "ServerTimeUtc"}, "Data": [...]}.

Errors use Visma's CommonExtendedBadRequest {"ErrorCode", "DeveloperErrorMessage", "ErrorId", "Errors"?}:
401 + ErrorCode 4005 for a missing/unknown/expired/revoked bearer token; 400 2000 for schema violations (one
`Errors[]` entry per field); 400 3000 for an unknown CustomerId/ArticleId/CodingId/UnitId/TermsOfPaymentId in a
body, 404 3000 for an unknown id in the path; 400 4000 for a duplicate CustomerNumber or article Number; 400 4025
for a malformed VatNumber; 400 4035 for ForceBookkeepVat on an EU customer; 400 6000 for a bad query parameter.
Rate limit: `rate_limit` calls (600) per `rate_window` seconds (60) per client and endpoint (first path segment,
e.g. "customers"), fixed window, then 429 {"ErrorCode": 4010, "DeveloperErrorMessage": "API calls quota exceeded!
maximum admitted 600 per Minute. Try again in N seconds.", "ErrorId"} without headers, as documented;
`retry_after_header=True` adds Retry-After. There is no documented daily quota, so `exhaust_daily_limit()` keeps
the base class's refusal. Seeded ids: see sandbox.eaccounting.seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.core import BodyError, Request, Response, Vendor, to_plain
from sandbox.eaccounting import odata
from sandbox.eaccounting import seed as seeds
from sandbox.eaccounting.auth import TOKEN_TTL, Tokens
from sandbox.eaccounting.contract import (
    DATA_MODEL_VALIDATION,
    JSON_TYPE,
    QUERY_PARAMETER_ERROR,
    ApiError,
    clone,
    dumps,
    new_id,
    not_found,
    stamp,
)
from sandbox.eaccounting.limits import RateLimit
from sandbox.eaccounting.store import FIRST_INVOICE_NUMBER, Company, Resource

Entity = dict[str, Any]
COLLECTIONS = ("customers", "articles", "drafts", "invoices", "orders")  # the company's documents: `<name>_by_id`


def _copies(name: str) -> Callable[[EAccounting], list[Entity]]:
    """A test helper method: deep copies of one of `COLLECTIONS`, in creation order."""
    return lambda vendor: clone(list(getattr(vendor.store, f"{name}_by_id").values()))


class EAccounting(Vendor):
    """Visma eAccounting / Spiris Bokföring & Fakturering API v2 stand-in (registry name "eaccounting")."""

    name = "eaccounting"
    CLIENT_ID = "sandbox-eaccounting-client"
    CLIENT_SECRET = "sandbox-eaccounting-secret"
    REFRESH_TOKEN = "sandbox-eaccounting-refresh-token"
    AUTHORIZATION_CODE = "sandbox-eaccounting-code"
    TOKEN_TTL = TOKEN_TTL
    RATE_LIMIT = 600
    RATE_WINDOW = 60.0
    DEFAULT_PAGE_SIZE = 50
    MAX_PAGE_SIZE = 1000
    FIRST_INVOICE_NUMBER = FIRST_INVOICE_NUMBER

    def __init__(self, *, seed: str | None = None, orders: int = 50, country: str = "SE",
                 client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 authorization_code: str = AUTHORIZATION_CODE, rate_limit: int = RATE_LIMIT,
                 rate_window: float = RATE_WINDOW, max_page_size: int = MAX_PAGE_SIZE,
                 show_prices_excl_vat_pc: bool = False, domestic_currency_rounding: int | None = None,
                 retry_after_header: bool = False, clock: Callable[[], float] = time.time) -> None:
        if country.upper() not in seeds.SEEDS:
            raise ValueError(f"unknown country {country!r}; expected one of {', '.join(seeds.SEEDS)}")
        self.seed_name = seed  # an accounting company starts empty; `seed` and `orders` only exist for the registry
        self.country = country.upper()
        self.client_id, self.client_secret = client_id, client_secret
        self.initial_refresh_token, self.authorization_code = refresh_token, authorization_code
        self.rate_limit, self.rate_window, self.max_page_size = rate_limit, rate_window, max_page_size
        self.show_prices_excl_vat_pc = show_prices_excl_vat_pc
        self.domestic_currency_rounding = domestic_currency_rounding
        self.retry_after_header = retry_after_header
        self.clock = clock
        self.reset()

    # -- state ------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.tokens = Tokens(client_id=self.client_id, client_secret=self.client_secret,
                             refresh_token=self.initial_refresh_token, authorization_code=self.authorization_code,
                             clock=self._clock)
        self.limits = RateLimit(limit=self.rate_limit, window=self.rate_window,
                                retry_after_header=self.retry_after_header, clock=self._clock)
        self.store = Company(self.country, now=self._now, show_prices_excl_vat_pc=self.show_prices_excl_vat_pc,
                             domestic_currency_rounding=self.domestic_currency_rounding)

    def dump(self) -> dict[str, Any]:
        s = self.store
        plain: dict[str, Any] = to_plain({
            "country": self.country, "company": s.company,
            "reference": {k: list(v.values()) for k, v in s.reference.items()},
            **{name: list(getattr(s, f"{name}_by_id").values()) for name in COLLECTIONS},
            "tokens": {"access": len(self.tokens.access), "refresh": len(self.tokens.refresh)},
        })
        return plain

    def revoke_tokens(self) -> None:
        self.tokens.revoke()

    def issue_tokens(self, client_id: str | None = None) -> dict[str, Any]:
        """Mint an access + refresh token pair for `client_id` (what the token endpoint returns)."""
        return self.tokens.issue(client_id)

    # Python helpers for tests: deep copies, Decimal money.
    customers = _copies("customers")
    articles = _copies("articles")
    drafts = _copies("drafts")
    invoices = _copies("invoices")
    orders = _copies("orders")

    def create(self, resource: str, body: Entity) -> Entity:
        """Create an entity as `POST /v2/{resource}` would (same validation, ids, totals); raises ApiError.

        `resource` is one of customers, articles, customerinvoicedrafts, customerinvoices, orders. Meant for tests
        and benchmarks that need many documents without paying an HTTP round trip each.
        """
        found = self.store.resources.get(resource)
        if found is None:
            raise ValueError(f"cannot create {resource!r}")
        return clone(found.save(body, None))

    # -- HTTP entry ---------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path == "/connect/token":
            status, body = self.tokens.grant(req)
            return _json(body, status, {"Cache-Control": "no-store", "Pragma": "no-cache"})
        if not path.lower().startswith("/v2/"):
            return _no_resource(req.path)
        try:
            client = self.tokens.authenticate(req)
            parts = path[len("/v2/"):].split("/")
            parts[0] = parts[0].lower()
            limited = self.limits.take(client, parts[0])
            if limited is not None:
                return _json(limited[0], 429, limited[1])
            return self._route(req, parts)
        except ApiError as exc:
            return self._error(exc)
        except odata.QueryError as exc:
            return self._error(ApiError(400, QUERY_PARAMETER_ERROR, str(exc)))
        except BodyError as exc:
            return self._error(ApiError(400, DATA_MODEL_VALIDATION, f"The request body is not valid JSON: {exc}"))

    def _error(self, exc: ApiError) -> Response:
        body: Entity = {"ErrorCode": exc.code, "DeveloperErrorMessage": exc.message, "ErrorId": new_id()}
        if exc.errors:
            body["Errors"] = [e.to_json() for e in exc.errors]
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else {}
        return _json(body, exc.status, headers)

    # -- routing ----------------------------------------------------------------------------------------
    def _route(self, req: Request, parts: list[str]) -> Response:
        resource, rest, method = parts[0], parts[1:], req.method
        if resource == "companysettings" and not rest:
            return self._only(method, "GET") or _json(self.store.company)
        if resource in self.store.reference:
            table = self.store.reference[resource]
            if not rest:
                return self._only(method, "GET") or self._list(req, list(table.values()))
            if len(rest) == 1:
                key = rest[0].upper() if resource == "countries" else rest[0].lower()
                if key not in table:
                    raise not_found(resource, rest[0])
                return self._only(method, "GET") or _json(table[key])
        found = self.store.resources.get(resource)
        if found is None:
            return _no_resource(req.path)
        if len(rest) == 2 and rest[1].lower() == "convert" and found.what in ("Draft", "Order"):
            return self._only(method, "POST") or self._convert(found.what, rest[0].lower(), req)
        if found.what == "Invoice" and method in ("PUT", "DELETE"):
            return _method_not_allowed(method)
        if found.what == "Invoice" and not rest and method == "GET":
            return self._list(req, self.store.invoices_since(req.arg("modifiedSinceUtc")))
        return self._crud(req, rest, found)

    @staticmethod
    def _only(method: str, allowed: str) -> Response | None:
        return None if method == allowed else _method_not_allowed(method)

    def _crud(self, req: Request, rest: list[str], resource: Resource) -> Response:
        if not rest:
            if req.method == "GET":
                return self._list(req, list(resource.by_id.values()))
            if req.method == "POST":
                return _json(resource.save(req.json(exact=True), None), 201)
            return _method_not_allowed(req.method)
        if len(rest) != 1:
            return _no_resource(req.path)
        ident = rest[0].lower()
        existing = resource.by_id.get(ident)
        if existing is None:
            raise not_found(resource.what, rest[0])
        if req.method == "GET":
            return _json(existing)
        if req.method == "PUT":
            return _json(resource.save(req.json(exact=True), existing))
        if req.method == "DELETE" and resource.delete is not None:
            resource.delete(ident)
            return Response(200, b"", {"Content-Type": JSON_TYPE})
        return _method_not_allowed(req.method)

    def _list(self, req: Request, items: list[Entity]) -> Response:
        page = _int_arg(req, "$page", 1)
        size = _int_arg(req, "$pagesize", self.DEFAULT_PAGE_SIZE)
        if page < 1 or size < 1:
            raise ApiError(400, QUERY_PARAMETER_ERROR, "$page and $pagesize must be positive integers.")
        size = min(size, self.max_page_size)
        text = req.arg("$filter")
        if text is not None:
            predicate = odata.compile_filter(text)
            items = [e for e in items if predicate(e)]
        orderby = req.arg("$orderby")
        if orderby:
            items = odata.sort_entities(items, odata.parse_orderby(orderby))
        total = len(items)
        data = items[(page - 1) * size: page * size]
        select = req.arg("$select")
        if select:
            names = odata.parse_select(select)
            if data and any(n not in data[0] for n in names):
                raise ApiError(400, QUERY_PARAMETER_ERROR, f"Invalid $select '{select}'")
            data = [{n: e[n] for n in names} for e in data]
        meta = {"CurrentPage": page, "PageSize": size, "TotalNumberOfPages": math.ceil(total / size),
                "TotalNumberOfResults": total, "ServerTimeUtc": stamp(self._now())}
        return _json({"Meta": meta, "Data": data})

    # -- conversions ------------------------------------------------------------------------------------
    def _convert(self, what: str, ident: str, req: Request) -> Response:
        if what == "Order":
            return _json(self.store.convert_order(ident), 201)
        if ident not in self.store.drafts_by_id:
            raise not_found("CustomerInvoiceDraft", ident)
        keep = (req.arg("keepOriginalDraftDate") or "").lower() == "true"
        return _json(self.store.convert_draft(ident, req.json(exact=True) if req.body else None, keep), 201)

    def _clock(self) -> float:
        return self.clock()  # late-bound: tests replace `clock` on a running stand-in

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)


def _int_arg(req: Request, name: str, default: int) -> int:
    raw = req.arg(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ApiError(400, QUERY_PARAMETER_ERROR, f"The value '{raw}' is not valid for {name}.") from exc


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, dumps(body).encode("utf-8"), {"Content-Type": JSON_TYPE, **(headers or {})})


def _no_resource(path: str) -> Response:
    return _json({"Message": f"No HTTP resource was found that matches the request URI '{path}'."}, 404)


def _method_not_allowed(method: str) -> Response:
    return _json({"Message": f"The requested resource does not support http method '{method}'."}, 405)
