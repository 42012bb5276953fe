"""K-Series rate limit. Lightspeed publishes no numbers for the K-Series APIs (lightspeed.md Part 4, unverified), so the
stand-in enforces a configurable per-token budget: `per_second` requests in any one clock second (default 10), over
which it answers 429 with `Retry-After: 1`. `None` switches the limit off."""

from __future__ import annotations

from sandbox.core import Window


def per_second_limit(per_second: int | None) -> Window | None:
    return Window(1.0, per_second, aligned=True) if per_second is not None else None
