"""The source's settings, read once from the user's config (pure: no network, no clock)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector_common.config import choice
from connector_common.cursor import parse_timestamp
from connector_common.errors import ConfigError
from connector_common.exact import ExactCredentials, parse_credentials

STOCK_FIGURES = ("free", "current", "projected")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Connection (shared with destination-exact-online) plus what to read."""

    credentials: ExactCredentials
    start_date: datetime | None  # None: everything Exact holds (first sync `Timestamp gt 1`)
    warehouses: frozenset[str]  # warehouse codes to include; empty = all
    stock_figure: str  # which Exact figure is "available": free (FreeStock), current (CurrentStock), projected

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Raises ConfigError naming the option when a value cannot be used."""
        start = config.get("start_date")
        try:
            start_date = parse_timestamp(str(start)) if start else None
        except ValueError:
            raise ConfigError(f"start_date {start!r} is not an ISO 8601 timestamp with a time zone, "
                              "e.g. 2024-01-01T00:00:00Z") from None
        raw = config.get("warehouses") or []
        if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
            raise ConfigError("warehouses must be a list of Exact warehouse codes, e.g. [\"1\", \"2\"]")
        return cls(credentials=parse_credentials(config), start_date=start_date,
                   warehouses=frozenset(w.strip() for w in raw),
                   stock_figure=choice(config, "stock_figure", "free", STOCK_FIGURES))
