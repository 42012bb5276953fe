"""Which lookups a run makes against the eAccounting stand-in: the exactly-once reference lookup only where a booking
can exist (connector_common.exactly_once.FirstSeen), customers and articles remembered across batches.

The clocks here start after the orders were placed, as a scheduled sync does.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import sandbox
from connector_common.testing import SimulatedClock

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit_tests"))
from eacc_builders import START, OrderSpec, build_order, many_specs, order_record
from eacc_builders import config as make_config
from eacc_harness import catalog, ledger, run_write, with_states

from destination_eaccounting.destination import DestinationEaccounting
from destination_eaccounting.plan import document_reference

LOOKUP_PATHS = ("customerinvoicedrafts", "customerinvoices")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(now=(START + timedelta(days=2)).timestamp(), tick=0.001)


@pytest.fixture
def server(clock: SimulatedClock) -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start("eaccounting", seed="demo", clock=clock)
    yield srv
    srv.stop()


def _gets(server: sandbox.SandboxServer) -> Counter[str]:
    return Counter(r.path.split("/")[2] for r in server.requests() if r.method == "GET" and "/v2/" in r.path)


def _wanted(specs: list[OrderSpec]) -> set[str]:
    """The references of every document the orders should get: bookable orders and their refunds."""
    wanted: set[str] = set()
    for spec in specs:
        if spec.payment_status.value == "paid" and not spec.cancelled:
            order = build_order(spec)
            wanted |= {document_reference(order), *(document_reference(order, r) for r in order.refunds)}
    return wanted


def _once(server: sandbox.SandboxServer, specs: list[OrderSpec]) -> None:
    docs = ledger(server)
    assert {ref: len(d) for ref, d in docs.items() if len(d) > 1} == {}
    assert set(docs) == _wanted(specs)


def test_given_a_fresh_company_when_booking_then_no_reference_lookups_and_a_rerun_looks_them_up(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    specs = many_specs(120)
    records = [order_record(s) for s in specs]
    cfg: dict[str, Any] = make_config(server.base_url)
    first = run_write(cfg, with_states(records), clock=clock)
    assert first.error is None
    assert {p: n for p, n in _gets(server).items() if p in LOOKUP_PATHS} == dict.fromkeys(LOOKUP_PATHS, 1)
    assert first.summary["reference_lookups_skipped"] > 100
    _once(server, specs)

    clock.sleep(3600)
    server.clear_log()
    again = run_write(cfg, with_states(records), clock=clock)
    assert again.error is None
    assert again.summary["reference_lookups_skipped"] == 0
    assert [r for r in server.requests() if r.method == "POST" and "/v2/" in r.path] == []
    _once(server, specs)


def test_given_a_crash_when_resumed_at_once_then_every_reference_is_looked_up_and_nothing_is_booked_twice(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    specs = many_specs(50)
    records = [order_record(s) for s in specs]
    messages = with_states(records, every=20)
    cfg: dict[str, Any] = make_config(server.base_url, batch_size=5)

    class Crash(Exception):
        pass

    def crashing() -> Iterator[Any]:
        for i, message in enumerate(messages):
            if i == 30:  # the batch after the first state is booked, its state never echoed
                raise Crash
            yield message

    with pytest.raises(Crash):
        for _ in DestinationEaccounting(sleep=clock.sleep, emit=lambda _m: None, clock=clock).write(
                cfg, catalog(), crashing()):
            pass
    assert len(ledger(server)) > len(_wanted(specs[:20]))  # booked beyond the echoed state
    resume = run_write(cfg, with_states(records[20:]), clock=clock)  # from the last echoed state, right away
    assert resume.error is None, resume.error
    assert resume.summary["reference_lookups_skipped"] == 0
    assert resume.summary["outcomes"]["orders:exists"] > 0
    _once(server, specs)


def test_given_an_order_sent_twice_in_one_run_when_booked_then_one_document(
        server: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    specs = many_specs(30)
    records = [order_record(s) for s in specs] + [order_record(s) for s in specs[:5]]
    run = run_write(make_config(server.base_url, batch_size=10), with_states(records), clock=clock)
    assert run.error is None
    _once(server, specs)
