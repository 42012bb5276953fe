"""The one base class of every source stream: canonical schema, incremental cursor, per-page checkpoints."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from airbyte_cdk.models import AirbyteMessage, SyncMode
from airbyte_cdk.sources.streams import CheckpointMixin, Stream

from connector_common import protocol
from connector_common.cursor import Cursor, parse_timestamp
from connector_common.errors import ConnectorError
from connector_common.records import CURSOR_FIELD, PRIMARY_KEY, load_schema


class CanonicalStream(Stream, CheckpointMixin):
    """Subclasses set `name` and implement `fetch(since)`, yielding canonical records (dicts from
    `records.to_record`) in ascending (updated_at, id) order, or AirbyteMessages (e.g. `protocol.estimate`).

    The base drops the inclusive boundary's duplicates, advances the cursor and lets the CDK checkpoint every
    `state_checkpoint_interval` records (set it to the page size: a checkpoint per page).
    """

    primary_key = PRIMARY_KEY
    cursor_field = CURSOR_FIELD
    state_checkpoint_interval: int | None = 250

    def __init__(self, *, start_date: datetime, lookback: timedelta = timedelta(0)) -> None:
        super().__init__()
        self._start_date = start_date
        self._lookback = lookback
        self._cursor = Cursor()
        self._schema: Mapping[str, Any] | None = None

    @property
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        """Records updated at or after `since`, ascending by (updated_at, id)."""

    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]
        if self._schema is None:  # the CDK asks for it once per record: read the shipped file once per stream
            self._schema = load_schema(self.name)
        return self._schema

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._cursor.to_state()

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._cursor = Cursor.from_state(dict(value or {}))

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterator[Mapping[str, Any] | AirbyteMessage]:
        if sync_mode == SyncMode.full_refresh:
            self._cursor = Cursor()
            since = self._start_date
        else:
            snapshot = Cursor.from_state(dict(stream_state or {})) if stream_state else self._cursor
            since = snapshot.lower_bound(self._start_date, self._lookback)
        try:
            for item in self.fetch(since):
                if isinstance(item, AirbyteMessage):
                    yield item
                    continue
                if self._cursor.observe(parse_timestamp(item[CURSOR_FIELD]), str(item[PRIMARY_KEY])):
                    yield item
        except ConnectorError as exc:  # typed errors become Airbyte's config / transient / system failures
            raise protocol.to_traced(exc, prefix=f"{self.name}: ") from None

    def estimate(self, count: int) -> AirbyteMessage:
        """An estimate trace so the Airbyte UI shows progress; yield it from `fetch` once the total is known."""
        return protocol.estimate(self.name, count)
