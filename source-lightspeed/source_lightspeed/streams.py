"""The three streams: declarations over the common CanonicalStream (which maps typed errors to Airbyte failures)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from airbyte_cdk.models import AirbyteMessage

from connector_common.streams import CanonicalStream
from source_lightspeed.readers import Reader


class LightspeedStream(CanonicalStream):
    """Base: holds the platform reader; checkpoints once per API page."""

    def __init__(self, reader: Reader, *, start_date: datetime, lookback: timedelta, page_size: int) -> None:
        super().__init__(start_date=start_date, lookback=lookback)
        self._reader = reader
        self.state_checkpoint_interval = page_size


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
