"""K-Series OAuth2: authorization code at `/oauth/authorize`, tokens at `/oauth/token`; access tokens last 60 minutes;
refresh tokens are single use (each refresh returns a new one; the old one stops working) and do not expire.
Source: [K-DOCS] api-docs.lsk.lightspeed.app Authentication (lightspeed.md Part 4, verified) and the `OAuth2`
security scheme of [K-FIN2] (authorizationUrl `/oauth/authorize`, tokenUrl `/oauth/token`, scope `financial-api`).
Unverified: whether the token call wants the client credentials as HTTP Basic or in the body (both are accepted)."""

from __future__ import annotations

from sandbox.oauth_rotation import OAuthApp

TOKEN_PATH = "/oauth/token"
APP = OAuthApp(client_id="lsk-sandbox-client", client_secret="lsk-sandbox-secret-0123456789",
               refresh_token="lsk-sandbox-refresh-token", authorization_code="lsk-sandbox-code", scope="financial-api",
               access_ttl=3600)
