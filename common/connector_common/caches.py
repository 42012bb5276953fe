"""Bounded caches the destinations keep for a whole run (customers, items / articles found or not)."""

from __future__ import annotations

from typing import Any, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class CodeCache(LRUCache[str, V]):
    """An LRU cache keyed by item code / article number, compared case-insensitively as Exact and eAccounting compare
    them: `sku-101` and `SKU-101` are one entry, so one lookup and never two creates for one item."""

    def __getitem__(self, key: str, *args: Any) -> V:
        return super().__getitem__(key.casefold())

    def __setitem__(self, key: str, value: V, *args: Any) -> None:
        super().__setitem__(key.casefold(), value)

    def __delitem__(self, key: str, *args: Any) -> None:
        super().__delitem__(key.casefold())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.casefold() if isinstance(key, str) else key)
