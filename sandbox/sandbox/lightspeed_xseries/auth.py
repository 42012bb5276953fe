"""X-Series authorisation ([X-DOCS] Authorization, lightspeed.md Part 3, verified): `Authorization: Bearer <token>` with
either a personal token (retailer-made, Setup > Personal tokens; `lsxs_pt_` prefix seen in public clients) or an OAuth2
access token from `POST https://{domain_prefix}.retail.lightspeed.app/api/1.0/token` (authorization code from
`https://secure.retail.lightspeed.app/connect`); access tokens last 86400 s ([X-DOCS] via api-evangelist conventions);
refresh tokens rotate: each refresh returns a new one and the old one stops working (changelog 2025-03).
Unverified: the exact 401 body (here `{"error": "..."}`)."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.oauth_rotation import RotatingTokens

TOKEN_PATH = "/api/1.0/token"
ACCESS_TTL = 86400
SCOPE = "sales:read customers:read products:read outlets:read registers:read taxes:read"
PERSONAL_TOKEN = "lsxs_pt_sandboxPersonalToken0123456789"
CLIENT_ID = "lsx-sandbox-client"
CLIENT_SECRET = "lsx-sandbox-secret-0123456789"
REFRESH_TOKEN = "lsx-sandbox-refresh-token"
AUTHORIZATION_CODE = "lsx-sandbox-code"


def tokens(clock: Callable[[], float], *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET,
           refresh_token: str = REFRESH_TOKEN, access_ttl: int = ACCESS_TTL) -> RotatingTokens:
    return RotatingTokens(client_id=client_id, client_secret=client_secret, initial_refresh_token=refresh_token,
                          authorization_code=AUTHORIZATION_CODE, access_ttl=access_ttl, clock=clock, scope=SCOPE)

