"""Every GraphQL document the destination sends, and the inputs the mappings build, validate against Shopify's
published Admin schema (2026-10 introspection): an unknown field, argument or input shape fails here, not in the shop."""

from __future__ import annotations

import gzip
import json
import sys
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_client_schema, parse, validate
from graphql.execution.values import get_variable_values

sys.path.insert(0, str(Path(__file__).parent))
from shopify_dest_builders import MAIN, open_order, shipment

from destination_shopify import client
from destination_shopify.client import DOCUMENTS
from destination_shopify.mapping import StockChange, fulfillment_input, idempotency_key, inventory_set_input

REFERENCE = Path("/work/shared/reference/shopify-admin-schema-2026-10.json.gz")


@cache
def admin_schema() -> GraphQLSchema:
    """The schema the sandbox stand-in executes (package data), else the shared reference copy."""
    try:
        from sandbox.shopify.contract import schema  # type: ignore[import-not-found]
    except ImportError:
        with gzip.open(REFERENCE) as raw:
            loaded = build_client_schema(json.load(raw)["data"])
        loaded._validation_errors = []  # graphql-core trips on a few deprecated interface fields (shopify.md)
        return loaded
    return schema()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_given_a_document_when_validated_against_the_admin_schema_then_no_errors(name):
    errors = validate(admin_schema(), parse(DOCUMENTS[name]))
    assert [e.message for e in errors] == []


def _coerce(name: str, variables: dict) -> list[str]:
    document = parse(DOCUMENTS[name])
    operation = document.definitions[0]
    result = get_variable_values(admin_schema(), operation.variable_definitions, variables)  # type: ignore[attr-defined]
    return [e.message for e in result] if isinstance(result, list) else []  # a list of errors, else the values


def test_given_stock_changes_when_mapped_then_the_input_is_a_valid_inventory_set_quantities_input():
    payload = inventory_set_input([StockChange(sku="A", item_id="gid://shopify/InventoryItem/1", location_id=MAIN.id,
                                               quantity=9, change_from=5)], "gid://bookkeeping-sync/StockSync/ledger")
    assert _coerce("SetStock", {"input": payload, "key": idempotency_key(payload, "attempt")}) == []


def test_given_a_shipment_when_mapped_then_the_input_is_a_valid_fulfillment_input():
    payload = fulfillment_input(shipment(lines=[("SKU-A", 1)], url="https://track.example/1"), open_order(),
                                tracking_company="PostNL", notify_customer=False)
    assert _coerce("FulfillShipment", {"fulfillment": payload}) == []


def test_given_an_input_with_a_field_shopify_dropped_then_the_check_fails():
    payload = inventory_set_input([StockChange(sku="A", item_id="i", location_id="l", quantity=1, change_from=0)])
    payload["ignoreCompareQuantity"] = True  # gone from InventorySetQuantitiesInput in 2026-10
    assert _coerce("SetStock", {"input": payload, "key": "k"}) != []


def requested_cost(name: str, variables: dict) -> int:
    """Shopify's documented requested cost of a query (shopify.dev, "Calculated query cost"): scalars and enums 0,
    an object 1, a connection 2 + `first` x the cost of one node; Shopify refuses a query above 1,000 points."""
    from graphql import get_named_type, is_object_type

    def cost(selections, parent) -> int:
        total = 0
        for field in selections or ():
            definition = parent.fields.get(field.name.value)
            if field.selection_set is None or definition is None:
                continue
            named = get_named_type(definition.type)
            if is_object_type(named) and named.name.endswith("Connection") and "nodes" in named.fields:
                args = {a.name.value: variables[a.value.name.value] if hasattr(a.value, "name") else int(a.value.value)
                        for a in field.arguments if a.name.value == "first"}
                node = get_named_type(named.fields["nodes"].type)
                per_node = sum(1 + cost(f.selection_set.selections, node) for f in field.selection_set.selections
                               if f.name.value == "nodes")
                total += 2 + args["first"] * per_node
            else:
                total += 1 + cost(field.selection_set.selections, named)
        return total

    operation = parse(DOCUMENTS[name]).definitions[0]
    return cost(operation.selection_set.selections, admin_schema().query_type)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "variables"), [
    ("Locations", {"first": 250}),
    ("VariantsBySku", {"first": client.SKUS_PER_QUERY}),
    ("OrderByName", {"orders": client.ORDERS_PER_NAME, "fulfillmentOrders": client.FULFILLMENT_ORDERS_PER_ORDER,
                     "lines": client.LINES_PER_FULFILLMENT_ORDER, "fulfillments": client.FULFILLMENTS_PER_ORDER}),
])
def test_given_a_query_with_the_page_sizes_the_client_sends_then_it_stays_under_shopifys_single_query_limit(
        name, variables):
    assert requested_cost(name, variables) <= 1000
