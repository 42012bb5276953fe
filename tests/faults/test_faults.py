"""Fault campaign, small configuration: every pipe under injected faults on both sides, resumed until done.

The big configuration (300 orders, four rates, token revocation on both sides, slow responses beyond the read
timeout, a lost token response) is `.venv/bin/python scripts/faults.py`.
"""

from __future__ import annotations

import faults
import pytest

ORDERS = 12
RATE = 0.1  # chance that a request gets a transient fault (429, 5xx, drop, slow, lost response)
TRANSIENT = {"429", "500", "502", "503", "drop", "slow", "lost_response"}
# Each revocation or used-up quota costs one more run; CI revokes one side per pipe, both sides over the pipes.
CASES = [("shopify", "exact", "destination"), ("shopify", "eaccounting", "source"),
         ("lightspeed_ecom", "exact", "destination"), ("lightspeed_retail", "eaccounting", "source"),
         ("lightspeed_kseries", "exact", "source"), ("lightspeed_xseries", "eaccounting", "source")]


@pytest.mark.parametrize(("source", "destination", "revoked"), CASES, ids=[f"{s}-{d}" for s, d, _ in CASES])
def test_given_faults_on_both_sides_when_resumed_from_the_last_echoed_state_then_each_order_is_booked_exactly_once(
        source: str, destination: str, revoked: str) -> None:
    base = faults.baseline(source, destination, ORDERS)
    assert base.documents, "the clean run booked nothing: nothing to prove"

    outcome = faults.fault_campaign(source, destination, RATE, base, orders=ORDERS, fault_seed=11, max_runs=10,
                                    revoke=(revoked,), daily_limit=destination == "exact")
    print(f"\n{faults.FAULT_HEADER}\n{faults.fault_row(outcome)}")

    assert outcome.progress.done, outcome.progress.failures[-3:]
    assert outcome.duplicates == 0
    assert outcome.missing == []
    assert outcome.unexpected == []
    assert outcome.wrong_total == []
    assert outcome.booked_once == len(base.documents)
    assert sum(outcome.injected.values()) >= 5
    assert len(TRANSIENT & set(outcome.injected)) >= 3, outcome.injected
    # a revoked token stops the run with a config error; the operator re-authorises and the next run resumes
    assert outcome.injected["revoke_tokens"] == 1
    assert outcome.progress.reauths[revoked] == 1
    if destination == "exact":  # a used-up daily quota stops the run cleanly; it resumes when the day rolls
        assert outcome.injected["daily_limit"] >= 1
        assert outcome.progress.day_rolls >= 1
