"""The incremental cursor of every source (dlt semantics): inclusive lower bound, boundary de-duplicated by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


def parse_timestamp(value: str | datetime) -> datetime:
    """ISO 8601 (with 'Z' or an offset) -> aware UTC datetime. Naive input is refused."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Cursor:
    """Position of an incremental stream: the newest `updated_at` seen and the ids seen at exactly that instant.

    State form: {"updated_at": "2024-01-05T10:00:00Z", "ids_at_cursor": ["123", "124"]}.
    The API filter uses `lower_bound()` of the state snapshot taken when the read starts, never the live cursor.
    """

    updated_at: datetime | None = None
    ids_at_cursor: set[str] = field(default_factory=set)

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Cursor:
        state = state or {}
        value = state.get("updated_at")
        return cls(updated_at=parse_timestamp(value) if value else None,
                   ids_at_cursor={str(i) for i in state.get("ids_at_cursor", [])})

    def to_state(self) -> dict[str, Any]:
        if self.updated_at is None:
            return {}
        return {"updated_at": format_timestamp(self.updated_at), "ids_at_cursor": sorted(self.ids_at_cursor)}

    def lower_bound(self, start_date: datetime, lookback: timedelta = timedelta(0)) -> datetime:
        """Inclusive lower bound for the API filter: the cursor minus the lookback window, never before start."""
        if self.updated_at is None:
            return start_date
        return max(self.updated_at - lookback, start_date)

    def observe(self, updated_at: datetime, record_id: str) -> bool:
        """Advance with one record (records arrive ascending). Returns False for a boundary duplicate to drop."""
        if self.updated_at is None or updated_at > self.updated_at:
            self.updated_at = updated_at
            self.ids_at_cursor = {record_id}
            return True
        if updated_at == self.updated_at:
            if record_id in self.ids_at_cursor:
                return False
            self.ids_at_cursor.add(record_id)
            return True
        return True  # older than the cursor: re-read inside the lookback window; the cursor does not move back
