"""EaccountingClient: typed calls to the eAccounting API v2 over the common HttpClient (no mapping here)."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests

from connector_common.errors import ApiError, ConnectorError, RateLimited
from connector_common.http import HttpClient, endpoint_of, parse_retry_after
from connector_common.wire import odata_any_eq

PAGE_SIZE = 200
FILTER_CHUNK = 20  # values per "$filter=F eq 'a' or F eq 'b' ..." query, keeps URLs well below 2 kB
PER_MINUTE = 600  # documented: 600 requests per minute per client and endpoint
RATE_LIMIT_CODE = 4010
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
DOCUMENT_PATHS = {"customer_invoice_draft": "customerinvoicedrafts", "customer_invoice": "customerinvoices",
                  "order": "orders"}
ACCEPT_JSON = {"Accept": "application/json"}  # the body's Content-Type comes with `json=`
NEWEST_CHECKS = 4  # calls to confirm the newest document when the sort was not honoured


def _utc(value: Any) -> datetime | None:
    """eAccounting's UTC timestamp (`2024-05-01T09:00:00.123Z`, ISO-8601) or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json(parse_float=Decimal)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def retry_after_of(response: requests.Response, now: float) -> float | None:
    """Seconds to wait after a 429: `Retry-After` if sent, else "Try again in N seconds" from the error body."""
    header = parse_retry_after(response.headers.get("Retry-After"), now)
    if header is not None:
        return header
    match = _TRY_AGAIN.search(str(_body(response).get("DeveloperErrorMessage") or ""))
    return float(match.group(1)) if match else None


def error_message(response: requests.Response) -> str | None:
    """Visma's error text: `DeveloperErrorMessage` (+ ErrorCode) and the first field errors, never the whole body."""
    body = _body(response)
    if not body:
        return None
    parts = []
    if body.get("DeveloperErrorMessage"):
        parts.append(f"{body['DeveloperErrorMessage']} (ErrorCode {body.get('ErrorCode')})")
    for err in (body.get("Errors") or [])[:3]:
        if isinstance(err, dict):
            parts.append(f"{err.get('Field')}: {err.get('Message')}")
    return "; ".join(str(p) for p in parts) or None


def classify_error(response: requests.Response) -> ConnectorError | None:
    """A 429 (ErrorCode 4010) becomes RateLimited with the wait the API asked for; the rest is the default."""
    if response.status_code == 429:
        wait = retry_after_of(response, time.time())
        return RateLimited(f"eAccounting rate limit: {error_message(response) or 'HTTP 429'}", retry_after=wait,
                           status=429, method=response.request.method or "" if response.request else "")
    return None


@dataclass
class EaccountingRateLimiter:
    """Keeps each endpoint under 600 calls a minute and waits out a 429 (eAccounting sends no limit headers)."""

    per_minute: int = PER_MINUTE
    reserve: int = 10
    clock: Callable[[], float] = time.monotonic
    _calls: dict[str, deque[float]] = field(default_factory=dict, init=False)
    _blocked_until: float = field(default=0.0, init=False)

    def before_request(self, method: str, url: str) -> float:
        now = self.clock()
        key = endpoint_of(method, url)
        window = self._calls.setdefault(key, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        wait = max(self._blocked_until - now, 0.0)
        if len(window) >= self.per_minute - self.reserve:
            wait = max(wait, window[0] + 60.0 - now)
        window.append(now + wait)
        return wait

    def after_response(self, response: requests.Response) -> None:
        if response.status_code == 429:
            wait = retry_after_of(response, time.time())
            self._blocked_until = self.clock() + (60.0 if wait is None else wait)


class EaccountingClient:
    """The eAccounting endpoints the destination uses. Every call goes through the common HttpClient."""

    def __init__(self, http: HttpClient, page_size: int = PAGE_SIZE) -> None:
        self.http = http
        self.page_size = page_size

    # --- reference data ---------------------------------------------------------------------------------------
    def company_settings(self) -> dict[str, Any]:
        return _body(self.http.get("companysettings", headers=ACCEPT_JSON))

    def codings(self) -> list[dict[str, Any]]:
        return list(self.list_all("articleaccountcodings"))

    def countries(self) -> list[dict[str, Any]]:
        return list(self.list_all("countries"))

    def units(self) -> list[dict[str, Any]]:
        return list(self.list_all("units"))

    def terms_of_payment(self) -> list[dict[str, Any]]:
        return list(self.list_all("termsofpayments"))

    # --- lookups ----------------------------------------------------------------------------------------------
    def list_all(self, path: str, odata_filter: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list (`$page`/`$pagesize`, until `Meta.CurrentPage >= TotalNumberOfPages`)."""
        page = 1
        while True:
            params: dict[str, Any] = {"$page": page, "$pagesize": self.page_size}
            if odata_filter:
                params["$filter"] = odata_filter
            body = _body(self.http.get(path, params=params, headers=ACCEPT_JSON))
            data = body.get("Data")
            if not isinstance(data, list):
                raise ApiError(f"GET /{path} answered without a Data list")
            yield from data
            meta = body.get("Meta") or {}
            if not data or int(meta.get("CurrentPage") or page) >= int(meta.get("TotalNumberOfPages") or 0):
                return
            page += 1

    def find(self, path: str, field_name: str, values: list[str]) -> list[dict[str, Any]]:
        """Items whose `field_name` equals one of `values` (chunked OR filters, values escaped)."""
        unique = list(dict.fromkeys(v for v in values if v))
        found: list[dict[str, Any]] = []
        for odata_filter in odata_any_eq(field_name, unique, FILTER_CHUNK):
            found += self.list_all(path, odata_filter)
        return found

    def find_customers(self, field_name: str, values: list[str]) -> list[dict[str, Any]]:
        return self.find("customers", field_name, values)

    def find_articles(self, numbers: list[str]) -> list[dict[str, Any]]:
        return self.find("articles", "Number", numbers)

    def newest_created(self, kinds: Iterable[str]) -> datetime | None:
        """When the newest document of these kinds (anyone's; drafts count booked invoices too) was created, UTC;
        None when there is none. `$orderby=CreatedUtc desc` on one item, then `CreatedUtc gt <that>` must find
        nothing (a sort the API ignored would otherwise pass an older one); after NEWEST_CHECKS calls: "now"."""
        paths = dict.fromkeys(DOCUMENT_PATHS[k] for k in kinds)
        if "customerinvoicedrafts" in paths:
            paths[DOCUMENT_PATHS["customer_invoice"]] = None
        newest: datetime | None = None
        for path in paths:
            first = self._one(path, {"$orderby": "CreatedUtc desc"})
            found = _utc(first.get("CreatedUtc")) if first else None
            for _ in range(NEWEST_CHECKS):
                if found is None:
                    break
                newer = self._one(path, {"$filter": f"CreatedUtc gt {found.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z"})
                if newer is None:
                    break
                found = _utc(newer.get("CreatedUtc"))
            else:
                found = datetime.fromtimestamp(self.http.clock(), UTC)
            if found is not None and (newest is None or found > newest):
                newest = found
        return newest

    def _one(self, path: str, params: dict[str, Any]) -> dict[str, Any] | None:
        body = _body(self.http.get(path, params={**params, "$page": 1, "$pagesize": 1}, headers=ACCEPT_JSON))
        data = body.get("Data")
        return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None

    def find_documents(self, kind: str, references: list[str]) -> list[dict[str, Any]]:
        """Documents of `kind` carrying one of `references` in YourReference. Drafts also search booked invoices
        (a draft disappears once an accountant books it)."""
        found = self.find(DOCUMENT_PATHS[kind], "YourReference", references)
        if kind == "customer_invoice_draft":
            found += self.find(DOCUMENT_PATHS["customer_invoice"], "YourReference", references)
        return found

    # --- writes -----------------------------------------------------------------------------------------------
    def create(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one object. Raises AmbiguousWrite when the outcome is unknown (the caller re-checks)."""
        return _body(self.http.post(path, json=payload, headers=ACCEPT_JSON))

    def replace(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT a whole object (eAccounting has no PATCH)."""
        return _body(self.http.put(path, json=payload, headers=ACCEPT_JSON))

    def create_customer(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.create("customers", payload)

    def update_customer(self, customer_id: str, full: dict[str, Any]) -> dict[str, Any]:
        return self.replace(f"customers/{customer_id}", full)

    def create_article(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.create("articles", payload)

    def update_article(self, article_id: str, full: dict[str, Any]) -> dict[str, Any]:
        return self.replace(f"articles/{article_id}", full)

    def create_document(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.create(DOCUMENT_PATHS[kind], payload)
