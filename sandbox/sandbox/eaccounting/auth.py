"""eAccounting's OAuth2 (Visma Connect / IdentityServer): the token endpoint, rotating refresh tokens, bearer checks."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from sandbox.core import Request
from sandbox.eaccounting.contract import NOT_AUTHORIZED, SCOPE, ApiError

TOKEN_TTL = 3600


class Tokens:
    """Access tokens (1 h) and single-use refresh tokens per client; one authorization code that works once."""

    def __init__(self, *, client_id: str, client_secret: str, refresh_token: str, authorization_code: str,
                 clock: Callable[[], float]) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.authorization_code = authorization_code
        self.clock = clock
        self.access: dict[str, tuple[str, float]] = {}
        self.refresh: dict[str, str] = {refresh_token: client_id}
        self.codes_used: set[str] = set()

    def revoke(self) -> None:
        self.access.clear()
        self.refresh.clear()

    def issue(self, client_id: str | None = None) -> dict[str, Any]:
        """Mint an access + refresh token pair for `client_id` (what the token endpoint returns)."""
        client = client_id or self.client_id
        access, refresh = secrets.token_hex(32), secrets.token_hex(32)
        self.access[access] = (client, self.clock() + TOKEN_TTL)
        self.refresh[refresh] = client
        return {"access_token": access, "expires_in": TOKEN_TTL, "token_type": "Bearer",
                "refresh_token": refresh, "scope": SCOPE}

    def grant(self, req: Request) -> tuple[int, dict[str, Any]]:
        """POST /connect/token -> (status, body); errors are IdentityServer's `{"error": ...}`."""
        if req.method != "POST":
            return 400, {"error": "invalid_request"}
        form = req.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = req.header("authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
            except ValueError:
                return 400, {"error": "invalid_client"}
            user, _, password = decoded.partition(":")
            client_id, client_secret = unquote(user), unquote(password)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 400, {"error": "invalid_client"}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if self.refresh.get(token) != client_id:
                return 400, {"error": "invalid_grant"}
            del self.refresh[token]  # rotation: a refresh token works once
            return 200, self.issue(client_id)
        if grant == "authorization_code":
            code = form.get("code", "")
            if code != self.authorization_code or code in self.codes_used:
                return 400, {"error": "invalid_grant"}
            self.codes_used.add(code)
            return 200, self.issue(client_id)
        if not grant:
            return 400, {"error": "invalid_request"}
        return 400, {"error": "unsupported_grant_type"}

    def authenticate(self, req: Request) -> str:
        """The client a bearer token belongs to; raises ApiError 401 (ErrorCode 4005) otherwise."""
        auth = req.header("authorization") or ""
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""  # issued tokens are never empty
        entry = self.access.get(token)
        if entry is None:
            raise ApiError(401, NOT_AUTHORIZED, "Authorization has been denied for this request.")
        client, expires = entry
        if self.clock() >= expires:
            del self.access[token]
            raise ApiError(401, NOT_AUTHORIZED, "Authorization has been denied for this request: token expired.")
        return client
