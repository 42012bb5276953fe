"""The canonical order builders every test and benchmark uses: consistent to the cent in both pricing modes."""

from decimal import Decimal

import pytest

from connector_common.model import DiscountAllocation, Order, validate_order
from connector_common.records import from_record, to_record
from connector_common.testing import (
    make_address,
    make_customer,
    make_discount,
    make_line,
    make_order,
    make_refund,
    make_shipping,
    split,
)

D = Decimal


@pytest.mark.parametrize(("amount", "rate", "incl", "expected"), [
    ("12.10", "21", True, ("10.00", "12.10", "2.10")),
    ("10.00", "21", False, ("10.00", "12.10", "2.10")),
    ("19.99", "9", True, ("18.34", "19.99", "1.65")),
    ("0.14", "12", True, ("0.13", "0.14", "0.01")),  # net 0.125: the half-cent tie goes to the net amount
    ("0.03", "20", True, ("0.03", "0.03", "0.00")),  # net 0.025
    ("0.05", "10", False, ("0.05", "0.06", "0.01")),  # tax 0.005 rounds half up
    ("-12.10", "21", True, ("-10.00", "-12.10", "-2.10")),
    ("25.00", "0", True, ("25.00", "25.00", "0.00")),
])
def test_split_rounds_once_to_cents_in_the_pricing_mode(amount: str, rate: str, incl: bool,
                                                        expected: tuple[str, str, str]) -> None:
    assert split(amount, rate, prices_include_tax=incl) == tuple(D(x) for x in expected)


def test_given_excl_vat_prices_when_line_built_then_vat_is_added_on_the_discounted_net_total() -> None:
    line = make_line("A", 2, "10.00", "21", discount_incl="2.00", prices_include_tax=False, is_service=True)
    assert (line.unit_price_excl, line.unit_price_incl) == (D("10.00"), D("12.10"))
    assert (line.discount_excl, line.discount_incl) == (D("2.00"), D("2.42"))
    assert (line.total_excl, line.tax_amount, line.total_incl) == (D("18.00"), D("3.78"), D("21.78"))
    assert line.is_service


def test_given_incl_vat_prices_when_line_built_then_unit_price_excl_keeps_four_decimals() -> None:
    line = make_line("A", 3, "9.99", "21")
    assert line.unit_price_excl == D("8.2562")
    assert (line.total_excl, line.tax_amount, line.total_incl) == (D("24.77"), D("5.20"), D("29.97"))


@pytest.mark.parametrize("incl", [True, False])
def test_given_every_unit_refunded_then_the_refund_equals_the_line(incl: bool) -> None:
    line = make_line("A", 3, "33.33", "12", discount_incl="0.07", prices_include_tax=incl)
    refund = make_refund(line, 3, prices_include_tax=incl, shipping_incl="4.95")
    (rline,) = refund.lines
    assert (rline.amount_excl, rline.tax_amount, rline.amount_incl) == (line.total_excl, line.tax_amount,
                                                                       line.total_incl)
    assert refund.total_incl == line.total_incl + D("4.95")


def test_given_one_of_three_units_refunded_then_a_third_of_the_line_split_at_its_rate() -> None:
    line = make_line("A", 3, "10.00", "21", prices_include_tax=False)  # 30.00 net + 6.30 VAT
    (rline,) = make_refund(line, 1, prices_include_tax=False).lines
    assert (rline.quantity, rline.amount_excl, rline.tax_amount, rline.amount_incl) == (D(1), D("10.00"), D("2.10"),
                                                                                       D("12.10"))


def test_given_order_discount_excl_vat_then_it_is_an_unallocated_discount_with_vat_added() -> None:
    disc = make_discount("5.00", "21", prices_include_tax=False, code="SPRING", title="Spring sale")
    assert (disc.amount_excl, disc.tax_amount, disc.amount_incl) == (D("5.00"), D("1.05"), D("6.05"))
    assert disc.allocation is DiscountAllocation.ORDER and disc.tax_rate == D(21)


def test_given_company_customer_and_address_then_the_order_carries_them() -> None:
    customer = make_customer("inkoop@bakker.nl", company="Bakker BV", vat_number="NL123456782B01")
    address = make_address("BE", line1="Kerkstraat", house_number="7", postcode="1000", city="Brussel",
                           company="Bakker BV")
    order = make_order(lines=[make_line("A", 1, "10.00", "0")], customer=customer, address=address, reference="#A1")
    assert order.customer is not None and order.customer.is_company and order.customer.vat_number == "NL123456782B01"
    assert order.ship_to == address and order.billing_address == address and order.reference == "#A1"


def _order(incl: bool, rates: tuple[str, ...], *, line_discount: str = "0", ship: str | None = None,
           order_discount: str | None = None, refund_qty: int | None = None, qty: int = 3) -> Order:
    lines = [make_line(f"S{i}", qty, price, rate, discount_incl=line_discount, line_id=str(i), prices_include_tax=incl)
             for i, (price, rate) in enumerate(zip(("33.33", "0.14", "119.20", "2.99"), rates, strict=False))]
    return make_order(
        lines=lines, prices_include_tax=incl,
        shipping=[make_shipping(ship, rates[0], prices_include_tax=incl)] if ship else [],
        discounts=[make_discount(order_discount, rates[-1], prices_include_tax=incl)] if order_discount else [],
        refunds=[make_refund(lines[0], refund_qty, prices_include_tax=incl)] if refund_qty else [],
    )


CASES = {
    "incl one rate": _order(True, ("21",)),
    "excl one rate": _order(False, ("21",)),
    "incl mixed rates, half-cent ties": _order(True, ("12", "20", "25", "6"), line_discount="0.07", ship="0.14"),
    "excl mixed rates": _order(False, ("25", "12", "6", "0"), line_discount="0.40", ship="49.00"),
    "incl order discount": _order(True, ("21", "9"), order_discount="5.00", ship="4.95"),
    "excl order discount at a tie rate": _order(False, ("12", "25"), order_discount="0.14"),
    "incl partial refund": _order(True, ("12", "21"), refund_qty=1),
    "excl partial refund": _order(False, ("20", "9"), line_discount="0.07", refund_qty=2),
    "incl return (negative quantity)": _order(True, ("21", "9"), qty=-2),
    "excl return with order discount": _order(False, ("21",), qty=-1, order_discount="1.00"),
    "common shorthand discount": make_order(lines=[make_line("A", 2, "24.95", "21", discount_incl="5.00")],
                                            shipping=[make_shipping("4.95")], order_discount_incl="2.50"),
}


@pytest.mark.parametrize("order", CASES.values(), ids=CASES.keys())
def test_every_built_order_validates_and_round_trips(order: Order) -> None:
    check = validate_order(order)
    assert check.ok, check.problems
    assert from_record("orders", to_record(order)) == order
    assert order.payments[0].amount == order.totals.grand_total
    assert order.totals.refunded_total == sum((r.total_incl for r in order.refunds), D(0))
    for refund in order.refunds:
        for rline in refund.lines:
            assert rline.amount_incl == rline.amount_excl + rline.tax_amount
            line = next(ln for ln in order.lines if ln.line_id == rline.line_id)
            assert abs(rline.amount_incl) <= abs(line.total_incl)


def test_given_line_and_order_discounts_then_totals_report_both() -> None:
    order = _order(False, ("21",), line_discount="1.00", order_discount="5.00")
    assert order.totals.discount_incl == D("1.21") + D("6.05")
    assert not order.prices_include_tax
