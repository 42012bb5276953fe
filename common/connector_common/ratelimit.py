"""Small, vendor-neutral rate-limit policies for `HttpClient` (vendors with exotic schemes add their own)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests


@dataclass
class RemainingResetLimiter:
    """Waits for the window to reset when the vendor says few calls remain (X-RateLimit-Remaining/-Reset style).

    reset_kind: "epoch_ms" (Exact), "epoch_s", or "seconds" (seconds until reset).
    """

    remaining_header: str
    reset_header: str
    reset_kind: str = "seconds"
    reserve: int = 0  # calls to keep in hand
    clock: Callable[[], float] = time.time
    max_wait: float = 120.0
    _wait_until: float = field(default=0.0, init=False)

    def before_request(self, method: str, url: str) -> float:
        return min(max(self._wait_until - self.clock(), 0.0), self.max_wait)

    def after_response(self, response: requests.Response) -> None:
        remaining = _number(response.headers.get(self.remaining_header))
        reset = _number(response.headers.get(self.reset_header))
        if remaining is None or reset is None or remaining > self.reserve:
            self._wait_until = 0.0
            return
        if self.reset_kind == "epoch_ms":
            self._wait_until = reset / 1000.0
        elif self.reset_kind == "epoch_s":
            self._wait_until = reset
        else:
            self._wait_until = self.clock() + reset


@dataclass
class MinIntervalLimiter:
    """At most `per_second` calls per second, evenly spaced (for vendors that publish only a rate)."""

    per_second: float
    clock: Callable[[], float] = time.monotonic
    _next: float = field(default=0.0, init=False)

    def before_request(self, method: str, url: str) -> float:
        now = self.clock()
        wait = max(self._next - now, 0.0)
        self._next = max(now, self._next) + 1.0 / self.per_second
        return wait

    def after_response(self, response: requests.Response) -> None:
        return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
