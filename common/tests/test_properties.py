"""Property-based tests (hypothesis) over money, VAT and the record boundary: errors are clear, never crashes."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from connector_common.errors import RecordError
from connector_common.model import validate_order
from connector_common.records import from_record, to_record
from connector_common.testing import make_line, make_order, make_shipping
from connector_common.vat import COUNTRIES, EU_MEMBERSHIP, Scenario, VatError, classify

EU_NOW = sorted(c for c, (_, left) in EU_MEMBERSHIP.items() if left is None)
RATES = st.sampled_from(["0", "5.5", "6", "7", "9", "10", "12", "19", "20", "21", "25"])
PRICES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)


@given(seller=st.sampled_from(EU_NOW), dest=st.sampled_from(sorted(COUNTRIES)), rate=RATES,
       company=st.booleans(), vat=st.one_of(st.none(), st.text(max_size=16)),
       on=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)), oss=st.booleans())
def test_classify_is_total_over_valid_facts(seller, dest, rate, company, vat, on, oss):
    try:
        t = classify(seller_country=seller, ship_to_country=dest, rate=Decimal(rate), on=on, vat_number=vat,
                     is_company=company, oss_registered=oss)
    except VatError as exc:  # the only documented refusal for valid codes: 0 % B2C intra-EU without OSS
        assert "0% charged on an intra-EU sale" in str(exc)
        return
    if dest == seller:
        assert t.scenario in (Scenario.DOMESTIC, Scenario.DOMESTIC_ZERO)
    if t.scenario in (Scenario.ICP_GOODS, Scenario.EXPORT, Scenario.DOMESTIC_ZERO):
        assert t.rate == 0
    assert t.key  # every treatment has a table key


line_args = st.tuples(st.text(alphabet="ABC'-_ 0123456789", min_size=1, max_size=12), st.integers(1, 50), PRICES, RATES,
                      st.integers(0, 50))


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(line_args, min_size=1, max_size=8), shipping=st.one_of(st.none(), PRICES),
       order_discount=st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5"), places=2)))
def test_orders_built_consistently_validate_and_round_trip(lines, shipping, order_discount):
    built = [make_line(sku, qty, str(price), rate, discount_incl=str(min(Decimal(pct) * price * qty / 100, price * qty)
                                                                        .quantize(Decimal("0.01"))),
                       line_id=f"L{i}")
             for i, (sku, qty, price, rate, pct) in enumerate(lines)]
    order = make_order(lines=built, shipping=[make_shipping(str(shipping))] if shipping else [],
                       order_discount_incl=str(order_discount) if order_discount else None)
    check = validate_order(order)
    assert check.ok, check.problems
    assert from_record("orders", to_record(order)) == order


@settings(max_examples=100, deadline=None)
@given(path=st.sampled_from([("currency",), ("lines", 0, "quantity"), ("lines", 0, "tax_rate"), ("totals", "grand_total"),
                             ("billing_address", "country"), ("created_at",), ("payment_status",), ("lines",)]),
       value=st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30), st.booleans(),
                       st.lists(st.integers(), max_size=2)))
def test_any_corrupted_field_gives_a_record_error_naming_the_record(path, value):
    record = to_record(make_order(lines=[make_line("A", 1, "10.00", "21")]))
    node = record
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        from_record("orders", record)
    except RecordError as exc:
        assert exc.stream == "orders" and exc.key == "1001 (#1001)"
