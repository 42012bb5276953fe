"""Shopify's bulk query operations: `bulkOperationRunQuery` validates its inner query against the schema and queues
a job, polls advance it (CREATED -> RUNNING -> COMPLETED, one step per ``bulk_polls_per_step`` status reads; the
`bulk_fault` switch makes it fail, lose its URL or stick), and the finished job's result is JSONL with ``__parentId``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from graphql import DocumentNode, FieldNode, OperationDefinitionNode

from sandbox.shopify import seed as render
from sandbox.shopify.contract import Checked, check
from sandbox.shopify.store import BulkOp

if TYPE_CHECKING:
    from sandbox.shopify.resolvers import Context

ROOTS = ("orders", "customers", "products", "productVariants", "inventoryItems", "locations")
Runner = Callable[[Checked, dict[str, Any], "Context"], Any]  # resolvers.run


def _error(code: str, message: str, field_path: list[str] | None) -> dict[str, Any]:
    return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": None,
            "userErrors": [{"__typename": "BulkOperationUserError", "code": code, "field": field_path,
                            "message": message}]}


def run_query(_root: Any, info: Any, query: str, groupObjects: bool = False) -> dict[str, Any]:
    """Validate the inner query against the same schema (userErrors INVALID otherwise) and queue the job."""
    ctx: Context = info.context
    inner = check(query)
    if inner.errors:
        return _error("INVALID", inner.errors[0]["message"], ["query"])
    roots = _root_fields(inner.document)
    if inner.kind != "query" or len(roots) != 1 or roots[0].name.value not in ROOTS:
        return _error("INVALID", "Bulk queries must contain exactly one top-level connection field "
                                 f"({', '.join(ROOTS)})", ["query"])
    running = [op for op in ctx.store.bulk_ops if op.status in ("CREATED", "RUNNING", "CANCELING")]
    if len(running) >= (5 if ctx.version >= "2026-01" else 1):
        return _error("OPERATION_IN_PROGRESS", "A bulk query operation for this app and shop is already in "
                                               f"progress: {running[0].gid}.", None)
    op = BulkOp(number=len(ctx.store.bulk_ops) + 1, query=query, version=ctx.version, created_at=ctx.store.now())
    ctx.store.bulk_ops.append(op)
    return {"__typename": "BulkOperationRunQueryPayload", "bulkOperation": node(op, ctx), "userErrors": []}


def cancel(_root: Any, info: Any, id: str) -> dict[str, Any]:  # noqa: A002
    ctx: Context = info.context
    op = next((o for o in ctx.store.bulk_ops if o.gid == id), None)
    if op is None or op.status not in ("CREATED", "RUNNING"):
        return {"__typename": "BulkOperationCancelPayload", "bulkOperation": node(op, ctx) if op else None,
                "userErrors": [{"__typename": "UserError", "field": ["id"],
                                "message": "A bulk operation cannot be canceled when it is "
                                           f"{(op.status if op else 'missing').lower()}"}]}
    op.status, op.polls = "CANCELING", 0
    return {"__typename": "BulkOperationCancelPayload", "bulkOperation": node(op, ctx), "userErrors": []}


def poll(op: BulkOp, ctx: Context, run: Runner) -> dict[str, Any]:
    """Advance the job one step per `bulk_polls_per_step` status reads, then render it; `run` executes the job's
    query when it finishes."""
    vendor = ctx.vendor
    op.polls += 1
    if op.polls >= vendor.bulk_polls_per_step:
        if op.status == "CREATED":
            op.status, op.polls = "RUNNING", 0
        elif op.status == "RUNNING" and vendor.bulk_fault != "stuck":
            _finish(op, ctx, run)
        elif op.status == "CANCELING":
            op.status, op.completed_at, op.polls = "CANCELED", ctx.store.now(), 0
    return node(op, ctx)


def _finish(op: BulkOp, ctx: Context, run: Runner) -> None:
    result = run(check(op.query), {}, replace(ctx, version=op.version, cost=0, host=""))
    lines: list[dict[str, Any]] = []
    for data in (result.data or {}).values():  # the one root connection
        if data is not None:
            _emit(data, None, lines)
    payload = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    op.completed_at, op.polls = ctx.store.now(), 0
    op.object_count, op.root_count = len(lines), sum(1 for ln in lines if "__parentId" not in ln)
    files = ctx.store.bulk_files
    if ctx.vendor.bulk_fault == "failed":
        half = payload[: payload.rfind(b"\n", 0, len(payload) // 2) + 1] if payload else b""
        op.status, op.error_code, op.has_partial = "FAILED", ctx.vendor.bulk_error_code, bool(half)
        op.object_count, op.file_size, files[op.number] = half.count(b"\n"), len(half), half
        return
    op.status, op.file_size = "COMPLETED", len(payload)
    op.has_url = bool(lines) and ctx.vendor.bulk_fault != "no_url"
    files[op.number] = payload


def node(op: BulkOp, ctx: Context) -> dict[str, Any]:
    # Shopify hands out a signed storage URL whose query names the file (Airbyte's source reads the name from it).
    name = f"bulk-{op.number}.jsonl"
    signed = urlencode({"response-content-disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}",
                        "response-content-type": "application/jsonl"})
    url = f"http://{ctx.host or '127.0.0.1'}/_bulk/{op.number}.jsonl?{signed}"
    return {"__typename": "BulkOperation", "id": op.gid, "status": op.status, "errorCode": op.error_code,
            "createdAt": render.ts(op.created_at), "completedAt": render.ts(op.completed_at),
            "objectCount": str(op.object_count), "rootObjectCount": str(op.root_count),
            "fileSize": str(op.file_size) if op.completed_at else None,
            "url": url if op.has_url else None, "partialDataUrl": url if op.has_partial else None,
            "query": op.query, "type": "QUERY"}


def _root_fields(document: DocumentNode | None) -> list[FieldNode]:
    ops = [d for d in (document.definitions if document else ()) if isinstance(d, OperationDefinitionNode)]
    return [s for s in ops[0].selection_set.selections if isinstance(s, FieldNode)] if ops else []


def _is_connection(value: Any) -> bool:
    """A connection in a result (in Shopify's schema only connections have `nodes` / `edges`)."""
    return isinstance(value, dict) and bool(value) and value.keys() <= {"nodes", "edges", "pageInfo"}


def _emit(connection: dict[str, Any], parent_id: str | None, out: list[dict[str, Any]]) -> None:
    """Bulk JSONL: every node of a connection is its own line; nested connections follow with ``__parentId``."""
    nodes = connection.get("nodes") or [e.get("node") for e in connection.get("edges") or []]
    for node in nodes:
        if node is None:
            continue
        line = {k: v for k, v in node.items() if not _is_connection(v)}
        out.append(line if parent_id is None else {**line, "__parentId": parent_id})
        for value in node.values():
            if _is_connection(value):
                _emit(value, node.get("id"), out)


__all__ = ["ROOTS", "cancel", "node", "poll", "run_query"]
