"""The connector's configuration, parsed once into typed settings (the platform is a `oneOf` in spec.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from connector_common.config import base_url
from connector_common.cursor import parse_timestamp
from connector_common.errors import ConfigError
from connector_common.money import check_currency, to_decimal
from source_lightspeed.pos_config import (
    KSERIES,
    KSERIES_MAX_PAGE,
    XSERIES,
    XSERIES_MAX_PAGE,
    KSeriesSettings,
    XSeriesSettings,
    kseries_settings,
    xseries_settings,
)

ECOM_CLUSTERS = {"eu1": "https://api.webshopapp.com", "us1": "https://api.shoplightspeed.com"}
RETAIL_API_URL = "https://api.lightspeedapp.com"
RETAIL_TOKEN_URL = "https://cloud.lightspeedapp.com/auth/oauth/token"
ECOM_STATUSES = (
    "new", "offer", "on_hold", "processing", "processing_awaiting_payment", "processing_awaiting_shipment",
    "processing_awaiting_pickup", "processing_partially_paid", "processing_partially_shipped",
    "processing_partially_picked_up", "completed", "completed_shipped", "completed_picked_up", "cancelled",
)
DEFAULT_ECOM_STATUSES = tuple(s for s in ECOM_STATUSES if s not in ("new", "offer"))
RETAIL_STATUSES = ("completed", "voided")
DEFAULT_RETAIL_STATUSES = ("completed",)


@dataclass(frozen=True)
class EcomSettings:
    base_url: str  # cluster host, e.g. https://api.webshopapp.com
    language: str
    api_key: str
    api_secret: str
    statuses: frozenset[str]
    prices_include_tax: bool


@dataclass(frozen=True)
class RetailSettings:
    base_url: str
    token_url: str
    account_id: str
    client_id: str
    client_secret: str
    refresh_token: str
    statuses: frozenset[str]
    currency: str = "EUR"
    default_tax_rate: Decimal = Decimal(21)


@dataclass(frozen=True)
class Settings:
    platform: EcomSettings | RetailSettings | KSeriesSettings | XSeriesSettings
    start_date: datetime
    lookback: timedelta
    page_size: int

    @property
    def source_name(self) -> str:
        names = {EcomSettings: "lightspeed_ecom", RetailSettings: "lightspeed_retail",
                 KSeriesSettings: "lightspeed_kseries", XSeriesSettings: "lightspeed_xseries"}
        return names[type(self.platform)]


def parse_config(config: dict[str, Any]) -> Settings:
    """Config dict (already checked against spec.yaml by the CDK) -> Settings.

    Raises:
        ConfigError: naming the option that is missing or wrong.
    """
    platform = config.get("platform")
    if not isinstance(platform, dict):
        raise ConfigError("'platform' is required: choose Lightspeed eCom or Lightspeed Retail")
    kind = platform.get("platform_type")
    try:
        start = parse_timestamp(str(config.get("start_date") or "2000-01-01T00:00:00Z"))
    except ValueError:
        raise ConfigError(f"start_date {config.get('start_date')!r} is not an ISO 8601 timestamp with a time zone"
                          ) from None
    lookback = timedelta(minutes=int(config.get("lookback_window_minutes", 5)))
    if lookback < timedelta(0):
        raise ConfigError("lookback_window_minutes must not be negative")
    settings: EcomSettings | RetailSettings | KSeriesSettings | XSeriesSettings
    if kind == "ecom":
        statuses = _statuses(platform.get("order_statuses"), ECOM_STATUSES, DEFAULT_ECOM_STATUSES, "order_statuses")
        cluster = str(platform.get("cluster", "eu1"))
        if cluster not in ECOM_CLUSTERS and not platform.get("base_url"):
            raise ConfigError(f"cluster {cluster!r} is unknown (expected one of {', '.join(ECOM_CLUSTERS)})")
        settings = EcomSettings(
            base_url=base_url(platform.get("base_url"), "platform.base_url", ECOM_CLUSTERS.get(cluster, "")),
            language=str(platform.get("language", "nl")),
            api_key=_required(platform, "api_key"), api_secret=_required(platform, "api_secret"),
            statuses=statuses, prices_include_tax=bool(platform.get("prices_include_tax", True)),
        )
        page_size = min(int(config.get("page_size", 250)), 250)
    elif kind == "retail":
        if "token_url" in platform:  # additionalProperties is open: a misspelt override would silently hit the cloud
            raise ConfigError("platform.token_url is not an option; the token endpoint override is "
                              "platform.auth_server_url")
        statuses = _statuses(platform.get("sale_statuses"), RETAIL_STATUSES, DEFAULT_RETAIL_STATUSES, "sale_statuses")
        settings = RetailSettings(
            base_url=base_url(platform.get("base_url"), "platform.base_url", RETAIL_API_URL),
            token_url=base_url(platform.get("auth_server_url"), "platform.auth_server_url", RETAIL_TOKEN_URL),
            account_id=_required(platform, "account_id"), client_id=_required(platform, "client_id"),
            client_secret=_required(platform, "client_secret"), refresh_token=_required(platform, "refresh_token"),
            statuses=statuses, currency=_currency(platform.get("currency", "EUR")),
            default_tax_rate=_rate(platform.get("default_tax_rate", "21")),
        )
        page_size = min(int(config.get("page_size", 100)), 100)
    elif kind == KSERIES:
        settings = kseries_settings(platform)
        page_size = min(int(config.get("page_size", KSERIES_MAX_PAGE)), KSERIES_MAX_PAGE)
    elif kind == XSERIES:
        settings = xseries_settings(platform)
        page_size = min(int(config.get("page_size", XSERIES_MAX_PAGE)), XSERIES_MAX_PAGE)
    else:
        raise ConfigError(f"platform_type {kind!r} is unknown (expected 'ecom', 'retail', 'kseries' or 'xseries')")
    if page_size < 1:
        raise ConfigError("page_size must be at least 1")
    return Settings(platform=settings, start_date=start, lookback=lookback, page_size=page_size)


def _required(node: dict[str, Any], key: str) -> str:
    value = node.get(key)
    if value is None or str(value).strip() == "":
        raise ConfigError(f"platform.{key} is required")
    return str(value).strip()


def _statuses(value: Any, allowed: tuple[str, ...], default: tuple[str, ...], name: str) -> frozenset[str]:
    chosen = tuple(value) if value else default
    unknown = [s for s in chosen if s not in allowed]
    if unknown:
        raise ConfigError(f"{name}: unknown status {unknown[0]!r} (expected any of {', '.join(allowed)})")
    return frozenset(chosen)


def _rate(value: Any) -> Decimal:
    try:
        rate = to_decimal(str(value), field="platform.default_tax_rate")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not Decimal(0) <= rate < Decimal(100):
        raise ConfigError("platform.default_tax_rate must be a percentage between 0 and 100")
    return rate


def _currency(value: Any) -> str:
    try:
        return check_currency(str(value).upper())
    except ValueError as exc:
        raise ConfigError(f"platform.currency: {exc}") from None
