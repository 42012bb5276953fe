"""What the four Lightspeed stand-ins share: the seed/clock plumbing and payload files (errors, page tokens and
rate-limit windows come from `sandbox.core`). Each stand-in keeps its own texts, shapes, paging style and limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox import seed as neutral
from sandbox.core import Vendor


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
