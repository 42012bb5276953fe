"""Incremental cursor semantics and the CanonicalStream base through the real CDK entrypoint."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.state_builder import StateBuilder

from connector_common.cursor import Cursor, parse_timestamp
from connector_common.records import to_record
from connector_common.streams import CanonicalStream
from connector_common.testing import make_line, make_order

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_cursor_dedupes_the_inclusive_boundary_and_never_moves_back():
    cursor = Cursor()
    assert cursor.observe(T0, "1") and cursor.observe(T0, "2")
    assert not cursor.observe(T0, "1")
    assert cursor.observe(T0 + timedelta(seconds=1), "3")
    assert cursor.observe(T0, "9")  # inside a lookback window: emitted again, cursor stays
    assert cursor.to_state() == {"updated_at": "2026-01-01T00:00:01Z", "ids_at_cursor": ["3"]}
    restored = Cursor.from_state(cursor.to_state())
    assert restored.lower_bound(T0 - timedelta(days=9), timedelta(minutes=5)) == T0 + timedelta(seconds=1) - timedelta(minutes=5)


def test_parse_timestamp_normalises_to_utc():
    assert parse_timestamp("2026-01-01T02:00:00+02:00") == T0


class FakeOrders(CanonicalStream):
    """Serves records from a list, filtering on the inclusive lower bound like a real API does."""

    name = "orders"
    state_checkpoint_interval = 2

    def __init__(self, rows: list[dict[str, Any]], calls: list[datetime]) -> None:
        super().__init__(start_date=T0 - timedelta(days=1))
        self.rows, self.calls = rows, calls

    def fetch(self, since: datetime) -> Iterable[dict[str, Any]]:
        self.calls.append(since)
        yield from (r for r in self.rows if parse_timestamp(r["updated_at"]) >= since)


class FakeSource(AbstractSource):
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows, self.calls = rows, []

    def check_connection(self, logger: Any, config: Any) -> tuple[bool, Any]:
        return True, None

    def streams(self, config: Any) -> list[Any]:
        return [FakeOrders(self.rows, self.calls)]

    def spec(self, logger: Any) -> Any:
        from airbyte_cdk.models import ConnectorSpecification

        return ConnectorSpecification(connectionSpecification={"type": "object", "properties": {}})


def rows(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(1, n + 1):
        order = make_order(source_id=str(i), lines=[make_line("A", 1, "10.00", "21")],
                           created_at=T0 + timedelta(seconds=i // 2))  # pairs share a second
        out.append(to_record(order))
    return out


def test_given_state_at_a_shared_second_when_read_then_only_unseen_ids_and_state_per_page():
    data = rows(6)  # updated_at seconds: 0,1,1,2,2,3
    catalog = CatalogBuilder().with_stream("orders", SyncMode.incremental).build()
    first = read(FakeSource(data[:4]), {}, catalog)
    assert [r.record.data["source_id"] for r in first.records] == ["1", "2", "3", "4"]
    state = first.most_recent_state.stream_state.__dict__
    assert state == {"updated_at": "2026-01-01T00:00:02Z", "ids_at_cursor": ["4"]}
    assert len(first.state_messages) >= 2  # checkpointed every 2 records, plus the final one

    source = FakeSource(data)
    second = read(source, {}, catalog, StateBuilder().with_stream_state("orders", state).build())
    assert [r.record.data["source_id"] for r in second.records] == ["5", "6"]
    assert source.calls == [T0 + timedelta(seconds=2)]  # the filter came from the state snapshot


class FailingOrders(FakeOrders):
    def fetch(self, since: datetime) -> Iterable[dict[str, Any]]:
        from connector_common.errors import AuthFailed

        raise AuthFailed("GET /orders returned HTTP 401", status=401)


class FailingSource(FakeSource):
    def streams(self, config: Any) -> list[Any]:
        return [FailingOrders(self.rows, self.calls)]


def test_given_typed_error_in_a_stream_then_airbyte_config_error_naming_the_stream():
    catalog = CatalogBuilder().with_stream("orders", SyncMode.incremental).build()
    out = read(FailingSource([]), {}, catalog, expected_outcome=None)
    errors = [m.trace.error for m in out.errors]
    assert errors[0].failure_type.value == "config_error"
    assert errors[0].message == "orders: GET /orders returned HTTP 401"
