"""ExactClient: typed Exact Online REST calls over the common HttpClient (OData escaping, paging, limits, errors)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import requests
from requests.structures import CaseInsensitiveDict

from connector_common.auth import OAuth2Auth, RotationCallback
from connector_common.errors import ApiError, ConfigError, ConnectorError, QuotaExhausted, RateLimited
from connector_common.http import HttpClient, Redactor, RetryPolicy
from connector_common.money import cents, to_decimal
from connector_common.ratelimit import RemainingResetLimiter
from connector_common.wire import email_key, odata_any_eq, odata_string

ENDPOINTS = {
    "Account": "crm/Accounts",
    "Contact": "crm/Contacts",
    "Item": "logistics/Items",
    "SalesInvoice": "salesinvoice/SalesInvoices",
    "SalesOrder": "salesorder/SalesOrders",
    "SalesEntry": "salesentry/SalesEntries",
    "VATCode": "vat/VATCodes",
    "GLAccount": "financial/GLAccounts",
    "Journal": "financial/Journals",
}
KEYS = {"SalesInvoice": "InvoiceID", "SalesOrder": "OrderID", "SalesEntry": "EntryID"}
MAX_FILTER_CHARS = 4000  # URL-encoded $filter budget per call (Exact caps URLs at 6000 characters)
ACCOUNT_CODE_WIDTH = 18


def budget_filters(field: str, values: Iterable[str], budget: int = MAX_FILTER_CHARS) -> list[str]:
    """`wire.odata_any_eq` filters with as many terms each as the URL budget allows for the longest value."""
    unique = list(dict.fromkeys(values))
    widest = max((len(quote(f"{field} eq {odata_string(v)} or ")) for v in unique), default=1)
    return list(odata_any_eq(field, unique, max(1, budget // widest)))


def exact_error_message(response: requests.Response) -> str | None:
    """Exact's error text: `error.message.value` of its envelope (never the whole body)."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, dict) and isinstance(message.get("value"), str):
            return str(message["value"])
    return None


def classify_exact_error(clock: Callable[[], float]) -> Callable[[requests.Response], ConnectorError | None]:
    """429 with the daily headers at 0 -> QuotaExhausted(resets_at); a minutely 429 -> RateLimited until the reset."""

    def classify(response: requests.Response) -> ConnectorError | None:
        if response.status_code == 500:
            message = exact_error_message(response)
            if message:  # Exact answers business validation with 500 + its envelope: processed and refused
                return BusinessError(f"{response.request.method} {_short_path(response.url)} refused by Exact: "
                                     f"{message[:300]}", status=500, method=response.request.method or "")
            return None
        if response.status_code != 429:
            return None
        headers = response.headers
        daily_left = headers.get("X-RateLimit-Remaining")
        if daily_left is not None and daily_left.strip() == "0":
            reset = _epoch_ms(headers.get("X-RateLimit-Reset"))
            resets_at = datetime.fromtimestamp(reset, UTC) if reset else None
            return QuotaExhausted("Exact Online's daily API limit for this division is used up", resets_at=resets_at,
                                  status=429)
        reset = _epoch_ms(headers.get("X-RateLimit-Minutely-Reset"))
        wait = max(reset - clock(), 0.0) if reset else None
        return RateLimited("Exact Online's minutely API limit was reached", retry_after=wait, status=429)

    return classify


@dataclass(frozen=True, slots=True)
class BookedDocument:
    """A sales document found by our reference: its ID and its total incl. VAT in the document currency."""

    id: str
    total: Decimal | None  # AmountFC (None when Exact sent none)


class BusinessError(ApiError):
    """Exact refused the request (a 500 carrying its error envelope): nothing was written, do not retry."""


def _short_path(url: str | None) -> str:
    return "/" + (url or "").split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def _epoch_ms(value: str | None) -> float | None:
    try:
        return float(value) / 1000.0 if value else None
    except ValueError:
        return None


def _results(response: requests.Response) -> tuple[list[dict[str, Any]], str | None]:
    body = response.json(parse_float=Decimal)
    data = body.get("d", {}) if isinstance(body, dict) else {}
    if isinstance(data, list):
        return data, None
    rows = data.get("results", [])
    return rows, data.get("__next")


class ExactClient:
    """Typed calls to one Exact division. POSTs are never repeated blindly (the HttpClient raises AmbiguousWrite)."""

    def __init__(self, http: HttpClient, division: int | None = None, *, read_only: bool = False) -> None:
        self.http = http
        self.division = division
        self.read_only = read_only

    # -- plumbing -------------------------------------------------------------------------------------------------
    def _path(self, entity: str) -> str:
        if self.division is None:
            raise ConfigError("the Exact division is not known yet (call resolve_division first)")
        return f"/api/v1/{self.division}/{ENDPOINTS[entity]}"

    def query(self, entity: str, *, filter: str | None = None, select: str, top: int | None = None,  # noqa: A002
              ) -> Iterator[dict[str, Any]]:
        """Every row of an OData query, following `__next` strictly in sequence."""
        params: dict[str, Any] = {"$select": select}
        if filter:
            params["$filter"] = filter
        if top:
            params["$top"] = top
        path: str | None = self._path(entity)
        page_params: dict[str, Any] | None = params
        seen: set[str] = set()
        while path:
            response = self.http.get(path, params=page_params)
            rows, next_url = _results(response)
            yield from rows
            if not next_url or next_url in seen:
                break
            seen.add(next_url)
            path, page_params = next_url, None

    def create(self, entity: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST a new record and return it (Prefer: return=representation)."""
        if self.read_only:
            raise ConnectorError(f"dry run: refusing to create a {entity}")
        response = self.http.post(self._path(entity), json=payload, headers={"Prefer": "return=representation"})
        body = response.json(parse_float=Decimal) if response.content else {}
        result = body.get("d", {}) if isinstance(body, dict) else {}
        return result if isinstance(result, dict) else {}

    def update(self, entity: str, record_id: str, payload: Mapping[str, Any]) -> None:
        """PUT changed fields of an existing record (Exact answers 204 without a body)."""
        if self.read_only:
            raise ConnectorError(f"dry run: refusing to update a {entity}")
        self.http.put(f"{self._path(entity)}(guid{odata_string(record_id)})", json=payload)

    # -- typed calls ----------------------------------------------------------------------------------------------
    def resolve_division(self) -> int:
        """The configured division, else the user's current division from `current/Me` (not counted daily)."""
        if self.division is None:
            response = self.http.get("/api/v1/current/Me", params={"$select": "CurrentDivision"})
            rows, _ = _results(response)
            if not rows or not rows[0].get("CurrentDivision"):
                raise ConfigError("Exact Online did not return a current division for this user")
            self.division = int(rows[0]["CurrentDivision"])
        return self.division

    def vat_codes(self) -> list[dict[str, Any]]:
        select = "ID,Code,Description,Type,VATTransactionType,IsBlocked,EUSalesListing,OssCountry,Percentage,Charged"
        return list(self.query("VATCode", select=select))

    def gl_account_ids(self, codes: Iterable[str]) -> dict[str, str]:
        """GL account ID by (trimmed) code."""
        found: dict[str, str] = {}
        for flt in budget_filters("Code", sorted(set(codes))):
            for row in self.query("GLAccount", filter=flt, select="ID,Code,Type,IsBlocked"):
                found[str(row["Code"]).strip()] = str(row["ID"])
        return found

    def journal_exists(self, code: str) -> bool:
        return any(True for _ in self.query("Journal", filter=f"Code eq {odata_string(code)}", select="ID,Code",
                                            top=1))

    def account_by_code(self, code: str) -> dict[str, Any] | None:
        """An account by its code (Exact pads codes to 18 characters, right-aligned)."""
        padded = code.strip().rjust(ACCOUNT_CODE_WIDTH)
        rows = list(self.query("Account", filter=f"Code eq {odata_string(padded)}", select="ID,Code,Name,Status",
                               top=1))
        return rows[0] if rows else None

    def accounts_by_email(self, emails: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Accounts by lower-cased e-mail (the first one wins when several share an address)."""
        found: dict[str, dict[str, Any]] = {}
        for flt in budget_filters("Email", sorted(set(emails))):
            for row in self.query("Account", filter=flt, select="ID,Code,Name,Status,Email"):
                found.setdefault(email_key(row.get("Email")) or "", row)
        return found

    def items_by_code(self, codes: Iterable[str]) -> CaseInsensitiveDict[dict[str, Any]]:
        """Items by code; the keys compare case-insensitively, as Exact's `Code eq` does (sku-1 finds SKU-1)."""
        found: CaseInsensitiveDict[dict[str, Any]] = CaseInsensitiveDict()
        for flt in budget_filters("Code", sorted(set(codes))):
            for row in self.query("Item", filter=flt, select="ID,Code,Description,SalesVatCode"):
                found[str(row["Code"]).strip()] = row
        return found

    def contact_id(self, account_id: str, email: str) -> str | None:
        """The ID of the account's contact person with this e-mail, if there is one."""
        flt = f"Account eq guid{odata_string(account_id)} and Email eq {odata_string(email)}"
        rows = list(self.query("Contact", filter=flt, select="ID", top=1))
        return str(rows[0]["ID"]) if rows else None

    def documents_by_reference(self, entity: str, references: Iterable[str]) -> dict[str, BookedDocument]:
        """Existing SalesInvoices / SalesOrders / SalesEntries by our YourRef -> their ID and total (the same query
        returns AmountFC, so a changed order is noticed without another call)."""
        key = KEYS[entity]
        found: dict[str, BookedDocument] = {}
        for flt in budget_filters("YourRef", sorted(set(references))):
            for row in self.query(entity, filter=flt, select=f"{key},YourRef,AmountFC"):
                amount = row.get("AmountFC")
                found[str(row.get("YourRef") or "").strip()] = BookedDocument(
                    str(row[key]), cents(to_decimal(amount, field="AmountFC")) if amount is not None else None)
        return found


def build_client(*, base_url: str, client_id: str, client_secret: str, refresh_token: str,
                 access_token: str | None = None, expires_at: float = 0.0, on_rotate: RotationCallback | None = None,
                 division: int | None = None, read_only: bool = False, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None,
                 timeout: tuple[float, float] = (10.0, 60.0)) -> tuple[ExactClient, OAuth2Auth]:
    """An ExactClient on `base_url` with OAuth2 (rotating refresh tokens), the minutely limiter and Exact's errors."""
    redactor = Redactor((client_secret, refresh_token, access_token or ""))
    token_http = HttpClient(base_url, timeout=timeout, redactor=redactor, sleep=sleep, clock=clock,
                            retry=retry or RetryPolicy(), headers={"Accept": "application/json"},
                            host_setting="api_url")
    auth = OAuth2Auth(token_url="/api/oauth2/token", client_id=client_id, client_secret=client_secret,
                      http=token_http, refresh_token=refresh_token, access_token=access_token, expires_at=expires_at,
                      on_rotate=on_rotate, clock=clock)
    limiter = RemainingResetLimiter("X-RateLimit-Minutely-Remaining", "X-RateLimit-Minutely-Reset", "epoch_ms",
                                    reserve=0, clock=clock, max_wait=61.0)
    http = HttpClient(base_url, auth=auth, timeout=timeout, retry=retry or RetryPolicy(), rate_limiter=limiter,
                      classify_error=classify_exact_error(clock), error_message=exact_error_message,
                      redactor=redactor, sleep=sleep, clock=clock, headers={"Accept": "application/json"},
                      host_setting="api_url")
    return ExactClient(http, division, read_only=read_only), auth


def api_calls(client: ExactClient) -> int:
    """Calls made so far (every attempt, including retries), for summaries and benchmarks."""
    return sum(client.http.calls.values())


__all__ = ["BusinessError", "ExactClient", "api_calls", "budget_filters", "build_client", "classify_exact_error",
           "exact_error_message"]
