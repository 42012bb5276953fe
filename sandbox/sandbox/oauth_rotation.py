"""THE OAuth2 token endpoint of the Lightspeed stand-ins (R-Series, K-Series, X-Series): rotating refresh tokens.

The three vendors document the same behaviour (each stand-in's `auth.py` names its source): the authorization-code
grant issues an access token and a refresh token; a `refresh_token` grant returns a NEW refresh token and the one
used stops working at once, as do the access tokens issued with it (`rotate=False` keeps the same refresh token, the
R-Series legacy behaviour). A refresh token unused for `refresh_ttl` seconds expires (None: never). Client
credentials come in the form/JSON body or as HTTP Basic. Errors are OAuth-style
`{"error": "invalid_grant", "error_description": ...}`; the API's own 401 body stays each stand-in's (see
`bearer_problem`).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import Request, Response

INVALID = "invalid"  # reasons `bearer_problem` gives; each stand-in words its own 401 from them
REVOKED = "revoked"
EXPIRED = "expired"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """`Authorization: Basic base64(id:secret)` -> (id, secret), or None."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


@dataclass(frozen=True, kw_only=True)
class OAuthApp:
    """One OAuth client as a stand-in knows it: its credentials, the seeded refresh token, the token rules."""

    client_id: str
    client_secret: str
    refresh_token: str  # the one a fresh stand-in accepts
    authorization_code: str
    scope: str
    access_ttl: int = 3600
    refresh_ttl: float | None = None  # seconds a refresh token may go unused; None: never expires
    rotate: bool = True  # False: a refresh returns the same refresh token


@dataclass
class RotatingTokens:
    """Issued tokens of one OAuth client: access token -> (expiry, parent refresh token); refresh token -> last use."""

    app: OAuthApp
    clock: Callable[[], float]
    access: dict[str, tuple[float, str]] = field(default_factory=dict)
    refresh: dict[str, float] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)
    refreshes: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.access, self.revoked, self.refreshes = {}, set(), 0
        self.refresh = {self.app.refresh_token: self.clock()}

    def revoke_all(self) -> None:
        """What an operator revoking the app's access does: every issued token stops working."""
        self.revoked.update(self.access, self.refresh)
        self.access.clear()
        self.refresh.clear()

    def token_endpoint(self, req: Request) -> Response:
        """POST /…/token: form or JSON body, client credentials in the body or as HTTP Basic."""
        if req.method != "POST":
            return Response(405, {"error": "invalid_request", "error_description": "Use POST"})
        try:
            form: Any = req.json() if "json" in (req.header("content-type", "") or "") else req.form()
        except ValueError:
            return Response(400, {"error": "invalid_request", "error_description": "Malformed body"})
        form = {k: str(v) for k, v in (form or {}).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = basic_credentials(req.header("authorization"))
        if basic is not None:
            client_id, client_secret = basic
        if client_id != self.app.client_id or client_secret != self.app.client_secret:
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        now = self.clock()
        grant = form.get("grant_type")
        if grant == "refresh_token":
            old = form.get("refresh_token", "")
            used = self.refresh.get(old)
            if used is None or (self.app.refresh_ttl is not None and now - used > self.app.refresh_ttl):
                self.refresh.pop(old, None)
                return Response(400, {"error": "invalid_grant", "error_description":
                                      "The refresh token is invalid, expired, revoked or already used"})
            self.refreshes += 1
            new_refresh = self._rotate(old) if self.app.rotate else old
        elif grant == "authorization_code":
            if form.get("code") != self.app.authorization_code:
                return Response(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
            new_refresh = secrets.token_hex(24)
        else:
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": f"grant_type {grant!r} is not supported"})
        self.refresh[new_refresh] = now
        access = secrets.token_hex(32)
        self.access[access] = (now + self.app.access_ttl, new_refresh)
        return Response(200, {"token_type": "Bearer", "expires_in": self.app.access_ttl, "access_token": access,
                              "refresh_token": new_refresh, "scope": self.app.scope})

    def _rotate(self, old: str) -> str:
        """Single use: the old refresh token dies with every access token issued with it."""
        del self.refresh[old]
        stale = [token for token, (_, parent) in self.access.items() if parent == old]
        for token in stale:
            del self.access[token]
        self.revoked.update([old, *stale])
        return secrets.token_hex(24)

    def bearer_problem(self, header: str | None) -> str | None:
        """None when `Authorization: Bearer <token>` carries a live access token, else INVALID, REVOKED or EXPIRED."""
        token = header[7:] if header and header.startswith("Bearer ") else ""
        grant = self.access.get(token)
        if grant is None:
            return REVOKED if token in self.revoked else INVALID
        if self.clock() >= grant[0]:
            return EXPIRED
        return None
