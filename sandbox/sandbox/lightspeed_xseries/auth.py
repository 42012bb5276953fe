"""X-Series authorisation ([X-DOCS] Authorization, lightspeed.md Part 3, verified): `Authorization: Bearer <token>` with
either a personal token (retailer-made, Setup > Personal tokens; `lsxs_pt_` prefix seen in public clients) or an OAuth2
access token from `POST https://{domain_prefix}.retail.lightspeed.app/api/1.0/token` (authorization code from
`https://secure.retail.lightspeed.app/connect`); access tokens last 86400 s ([X-DOCS] via api-evangelist conventions);
refresh tokens rotate: each refresh returns a new one and the old one stops working (changelog 2025-03).
Unverified: the exact 401 body (here `{"error": "..."}`)."""

from __future__ import annotations

from sandbox.oauth_rotation import OAuthApp

TOKEN_PATH = "/api/1.0/token"
PERSONAL_TOKEN = "lsxs_pt_sandboxPersonalToken0123456789"
APP = OAuthApp(client_id="lsx-sandbox-client", client_secret="lsx-sandbox-secret-0123456789",
               refresh_token="lsx-sandbox-refresh-token", authorization_code="lsx-sandbox-code",
               scope="sales:read customers:read products:read outlets:read registers:read taxes:read",
               access_ttl=86400)
