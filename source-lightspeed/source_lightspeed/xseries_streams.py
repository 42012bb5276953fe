"""X-Series streams: incremental on the retailer's change `version` (API 2.0 `after`), not on a timestamp.

State per stream: `{"version": 1978890425}`, the highest version read so far; the next read asks `after=<version>`.
Versions only grow and every change gets a new one, so there is no lookback and no boundary to de-duplicate.
Records stay canonical (cursor field `updated_at` in the catalog, as every stream); `start_date` drops records
updated before it without holding the version back.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import AirbyteMessage, SyncMode

from connector_common import protocol
from connector_common.cursor import parse_timestamp
from connector_common.errors import ConnectorError
from connector_common.records import CURSOR_FIELD
from connector_common.streams import CanonicalStream
from source_lightspeed.xseries_reader import Versioned, XSeriesReader


class VersionedStream(CanonicalStream):
    """Base of the X-Series streams: the reader yields (record | message | None, version) in version order."""

    def __init__(self, reader: XSeriesReader, *, start_date: datetime, page_size: int) -> None:
        super().__init__(start_date=start_date)
        self._reader = reader
        self._version = 0
        self.state_checkpoint_interval = page_size

    @abstractmethod
    def versioned(self, after: int) -> Iterable[Versioned]:
        """(item, version) pairs ascending by version; item None marks progress without a record."""

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:  # not used: see read_records
        raise NotImplementedError("X-Series streams read by version")

    @property
    def state(self) -> MutableMapping[str, Any]:
        return {"version": self._version} if self._version else {}

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._version = int((value or {}).get("version") or 0)

    def read_records(self, sync_mode: SyncMode, cursor_field: list[str] | None = None,
                     stream_slice: Mapping[str, Any] | None = None,
                     stream_state: Mapping[str, Any] | None = None) -> Iterator[Mapping[str, Any] | AirbyteMessage]:
        if sync_mode == SyncMode.full_refresh:
            self._version = 0
        elif stream_state:
            self._version = int(stream_state.get("version") or 0)
        try:
            for item, version in self.versioned(self._version):
                if version is not None and version > self._version:
                    self._version = version  # before the yield: a checkpoint after this record includes it
                if item is None:
                    continue
                if isinstance(item, AirbyteMessage):
                    yield item
                    continue
                if parse_timestamp(item[CURSOR_FIELD]) >= self._start_date:
                    yield item
        except ConnectorError as exc:
            raise protocol.to_traced(exc, prefix=f"{self.name}: ") from None


class XSeriesOrders(VersionedStream):
    name = "orders"

    def versioned(self, after: int) -> Iterable[Versioned]:
        return self._reader.orders(after)


class XSeriesCustomers(VersionedStream):
    name = "customers"

    def versioned(self, after: int) -> Iterable[Versioned]:
        return self._reader.customers(after)


class XSeriesProducts(VersionedStream):
    name = "products"

    def versioned(self, after: int) -> Iterable[Versioned]:
        return self._reader.products(after)
