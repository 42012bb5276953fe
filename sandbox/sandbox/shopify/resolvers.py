"""The resolvers of root fields, mutations and the fields backed by store state, over Shopify's schema.

`run(checked, variables, ctx)` runs a validated document with graphql-core through `execution` (the default resolver
and Shopify's empty values); `executable_schema()` attaches these resolvers and the scope and customer-data guards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    execute,
    get_named_type,
)
from graphql.execution.values import get_directive_values

from sandbox.shopify import bulk
from sandbox.shopify import seed as render
from sandbox.shopify.auth import PII_FIELDS
from sandbox.shopify.contract import Checked, schema
from sandbox.shopify.execution import (
    Context,
    Execution,
    connection,
    never_awaitable,
    page_list,
    resolve_default,
    resolve_type,
)
from sandbox.shopify.store import (
    SORT_KEYS,
    Connection,
    CursorError,
    Entry,
    Lazy,
    Store,
    decode_cursor,
    encode_cursor,
    gid_number,
    search,
    set_error,
)

ROOT_SCOPES = {"orders": "read_orders", "order": "read_orders", "ordersCount": "read_orders",
               "customers": "read_customers", "customer": "read_customers", "customersCount": "read_customers",
               "products": "read_products", "productsCount": "read_products", "productVariantsCount": "read_products",
               "product": "read_products", "productVariants": "read_products", "productVariant": "read_products",
               "inventoryItems": "read_inventory", "inventoryItem": "read_inventory", "locations": "read_locations",
               "location": "read_locations", "locationsCount": "read_locations",
               "fulfillmentOrder": "read_merchant_managed_fulfillment_orders",
               "inventorySetQuantities": "write_inventory",
               "fulfillmentCreate": "write_merchant_managed_fulfillment_orders"}
KIND_SCOPES = {"Order": "read_orders", "Customer": "read_customers", "Product": "read_products",
               "ProductVariant": "read_products", "InventoryItem": "read_inventory", "Location": "read_locations",
               "FulfillmentOrder": "read_merchant_managed_fulfillment_orders"}
ORDERS_COUNT_LIMIT = 10000  # `ordersCount(limit:)` default (2025-07 changelog "Uncapped counts in GraphQL")
RECENT_ORDER_DAYS = 60
IDEMPOTENT_SINCE = "2026-04"  # inventorySetQuantities needs @idempotent(key:) from this version (wording unverified)
_EPOCH = datetime(2023, 6, 1, 8, 0, tzinfo=UTC)  # when the seeded stock was counted


def run(checked: Checked, variables: dict[str, Any], ctx: Context, operation: str | None = None) -> Any:
    """Execute a validated document against the store; returns graphql-core's ExecutionResult."""
    root = {"shop": Lazy(lambda: render.shop_node(ctx.store.shop, ctx.vendor.plan)),
            "locations": Connection(ctx.store.locations),
            "locationsCount": {"__typename": "Count", "count": len(ctx.store.locations), "precision": "EXACT"},
            "currentAppInstallation": {"id": "gid://shopify/AppInstallation/1",
                                       "accessScopes": [{"handle": s} for s in ctx.scopes]}}
    return execute(executable_schema(), checked.document, root_value=root, context_value=ctx,  # type: ignore[arg-type]
                   variable_values=variables, operation_name=operation, field_resolver=resolve_default,
                   type_resolver=resolve_type, is_awaitable=never_awaitable, execution_context_class=Execution)


def _scoped(need: str, inner: Callable[..., Any]) -> Callable[..., Any]:
    """A root field or mutation without its access scope: null with an ACCESS_DENIED error."""
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        if need not in info.context.scopes:
            raise GraphQLError(f"Access denied for {info.field_name} field. Required access: `{need}` access scope.",
                               extensions={"code": "ACCESS_DENIED", "requiredAccess": f"`{need}` access scope.",
                                           "documentation": "https://shopify.dev/api/usage/access-scopes"})
        return inner(source, info, **args)
    return resolve


def _guard(type_name: str, field_name: str, inner: Callable[..., Any]) -> Callable[..., Any]:
    """Protected customer data: a denied field is null with an ACCESS_DENIED error; "*" denies the object."""
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        denied = info.context.denied
        message = denied.get(type_name, {}).get(field_name) or denied.get(get_named_type(info.return_type).name,
                                                                              {}).get("*")
        if message:
            raise GraphQLError(message, extensions={
                "code": "ACCESS_DENIED", "documentation": "https://shopify.dev/docs/apps/launch/protected-customer-data"})
        return inner(source, info, **args)
    return resolve


# ---------------------------------------------------------------------------------------------------------------
# Root fields
# ---------------------------------------------------------------------------------------------------------------
def _sort(args: dict[str, Any], name: str) -> str:
    key = str(args.get("sortKey") or "ID")
    if key not in SORT_KEYS:
        raise GraphQLError(f"Argument 'sortKey' on Field '{name}' has an invalid value ({key}).",
                           extensions={"code": "argumentLiteralsIncompatible"})
    return SORT_KEYS[key]


def _preds(resource: str, query: str, ctx: Context) -> list[Callable[[Entry], bool]]:
    preds = search(query)
    if resource == "orders" and ctx.recent_only is not None:
        preds.append(ctx.recent_only)
    return preds


def _list(resource: str) -> Callable[..., Any]:
    def resolve(_root: Any, info: Any, **args: Any) -> Any:
        ctx: Context = info.context
        after = None
        if args.get("after"):
            try:
                cur = decode_cursor(str(args["after"]))
                after = (cur["last_value"], int(cur["last_id"]))
            except (CursorError, KeyError, TypeError, ValueError) as exc:
                raise GraphQLError("Invalid cursor for current pagination sort.",
                                   extensions={"code": "BAD_REQUEST"}) from exc
        size = args.get("first", args.get("last"))
        sort = _sort(args, info.field_name)
        page, more = ctx.store.page(resource, sort, bool(args.get("reverse")), after,
                                    preds=_preds(resource, str(args.get("query") or ""), ctx),
                                    size=10**9 if size is None else size)
        cursors = [encode_cursor({"last_id": e.id, "last_value": Store.sort_key(e, sort)[0]}) for e in page]
        nodes = [e.render() for e in page]
        if resource == "variants" and info.field_name == "inventoryItems":
            nodes = [n["inventoryItem"] for n in nodes]
        ctx.cost += 2
        return connection(nodes, cursors, more, after is not None)
    return resolve


def _by_id(_root: Any, info: Any, id: str | None = None) -> Any:  # noqa: A002 - the schema's argument name
    return _node(str(id or ""), info)


def _node(ident: str, info: Any) -> Any:
    ctx: Context = info.context
    kind, _, rest = ident.removeprefix("gid://shopify/").partition("/")
    if not ident.startswith("gid://shopify/") or not rest.split("?")[0].isdigit():
        raise GraphQLError(f"Invalid global id '{ident}'", extensions={"code": "argumentLiteralsIncompatible"})
    if kind == "BulkOperation":
        op = next((o for o in ctx.store.bulk_ops if o.gid == ident), None)
        return bulk.poll(op, ctx, run) if op else None
    need = KIND_SCOPES.get(kind)
    if need and need not in ctx.scopes:
        return None
    node = ctx.store.node(kind, gid_number(ident))
    if node is not None and kind == "Order" and ctx.recent_only is not None:
        entry = ctx.store.entry("orders", gid_number(ident))
        node = node if entry and ctx.recent_only(entry) else None
    return node


def _nodes(_root: Any, info: Any, ids: list[str]) -> list[Any]:
    return [_node(i, info) for i in ids]


def _count(resource: str) -> Callable[..., Any]:
    """`ordersCount` / `customersCount` / `productsCount` / `productVariantsCount` `(query:, limit:)`: the records the
    list field's `query:` matches; limit 10000 by default, null = none. A count that reaches the limit comes back as
    the limit with precision AT_LEAST, otherwise EXACT."""
    def resolve(_root: Any, info: Any, **args: Any) -> dict[str, Any]:
        ctx: Context = info.context
        if args.get("savedSearchId") is not None:
            raise GraphQLError("savedSearchId is not supported by the stand-in", extensions={"code": "BAD_REQUEST"})
        limit = args.get("limit", ORDERS_COUNT_LIMIT)
        if limit is not None and limit < 1:
            raise GraphQLError(f"Argument 'limit' on Field '{info.field_name}' must be a positive integer (got "
                               f"{limit})", extensions={"code": "BAD_REQUEST", "fieldName": info.field_name})
        preds = _preds(resource, str(args.get("query") or ""), ctx)
        matched = 0
        for entry in ctx.store.entries(resource):
            if all(p(entry) for p in preds):
                matched += 1
                if limit is not None and matched >= limit:
                    return {"__typename": "Count", "count": limit, "precision": "AT_LEAST"}
        ctx.cost += 1
        return {"__typename": "Count", "count": matched, "precision": "EXACT"}
    return resolve


def _current_bulk(_root: Any, info: Any, **_args: Any) -> Any:
    ops = info.context.store.bulk_ops
    return bulk.poll(ops[-1], info.context, run) if ops else None


# ---------------------------------------------------------------------------------------------------------------
# Fields backed by store state
# ---------------------------------------------------------------------------------------------------------------
def _levels(source: dict[str, Any], info: Any, **args: Any) -> dict[str, Any]:
    """InventoryItem.inventoryLevels (one per location) and Location.inventoryLevels (query: updated_at, id); only
    the page asked for is rendered."""
    store: Store = info.context.store
    number = gid_number(source["id"])
    if info.parent_type.name == "InventoryItem":
        keys = [key for loc in store.locations if (key := (number, gid_number(loc["id"]))) in store.levels]
    else:
        keys = [(item, number) for item in store.items_at.get(number, ())]
    preds = search(str(args.get("query") or ""))
    if preds:
        stamps = {k: store.level_updated.get(k, _EPOCH) for k in keys}
        keys = [k for k in keys if all(p(Entry(k[0], _EPOCH, stamps[k], stamps[k], {}, dict)) for p in preds)]
    info.context.cost += 2
    return page_list(keys, args, lambda key: render.inventory_level(store, *key))


def _level(source: dict[str, Any], info: Any, locationId: str | None = None, inventoryItemId: str | None = None,
           **_: Any) -> Any:
    number = gid_number(source["id"])
    item, loc = (number, gid_number(locationId)) if locationId else (gid_number(inventoryItemId or ""), number)
    return render.inventory_level(info.context.store, item, loc)


def _locations_count(source: dict[str, Any], info: Any) -> dict[str, Any]:
    """InventoryItem.locationsCount: the locations stocking the item."""
    store: Store = info.context.store
    number = gid_number(source["id"])
    stocked = sum(1 for loc in store.locations if store.level(number, gid_number(loc["id"])) is not None)
    return {"__typename": "Count", "count": stocked, "precision": "EXACT"}


def _quantities(source: dict[str, Any], info: Any, names: list[str]) -> list[dict[str, Any]]:
    by_name = source.get("quantities") or {}
    info.context.cost += len(names)
    return [by_name[n] for n in names if n in by_name]


def _variant_quantity(source: dict[str, Any], info: Any) -> int:
    return int(info.context.store.available(gid_number(source["id"])))


# ---------------------------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------------------------
def _once(info: Any, request: Any, apply: Callable[[], dict[str, Any]], refuse: Callable[[str], dict[str, Any]]
          ) -> dict[str, Any]:
    """`@idempotent(key:)`: a replay with the same key and input answers the first result and changes nothing; the
    same key with other input is refused. Required from 2026-04 (its error wording is not on a stored page)."""
    ctx: Context = info.context
    key = (get_directive_values(schema().get_directive("idempotent"), info.field_nodes[0],  # type: ignore[arg-type]
                                info.variable_values) or {}).get("key")
    if key is None:
        if ctx.version >= IDEMPOTENT_SINCE:
            raise GraphQLError("The @idempotent directive is required for this mutation.",
                               extensions={"code": "BAD_REQUEST"})
        return apply()
    fingerprint = json.dumps(request, sort_keys=True, default=str)
    if key in ctx.store.idempotency:
        seen, payload = ctx.store.idempotency[key]
        return payload if seen == fingerprint else refuse("IDEMPOTENCY_KEY_PARAMETER_MISMATCH")
    answer = apply()
    ctx.store.idempotency[key] = (fingerprint, answer)
    return answer


def _set_quantities(_root: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    store: Store = info.context.store
    return _once(info, input, lambda: store.set_quantities(input),
                 lambda code: {"inventoryAdjustmentGroup": None, "userErrors": [set_error(code)]})


def _fulfillment_create(_root: Any, info: Any, fulfillment: dict[str, Any], message: str | None = None) -> Any:
    return info.context.store.create_fulfillment(fulfillment)


# ---------------------------------------------------------------------------------------------------------------
# Wiring the resolvers onto the schema
# ---------------------------------------------------------------------------------------------------------------
RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("QueryRoot", "orders"): _list("orders"), ("QueryRoot", "customers"): _list("customers"),
    ("QueryRoot", "products"): _list("products"), ("QueryRoot", "productVariants"): _list("variants"),
    ("QueryRoot", "inventoryItems"): _list("variants"), ("QueryRoot", "ordersCount"): _count("orders"),
    ("QueryRoot", "customersCount"): _count("customers"), ("QueryRoot", "productsCount"): _count("products"),
    ("QueryRoot", "productVariantsCount"): _count("variants"),
    ("QueryRoot", "order"): _by_id, ("QueryRoot", "customer"): _by_id, ("QueryRoot", "product"): _by_id,
    ("QueryRoot", "productVariant"): _by_id, ("QueryRoot", "inventoryItem"): _by_id,
    ("QueryRoot", "location"): _by_id, ("QueryRoot", "fulfillmentOrder"): _by_id,
    ("QueryRoot", "node"): _by_id, ("QueryRoot", "nodes"): _nodes,
    ("QueryRoot", "currentBulkOperation"): _current_bulk, ("QueryRoot", "bulkOperation"): _by_id,
    ("InventoryItem", "inventoryLevels"): _levels, ("InventoryItem", "inventoryLevel"): _level,
    ("InventoryItem", "locationsCount"): _locations_count,
    ("Location", "inventoryLevels"): _levels, ("Location", "inventoryLevel"): _level,
    ("InventoryLevel", "quantities"): _quantities, ("ProductVariant", "inventoryQuantity"): _variant_quantity,
    ("Mutation", "inventorySetQuantities"): _set_quantities, ("Mutation", "fulfillmentCreate"): _fulfillment_create,
    ("Mutation", "bulkOperationRunQuery"): bulk.run_query, ("Mutation", "bulkOperationCancel"): bulk.cancel,
}


@lru_cache(maxsize=1)
def executable_schema() -> GraphQLSchema:
    """The schema with the store's resolvers attached and the protected-customer-data guards wrapped around."""
    loaded = schema()
    for (type_name, field_name), fn in RESOLVERS.items():
        loaded.get_type(type_name).fields[field_name].resolve = fn  # type: ignore[union-attr]
    for name, need in ROOT_SCOPES.items():
        root = loaded.query_type if name in loaded.query_type.fields else loaded.mutation_type  # type: ignore[union-attr]
        root.fields[name].resolve = _scoped(need, root.fields[name].resolve or resolve_default)  # type: ignore[union-attr]
    for type_name, names in PII_FIELDS.items():
        fields = loaded.get_type(type_name).fields  # type: ignore[union-attr]
        for name in names:
            fields[name].resolve = _guard(type_name, name, fields[name].resolve or resolve_default)
    for named in loaded.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for name, fdef in named.fields.items():
                if get_named_type(fdef.type).name == "Customer":
                    fdef.resolve = _guard("", name, fdef.resolve or resolve_default)
    return loaded


__all__ = ["Context", "executable_schema", "run"]
