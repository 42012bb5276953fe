"""Wire helpers: exact JSON numbers, OData literals that cannot change a query, e-mail keys."""

import json
from decimal import Decimal

import pytest

from connector_common.wire import email_key, json_dumps, odata_any_eq, odata_string


def test_json_dumps_writes_decimals_as_exact_numbers():
    text = json_dumps({"a": Decimal("12.10"), "b": [Decimal("-0.005"), Decimal("1E+2")], "c": "x", "d": None})
    assert text == '{"a": 12.10, "b": [-0.005, 100], "c": "x", "d": null}'
    assert json.loads(text, parse_float=Decimal)["a"] == Decimal("12.10")


def test_json_dumps_refuses_floats_never_silently():
    assert json_dumps({"q": 1}) == '{"q": 1}'
    with pytest.raises(ValueError):
        json_dumps({"x": Decimal("NaN")})


def test_odata_literals_escape_quotes():
    assert odata_string("o'brien@example.com") == "'o''brien@example.com'"
    assert odata_string("x' or 1 eq 1 or 'a") == "'x'' or 1 eq 1 or ''a'"


def test_odata_any_eq_chunks():
    parts = list(odata_any_eq("YourRef", [f"r{i}" for i in range(5)], chunk=2))
    assert parts == ["YourRef eq 'r0' or YourRef eq 'r1'", "YourRef eq 'r2' or YourRef eq 'r3'", "YourRef eq 'r4'"]


def test_email_key():
    assert email_key("  O'Brien@Example.COM ") == "o'brien@example.com"
    assert email_key("  ") is None and email_key(None) is None
