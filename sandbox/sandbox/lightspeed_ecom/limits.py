"""Lightspeed eCom's fixed rate-limit windows per key (5 minutes, hour, day) and the per-second cap."""

from __future__ import annotations

DEFAULT_RATE_LIMITS: tuple[tuple[float, int], ...] = ((300.0, 300), (3600.0, 3000), (86400.0, 12000))
DEFAULT_PER_SECOND = 20
