"""The destination write loop: state only after commit, skipped records counted and reported, clean stops."""

import io
import json
from collections.abc import Sequence
from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    FailureType,
    StreamDescriptor,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common.errors import ApiError, QuotaExhausted, RecordError
from connector_common.protocol import read_messages, record, serialize, validate_line
from connector_common.write_loop import SUMMARY_PREFIX, Pending, write_loop


def state(n: int) -> AirbyteMessage:
    return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name="orders"),
                                  stream_state=AirbyteStateBlob(updated_at=f"2026-01-0{n}T00:00:00Z"))))


class FakeSink:
    def __init__(self, fail_on: dict[str, Exception] | None = None) -> None:
        self.committed: list[str] = []
        self.prepared: list[list[str]] = []
        self.fail_on = fail_on or {}

    def prepare(self, batch: Sequence[Pending]) -> None:
        self.prepared.append([p.data["source_id"] for p in batch])

    def write(self, item: Pending) -> str:
        sid = item.data["source_id"]
        if sid in self.fail_on:
            raise self.fail_on[sid]
        self.committed.append(sid)
        return "created"

    def summary(self) -> dict[str, Any]:
        return {"documents": len(self.committed)}


def orders(*ids: str) -> list[AirbyteMessage]:
    return [record("orders", {"source_id": i}) for i in ids]


def test_given_records_and_states_then_each_state_is_echoed_after_the_records_before_it_are_committed():
    sink = FakeSink()
    seen_at_echo: list[list[str]] = []
    out = []
    for msg in write_loop([*orders("1", "2"), state(1), *orders("3"), state(2)], sink, streams={"orders"}, batch_size=10):
        if msg.type == Type.STATE:
            seen_at_echo.append(list(sink.committed))
        out.append(msg)
    assert seen_at_echo == [["1", "2"], ["1", "2", "3"]]
    assert sink.prepared == [["1", "2"], ["3"]]  # one bulk prepare per flushed batch
    summary = json.loads(out[-1].log.message.removeprefix(SUMMARY_PREFIX))
    assert summary["outcomes"] == {"orders:created": 3} and summary["documents"] == 3
    for msg in out:
        validate_line(serialize(msg))


def test_given_crash_before_flush_then_no_state_is_echoed():
    def messages():
        yield from orders("1")
        yield state(1)
        yield from orders("2")
        raise KeyboardInterrupt  # killed before the next state arrives

    sink = FakeSink()
    echoed = []
    with pytest.raises(KeyboardInterrupt):
        for msg in write_loop(messages(), sink, streams={"orders"}):
            if msg.type == Type.STATE:
                echoed.append(msg)
    assert len(echoed) == 1 and sink.committed == ["1"]


def test_given_bad_record_when_policy_skip_then_counted_reported_and_failing_exit_after_states():
    sink = FakeSink({"2": RecordError("orders", "2 (#2)", "lines.0.tax_rate", "no VAT code for oss_DE_19")})
    out = []
    with pytest.raises(AirbyteTracedException) as info:
        for msg in write_loop([*orders("1", "2", "3"), state(1)], sink, streams={"orders"}):
            out.append(msg)
    assert [m.type for m in out].count(Type.STATE) == 1
    assert sink.committed == ["1", "3"]
    assert "1 record(s) were skipped" in info.value.message
    assert "orders/2 (#2): lines.0.tax_rate: no VAT code for oss_DE_19" in info.value.message
    summary = json.loads(out[-1].log.message.removeprefix(SUMMARY_PREFIX))
    assert summary["skipped_count"] == 1


def test_given_bad_record_when_policy_stop_then_fails_at_once_without_echoing_state():
    sink = FakeSink({"1": RecordError("orders", "1", "currency", "unknown currency")})
    out = []
    with pytest.raises(AirbyteTracedException, match="unknown currency"):
        for msg in write_loop([*orders("1", "2"), state(1)], sink, streams={"orders"}, error_policy="stop"):
            out.append(msg)
    assert not [m for m in out if m.type == Type.STATE]


def test_given_daily_quota_exhausted_then_stops_cleanly_after_last_committed_state():
    sink = FakeSink({"3": QuotaExhausted("daily limit", status=429)})
    out = []
    with pytest.raises(AirbyteTracedException, match="daily limit is used up") as info:
        for msg in write_loop([*orders("1", "2"), state(1), *orders("3", "4"), state(2)], sink, streams={"orders"}):
            out.append(msg)
    assert [m.state.stream.stream_state.updated_at for m in out if m.type == Type.STATE] == ["2026-01-01T00:00:00Z"]
    assert info.value.failure_type.value == "transient_error"


def test_given_api_error_then_system_error_and_records_of_other_streams_ignored():
    sink = FakeSink({"2": ApiError("POST /x returned HTTP 400")})
    with pytest.raises(AirbyteTracedException) as info:
        list(write_loop([record("refunds", {"source_id": "9"}), *orders("1", "2"), state(1)], sink, streams={"orders"}))
    assert info.value.failure_type.value == "system_error"
    assert sink.committed == ["1"]


def stdin(*lines: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(b"".join(lines)))  # what `sys.stdin.buffer` is


def line(message: AirbyteMessage) -> bytes:
    return serialize(message).encode() + b"\n"


@pytest.mark.parametrize(("bad", "reason"), [
    (b'{"type": "RECORD", "record": {"stream": "orders", "data": {"source_id": "3"\n', "unexpected end of data"),
    (b'{"type": "RECORD", "record": {"stream": "orders", "data": {"name": "Bj\xf6rn"}, "emitted_at": 1}}\n',
     "not UTF-8 (invalid start byte at byte"),
    (b'{"type": "RECORD"}\n', "RECORD message without its 'record' field"),
    (b'{"type": "NOPE"}\n', "wrong shape (at type)"),
    (b'[1, 2]\n', "wrong shape (at top level)"),
    (b'{"type": "RECORD", "record": {"stream": "orders", "data": "Bj\xc3\xb6rn"}}\n', "wrong shape (at "),
])
def test_given_a_bad_stdin_line_when_writing_then_what_came_before_is_booked_and_the_sync_stops_naming_the_line(
        bad: bytes, reason: str) -> None:
    sink = FakeSink()
    out: list[AirbyteMessage] = []
    source = stdin(*map(line, orders("1")), line(state(1)), line(orders("2")[0]), b"\n", bad,
                   *map(line, orders("4")), line(state(2)))
    with pytest.raises(AirbyteTracedException) as info:
        for msg in write_loop(read_messages(io.TextIOWrapper(source, encoding="utf-8")), sink, streams={"orders"}):
            out.append(msg)
    assert sink.committed == ["1", "2"]  # "2" is booked, but no state after it was echoed: a re-run re-reads it
    assert [m.type for m in out].count(Type.STATE) == 1
    assert info.value.failure_type == FailureType.system_error
    assert info.value.message.startswith("stdin line 5 is not an Airbyte message: ") and reason in info.value.message
    assert "Bj" not in info.value.message  # the line's content (customer data) is never quoted
    summary = json.loads(out[-1].log.message.removeprefix(SUMMARY_PREFIX))
    assert summary["bad_input_line"] == 5


def test_given_clean_stdin_when_read_then_every_message_in_order_and_blank_lines_ignored() -> None:
    source = stdin(*map(line, orders("1", "2")), b"\n", line(state(1)))
    assert [m.type for m in read_messages(source)] == [Type.RECORD, Type.RECORD, Type.STATE]
