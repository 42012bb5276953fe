"""Shared config checks."""

from decimal import Decimal

import pytest

from connector_common.config import amount, base_url, choice, choices, flag, integer, require, string_map, string_pairs
from connector_common.errors import ConfigError


def test_require_names_the_missing_option():
    assert require({"credentials": {"a": "x", "b": "y"}}, "credentials", ("a", "b")) == {"a": "x", "b": "y"}
    with pytest.raises(ConfigError, match=r"credentials\.b is required"):
        require({"credentials": {"a": "x", "b": ""}}, "credentials", ("a", "b"))
    with pytest.raises(ConfigError, match=r"credentials\.a is required"):
        require({}, "credentials", ("a",))


@pytest.mark.parametrize("url", ["https://start.exactonline.nl/", "http://127.0.0.1:8080", "http://localhost:1/v2"])
def test_base_url_accepts_https_and_loopback_http(url):
    assert base_url(url, "api_url", "https://default.example") == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8080", "http://example.com", "ftp://x", "start.exactonline.nl"])
def test_base_url_refuses_clear_text_to_the_network(url):
    with pytest.raises(ConfigError, match="api_url must be an https:// URL"):
        base_url(url, "api_url", "https://default.example")


def test_base_url_default_when_not_overridden():
    assert base_url(None, "api_url", "https://start.exactonline.nl/") == "https://start.exactonline.nl"


STATUSES = ("pending", "paid", "refunded")


@pytest.mark.parametrize(("config", "expected"), [({}, "skip"), ({"policy": None}, "skip"), ({"policy": "stop"}, "stop")])
def test_choice_gives_the_value_or_the_default(config, expected):
    assert choice(config, "policy", "skip", ("skip", "stop")) == expected


@pytest.mark.parametrize("value", ["Stop", "", 1, ["stop"]])
def test_choice_names_the_option_and_the_allowed_values(value):
    with pytest.raises(ConfigError, match=r"^policy must be one of skip, stop, not "):
        choice({"policy": value}, "policy", "skip", ("skip", "stop"))


@pytest.mark.parametrize(("config", "expected"), [
    ({}, ("paid",)), ({"statuses": []}, ("paid",)), ({"statuses": ["pending", "paid"]}, ("pending", "paid")),
])
def test_choices_gives_the_listed_values_or_the_default(config, expected):
    assert choices(config, "statuses", ("paid",), STATUSES) == expected


def test_choices_names_every_unknown_value():
    with pytest.raises(ConfigError, match=r"statuses may only list pending, paid, refunded, not 'payed', 'PAID'$"):
        choices({"statuses": ["payed", "paid", "PAID"]}, "statuses", ("paid",), STATUSES)
    with pytest.raises(ConfigError, match=r"statuses must be a list of pending, paid, refunded, not 'paid'"):
        choices({"statuses": "paid"}, "statuses", ("paid",), STATUSES)


def test_string_map_strips_values_and_accepts_integer_codes():
    assert string_map({"vat_codes": {"export": " 6 ", "icp_goods": 4}}, "vat_codes") == {"export": "6", "icp_goods": "4"}
    assert string_map({"vat_codes": None}, "vat_codes") == {}


@pytest.mark.parametrize(("value", "message"), [
    (["6"], r"^vat_codes must be an object of strings, not list$"),
    ({"export": None}, r"^vat_codes\.export must be a string, not None$"),
    ({"export": True}, r"^vat_codes\.export must be a string, not True$"),
    ({"export": {"code": "6"}}, r"^vat_codes\.export must be a string"),
])
def test_string_map_names_the_option_and_the_bad_entry(value, message):
    with pytest.raises(ConfigError, match=message):
        string_map({"vat_codes": value}, "vat_codes")


def test_string_pairs_keeps_order_and_strips():
    config = {"terms": [{"payment_method": " Klarna ", "terms_of_payment": "14d"}, {"payment_method": "ideal",
                                                                                     "terms_of_payment": "0d"}]}
    assert string_pairs(config, "terms", "payment_method", "terms_of_payment") == (("Klarna", "14d"), ("ideal", "0d"))
    assert string_pairs({}, "terms", "payment_method", "terms_of_payment") == ()


@pytest.mark.parametrize(("value", "message"), [
    ([{"payment_method": "ideal", "terms_of_payment": "0d"}, {"payment_method": "klarna"}],
     r"^terms\[1\]\.terms_of_payment is required$"),
    ([{"payment_method": "", "terms_of_payment": "0d"}], r"^terms\[0\]\.payment_method is required$"),
    (["ideal"], r"^terms\[0\] must be an object with payment_method and terms_of_payment"),
    ({"ideal": "0d"}, r"^terms must be a list of objects with payment_method and terms_of_payment$"),
])
def test_string_pairs_names_the_item_that_is_wrong(value, message):
    with pytest.raises(ConfigError, match=message):
        string_pairs({"terms": value}, "terms", "payment_method", "terms_of_payment")


@pytest.mark.parametrize(("config", "expected"), [({}, True), ({"dry_run": None}, True), ({"dry_run": False}, False)])
def test_flag_gives_the_value_or_the_default(config, expected):
    assert flag(config, "dry_run", True) is expected


@pytest.mark.parametrize("value", ["false", "no", 0, 1])
def test_flag_refuses_anything_but_true_or_false(value):
    with pytest.raises(ConfigError, match=r"^dry_run must be true or false, not "):
        flag({"dry_run": value}, "dry_run", False)


@pytest.mark.parametrize(("config", "expected"), [({}, 50), ({"batch_size": 1}, 1), ({"batch_size": " 500 "}, 500)])
def test_integer_gives_the_value_or_the_default(config, expected):
    assert integer(config, "batch_size", 50, minimum=1, maximum=500) == expected


@pytest.mark.parametrize("value", [0, 501, -3, "-3", "ten", 2.5, True])
def test_integer_names_the_option_and_the_range(value):
    with pytest.raises(ConfigError, match=r"^batch_size must be a whole number from 1 to 500, not "):
        integer({"batch_size": value}, "batch_size", 50, minimum=1, maximum=500)


@pytest.mark.parametrize(("config", "expected"), [
    ({}, Decimal("0.05")), ({"max_rounding": "0.10"}, Decimal("0.10")), ({"max_rounding": 1}, Decimal(1)),
])
def test_amount_is_an_exact_decimal(config, expected):
    assert amount(config, "max_rounding", "0.05", minimum=Decimal(0)) == expected


def test_amount_names_the_option_when_not_a_number_or_too_small():
    with pytest.raises(ConfigError, match=r"^max_rounding: 'abc' is not a decimal number$"):
        amount({"max_rounding": "abc"}, "max_rounding", "0.05")
    with pytest.raises(ConfigError, match=r"^max_rounding must be at least 0, not -0.01$"):
        amount({"max_rounding": "-0.01"}, "max_rounding", "0.05", minimum=Decimal(0))
