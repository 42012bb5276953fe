"""The way back under faults, small configuration: `source-exact-online | destination-shopify` (stock levels and
shipments) with injected faults on both sides, and with kill -9s of the destination between its writes and its
state; resumed from the last echoed state until done. Every delivery with a tracking number is fulfilled exactly once
in the shop, and every Exact stock position shows in the mapped Shopify location as max(FreeStock, 0).

The big configuration is `.venv/bin/python scripts/faults.py --way-back`.
"""

from __future__ import annotations

import faults

ORDERS = 60  # the generated shop has a handful of open orders among them: the shipments


def check(outcome: faults.WayBackOutcome) -> None:
    print(f"\n{faults.WAY_BACK_HEADER}\n{faults.way_back_row(outcome)}")
    assert outcome.progress.done, outcome.progress.failures[-3:]
    assert outcome.shipments >= 2, "the generated shop needs open orders delivered in Exact"
    assert (outcome.duplicates, outcome.missing) == (0, [])
    assert outcome.fulfilled_once == outcome.shipments
    assert outcome.wrong_stock == []


def test_given_faults_on_both_sides_when_resumed_then_one_fulfilment_per_delivery_and_exacts_stock() -> None:
    outcome = faults.way_back_campaign(0.15, 21, orders=ORDERS, max_runs=12)
    assert sum(outcome.injected.values()) >= 3
    assert outcome.injected["revoke_tokens"] >= 1
    check(outcome)


def test_given_the_destination_killed_between_writes_and_state_when_resumed_then_nothing_twice_nothing_lost() -> None:
    outcome = faults.way_back_campaign(0.0, 22, orders=ORDERS, kills=2, max_runs=12)
    assert outcome.progress.kills >= 1
    check(outcome)
