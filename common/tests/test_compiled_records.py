"""The compiled record converters: the same records and models as the checked path, for every canonical stream."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_common import records
from connector_common.errors import RecordError
from connector_common.model import Customer, CustomerRef, Order, Product, Shipment, ShipmentLine, StockLevel
from connector_common.records import from_record, to_record
from connector_common.strategies import consistent_orders
from connector_common.testing import make_address, make_discount, make_line, make_order, make_refund

D = Decimal
WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
ORDERS = consistent_orders({"NL": ["21", "9", "0"], "DE": ["19", "7"], "US": ["0"]})


def stock_level() -> StockLevel:
    return StockLevel(source="exact_online", source_id="i1@W1", sku="TSHIRT", location="W1", available=D("3"),
                      on_hand=D("5.5"), reserved=D("2.5"), planned_in=D(0), planned_out=D("1"), updated_at=WHEN)


def shipment() -> Shipment:
    return Shipment(source="exact_online", source_id="d1", order_source="shopify", order_reference="#1001",
                    shipped_at=WHEN, updated_at=WHEN, lines=(ShipmentLine(sku="TSHIRT", quantity=D(2)),),
                    tracking_number="3S123", carrier="PostNL")


def customer() -> Customer:
    return Customer(source="shopify", source_id="7", created_at=WHEN, updated_at=WHEN, email="b@example.com",
                    address=make_address("BE", company="Acme"), is_company=True)


def product() -> Product:
    return Product(source="shopify", source_id="v1", product_id="p1", sku=None, title="Mug", created_at=WHEN,
                   updated_at=WHEN, price_excl=D("10"), price_incl=D("12.10"), tax_rate=D("21"))


def full_order() -> Order:
    line = make_line("TSHIRT", 2, "24.95", "21", discount_incl="5.00")
    order = make_order(lines=[line, make_line(None, 1, "9.99", "9")], discounts=[make_discount("2.50")],
                       refunds=[make_refund(line, 1)], customer=CustomerRef(source_id="7", email="a@example.com"))
    return dataclasses.replace(order, tags=("vip", "b2b"), note="leave at the door")


def checked(stream: str, data: dict[str, Any]) -> Any:
    return records._checked_from_record(stream, data)


@pytest.mark.parametrize(("stream", "obj"), [("orders", full_order()), ("stock_levels", stock_level()),
                                             ("shipments", shipment()), ("customers", customer()), ("products", product())])
def test_given_a_model_object_then_compiled_record_equals_the_generic_walk_and_round_trips(stream, obj):
    record = to_record(obj)
    assert record == _generic(obj)
    assert from_record(stream, record) == obj == checked(stream, record)


@settings(max_examples=60, deadline=None)
@given(ORDERS)
def test_given_any_consistent_order_then_compiled_and_checked_paths_agree(order):
    record = to_record(order)
    assert record == _generic(order)
    assert from_record("orders", record) == checked("orders", record) == order


MUTATIONS = st.sampled_from([
    ("totals", "grand_total", 12.5), ("totals", "grand_total", "1e3"), ("totals", "tax_total", None),
    (None, "currency", "eur"), (None, "created_at", "2026-11-02T10:00:00"), (None, "created_at", "yesterday"),
    (None, "payment_status", "paid-ish"), (None, "lines", {}), (None, "cancelled", "false"), (None, "tags", [1]),
    ("billing_address", "country", "XX"), ("billing_address", "country", "nl"), (None, "reference", 1001),
    ("customer", "is_company", 0), ("totals", "tax_lines", [{"rate": "21"}]), (None, "totals", None),
])


@settings(max_examples=80, deadline=None)
@given(ORDERS, MUTATIONS)
def test_given_a_broken_order_record_then_the_error_is_the_checked_paths_error(order, mutation):
    record = to_record(order)
    record["billing_address"] = record.get("billing_address") or {"country": "NL"}
    record["customer"] = record.get("customer") or {"email": "c@example.com"}
    parent, key, value = mutation
    (record[parent] if parent else record)[key] = value
    with pytest.raises(RecordError) as expected:
        checked("orders", copy.deepcopy(record))
    with pytest.raises(RecordError) as got:
        from_record("orders", record)
    assert (got.value.stream, got.value.key, got.value.field, str(got.value)) == \
        (expected.value.stream, expected.value.key, expected.value.field, str(expected.value))


def test_given_valid_records_then_jsonschema_is_not_run(monkeypatch):
    record = to_record(full_order())
    monkeypatch.setattr(records, "_checked_from_record", lambda *_: pytest.fail("took the checked path"))
    for _ in range(3):
        assert from_record("orders", record) == full_order()


def test_given_a_value_not_of_its_declared_type_then_to_record_falls_back_to_the_generic_walk():
    odd = StockLevel(**{**_fields(stock_level()), "available": 3})  # type: ignore[arg-type]  # an int, not Decimal
    assert to_record(odd)["available"] == 3  # as the generic walk: never "3.000000"


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _generic(obj: Any) -> Any:
    """The reflection walk to_record did before it was compiled (the reference for the compiled encoders)."""
    from enum import Enum

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _generic(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [_generic(v) for v in obj]
    return obj
