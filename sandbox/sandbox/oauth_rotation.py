"""OAuth2 token endpoint with single-use rotating refresh tokens, shared by the Lightspeed K- and X-Series stand-ins.

Both vendors document the same behaviour (see each stand-in's `auth.py` for the source): the authorization-code
grant issues an access token and a refresh token; a `refresh_token` grant returns a NEW refresh token and the one
used stops working at once, as do the access tokens issued with it. Errors are OAuth-style
`{"error": "invalid_grant", "error_description": ...}`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import Request, Response


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """`Authorization: Basic base64(id:secret)` -> (id, secret), or None."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


@dataclass
class RotatingTokens:
    """Issued tokens of one OAuth client: access token -> (expiry, parent refresh token); live refresh tokens."""

    client_id: str
    client_secret: str
    initial_refresh_token: str
    authorization_code: str
    access_ttl: int
    clock: Callable[[], float]
    access: dict[str, tuple[float, str]] = field(default_factory=dict)
    refresh: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    refreshes: int = 0

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.access, self.refresh, self.revoked, self.refreshes = {}, {self.initial_refresh_token}, set(), 0

    def revoke_all(self) -> None:
        """What an operator revoking the app's access does: every issued token stops working."""
        self.revoked.update(self.access, self.refresh)
        self.access.clear()
        self.refresh.clear()

    def token_endpoint(self, req: Request, scope: str) -> Response:
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
        if client_id != self.client_id or client_secret != self.client_secret:
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        grant = form.get("grant_type")
        if grant == "refresh_token":
            old = form.get("refresh_token", "")
            if old not in self.refresh:
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "The refresh token is invalid, revoked or already used"})
            self.refresh.discard(old)  # single use: the old one dies with every access token issued with it
            stale = [token for token, (_, parent) in self.access.items() if parent == old]
            for token in stale:
                del self.access[token]
            self.revoked.update([old, *stale])
            self.refreshes += 1
        elif grant == "authorization_code":
            if form.get("code") != self.authorization_code:
                return Response(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
        else:
            return Response(400, {"error": "unsupported_grant_type",
                                  "error_description": f"grant_type {grant!r} is not supported"})
        new_refresh = secrets.token_hex(24)
        self.refresh.add(new_refresh)
        access = secrets.token_hex(32)
        self.access[access] = (self.clock() + self.access_ttl, new_refresh)
        return Response(200, {"token_type": "Bearer", "expires_in": self.access_ttl, "access_token": access,
                              "refresh_token": new_refresh, "scope": scope})

    def bearer_problem(self, header: str | None) -> str | None:
        """None when `Authorization: Bearer <token>` carries a live access token, else why not."""
        token = header[7:] if header and header.startswith("Bearer ") else ""
        grant = self.access.get(token)
        if grant is None:
            return "access token revoked" if token in self.revoked else "invalid access token"
        if self.clock() >= grant[0]:
            return "access token expired"
        return None
