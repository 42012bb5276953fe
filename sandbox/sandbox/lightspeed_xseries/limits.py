"""X-Series rate limit ([X-DOCS] Rate limiting, lightspeed.md Part 3, verified): `300 x registers + 50` requests per
5-minute window per retailer; headers `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`; over it a 429
with `Retry-After` as an HTTP date. The window is a fixed one on the injected clock (unverified: fixed vs sliding)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from email.utils import formatdate

WINDOW_SECONDS = 300


@dataclass
class RetailerLimit:
    registers: int = 1
    enabled: bool = True
    _window: int = field(default=-1, init=False)
    _used: int = field(default=0, init=False)

    @property
    def limit(self) -> int:
        return 300 * max(self.registers, 1) + 50

    def spend(self, now: float) -> tuple[bool, dict[str, str]]:
        """(allowed, headers) for one request at `now`."""
        window = math.floor(now / WINDOW_SECONDS)
        if window != self._window:
            self._window, self._used = window, 0
        reset = (window + 1) * WINDOW_SECONDS
        if self.enabled and self._used >= self.limit:
            return False, {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Reset": formatdate(reset, usegmt=True),
                           "Retry-After": formatdate(reset, usegmt=True)}
        self._used += 1
        return True, {"X-RateLimit-Limit": str(self.limit),
                      "X-RateLimit-Remaining": str(max(self.limit - self._used, 0)),
                      "X-RateLimit-Reset": formatdate(reset, usegmt=True)}
