"""eAccounting's documented rate limit: N calls per window per client and endpoint, fixed windows, 429 4010."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sandbox.core import Window
from sandbox.eaccounting.contract import TOO_MANY_REQUESTS, new_id


class RateLimit:
    """`limit` calls per `window` seconds per (client, endpoint); the endpoint is the first path segment."""

    def __init__(self, *, limit: int, window: float, retry_after_header: bool, clock: Callable[[], float]) -> None:
        self.limit, self.window, self.retry_after_header, self.clock = limit, window, retry_after_header, clock
        self.windows: dict[tuple[str, str], Window] = {}

    def take(self, client: str, endpoint: str) -> tuple[dict[str, Any], dict[str, str]] | None:
        """Count one call; over the limit, the 429 body and headers Visma answers instead (nothing is counted)."""
        now = self.clock()
        window = self.windows.setdefault((client, endpoint), Window(self.window, self.limit))
        if not window.take(now):
            wait = max(1, math.ceil(window.started + self.window - now))
            unit = "Minute" if self.window == 60 else f"{self.window:g} Seconds"
            body = {"ErrorCode": TOO_MANY_REQUESTS, "ErrorId": new_id(),
                    "DeveloperErrorMessage": f"API calls quota exceeded! maximum admitted {self.limit} per "
                                             f"{unit}. Try again in {wait} seconds."}
            return body, ({"Retry-After": str(wait)} if self.retry_after_header else {})
        return None
