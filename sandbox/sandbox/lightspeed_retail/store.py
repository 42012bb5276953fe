"""Lightspeed Retail's objects in memory: tables by id and sort field, cursor paging over them."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import decode_token, encode_token
from sandbox.lightspeed_retail.contract import Condition, RetailError, typed

# a range operator -> the bounds it sets on the sort index: (upper bound?, which value, past the records equal to it?)
NARROWS = {">=": ((False, 0, False),), ">": ((False, 0, True),), "<=": ((True, 0, True),), "<": ((True, 0, False),),
           "><": ((False, 0, False), (True, 1, True))}


@dataclass
class Table:
    """One resource's records (strings, relations as lists) with lazily built sort indexes."""

    id_field: str
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    _indexes: dict[str, list[tuple[tuple[int, Any], int]]] = field(default_factory=dict)

    def put(self, record: dict[str, Any]) -> None:
        self.records[int(record[self.id_field])] = record
        self._indexes.clear()

    def index(self, name: str) -> list[tuple[tuple[int, Any], int]]:
        if name not in self._indexes:
            self._indexes[name] = sorted((typed(name, rec.get(name)), rid) for rid, rec in self.records.items())
        return self._indexes[name]


def _cursor(sort_field: str, id_field: str, record: dict[str, Any]) -> str:
    """An opaque `after`/`before` value: the record's position in the sort (value, id)."""
    return encode_token([sort_field, str(record.get(sort_field, "")), str(record[id_field])])


def _decode_cursor(text: str, sort_field: str) -> tuple[tuple[int, Any], int]:
    try:
        name, value, rid = decode_token(text)
        key = (typed(sort_field, value), int(rid))
    except (ValueError, TypeError):
        raise RetailError(400, "Invalid cursor") from None
    if name != sort_field:
        raise RetailError(400, "The cursor belongs to a different sort")
    return key


def _walk(table: Table, sort_field: str, *, desc: bool, conditions: list[Condition], limit: int,
          after: str | None, before: str | None) -> tuple[list[int], bool, bool]:
    """Keyset paging over the sort index: (ids of this page, is there a next page, is there a previous page)."""
    index = table.index(sort_field)
    lo, hi = 0, len(index)
    for cond in conditions:  # narrow by a range filter on the sort field itself
        for upper, value, past in NARROWS.get(cond.op, ()) if cond.name == sort_field else ():
            pos = bisect_left(index, (typed(sort_field, cond.values[value]), math.inf if past else -1))
            lo, hi = (lo, min(hi, pos)) if upper else (max(lo, pos), hi)
    forward = before is None
    ascending = forward != desc  # walking direction over the ascending index
    if after or before:
        key = _decode_cursor(after or before or "", sort_field)
        pos = bisect_right(index, key) if ascending else bisect_left(index, key) - 1
    else:
        pos = lo if ascending else hi - 1
    pos = max(pos, lo) if ascending else min(pos, hi - 1)
    step = 1 if ascending else -1
    records = table.records
    picked: list[int] = []
    more = False
    while lo <= pos < hi:
        rid = index[pos][1]
        if all(c.matches(records[rid]) for c in conditions):
            if len(picked) == limit:
                more = True
                break
            picked.append(rid)
        pos += step
    if forward:
        return picked, more, bool(after)
    picked.reverse()
    return picked, True, more
