"""FirstSeen: which references the exactly-once lookup must check, from the ledger's newest document and clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector_common.exactly_once import FirstSeen

NOW = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def policy(newest: datetime | None, *, remembered: int = 100) -> tuple[FirstSeen, list[str]]:
    calls: list[str] = []

    def read_newest() -> datetime | None:
        calls.append("newest")
        return newest

    def read_now() -> datetime:
        calls.append("now")
        return NOW

    return FirstSeen(read_newest, read_now, settle=120, clock=lambda: 0.0, remembered=remembered), calls


def test_given_an_empty_ledger_then_orders_placed_before_now_need_no_lookup_and_the_ledger_is_read_once() -> None:
    seen, calls = policy(None)
    assert [seen.may_exist(f"#{n}", NOW - n * MINUTE) for n in range(1, 4)] == [False, False, False]
    assert calls == ["now", "newest"]
    assert seen.lookups_skipped == 3 and seen.reason is None


def test_given_an_earlier_booking_then_orders_placed_before_it_plus_the_skew_are_looked_up() -> None:
    seen, _ = policy(NOW - 60 * MINUTE)
    assert seen.may_exist("#1", NOW - 61 * MINUTE)  # placed before the newest document: may be booked
    assert seen.may_exist("#2", NOW - 55 * MINUTE)  # within the 10 minutes of clock skew
    assert not seen.may_exist("#3", NOW - 45 * MINUTE)


def test_given_a_document_within_the_settle_window_then_every_reference_is_looked_up() -> None:
    seen, _ = policy(NOW - 5 * MINUTE)  # a run just stopped (or runs): one of its writes may still commit
    assert seen.may_exist("#1", NOW - MINUTE)
    assert seen.reason is not None and "settle window" in seen.reason


def test_given_an_order_placed_after_the_ledgers_clock_then_the_rest_of_the_run_is_looked_up() -> None:
    seen, _ = policy(NOW - 60 * MINUTE)
    assert not seen.may_exist("#1", NOW - 30 * MINUTE)
    assert seen.may_exist("#2", NOW + 60 * MINUTE)  # the clocks disagree
    assert seen.may_exist("#3", NOW - 30 * MINUTE)
    assert seen.reason is not None and "#2" in seen.reason


def test_given_a_reference_booked_in_this_run_then_it_is_looked_up_when_it_comes_again() -> None:
    seen, _ = policy(None)
    assert not seen.may_exist("#1", NOW - MINUTE)
    seen.booked("#1")
    assert seen.may_exist("#1", NOW - MINUTE)
    assert not seen.may_exist("#2", NOW - MINUTE)


def test_given_more_bookings_than_remembered_then_every_reference_is_looked_up_and_memory_is_released() -> None:
    seen, _ = policy(None, remembered=3)
    for n in range(4):
        assert not seen.may_exist(f"#{n}", NOW - MINUTE)
        seen.booked(f"#{n}")
    assert seen.may_exist("#9", NOW - MINUTE)
    assert seen.reason is not None and "more than 3" in seen.reason
    assert len(seen._booked) == 0
