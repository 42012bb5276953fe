"""X-Series objects and their rules: one retailer-wide version counter; each write gives a record the next version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.lightspeed_xseries.contract import RESOURCES


@dataclass
class XSeriesStore:
    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {r: {} for r in RESOURCES})
    version: int = 1_978_800_000

    def put(self, resource: str, record: dict[str, Any]) -> dict[str, Any]:
        """Store (insert or replace by `id`) with a new, higher version, as every change on the retailer does."""
        self.version += 1
        stored = {**record, "version": self.version}
        self.tables[resource][str(record["id"])] = stored
        return stored

    def page(self, resource: str, after: int | None, before: int | None, size: int) -> list[dict[str, Any]]:
        """Records with after < version <= before, ascending by version, at most `size`."""
        rows = sorted(self.tables[resource].values(), key=lambda r: int(r["version"]))
        rows = [r for r in rows
                if (after is None or r["version"] > after) and (before is None or r["version"] <= before)]
        return rows[:size]

    def get(self, resource: str, record_id: str) -> dict[str, Any] | None:
        return self.tables[resource].get(record_id)
