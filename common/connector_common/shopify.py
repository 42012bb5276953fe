"""Shopify Admin GraphQL client shared by source-shopify-orders and destination-shopify: the cost-bucket throttle,
Shopify's error classes, the three auth modes and `ShopifyClient.graphql` / `paginate` over the common HttpClient."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests

from connector_common.auth import HeaderTokenAuth, OAuth2Auth, RotationCallback, TokenSet
from connector_common.config import base_url as config_base_url
from connector_common.cursor import format_timestamp, parse_timestamp
from connector_common.errors import (
    ApiError,
    AuthFailed,
    ConfigError,
    ConnectorError,
    NotFound,
    RateLimited,
    TransientApiError,
)
from connector_common.http import HttpClient, Redactor, RetryPolicy
from connector_common.protocol import ConfigPersister

TOKEN_HEADER = "X-Shopify-Access-Token"
SHOP_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DEFAULT_BUCKET = 1000.0  # the smallest documented bucket, until Shopify tells us the real one
SAFETY_FACTOR = 1.01  # wait for a hair more than the cost: the server's clock and rounding are not ours
DEFAULT_RESTORE = 50.0  # points per second, the smallest documented restore rate
PII_HINT = "protected customer data"
MAX_PAGE_SIZE = 250
MAX_QUERY_COST = 1000.0  # Shopify's ceiling for one query, whatever the bucket size
MIN_MISSING_POINTS = 1e-6  # below this the bucket is "full enough": no sleeps of float-rounding slivers


class UnknownShop(NotFound, ConfigError):
    """The shop's domain does not answer as a Shopify store (404 on the Admin API)."""


class MissingScope(AuthFailed):
    """The token lacks an access scope a query needs (GraphQL ACCESS_DENIED or REST 403)."""


class ProtectedDataDenied(AuthFailed):
    """The app is not approved for protected customer data (names, e-mails, addresses)."""


class QueryTooExpensive(ApiError):
    """MAX_COST_EXCEEDED: one query costs more than the bucket holds; the caller must ask for fewer nodes."""


def shop_host(shop: str) -> str:
    """'my-shop', 'my-shop.myshopify.com' or 'https://my-shop.myshopify.com/' -> 'my-shop.myshopify.com'.

    Raises:
        ConfigError: when the value is not a shop handle or myshopify.com domain.
    """
    value = shop.strip().lower()
    value = re.sub(r"^https?://", "", value).split("/", 1)[0]
    handle = value.removesuffix(".myshopify.com")
    if not SHOP_HANDLE.match(handle):
        raise ConfigError(f"shop {shop!r} is not a Shopify store name: use 'my-shop' or 'my-shop.myshopify.com'")
    return f"{handle}.myshopify.com"


def base_url_for(shop: str, api_base_url: str | None = None) -> str:
    """https://{shop}.myshopify.com, or an explicit base URL (a proxy or the local sandbox; http only on loopback)."""
    return config_base_url(api_base_url, "api_base_url", f"https://{shop_host(shop)}")


@dataclass
class CostBucketLimiter:
    """Shopify's calculated-query-cost leaky bucket, tracked client-side (RateLimiter protocol of common.http).

    After each GraphQL response `observe()` records `throttleStatus`; before the next query `before_request()`
    returns how long to wait until the bucket has refilled enough for that query's expected cost (the last
    requested cost of the same query), instead of sending it and getting THROTTLED.
    """

    clock: Callable[[], float] = time.monotonic
    maximum: float = DEFAULT_BUCKET
    available: float = DEFAULT_BUCKET
    restore_rate: float = DEFAULT_RESTORE
    observed_at: float | None = None
    expected_cost: float = 0.0
    _costs: dict[str, float] = field(default_factory=dict)

    def expect(self, name: str, cost: float | None = None) -> None:
        """Announce the next query: wait for `cost`, or else for the last requested cost of the same operation."""
        self.expected_cost = cost if cost is not None else self._costs.get(name, 0.0)

    def available_now(self) -> float:
        if self.observed_at is None:
            return self.available
        refill = (self.clock() - self.observed_at) * self.restore_rate
        return min(self.maximum, self.available + refill)

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` points are available (0 when they already are)."""
        missing = min(cost * SAFETY_FACTOR + 1.0, self.maximum) - self.available_now()
        return missing / self.restore_rate if missing > MIN_MISSING_POINTS else 0.0  # no float-rounding slivers

    def before_request(self, method: str, url: str) -> float:
        if not url.endswith("/graphql.json"):
            return 0.0
        return self.wait_for(self.expected_cost)

    def after_response(self, response: requests.Response) -> None:
        return None  # the body is parsed once by the client, which calls observe()

    def observe(self, name: str, cost: Mapping[str, Any] | None) -> None:
        if not cost:
            return
        status = cost.get("throttleStatus") or {}
        if status:
            self.maximum = float(status.get("maximumAvailable", self.maximum))
            self.available = float(status.get("currentlyAvailable", self.available))
            self.restore_rate = float(status.get("restoreRate", self.restore_rate)) or DEFAULT_RESTORE
            self.observed_at = self.clock()
        requested = cost.get("requestedQueryCost")
        if requested is not None:
            self._costs[name] = float(requested)


def fitting_page_size(requested: Any, size: int, ceiling: int, budget: float) -> int:
    """Nodes per page so that the next query's requested cost stays within `budget` (2 points per connection)."""
    if not requested:
        return size
    per_node = max((float(requested) - 2.0) / size, 1.0)
    return max(1, min(ceiling, MAX_PAGE_SIZE, int((budget - 2.0) // per_node)))


def error_message(response: requests.Response) -> str | None:
    """Shopify's error text: `{"errors": "..."}`, `{"errors": [{"message": ...}]}` or `{"errors": {field: [...]}}`."""
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    if isinstance(errors, dict):
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    return None


def classify_error(response: requests.Response, redact: Callable[[str], str] = str) -> ConnectorError | None:
    """Map Shopify's non-2xx answers to typed errors with a message that tells the user what to fix.

    `redact` removes known secrets from Shopify's error text (which can echo what was sent).
    """
    status = response.status_code
    detail = redact((error_message(response) or "")[:300])
    kwargs: dict[str, Any] = {"status": status, "method": response.request.method or "" if response.request else ""}
    if status == 401:
        return AuthFailed(f"Shopify rejected the access token (HTTP 401: {detail or 'invalid API key or token'}); "
                          "check the token or the app's client credentials", **kwargs)
    if status == 402:
        return ApiError(f"the shop is frozen or its plan lacks this API (HTTP 402: {detail})", **kwargs)
    if status == 403:
        if PII_HINT in detail.lower():
            return ProtectedDataDenied(f"the app is not approved for protected customer data (HTTP 403: {detail}); "
                                       "request access under the app's 'Protected customer data' settings", **kwargs)
        return MissingScope(f"Shopify refused the request (HTTP 403: {detail}); the token lacks an access scope",
                            **kwargs)
    if status == 404:
        return UnknownShop("no Shopify store answers at this address (HTTP 404); check the shop name", **kwargs)
    return None


def graphql_errors(name: str, errors: list[dict[str, Any]], redact: Callable[[str], str] = str) -> ConnectorError:
    """The typed error for GraphQL `errors` that are not a throttle (those are retried by the client)."""
    codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
    text = redact("; ".join(str(e.get("message", ""))[:200] for e in errors)[:500])
    if "MAX_COST_EXCEEDED" in codes:
        return QueryTooExpensive(f"{name}: query cost above the shop's maximum ({text})")
    if "ACCESS_DENIED" in codes:
        if PII_HINT in text.lower() or "not approved" in text.lower():
            return ProtectedDataDenied(f"{name}: the app is not approved for protected customer data ({text}); "
                                       "request access under the app's 'Protected customer data' settings")
        required = sorted({str((e.get("extensions") or {}).get("requiredAccess", "")) for e in errors} - {""})
        hint = f" (needs {', '.join(required)})" if required else ""
        return MissingScope(f"{name}: access denied{hint}: {text}; grant the scope to the app and reinstall it")
    return ApiError(f"{name}: Shopify returned GraphQL errors: {text}")


class ShopifyOAuth(OAuth2Auth):
    """OAuth2Auth that sends the token in Shopify's `X-Shopify-Access-Token` header (not `Authorization: Bearer`)."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers[TOKEN_HEADER] = self.access_token()
        return r


@dataclass
class GraphQLResult:
    data: dict[str, Any]
    cost: dict[str, Any]


class ShopifyClient:
    """Typed GraphQL Admin API calls. One instance per sync; counts cost points for benchmarks."""

    def __init__(
        self,
        base_url: str,
        api_version: str,
        auth: requests.auth.AuthBase,
        *,
        redactor: Redactor | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not re.match(r"^\d{4}-\d{2}$|^unstable$", api_version):
            raise ConfigError(f"api_version {api_version!r} is not a Shopify version such as '2026-10'")
        self.limiter = CostBucketLimiter(clock=clock)
        self.redactor = redactor or Redactor()
        self.http = HttpClient(base_url, auth=auth, retry=retry or RetryPolicy(), rate_limiter=self.limiter,
                               classify_error=lambda r: classify_error(r, self.redactor),
                               classify_ok=self._classify_ok,
                               error_message=error_message, redactor=self.redactor, sleep=sleep, clock=time.time,
                               rand=rand,
                               headers={"Accept": "application/json"})
        self.path = f"/admin/api/{api_version}/graphql.json"
        self.requested_points = 0.0
        self.actual_points = 0.0
        self.throttled = 0
        self.page_sizes: list[int] = []
        self._current = ""  # the operation in flight, named in retried errors and the limiter's cost memory
        self.sleep = sleep
        self.clock = clock

    def graphql(self, name: str, query: str, variables: Mapping[str, Any] | None = None,
                *, mutation: bool = False, retry_safe: bool = False,
                expected_cost: float | None = None) -> GraphQLResult:
        """Run one query. The cost bucket is waited for by the limiter; THROTTLED and INTERNAL_SERVER_ERROR (HTTP 200
        errors) are retried by the shared HttpClient loop through `classify_ok`.

        A mutation is sent once unless `retry_safe` (it carries an `@idempotent` key, so Shopify replays rather than
        repeats it): after a failure that may have reached Shopify it raises AmbiguousWrite for the caller to decide.

        Raises:
            QueryTooExpensive, MissingScope, ProtectedDataDenied, ApiError: as `graphql_errors` classifies them.
            RateLimited, TransientApiError: when the retries are used up (AmbiguousWrite for a failed mutation).
        """
        self.limiter.expect(name, expected_cost)
        self._current = name
        response = self.http.post(self.path, json={"query": query, "variables": dict(variables or {})},
                                  idempotent=retry_safe or not mutation)
        body = _json_body(response, name)
        cost = self._observe(name, body)
        errors = body.get("errors") or []
        if errors:
            raise graphql_errors(name, errors, self.redactor)
        return GraphQLResult(data=body.get("data") or {}, cost=cost)

    def _observe(self, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Feed a response's `extensions.cost` to the limiter and the point counters; returns it."""
        cost: dict[str, Any] = (body.get("extensions") or {}).get("cost") or {}
        self.limiter.observe(name, cost)
        self.requested_points += float(cost.get("requestedQueryCost") or 0)
        self.actual_points += float(cost.get("actualQueryCost") or 0)
        return cost

    def _classify_ok(self, response: requests.Response) -> ConnectorError | None:
        """The retryable errors Shopify sends with HTTP 200, for the shared retry loop of HttpClient.

        THROTTLED -> RateLimited whose retry_after is the bucket refill time for the query's requested cost (the
        limiter then finds the bucket full enough and adds no wait of its own); INTERNAL_SERVER_ERROR ->
        TransientApiError (backoff). Bodies are only parsed when one of the codes occurs in the raw bytes.
        """
        content = response.content or b""
        if b"THROTTLED" not in content and b"INTERNAL_SERVER_ERROR" not in content:
            return None
        name = self._current
        try:
            body = json.loads(content, parse_float=Decimal)
        except ValueError:
            return None  # graphql() reports the unreadable body
        if not isinstance(body, dict):
            return None
        codes = {str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or [] if isinstance(e, dict)}
        if "THROTTLED" in codes:
            cost = self._observe(name, body)
            self.throttled += 1
            needed = float(cost.get("requestedQueryCost") or self.limiter.expected_cost or self.limiter.maximum)
            self.limiter.expected_cost = max(self.limiter.expected_cost, needed)
            wait = max(self.limiter.wait_for(needed), 1.0 / self.limiter.restore_rate)
            return RateLimited(f"{name}: THROTTLED by Shopify's cost bucket", retry_after=wait,
                               status=response.status_code)
        if "INTERNAL_SERVER_ERROR" in codes:
            self._observe(name, body)
            return TransientApiError(f"{name}: Shopify reported INTERNAL_SERVER_ERROR", status=response.status_code)
        return None

    def paginate(self, name: str, query: str, root: str, variables: Mapping[str, Any],
                 first: int) -> Iterator[list[dict[str, Any]]]:
        """Yield the node lists of a connection page by page (cursor pagination, loop-checked).

        The page size adapts to Shopify's cost rules: after each page the per-node requested cost is known, and the
        next page asks for as many nodes as fit in `MAX_QUERY_COST` (never more than `first`). A page that is still
        too expensive (MAX_COST_EXCEEDED) is asked again with half the nodes.
        """
        after: str | None = None
        seen: set[str] = set()
        size = max(1, min(first, MAX_PAGE_SIZE))
        expected: float | None = None
        while True:
            try:
                result = self.graphql(name, query, {**variables, "first": size, "after": after},
                                      expected_cost=expected)
            except QueryTooExpensive:
                if size == 1:
                    raise
                size = max(1, size // 2)
                continue
            connection = result.data.get(root) or {}
            nodes = list(connection.get("nodes") or [])
            self.page_sizes.append(size)
            yield nodes
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")
            if not after or after in seen:
                raise ApiError(f"{name}: pagination loop at cursor {after!r}")
            seen.add(after)
            requested = result.cost.get("requestedQueryCost")
            new_size = fitting_page_size(requested, size, first, min(MAX_QUERY_COST, self.limiter.maximum))
            expected = 2.0 + (float(requested) - 2.0) / size * new_size if requested else None
            size = new_size

    def download(self, url: str) -> requests.Response:
        """Stream a bulk-operation result file (a signed URL: no Shopify auth header is sent)."""
        response = self.http.session.get(url, stream=True, timeout=self.http.timeout,
                                         proxies=self.http.proxies_for(url))
        if not response.ok:
            raise TransientApiError(f"bulk result download returned HTTP {response.status_code}",
                                    status=response.status_code)
        return response


def _json_body(response: requests.Response, name: str) -> dict[str, Any]:
    """The GraphQL response body (floats as Decimal); a body that is not a JSON object is a transient fault."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TransientApiError(f"{name}: Shopify answered with a body that is not a JSON object",
                                status=response.status_code)
    return body


def rotation_writer(persister: ConfigPersister) -> RotationCallback:
    """The `on_rotate` of the oauth_refresh mode: keep the new access token, its expiry and the rotated refresh
    token in the config (CONTROL message + config file), so the next run starts from the newest refresh token."""

    def on_rotate(tokens: TokenSet) -> None:
        node = persister.config.setdefault("credentials", {})
        node["access_token"] = tokens.access_token
        node["expires_at"] = format_timestamp(datetime.fromtimestamp(tokens.expires_at, UTC))
        persister.update(("credentials", "refresh_token"), tokens.refresh_token)

    return on_rotate


def make_auth(
    credentials: Mapping[str, Any],
    base_url: str,
    redactor: Redactor,
    *,
    on_rotate: RotationCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> requests.auth.AuthBase:
    """Build the auth of one of the three modes in the spec's `credentials` oneOf.

    access_token: a fixed Admin API token (custom apps made in the Shopify admin; never expires).
    client_credentials: Dev Dashboard app id + secret exchanged at /admin/oauth/access_token (expires, renewed).
    oauth_refresh: expiring offline token + refresh token; every refresh rotates the refresh token (on_rotate).
    """
    method = credentials.get("auth_method", "access_token")
    if method == "access_token":
        token = str(credentials.get("access_token") or "")
        if not token:
            raise ConfigError("credentials.access_token is empty")
        redactor.add(token)
        return HeaderTokenAuth(token, header=TOKEN_HEADER, prefix="")
    token_http = HttpClient(base_url, redactor=redactor, sleep=sleep, clock=clock, error_message=error_message)
    common: dict[str, Any] = {
        "token_url": "/admin/oauth/access_token",
        "client_id": str(credentials.get("client_id") or ""),
        "client_secret": str(credentials.get("client_secret") or ""),
        "http": token_http,
        "clock": clock,
    }
    if not common["client_id"] or not common["client_secret"]:
        raise ConfigError(f"credentials.client_id and credentials.client_secret are required for {method}")
    if method == "client_credentials":
        return ShopifyOAuth(grant="client_credentials", **common)
    if method == "oauth_refresh":
        expires = credentials.get("expires_at")
        expires_at = _epoch(expires) if expires else 0.0
        return ShopifyOAuth(grant="refresh_token", refresh_token=credentials.get("refresh_token"),
                            access_token=credentials.get("access_token") or None, expires_at=expires_at,
                            on_rotate=on_rotate, **common)
    raise ConfigError(f"unknown credentials.auth_method {method!r}")


def _epoch(value: str) -> float:
    try:
        return parse_timestamp(value).timestamp()
    except ValueError:
        return 0.0
