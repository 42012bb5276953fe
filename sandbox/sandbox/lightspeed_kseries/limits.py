"""K-Series rate limit. Lightspeed publishes no numbers for the K-Series APIs (lightspeed.md Part 4, unverified), so the
stand-in enforces a configurable per-token budget: `per_second` requests in any one clock second (default 10), over
which it answers 429 with `Retry-After: 1`. `None` switches the limit off."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class PerSecondLimit:
    per_second: int | None = 10
    _second: int = field(default=-1, init=False)
    _used: int = field(default=0, init=False)

    def spend(self, now: float) -> int | None:
        """None when the call fits, else the seconds to wait (Retry-After)."""
        if self.per_second is None:
            return None
        second = math.floor(now)
        if second != self._second:
            self._second, self._used = second, 0
        if self._used >= self.per_second:
            return 1
        self._used += 1
        return None
