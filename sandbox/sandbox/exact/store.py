"""In-memory tables of the Exact stand-in: rows by key in insertion order, lazy hash indexes, a Timestamp log."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import Any

from sandbox.exact.odata import norm_key

Row = dict[str, Any]


class Table:
    """One entity set. Reads by key, by indexed equality, in insertion order, or by Timestamp (sync endpoints).

    Indexes are built on first use per field and kept current on every write, so `YourRef eq '…'` lookups stay
    O(1) with 10k invoices. Deleted keys leave a tombstone in the order list (skipped when iterating).
    """

    def __init__(self, name: str, key: str) -> None:
        self.name = name
        self.key = key
        self.rows: dict[str, Row] = {}
        self._order: list[str] = []
        self._seq: dict[str, int] = {}
        self._indexes: dict[str, dict[Any, dict[str, None]]] = {}
        self._ts_log: list[tuple[int, str]] = []  # (Timestamp, key), ascending; stale pairs are skipped

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: str) -> Row | None:
        return self.rows.get(key)

    def put(self, row: Row) -> None:
        """Insert or replace the row with this key (the row's Timestamp must be the newest one)."""
        key = row[self.key]
        old = self.rows.get(key)
        if old is None:
            self._seq[key] = len(self._order)
            self._order.append(key)
        for field, index in self._indexes.items():
            if old is not None:
                bucket = index.get(norm_key(old.get(field)))
                if bucket is not None:
                    bucket.pop(key, None)
            index.setdefault(norm_key(row.get(field)), {})[key] = None
        self.rows[key] = row
        if "Timestamp" in row:
            self._ts_log.append((row["Timestamp"], key))

    def delete(self, key: str) -> Row | None:
        row = self.rows.pop(key, None)
        if row is not None:
            for field, index in self._indexes.items():
                index.get(norm_key(row.get(field)), {}).pop(key, None)
        return row

    def seq(self, key: str) -> int | None:
        return self._seq.get(key)

    def scan(self, after_seq: int = -1) -> Iterator[Row]:
        """Rows in insertion order, starting after the given position."""
        for key in self._order[after_seq + 1:]:
            row = self.rows.get(key)
            if row is not None:
                yield row

    def lookup(self, field: str, value: Any) -> list[Row]:
        """Rows whose `field` equals `value` (strings case-insensitive), in insertion order."""
        index = self._indexes.get(field)
        if index is None:
            index = {}
            for key, row in self.rows.items():
                index.setdefault(norm_key(row.get(field)), {})[key] = None
            self._indexes[field] = index
        keys = index.get(norm_key(value), {})
        return [self.rows[k] for k in keys]

    def candidates(self, terms: Iterable[tuple[str, Any]]) -> list[Row]:
        """Union of index lookups, de-duplicated, in insertion order."""
        found: dict[str, Row] = {}
        for field, value in terms:
            for row in self.lookup(field, value):
                found[row[self.key]] = row
        return sorted(found.values(), key=lambda r: self._seq[r[self.key]])

    def since(self, timestamp: int) -> Iterator[Row]:
        """Current rows changed after `timestamp`, ascending by Timestamp (what sync endpoints serve)."""
        start = bisect.bisect_right(self._ts_log, (timestamp, "\uffff"))
        for ts, key in self._ts_log[start:]:
            row = self.rows.get(key)
            if row is not None and row.get("Timestamp") == ts:
                yield row
