"""Create a vendor object at most once: POST, and after an ambiguous failure find it before posting again.

The vendors we book into (Exact Online, Visma eAccounting) take no idempotency keys, so "exactly once" rests on our
own reference (an e-mail, an item code, the booking reference in YourRef / YourReference) and a lookup. After a POST
whose outcome is unknown (`AmbiguousWrite`: no answer, a dropped connection, a 5xx):

- look the object up at once: found -> use it;
- not found: the server may still be working on the request. A request that failed after a long wait (our read
  timeout, a gateway's 504) can commit seconds or a minute later; posting again at once books it twice (the fault
  campaign's "slow write" case). So keep looking for as long again as the failed request was in flight (capped at
  `settle_cap` seconds) before posting again. A request that failed within `min_settle` (a second: a reset, a quick
  500) is looked up once, without waiting.

After `attempts` ambiguous POSTs without finding the object, `CreateOnce` raises `TransientApiError`: the run stops
after the last committed state, and the next run looks the reference up again before creating anything.

Limit: a server that commits a request later than the settle window after it stopped answering can still end up
with a second copy; nothing on the client side can rule that out without an idempotency key.

`FirstSeen` decides where the batch lookup of references is needed at all: only where a booking can exist (an order
placed before the ledger's newest document, a resume right after a run stopped, an order sent twice in one run).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from connector_common.errors import AmbiguousWrite, TransientApiError
from connector_common.http import HttpClient

T = TypeVar("T")

DEFAULT_ATTEMPTS = 3
DEFAULT_POLL_SECONDS = 5.0
MIN_SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class Created(Generic[T]):
    """What `CreateOnce` returns: the object (or its id), and whether it was found after an ambiguous POST."""

    value: T
    recovered: bool


@dataclass(frozen=True)
class CreateOnce:
    """How many ambiguous POSTs to risk per object and how long to look for a late commit before posting again.

    Args:
        settle_cap: the longest settle window, in seconds (`for_client` uses twice the read timeout).
        attempts: POSTs per object before giving up for this run.
        poll_seconds: pause between lookups inside the settle window.
        min_settle: failures quicker than this are decided by one lookup.
    """

    settle_cap: float
    attempts: int = DEFAULT_ATTEMPTS
    poll_seconds: float = DEFAULT_POLL_SECONDS
    min_settle: float = MIN_SETTLE_SECONDS
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def for_client(cls, http: HttpClient, **kwargs: int | float) -> CreateOnce:
        """The policy for one HTTP client: settle up to two read timeouts, on the client's own clock and sleep."""
        return cls(settle_cap=2 * http.timeout[1], sleep=http.sleep, clock=http.clock, **kwargs)  # type: ignore[arg-type]

    def __call__(self, post: Callable[[], T], find: Callable[[], T | None], what: str) -> Created[T]:
        """POST via `post()`; `find()` returns the object when it exists (by our reference), else None.

        Raises:
            TransientApiError: every POST was ambiguous and the object never showed up.
            ApiError, RecordError, ...: whatever `post` or `find` raise otherwise (a refusal is not ambiguous).
        """
        for _attempt in range(self.attempts):
            try:
                return Created(post(), recovered=False)
            except AmbiguousWrite as exc:
                settle = min(exc.elapsed, self.settle_cap) if exc.elapsed >= self.min_settle else 0.0
                found = self._find(find, settle=settle)
            if found is not None:
                return Created(found, recovered=True)
        raise TransientApiError(f"could not confirm whether {what} was created after {self.attempts} ambiguous "
                                f"attempts; it is not posted again in this run, the next run looks for it first")

    def _find(self, find: Callable[[], T | None], *, settle: float) -> T | None:
        deadline = self.clock() + settle
        found = find()
        while found is None and (left := deadline - self.clock()) > 0:
            self.sleep(min(self.poll_seconds, left))
            found = find()
        return found


DEFAULT_CLOCK_SKEW = timedelta(minutes=10)
DEFAULT_REMEMBERED = 50_000


class FirstSeen:
    """Which references can already be booked in the ledger, so the exactly-once lookup runs only where it can find
    something.

    A destination does not see the source's cursor (the platform hands the committed state to the source, not to us),
    so the committed cursor it can trust is the ledger's: the newest document there (`newest()`, read once per run).
    An order can only have been booked after it was placed, so an order placed after that moment (plus
    `clock_skew` between shop and ledger) cannot be in the ledger, and needs no lookup. Everything else is looked up:
    orders placed earlier (booked by an earlier run, re-sent because they changed or the run was resumed), and the
    whole run when

    - the newest document is younger than the settle window plus the skew at the start of the run (a run just
      stopped or is still running: one of its writes may still commit; a resume right after a crash lands here);
    - an order appears placed later than the ledger's own clock allows (the clocks disagree: trust nothing);
    - more than `remembered` references were booked this run (memory stays bounded).

    References booked in this run are remembered (`booked`), so an order sent twice in one run is looked up again.

    Args:
        newest: the creation time (UTC) of the newest document in the ledger, None when it holds none; may err late
            (too new means more lookups), never early.
        now: the ledger's clock (UTC) at the start of the run.
        settle: the longest a write can still commit after its request stopped (CreateOnce.settle_cap).
        clock: a monotonic clock, to advance the ledger's time during the run.
    """

    def __init__(self, newest: Callable[[], datetime | None], now: Callable[[], datetime], *, settle: float,
                 clock: Callable[[], float] = time.monotonic, clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
                 remembered: int = DEFAULT_REMEMBERED) -> None:
        self._newest = newest
        self._now = now
        self.settle = timedelta(seconds=settle)
        self.clock = clock
        self.clock_skew = clock_skew
        self.remembered = remembered
        self._mark: datetime | None = None  # orders placed after this are new; None: everything may exist
        self._started: tuple[datetime, float] | None = None
        self._booked: set[str] = set()
        self.reason: str | None = None  # why every reference is looked up (None while first-seen orders skip it)
        self.lookups_skipped = 0

    def may_exist(self, reference: str, placed_at: datetime) -> bool:
        """True when a booking with this reference can exist (look it up); False for an order placed after it."""
        if self._started is None:
            self._start()
        if self._mark is None or reference in self._booked:
            return True
        assert self._started is not None
        ledger_now = self._started[0] + timedelta(seconds=self.clock() - self._started[1])
        if placed_at > ledger_now + self.clock_skew:
            self._lookup_all(f"order {reference} is placed at {placed_at.isoformat()}, after the ledger's clock "
                             f"({ledger_now.isoformat()})")
            return True
        if placed_at <= self._mark:
            return True
        self.lookups_skipped += 1
        return False

    def booked(self, reference: str) -> None:
        """A document with this reference was created in this run."""
        if self._mark is None:
            return
        if len(self._booked) >= self.remembered:
            self._lookup_all(f"more than {self.remembered} documents booked in this run")
            return
        self._booked.add(reference)

    def _start(self) -> None:
        now = self._now()
        self._started = (now, self.clock())
        newest = self._newest()
        if newest is not None and now - newest < self.settle + self.clock_skew:
            self._lookup_all(f"the ledger's newest document is from {newest.isoformat()}, within the settle window "
                             "(a run just stopped or is running)")
            return
        self._mark = (newest or datetime.min.replace(tzinfo=UTC)) + self.clock_skew

    def _lookup_all(self, reason: str) -> None:
        self._mark = None
        self._booked.clear()
        self.reason = reason
