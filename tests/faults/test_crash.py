"""Crash campaign, small configuration: kill -9 the destination at random points, resume, audit the ledger."""

from __future__ import annotations

import faults
import pytest

ORDERS = 12
KILLS = 2


@pytest.mark.parametrize(("source", "destination", "seed"),
                         [(s, d, seed) for seed, (s, d) in enumerate(faults.PAIRS, start=1)],
                         ids=[f"{s}-{d}" for s, d in faults.PAIRS])
def test_given_the_destination_is_killed_mid_write_when_restarted_from_the_last_echoed_state_then_no_order_doubles(
        source: str, destination: str, seed: int) -> None:
    base = faults.baseline(source, destination, ORDERS)

    outcome = faults.crash_campaign(source, destination, seed, base, orders=ORDERS, kills=KILLS, max_runs=10)
    print(f"\n{faults.CRASH_HEADER}\n{faults.crash_row(outcome)}")

    assert outcome.progress.kills >= 1, "the destination finished before any kill: nothing was proven"
    assert outcome.progress.done, outcome.progress.failures[-3:]
    assert outcome.duplicates == 0
    assert outcome.missing == []
    assert outcome.unexpected == []
    assert outcome.booked_once == len(base.documents)
