"""Lightspeed Retail's OAuth2: rotating refresh tokens, authorization codes, HTTP Basic client credentials."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

TOKEN_PATH = "/auth/oauth/token"
REFRESH_TOKEN_TTL = 30 * 86400.0


@dataclass
class Tokens:
    """Issued OAuth tokens: access token -> (expiry, refresh token it came with); refresh token -> last use."""

    access: dict[str, tuple[float, str]] = field(default_factory=dict)
    refresh: dict[str, float] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)


# -- query helpers (pure) --------------------------------------------------------------------------------------------
def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password
