"""The execution engine of the Shopify stand-in: graphql-core over Shopify's schema, reading the store's node dicts.

`Context` is the per-request state. The default resolver (`read`) reads a node dict's key (computing `Lazy` values,
paging `Connection` lists); a field the store has no data for resolves to what Shopify returns for an empty shop: a
`Count` is ``{count, precision: EXACT}`` (the length of the node's list of that name, as ``variantsCount`` of
``variants``, else 0); anything else is null when nullable, else an empty connection or list, zero money, false, 0,
"" or the enum's first value. `Execution` answers plain fields of dicts in one pass (same bytes as graphql-core).
The actual query cost is counted as fields resolve: 1 per object, 2 per connection (edges and pageInfo free).
The resolvers of root fields, mutations and store-backed fields are in `resolvers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graphql import (
    ExecutionContext,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.values import get_argument_values

from sandbox.shopify import seed as render
from sandbox.shopify.contract import schema
from sandbox.shopify.store import Connection, CursorError, Lazy, Store, decode_cursor, encode_cursor
from sandbox.shopify.store import resolve as resolve_lazy

_MISSING: Any = object()
_LEAF, _OBJECT, _CONNECTION, _FREE = range(4)


@dataclass
class Context:
    """Per-request state: the store, the token's scopes, denied fields, and the actual cost counted so far."""

    store: Store
    scopes: tuple[str, ...]
    denied: dict[str, dict[str, str]]
    vendor: Any  # routes.Shopify: bulk switches, clock, host of the bulk URL
    version: str = "2026-10"
    cost: int = 0
    recent_only: Any = None  # a predicate limiting orders to the last 60 days (no read_all_orders)
    host: str = ""


def never_awaitable(_value: Any) -> bool:
    return False  # every resolver here is synchronous: skip graphql-core's awaitable check per field


class Execution(ExecutionContext):
    """Scalars in the store are already what Shopify prints: no re-serialising (enum values are still checked)."""

    def execute_field(self, parent_type: Any, source: Any, field_nodes: Any, path: Any) -> Any:
        """A field of a dict that the default resolver answers, whose selected fields below are all such fields too
        (money bags, addresses, line item pages), is answered in one pass without the engine's per-field machinery.
        When anything in it needs more (a resolver, an error, a null where none is allowed, an abstract type), the
        cost it counted is given back and the whole field goes through graphql-core."""
        if type(source) is dict:
            cost = self.context_value.cost
            value = self._plain_field(parent_type, source, field_nodes)
            if value is not _MISSING:
                return value
            self.context_value.cost = cost
        return super().execute_field(parent_type, source, field_nodes, path)

    def _plain_field(self, parent_type: Any, source: dict[str, Any], field_nodes: Any) -> Any:
        """What graphql-core answers for this field of a dict, or _MISSING."""
        name = field_nodes[0].name.value
        if name == "__typename":
            return parent_type.name
        fdef = parent_type.fields.get(name)
        if fdef is None or fdef.resolve is not None:
            return _MISSING
        return_type = fdef.type
        value = source.get(name)
        if type(value) in _PLAIN and not fdef.args and type(
                return_type.of_type if type(return_type) is GraphQLNonNull else return_type) is GraphQLScalarType:
            return value
        try:
            args = get_argument_values(fdef, field_nodes[0], self.variable_values) if fdef.args else {}
            value = read(source, name, return_type, self.context_value, args)
        except Exception:  # graphql-core raises it again, located at the field's path
            return _MISSING
        if type(return_type) is not GraphQLNonNull:
            return None if value is None else self._plain_value(return_type, value, field_nodes)
        return _MISSING if value is None else self._plain_value(return_type.of_type, value, field_nodes)

    def _plain_value(self, return_type: Any, value: Any, field_nodes: Any) -> Any:
        """graphql-core's completion of a non-null value of a nullable type, or _MISSING."""
        if type(return_type) is GraphQLList:
            if type(value) is not list:
                return _MISSING
            item_type = return_type.of_type
            required = type(item_type) is GraphQLNonNull
            item_type = item_type.of_type if required else item_type
            items = []
            for item in value:
                done = None if item is None else self._plain_value(item_type, item, field_nodes)
                if done is _MISSING or (done is None and required):
                    return _MISSING
                items.append(done)
            return items
        if type(return_type) is GraphQLObjectType:
            if type(value) is not dict:
                return _MISSING
            fields = {}
            for response_name, nodes in self.collect_subfields(return_type, field_nodes).items():
                done = self._plain_field(return_type, value, nodes)
                if done is _MISSING:
                    return _MISSING
                fields[response_name] = done
            return fields
        if type(value) not in _LEAVES or not is_leaf_type(return_type):
            return _MISSING
        try:
            done = return_type.serialize(value)
        except Exception:  # graphql-core raises it again, located at the field's path
            return _MISSING
        return _MISSING if done is None or done is Undefined else done


_PLAIN = frozenset({str, int, bool})
_LEAVES = frozenset({str, int, bool, float})


def resolve_type(value: Any, info: Any, abstract_type: Any) -> str:
    """A node's ``__typename``; without one (``dir:`` seeds), the first possible type having all its keys."""
    name = value.get("__typename") if isinstance(value, dict) else None
    if name:
        return str(name)
    possible = info.schema.get_possible_types(abstract_type)
    keys = set(value) if isinstance(value, dict) else set()
    return next((t.name for t in possible if keys <= t.fields.keys()), possible[0].name)


# ---------------------------------------------------------------------------------------------------------------
# The generic resolver and Shopify's empty values
# ---------------------------------------------------------------------------------------------------------------
def resolve_default(source: Any, info: Any, **args: Any) -> Any:
    return read(source, info.field_name, info.return_type, info.context, args)


def read(source: Any, name: str, return_type: Any, ctx: Context, args: dict[str, Any]) -> Any:
    """A node dict's `name` (computed when `Lazy`, paged when a list served as a connection, the empty value when
    missing), counting its cost."""
    value = source.get(name, _MISSING) if isinstance(source, dict) else _MISSING
    if value is None or type(value) in _PLAIN:
        return value
    if value is _MISSING:
        value = empty(return_type, ctx)
        if type(value) is dict and value.get("__typename") == "Count" and isinstance(source, dict):
            listed = resolve_lazy(source.get(name.removesuffix("Count")))  # `variantsCount`: `variants`
            if isinstance(listed, dict):  # a written-out connection (``dir:`` seeds)
                listed = listed.get("nodes") or listed.get("edges")
            value["count"] = len(listed) if isinstance(listed, list) else 0
    elif type(value) is Lazy:
        value = value.get()
    kind = _kind(return_type)
    if kind == _LEAF or value is None:
        return value
    if kind == _CONNECTION:
        if not isinstance(value, dict):
            value = page_list(value, args)
        ctx.cost += 2
        return value
    if isinstance(value, list):
        if args.get("first") is not None:
            value = value[:args["first"]]
        if kind == _OBJECT:
            ctx.cost += len(value)
    elif kind == _OBJECT:
        ctx.cost += 1
    return value


_KINDS: dict[int, int] = {}


def _kind(return_type: Any) -> int:
    kind = _KINDS.get(id(return_type))
    if kind is None:
        named = get_named_type(return_type)
        kind = (_LEAF if is_leaf_type(named) else _FREE if named.name == "PageInfo" or named.name.endswith("Edge")
                else _CONNECTION if named.name.endswith("Connection") and is_object_type(named)
                and "nodes" in named.fields else _OBJECT)
        _KINDS[id(return_type)] = kind
    return kind


def empty(return_type: Any, ctx: Context) -> Any:
    """What Shopify answers for a field of an empty shop (a `Count`, nullable or not, is an exact zero)."""
    if get_named_type(return_type).name == "Count":
        return {"__typename": "Count", "count": 0, "precision": "EXACT"}
    if not is_non_null_type(return_type):
        return None
    inner = return_type.of_type
    if is_list_type(inner):
        return []
    named = get_named_type(inner)
    if named.name in ("MoneyV2", "MoneyBag"):
        maker = render.money if named.name == "MoneyV2" else render.money_bag
        return maker(Decimal(0), ctx.store.shop.currency)
    if is_enum_type(named):
        return next(iter(named.values))
    if is_leaf_type(named):
        return {"Boolean": False, "Int": 0, "Float": 0.0, "Decimal": "0.0", "Money": "0.0",
                "UnsignedInt64": "0"}.get(named.name, "")
    if _kind(inner) == _CONNECTION:
        return Connection()
    if is_abstract_type(named):
        return {"__typename": schema().get_possible_types(named)[0].name}
    return {"__typename": named.name}


def page_list(items: list[Any], args: dict[str, Any], make: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """An in-memory list as a Relay connection page (offset cursors); `make` renders the items of the page."""
    size = args.get("first", args.get("last"))
    items = list(reversed(items)) if args.get("reverse") else items
    start = 0
    if args.get("after"):
        try:
            start = int(decode_cursor(args["after"]).get("offset", -1)) + 1
        except CursorError as exc:
            raise GraphQLError(str(exc), extensions={"code": "BAD_REQUEST"}) from exc
    end = len(items) if size is None else start + size
    page = items[start:end] if make is None else [make(item) for item in items[start:end]]
    return connection(page, [encode_cursor({"offset": start + i}) for i in range(len(page))], end < len(items),
                      start > 0)


def connection(nodes: list[Any], cursors: list[str], has_next: bool, has_previous: bool) -> dict[str, Any]:
    return {"nodes": nodes, "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes, strict=True)],
            "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_previous,
                         "startCursor": cursors[0] if cursors else None,
                         "endCursor": cursors[-1] if cursors else None}}
