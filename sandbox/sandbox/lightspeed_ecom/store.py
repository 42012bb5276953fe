"""Lightspeed eCom's objects in memory: tables by id with filters, raw replayed payloads."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.lightspeed_ecom.contract import Filters, parse_timestamp


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # the wire format has JSON numbers
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass
class Table:
    """One resource's records, with the created/updated indexes the filters need."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    updated: dict[int, float] = field(default_factory=dict)
    encoded: dict[int, dict[tuple[str, str], bytes]] = field(default_factory=dict)
    _by_updated: list[tuple[float, int]] | None = None
    _ids_desc: list[int] | None = None

    def put(self, record: dict[str, Any]) -> None:
        rid = int(record["id"])
        self.records[rid] = record
        self.encoded.pop(rid, None)
        self.created[rid] = parse_timestamp(record["createdAt"]) if record.get("createdAt") else 0.0
        self.updated[rid] = parse_timestamp(record["updatedAt"]) if record.get("updatedAt") else self.created[rid]
        self._by_updated = None
        self._ids_desc = None

    def ids_desc(self) -> list[int]:
        if self._ids_desc is None:
            self._ids_desc = sorted(self.records, reverse=True)
        return self._ids_desc

    def query(self, filters: Filters, where: Callable[[dict[str, Any]], bool] | None = None) -> list[int]:
        """Ids matching the filters, newest first."""
        if filters.updated_min > -math.inf or filters.updated_max < math.inf:
            if self._by_updated is None:
                self._by_updated = sorted((ts, rid) for rid, ts in self.updated.items())
            keys = self._by_updated
            lo, hi = bisect_left(keys, (filters.updated_min, -1)), bisect_right(keys, (filters.updated_max, math.inf))
            candidates: Iterable[int] = sorted((rid for _, rid in keys[lo:hi]), reverse=True)
        else:
            candidates = self.ids_desc()
        created, records = self.created, self.records
        return [rid for rid in candidates if rid > filters.since_id and
                filters.created_min <= created[rid] <= filters.created_max and (where is None or where(records[rid]))]


@dataclass(frozen=True)
class RawList:
    """A list envelope whose records are already JSON-encoded (`{"orders": [...]}`)."""

    key: str
    items: list[bytes]


def relink(record: dict[str, Any], link: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The record with each resource reference's `link` made from its `url`, or emptied (links are host-specific)."""
    out = dict(record)
    for key, value in record.items():
        if isinstance(value, dict) and isinstance(value.get("resource"), dict):
            ref = value["resource"]
            out[key] = {"resource": {"id": ref.get("id", False), "url": ref.get("url", ""),
                                     "link": link(ref.get("url", "")) if link else ""}}
    return out
