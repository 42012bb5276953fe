"""The three streams: declarations over one base that maps our typed errors to Airbyte failure types."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from airbyte_cdk.models import AirbyteMessage, FailureType, SyncMode
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common.errors import ConfigError, ConnectorError, TransientApiError
from connector_common.streams import CanonicalStream
from source_lightspeed.readers import Reader


class LightspeedStream(CanonicalStream):
    """Base: holds the platform reader; checkpoints once per API page."""

    def __init__(self, reader: Reader, *, start_date: datetime, lookback: timedelta, page_size: int) -> None:
        super().__init__(start_date=start_date, lookback=lookback)
        self._reader = reader
        self.state_checkpoint_interval = page_size

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterator[Mapping[str, Any] | AirbyteMessage]:
        try:
            yield from super().read_records(sync_mode, cursor_field, stream_slice, stream_state)
        except ConnectorError as exc:
            raise AirbyteTracedException(message=f"{self.name}: {exc}", internal_message=type(exc).__name__,
                                         failure_type=failure_type(exc)) from None


def failure_type(exc: ConnectorError) -> FailureType:
    if isinstance(exc, ConfigError):
        return FailureType.config_error
    if isinstance(exc, TransientApiError):
        return FailureType.transient_error
    return FailureType.system_error


class Orders(LightspeedStream):
    name = "orders"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        return self._reader.orders(since)


class Customers(LightspeedStream):
    name = "customers"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        return self._reader.customers(since)


class Products(LightspeedStream):
    name = "products"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        return self._reader.products(since)
