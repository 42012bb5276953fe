"""Authentication for `HttpClient`: static header tokens and OAuth2 (refresh-token rotation, client credentials)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from connector_common.errors import ApiError, AuthFailed, ConfigError


class NoAuth(AuthBase):
    """Sends no credentials (token requests that carry the client credentials in the form body)."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


class HeaderTokenAuth(AuthBase):
    """A fixed token in a header, e.g. `X-Shopify-Access-Token: …` or `Authorization: Bearer …`."""

    def __init__(self, token: str, header: str = "Authorization", prefix: str = "Bearer ") -> None:
        self._value = f"{prefix}{token}"
        self._header = header

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers[self._header] = self._value
        return r


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: float  # epoch seconds
    refresh_token: str | None


RotationCallback = Callable[[TokenSet], None]


class OAuth2Auth(AuthBase):
    """OAuth2 bearer auth that fetches and renews its own access token.

    grant "refresh_token": exchanges the refresh token; when the provider returns a new one (Exact rotates on every
    refresh and rejects the old one with invalid_grant) `on_rotate` is called at once, before the token is used, so
    the caller can persist it (CONTROL message + config file). grant "client_credentials": client id + secret only.

    Not built on the CDK's SingleUseRefreshTokenOauth2Authenticator: that one sends its refresh through its own
    requests call (no shared timeout/retry/redaction), prints the CONTROL message straight to stdout and mutates the
    config in place; we keep the token call on our HttpClient and leave persistence to one callback.

    `http` may be the very client this auth is attached to: the token call itself is sent without it.
    The token request is sent once, never retried after it may have reached the server: a rotated refresh token
    whose response is lost cannot be recovered by retrying with the old one.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        http: Any,  # connector_common.http.HttpClient (typed loosely to avoid an import cycle)
        grant: str = "refresh_token",
        refresh_token: str | None = None,
        access_token: str | None = None,
        expires_at: float = 0.0,
        on_rotate: RotationCallback | None = None,
        client_auth: str = "body",  # "body" (form fields) or "basic" (HTTP Basic header)
        extra_params: dict[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 30.0,
        header: str = "Authorization",
        prefix: str = "Bearer ",
    ) -> None:
        if grant not in ("refresh_token", "client_credentials"):
            raise ValueError(f"unsupported grant {grant!r}")
        if grant == "refresh_token" and not refresh_token:
            raise ConfigError("a refresh token is required")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http
        self._grant = grant
        self._refresh_token = refresh_token
        self._access_token = access_token
        self._expires_at = expires_at
        self._on_rotate = on_rotate
        self._client_auth = client_auth
        self._extra = dict(extra_params or {})
        self._clock = clock
        self._margin = refresh_margin
        self._lock = threading.Lock()
        self._header = header
        self._prefix = prefix
        self.refreshes = 0
        http.redactor.add(client_secret, refresh_token, access_token)

    @property
    def refresh_token(self) -> str | None:
        return self._refresh_token

    def invalidate(self) -> None:
        """Forget the access token (after a 401) so the next call refreshes it."""
        with self._lock:
            self._expires_at = 0.0

    def access_token(self) -> str:
        with self._lock:
            if not self._access_token or self._clock() >= self._expires_at - self._margin:
                self._refresh()
            assert self._access_token is not None
            return self._access_token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers[self._header] = f"{self._prefix}{self.access_token()}"
        return r

    def _refresh(self) -> None:
        form = {"grant_type": self._grant, **self._extra}
        auth: AuthBase = NoAuth()  # never the bearer auth itself: that would recurse into this refresh
        if self._client_auth == "basic":
            auth = HTTPBasicAuth(self._client_id, self._client_secret)
        else:
            form.update(client_id=self._client_id, client_secret=self._client_secret)
        if self._grant == "refresh_token":
            assert self._refresh_token is not None
            form["refresh_token"] = self._refresh_token
        try:
            response = self._http.request("POST", self.token_url, data=form, auth=auth, idempotent=False)
        except AuthFailed as exc:
            said = str(exc).split(": ", 1)[1] if ": " in str(exc) else f"HTTP {exc.status}"
            raise AuthFailed(f"the OAuth provider refused the token request ({said}): if the refresh token was already "
                             "used or revoked, re-authorise the connection; otherwise check the client id and secret",
                             status=exc.status) from None
        except ApiError as exc:
            if exc.status in (400, 401) and "invalid_grant" in str(exc):
                raise AuthFailed("the refresh token was rejected (invalid_grant: invalid, expired, revoked or already "
                                 "used); re-authorise the connection to get a new one", status=exc.status) from None
            if exc.status in (400, 401) and "invalid_client" in str(exc):  # RFC 6749 5.2: client authentication
                raise AuthFailed("the OAuth provider refused the client id or client secret (invalid_client): check "
                                 "them in the connection's configuration", status=exc.status) from None
            raise
        body = response.json()
        token = body.get("access_token")
        if not token:
            raise AuthFailed("the token endpoint answered without an access_token")
        self._access_token = token
        self._expires_at = self._clock() + float(body.get("expires_in") or 3600)
        self._http.redactor.add(token)
        self.refreshes += 1
        new_refresh = body.get("refresh_token")
        if new_refresh and new_refresh != self._refresh_token:
            self._refresh_token = new_refresh
            self._http.redactor.add(new_refresh)
            if self._on_rotate:
                self._on_rotate(TokenSet(access_token=token, expires_at=self._expires_at, refresh_token=new_refresh))

