"""The destination's settings: the validated, typed form of the Airbyte config (pure, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector_common.config import choice, flag, integer, string_pairs
from connector_common.errors import ConfigError
from connector_common.shopify import base_url_for

DEFAULT_API_VERSION = "2026-10"
MAX_BATCH_SIZE = 250  # Shopify takes at most 250 quantities per inventorySetQuantities call
API_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the Booker and the mapping need from the config."""

    shop: str
    base_url: str
    api_version: str
    credentials: Mapping[str, Any]
    location: str | None = None  # name or id (GID or number); None = the shop's primary location
    location_mapping: tuple[tuple[str, str], ...] = ()  # (ledger warehouse code, Shopify location name or id)
    notify_customer: bool = False
    carrier_mapping: tuple[tuple[str, str], ...] = ()  # (ledger shipping method, Shopify tracking company)
    error_policy: str = "skip"
    batch_size: int = 100

    def tracking_company(self, shipping_method: str | None) -> str | None:
        """The Shopify tracking company for a ledger shipping method: the mapped name (case-insensitive), else the
        method's own name, so an unmapped 'PostNL' still reaches Shopify as 'PostNL'."""
        if not shipping_method:
            return None
        wanted = shipping_method.strip().lower()
        for method, company in self.carrier_mapping:
            if method.lower() == wanted:
                return company
        return shipping_method.strip()


def settings_from_config(config: Mapping[str, Any]) -> Settings:
    """Validate and type the config (the spec checked shapes; this checks meaning).

    Raises:
        ConfigError: naming the option that is wrong.
    """
    shop = str(config.get("shop") or "").strip()
    if not shop:
        raise ConfigError("shop is required")
    credentials = config.get("credentials")
    if not isinstance(credentials, Mapping):
        raise ConfigError("credentials is required (an access token, client credentials or a refresh token)")
    version = str(config.get("api_version") or DEFAULT_API_VERSION)
    if not API_VERSION.match(version):
        raise ConfigError(f"api_version {version!r} is not a Shopify version such as '2026-10'")
    warehouses = string_pairs(config, "location_mapping", "warehouse", "location")
    seen: set[str] = set()
    for warehouse, _location in warehouses:
        if warehouse in seen:
            raise ConfigError(f"location_mapping: warehouse {warehouse!r} is mapped twice")
        seen.add(warehouse)
    return Settings(
        shop=shop,
        base_url=base_url_for(shop, config.get("api_base_url") or None),
        api_version=version,
        credentials=credentials,
        location=str(config.get("location") or "").strip() or None,
        location_mapping=warehouses,
        notify_customer=flag(config, "notify_customer", False),
        carrier_mapping=string_pairs(config, "carrier_mapping", "shipping_method", "tracking_company"),
        error_policy=choice(config, "error_policy", "skip", ("skip", "stop")),
        batch_size=integer(config, "batch_size", 100, minimum=1, maximum=MAX_BATCH_SIZE),
    )
