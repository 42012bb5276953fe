"""The connector's settings, read once from the user's config (pure: no network, no clock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connector_common.cursor import parse_timestamp
from connector_common.errors import ConfigError
from connector_common.money import to_decimal

DEFAULT_API_VERSION = "2026-10"
DEFAULT_START_DATE = "2020-01-01"
DEFAULT_PAGE_SIZE = 50
DEFAULT_LINES_PER_ORDER = 5
DEFAULT_BULK_THRESHOLD = 2000
ALL_ORDERS_WINDOW = timedelta(days=60)  # older orders need the read_all_orders scope
FINANCIAL_STATUSES = ("PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PAID", "PARTIALLY_REFUNDED", "REFUNDED",
                      "VOIDED", "EXPIRED")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the streams need from the config, validated and typed."""

    shop: str
    api_base_url: str | None
    api_version: str
    start_date: datetime
    lookback: timedelta
    payment_statuses: frozenset[str]
    include_cancelled: bool
    include_test_orders: bool
    presentment_currency: bool
    page_size: int
    lines_per_order: int
    bulk_threshold: int  # 0 disables bulk operations
    bulk_poll_seconds: float
    bulk_timeout_seconds: float
    raw_passthrough: bool
    default_tax_rate: Decimal

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Raises ConfigError naming the option when a value cannot be used."""
        start = _start_date(str(config.get("start_date") or DEFAULT_START_DATE))
        statuses = frozenset(str(s).upper() for s in config.get("payment_statuses") or [])
        unknown = statuses - set(FINANCIAL_STATUSES)
        if unknown:
            raise ConfigError(f"payment_statuses: unknown status {', '.join(sorted(unknown))} "
                              f"(expected any of {', '.join(FINANCIAL_STATUSES)})")
        try:
            rate = to_decimal(str(config.get("default_tax_rate", "21")), field="default_tax_rate")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return cls(
            shop=str(config.get("shop") or "").strip(),
            api_base_url=config.get("api_base_url") or None,
            api_version=str(config.get("api_version") or DEFAULT_API_VERSION),
            start_date=start,
            lookback=timedelta(days=float(config.get("lookback_window_days") or 0)),
            payment_statuses=statuses,
            include_cancelled=bool(config.get("include_cancelled", True)),
            include_test_orders=bool(config.get("include_test_orders", False)),
            presentment_currency=config.get("currency") == "presentment",
            page_size=_bounded(config, "page_size", DEFAULT_PAGE_SIZE, 1, 250),
            lines_per_order=_bounded(config, "line_items_per_page", DEFAULT_LINES_PER_ORDER, 1, 250),
            bulk_threshold=_bounded(config, "bulk_threshold", DEFAULT_BULK_THRESHOLD, 0, 10**9),
            bulk_poll_seconds=float(config.get("bulk_poll_seconds", 3.0)),
            bulk_timeout_seconds=float(config.get("bulk_timeout_minutes", 120)) * 60.0,
            raw_passthrough=bool(config.get("raw_passthrough", False)),
            default_tax_rate=rate,
        )

    def needs_all_orders(self, now: datetime) -> bool:
        """True when the start date reaches past Shopify's 60-day default order window."""
        return self.start_date < now - ALL_ORDERS_WINDOW


def _start_date(value: str) -> datetime:
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return parse_timestamp(value)
    except ValueError:
        raise ConfigError(f"start_date {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 timestamp") from None


def _bounded(config: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = config.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{key} must be a whole number from {low} to {high}, got {value!r}")
    return value
