"""SourceLightspeed: check and streams, wiring only (config -> client -> reader -> streams)."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import AirbyteConnectionStatus, AirbyteMessage, FailureType
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common import protocol
from connector_common.auth import TokenSet
from connector_common.errors import ConfigError, ConnectorError, NotFound
from connector_common.protocol import ConfigPersister
from source_lightspeed.client import EcomClient, RetailClient
from source_lightspeed.config import EcomSettings, RetailSettings, Settings, parse_config
from source_lightspeed.kseries_client import KSeriesClient
from source_lightspeed.kseries_reader import KSeriesReader
from source_lightspeed.pos_config import KSeriesSettings, XSeriesSettings
from source_lightspeed.readers import EcomReader, Reader, RetailReader
from source_lightspeed.streams import Customers, Orders, Products
from source_lightspeed.xseries_client import XSeriesClient
from source_lightspeed.xseries_reader import XSeriesReader
from source_lightspeed.xseries_streams import XSeriesCustomers, XSeriesOrders, XSeriesProducts


class SourceLightspeed(AbstractSource):
    """Orders / POS sales, customers and products from Lightspeed eCom (C-Series), Retail (R-Series), Restaurant
    (K-Series) or Retail (X-Series)."""

    def __init__(self, config_path: str | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 emit: Callable[[AirbyteMessage], None] = protocol.emit) -> None:
        super().__init__()
        self.config_path = config_path
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self._emit = emit
        self._retail_clients: dict[tuple[str, str, str], RetailClient] = {}
        self._pos_clients: dict[tuple[str, ...], KSeriesClient | XSeriesClient] = {}

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        return protocol.connection_status(*self.check_connection(logger, config))

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        try:
            settings = parse_config(dict(config))
            if isinstance(settings.platform, EcomSettings):
                client = self.ecom_client(settings.platform)
                try:
                    client.shop_currency()
                except NotFound as exc:  # the language is part of every eCom URL
                    return False, (f"language {settings.platform.language!r} is not an active language of this shop "
                                   f"(choose one enabled under Settings > Languages): {exc}")
                client.count("orders", settings.start_date, datetime.fromtimestamp(self._clock(), UTC))
            elif isinstance(settings.platform, KSeriesSettings):
                self.kseries_reader(settings, config).locations()
            elif isinstance(settings.platform, XSeriesSettings):
                if not self.xseries_client(settings.platform, config).all("outlets", 10):
                    return False, "the store has no outlets readable with this token"
            else:
                account = self.retail_client(settings.platform, config).account()
                if not account:
                    return False, f"account {settings.platform.account_id} is not accessible with this token"
        except ConnectorError as exc:
            return False, str(exc)
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        try:
            settings = parse_config(dict(config))
        except ConfigError as exc:
            raise AirbyteTracedException(message=str(exc), failure_type=FailureType.config_error) from None
        if isinstance(settings.platform, XSeriesSettings):
            x_reader = XSeriesReader(self.xseries_client(settings.platform, config), settings.platform,
                                     settings.page_size)
            return [stream(x_reader, start_date=settings.start_date, page_size=settings.page_size)
                    for stream in (XSeriesOrders, XSeriesCustomers, XSeriesProducts)]
        reader = self.reader(settings, config)
        common: dict[str, Any] = {"start_date": settings.start_date, "lookback": settings.lookback,
                                  "page_size": settings.page_size}
        return [Orders(reader, **common), Customers(reader, **common), Products(reader, **common)]

    # -- wiring ------------------------------------------------------------------------------------------------
    def reader(self, settings: Settings, config: Mapping[str, Any]) -> Reader:
        if isinstance(settings.platform, KSeriesSettings):
            return self.kseries_reader(settings, config)
        if isinstance(settings.platform, EcomSettings):
            return EcomReader(self.ecom_client(settings.platform), settings.platform, settings.page_size,
                              now=lambda: datetime.fromtimestamp(self._clock(), UTC))
        assert isinstance(settings.platform, RetailSettings)
        client = self.retail_client(settings.platform, config)
        return RetailReader(client, settings.platform, settings.page_size, currency=settings.platform.currency)

    def ecom_client(self, settings: EcomSettings) -> EcomClient:
        return EcomClient(settings, sleep=self._sleep, clock=self._clock)

    def retail_client(self, settings: RetailSettings, config: Mapping[str, Any]) -> RetailClient:
        """One client (one token chain) per account and app per process: a second client would refresh with a
        refresh token the first one already rotated away."""
        key = (settings.base_url, settings.account_id, settings.client_id)
        if key not in self._retail_clients:
            persister = ConfigPersister(copy.deepcopy(dict(config)), self.config_path, emit_message=self._emit)

            def rotate(tokens: TokenSet) -> None:
                persister.update(("platform", "refresh_token"), tokens.refresh_token)

            self._retail_clients[key] = RetailClient(settings, on_rotate=rotate, sleep=self._sleep, clock=self._clock,
                                                     monotonic=self._monotonic)
        return self._retail_clients[key]

    def _persister(self, config: Mapping[str, Any], path: tuple[str, ...]) -> Callable[[TokenSet], None]:
        persister = ConfigPersister(copy.deepcopy(dict(config)), self.config_path, emit_message=self._emit)

        def rotate(tokens: TokenSet) -> None:
            persister.update(path, tokens.refresh_token)

        return rotate

    def kseries_reader(self, settings: Settings, config: Mapping[str, Any]) -> KSeriesReader:
        platform = settings.platform
        assert isinstance(platform, KSeriesSettings)
        key = ("kseries", platform.base_url, platform.client_id)
        if key not in self._pos_clients:  # one token chain per process (see retail_client)
            self._pos_clients[key] = KSeriesClient(platform, on_rotate=self._persister(config, ("platform",
                                                   "refresh_token")), sleep=self._sleep, clock=self._clock)
        client = self._pos_clients[key]
        assert isinstance(client, KSeriesClient)
        return KSeriesReader(client, platform, settings.page_size,
                             now=lambda: datetime.fromtimestamp(self._clock(), UTC))

    def xseries_client(self, platform: XSeriesSettings, config: Mapping[str, Any]) -> XSeriesClient:
        key = ("xseries", platform.base_url, platform.client_id or "personal")
        if key not in self._pos_clients:
            self._pos_clients[key] = XSeriesClient(
                platform, on_rotate=self._persister(config, ("platform", "credentials", "refresh_token")),
                sleep=self._sleep, clock=self._clock)
        client = self._pos_clients[key]
        assert isinstance(client, XSeriesClient)
        return client
