"""What the four Lightspeed stand-ins share: the seed/clock plumbing, the error they raise, opaque page tokens,
payload files and fixed rate-limit windows. Each stand-in keeps its own texts, shapes, paging style and limits."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sandbox import seed as neutral
from sandbox.core import Vendor

D = TypeVar("D", int, None)


class LightspeedVendor(Vendor):
    """A Lightspeed stand-in: `seed` None (empty), ``"dir:/path"`` (replayed vendor payloads) or a generated seed of
    `orders` orders, and the injected `clock`. `reset()` empties it (`clear`) and loads the seed again."""

    clear: Callable[[], None]  # empty the store (and limits, tokens): the state of `seed=None`
    load_dir: Callable[[Path], None]  # replay the vendor payloads of a ``dir:`` seed
    load_generated: Callable[[str], None]  # render the generated shop (or restaurant) of a named seed

    def __init__(self, seed: str | None, orders: int, clock: Callable[[], float]) -> None:
        self.seed, self.order_count, self.clock = seed, orders, clock
        self.reset()

    def reset(self) -> None:
        self.clear()
        folder = neutral.dir_seed_path(self.seed)
        if folder is not None:
            self.load_dir(folder)
        elif self.seed is not None:
            self.load_generated(self.seed)


class ApiError(Exception):
    """A request the vendor refuses: HTTP status, the vendor's message, extra headers (each stand-in renders it)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def int_arg(text: str | None, default: D, error: str) -> int | D:
    """A query parameter as an integer: `default` when absent or empty, a 400 with the vendor's `error` otherwise."""
    if text in (None, ""):
        return default
    try:
        return int(str(text))
    except ValueError:
        raise ApiError(400, error) from None


def iso_epoch(text: str) -> float:
    """ISO-8601 (`Z` allowed; naive = UTC) -> epoch seconds. Raises ValueError."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def encode_token(value: Any) -> str:
    """An opaque page token or cursor: unpadded URL-safe base64 of `value` as JSON."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_token(text: str) -> Any:
    """The value `encode_token` encoded; raises ValueError (binascii and JSON errors are ValueErrors) otherwise."""
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def read_list(file: Path, key: str) -> list[dict[str, Any]]:
    """The records of a replayed payload file: `{key: [...]}`, `{key: {...}}` (XML-born: one object) or a bare list.

    Raises:
        ValueError: the file holds something else under `key`.
    """
    data = json.loads(file.read_text(encoding="utf-8"))
    records = data.get(key) if isinstance(data, dict) else data
    if not records:  # absent, "" (XML-born: no children), or empty
        return []
    if isinstance(records, dict):
        return [records]
    if not isinstance(records, list):
        raise ValueError(f"{file}: expected a list under {key!r}")
    return records


@dataclass
class Window:
    """A fixed rate-limit window, `limit` requests per `seconds`: it starts at the first request after the previous
    one ended or, `aligned`, at a multiple of `seconds` on the clock."""

    seconds: float
    limit: int
    aligned: bool = False
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.seconds:
            self.started = math.floor(now / self.seconds) * self.seconds if self.aligned else now
            self.used = 0

    def take(self, now: float) -> bool:
        """Count one request at `now`; False (and nothing counted) when the window is full."""
        self.roll(now)
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def reset_in(self, now: float) -> int:
        return max(0, math.ceil(self.started + self.seconds - now)) if self.used else 0
