"""K-Series OAuth2: authorization code at `/oauth/authorize`, tokens at `/oauth/token`; access tokens last 60 minutes;
refresh tokens are single use (each refresh returns a new one; the old one stops working) and do not expire.
Source: [K-DOCS] api-docs.lsk.lightspeed.app Authentication (lightspeed.md Part 4, verified) and the `OAuth2`
security scheme of [K-FIN2] (authorizationUrl `/oauth/authorize`, tokenUrl `/oauth/token`, scope `financial-api`).
Unverified: whether the token call wants the client credentials as HTTP Basic or in the body (both are accepted)."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.oauth_rotation import RotatingTokens

TOKEN_PATH = "/oauth/token"
ACCESS_TTL = 3600
SCOPE = "financial-api"
CLIENT_ID = "lsk-sandbox-client"
CLIENT_SECRET = "lsk-sandbox-secret-0123456789"
REFRESH_TOKEN = "lsk-sandbox-refresh-token"
AUTHORIZATION_CODE = "lsk-sandbox-code"


def tokens(clock: Callable[[], float], *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET,
           refresh_token: str = REFRESH_TOKEN, authorization_code: str = AUTHORIZATION_CODE,
           access_ttl: int = ACCESS_TTL) -> RotatingTokens:
    return RotatingTokens(client_id=client_id, client_secret=client_secret, initial_refresh_token=refresh_token,
                          authorization_code=authorization_code, access_ttl=access_ttl, clock=clock, scope=SCOPE)

