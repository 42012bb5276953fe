"""The audit and the kill-tolerant output reader the campaigns rely on: they must be able to fail."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import harness


def test_given_a_duplicate_a_gap_and_a_stray_booking_when_compared_then_each_is_counted() -> None:
    expected = {"a": Decimal("10.00"), "b": Decimal("20.00"), "c": Decimal("30.00")}
    bookings = [harness.Booking("a", Decimal("10.00"), "document"), harness.Booking("a", Decimal("10.00"), "document"),
                harness.Booking("b", Decimal("20.01"), "document"), harness.Booking("x", Decimal("1.00"), "document")]

    check = harness.compare_ledger(expected, bookings)

    assert check.duplicates == 1
    assert check.missing == ["c"]
    assert check.unexpected == ["x"]
    assert check.wrong_total == ["b"]
    assert check.booked_once == 0  # "a" twice, "b" with the wrong total


def test_given_output_cut_off_by_a_kill_when_collected_then_the_partial_line_is_ignored(tmp_path: Path) -> None:
    state = ('{"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": {"name": "orders"}, '
             '"stream_state": {"updated_at": "2024-01-01T00:00:00Z"}}}}')
    (tmp_path / "destination_output.jsonl").write_text(state + "\n" + state[:40])

    run = harness.collect_pipe(tmp_path, -9)

    assert len(run.destination_messages) == 1
    assert run.state[0]["stream"]["stream_state"]["updated_at"] == "2024-01-01T00:00:00Z"
