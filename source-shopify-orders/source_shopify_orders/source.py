"""SourceShopifyOrders: `check` (shop, token, scopes, protected customer data) and `streams` wiring."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import AirbyteConnectionStatus, Status
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream

from connector_common.auth import TokenSet
from connector_common.cursor import format_timestamp
from connector_common.errors import ConnectorError
from connector_common.http import Redactor
from connector_common.protocol import ConfigPersister
from source_shopify_orders import queries
from source_shopify_orders.client import ShopifyClient, base_url_for, make_auth
from source_shopify_orders.config import Settings
from source_shopify_orders.streams import Customers, Orders, Products

SCOPE_FOR_STREAM = {"orders": "read_orders", "customers": "read_customers", "products": "read_products"}
ALL_ORDERS_SCOPE = "read_all_orders"


class SourceShopifyOrders(AbstractSource):
    """Orders, customers and products from the Shopify GraphQL Admin API, in the canonical model."""

    def __init__(
        self,
        config_path: str | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config_path = config_path
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self.clients: list[ShopifyClient] = []  # the clients of this run (benchmarks read their counters)

    def client(self, config: Mapping[str, Any], settings: Settings) -> ShopifyClient:
        """Build the client and its auth from the config (no network call)."""
        base_url = base_url_for(settings.shop, settings.api_base_url)
        redactor = Redactor()
        credentials = dict(config.get("credentials") or {})
        persister = ConfigPersister(config, self.config_path) if isinstance(config, dict) else None

        def on_rotate(tokens: TokenSet) -> None:
            if persister is None:
                return
            node = persister.config.setdefault("credentials", {})
            node["access_token"] = tokens.access_token
            node["expires_at"] = format_timestamp(datetime.fromtimestamp(tokens.expires_at, UTC))
            persister.update(("credentials", "refresh_token"), tokens.refresh_token)

        auth = make_auth(credentials, base_url, redactor, on_rotate=on_rotate, sleep=self._sleep,
                         clock=self._wall_clock)
        client = ShopifyClient(base_url, settings.api_version, auth, redactor=redactor, sleep=self._sleep,
                               clock=self._clock)
        self.clients.append(client)
        return client

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """SUCCEEDED, or FAILED with one message naming exactly what to fix."""
        try:
            settings = Settings.from_config(config)
            problem = connection_problem(self.client(config, settings), settings,
                                         datetime.fromtimestamp(self._wall_clock(), UTC))
        except ConnectorError as exc:
            problem = str(exc)
        if problem:
            return AirbyteConnectionStatus(status=Status.FAILED, message=problem)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        status = self.check(logger, config)
        return status.status == Status.SUCCEEDED, status.message

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        settings = Settings.from_config(config)
        client = self.client(config, settings)
        return [Orders(client=client, settings=settings), Customers(client=client, settings=settings),
                Products(client=client, settings=settings)]


def connection_problem(client: ShopifyClient, settings: Settings, now: datetime) -> str | None:
    """What stops a sync, checked in the order a user would fix it: shop, token, scopes, customer data approval.

    Raises:
        ConnectorError: unknown shop, rejected token, unreachable API (the message names it).
    """
    client.graphql("Shop", queries.SHOP_QUERY)
    installation = client.graphql("Scopes", queries.SCOPES_QUERY).data.get("currentAppInstallation") or {}
    granted = {str(s.get("handle")) for s in installation.get("accessScopes") or []}
    missing = [f"{scope} (for {stream})" for stream, scope in SCOPE_FOR_STREAM.items() if scope not in granted]
    if settings.needs_all_orders(now) and ALL_ORDERS_SCOPE not in granted:
        missing.append(f"{ALL_ORDERS_SCOPE} (start_date {settings.start_date.date()} is more than 60 days ago; "
                       "without it Shopify only returns the last 60 days of orders)")
    if missing:
        return ("the app's access token lacks the access scopes " + "; ".join(missing) +
                ". Add them to the app's configuration in Shopify and reinstall or re-authorise it.")
    client.graphql("CustomerDataProbe", queries.CUSTOMER_PII_PROBE)
    return None
