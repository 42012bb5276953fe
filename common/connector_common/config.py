"""Config checks every connector shares: required credentials and safe base-URL overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from connector_common.errors import ConfigError

LOOPBACK_HOSTS = frozenset(("127.0.0.1", "localhost", "::1"))


def require(config: Mapping[str, Any], section: str, keys: Iterable[str]) -> Mapping[str, Any]:
    """The `section` object of the config, with every key in `keys` present and non-empty.

    Raises:
        ConfigError: naming the first missing option, e.g. 'credentials.refresh_token is required'.
    """
    node = config.get(section) or {}
    for key in keys:
        if not node.get(key):
            raise ConfigError(f"{section}.{key} is required")
    return node


def base_url(value: str | None, option: str, default: str) -> str:
    """An API base URL from an override option, else `default`; without a trailing slash.

    Overrides must use https, except plain http on this machine's loopback interface (the local sandbox), so a
    typo can never send credentials in clear text over a network.

    Raises:
        ConfigError: naming the option when the URL is not https (or loopback http).
    """
    url = (value or default).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise ConfigError(f"{option} must be an https:// URL (plain http is accepted only for 127.0.0.1/localhost), "
                      f"not {url!r}")
