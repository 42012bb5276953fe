"""The Visma eAccounting API v2 stand-in: OAuth2 token endpoint, `/v2/...` resources, paging, $filter, rate limit.

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

import base64
import functools
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from sandbox.core import Request, Response, Vendor
from sandbox.eaccounting import odata, totals
from sandbox.eaccounting import seed as seeds
from sandbox.eaccounting.schema import FieldError, clone, dumps, loads, new_id, parse_date, template, to_plain
from sandbox.eaccounting.schema import validate as validate_schema
from sandbox.eaccounting.schema import writable as writable_fields

Entity = dict[str, Any]
JSON_TYPE = "application/json; charset=utf-8"
SCOPE = "ea:api ea:sales ea:accounting_readonly offline_access"
VAT_NUMBER_FORMAT = r"^[A-Z]{2}[0-9A-Za-z]{8,12}$"

# error codes from Visma's catalogue
DATA_MODEL_VALIDATION = 2000
RESOURCE_NOT_FOUND = 3000
CONFLICT = 4000
CAN_NOT_BE_DELETED = 4001
CAN_NOT_BE_CREATED_OR_UPDATED = 4002
NOT_AUTHORIZED = 4005
TOO_MANY_REQUESTS = 4010
INVALID_VAT_NUMBER = 4025
INVALID_FORCE_BOOKKEEP_VAT = 4035
QUERY_PARAMETER_ERROR = 6000
INVALID_INPUT = 6001

# kind -> (collection path, document schema, row schema, Quantity decimals)
DOCUMENTS = {
    "draft": ("customerinvoicedrafts", "CustomerInvoiceDraftApi", "CustomerInvoiceDraftRowApi", 2),
    "invoice": ("customerinvoices", "CustomerInvoiceApi", "CustomerInvoiceRowApi", 4),
    "order": ("orders", "OrderApi", "OrderRowApi", 4),
}


class ApiError(Exception):
    """Raised inside a handler; becomes one Visma-shaped error response."""

    def __init__(self, status: int, code: int, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def _validation_error(errors: list[FieldError], code: int = DATA_MODEL_VALIDATION) -> ApiError:
    message = " ".join(f"{e.field}: {e.message}" for e in errors)
    return ApiError(400, code, message, errors)


def _not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, RESOURCE_NOT_FOUND, f"{what} with id {ident} was not found.")


@dataclass
class _Window:
    start: float
    count: int


class EAccounting(Vendor):
    """Visma eAccounting / Spiris Bokföring & Fakturering API v2 stand-in (registry name "eaccounting")."""

    name = "eaccounting"
    CLIENT_ID = "sandbox-eaccounting-client"
    CLIENT_SECRET = "sandbox-eaccounting-secret"
    REFRESH_TOKEN = "sandbox-eaccounting-refresh-token"
    AUTHORIZATION_CODE = "sandbox-eaccounting-code"
    TOKEN_TTL = 3600
    RATE_LIMIT = 600
    RATE_WINDOW = 60.0
    DEFAULT_PAGE_SIZE = 50
    MAX_PAGE_SIZE = 1000
    FIRST_INVOICE_NUMBER = 1001

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
        country = seeds.SEEDS[self.country]
        now = self._now()
        self._access: dict[str, tuple[str, float]] = {}
        self._refresh: dict[str, str] = {self.initial_refresh_token: self.client_id}
        self._codes_used: set[str] = set()
        self._windows: dict[tuple[str, str], _Window] = {}
        rounding = country.company["DomesticCurrencyRounding"]
        if self.domestic_currency_rounding is not None:
            rounding = self.domestic_currency_rounding
        self.company: Entity = {
            **country.company, "Address2": None, "MobilePhone": None, "Website": None, "OurReference": None,
            "TermsOfPaymentId": seeds.TERMS_30, "ShowPricesExclVatPC": self.show_prices_excl_vat_pc,
            "DomesticCurrencyRounding": rounding, "ProductVariant": 1, "CompanyStatus": 1,
            "UsesMoss": country.uses_moss,
            "UsesVatTriangulationRules": False, "UsesRotReducedInvoicing": self.country == "SE",
            "UsesPaymentReferenceNumber": False, "KeepOriginalDraftDate": False,
            "NextCustomerNumber": 2, "NextCustomerInvoiceNumber": self.FIRST_INVOICE_NUMBER, "NextOrderNumber": 1,
            "NextArticleNumber": 1, "CompanyIdentifier": f"sandbox-{self.country.lower()}",
        }
        self.reference: dict[str, dict[str, Entity]] = {
            "termsofpayments": {e["Id"]: e for e in seeds.terms_of_payment(country)},
            "units": {e["Id"]: e for e in seeds.units(country)},
            "articleaccountcodings": {e["Id"]: e for e in seeds.codings(country, _stamp(now))},
            "vatcodes": {e["Id"]: e for e in seeds.vat_codes(country)},
            "countries": {e["Code"]: e for e in seeds.countries(country)},
            "fiscalyears": {e["Id"]: e for e in seeds.fiscal_years(now.year)},
        }
        self._customers: dict[str, Entity] = {}
        self._articles: dict[str, Entity] = {}
        self._drafts: dict[str, Entity] = {}
        self._invoices: dict[str, Entity] = {}
        self._orders: dict[str, Entity] = {}
        self._customer_numbers: dict[str, str] = {}
        self._article_numbers: dict[str, str] = {}
        self._voucher_seq = 0
        default = self._save_customer({
            **country.default_customer, "IsActive": True, "IsPrivatePerson": True, "CustomerNumber":
            seeds.DEFAULT_CUSTOMER_NUMBER, "TermsOfPaymentId": seeds.TERMS_CASH}, None)
        self._customers.pop(default["Id"])
        default["Id"] = seeds.DEFAULT_CUSTOMER_ID
        self._customers[default["Id"]] = default
        self._customer_numbers[seeds.DEFAULT_CUSTOMER_NUMBER] = default["Id"]

    def dump(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain({
            "country": self.country, "company": self.company,
            "reference": {k: list(v.values()) for k, v in self.reference.items()},
            "customers": list(self._customers.values()), "articles": list(self._articles.values()),
            "drafts": list(self._drafts.values()), "invoices": list(self._invoices.values()),
            "orders": list(self._orders.values()),
            "tokens": {"access": len(self._access), "refresh": len(self._refresh)},
        })
        return plain

    def revoke_tokens(self) -> None:
        self._access.clear()
        self._refresh.clear()

    # Python helpers for tests: deep copies, Decimal money.
    def customers(self) -> list[Entity]:
        return clone(list(self._customers.values()))

    def articles(self) -> list[Entity]:
        return clone(list(self._articles.values()))

    def drafts(self) -> list[Entity]:
        return clone(list(self._drafts.values()))

    def invoices(self) -> list[Entity]:
        return clone(list(self._invoices.values()))

    def orders(self) -> list[Entity]:
        return clone(list(self._orders.values()))

    def create(self, resource: str, body: Entity) -> Entity:
        """Create an entity as `POST /v2/{resource}` would (same validation, ids, totals); raises ApiError.

        `resource` is one of customers, articles, customerinvoicedrafts, customerinvoices, orders. Meant for tests
        and benchmarks that need many documents without paying an HTTP round trip each.
        """
        if resource == "customers":
            return clone(self._save_customer(body, None))
        if resource == "articles":
            return clone(self._save_article(body, None))
        for kind, (collection, *_unused) in DOCUMENTS.items():
            if collection == resource:
                return clone(self._save_document(kind, body, None))
        raise ValueError(f"cannot create {resource!r}")

    def issue_tokens(self, client_id: str | None = None) -> dict[str, Any]:
        """Mint an access + refresh token pair for `client_id` (what the token endpoint returns)."""
        client = client_id or self.client_id
        access, refresh = secrets.token_hex(32), secrets.token_hex(32)
        self._access[access] = (client, self.clock() + self.TOKEN_TTL)
        self._refresh[refresh] = client
        return {"access_token": access, "expires_in": self.TOKEN_TTL, "token_type": "Bearer",
                "refresh_token": refresh, "scope": SCOPE}

    # -- HTTP entry ---------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path == "/connect/token":
            return self._token(req)
        if not path.lower().startswith("/v2/"):
            return _json({"Message": f"No HTTP resource was found that matches the request URI '{req.path}'."}, 404)
        try:
            client = self._authenticate(req)
            parts = path[len("/v2/"):].split("/")
            parts[0] = parts[0].lower()
            limited = self._rate_limit(client, parts[0])
            if limited is not None:
                return limited
            return self._route(req, parts)
        except ApiError as exc:
            return self._error(exc)
        except odata.QueryError as exc:
            return self._error(ApiError(400, QUERY_PARAMETER_ERROR, str(exc)))

    def _error(self, exc: ApiError) -> Response:
        body: Entity = {"ErrorCode": exc.code, "DeveloperErrorMessage": exc.message, "ErrorId": new_id()}
        if exc.errors:
            body["Errors"] = [e.to_json() for e in exc.errors]
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else {}
        return _json(body, exc.status, headers)

    # -- OAuth2 -----------------------------------------------------------------------------------------
    def _token(self, req: Request) -> Response:
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        if req.method != "POST":
            return _json({"error": "invalid_request"}, 400, headers)
        form = req.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = req.header("authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
            except ValueError:
                return _json({"error": "invalid_client"}, 400, headers)
            user, _, password = decoded.partition(":")
            client_id, client_secret = unquote(user), unquote(password)
        if client_id != self.client_id or client_secret != self.client_secret:
            return _json({"error": "invalid_client"}, 400, headers)
        grant = form.get("grant_type")
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if self._refresh.get(token) != client_id:
                return _json({"error": "invalid_grant"}, 400, headers)
            del self._refresh[token]  # rotation: a refresh token works once
            return _json(self.issue_tokens(client_id), 200, headers)
        if grant == "authorization_code":
            code = form.get("code", "")
            if code != self.authorization_code or code in self._codes_used:
                return _json({"error": "invalid_grant"}, 400, headers)
            self._codes_used.add(code)
            return _json(self.issue_tokens(client_id), 200, headers)
        if not grant:
            return _json({"error": "invalid_request"}, 400, headers)
        return _json({"error": "unsupported_grant_type"}, 400, headers)

    def _authenticate(self, req: Request) -> str:
        auth = req.header("authorization") or ""
        if not auth.lower().startswith("bearer "):
            raise ApiError(401, NOT_AUTHORIZED, "Authorization has been denied for this request.")
        entry = self._access.get(auth[7:].strip())
        if entry is None:
            raise ApiError(401, NOT_AUTHORIZED, "Authorization has been denied for this request.")
        client, expires = entry
        if self.clock() >= expires:
            del self._access[auth[7:].strip()]
            raise ApiError(401, NOT_AUTHORIZED, "Authorization has been denied for this request: token expired.")
        return client

    def _rate_limit(self, client: str, endpoint: str) -> Response | None:
        now = self.clock()
        window = self._windows.get((client, endpoint))
        if window is None or now - window.start >= self.rate_window:
            window = self._windows[(client, endpoint)] = _Window(now, 0)
        if window.count >= self.rate_limit:
            wait = max(1, math.ceil(window.start + self.rate_window - now))
            unit = "Minute" if self.rate_window == 60 else f"{self.rate_window:g} Seconds"
            body = {"ErrorCode": TOO_MANY_REQUESTS, "ErrorId": new_id(),
                    "DeveloperErrorMessage": f"API calls quota exceeded! maximum admitted {self.rate_limit} per "
                                             f"{unit}. Try again in {wait} seconds."}
            return _json(body, 429, {"Retry-After": str(wait)} if self.retry_after_header else {})
        window.count += 1
        return None

    # -- routing ----------------------------------------------------------------------------------------
    def _route(self, req: Request, parts: list[str]) -> Response:
        resource, rest, method = parts[0], parts[1:], req.method
        if resource == "companysettings" and not rest:
            return self._only(method, "GET") or _json(self.company)
        if resource in self.reference:
            table = self.reference[resource]
            if not rest:
                return self._only(method, "GET") or self._list(req, list(table.values()))
            if len(rest) == 1:
                key = rest[0].upper() if resource == "countries" else rest[0].lower()
                if key not in table:
                    raise _not_found(resource, rest[0])
                return self._only(method, "GET") or _json(table[key])
        if resource == "customers":
            return self._crud(req, rest, self._customers, what="Customer", save=self._save_customer,
                              delete=self._delete_customer)
        if resource == "articles":
            return self._crud(req, rest, self._articles, what="Article", save=self._save_article, delete=None)
        for kind, (collection, *_unused) in DOCUMENTS.items():
            if resource != collection:
                continue
            store = self._store(kind)
            if len(rest) == 2 and rest[1].lower() == "convert" and kind in ("draft", "order"):
                return self._only(method, "POST") or self._convert(kind, rest[0].lower(), req)
            if kind == "invoice" and method in ("PUT", "DELETE"):
                return _method_not_allowed(method)
            if kind == "invoice" and not rest and method == "GET":
                return self._list(req, self._invoices_since(req))
            return self._crud(req, rest, store, what=kind.capitalize(),
                              save=functools.partial(self._save_document, kind),
                              delete=None if kind == "invoice" else store.pop)
        return _json({"Message": f"No HTTP resource was found that matches the request URI '{req.path}'."}, 404)

    @staticmethod
    def _only(method: str, allowed: str) -> Response | None:
        return None if method == allowed else _method_not_allowed(method)

    def _crud(self, req: Request, rest: list[str], store: dict[str, Entity], *, what: str,
              save: Callable[[Any, Entity | None], Entity], delete: Callable[[str], Any] | None) -> Response:
        if not rest:
            if req.method == "GET":
                return self._list(req, list(store.values()))
            if req.method == "POST":
                return _json(save(_body(req), None), 201)
            return _method_not_allowed(req.method)
        if len(rest) != 1:
            return _json({"Message": f"No HTTP resource was found that matches the request URI '{req.path}'."}, 404)
        ident = rest[0].lower()
        existing = store.get(ident)
        if existing is None:
            raise _not_found(what, rest[0])
        if req.method == "GET":
            return _json(existing)
        if req.method == "PUT":
            return _json(save(_body(req), existing))
        if req.method == "DELETE" and delete is not None:
            delete(ident)
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
                "TotalNumberOfResults": total, "ServerTimeUtc": _stamp(self._now())}
        return _json({"Meta": meta, "Data": data})

    def _invoices_since(self, req: Request) -> list[Entity]:
        since = req.arg("modifiedSinceUtc")
        items = list(self._invoices.values())
        if since is None:
            return items
        try:
            cutoff = _aware(parse_date(since))
        except ValueError as exc:
            raise ApiError(400, INVALID_INPUT, f"modifiedSinceUtc '{since}' is not a valid date time.") from exc
        return [e for e in items if _aware(parse_date(e["ModifiedUtc"])) >= cutoff]

    def _store(self, kind: str) -> dict[str, Entity]:
        return {"draft": self._drafts, "invoice": self._invoices, "order": self._orders}[kind]

    # -- customers --------------------------------------------------------------------------------------
    def _save_customer(self, body: Any, existing: Entity | None) -> Entity:
        errors = validate_schema("CustomerApi", body)
        if errors:
            raise _validation_error(errors)
        data = writable_fields("CustomerApi", body)
        terms = self.reference["termsofpayments"].get(str(data["TermsOfPaymentId"]).lower())
        if terms is None:
            raise _validation_error([FieldError("TermsOfPaymentId", "NotFound",
                                                f"TermsOfPayment {data['TermsOfPaymentId']} does not exist.")],
                                    RESOURCE_NOT_FOUND)
        country = (data.get("InvoiceCountryCode") or self.company["CountryCode"]).upper()
        vat_number = data.get("VatNumber")
        if vat_number and not data.get("InvoiceCountryCode"):
            raise _validation_error([FieldError("InvoiceCountryCode", "Required",
                                                "InvoiceCountryCode must be set when VatNumber is set.")])
        if vat_number and not _matches(VAT_NUMBER_FORMAT, vat_number):
            raise _validation_error([FieldError("VatNumber", "InvalidValue", f"Invalid VAT number '{vat_number}'.")],
                                    INVALID_VAT_NUMBER)
        if data.get("ForceBookkeepVat") and country in seeds.EU_MEMBERS:
            raise _validation_error([FieldError("ForceBookkeepVat", "InvalidValue",
                                                "ForceBookkeepVat can only be set for customers outside the EU.")],
                                    INVALID_FORCE_BOOKKEEP_VAT)
        number = data.get("CustomerNumber") or None
        if number is not None:
            owner = self._customer_numbers.get(number.casefold())
            if owner is not None and (existing is None or owner != existing["Id"]):
                raise _validation_error([FieldError("CustomerNumber", "Conflict",
                                                    f"Customer number {number} is already in use.")], CONFLICT)
        elif existing is not None:
            number = existing["CustomerNumber"]
        else:
            number = self._next_customer_number()
        entity = template("CustomerApi")
        entity.update(data)
        entity.update({
            "Id": existing["Id"] if existing else new_id(), "CustomerNumber": number, "InvoiceCountryCode": country,
            "CurrencyCode": (data.get("CurrencyCode") or self.company["CurrencyCode"]).upper(),
            "TermsOfPaymentId": terms["Id"], "TermsOfPayment": dict(terms), "ChangedUtc": _stamp(self._now()),
            "LastInvoiceDate": existing["LastInvoiceDate"] if existing else None,
            "UnpaidInvoicesAmount": existing["UnpaidInvoicesAmount"] if existing else Decimal("0"),
            "EmailAddresses": data.get("EmailAddresses") or [],
        })
        if existing is not None:
            self._customer_numbers.pop(existing["CustomerNumber"].casefold(), None)
        self._customers[entity["Id"]] = entity
        self._customer_numbers[number.casefold()] = entity["Id"]
        return entity

    def _next_customer_number(self) -> str:
        while str(self.company["NextCustomerNumber"]) in self._customer_numbers:
            self.company["NextCustomerNumber"] += 1
        number = str(self.company["NextCustomerNumber"])
        self.company["NextCustomerNumber"] += 1
        return number

    def _delete_customer(self, ident: str) -> None:
        documents = (*self._drafts.values(), *self._invoices.values(), *self._orders.values())
        if any(d["CustomerId"] == ident for d in documents):
            raise ApiError(400, CAN_NOT_BE_DELETED, "The customer has documents and cannot be deleted.")
        customer = self._customers.pop(ident)
        self._customer_numbers.pop(customer["CustomerNumber"].casefold(), None)

    # -- articles ---------------------------------------------------------------------------------------
    def _save_article(self, body: Any, existing: Entity | None) -> Entity:
        errors = validate_schema("ArticleApi", body)
        if errors:
            raise _validation_error(errors)
        data = writable_fields("ArticleApi", body)
        coding = self.reference["articleaccountcodings"].get(str(data["CodingId"]).lower())
        unit = self.reference["units"].get(str(data["UnitId"]).lower())
        missing = [FieldError(f, "NotFound", f"{f} {data[f]} does not exist.")
                   for f, found in (("CodingId", coding), ("UnitId", unit)) if found is None]
        if missing or coding is None or unit is None:
            raise _validation_error(missing, RESOURCE_NOT_FOUND)
        if data.get("UsesMoss") and not self.company["UsesMoss"]:  # ArticleApi.UsesMoss: only with the setting on
            raise _validation_error([FieldError("UsesMoss", "NotAllowed", "UsesMoss can only be set when the company "
                                                "uses the One Stop Shop (OSS) rules.")])
        number: str = data["Number"]
        owner = self._article_numbers.get(number.casefold())
        if owner is not None and (existing is None or owner != existing["Id"]):
            raise _validation_error([FieldError("Number", "Conflict", f"Article number {number} is already in use.")],
                                    CONFLICT)
        rate: Decimal = coding["VatRatePercent"]
        net, gross = data.get("NetPrice"), data.get("GrossPrice")
        if net is not None and gross is None:
            gross = totals.round2(Decimal(net) * (1 + rate))
        elif gross is not None and net is None:
            net = totals.round2(Decimal(gross) / (1 + rate))
        now = _stamp(self._now())
        entity = template("ArticleApi")
        entity.update(data)
        entity.update({
            "Id": existing["Id"] if existing else new_id(), "CodingId": coding["Id"], "UnitId": unit["Id"],
            "NetPrice": Decimal(net or 0), "GrossPrice": Decimal(gross or 0), "NetPriceWithDiscount": Decimal(net or 0),
            "CodingName": coding["Name"], "UnitName": unit["Name"], "UnitAbbreviation": unit["Abbreviation"],
            "IsServiceArticle": coding["Type"] == "Service", "CreatedUtc": existing["CreatedUtc"] if existing else now,
            "ChangedUtc": now, "Barcodes": data.get("Barcodes") or [], "ArticleLabels": data.get("ArticleLabels") or [],
        })
        if existing is not None:
            self._article_numbers.pop(existing["Number"].casefold(), None)
        self._articles[entity["Id"]] = entity
        self._article_numbers[number.casefold()] = entity["Id"]
        return entity

    # -- sales documents --------------------------------------------------------------------------------
    def _save_document(self, kind: str, body: Any, existing: Entity | None) -> Entity:
        _collection, schema, row_schema, quantity_decimals = DOCUMENTS[kind]
        if kind == "invoice" and isinstance(body, dict) and body.get("CreatedFromDraftId"):
            draft_id = str(body["CreatedFromDraftId"]).lower()
            if draft_id not in self._drafts:
                raise _validation_error([FieldError("CreatedFromDraftId", "NotFound",
                                                    f"Draft {body['CreatedFromDraftId']} does not exist.")],
                                        RESOURCE_NOT_FOUND)
            return self._convert_draft(draft_id, None, keep_date=False)
        errors = validate_schema(schema, body)
        if errors:
            raise _validation_error(errors)
        data = writable_fields(schema, body)
        customer = self._customers.get(str(data["CustomerId"]).lower())
        if customer is None:
            raise _validation_error([FieldError("CustomerId", "NotFound",
                                                f"Customer {data['CustomerId']} does not exist.")], RESOURCE_NOT_FOUND)
        terms_id = str(data.get("TermsOfPaymentId") or customer["TermsOfPaymentId"]).lower()
        terms = self.reference["termsofpayments"].get(terms_id)
        if terms is None:
            raise _validation_error([FieldError("TermsOfPaymentId", "NotFound", f"TermsOfPayment {terms_id} does "
                                                "not exist.")], RESOURCE_NOT_FOUND)
        treatment = totals.treatment(self.company["CountryCode"], customer, seeds.EU_MEMBERS)
        currency = customer["CurrencyCode"] or self.company["CurrencyCode"]
        domestic = treatment.name == "domestic" and currency == self.company["CurrencyCode"]
        includes_vat = bool(customer["IsPrivatePerson"]) and not self.company["ShowPricesExclVatPC"]
        rows, inputs = self._rows(kind, row_schema, data.get("Rows") or [], treatment=treatment,
                                  includes_vat=includes_vat, price_decimals=2 if domestic else 4,
                                  quantity_decimals=quantity_decimals)
        round_whole = self.company["DomesticCurrencyRounding"] == 1 and currency == self.company["CurrencyCode"]
        result = totals.compute(inputs, includes_vat, round_whole)
        amounts = iter(result.rows)
        for row in rows:
            if row["_article"] is not None:
                self._fill_row_amounts(kind, row, next(amounts))
            del row["_article"]
        return self._document_entity(kind, schema, data, existing=existing, customer=customer, terms=terms,
                                     rows=rows, result=result, includes_vat=includes_vat, currency=currency)

    def _rows(self, kind: str, row_schema: str, raw_rows: list[Entity], *, treatment: totals.Treatment,
              includes_vat: bool, price_decimals: int, quantity_decimals: int
              ) -> tuple[list[Entity], list[totals.RowInput]]:
        rows: list[Entity] = []
        inputs: list[totals.RowInput] = []
        errors: list[FieldError] = []
        not_found: list[FieldError] = []
        for i, raw in enumerate(raw_rows):
            where = f"Rows[{i}]."
            data = writable_fields(row_schema, raw)
            is_text = bool(raw.get("IsTextRow")) if kind != "invoice" else raw.get("ArticleId") is None
            row = template(row_schema)
            row.update(data)
            row.update({"Id": new_id(), "LineNumber": data.get("LineNumber") or i + 1, "IsTextRow": is_text,
                        "_article": None})
            if is_text:
                if not (raw.get("Text") or "").strip():
                    errors.append(FieldError(where + "Text", "Required", "A text row needs a Text."))
                row.update({"ArticleId": None, "UnitPrice": Decimal("0"), "Quantity": Decimal("0")})
                rows.append(row)
                continue
            article = self._articles.get(str(raw.get("ArticleId") or "").lower())
            if not raw.get("ArticleId"):
                errors.append(FieldError(where + "ArticleId", "Required", "ArticleId is required if IsTextRow is "
                                         "false."))
                continue
            if article is None:
                not_found.append(FieldError(where + "ArticleId", "NotFound",
                                            f"Article {raw['ArticleId']} does not exist."))
                continue
            coding = self.reference["articleaccountcodings"][article["CodingId"]]
            price = raw.get("UnitPrice")
            if price is None:
                price = article["GrossPrice"] if includes_vat else article["NetPrice"]
            quantity = Decimal(raw.get("Quantity") or 0)
            discount = Decimal(raw.get("DiscountPercentage") or 0)
            for field, value, allowed in (("UnitPrice", Decimal(price), price_decimals),
                                          ("Quantity", quantity, quantity_decimals),
                                          ("DiscountPercentage", discount, 4)):
                if totals.decimals(value) > allowed:
                    errors.append(FieldError(where + field, "InvalidFormat",
                                             f"{field} allows at most {allowed} decimals."))
            vat_free = bool(raw.get("IsVatFree")) and kind == "invoice"
            rate = coding["VatRatePercent"] if treatment.taxed and not vat_free else Decimal("0")
            unit = self.reference["units"][article["UnitId"]]
            row.update({"ArticleId": article["Id"], "ArticleNumber": article["Number"],
                        "Text": raw.get("Text") or article["Name"], "UnitPrice": Decimal(price), "Quantity": quantity,
                        "DiscountPercentage": discount, "IsServiceArticle": article["IsServiceArticle"],
                        "_article": article})
            for key, value in (("UnitId", unit["Id"]), ("UnitAbbreviation", unit["Abbreviation"]),
                               ("UnitName", unit["Name"]), ("UnitAbbreviationEnglish", unit["AbbreviationEnglish"]),
                               ("VatRateId", coding["Id"]), ("VatRate", rate * 100), ("PercentVat", rate)):
                if key in row:
                    row[key] = value
            rows.append(row)
            inputs.append(totals.RowInput(quantity, Decimal(price), discount, rate))
        if errors:
            raise _validation_error(errors)
        if not_found:
            raise _validation_error(not_found, RESOURCE_NOT_FOUND)
        return rows, inputs

    @staticmethod
    def _fill_row_amounts(kind: str, row: Entity, amounts: totals.RowAmounts) -> None:
        row["Amount"] = amounts.amount
        if kind == "invoice":
            row["AmountNoVat"] = amounts.amount_no_vat

    def _document_entity(self, kind: str, schema: str, data: Entity, *, existing: Entity | None, customer: Entity,
                         terms: Entity, rows: list[Entity], result: totals.Totals, includes_vat: bool,
                         currency: str) -> Entity:
        now = self._now()
        entity = template(schema)
        entity.update({k: v for k, v in data.items() if k != "Rows"})
        entity["Rows"] = rows
        entity["Id"] = existing["Id"] if existing else new_id()
        for key, value in (("CustomerId", customer["Id"]), ("TermsOfPaymentId", terms["Id"]),
                           ("CustomerNumber", customer["CustomerNumber"]), ("CustomerName", customer["Name"]),
                           ("InvoiceCustomerName", customer["Name"]),
                           ("CustomerIsPrivatePerson", customer["IsPrivatePerson"]), ("IncludesVat", includes_vat),
                           ("CustomerEmail", customer["EmailAddress"]), ("CurrencyCode", currency),
                           ("InvoiceCurrencyCode", currency)):
            if key in entity:
                entity[key] = value
        for key in ("InvoiceAddress1", "InvoiceAddress2", "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode",
                    "DeliveryCustomerName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryPostalCode",
                    "DeliveryCity", "DeliveryCountryCode"):
            if key in entity and entity[key] is None:
                entity[key] = customer.get(key)
        created = existing["CreatedUtc"] if existing else _stamp(now)
        entity["CreatedUtc"] = created
        if kind == "draft":
            entity.update({"TotalAmount": result.total_amount, "TotalVatAmount": result.total_vat,
                           "TotalRoundings": result.total_roundings, "TotalAmountBaseCurrency": result.total_amount,
                           "TotalVatAmountBaseCurrency": result.total_vat})
            self._drafts[entity["Id"]] = entity
        elif kind == "order":
            entity.update({"Amount": result.total_no_vat, "VatAmount": result.total_vat,
                           "RoundingsAmount": result.total_roundings, "ModifiedUtc": _stamp(now),
                           "Number": existing["Number"] if existing else self._next("NextOrderNumber"),
                           "OrderDate": data.get("OrderDate") or _date(now)})
            self._orders[entity["Id"]] = entity
        else:
            invoice_date = _aware(parse_date(data["InvoiceDate"])) if data.get("InvoiceDate") else now
            due = data.get("DueDate") or _date(invoice_date + timedelta(days=terms["NumberOfDays"]))
            self._voucher_seq += 1
            entity.update({
                "InvoiceNumber": self._next("NextCustomerInvoiceNumber"), "InvoiceDate": _date(invoice_date),
                "DueDate": due, "TotalAmount": result.total_amount, "TotalVatAmount": result.total_vat,
                "TotalRoundings": result.total_roundings, "TotalAmountInvoiceCurrency": result.total_amount,
                "TotalVatAmountInvoiceCurrency": result.total_vat, "RemainingAmount": result.total_amount,
                "RemainingAmountInvoiceCurrency": result.total_amount, "PaymentStatus": 1,
                "VoucherNumber": f"A{self._voucher_seq}", "VoucherId": new_id(), "ModifiedUtc": _stamp(now),
                "SendType": data.get("SendType"),
                "VatSpecification": [{"AmountInvoiceCurrency": net, "VatAmountInvoiceCurrency": vat,
                                      "VatPercent": rate * 100} for rate, net, vat in result.by_rate],
            })
            self._invoices[entity["Id"]] = entity
            customer["LastInvoiceDate"] = entity["InvoiceDate"]
            customer["UnpaidInvoicesAmount"] += result.total_amount
        return entity

    def _next(self, counter: str) -> int:
        value = int(self.company[counter])
        self.company[counter] = value + 1
        return value

    # -- conversions ------------------------------------------------------------------------------------
    def _convert(self, kind: str, ident: str, req: Request) -> Response:
        if kind == "draft":
            if ident not in self._drafts:
                raise _not_found("CustomerInvoiceDraft", ident)
            keep = (req.arg("keepOriginalDraftDate") or "").lower() == "true"
            return _json(self._convert_draft(ident, _body(req) if req.body else None, keep), 201)
        order = self._orders.get(ident)
        if order is None:
            raise _not_found("Order", ident)
        if order["Status"] == 4:
            raise ApiError(400, CAN_NOT_BE_CREATED_OR_UPDATED, f"Order {order['Number']} is already invoiced.")
        invoice = self._save_document("invoice", _invoice_body(order), None)
        invoice["CreatedFromOrderId"] = order["Id"]
        order["Status"] = 4
        order["ModifiedUtc"] = _stamp(self._now())
        return _json(invoice, 201)

    def _convert_draft(self, ident: str, expected: Any, keep_date: bool) -> Entity:
        draft = self._drafts[ident]
        if expected is not None:
            self._check_expected_totals(draft, expected)
        body = _invoice_body(draft)
        if keep_date or self.company["KeepOriginalDraftDate"]:
            body["InvoiceDate"] = draft["InvoiceDate"] or draft["CreatedUtc"]
        invoice = self._save_document("invoice", body, None)
        invoice["CreatedFromDraftId"] = draft["Id"]
        del self._drafts[ident]
        return invoice

    @staticmethod
    def _check_expected_totals(draft: Entity, expected: Any) -> None:
        errors = validate_schema("CustomerInvoiceDraftValidationApi", expected)
        if errors:
            raise _validation_error(errors)
        mismatches: list[FieldError] = []
        for field, actual in (("TotalAmountInvoiceCurrency", draft["TotalAmount"]),
                              ("TotalVatAmountInvoiceCurrency", draft["TotalVatAmount"]),
                              ("TotalRoundingsInvoiceCurrency", draft["TotalRoundings"])):
            want = expected.get(field)
            if want is not None and Decimal(want) != actual:
                mismatches.append(FieldError(field, "InvalidValue", f"Expected {want} but the draft has {actual}."))
        rows = {r["LineNumber"]: r for r in draft["Rows"]}
        for check in expected.get("Rows") or []:
            row = rows.get(check.get("LineNumber"))
            want = check.get("TotalAmountNoVatInvoiceCurrency")
            if row is None:
                mismatches.append(FieldError("Rows.LineNumber", "NotFound", f"No row {check.get('LineNumber')}."))
            elif want is not None and not draft["IncludesVat"] and Decimal(want) != row["Amount"]:
                mismatches.append(FieldError(f"Rows[{check['LineNumber']}].TotalAmountNoVatInvoiceCurrency",
                                             "InvalidValue", f"Expected {want} but the row has {row['Amount']}."))
        if mismatches:
            raise _validation_error(mismatches)

    # -- helpers ----------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)


def _invoice_body(document: Entity) -> Entity:
    """A POST /customerinvoices body carrying a draft's or order's writable content."""
    keep = ("CustomerId", "YourReference", "OurReference", "BuyersOrderReference", "InvoiceAddress1",
            "InvoiceAddress2", "DeliveryCustomerName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryPostalCode",
            "DeliveryCity", "DeliveryCountryCode", "TermsOfPaymentId", "ElectronicReference", "ContractNumber",
            "SubscriptionNumber", "DeliveryDate", "IsCreditInvoice")
    body: Entity = {k: document[k] for k in keep if document.get(k) is not None}
    body.update({"EuThirdParty": bool(document.get("EuThirdParty")),
                 "RotReducedInvoicingType": document.get("RotReducedInvoicingType") or 0})
    body["Rows"] = [
        {"Text": r["Text"]} if r["IsTextRow"] else
        {"ArticleId": r["ArticleId"], "Text": r["Text"], "UnitPrice": r["UnitPrice"], "Quantity": r["Quantity"],
         "DiscountPercentage": r["DiscountPercentage"]}
        for r in document["Rows"]
    ]
    return body


def _body(req: Request) -> Any:
    try:
        return loads(req.body) if req.body else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, DATA_MODEL_VALIDATION, f"The request body is not valid JSON: {exc}") from exc


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


def _method_not_allowed(method: str) -> Response:
    return _json({"Message": f"The requested resource does not support http method '{method}'."}, 405)


def _matches(pattern: str, value: str) -> bool:
    return re.match(pattern, value) is not None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT00:00:00")
