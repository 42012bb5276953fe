"""Exact's per-app, per-division rate limits: a fixed minutely window and a daily quota, with their headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.core import Response, Window
from sandbox.exact.odata import EXACT_TZ


@dataclass
class _Counter:
    minute: Window  # the calendar minute
    day: str = ""  # Exact-local date of the current day
    day_used: int = 0
    day_exhausted: str = ""  # set by exhaust(): that day's quota counts as used up


class RateLimits:
    """Counts calls per division (reference §5).

    Every response of a URL with a division carries X-RateLimit-Limit/-Remaining/-Reset (daily) and
    X-RateLimit-Minutely-Limit/-Remaining/-Reset; resets are epoch milliseconds. The minutely window is the
    calendar minute (60 calls by 10:00:40 -> rejected until 10:01:00); the day resets at local midnight.
    A 429 for the minutely limit carries only the minutely headers, one for the daily limit only the daily
    headers (picqer README, picqer#646). A limit of None switches that limit off (and its headers).
    """

    def __init__(self, minutely_limit: int | None, daily_limit: int | None, clock: Callable[[], float]) -> None:
        self.minutely_limit = minutely_limit
        self.daily_limit = daily_limit
        self._clock = clock
        self.counters: dict[int, _Counter] = {}

    def reset(self) -> None:
        self.counters.clear()

    def _counter(self, division: int) -> tuple[_Counter, float]:
        now = self._clock()
        counter = self.counters.setdefault(division, _Counter(Window(60, self.minutely_limit or 0, aligned=True)))
        counter.minute.roll(now)
        day = datetime.fromtimestamp(now, UTC).astimezone(EXACT_TZ).date().isoformat()
        if counter.day != day:
            counter.day, counter.day_used = day, 0
        return counter, now

    def _daily_headers(self, counter: _Counter, now: float) -> dict[str, str]:
        if self.daily_limit is None:
            return {}
        local = datetime.fromtimestamp(now, UTC).astimezone(EXACT_TZ)
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), EXACT_TZ)
        used = self.daily_limit if counter.day_exhausted == counter.day else counter.day_used
        return {"X-RateLimit-Limit": str(self.daily_limit),
                "X-RateLimit-Remaining": str(max(self.daily_limit - used, 0)),
                "X-RateLimit-Reset": str(int(midnight.timestamp() * 1000))}

    def _minutely_headers(self, counter: _Counter) -> dict[str, str]:
        if self.minutely_limit is None:
            return {}
        return {"X-RateLimit-Minutely-Limit": str(self.minutely_limit),
                "X-RateLimit-Minutely-Remaining": str(max(self.minutely_limit - counter.minute.used, 0)),
                "X-RateLimit-Minutely-Reset": str(int(counter.minute.started + 60) * 1000)}

    def _day_spent(self, counter: _Counter) -> bool:
        if counter.day_exhausted == counter.day:
            return True
        return self.daily_limit is not None and counter.day_used >= self.daily_limit

    def take(self, division: int) -> tuple[Response | None, dict[str, str]]:
        """Count one call. Returns (429 response or None, headers to put on the normal response)."""
        counter, now = self._counter(division)
        if self._day_spent(counter):
            return too_many(self._daily_headers(counter, now)), {}
        if self.minutely_limit is not None and counter.minute.used >= self.minutely_limit:
            return too_many(self._minutely_headers(counter)), {}
        counter.minute.used += 1
        counter.day_used += 1
        return None, self._daily_headers(counter, now) | self._minutely_headers(counter)

    def exhaust(self, division: int) -> Response:
        """Mark today's quota used up; returns the 429 later calls get until the day (or reset()) rolls."""
        counter, now = self._counter(division)
        counter.day_exhausted = counter.day
        return too_many(self._daily_headers(counter, now))


def too_many(headers: dict[str, str]) -> Response:
    """Exact's 429: plain 'Too Many Requests', no JSON error envelope (picqer#520/#528 show no message)."""
    return Response(429, "Too Many Requests", {"Content-Type": "text/plain; charset=utf-8", **headers})
