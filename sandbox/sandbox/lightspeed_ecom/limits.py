"""Lightspeed eCom's fixed rate-limit windows per key (5 minutes, hour, day) and the per-second cap."""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_RATE_LIMITS: tuple[tuple[float, int], ...] = ((300.0, 300), (3600.0, 3000), (86400.0, 12000))
DEFAULT_PER_SECOND = 20


@dataclass
class Window:
    """A fixed rate-limit window: `limit` requests per `seconds`."""

    seconds: float
    limit: int
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.seconds:
            self.started = now
            self.used = 0

    def reset_in(self, now: float) -> int:
        return max(0, math.ceil(self.started + self.seconds - now)) if self.used else 0
