"""The four streams: declarations over one base (state = Exact sync Timestamps, typed errors -> Airbyte failures)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import AirbyteMessage, SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream

from connector_common import protocol
from connector_common.errors import ConnectorError
from connector_common.exact import SYNC_PAGE_SIZE
from connector_common.records import CURSOR_FIELD, PRIMARY_KEY, load_schema
from source_exact_online.readers import Output, Readers, State


class ExactStream(Stream, CheckpointMixin):
    """Base: the canonical schema, `{"<sync endpoint>": Timestamp}` state, a checkpoint per sync page.

    `updated_at` is the declared cursor (it is in every record); the position kept is Exact's row version per sync
    endpoint, which is exact (no boundary duplicates, no clock skew).
    """

    primary_key = PRIMARY_KEY
    cursor_field = CURSOR_FIELD
    state_checkpoint_interval = SYNC_PAGE_SIZE

    def __init__(self, readers: Readers) -> None:
        super().__init__()
        self._readers = readers
        self._state: dict[str, int] = {}

    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]
        return load_schema(self.name)

    @property
    def state(self) -> MutableMapping[str, Any]:
        return dict(self._state)

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = _positions(value)

    @abstractmethod
    def fetch(self, state: State) -> Output:
        """Records (and log messages) of this stream, advancing `state` as rows are read."""

    def read_records(self, sync_mode: SyncMode, cursor_field: list[str] | None = None,
                     stream_slice: Mapping[str, Any] | None = None,
                     stream_state: Mapping[str, Any] | None = None) -> Iterator[Mapping[str, Any] | AirbyteMessage]:
        if sync_mode == SyncMode.full_refresh:
            self._state = {}
        elif stream_state:
            self._state = _positions(stream_state)
        try:
            yield from self.fetch(self._state)
        except ConnectorError as exc:
            raise protocol.to_traced(exc, prefix=f"{self.name}: ") from None


def _positions(value: Mapping[str, Any] | None) -> dict[str, int]:
    """Saved positions; anything that is not a whole-number Timestamp is ignored (the stream then starts over)."""
    return {str(k): int(v) for k, v in (value or {}).items() if isinstance(v, int) and not isinstance(v, bool)}


class StockLevels(ExactStream):
    name = "stock_levels"

    def fetch(self, state: State) -> Output:
        return self._readers.stock_levels(state)


class Shipments(ExactStream):
    name = "shipments"

    def fetch(self, state: State) -> Output:
        return self._readers.shipments(state)


class Products(ExactStream):
    name = "products"

    def fetch(self, state: State) -> Output:
        return self._readers.products(state)


class Customers(ExactStream):
    name = "customers"

    def fetch(self, state: State) -> Output:
        return self._readers.customers(state)
