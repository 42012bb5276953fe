"""Lightspeed Retail's OAuth2: rotating refresh tokens (30 days unused and they expire), authorization codes, HTTP
Basic client credentials; the token endpoint itself is `sandbox.oauth_rotation`, shared with the K- and X-Series."""

from __future__ import annotations

from sandbox.oauth_rotation import EXPIRED, REVOKED, OAuthApp

TOKEN_PATH = "/auth/oauth/token"
APP = OAuthApp(client_id="ls-retail-sandbox-client", client_secret="ls-retail-sandbox-secret-0123456789",
               refresh_token="ls-retail-sandbox-refresh-token", authorization_code="ls-retail-sandbox-code",
               scope="employee:all", access_ttl=3600, refresh_ttl=30 * 86400.0)
UNAUTHORIZED = {REVOKED: "Access token has been revoked", EXPIRED: "Access token has expired"}
NOT_VERIFIED = "Access token could not be verified"
