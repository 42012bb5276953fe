"""THE HTTP client every connector uses for every call: timeouts, retries, rate limits, auth refresh, redaction.

Design notes:
- Not a wrapper of the CDK's HttpClient: that one installs requests_cache, logs request headers at DEBUG and raises
  CDK trace exceptions; ours raises the typed errors of `errors.py` and redacts secrets itself.
- Writes are safe by construction: a non-idempotent request (POST) is retried only when it certainly did not reach
  the server (connect failure, 429). Any other failure raises `AmbiguousWrite`, so the caller looks the object up by
  its external reference before trying again.
"""

from __future__ import annotations

import math
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import urllib3

from connector_common.errors import (
    AmbiguousWrite,
    ApiError,
    AuthFailed,
    ConfigError,
    ConnectorError,
    NotFound,
    QuotaExhausted,
    RateLimited,
    TransientApiError,
)
from connector_common.wire import json_dumps

DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
READ_TIMEOUT_ENV = "CONNECTOR_READ_TIMEOUT_SECONDS"  # operators (and the fault tests) may change the read timeout
DEFAULT_RETRY_STATUSES = frozenset((429, *range(500, 600)))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "DELETE"))
SECRET_QUERY_KEYS = re.compile(r"(token|secret|password|key|code|signature|auth)", re.IGNORECASE)
_ID_SEGMENT = re.compile(r"(?<=/)(\d+|[0-9a-fA-F-]{32,36}|gid:[^/]+)(?=/|$|\.|\()")
_GUID_KEY = re.compile(r"\(guid'[^']*'\)")


def default_timeout() -> tuple[float, float]:
    """(connect, read) seconds: 10 / 60, or the read timeout from $CONNECTOR_READ_TIMEOUT_SECONDS.

    Raises:
        ConfigError: when the variable is set but is not a positive number of seconds.
    """
    raw = os.environ.get(READ_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        read = float(raw)
    except ValueError:
        read = math.nan
    if not math.isfinite(read) or read <= 0:
        raise ConfigError(f"{READ_TIMEOUT_ENV}={raw!r} is not a positive number of seconds")
    return DEFAULT_TIMEOUT[0], read


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry. Stated as data (dlt style); delays are capped and jittered."""

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 600.0
    retry_statuses: frozenset[int] = DEFAULT_RETRY_STATUSES

    def delay(self, attempt: int, retry_after: float | None, rand: Callable[[], float]) -> float:
        """Seconds to wait before attempt `attempt + 1`; `Retry-After` wins when the vendor sent it."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + rand() * ceiling / 2  # "equal jitter": never zero, never above the cap


def parse_retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds or as an HTTP date, relative to `now` (epoch seconds). None if absent or garbage."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError):
        return None


class RateLimiter(Protocol):
    """Per-vendor pacing: how long to wait before a call, and what to learn from each response."""

    def before_request(self, method: str, url: str) -> float: ...

    def after_response(self, response: requests.Response) -> None: ...


class NoRateLimit:
    def before_request(self, method: str, url: str) -> float:
        return 0.0

    def after_response(self, response: requests.Response) -> None:
        return None


class RefreshableAuth(Protocol):
    def invalidate(self) -> None: ...


ErrorClassifier = Callable[[requests.Response], ConnectorError | None]
MessageExtractor = Callable[[requests.Response], str | None]


class Redactor:
    """Removes secret values and secret-looking query parameters from any text we log or raise."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s and len(s) >= 4}

    def add(self, *secrets: str | None) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "****")
        return re.sub(r"([?&])([^=&#]+)=([^&#]*)",
                      lambda m: f"{m[1]}{m[2]}=****" if SECRET_QUERY_KEYS.search(m[2]) else m[0], text)


def endpoint_of(method: str, url: str) -> str:
    """'GET /api/v1/{id}/crm/Accounts': the path with ids replaced, for per-endpoint call counters."""
    path = url.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else "/"
    path = path.split("?", 1)[0]
    path = _GUID_KEY.sub("({id})", path)
    return f"{method} {_ID_SEGMENT.sub('{id}', path)}"


@dataclass
class HttpClient:
    """One vendor's HTTP client. Vendor `client.py` files add typed methods on top of `request`/`paginate`."""

    base_url: str
    auth: requests.auth.AuthBase | None = None
    timeout: tuple[float, float] = field(default_factory=default_timeout)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limiter: RateLimiter = field(default_factory=NoRateLimit)
    classify_error: ErrorClassifier | None = None
    classify_ok: ErrorClassifier | None = None  # errors inside 2xx bodies (e.g. GraphQL THROTTLED); RateLimited retries
    error_message: MessageExtractor | None = None
    redactor: Redactor = field(default_factory=Redactor)
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    clock: Callable[[], float] = time.time
    headers: Mapping[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)
    calls: Counter[str] = field(default_factory=Counter)
    waited: float = 0.0  # seconds slept for rate limits and backoff (benchmarks report it)
    # the config setting the host comes from (e.g. "api_url"): a host never reached at all is a config error naming
    # it, raised at the first failed connect instead of after every retry; once the host answered, retries as usual
    host_setting: str | None = None
    answered: bool = False

    def __post_init__(self) -> None:
        if self.timeout is None or not all(t and t > 0 for t in self.timeout):
            raise ValueError("HttpClient needs a positive (connect, read) timeout")
        # The environment is read once per session, not on every request (requests' trust_env looks up proxies,
        # no_proxy and the CA bundle per call: about a tenth of a source's CPU). Proxies are resolved once per host
        # (HTTPS_PROXY / HTTP_PROXY / NO_PROXY still work); a CA bundle from REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE is
        # still used. ~/.netrc credentials are never picked up: every client states its own auth.
        self._env_proxies = self.session.trust_env
        self._proxies: dict[str, dict[str, str]] = {}
        self.session.trust_env = False
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") if self._env_proxies \
            else None
        self.session.verify = bundle or True  # TLS verification is not configurable (only which CAs to trust)
        self.proxies_for(self.url("/"))

    def proxies_for(self, url: str) -> dict[str, str]:
        """The proxies of `url`'s scheme and host, from the environment at the first call for that host."""
        origin = url.split("/", 3)[:3]
        key = "/".join(origin)
        found = self._proxies.get(key)
        if found is None:
            found = dict(requests.utils.get_environ_proxies(url)) if self._env_proxies else {}
            self._proxies[key] = found
        return found

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        auth: requests.auth.AuthBase | None = None,
    ) -> requests.Response:
        """Send one logical request with retries. Returns the 2xx response or raises a typed `ApiError`.

        Args:
            json: a JSON body; Decimal values are sent as exact JSON numbers.
            idempotent: whether repeating the request is harmless; defaults to True for GET/PUT/DELETE, False for
                POST. Non-idempotent requests are only retried when the server certainly did not process them.
            auth: overrides the client's auth for this call (e.g. Basic auth on a token endpoint).
        """
        method = method.upper()
        if json is not None:  # our own encoder: Decimal goes out as an exact JSON number, never through float
            data, json = json_dumps(json).encode("utf-8"), None
            headers = {"Content-Type": "application/json", **(headers or {})}
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.url(path)
        endpoint = endpoint_of(method, url)
        refreshed_auth = False
        attempt = 0
        while True:
            attempt += 1
            wait = self.rate_limiter.before_request(method, url)
            if wait > 0:
                self._sleep(wait)
            self.calls[endpoint] += 1
            sent = time.monotonic()  # real time in flight, whatever clock the rate limiter runs on
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, headers={**self.headers, **(headers or {})},
                    auth=auth or self.auth, timeout=self.timeout, proxies=self.proxies_for(url),
                )
            except requests.RequestException as exc:
                reached_server = not _never_sent(exc)
                if not reached_server and not self.answered and self.host_setting is not None:
                    raise self._unreachable(url, exc) from None
                error = self._transport_error(method, url, exc)
                if reached_server and not safe_to_repeat:
                    raise AmbiguousWrite(f"{error}; the request may have been processed", method=method,
                                         url=self.redactor(url), elapsed=time.monotonic() - sent) from None
                if attempt >= self.retry.max_attempts:
                    raise error from None
                self._sleep(self.retry.delay(attempt, None, self.rand))
                continue
            self.answered = True
            self.rate_limiter.after_response(response)
            in_body = self.classify_ok(response) if response.ok and self.classify_ok else None
            if response.ok and in_body is None:
                return response
            err = in_body or self._error_for(method, url, response)
            if isinstance(err, AuthFailed) and response.status_code == 401 and not refreshed_auth \
                    and hasattr(self.auth, "invalidate") and auth is None:
                refreshed_auth = True
                self.auth.invalidate()  # type: ignore[union-attr]
                continue
            retryable = (response.status_code in self.retry.retry_statuses or in_body is not None) \
                and isinstance(err, TransientApiError) and not _is_quota(err)
            if not retryable:
                raise err
            if not safe_to_repeat and response.status_code != 429 and not isinstance(err, RateLimited):
                raise AmbiguousWrite(f"{err}; the request may have been processed", status=response.status_code,
                                     method=method, url=self.redactor(url), elapsed=time.monotonic() - sent)
            if attempt >= self.retry.max_attempts:
                raise err
            retry_after = err.retry_after if isinstance(err, RateLimited) and err.retry_after is not None \
                else parse_retry_after(response.headers.get("Retry-After"), self.clock())
            self._sleep(self.retry.delay(attempt, retry_after, self.rand))

    def paginate(
        self, path: str, params: Mapping[str, Any] | None, next_request: NextRequest
    ) -> Iterator[requests.Response]:
        """Yield every page. `next_request(response)` returns (url, params) of the next page, or None at the end.

        Raises:
            ApiError: when the next page is the same as one already fetched (a pagination loop).
        """
        seen: set[str] = set()
        current: tuple[str, Mapping[str, Any] | None] | None = (path, params)
        while current is not None:
            page_path, page_params = current
            marker = page_path + "?" + "&".join(f"{k}={v}" for k, v in sorted((page_params or {}).items()))
            if marker in seen:
                raise ApiError(f"pagination loop: {self.redactor(marker)} was already fetched")
            seen.add(marker)
            response = self.get(page_path, params=page_params)
            yield response
            current = next_request(response)

    def wait(self, seconds: float) -> None:
        """Sleep through the injected sleep and count it in `waited` (for vendor-specific pacing)."""
        self._sleep(seconds)

    def _sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.sleep(seconds)

    def _unreachable(self, url: str, exc: requests.RequestException) -> ConfigError:
        host = urlsplit(url).netloc or url
        if isinstance(exc, requests.ConnectTimeout) or "timed out" in str(exc).lower():
            why = f"no answer within the connect timeout of {self.timeout[0]:g} s"
        elif any(t in str(exc) for t in ("Name or service not known", "nodename nor servname", "getaddrinfo",
                                          "Temporary failure in name resolution", "No address associated")):
            why = "the name does not resolve"
        else:
            why = "the connection was refused"
        return ConfigError(f"cannot reach {self.redactor(host)}: {why}; check the {self.host_setting} setting")

    def _transport_error(self, method: str, url: str, exc: requests.RequestException) -> TransientApiError:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
        return TransientApiError(f"{method} {self.redactor(_path(url))} {kind} ({type(exc).__name__})",
                                 method=method, url=self.redactor(url))

    def _error_for(self, method: str, url: str, response: requests.Response) -> ApiError:
        custom = self.classify_error(response) if self.classify_error else None
        if isinstance(custom, ApiError):
            return custom
        status = response.status_code
        detail = (self.error_message(response) if self.error_message else None) or oauth_error(response)
        text = f"{method} {self.redactor(_path(url))} returned HTTP {status}"
        if detail:
            text += f": {self.redactor(detail[:300])}"
        kwargs: dict[str, Any] = {"status": status, "method": method, "url": self.redactor(url)}
        if status in (401, 403):
            return AuthFailed(text, **kwargs)
        if status == 404:
            return NotFound(text, **kwargs)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock())
            return RateLimited(text, retry_after=retry_after, **kwargs)
        if status >= 500:
            return TransientApiError(text, **kwargs)
        return ApiError(text, **kwargs)


NextRequest = Callable[[requests.Response], "tuple[str, Mapping[str, Any] | None] | None"]


def message_from(*keys: str, limit: int = 300) -> MessageExtractor:
    """A vendor's error text: the first non-empty string among `keys` of its JSON object body (at most `limit`
    characters), else None."""

    def extract(response: requests.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return None
        if isinstance(body, dict):
            for key in keys:
                if isinstance(body.get(key), str) and body[key]:
                    return str(body[key])[:limit]
        return None

    return extract


def oauth_error(response: requests.Response) -> str | None:
    """The `error` / `error_description` of an OAuth2 error body (RFC 6749 section 5.2), if it is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        desc = body.get("error_description")
        return body["error"] + (f": {desc}" if isinstance(desc, str) and desc else "")
    return None


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url


def _is_quota(err: ConnectorError) -> bool:
    return isinstance(err, QuotaExhausted)


def _never_sent(exc: BaseException) -> bool:
    """True when the request certainly never reached the server (connect refused or connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
            return True
        if isinstance(seen, urllib3.exceptions.MaxRetryError) and isinstance(
            seen.reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
        ):
            return True
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = seen.__cause__ or seen.__context__ or nested
    return False
