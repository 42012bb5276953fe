"""Rebuilding bulk-operation JSONL: children re-attached by __parentId in any order, memory-flat, exact decimals."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from source_shopify_orders.bulk import rebuild

ORDER_1 = {"id": "gid://shopify/Order/1", "name": "#1001", "taxLines": [{"rate": 0.21}]}
ORDER_2 = {"id": "gid://shopify/Order/2", "name": "#1002"}
LINE_1A = {"__typename": "LineItem", "id": "gid://shopify/LineItem/11", "__parentId": "gid://shopify/Order/1"}
LINE_1B = {"id": "gid://shopify/LineItem/12", "__parentId": "gid://shopify/Order/1"}  # no __typename: by gid
SHIP_2 = {"__typename": "ShippingLine", "id": "gid://shopify/ShippingLine/21", "__parentId": "gid://shopify/Order/2"}
DISC_1 = {"__typename": "DiscountCodeApplication", "index": 0, "code": "TENOFF", "__parentId": "gid://shopify/Order/1"}


def lines(*objects: Mapping[str, Any]) -> list[bytes]:
    return [json.dumps(o).encode() for o in objects]


def test_given_children_after_their_parents_when_rebuilt_then_each_order_gets_its_own_connections() -> None:
    nodes = list(rebuild(lines(ORDER_1, LINE_1A, LINE_1B, DISC_1, ORDER_2, SHIP_2)))

    assert [n["name"] for n in nodes] == ["#1001", "#1002"]
    first, second = nodes
    assert [li["id"] for li in first["lineItems"]["nodes"]] == ["gid://shopify/LineItem/11", "gid://shopify/LineItem/12"]
    assert first["discountApplications"]["nodes"][0]["code"] == "TENOFF"
    assert "__parentId" not in first["lineItems"]["nodes"][0]
    assert second["shippingLines"]["nodes"][0]["id"] == "gid://shopify/ShippingLine/21"
    assert "lineItems" not in second
    assert first["taxLines"][0]["rate"] == Decimal("0.21")  # parsed exactly, never as float


def test_given_ungrouped_output_with_children_first_and_blank_lines_when_rebuilt_then_the_result_is_the_same() -> None:
    shuffled = [*lines(SHIP_2, LINE_1B, DISC_1), b"", b"  ", *lines(ORDER_1, ORDER_2, LINE_1A)]
    nodes = {n["id"]: n for n in rebuild(shuffled)}
    assert sorted(li["id"] for li in nodes["gid://shopify/Order/1"]["lineItems"]["nodes"]) == [
        "gid://shopify/LineItem/11", "gid://shopify/LineItem/12"]
    assert len(nodes["gid://shopify/Order/2"]["shippingLines"]["nodes"]) == 1


def test_given_many_orders_when_rebuilt_then_parents_stream_in_file_order() -> None:
    many = [json.dumps({"id": f"gid://shopify/Order/{i}"}).encode() for i in range(2500)]
    children = [json.dumps({"__typename": "LineItem", "id": f"gid://shopify/LineItem/{i}",
                            "__parentId": f"gid://shopify/Order/{i}"}).encode() for i in range(2500)]
    ids = [n["id"] for n in rebuild(many + children)]
    assert ids == [f"gid://shopify/Order/{i}" for i in range(2500)]


def test_given_children_of_many_batches_of_parents_when_rebuilt_then_each_parent_gets_its_own_in_file_order() -> None:
    parents = [json.dumps({"id": f"gid://shopify/Order/{i}"}).encode() for i in range(450)]  # > one batch of 200
    children = [json.dumps({"__typename": "LineItem", "id": f"gid://shopify/LineItem/{i}-{k}",
                            "__parentId": f"gid://shopify/Order/{i}"}).encode() for k in range(3) for i in range(450)]
    nodes = list(rebuild(children[::-1] + parents))
    assert [n["id"] for n in nodes] == [f"gid://shopify/Order/{i}" for i in range(450)]
    assert all([li["id"] for li in n["lineItems"]["nodes"]] == [f"gid://shopify/LineItem/{i}-{k}" for k in (2, 1, 0)]
               for i, n in enumerate(nodes))


def test_given_ids_that_orjson_reads_differently_when_rebuilt_then_children_meet_their_parents_as_decoded_exactly() -> None:
    parent = b'{"id": 1.50, "name": "#1"}'  # a fractional id: a float to orjson, Decimal("1.50") when decoded exactly
    child = b'{"__typename": "LineItem", "id": "gid://shopify/LineItem/9", "__parentId": 1.50}'
    big = b'{"id": 123456789012345678901234567890, "name": "#2"}'  # beyond orjson's integers: decoded exactly
    nodes = list(rebuild([parent, child, big]))
    assert [n["name"] for n in nodes] == ["#1", "#2"]
    assert nodes[0]["lineItems"]["nodes"][0]["id"] == "gid://shopify/LineItem/9"


def test_given_a_line_that_is_not_json_when_rebuilt_then_the_exact_decoder_raises_its_own_error() -> None:
    with pytest.raises(json.JSONDecodeError, match="Expecting"):
        list(rebuild([b'{"id": "gid://shopify/Order/1", "name": ']))
    with pytest.raises(ValueError, match="not a JSON object"):
        list(rebuild([b'["gid://shopify/Order/1"]']))
