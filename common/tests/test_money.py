"""Money parsing and rounding: Decimal only, half-up to cents."""

from decimal import Decimal

import pytest

from connector_common.money import (
    cents,
    check_currency,
    format_money,
    gross_from_net,
    net_from_gross,
    tax_on_net,
    to_decimal,
)


@pytest.mark.parametrize(("value", "expected"), [("12.10", Decimal("12.10")), (3, Decimal(3)), (" -0.5 ", Decimal("-0.5")),
                                                 (Decimal("1.005"), Decimal("1.005"))])
def test_to_decimal_accepts_exact_numbers(value, expected):
    assert to_decimal(value) == expected


@pytest.mark.parametrize(("value", "message"), [(1.1, "float 1.1 refused"), ("abc", "not a decimal number"),
                                                ("NaN", "not a finite number"), (True, "not a number"),
                                                (None, "NoneType is not a decimal number")])
def test_to_decimal_refuses_inexact_or_garbage_and_names_the_field(value, message):
    with pytest.raises(ValueError, match=f"price: .*{message}"):
        to_decimal(value, field="price")


def test_cents_rounds_half_up():
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("-0.005")) == Decimal("-0.01")
    assert cents(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_gross_net_and_tax():
    assert cents(net_from_gross(Decimal("12.10"), Decimal(21))) == Decimal("10.00")
    assert gross_from_net(Decimal("10"), Decimal("5.5"), places=2) == Decimal("10.55")
    assert tax_on_net(Decimal("10.00"), Decimal(9)) == Decimal("0.90")


def test_format_money_never_uses_exponent():
    assert format_money(Decimal("1E+2")) == "100"
    assert format_money(Decimal("0.10")) == "0.10"


def test_unknown_currency_is_refused():
    assert check_currency("EUR") == "EUR"
    with pytest.raises(ValueError, match="unknown currency 'EUX'"):
        check_currency("EUX")
