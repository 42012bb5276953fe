"""Typed calls to Lightspeed eCom and Retail over the common HttpClient, plus each platform's rate limiter."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
from requests.auth import HTTPBasicAuth

from connector_common.auth import OAuth2Auth, RotationCallback
from connector_common.errors import ApiError, ConnectorError, QuotaExhausted, TransientApiError
from connector_common.http import DEFAULT_RETRY_STATUSES, HttpClient, Redactor, RetryPolicy, endpoint_of, message_from
from source_lightspeed.config import EcomSettings, RetailSettings
from source_lightspeed.normalize import normalize_retail

ECOM_FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"
RETAIL_FILTER_FORMAT = "%Y-%m-%dT%H:%M:%S-00:00"
SALE_RELATIONS = ("SaleLines", "SaleLines.Item", "SalePayments", "SalePayments.PaymentType", "Customer",
                  "Customer.Contact")
CUSTOMER_RELATIONS = ("Contact",)
RETAIL_TRY_LATER = "try again later"


MAX_KEYS_NAMED = 8  # keys of a wrong-shaped answer named in its error (vendor field names, never values)


def _json(response: requests.Response) -> Any:
    """Response body with JSON numbers as Decimal (never float).

    Raises:
        ApiError: naming the endpoint when an HTTP 200 body is not JSON (an XML or HTML page from a proxy or an old
            API version): without it a broken answer would look like an empty sync.
    """
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        kind = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
        raise ApiError(f"{_endpoint(response)} answered HTTP {response.status_code} with a body that is not JSON "
                       f"({kind}, {len(response.content)} bytes)", status=response.status_code) from None


def _endpoint(response: requests.Response) -> str:
    method = response.request.method if response.request is not None and response.request.method else "GET"
    return endpoint_of(method, response.url)


def _object(response: requests.Response) -> dict[str, Any]:
    """The JSON object of a 2xx answer; ApiError naming the endpoint when it is another JSON value."""
    body = _json(response)
    if not isinstance(body, dict):
        raise ApiError(f"{_endpoint(response)} answered HTTP {response.status_code} with a JSON "
                       f"{type(body).__name__}, not the documented object", status=response.status_code)
    return body


def expect(response: requests.Response, body: Mapping[str, Any], key: str, kinds: type | tuple[type, ...],
           what: str) -> Any:
    """`body[key]` when it has one of the types `kinds`; otherwise ApiError naming the endpoint and what is missing.

    An answer of the wrong shape (HTTP 200 with another document) must fail the sync, never pass as an empty list.
    """
    value = body.get(key)
    if key in body and isinstance(value, kinds):
        return value
    keys = ", ".join(sorted(map(str, body))[:MAX_KEYS_NAMED]) or "none"
    found = "missing" if key not in body else f"a {type(value).__name__}"
    raise ApiError(f"{_endpoint(response)} answered HTTP {response.status_code} without {what} ({key!r} is {found}; "
                   f"the answer has the keys: {keys})", status=response.status_code)


# -- eCom ----------------------------------------------------------------------------------------------------------
def _triple(value: str | None) -> list[float] | None:
    """'299/2999/11999' -> [299.0, 2999.0, 11999.0] (the 5-minute, hourly and daily windows)."""
    if not value:
        return None
    try:
        return [float(part) for part in value.split("/")]
    except ValueError:
        return None


@dataclass
class EcomRateLimiter:
    """eCom limits per key: 300/5 min, 3,000/hour, 12,000/day (headers `X-RateLimit-Remaining: a/b/c` and
    `X-RateLimit-Reset: s1/s2/s3`, seconds until each window resets) plus 20 requests per second.

    Waits for the window to reset when it is used up instead of running into a 429; an exhausted daily window
    raises QuotaExhausted (stop cleanly, resume tomorrow) rather than sleeping for hours.
    """

    per_second: float = 19.0  # documented 20/s, one below so fixed one-second windows never overflow
    reserve: int = 0
    clock: Callable[[], float] = time.time
    _wait_until: float = field(default=0.0, init=False)
    _next_slot: float = field(default=0.0, init=False)
    _quota_until: float | None = field(default=None, init=False)
    last_remaining: list[float] | None = field(default=None, init=False)

    def before_request(self, method: str, url: str) -> float:
        now = self.clock()
        if self._quota_until is not None and self._quota_until > now:
            resets = datetime.fromtimestamp(self._quota_until, UTC)
            raise QuotaExhausted(f"the Lightspeed eCom daily request limit of this API key is used up; it resets at "
                                 f"{resets.isoformat(timespec='seconds')}", resets_at=resets)
        wait = max(self._wait_until - now, self._next_slot - now, 0.0)
        self._next_slot = now + wait + 1.0 / self.per_second
        return wait

    def after_response(self, response: requests.Response) -> None:
        remaining = _triple(response.headers.get("X-RateLimit-Remaining"))
        reset = _triple(response.headers.get("X-RateLimit-Reset"))
        if remaining is None or reset is None or len(remaining) != len(reset):
            return
        self.last_remaining = remaining
        now = self.clock()
        self._wait_until = 0.0
        for index, (left, seconds) in enumerate(zip(remaining, reset, strict=True)):
            if left > self.reserve:
                continue
            if index == len(remaining) - 1 and len(remaining) > 1:
                self._quota_until = now + max(seconds, 1.0)
            else:
                self._wait_until = max(self._wait_until, now + seconds)


def ecom_error_message(response: requests.Response) -> str | None:
    """The `error.message` of eCom's `{"error": {"code", "method", "request", "message"}}` body."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return None


def ecom_classify_error(response: requests.Response) -> ConnectorError | None:
    """A 429 while the daily window is at 0 is a QuotaExhausted (stop), not a RateLimited (wait and retry)."""
    if response.status_code != 429:
        return None
    remaining = _triple(response.headers.get("X-RateLimit-Remaining"))
    reset = _triple(response.headers.get("X-RateLimit-Reset"))
    if remaining and reset and len(remaining) > 1 and remaining[-1] <= 0:
        resets = datetime.now(UTC) + timedelta(seconds=reset[-1])
        return QuotaExhausted("the Lightspeed eCom daily request limit of this API key is used up",
                              resets_at=resets, status=429)
    return None


class EcomClient:
    """GET calls of the eCom REST API: `{cluster}/{language}/{resource}.json`, HTTP Basic key/secret."""

    def __init__(self, settings: EcomSettings, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None) -> None:
        self.limiter = EcomRateLimiter(clock=clock)
        self.http = HttpClient(
            base_url=f"{settings.base_url}/{settings.language}", auth=HTTPBasicAuth(settings.api_key,
                                                                                     settings.api_secret),
            rate_limiter=self.limiter, classify_error=ecom_classify_error, error_message=ecom_error_message,
            redactor=Redactor((settings.api_key, settings.api_secret)), sleep=sleep, clock=clock,
            retry=retry or RetryPolicy(), headers={"Accept": "application/json"},
            host_setting="platform.cluster (or platform.base_url)",
        )

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _object(self.http.get(path, params=params))

    def get_key(self, path: str, key: str, kinds: type | tuple[type, ...], what: str,
                params: Mapping[str, Any] | None = None) -> Any:
        """`key` of the JSON object at `path`, checked: a 200 without it raises ApiError naming endpoint and key."""
        response = self.http.get(path, params=params)
        return expect(response, _object(response), key, kinds, what)

    def shop_currency(self) -> str:
        shop = self.get_key("shop.json", "shop", dict, "the shop")
        currency = shop.get("currency")
        code = currency.get("shortcode") if isinstance(currency, dict) else None
        return str(code).upper() if code else "EUR"

    def count(self, resource: str, since: datetime, until: datetime) -> int:
        value = self.get_key(f"{resource}/count.json", "count", (int, str), "a count", _window(since, until))
        if isinstance(value, bool) or not str(value).isdigit():
            raise ApiError(f"{resource}/count.json answered a count that is not a whole number: {str(value)[:20]!r}")
        return int(value)

    def list_window(self, resource: str, since: datetime, until: datetime, limit: int, page: int = 1
                    ) -> list[dict[str, Any]]:
        """One page of `resource` updated in [since, until] (both inclusive, second resolution)."""
        params = {**_window(since, until), "limit": limit, "page": page}
        return list(self.get_key(f"{resource}.json", resource, list, f"the {resource} list", params))

    def order_lines(self, order_id: int | str) -> list[dict[str, Any]]:
        """All order products of one order (250 per page; an order with more lines takes more pages)."""
        lines: list[dict[str, Any]] = []
        page = 1
        while True:
            chunk = self.get_key(f"orders/{order_id}/products.json", "orderProducts", list, "the order's lines",
                                 {"limit": 250, "page": page})
            lines.extend(chunk)
            if len(chunk) < 250:
                return lines
            page += 1

    def product(self, product_id: int | str) -> dict[str, Any] | None:
        product = self.get_key(f"products/{product_id}.json", "product", (dict, bool), "the product")
        return product if isinstance(product, dict) else None


def _window(since: datetime, until: datetime) -> dict[str, str]:
    return {"updated_at_min": since.astimezone(UTC).strftime(ECOM_FILTER_FORMAT),
            "updated_at_max": until.astimezone(UTC).strftime(ECOM_FILTER_FORMAT)}


# -- Retail (R-Series) ---------------------------------------------------------------------------------------------
@dataclass
class LeakyBucketLimiter:
    """R-Series leaky bucket: `X-LS-API-Bucket-Level: used/size` drains at `X-LS-API-Drip-Rate` units per second.

    Before each call it predicts the level from the last response and waits until the next call (costing about as
    much as the last one, `X-LS-API-Request-Cost`) fits with `headroom` to spare, so the bucket never overflows.
    """

    headroom: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _level: float | None = field(default=None, init=False)
    _size: float = field(default=90.0, init=False)
    _drip: float = field(default=1.0, init=False)
    _cost: float = field(default=1.0, init=False)
    _at: float = field(default=0.0, init=False)

    def before_request(self, method: str, url: str) -> float:
        if self._level is None:
            return 0.0
        now = self.clock()
        level = max(self._level - self._drip * (now - self._at), 0.0)
        overflow = level + self._cost + self.headroom - self._size
        wait = overflow / self._drip if overflow > 0 and self._drip > 0 else 0.0
        self._level, self._at = level + self._cost, now + wait  # our own spend until the next header arrives
        return wait

    def after_response(self, response: requests.Response) -> None:
        level = response.headers.get("X-LS-API-Bucket-Level", "")
        used, _, size = level.partition("/")
        try:
            self._level, self._size = float(used), float(size)
        except ValueError:
            return
        self._at = self.clock()
        for header, attr in (("X-LS-API-Drip-Rate", "_drip"), ("X-LS-API-Request-Cost", "_cost")):
            try:
                setattr(self, attr, float(response.headers[header]))
            except (KeyError, ValueError):
                continue


# the `message` of an R-Series error body (`{"httpCode", "httpMessage", "message", "errorClass"}`)
retail_error_message = message_from("message", "httpMessage")


def retail_classify_error(response: requests.Response) -> ConnectorError | None:
    """R-Series answers some overload cases with 400 "Please try again later.": retry those like a 5xx."""
    if response.status_code == 400 and RETAIL_TRY_LATER in (retail_error_message(response) or "").lower():
        return TransientApiError("Lightspeed Retail asked to try again later", status=400)
    return None


class RetailClient:
    """GET calls of the R-Series V3 API with OAuth2 (rotating refresh token) and the leaky-bucket limiter."""

    def __init__(self, settings: RetailSettings, *, on_rotate: RotationCallback | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, retry: RetryPolicy | None = None) -> None:
        redactor = Redactor((settings.client_secret, settings.refresh_token))
        self.token_http = HttpClient(base_url=settings.token_url, redactor=redactor, sleep=sleep, clock=clock,
                                     host_setting="platform.auth_server_url")
        self.auth = OAuth2Auth(token_url=settings.token_url, client_id=settings.client_id,
                               client_secret=settings.client_secret, http=self.token_http,
                               refresh_token=settings.refresh_token, on_rotate=on_rotate, clock=clock)
        self.limiter = LeakyBucketLimiter(clock=monotonic)
        policy = retry or RetryPolicy()
        policy = RetryPolicy(max_attempts=policy.max_attempts, backoff_base=policy.backoff_base,
                             backoff_cap=policy.backoff_cap, retry_after_cap=policy.retry_after_cap,
                             retry_statuses=frozenset((*DEFAULT_RETRY_STATUSES, 400)))
        self.http = HttpClient(
            base_url=f"{settings.base_url}/API/V3/Account/{settings.account_id}", auth=self.auth,
            rate_limiter=self.limiter, classify_error=retail_classify_error, error_message=retail_error_message,
            redactor=redactor, sleep=sleep, clock=clock, retry=policy, headers={"Accept": "application/json"},
            host_setting="platform.base_url",
        )
        self.account_id = settings.account_id

    def account(self) -> dict[str, Any] | None:
        """The configured account among those of the token (`GET /API/V3/Account.json`), or None."""
        url = self.http.base_url.rsplit("/Account/", 1)[0] + "/Account.json"
        accounts = normalize_retail("Account", _retail_body(self.http.get(url), "Account"))
        return next((a for a in accounts if str(a.get("accountID")) == self.account_id), None)

    def pages(self, resource: str, since: datetime, limit: int, relations: tuple[str, ...] = (),
              extra: Mapping[str, str] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Pages of `resource` with `timeStamp >= since`, ascending by timeStamp, following `@attributes.next`."""
        params: dict[str, Any] = {"timeStamp": f">=,{since.astimezone(UTC).strftime(RETAIL_FILTER_FORMAT)}",
                                  "sort": "timeStamp", "limit": limit, **(extra or {})}
        if relations:
            params["load_relations"] = json.dumps(list(relations), separators=(",", ":"))
        for response in self.http.paginate(f"{resource}.json", params, _next_page):
            yield normalize_retail(resource, _retail_body(response, resource))

    def sales(self, since: datetime, limit: int) -> Iterator[list[dict[str, Any]]]:
        return self.pages("Sale", since, limit, SALE_RELATIONS)

    def customers(self, since: datetime, limit: int) -> Iterator[list[dict[str, Any]]]:
        return self.pages("Customer", since, limit, CUSTOMER_RELATIONS)

    def items(self, since: datetime, limit: int) -> Iterator[list[dict[str, Any]]]:
        return self.pages("Item", since, limit, extra={"archived": "true"})  # archived items become inactive

    def tax_categories(self) -> list[dict[str, Any]]:
        """Every TaxCategory (sales tax) with its per-TaxClass rates (`TaxCategoryClasses`), all pages."""
        params = {"load_relations": '["TaxCategoryClasses"]', "sort": "taxCategoryID", "limit": 100}
        return [category for response in self.http.paginate("TaxCategory.json", params, _next_page)
                for category in normalize_retail("TaxCategory", _retail_body(response, "TaxCategory"))]

    def shops(self) -> list[dict[str, Any]]:
        """The account's shops (first page) with their Contact: each names the TaxCategory its register applies
        (`taxCategoryID`) and its address, the place of supply of its POS sales."""
        params = {"sort": "shopID", "limit": 100, "load_relations": '["Contact"]'}
        return normalize_retail("Shop", _retail_body(self.http.get("Shop.json", params=params), "Shop"))


def _retail_body(response: requests.Response, resource: str) -> dict[str, Any]:
    """An R-Series list answer, checked: `{"@attributes": {...}, "<Resource>": {...} | [...]}`; the resource key is
    absent when nothing matched (the XML-born JSON has no element then), `@attributes` never is.

    Raises:
        ApiError: naming the endpoint and what is missing, for an HTTP 200 of another shape (it would otherwise read
            as an empty list and the sync would end 'successfully' with no records).
    """
    body = _object(response)
    expect(response, body, "@attributes", dict, "the list attributes")
    if resource in body:
        expect(response, body, resource, (dict, list), f"the {resource} records")
    return body


def _next_page(response: requests.Response) -> tuple[str, Mapping[str, Any] | None] | None:
    """`@attributes.next` verbatim (a full URL), or None at the end."""
    try:
        body = response.json()
    except ValueError:
        raise ApiError("Lightspeed Retail answered a list call with a body that is not JSON") from None
    attributes = body.get("@attributes") if isinstance(body, dict) else None
    next_url = attributes.get("next") if isinstance(attributes, dict) else None
    return (str(next_url), None) if next_url else None
