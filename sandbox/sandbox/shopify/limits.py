"""Shopify's limits: the GraphQL calculated query cost with its leaky bucket, and the REST call-limit bucket.

Requested cost (shopify.dev rate limits), computed from the parsed document and the schema before execution:
scalars and enums 0, objects 1, connections 2 + first x (1 + cost of one node), mutations 10. The bucket holds
``max_available`` points refilled at ``restore_rate``/s by the injectable clock; requested > available answers
THROTTLED, requested > ``max_query_cost`` MAX_COST_EXCEEDED; after execution the difference between requested and
actual cost is refunded. REST: a leaky bucket of 40 calls draining 2/s, ``X-Shopify-Shop-Api-Call-Limit: n/40``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_object_type,
)

from sandbox.core import Response, json_response
from sandbox.shopify.contract import schema

MAX_PAGE_SIZE = 250
MUTATION_COST = 10
REST_BUCKET = 40
REST_LEAK = 2.0
MAX_COST_MESSAGE = (
    "Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\nSee "
    "https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is "
    "calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee "
    "https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n")


class CostError(Exception):
    """A document Shopify refuses before execution because of its connection sizes."""

    def __init__(self, message: str, code: str, **extra: Any) -> None:
        super().__init__(message)
        self.body = {"message": message, "extensions": {"code": code, **extra}}


def operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return next((o for o in ops if name is None or (o.name and o.name.value == name)), ops[0])


def requested_cost(document: DocumentNode, op: OperationDefinitionNode, variables: dict[str, Any]) -> int:
    """The requested cost of the operation; raises CostError for a connection without first/last or above 250."""
    if op.operation.value == "mutation":
        return MUTATION_COST
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _cost(op.selection_set, schema().query_type, fragments, variables)


def _cost(selection_set: SelectionSetNode | None, parent: Any, fragments: dict[str, FragmentDefinitionNode],
          variables: dict[str, Any]) -> int:
    total = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            fdef = getattr(parent, "fields", {}).get(sel.name.value)
            if sel.selection_set is None or fdef is None:
                continue
            named = get_named_type(fdef.type)
            if is_object_type(named) and named.name.endswith("Connection") and "nodes" in named.fields:
                size = _page_size(sel, variables)
                total += 2 + size * (1 + sum(_cost(s, t, fragments, variables)
                                             for s, t in _node_selections(sel, named)))
            else:
                total += 1 + _cost(sel.selection_set, named, fragments, variables)
        elif isinstance(sel, InlineFragmentNode):
            cond = schema().get_type(sel.type_condition.name.value) if sel.type_condition else parent
            total += _cost(sel.selection_set, cond, fragments, variables)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            frag = fragments[sel.name.value]
            total += _cost(frag.selection_set, schema().get_type(frag.type_condition.name.value), fragments,
                           variables)
    return total


def _node_selections(conn: FieldNode, conn_type: Any) -> list[tuple[SelectionSetNode | None, Any]]:
    """The per-node selections of a connection field: from ``nodes {}`` and ``edges { node {} }``."""
    node_type = get_named_type(conn_type.fields["nodes"].type)
    out: list[tuple[SelectionSetNode | None, Any]] = []
    for sel in conn.selection_set.selections if conn.selection_set else ():
        if isinstance(sel, FieldNode) and sel.name.value == "nodes":
            out.append((sel.selection_set, node_type))
        elif isinstance(sel, FieldNode) and sel.name.value == "edges" and sel.selection_set:
            out += [(s.selection_set, node_type) for s in sel.selection_set.selections
                    if isinstance(s, FieldNode) and s.name.value == "node"]
    return out


def _page_size(f: FieldNode, variables: dict[str, Any]) -> int:
    values: dict[str, Any] = {}
    for arg in f.arguments:
        if isinstance(arg.value, IntValueNode):
            values[arg.name.value] = int(arg.value.value)
        elif isinstance(arg.value, VariableNode):
            values[arg.name.value] = variables.get(arg.value.name.value)
    size = values.get("first", values.get("last"))
    if size is None:
        raise CostError(f"you must provide one of first or last (field '{f.name.value}')", "argumentMissing",
                        fieldName=f.name.value)
    if not isinstance(size, int) or size < 0 or size > MAX_PAGE_SIZE:
        raise CostError(f"Argument 'first' on field '{f.name.value}' must be between 0 and {MAX_PAGE_SIZE} "
                        f"(got {size})", "BAD_REQUEST", fieldName=f.name.value)
    return size


class CostBucket:
    """The calculated-query-cost leaky bucket of one app installation."""

    def __init__(self, max_available: float, restore_rate: float, max_query_cost: int,
                 clock: Callable[[], float]) -> None:
        self.max_available, self.restore_rate, self.max_query_cost, self.clock = \
            max_available, restore_rate, max_query_cost, clock
        self.available = float(max_available)
        self.last_refill = clock()
        self.spent = 0
        self.throttled = 0

    def refill(self) -> None:
        now = self.clock()
        self.available = min(float(self.max_available), self.available + (now - self.last_refill) * self.restore_rate)
        self.last_refill = now

    def extension(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": {"maximumAvailable": float(self.max_available),
                                            "currentlyAvailable": int(self.available),
                                            "restoreRate": float(self.restore_rate)}}}

    def charge(self, requested: int) -> Response | None:
        """Take `requested` points, or answer MAX_COST_EXCEEDED / THROTTLED (nothing taken)."""
        self.refill()
        if requested > self.max_query_cost:
            return json_response({"errors": [{"message": MAX_COST_MESSAGE.format(cost=requested,
                                                                                 limit=self.max_query_cost),
                                              "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                             "maxCost": self.max_query_cost}}],
                                  "extensions": self.extension(requested, None)})
        if requested > self.available:
            self.throttled += 1
            return json_response({"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": self.extension(requested, None)})
        self.available -= requested
        return None

    def settle(self, requested: int, actual: int) -> None:
        """Refund what the execution did not use."""
        self.available = min(float(self.max_available), self.available + requested - actual)
        self.spent += actual


class RestBucket:
    """The REST Admin API call-limit bucket (40 calls, leaking 2/s)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock, self.used, self.last = clock, 0.0, clock()

    def admit(self, resp: Response) -> Response:
        now = self.clock()
        self.used = max(0.0, self.used - (now - self.last) * REST_LEAK)
        self.last = now
        if self.used + 1 > REST_BUCKET:
            return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                                            "resume uninterrupted service."}, 429,
                                 {"Retry-After": "2.0",
                                  "X-Shopify-Shop-Api-Call-Limit": f"{REST_BUCKET}/{REST_BUCKET}"})
        self.used += 1
        resp.headers["X-Shopify-Shop-Api-Call-Limit"] = f"{int(self.used + 0.999)}/{REST_BUCKET}"
        return resp
