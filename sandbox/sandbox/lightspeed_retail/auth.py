"""Lightspeed Retail's OAuth2: rotating refresh tokens (30 days unused and they expire), authorization codes, HTTP
Basic client credentials; the token endpoint itself is `sandbox.oauth_rotation`, shared with the K- and X-Series."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.oauth_rotation import EXPIRED, REVOKED, RotatingTokens

TOKEN_PATH = "/auth/oauth/token"
REFRESH_TOKEN_TTL = 30 * 86400.0
SCOPE = "employee:all"
UNAUTHORIZED = {REVOKED: "Access token has been revoked", EXPIRED: "Access token has expired"}
NOT_VERIFIED = "Access token could not be verified"


def tokens(*, client_id: str, client_secret: str, refresh_token: str, authorization_code: str, access_ttl: int,
           rotate: bool, clock: Callable[[], float]) -> RotatingTokens:
    return RotatingTokens(client_id=client_id, client_secret=client_secret, initial_refresh_token=refresh_token,
                          authorization_code=authorization_code, access_ttl=access_ttl, clock=clock, scope=SCOPE,
                          rotate=rotate, refresh_ttl=REFRESH_TOKEN_TTL)
