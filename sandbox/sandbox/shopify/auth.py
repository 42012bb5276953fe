"""Shopify's auth: static custom-app tokens, the OAuth token endpoint (client credentials, rotating refresh
tokens), scopes per token, and which fields protected customer data hides."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.core import Request, Response, json_response

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
DEFAULT_SCOPES = ("read_orders", "read_all_orders", "read_customers", "read_products", "read_inventory",
                  "write_inventory", "read_locations", "read_merchant_managed_fulfillment_orders",
                  "write_merchant_managed_fulfillment_orders")
PII_FIELDS = {"Customer": ("email", "phone", "firstName", "lastName", "displayName", "defaultAddress", "addresses",
                           "addressesV2"),
              "Order": ("email", "phone", "billingAddress", "shippingAddress")}
REFRESH_LIFETIME = 90 * 86400
_PCD = "See https://shopify.dev/docs/apps/launch/protected-customer-data for more details."


@dataclass
class Token:
    """An issued access or refresh token; `expires_at` None = never."""

    scopes: tuple[str, ...]
    expires_at: float | None = None


class Auth:
    """Tokens of one shop. `refresh_grace`: the old refresh token lives until its replacement is used."""

    def __init__(self, *, access_token: str, client_id: str, client_secret: str, refresh_token: str,
                 scopes: tuple[str, ...], client_credentials_ttl: float, refresh_ttl: float, refresh_grace: bool,
                 clock: Callable[[], float]) -> None:
        self.client_id, self.client_secret, self.scopes = client_id, client_secret, tuple(scopes)
        self.client_credentials_ttl, self.refresh_ttl, self.refresh_grace = \
            client_credentials_ttl, refresh_ttl, refresh_grace
        self.clock = clock
        self.tokens: dict[str, Token] = {access_token: Token(self.scopes)}
        self.refresh_tokens: dict[str, Token] = {refresh_token: Token(self.scopes)}
        self.retiring: dict[str, str] = {}  # new refresh token -> the old one it replaces (grace mode)

    def revoke(self) -> None:
        self.tokens.clear()
        self.refresh_tokens.clear()
        self.retiring.clear()

    def scopes_of(self, req: Request) -> tuple[str, ...] | None:
        token = self.tokens.get(req.header("X-Shopify-Access-Token") or "")
        if token is None or (token.expires_at is not None and token.expires_at <= self.clock()):
            return None
        return token.scopes

    def grant(self, req: Request) -> Response:
        """``POST /admin/oauth/access_token`` (form or JSON)."""
        try:
            body = req.json() if "json" in (req.header("Content-Type") or "") else req.form()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return json_response({"error": "invalid_request", "error_description": "Malformed request body"}, 400)
        if body.get("client_id") != self.client_id or body.get("client_secret") != self.client_secret:
            return json_response({"error": "invalid_client", "error_description": "Client authentication failed"},
                                 401)
        grant = body.get("grant_type")
        if grant == "client_credentials":
            access = "shpat_" + secrets.token_hex(16)
            self.tokens[access] = Token(self.scopes, self.clock() + self.client_credentials_ttl)
            return json_response({"access_token": access, "scope": ",".join(self.scopes),
                                  "expires_in": int(self.client_credentials_ttl)})
        if grant == "refresh_token":
            return self._refresh(str(body.get("refresh_token") or ""))
        return json_response({"error": "unsupported_grant_type",
                              "error_description": f"Grant type {grant!r} is not supported"}, 400)

    def _refresh(self, old: str) -> Response:
        info = self.refresh_tokens.get(old)
        if info is None or (info.expires_at is not None and info.expires_at <= self.clock()):
            return json_response({"error": "invalid_grant",
                                  "error_description": "The refresh token is invalid or expired"}, 400)
        access, new_refresh = "shpat_" + secrets.token_hex(16), "shprt_" + secrets.token_hex(16)
        self.tokens[access] = Token(info.scopes, self.clock() + self.refresh_ttl)
        self.refresh_tokens[new_refresh] = Token(info.scopes, self.clock() + REFRESH_LIFETIME)
        if self.refresh_grace:
            self.retiring[new_refresh] = old
        else:
            del self.refresh_tokens[old]
        retired = self.retiring.pop(old, None)  # using a replacement retires its predecessor
        if retired:
            self.refresh_tokens.pop(retired, None)
        return json_response({"access_token": access, "expires_in": int(self.refresh_ttl),
                              "refresh_token": new_refresh, "refresh_token_expires_in": REFRESH_LIFETIME,
                              "scope": ",".join(info.scopes)})


def denied_fields(scopes: tuple[str, ...], protected_customer_data: str) -> dict[str, dict[str, Any]]:
    """{typename: {field or "*": message}} of what this token may not read."""
    denied: dict[str, dict[str, Any]] = {}
    if "read_customers" not in scopes:
        denied["Customer"] = {"*": "Access denied for customer field. Required access: `read_customers` access scope."}
    elif protected_customer_data == "none":
        denied["Customer"] = {"*": f"This app is not approved to access the Customer object. {_PCD}"}
    elif protected_customer_data == "level1":
        denied["Customer"] = {f: f"This app is not approved to use the {f} field. {_PCD}"
                              for f in PII_FIELDS["Customer"]}
    if protected_customer_data != "full":
        denied["Order"] = {f: f"This app is not approved to use the {f} field. {_PCD}" for f in PII_FIELDS["Order"]}
    return denied
