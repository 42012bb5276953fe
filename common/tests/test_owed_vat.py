"""The one rule for a 0 % "reverse charge" on an invalid VAT number: the VAT owed, contained in what was paid."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connector_common.model import CustomerRef, Order, validate_order
from connector_common.testing import make_line, make_order, make_refund, make_shipping
from connector_common.vat import Scenario, classify, owed_vat, standard_rate

D = Decimal
BAD_VAT = "DE123456789"  # a German number's format, a wrong check digit
GOOD_VAT = "DE123456788"


def sale(*, vat_number: str = BAD_VAT, rate: str = "0", country: str = "DE", company: bool = True,
         created_at: datetime | None = None) -> Order:
    """A paid sale to a German company: 2 x 50.00 and 3 x 3.33 plus 4.95 shipping, all at `rate`: 114.94 paid."""
    ref = CustomerRef(source_id="C1", email="anna@becker.example", company_name="Becker GmbH" if company else None,
                      vat_number=vat_number, is_company=company)
    lines = [make_line("SKU-1", 2, "50.00", rate), make_line("SKU-2", 3, "3.33", rate)]
    return make_order(source_id="602", lines=lines, shipping=[make_shipping("4.95", rate)], customer=ref,
                      country=country, postcode="10115", created_at=created_at)


@pytest.mark.parametrize(
    ("oss", "scenario", "country", "rate", "nets", "taxes", "shipping"),
    [
        # OSS: the customer's country's standard rate, 19 % in Germany; 100.00 / 1.19 = 84.0336 -> 84.03
        (True, Scenario.OSS, "DE", D(19), [D("84.03"), D("8.39")], [D("15.97"), D("1.60")], (D("4.16"), D("0.79"))),
        # no OSS: the Dutch seller's own standard rate, 21 %; 100.00 / 1.21 = 82.6446 -> 82.64
        (False, Scenario.DOMESTIC, "NL", D(21), [D("82.64"), D("8.26")], [D("17.36"), D("1.73")],
         (D("4.09"), D("0.86"))),
    ],
)
def test_given_zero_rate_on_an_invalid_number_when_book_with_vat_then_owed_rate_contained_in_what_was_paid(
        oss, scenario, country, rate, nets, taxes, shipping):
    order = sale()

    owed = owed_vat(order, option="book_with_vat", seller_country="NL", oss_registered=oss)

    assert owed is not None
    assert (owed.treatment.scenario, owed.treatment.country, owed.treatment.rate) == (scenario, country, rate)
    rerated = owed.order
    assert rerated.totals.grand_total == order.totals.grand_total == D("114.94")  # what the customer paid
    assert [ln.total_incl for ln in rerated.lines] == [ln.total_incl for ln in order.lines]
    assert [ln.total_excl for ln in rerated.lines] == nets and [ln.tax_amount for ln in rerated.lines] == taxes
    assert {ln.tax_rate for ln in rerated.lines} == {rate}
    ship = rerated.shipping_lines[0]
    assert (ship.amount_excl, ship.tax_amount, ship.amount_incl, ship.tax_rate) == (*shipping, D("4.95"), rate)
    assert rerated.totals.tax_total == sum(taxes) + shipping[1]
    assert validate_order(rerated).ok, validate_order(rerated).problems
    # the destinations classify the re-rated lines as the VAT owed, no longer refused
    treatment = classify(seller_country="NL", ship_to_country="DE", rate=rate, on=order.created_at.date(),
                         vat_number=BAD_VAT, is_company=True, oss_registered=oss)
    assert treatment == owed.treatment
    assert owed.note == (f"VAT number {BAD_VAT} fails its check digits (the number's checksum or check digit is "
                         f"invalid): not a reverse-charge sale; the shop charged 0%, booked with {rate}% VAT "
                         f"({'OSS' if oss else 'domestic'}, {country}) contained in the 114.94 EUR the customer paid")


def test_given_a_refund_of_such_an_order_then_it_is_re_rated_too():
    order = sale()
    order = make_order(source_id="602", lines=order.lines, customer=order.customer, country="DE", postcode="10115",
                       refunds=[make_refund(order.lines[0], 1)])

    owed = owed_vat(order, option="book_with_vat", seller_country="NL", oss_registered=True)

    assert owed is not None
    refunded = owed.order.refunds[0].lines[0]
    assert (refunded.amount_incl, refunded.amount_excl, refunded.tax_amount, refunded.tax_rate) == (
        D("50.00"), D("42.02"), D("7.98"), D(19))


@pytest.mark.parametrize(
    ("option", "order"),
    [
        ("refuse", sale()),  # the destination refuses it (classify names the number)
        ("book_with_vat", sale(vat_number=GOOD_VAT)),  # a valid number: reverse charge
        ("book_with_vat", sale(rate="19")),  # VAT charged: booked at that rate, noted as before
        ("book_with_vat", sale(company=False)),  # a private person's number is not a reverse-charge claim
        ("book_with_vat", sale(country="NL")),  # a domestic sale
        ("book_with_vat", sale(country="CH")),  # an export
        ("book_with_vat", sale(vat_number="CHE123456789")),  # not an EU number
        ("book_with_vat", sale(created_at=datetime(2020, 6, 1, tzinfo=UTC))),  # before the rate table: refused
    ],
)
def test_given_anything_else_then_the_order_is_left_as_it_is(option, order):
    assert owed_vat(order, option=option, seller_country="NL", oss_registered=True) is None


@pytest.mark.parametrize(
    ("country", "on", "rate"),
    [("DE", date(2026, 11, 2), D(19)), ("FI", date(2024, 8, 31), D(24)), ("FI", date(2024, 9, 1), D("25.5")),
     ("LU", date(2023, 6, 1), D(16)), ("LU", date(2024, 1, 1), D(17)), ("XI", date(2026, 1, 1), D(20)),
     ("DE", date(2020, 12, 31), None), ("CH", date(2026, 1, 1), None)],
)
def test_standard_rates_are_dated(country, on, rate):
    assert standard_rate(country, on) == rate
