"""Which lookups a run makes against the Exact stand-in: the exactly-once reference lookup only where a booking can
exist, accounts and items remembered across batches, one call per document in steady state.

The clock here starts after the orders were placed (as a scheduled sync does): an order placed after the ledger's
newest document cannot be booked yet and is not looked up.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from airbyte_cdk.models import AirbyteMessage
from exact_testdata import BASE_TIME, messages_for, order, realistic_orders, sandbox_config

import sandbox
from connector_common.http import endpoint_of
from connector_common.testing import SimulatedClock

from .conftest import START, TICK, ledger, orders_in, run_write

DOCUMENT_POST = "POST /api/v1/{id}/salesinvoice/SalesInvoices"
REFERENCE_GET = "GET /api/v1/{id}/salesinvoice/SalesInvoices"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(now=(BASE_TIME + timedelta(days=1)).timestamp(), tick=TICK)


def _calls(server: sandbox.SandboxServer, since: int = 0) -> Counter[str]:
    return Counter(endpoint_of(r.method, r.path) for r in server.requests()[since:]
                   if not r.path.startswith("/_sandbox") and "/oauth2/" not in r.path)


def _booked_once(server: sandbox.SandboxServer, messages: list[AirbyteMessage]) -> None:
    """One invoice per order and one credit note per refund: no reference twice, none missing."""
    refs = Counter(d["YourRef"] for d in ledger(server))
    assert [r for r, n in refs.items() if n > 1] == []
    orders = list(orders_in(messages))
    assert {r for r in refs if "/R" not in r} == {f"{o.source}:{o.reference}" for o in orders}
    assert sum(1 for r in refs if "/R" in r) == sum(len(o.refunds) for o in {o.reference: o for o in orders}.values())


def test_given_known_customers_and_items_when_booking_more_orders_then_one_call_per_document(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    orders = realistic_orders(300) + realistic_orders(300, start=301)  # as the bench: known customers and SKUs
    messages = messages_for(orders, state_every=50)
    seen: list[int] = []

    def mark_half() -> Iterator[AirbyteMessage]:  # the log length when the first 300 orders are booked
        for i, message in enumerate(messages):
            if i == 306:  # 300 records and 6 states; the batch of 50 before it is booked
                seen.append(len(exact.requests()))
            yield message

    result = run_write(sandbox_config(exact.base_url, batch_size=50), mark_half(), clock=clock)
    assert result.error is None, result.error.message
    _booked_once(exact, messages)
    second_half = _calls(exact, seen[0])
    documents = second_half[DOCUMENT_POST]
    assert documents == sum(1 + len(o.refunds) for o in orders[300:])
    assert sum(second_half.values()) / documents <= 1.01
    assert second_half == Counter({DOCUMENT_POST: documents})  # no lookup of a known account, item or reference


def test_given_a_fresh_ledger_when_booking_then_no_reference_lookups_and_a_rerun_looks_every_batch_up(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for(realistic_orders(150), state_every=50)
    config = sandbox_config(exact.base_url, batch_size=50)
    first = run_write(config, messages, clock=clock)
    assert first.error is None
    assert _calls(exact)[REFERENCE_GET] == 1  # the newest document (there is none): nothing else to look up
    assert first.summary()["reference_lookups_skipped"] == 150 + sum(len(o.refunds) for o in orders_in(messages))

    clock.sleep(3600)
    exact.clear_log()
    second = run_write(first.config_after(config), messages, clock=clock)
    assert second.error is None
    assert second.summary()["outcomes"] == {"orders:exists": 150}
    calls = _calls(exact)
    assert calls[DOCUMENT_POST] == 0
    assert calls[REFERENCE_GET] == 2 + 3  # the newest document and its check, then one lookup per batch of 50
    assert second.summary()["reference_lookups_skipped"] == 0
    _booked_once(exact, messages)


def test_given_a_crash_when_resumed_at_once_then_every_reference_is_looked_up_and_nothing_is_booked_twice(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    messages = messages_for(realistic_orders(60), state_every=25)
    config = sandbox_config(exact.base_url, batch_size=10)

    def killed() -> Iterator[AirbyteMessage]:
        for i, message in enumerate(messages):
            if i == 22:  # two batches of 10 booked, no STATE echoed yet
                raise KeyboardInterrupt("killed")
            yield message

    emitted: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        run_write(config, killed(), clock=clock, sink=emitted)
    assert len([d for d in ledger(exact) if "/R" not in d["YourRef"]]) == 20
    controls = [json.loads(line) for line in emitted if '"CONTROL"' in line]  # the rotated refresh token
    config = controls[-1]["control"]["connectorConfig"]["config"]
    result = run_write(config, messages, clock=clock)  # the platform resends everything, right away
    assert result.error is None
    assert result.summary()["outcomes"]["orders:exists"] == 20
    assert result.summary()["reference_lookups_skipped"] == 0
    _booked_once(exact, messages)


def test_given_an_order_sent_twice_in_one_run_when_booked_then_one_document(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    first, again = realistic_orders(30), realistic_orders(5, start=3)
    messages = messages_for(first + again, state_every=10)
    result = run_write(sandbox_config(exact.base_url, batch_size=10), messages, clock=clock)
    assert result.error is None
    assert result.summary()["outcomes"]["orders:exists"] == 5
    _booked_once(exact, messages)


def test_given_orders_placed_after_the_ledgers_clock_when_booked_then_everything_is_looked_up() -> None:
    clock = SimulatedClock(now=START, tick=TICK)  # Exact's clock 9 hours behind the shop's (orders from 09:00)
    exact = sandbox.start("exact", clock=clock, daily_limit=None)
    try:
        messages = messages_for(realistic_orders(40), state_every=20)
        config = sandbox_config(exact.base_url, batch_size=20)
        first = run_write(config, messages, clock=clock)
        assert first.error is None
        assert first.summary()["reference_lookups_skipped"] == 0
        rerun = run_write(first.config_after(config), messages, clock=clock)
        assert rerun.error is None
        assert rerun.summary()["outcomes"] == {"orders:exists": 40}
        _booked_once(exact, messages)
    finally:
        exact.stop()


def test_given_a_cached_account_deleted_in_exact_when_its_customer_orders_again_then_booked_to_a_new_account(
        exact: sandbox.SandboxServer, clock: SimulatedClock) -> None:
    orders = [order(n, email="Vaste.Klant@example.com") for n in range(1, 4)]
    messages = messages_for(orders, state_every=1)

    def deleted_after_first() -> Iterator[AirbyteMessage]:
        for i, message in enumerate(messages):
            if i == 2:  # order 1 booked (its STATE follows it): the accountant removes the account
                accounts = [a for a in ledger(exact, "Account") if a.get("Email") == "vaste.klant@example.com"]
                assert len(accounts) == 1
                exact.vendor.tables["Account"].delete(accounts[0]["ID"])  # type: ignore[attr-defined]
            yield message

    result = run_write(sandbox_config(exact.base_url, batch_size=1), deleted_after_first(), clock=clock)
    assert result.error is None
    summary = result.summary()
    assert summary["stale_references"] == 1
    assert summary["outcomes"] == {"orders:created": 3}
    accounts = [a for a in ledger(exact, "Account") if a.get("Email") == "vaste.klant@example.com"]
    assert len(accounts) == 1
    invoices = {d["YourRef"]: d["OrderedBy"] for d in ledger(exact)}
    assert invoices["shopify:#1002"] == invoices["shopify:#1003"] == accounts[0]["ID"]
    _booked_once(exact, messages)
