"""X-Series rate limit ([X-DOCS] Rate limiting, lightspeed.md Part 3, verified): `300 x registers + 50` requests per
5-minute window per retailer; headers `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`; over it a 429
with `Retry-After` as an HTTP date. The window is a fixed one on the injected clock (unverified: fixed vs sliding)."""

from __future__ import annotations

from email.utils import formatdate

from sandbox.core import Window

WINDOW_SECONDS = 300


def retailer_window(registers: int) -> Window:
    """The retailer's 5-minute window: `300 x registers + 50` requests."""
    return Window(WINDOW_SECONDS, 300 * max(registers, 1) + 50, aligned=True)


def spend(window: Window, now: float, *, enabled: bool = True) -> tuple[bool, dict[str, str]]:
    """(allowed, headers) for one request at `now`; `enabled=False` counts but never refuses."""
    window.roll(now)
    reset = formatdate(window.started + window.seconds, usegmt=True)
    headers = {"X-RateLimit-Limit": str(window.limit), "X-RateLimit-Reset": reset}
    if enabled and window.used >= window.limit:
        return False, {**headers, "X-RateLimit-Remaining": "0", "Retry-After": reset}
    window.used += 1
    return True, {**headers, "X-RateLimit-Remaining": str(max(window.limit - window.used, 0))}
