"""The canonical model, validate_order and the record boundary."""

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from connector_common.errors import RecordError
from connector_common.model import CustomerRef, Order, TaxLine, validate_order
from connector_common.records import SCHEMA_FILES, STREAM_MODELS, from_record, load_schema, schema_for, to_record
from connector_common.testing import make_line, make_order, make_shipping

D = Decimal
SCHEMA_DIR = Path(__file__).parents[1] / "connector_common" / "schemas"


def multi_rate_order() -> Order:
    return make_order(
        lines=[make_line("TSHIRT", 2, "24.95", "21", discount_incl="5.00"), make_line("BOOK", 1, "19.99", "9"),
               make_line("GIFTCARD", 1, "25.00", "0")],
        shipping=[make_shipping("4.95")], order_discount_incl="2.50",
        customer=CustomerRef(source_id="77", email="o'brien@example.com", first_name="Zoë", last_name="O'Brien"),
    )


def test_given_consistent_order_then_validate_order_is_ok_with_zero_difference():
    check = validate_order(multi_rate_order())
    assert check.ok, check.problems
    assert check.difference == D(0)


def test_given_grand_total_off_by_a_cent_then_difference_is_exact():
    order = multi_rate_order()
    bad = dataclasses.replace(order, totals=dataclasses.replace(order.totals, grand_total=order.totals.grand_total + D("0.01")))
    check = validate_order(bad)
    assert not check.ok
    assert check.difference == D("0.01")
    assert "differs from lines + shipping - discounts" in check.problems[0]


def test_given_tax_per_rate_wrong_then_tax_difference_per_rate():
    order = multi_rate_order()
    lines = tuple(TaxLine(rate=t.rate, amount=t.amount + (D("0.02") if t.rate == 9 else 0)) for t in order.totals.tax_lines)
    bad = dataclasses.replace(order, totals=dataclasses.replace(order.totals, tax_lines=lines))
    check = validate_order(bad)
    assert check.tax_differences == {D(9): D("0.02")}


def test_given_order_when_round_tripped_through_a_record_then_equal_and_money_is_string():
    order = multi_rate_order()
    record = to_record(order)
    assert record["totals"]["grand_total"] == "92.34"
    assert record["lines"][0]["tax_rate"] == "21"
    json.dumps(record)  # JSON-ready: no Decimal, no datetime
    assert from_record("orders", record) == order


def test_shipped_schemas_are_generated_from_the_model():
    for stream, cls in STREAM_MODELS.items():
        shipped = json.loads((SCHEMA_DIR / SCHEMA_FILES[stream]).read_text("utf-8"))
        assert shipped == schema_for(cls), f"regenerate with: python -m connector_common.records {SCHEMA_DIR}"
        assert load_schema(stream) == shipped


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda r: r["lines"][1].__setitem__("unit_price_incl", 19.99), "lines.1.unit_price_incl", "is not of type"),
        (lambda r: r["lines"][0].__setitem__("quantity", "two"), "lines.0.quantity", "does not match"),
        (lambda r: r.__setitem__("currency", "EUX"), "currency", "unknown currency 'EUX'"),
        (lambda r: r["shipping_address"].__setitem__("country", "XX"), "shipping_address.country", "'XX' is not an ISO"),
        (lambda r: r.__setitem__("created_at", "2026-11-02T10:00:00"), "created_at", "no time zone"),
        (lambda r: r.pop("lines"), None, "'lines' is a required property"),
    ],
)
def test_given_bad_record_then_record_error_names_record_and_field(mutate, field, message):
    record = to_record(multi_rate_order())
    mutate(record)
    with pytest.raises(RecordError) as info:
        from_record("orders", record)
    assert info.value.stream == "orders"
    assert info.value.key == "1001 (#1001)"
    assert info.value.field == field
    assert message in str(info.value)


def test_booking_reference_names_source_order_and_refund():
    from connector_common.model import Refund, booking_reference

    order = multi_rate_order()
    refund = Refund(refund_id="77", created_at=order.created_at, lines=(), shipping_incl=D(0), adjustment_incl=D(0),
                    total_incl=D("5.00"))
    assert booking_reference(order) == "shopify:#1001"
    assert booking_reference(order, refund) == "shopify:#1001/R77"


def test_given_a_line_whose_total_has_the_opposite_sign_of_quantity_times_price_then_validate_order_names_it():
    from dataclasses import replace

    from connector_common.model import contradicts_sign
    from connector_common.testing import make_line, make_order

    sale, ret = make_line("A", 2, "12.10", "21"), make_line("B", -1, "12.10", "21")
    assert not contradicts_sign(sale) and not contradicts_sign(ret)
    impossible = replace(sale, quantity=-sale.quantity)  # -2 x 12.10 with a +24.20 total
    assert contradicts_sign(impossible)
    check = validate_order(make_order(lines=[impossible]))
    assert not check.ok and "line 1: quantity -2 x unit price 12.10 has the opposite sign" in check.problems[0]
