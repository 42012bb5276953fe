"""CreateOnce: never a second POST while a late commit of the first is still possible; no wait when there is none."""

from __future__ import annotations

import pytest

from connector_common.errors import AmbiguousWrite, RecordError, TransientApiError
from connector_common.exactly_once import CreateOnce
from connector_common.http import HttpClient
from connector_common.testing import SimulatedClock


class Server:
    """One object on a fake server: each POST fails ambiguously per `outcomes` and may commit `delay` s later."""

    def __init__(self, clock: SimulatedClock, outcomes: list[tuple[float, float | None]]) -> None:
        self.clock = clock
        self.outcomes = outcomes  # per POST: (seconds in flight before the failure, commit delay or None)
        self.posts = 0
        self.lookups = 0
        self.visible_from: list[float] = []

    def post(self) -> str:
        self.posts += 1
        if not self.outcomes:
            self.visible_from.append(self.clock.now)
            return "created"
        elapsed, delay = self.outcomes.pop(0)
        self.clock.sleep(elapsed)  # the time we spent waiting for the answer
        if delay is not None:
            self.visible_from.append(self.clock.now + delay)
        raise AmbiguousWrite("no answer", elapsed=elapsed)

    def find(self) -> str | None:
        self.lookups += 1
        return "found" if any(self.clock.now >= t for t in self.visible_from) else None

    def copies(self) -> int:
        return len(self.visible_from)


def policy(clock: SimulatedClock) -> CreateOnce:
    return CreateOnce(settle_cap=120, poll_seconds=5, sleep=clock.sleep, clock=clock)


def run(server: Server, clock: SimulatedClock) -> tuple[str, bool]:
    created = policy(clock)(server.post, server.find, "invoice shopify:#1001")
    return created.value, created.recovered


def test_given_post_succeeds_when_created_then_no_lookup_and_no_wait() -> None:
    clock = SimulatedClock()
    server = Server(clock, [])
    assert run(server, clock) == ("created", False)
    assert (server.posts, server.lookups, clock.slept) == (1, 0, [])


def test_given_read_timeout_and_commit_after_it_when_created_then_found_later_and_never_posted_twice() -> None:
    clock = SimulatedClock()
    server = Server(clock, [(60, 2)])  # answered after our 60 s timeout, committed 2 s after we gave up
    assert run(server, clock) == ("found", True)
    assert server.posts == 1 and server.copies() == 1
    assert clock.total_slept - 60 == 5  # one poll interval


@pytest.mark.parametrize("delay", [0.0, None])
def test_given_quick_failure_when_created_then_one_lookup_decides_without_waiting(delay: float | None) -> None:
    clock = SimulatedClock()
    server = Server(clock, [(0.004, delay)])
    value, _ = run(server, clock)
    assert server.copies() == 1 and value in ("found", "created")
    assert server.lookups == 1 and clock.total_slept == pytest.approx(0.004)


def test_given_read_timeout_and_no_commit_when_created_then_posted_again_after_as_long_again() -> None:
    clock = SimulatedClock()
    server = Server(clock, [(60, None)])
    assert run(server, clock) == ("created", False)
    assert server.posts == 2 and server.copies() == 1
    assert clock.total_slept - 60 == 60 and server.lookups == 13  # at once, then every 5 s for 60 s


def test_given_every_post_ambiguous_when_created_then_transient_error_names_the_object_and_no_copy() -> None:
    clock = SimulatedClock()
    server = Server(clock, [(0.01, None)] * 3)
    with pytest.raises(TransientApiError, match=r"invoice shopify:#1001 .* after 3 ambiguous attempts"):
        run(server, clock)
    assert server.posts == 3 and server.copies() == 0


def test_given_gateway_wait_longer_than_cap_when_settling_then_window_is_capped() -> None:
    clock = SimulatedClock()
    server = Server(clock, [(900, None)])
    run(server, clock)
    assert clock.total_slept - 900 == 120


def test_given_a_refusal_when_posting_then_it_propagates_without_lookup() -> None:
    clock = SimulatedClock()

    def refuse() -> str:
        raise RecordError("orders", "1", "lines[0].sku", "refused")

    with pytest.raises(RecordError):
        policy(clock)(refuse, lambda: None, "x")


def test_given_a_client_when_policy_built_then_cap_is_two_read_timeouts_on_the_clients_clock() -> None:
    clock = SimulatedClock()
    http = HttpClient("https://api.example", timeout=(5, 30), sleep=clock.sleep, clock=clock)
    created = CreateOnce.for_client(http)
    assert created.settle_cap == 60 and created.clock is clock and created.sleep == clock.sleep
