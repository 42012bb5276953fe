"""K-Series objects and their rules: businesses with locations, and each location's closed sales by `timeClosed`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.core import ApiError, decode_token, encode_token
from sandbox.lightspeed_kseries.contract import parse_instant


def _closed(sale: dict[str, Any]) -> datetime:
    return parse_instant(str(sale["timeClosed"]), "timeClosed")


@dataclass
class KSeriesStore:
    businesses: list[dict[str, Any]] = field(default_factory=list)
    sales: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # location id -> sales ascending

    def location_ids(self) -> set[int]:
        return {int(bl["blID"]) for b in self.businesses for bl in b.get("businessLocations") or []}

    def load(self, businesses: list[dict[str, Any]], sales: dict[int, list[dict[str, Any]]]) -> None:
        self.businesses = businesses
        for location, rows in sales.items():
            for sale in rows:
                self.put(location, sale)

    def put(self, location_id: int, sale: dict[str, Any]) -> None:
        """Add or replace (by `accountFiscId`) a sale; keeps the documented order (`timeClosed`, then id)."""
        rows = [s for s in self.sales.get(location_id, []) if s.get("accountFiscId") != sale.get("accountFiscId")]
        rows.append(sale)
        rows.sort(key=lambda s: (_closed(s), str(s.get("accountFiscId"))))
        self.sales[location_id] = rows

    def page(self, location_id: int, start: datetime, end: datetime, size: int, token: str | None
             ) -> tuple[list[dict[str, Any]], str | None]:
        """Sales closed in [start, end] from the position `token` names; the token of the next page or None."""
        if location_id not in self.location_ids():
            raise ApiError(403, f"Access to business location {location_id} is not granted to this token")
        offset = _offset(token, location_id, start, end)
        rows = [s for s in self.sales.get(location_id, []) if start <= _closed(s) <= end]
        chunk = rows[offset:offset + size]
        more = offset + size < len(rows)
        return chunk, _token(location_id, start, end, offset + size) if more else None


def _token(location_id: int, start: datetime, end: datetime, offset: int) -> str:
    return encode_token([location_id, start.isoformat(), end.isoformat(), offset])


def _offset(token: str | None, location_id: int, start: datetime, end: datetime) -> int:
    if not token:
        return 0
    try:
        loc, from_text, to_text, offset = decode_token(token)
    except (ValueError, TypeError):
        raise ApiError(400, "Invalid nextPageToken") from None
    if loc != location_id or from_text != start.isoformat() or to_text != end.isoformat():
        raise ApiError(400, "nextPageToken does not belong to this query")
    return int(offset)
