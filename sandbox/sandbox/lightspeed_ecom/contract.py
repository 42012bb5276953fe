"""Lightspeed eCom's documented API shapes: resources and envelopes, filters, paging, timestamps."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.core import ApiError, Request, parse_iso

SHOP_TZ = ZoneInfo("Europe/Amsterdam")
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
LANGUAGES = ("nl", "en", "de", "fr")
FILTER_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
# resource path segment -> (list envelope, single envelope)
RESOURCES = {
    "orders": ("orders", "order"),
    "customers": ("customers", "customer"),
    "products": ("products", "product"),
    "variants": ("variants", "variant"),
    "taxes": ("taxes", "tax"),
}
# query parameter -> record field it filters on (equality)
EQUALITY_FILTERS = {
    "orders": {"customer": "customer"},
    "customers": {"email": "email"},
    "variants": {"product": "product"},
}


class EcomError(ApiError):
    """An API error, rendered in Lightspeed eCom's `{"error": {...}}` shape."""


def to_iso(ts: float) -> str:
    """Epoch seconds -> ISO-8601 with the shop's UTC offset, as the API renders timestamps."""
    return datetime.fromtimestamp(ts, SHOP_TZ).isoformat(timespec="seconds")


def parse_timestamp(text: str) -> float:
    """Payload or filter timestamp -> epoch seconds; naive values are UTC. Raises ValueError."""
    for fmt in FILTER_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return parse_iso(text).timestamp()


@dataclass(frozen=True)
class Filters:
    """The common list filters of eCom endpoints, parsed: inclusive epoch bounds (absent: open), ids over `since_id`."""

    created_min: float = -math.inf
    created_max: float = math.inf
    updated_min: float = -math.inf
    updated_max: float = math.inf
    since_id: int = -1


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise EcomError(404, f"Invalid {what} {text!r}") from None


def _time_arg(req: Request, name: str, default: float) -> float:
    value = req.arg(name)
    if value is None or value == "":
        return default
    try:
        return parse_timestamp(value)
    except ValueError:
        raise EcomError(400, f"Invalid date for {name}: expected YYYY-MM-DD HH:MM:SS") from None


def _filters(req: Request) -> Filters:
    since = req.arg("since_id")
    if since is not None and not since.isdigit():
        raise EcomError(400, "Invalid since_id")
    return Filters(created_min=_time_arg(req, "created_at_min", -math.inf),
                   created_max=_time_arg(req, "created_at_max", math.inf),
                   updated_min=_time_arg(req, "updated_at_min", -math.inf),
                   updated_max=_time_arg(req, "updated_at_max", math.inf), since_id=int(since) if since else -1)


def _where(resource: str, req: Request) -> Callable[[dict[str, Any]], bool] | None:
    wanted = {field_name: req.arg(param) for param, field_name in EQUALITY_FILTERS.get(resource, {}).items()
              if req.arg(param) not in (None, "")}
    if not wanted:
        return None

    def matches(record: dict[str, Any]) -> bool:
        for field_name, value in wanted.items():
            have = record.get(field_name)
            if isinstance(have, dict) and isinstance(have.get("resource"), dict):
                have = have["resource"].get("id")
            if field_name == "email":
                if str(have or "").lower() != str(value).lower():
                    return False
            elif str(have) != str(value):
                return False
        return True

    return matches


def _page(req: Request, items: list[Any]) -> list[Any]:
    page_text, limit_text = req.arg("page", "1") or "1", req.arg("limit", str(DEFAULT_LIMIT)) or str(DEFAULT_LIMIT)
    if not page_text.isdigit() or int(page_text) < 1:
        raise EcomError(400, "Invalid page: must be a positive integer")
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise EcomError(400, "Invalid limit: must be a positive integer")
    page, limit = int(page_text), int(limit_text)
    if limit > MAX_LIMIT:
        raise EcomError(400, f"Invalid limit: the maximum is {MAX_LIMIT}")
    return items[(page - 1) * limit: page * limit]
