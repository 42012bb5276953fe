"""Bulk Operations for back-fills: start, poll, fail loudly, and stream the JSONL result back into whole nodes.

Safety rules (the lessons of Airbyte's Shopify source, see the reference notes):
- A FAILED, CANCELED or EXPIRED job, or a COMPLETED job that reports objects but no result URL, raises: nothing
  is emitted, so the stream's state cannot move past a slice that was never read.
- A job running longer than the timeout is cancelled and raises (transient: the next attempt starts again).
- The result is streamed line by line into a temporary SQLite file (children keyed by `__parentId`), then
  parents are read back in file order with their children: memory stays flat whatever the shop size.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from connector_common.errors import ApiError, TransientApiError
from source_shopify_orders.client import MissingScope, ShopifyClient
from source_shopify_orders.queries import BULK_CANCEL_MUTATION, BULK_POLL_QUERY, BULK_RUN_MUTATION

FINISHED_BAD = frozenset({"FAILED", "CANCELED", "CANCELING", "EXPIRED"})
MAX_IN_PROGRESS_WAITS = 60
PARENTS_PER_QUERY = 200  # parents read back at a time, their children with one query (SQLite allows 32,766 ?)
DOWNLOAD_CHUNK = 64 * 1024  # bytes per read of the result file (requests reads 512 by default: 45x the calls)
# Which child list of a parent a JSONL line belongs to, by its __typename (or its gid's type).
CHILD_LISTS = {
    "LineItem": "lineItems",
    "ShippingLine": "shippingLines",
    "DiscountCodeApplication": "discountApplications",
    "ManualDiscountApplication": "discountApplications",
    "AutomaticDiscountApplication": "discountApplications",
    "ScriptDiscountApplication": "discountApplications",
    "ProductVariant": "variants",
}


class BulkJobFailed(TransientApiError):
    """The bulk job did not deliver its whole result (failed, cancelled, expired, no URL, timed out)."""


@dataclass(frozen=True)
class BulkJob:
    id: str
    status: str
    error_code: str | None
    object_count: int
    url: str | None
    partial_url: str | None

    @classmethod
    def from_node(cls, node: dict[str, Any]) -> BulkJob:
        return cls(id=str(node.get("id")), status=str(node.get("status")), error_code=node.get("errorCode"),
                   object_count=int(node.get("objectCount") or 0), url=node.get("url"),
                   partial_url=node.get("partialDataUrl"))


class BulkRunner:
    """Runs one bulk query to completion and yields its rebuilt root nodes."""

    def __init__(self, client: ShopifyClient, *, poll_seconds: float, timeout_seconds: float,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 log: Callable[[str], None] = lambda _m: None) -> None:
        self.client = client
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep
        self._clock = clock
        self._log = log
        self.polls = 0

    def run(self, inner_query: str) -> BulkJob:
        """Start the job and poll until it is COMPLETED with a readable result.

        Raises:
            BulkJobFailed: failed / cancelled / expired / no result URL / timeout (transient: retry the sync).
            MissingScope: the job failed with ACCESS_DENIED (fix the app's scopes).
        """
        job = self._start(inner_query)
        deadline = self._clock() + self.timeout_seconds
        while job.status not in ("COMPLETED", *FINISHED_BAD):
            if self._clock() >= deadline:
                self.client.graphql("BulkCancel", BULK_CANCEL_MUTATION, {"id": job.id}, mutation=True)
                raise BulkJobFailed(f"bulk operation {job.id} still {job.status} after "
                                    f"{self.timeout_seconds:.0f} s; cancelled it, no records emitted")
            self._sleep(self.poll_seconds)
            self.polls += 1
            node = self.client.graphql("BulkPoll", BULK_POLL_QUERY, {"id": job.id}).data.get("node")
            if not node:
                raise BulkJobFailed(f"bulk operation {job.id} disappeared while polling")
            job = BulkJob.from_node(node)
            if self.polls % 20 == 0:
                self._log(f"bulk operation {job.id}: {job.status}, {job.object_count} objects so far")
        if job.status in FINISHED_BAD:
            if job.error_code == "ACCESS_DENIED":
                raise MissingScope(f"bulk operation {job.id} failed with ACCESS_DENIED: the token lacks a scope")
            raise BulkJobFailed(f"bulk operation {job.id} ended {job.status} (errorCode {job.error_code}); "
                                f"its {job.object_count} objects were not emitted and the state did not move")
        if not job.url and job.object_count > 0:
            raise BulkJobFailed(f"bulk operation {job.id} COMPLETED with {job.object_count} objects but no "
                                "result URL; refusing to treat it as empty (the state did not move)")
        return job

    def _start(self, inner_query: str) -> BulkJob:
        for _ in range(MAX_IN_PROGRESS_WAITS):
            data = self.client.graphql("BulkRun", BULK_RUN_MUTATION, {"query": inner_query}, mutation=True).data
            payload = data.get("bulkOperationRunQuery") or {}
            errors = payload.get("userErrors") or []
            if not errors and payload.get("bulkOperation"):
                return BulkJob.from_node(payload["bulkOperation"])
            if any(e.get("code") == "OPERATION_IN_PROGRESS" for e in errors):
                self._log("another bulk operation is running for this app; waiting for it")
                self._sleep(max(self.poll_seconds, 1.0) * 10)
                continue
            text = "; ".join(str(e.get("message")) for e in errors)[:300] or "no bulk operation returned"
            raise ApiError(f"bulkOperationRunQuery was refused: {text}")
        raise BulkJobFailed("another bulk operation kept running for this app; try again later")

    def nodes(self, job: BulkJob, spill_dir: str | None = None) -> Iterator[dict[str, Any]]:
        """Stream the job's JSONL and yield each root node (file order) with its child lists rebuilt."""
        if not job.url:
            return
        response = self.client.download(job.url)
        try:
            yield from rebuild(response.iter_lines(chunk_size=DOWNLOAD_CHUNK), spill_dir=spill_dir)
        finally:
            response.close()


_EXACT = json.JSONDecoder(parse_float=Decimal)  # decimals never pass through float


def _loads(line: bytes | str) -> dict[str, Any]:
    # json.loads(text, parse_float=Decimal) would build a new decoder for every line; one decoder does the same
    value = _EXACT.decode(line) if isinstance(line, str) else json.loads(line, parse_float=Decimal)
    if not isinstance(value, dict):
        raise ValueError("a bulk result line is not a JSON object")
    return value


def _child_list(child: dict[str, Any]) -> str:
    name = child.get("__typename")
    if not name:
        parts = str(child.get("id") or "").split("/")  # gid://shopify/LineItem/1
        name = parts[3] if len(parts) > 3 else ""
    return CHILD_LISTS.get(str(name), "children")


def rebuild(lines: Iterable[bytes | str], spill_dir: str | None = None) -> Iterator[dict[str, Any]]:
    """Parents with their `__parentId` children, in the parents' file order, spilling to a temporary SQLite file.

    Children are attached as connections (`{"nodes": [...]}`) under the list named by `CHILD_LISTS`, so the result
    has the same shape as a paged GraphQL node. Works whether or not children follow their parent.
    """
    with tempfile.TemporaryDirectory(dir=spill_dir, prefix="shopify-bulk-") as folder:
        db = sqlite3.connect(str(Path(folder) / "spill.sqlite"))
        try:
            db.execute("CREATE TABLE parents (seq INTEGER PRIMARY KEY, id TEXT, line TEXT)")
            db.execute("CREATE TABLE children (seq INTEGER PRIMARY KEY, parent TEXT, line TEXT)")
            batch_p: list[tuple[str, str]] = []
            batch_c: list[tuple[str, str]] = []
            for raw in lines:
                if not raw or not raw.strip():
                    continue
                text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                parent = _peek_parent(text)
                if parent is None:
                    batch_p.append((str(_id_of(text, "id")), text))
                else:
                    batch_c.append((parent, text))
                if len(batch_p) + len(batch_c) >= 1000:
                    _flush(db, batch_p, batch_c)
            _flush(db, batch_p, batch_c)
            db.execute("CREATE INDEX children_parent ON children (parent, seq)")
            cursor = db.execute("SELECT id, line FROM parents ORDER BY seq")
            while True:
                rows = cursor.fetchmany(PARENTS_PER_QUERY)
                if not rows:
                    break
                children = _children_of(db, [parent_id for parent_id, _ in rows])
                for parent_id, text in rows:
                    node = _loads(text)
                    lists: dict[str, list[dict[str, Any]]] = {}
                    for child_text in children.get(parent_id, ()):
                        child = _loads(child_text)
                        child.pop("__parentId", None)
                        lists.setdefault(_child_list(child), []).append(child)
                    for name, items in lists.items():
                        node[name] = {"nodes": items}
                    yield node
        finally:
            db.close()


def _children_of(db: sqlite3.Connection, parents: list[str]) -> dict[str, list[str]]:
    """The spilled child lines of a batch of parents, in file order per parent: one query per batch, not per parent."""
    wanted = list(dict.fromkeys(parents))
    marks = ", ".join("?" * len(wanted))
    found: dict[str, list[str]] = {}
    query = f"SELECT parent, line FROM children WHERE parent IN ({marks}) ORDER BY parent, seq"  # noqa: S608 - marks
    for parent, line in db.execute(query, wanted):
        found.setdefault(parent, []).append(line)
    return found


def _peek_parent(text: str) -> str | None:
    if '"__parentId"' not in text:
        return None
    return _id_of(text, "__parentId")


def _id_of(text: str, key: str) -> str | None:
    """`str(value)` of one key of a line (None when absent or null), to spill the line by id; the line is decoded
    for real (`_loads`, exact decimals) when its node is built.

    The peek uses orjson, several times faster than json; a line orjson refuses, or a value that would print
    differently when decoded exactly (a number with a fraction is a float there, a Decimal in `_loads`), is decoded
    by `_loads` instead: the same ids and the same errors as decoding every line exactly, at a fraction of the cost.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict):
        found = value.get(key)
        if found is None:
            return None
        if isinstance(found, str | int):
            return str(found)
    found = _loads(text).get(key)
    return None if found is None else str(found)


def _flush(db: sqlite3.Connection, parents: list[tuple[str, str]], children: list[tuple[str, str]]) -> None:
    db.executemany("INSERT INTO parents (id, line) VALUES (?, ?)", parents)
    db.executemany("INSERT INTO children (parent, line) VALUES (?, ?)", children)
    parents.clear()
    children.clear()
