"""OAuth2 of the Exact stand-in: authorization-code and single-use rotating refresh-token grants, bearer checks."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from sandbox.core import Request, Response, json_response
from sandbox.exact.contract import exact_error

AUTH_CODE_TTL = 180.0  # seconds; "valid 3 minutes" (reference §4)


@dataclass
class _Refresh:
    chain: str
    issued_at: float
    used: bool = False


@dataclass
class _Access:
    chain: str
    expires_at: float


class TokenStore:
    """Issues and checks tokens the way Exact does (reference §4).

    - access tokens live `access_ttl` seconds (600); a call with an expired one gets 401 with
      `WWW-Authenticate: Bearer error="invalid_token", error_description="access token expired"`.
    - every refresh returns a NEW refresh token; re-using a rotated one gets 401
      `{"error":"unauthorized_client","error_description":"Old refresh token used."}` (picqer#300/#644).
      Access tokens issued before a rotation stay valid until their own expiry (the grace behaviour).
    - a revoked or unknown refresh token gets 400 `{"error":"invalid_grant"}`; one unused for
      `refresh_ttl` seconds gets 400 `invalid_request` "The refresh token expired at … and it is now …".
    - `min_refresh_interval` (None = off): refreshing sooner after the last issue gets 401
      "Access Token not expired" (Exact: "only after 570 seconds"; not enforced by default, unverified today).
    """

    def __init__(self, *, client_id: str, client_secret: str, refresh_token: str, authorization_code: str,
                 redirect_uri: str, access_ttl: float, refresh_ttl: float, min_refresh_interval: float | None,
                 clock: Callable[[], float]) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._initial_refresh = refresh_token
        self._initial_code = authorization_code
        self.reset()

    def reset(self) -> None:
        now = self._clock()
        self.access: dict[str, _Access] = {}
        self.refresh: dict[str, _Refresh] = {self._initial_refresh: _Refresh("chain-0", now)}
        self.codes: dict[str, float | None] = {self._initial_code: None}  # code -> expiry (None: never)
        self.used_codes: set[str] = set()
        self.last_issue: dict[str, float] = {}
        self.issued = 0

    def revoke_all(self) -> None:
        """Every access and refresh token issued so far (and the seeded one) stops working."""
        self.access.clear()
        self.refresh.clear()
        self.codes.clear()

    # -- endpoints ----------------------------------------------------------------------------
    def authorize(self, req: Request) -> Response:
        """GET /api/oauth2/auth: consent is implied; redirect to redirect_uri with a fresh code."""
        if req.arg("client_id") != self.client_id or req.arg("response_type") != "code":
            return json_response({"error": "invalid_request"}, 400)
        redirect = req.arg("redirect_uri") or self.redirect_uri
        if redirect != self.redirect_uri:
            return json_response({"error": "invalid_request", "error_description": "redirect_uri mismatch"}, 400)
        code = secrets.token_hex(24)
        self.codes[code] = self._clock() + AUTH_CODE_TTL
        params = {"code": code} | ({"state": req.arg("state") or ""} if req.arg("state") is not None else {})
        return Response(302, b"", {"Location": f"{redirect}?{urlencode(params)}"})

    def token(self, req: Request) -> Response:
        """POST /api/oauth2/token (form-encoded)."""
        form = req.form()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return json_response({"error": "invalid_client"}, 400)
        grant = form.get("grant_type")
        if grant == "refresh_token":
            return self._refresh(form.get("refresh_token", ""))
        if grant == "authorization_code":
            return self._exchange(form.get("code", ""), form.get("redirect_uri"))
        return json_response({"error": "unsupported_grant_type"}, 400)

    def _exchange(self, code: str, redirect_uri: str | None) -> Response:
        if code in self.used_codes:
            return json_response({"error": "invalid_grant", "error_description": "Authorization code already used."},
                                 400)
        if code not in self.codes:
            return json_response({"error": "invalid_grant"}, 400)
        expiry = self.codes[code]
        if expiry is not None and self._clock() > expiry:
            return json_response({"error": "invalid_grant", "error_description": "Authorization code expired."}, 400)
        if redirect_uri is not None and redirect_uri != self.redirect_uri:
            return json_response({"error": "invalid_grant", "error_description": "redirect_uri mismatch"}, 400)
        del self.codes[code]
        self.used_codes.add(code)
        return self._issue(f"chain-{secrets.token_hex(4)}")

    def _refresh(self, token: str) -> Response:
        info = self.refresh.get(token)
        if info is None:
            return json_response({"error": "invalid_grant"}, 400)
        now = self._clock()
        if info.used:
            return json_response({"error": "unauthorized_client", "error_description": "Old refresh token used."}, 401)
        if now > info.issued_at + self.refresh_ttl:
            expired = _us_datetime(info.issued_at + self.refresh_ttl)
            return json_response({"error": "invalid_request", "error_description":
                                  f"The refresh token expired at {expired} and it is now {_us_datetime(now)}."}, 400)
        last = self.last_issue.get(info.chain)
        if self.min_refresh_interval is not None and last is not None and now - last < self.min_refresh_interval:
            return json_response({"error": "invalid_request", "error_description": "Access Token not expired"}, 401)
        info.used = True
        return self._issue(info.chain)

    def _issue(self, chain: str) -> Response:
        now = self._clock()
        access, refresh = secrets.token_hex(32), secrets.token_hex(32)
        self.access[access] = _Access(chain, now + self.access_ttl)
        self.refresh[refresh] = _Refresh(chain, now)
        self.last_issue[chain] = now
        self.issued += 1
        # expires_in is a string on the wire (reference §4: [OSSO], [PQ] ctype_digit)
        return json_response({"access_token": access, "token_type": "bearer",
                              "expires_in": str(int(self.access_ttl)), "refresh_token": refresh})

    # -- bearer check -------------------------------------------------------------------------
    def check(self, req: Request) -> Response | None:
        """None when the bearer token is valid, else Exact's 401."""
        header = req.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        info = self.access.get(token.strip()) if scheme.lower() == "bearer" else None
        if info is None:
            return _unauthorized("access token invalid")
        if self._clock() >= info.expires_at:
            return _unauthorized("access token expired")
        return None


def _unauthorized(reason: str) -> Response:
    resp = exact_error(401, "Unauthorized")
    resp.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{reason}"'
    return resp


def _us_datetime(epoch: float) -> str:
    """Exact's token-endpoint date style, e.g. 10/11/2022 9:18:20 PM (UTC here)."""
    value = datetime.fromtimestamp(epoch, UTC)
    hour = value.hour % 12 or 12
    return f"{value.month}/{value.day}/{value.year} {hour}:{value:%M:%S} {'AM' if value.hour < 12 else 'PM'}"
