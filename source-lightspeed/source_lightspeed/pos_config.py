"""Typed settings of the two POS platforms: Restaurant K-Series and Retail X-Series (parsed once, from `platform`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connector_common.config import base_url
from connector_common.errors import ConfigError
from connector_common.money import check_currency

KSERIES = "kseries"
XSERIES = "xseries"
KSERIES_HOSTS = {"production": "https://api.lsk.lightspeed.app", "trial": "https://api.trial.lsk.lightspeed.app"}
KSERIES_MAX_PAGE = 100  # documented maximum of `pageSize` on the financial-api sales endpoint
XSERIES_MAX_PAGE = 200  # documented maximum `page_size` of 2.0 lists (unverified: the API may serve more)
XSERIES_STATUSES = ("CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED", "VOIDED")
DEFAULT_XSERIES_STATUSES = ("CLOSED", "ONACCOUNT_CLOSED", "LAYBY_CLOSED")
DOMAIN_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class KSeriesSettings:
    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    business_location_ids: tuple[str, ...]  # empty: every location of the token's businesses
    tip_sku: str = "TIP"
    service_charge_sku: str = "SERVICE"


@dataclass(frozen=True)
class XSeriesSettings:
    base_url: str  # https://{domain_prefix}.retail.lightspeed.app
    token_url: str
    personal_token: str | None
    client_id: str | None
    client_secret: str | None
    refresh_token: str | None
    outlet_ids: tuple[str, ...]  # empty: every outlet
    statuses: frozenset[str]
    currency: str = "EUR"


def _text(node: dict[str, Any], key: str, where: str = "platform") -> str:
    value = node.get(key)
    if value is None or str(value).strip() == "":
        raise ConfigError(f"{where}.{key} is required")
    return str(value).strip()


def _ids(value: Any, option: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list) else [value]
    out = tuple(str(v).strip() for v in items if str(v).strip())
    bad = [v for v in out if not re.fullmatch(r"[0-9A-Za-z-]+", v)]
    if bad:
        raise ConfigError(f"{option}: {bad[0]!r} is not an id")
    return out


def kseries_settings(platform: dict[str, Any]) -> KSeriesSettings:
    environment = str(platform.get("environment") or "production")
    if environment not in KSERIES_HOSTS:
        raise ConfigError(f"platform.environment must be one of {', '.join(KSERIES_HOSTS)}, not {environment!r}")
    api = base_url(platform.get("base_url"), "platform.base_url", KSERIES_HOSTS[environment])
    return KSeriesSettings(
        base_url=api, token_url=base_url(platform.get("auth_server_url"), "platform.auth_server_url",
                                         f"{api}/oauth/token"),
        client_id=_text(platform, "client_id"), client_secret=_text(platform, "client_secret"),
        refresh_token=_text(platform, "refresh_token"),
        business_location_ids=_ids(platform.get("business_location_ids"), "platform.business_location_ids"),
        tip_sku=str(platform.get("tip_item_code") or "TIP").strip(),
        service_charge_sku=str(platform.get("service_charge_item_code") or "SERVICE").strip(),
    )


def xseries_settings(platform: dict[str, Any]) -> XSeriesSettings:
    prefix = _text(platform, "domain_prefix").lower()
    if not DOMAIN_PREFIX.fullmatch(prefix):
        raise ConfigError(f"platform.domain_prefix {prefix!r} is not a store domain prefix (the part before "
                          ".retail.lightspeed.app)")
    api = base_url(platform.get("base_url"), "platform.base_url", f"https://{prefix}.retail.lightspeed.app")
    credentials = platform.get("credentials")
    if not isinstance(credentials, dict):
        raise ConfigError("platform.credentials is required: a personal token or OAuth2 client + refresh token")
    kind = credentials.get("auth_type")
    where = "platform.credentials"
    statuses = tuple(platform.get("sale_statuses") or DEFAULT_XSERIES_STATUSES)
    unknown = [s for s in statuses if s not in XSERIES_STATUSES]
    if unknown:
        raise ConfigError(f"platform.sale_statuses: unknown status {unknown[0]!r} (expected any of "
                          f"{', '.join(XSERIES_STATUSES)})")
    try:
        currency = check_currency(str(platform.get("currency") or "EUR").upper())
    except ValueError as exc:
        raise ConfigError(f"platform.currency: {exc}") from None
    common: dict[str, Any] = {
        "base_url": api, "outlet_ids": _ids(platform.get("outlet_ids"), "platform.outlet_ids"),
        "statuses": frozenset(statuses), "currency": currency,
        "token_url": base_url(platform.get("auth_server_url"), "platform.auth_server_url", f"{api}/api/1.0/token"),
    }
    if kind == "personal_token":
        return XSeriesSettings(personal_token=_text(credentials, "personal_token", where), client_id=None,
                               client_secret=None, refresh_token=None, **common)
    if kind == "oauth2":
        return XSeriesSettings(personal_token=None, client_id=_text(credentials, "client_id", where),
                               client_secret=_text(credentials, "client_secret", where),
                               refresh_token=_text(credentials, "refresh_token", where), **common)
    raise ConfigError(f"{where}.auth_type {kind!r} is unknown (expected 'personal_token' or 'oauth2')")
