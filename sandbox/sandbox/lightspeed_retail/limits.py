"""Lightspeed Retail's leaky bucket per account: drips, drip rate, burst limiter, request costs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sandbox.lightspeed_retail.contract import RELATIONS

COUNT_COST = 10.0


@dataclass
class Bucket:
    """The leaky bucket plus the one-second burst limiter."""

    size: float
    drip_rate: float
    burst_limit: int | None
    level: float = 0.0
    last: float | None = None
    burst_second: int = -1
    burst_used: int = 0

    def drain(self, now: float) -> None:
        if self.last is not None:
            self.level = max(0.0, self.level - (now - self.last) * self.drip_rate)
        self.last = now

    def headers(self, cost: float) -> dict[str, str]:
        out = {"X-LS-API-Bucket-Level": f"{_num(self.level)}/{_num(self.size)}",
               "X-LS-API-Drip-Rate": _num(self.drip_rate), "X-LS-API-Request-Cost": _num(cost)}
        if self.burst_limit is not None:
            out["X-LS-API-Burst-Level"] = f"{self.burst_used}/{self.burst_limit}"
        return out

    def spend(self, now: float, cost: float) -> tuple[str, int] | None:
        """Take `cost` drips; on refusal return (limiter type, seconds to wait) and take nothing."""
        self.drain(now)
        second = math.floor(now)
        if second != self.burst_second:
            self.burst_second, self.burst_used = second, 0
        if self.burst_limit is not None and self.burst_used >= self.burst_limit:
            return "api-burst-limiter", 1
        if self.level + cost > self.size:
            return "api-leaky-bucket", max(1, math.ceil((self.level + cost - self.size) / self.drip_rate))
        self.level += cost
        self.burst_used += 1
        return None


def _num(value: float) -> str:
    """12.5 -> "12.5", 90.0 -> "90" (header numbers)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _relation_cost(resource: str, relations: list[str], *, listing: bool) -> float:
    extra = sum(0.2 if RELATIONS[resource][name][0] else 0.1 for name in relations)
    return round(1 + extra * (2 if listing else 1), 3)
