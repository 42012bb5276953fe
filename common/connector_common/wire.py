"""Wire formats every destination shares: exact-decimal JSON bodies, OData string literals and filters, e-mail keys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

_MARK = "\u0000D"
_MARKED = re.compile(r'"\\u0000D(-?\d+(?:\.\d+)?)"')


def json_dumps(payload: Any) -> str:
    """JSON with every Decimal written as an exact JSON number (`12.10`, never through float)."""

    def mark(value: Any) -> str:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"{value} cannot be sent as a JSON number")
            return _MARK + format(value, "f")
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    return _MARKED.sub(r"\1", json.dumps(payload, default=mark, ensure_ascii=False))


def odata_string(value: str) -> str:
    """An OData string literal: single-quoted with quotes doubled (`o'brien` -> `'o''brien'`)."""
    return "'" + value.replace("'", "''") + "'"


def odata_any_eq(field: str, values: Iterable[str], chunk: int = 20) -> Iterator[str]:
    """`$filter` expressions matching any of `values`, at most `chunk` terms each (URLs have length limits)."""
    batch: list[str] = []
    for value in values:
        batch.append(f"{field} eq {odata_string(value)}")
        if len(batch) == chunk:
            yield " or ".join(batch)
            batch = []
    if batch:
        yield " or ".join(batch)


def email_key(email: str | None) -> str | None:
    """The matching key of an e-mail address: trimmed and lower-cased; None when empty."""
    cleaned = (email or "").strip().lower()
    return cleaned or None
