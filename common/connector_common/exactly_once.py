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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
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
