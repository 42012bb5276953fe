"""SourceExactOnline: check and streams, wiring only (config -> Exact client -> readers -> streams)."""

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
from connector_common.errors import ConfigError, ConnectorError
from connector_common.exact import build_http, rotation_writer
from connector_common.http import RetryPolicy
from connector_common.protocol import ConfigPersister
from source_exact_online.client import ExactReader
from source_exact_online.config import Settings
from source_exact_online.readers import Readers
from source_exact_online.streams import Customers, Products, Shipments, StockLevels


class SourceExactOnline(AbstractSource):
    """Stock levels, shipments (goods deliveries), products and customers from one Exact Online division."""

    def __init__(self, config_path: str | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None,
                 emit: Callable[[AirbyteMessage], None] = protocol.emit) -> None:
        super().__init__()
        self.config_path = config_path
        self._sleep = sleep
        self._clock = clock
        self._retry = retry
        self._emit = emit
        self._readers: dict[tuple[str, str], ExactReader] = {}

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        return protocol.connection_status(*self.check_connection(logger, config))

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        """Refresh the token, find the division and read one page of its warehouses' stock positions."""
        try:
            settings = Settings.from_config(config)
            reader = self.reader(settings, config)
            reader.resolve_division()
            next(iter(reader.pages("inventory/Warehouses", {"$select": "ID,Code", "$top": 1})), None)
        except ConnectorError as exc:
            return False, str(exc)
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        try:
            settings = Settings.from_config(config)
        except ConfigError as exc:
            raise AirbyteTracedException(message=str(exc), internal_message=str(exc),
                                         failure_type=FailureType.config_error) from None
        readers = Readers(self.reader(settings, config), settings,
                          now=lambda: datetime.fromtimestamp(self._clock(), UTC))
        return [StockLevels(readers), Shipments(readers), Products(readers), Customers(readers)]

    def reader(self, settings: Settings, config: Mapping[str, Any]) -> ExactReader:
        """One client (one token chain) per host and app per process: a second one would refresh with a refresh
        token the first already rotated away. The division is resolved lazily, on the first read."""
        key = (settings.credentials.base_url, settings.credentials.client_id)
        if key not in self._readers:
            persister = ConfigPersister(copy.deepcopy(dict(config)), self.config_path, emit_message=self._emit)
            http, _ = build_http(settings.credentials, on_rotate=rotation_writer(persister), sleep=self._sleep,
                                 clock=self._clock, retry=self._retry)
            self._readers[key] = LazyDivisionReader(http, settings.credentials.division, read_only=True)
        return self._readers[key]


class LazyDivisionReader(ExactReader):
    """Finds the user's current division on first use (no network call in `streams()` or discover)."""

    def division_path(self, path: str) -> str:
        self.resolve_division()
        return super().division_path(path)
