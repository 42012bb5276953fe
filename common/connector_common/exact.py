"""THE Exact Online API plumbing both Exact connectors use: hosts, credentials, OAuth2 rotation, limits, paging.

- OAuth2 with Exact's single-use rotating refresh tokens (`auth.OAuth2Auth`; each rotation is persisted at once
  through `rotation_writer`: CONTROL message + config file write-back).
- Exact's limits: the minutely window from `X-RateLimit-Minutely-Remaining/-Reset` (epoch ms) paces calls; a 429
  with the daily headers at 0 is `QuotaExhausted` (never retried), a minutely 429 waits for the reset.
- Business validation errors (HTTP 500 with Exact's envelope) are `BusinessError` and never retried.
- Paging follows `d.__next` strictly in sequence (CRUD: 60 a page, bulk/sync: 1000 a page), with loop detection.
- Sync endpoints (`sync/...`): `Timestamp gt <n>`, ascending; the first sync starts at `Timestamp gt 1` or at the
  `read/sync/Sync/SyncTimestamp` value for a start date.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

from connector_common.auth import OAuth2Auth, RotationCallback, TokenSet
from connector_common.config import base_url as config_base_url
from connector_common.config import choice, require
from connector_common.errors import ApiError, ConfigError, ConnectorError, QuotaExhausted, RateLimited
from connector_common.http import HttpClient, Redactor, RetryPolicy, default_timeout
from connector_common.protocol import ConfigPersister
from connector_common.ratelimit import RemainingResetLimiter
from connector_common.wire import odata_any_eq, odata_string

HOSTS = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "co.uk": "https://start.exactonline.co.uk",
    "com": "https://start.exactonline.com",
    "fr": "https://start.exactonline.fr",
    "es": "https://start.exactonline.es",
}
EXACT_TZ = ZoneInfo("Europe/Amsterdam")  # Exact's dates are CET/CEST wall-clock times (reference §3)
MAX_FILTER_CHARS = 4000  # URL-encoded $filter budget per call (Exact caps URLs at 6000 characters)
FIRST_SYNC_TIMESTAMP = 1  # "When you use the sync or delete api for the first time ... filter on timestamp gt 1"
SYNC_PAGE_SIZE = 1000


# -- configuration ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ExactCredentials:
    """Where and as whom to connect: the same config properties in both Exact connectors' specs."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    token_expires_at: float = 0.0
    division: int | None = None


def base_url_for(config: Mapping[str, Any]) -> str:
    """`api_url` when given (https, or http only on the loopback interface for the sandbox), else the country host.

    Raises:
        ConfigError: for an unknown country or a non-TLS URL that is not local.
    """
    url = config.get("api_url")
    if url:
        return config_base_url(str(url), "api_url", "")
    return HOSTS[choice(config, "country", "nl", tuple(HOSTS))]


def parse_credentials(config: Mapping[str, Any]) -> ExactCredentials:
    """`country`/`api_url`, `credentials.{client_id, client_secret, refresh_token, access_token, token_expires_at}`
    and `division` of an Exact connector's config.

    Raises:
        ConfigError: naming the missing or malformed option.
    """
    creds = require(config, "credentials", ("client_id", "client_secret", "refresh_token"))
    division = config.get("division")
    if division not in (None, ""):
        try:
            division = int(division)
        except (TypeError, ValueError):
            raise ConfigError(f"division must be a whole number, not {division!r}") from None
    else:
        division = None
    try:
        expires_at = float(creds.get("token_expires_at") or 0.0)
    except (TypeError, ValueError):
        raise ConfigError("credentials.token_expires_at must be a number of epoch seconds") from None
    return ExactCredentials(base_url=base_url_for(config), client_id=str(creds["client_id"]),
                            client_secret=str(creds["client_secret"]), refresh_token=str(creds["refresh_token"]),
                            access_token=creds.get("access_token") or None, token_expires_at=expires_at,
                            division=division)


def rotation_writer(persister: ConfigPersister) -> RotationCallback:
    """Persist every rotated token pair under `credentials` at once (CONTROL message + config file)."""

    def on_rotate(tokens: TokenSet) -> None:
        creds = persister.config.setdefault("credentials", {})
        creds["access_token"] = tokens.access_token
        creds["token_expires_at"] = tokens.expires_at
        persister.update(["credentials", "refresh_token"], tokens.refresh_token)

    return on_rotate


# -- errors ----------------------------------------------------------------------------------------------------
class BusinessError(ApiError):
    """Exact refused the request (a 500 carrying its error envelope): nothing was written, do not retry."""


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


def _short_path(url: str | None) -> str:
    return "/" + (url or "").split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def _epoch_ms(value: str | None) -> float | None:
    try:
        return float(value) / 1000.0 if value else None
    except ValueError:
        return None


# -- OData values ----------------------------------------------------------------------------------------------
def budget_filters(field: str, values: Iterable[str], budget: int = MAX_FILTER_CHARS) -> list[str]:
    """`wire.odata_any_eq` filters with as many terms each as the URL budget allows for the longest value."""
    unique = list(dict.fromkeys(values))
    widest = max((len(quote(f"{field} eq {odata_string(v)} or ")) for v in unique), default=1)
    return list(odata_any_eq(field, unique, max(1, budget // widest)))


def guid_filters(field: str, ids: Iterable[str], budget: int = MAX_FILTER_CHARS) -> list[str]:
    """`Field eq guid'…' or …` filters within the URL budget (one term is the same width for every GUID)."""
    unique = list(dict.fromkeys(str(i).lower() for i in ids))
    term = len(quote(f"{field} eq guid'00000000-0000-0000-0000-000000000000' or "))
    per_call = max(1, budget // term)
    return [" or ".join(f"{field} eq guid{odata_string(i)}" for i in unique[n:n + per_call])
            for n in range(0, len(unique), per_call)]


def number_filters(field: str, numbers: Iterable[int], budget: int = MAX_FILTER_CHARS) -> list[str]:
    """`Field eq 12 or …` filters for whole numbers within the URL budget."""
    unique = sorted(set(numbers))
    out: list[str] = []
    batch: list[str] = []
    used = 0
    for number in unique:
        term = f"{field} eq {number}"
        width = len(quote(term + " or "))
        if batch and used + width > budget:
            out.append(" or ".join(batch))
            batch, used = [], 0
        batch.append(term)
        used += width
    if batch:
        out.append(" or ".join(batch))
    return out


def parse_exact_datetime(value: Any) -> datetime | None:
    """Exact's `/Date(ms)/` (CET wall-clock milliseconds, reference §3) or ISO text -> aware UTC datetime."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.startswith("/Date(") and text.endswith(")/"):
        inner = text[6:-2]
        for sign in ("+", "-"):
            if sign in inner[1:]:
                inner = inner[: inner.index(sign, 1)]
        wall = datetime.fromtimestamp(int(inner) / 1000, UTC).replace(tzinfo=None)
        return wall.replace(tzinfo=EXACT_TZ).astimezone(UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=EXACT_TZ)
    return parsed.astimezone(UTC)


def odata_datetime(value: datetime, *, milliseconds: bool = False) -> str:
    """A `datetime'…'` literal in Exact's local time (filters are CET wall-clock, reference §3)."""
    local = value.astimezone(EXACT_TZ).replace(tzinfo=None)
    if milliseconds:
        return f"datetime'{local.isoformat(timespec='milliseconds')}'"
    return f"datetime'{local.strftime('%Y-%m-%dT%H:%M:%S')}'"


def _results(response: requests.Response) -> tuple[list[dict[str, Any]], str | None]:
    body = response.json(parse_float=Decimal)
    data = body.get("d", {}) if isinstance(body, dict) else {}
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict) and "results" not in data:
        return [data], None  # a function endpoint (read/...) answers one object
    rows = data.get("results", [])
    return rows, data.get("__next")


# -- the API ---------------------------------------------------------------------------------------------------
class ExactApi:
    """Calls to one Exact division over the common HttpClient. Connectors add typed methods on top (client.py).

    Paths are relative to the division (`crm/Accounts`, `sync/Inventory/StockPositions`). POSTs are never repeated
    blindly: the HttpClient raises AmbiguousWrite and the caller looks the record up again.
    """

    def __init__(self, http: HttpClient, division: int | None = None, *, read_only: bool = False) -> None:
        self.http = http
        self.division = division
        self.read_only = read_only

    def division_path(self, path: str) -> str:
        if self.division is None:
            raise ConfigError("the Exact division is not known yet (call resolve_division first)")
        return f"/api/v1/{self.division}/{path}"

    def resolve_division(self) -> int:
        """The configured division, else the user's current division from `current/Me` (not counted daily)."""
        if self.division is None:
            response = self.http.get("/api/v1/current/Me", params={"$select": "CurrentDivision"})
            rows, _ = _results(response)
            if not rows or not rows[0].get("CurrentDivision"):
                raise ConfigError("Exact Online did not return a current division for this user")
            self.division = int(rows[0]["CurrentDivision"])
        return self.division

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Every page of an OData query, following `__next` strictly in sequence.

        Raises:
            ApiError: when `__next` points at a page already fetched (a paging loop).
        """
        url: str | None = self.division_path(path)
        page_params: Mapping[str, Any] | None = params
        seen: set[str] = set()
        while url:
            response = self.http.get(url, params=page_params)
            rows, next_url = _results(response)
            yield rows
            if not next_url:
                return
            if next_url in seen:
                raise ApiError(f"paging loop on {path}: Exact returned the same next page twice")
            seen.add(next_url)
            url, page_params = next_url, None

    def rows(self, path: str, *, select: str, filter: str | None = None,  # noqa: A002
             top: int | None = None, orderby: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row of an OData query on a CRUD or bulk endpoint."""
        params: dict[str, Any] = {"$select": select}
        if filter:
            params["$filter"] = filter
        if orderby:
            params["$orderby"] = orderby
        if top:
            params["$top"] = top
        for page in self.pages(path, params):
            yield from page

    def sync_pages(self, path: str, after: int, *, select: str) -> Iterator[list[dict[str, Any]]]:
        """Pages of a `sync/...` endpoint: rows with `Timestamp gt after`, ascending, 1000 a page."""
        yield from self.pages(path, {"$select": select, "$filter": f"Timestamp gt {int(after)}L"})

    def sync_timestamp(self, endpoint: str, modified: datetime) -> int:
        """The sync Timestamp from which rows of `endpoint` (e.g. 'Items') modified since `modified` are served."""
        params = {"modified": odata_datetime(modified), "endPoint": odata_string(endpoint)}
        response = self.http.get(self.division_path("read/sync/Sync/SyncTimestamp"), params=params)
        rows, _ = _results(response)
        value = rows[0].get("TimeStampAsBigInt") if rows else None
        if value is None:
            raise ApiError(f"Exact returned no SyncTimestamp for {endpoint}")
        return max(int(value), FIRST_SYNC_TIMESTAMP)

    def create(self, path: str, payload: Mapping[str, Any], *, what: str = "record") -> dict[str, Any]:
        """POST a new record and return it (Prefer: return=representation)."""
        if self.read_only:
            raise ConnectorError(f"dry run: refusing to create a {what}")
        response = self.http.post(self.division_path(path), json=payload,
                                  headers={"Prefer": "return=representation"})
        body = response.json(parse_float=Decimal) if response.content else {}
        result = body.get("d", {}) if isinstance(body, dict) else {}
        return result if isinstance(result, dict) else {}

    def update(self, path: str, record_id: str, payload: Mapping[str, Any], *, what: str = "record") -> None:
        """PUT changed fields of an existing record (Exact answers 204 without a body)."""
        if self.read_only:
            raise ConnectorError(f"dry run: refusing to update a {what}")
        self.http.put(f"{self.division_path(path)}(guid{odata_string(record_id)})", json=payload)

    def calls(self) -> int:
        """Calls made so far (every attempt, including retries), for summaries and benchmarks."""
        return sum(self.http.calls.values())


def build_http(credentials: ExactCredentials, *, on_rotate: RotationCallback | None = None,
               sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
               retry: RetryPolicy | None = None, timeout: tuple[float, float] | None = None,
               ) -> tuple[HttpClient, OAuth2Auth]:
    """The HttpClient for Exact: OAuth2 (rotating refresh tokens), the minutely limiter and Exact's errors."""
    timeout = timeout or default_timeout()
    redactor = Redactor((credentials.client_secret, credentials.refresh_token, credentials.access_token or ""))
    token_http = HttpClient(credentials.base_url, timeout=timeout, redactor=redactor, sleep=sleep, clock=clock,
                            retry=retry or RetryPolicy(), headers={"Accept": "application/json"})
    auth = OAuth2Auth(token_url="/api/oauth2/token", client_id=credentials.client_id,
                      client_secret=credentials.client_secret, http=token_http,
                      refresh_token=credentials.refresh_token, access_token=credentials.access_token,
                      expires_at=credentials.token_expires_at, on_rotate=on_rotate, clock=clock)
    limiter = RemainingResetLimiter("X-RateLimit-Minutely-Remaining", "X-RateLimit-Minutely-Reset", "epoch_ms",
                                    reserve=0, clock=clock, max_wait=61.0)
    http = HttpClient(credentials.base_url, auth=auth, timeout=timeout, retry=retry or RetryPolicy(),
                      rate_limiter=limiter, classify_error=classify_exact_error(clock),
                      error_message=exact_error_message, redactor=redactor, sleep=sleep, clock=clock,
                      headers={"Accept": "application/json"})
    return http, auth


__all__ = ["EXACT_TZ", "HOSTS", "BusinessError", "ExactApi", "ExactCredentials", "base_url_for", "budget_filters",
           "build_http", "classify_exact_error", "exact_error_message", "guid_filters", "number_filters",
           "odata_datetime", "parse_credentials", "parse_exact_datetime", "rotation_writer"]
