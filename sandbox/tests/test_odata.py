"""The one OData engine in both dialects: Exact's v2 (typed, WCF texts) and eAccounting's v4 subset."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from sandbox.eaccounting import odata as v4
from sandbox.exact import odata as v2

TYPES = {"Name": "Edm.String", "City": "Edm.String", "Amount": "Edm.Double", "Blocked": "Edm.Boolean",
         "ID": "Edm.Guid", "Modified": "Edm.DateTime", "Timestamp": "Edm.Int64"}
GUID = "0b6d6b2a-1111-2222-3333-444455556666"
ROWS = [
    {"Name": "O'Brien", "City": "Delft", "Amount": Decimal("10.5"), "Blocked": False, "ID": GUID,
     "Modified": datetime(2026, 1, 2, 10), "Timestamp": 7},
    {"Name": "Piet", "City": None, "Amount": Decimal(200), "Blocked": True, "ID": "x",
     "Modified": datetime(2026, 1, 3), "Timestamp": 9},
    {"Name": "kees", "City": "Utrecht", "Amount": Decimal(0), "Blocked": False, "ID": "y",
     "Modified": datetime(2025, 12, 31), "Timestamp": 11},
]
ENTITIES = [
    {"Name": "O'Brien", "City": "Delft", "Amount": Decimal("10.5"), "Blocked": False, "Id": GUID,
     "ChangedUtc": "2026-01-02T10:00:00Z", "Address": {"Country": "SE"}},
    {"Name": "Piet", "City": None, "Amount": Decimal(200), "Blocked": True, "Id": "x",
     "ChangedUtc": "2026-01-03T00:00:00Z", "Address": {"Country": "NL"}},
    {"Name": "kees", "City": "Utrecht", "Amount": Decimal(0), "Blocked": False, "Id": "y",
     "ChangedUtc": "2025-12-31T00:00:00Z", "Address": None},
]


def exact(flt: str) -> list[str]:
    node = v2.parse_filter(flt, TYPES, "Exact.Web.Api.Models.Account")
    return [r["Name"] for r in ROWS if v2.evaluate(node, r)]


def eacc(flt: str) -> list[str]:
    predicate = v4.compile_filter(flt)
    return [e["Name"] for e in ENTITIES if predicate(e)]


@pytest.mark.parametrize(("flt", "expected"), [
    ("Name eq 'o''brien'", ["O'Brien"]),  # escaped quote, case-insensitive
    ("Name eq 'x'' or Name ne ''x'", []),  # the escaped quotes keep the 'or' inside the literal
    ("Name eq 'Piet' or Name eq 'kees' and City eq 'Delft'", ["Piet"]),  # and binds tighter than or
    ("(Name eq 'Piet' or Name eq 'kees') and City eq 'Utrecht'", ["kees"]),
    ("not Name eq 'Piet' and not (City eq null)", ["O'Brien", "kees"]),  # not binds tighter than and
    ("City ne null and Amount gt 5", ["O'Brien"]),
    ("Amount ge 10.5M and Blocked eq false", ["O'Brien"]),
    ("ID eq guid'0B6D6B2A-1111-2222-3333-444455556666'", ["O'Brien"]),
    ("Modified ge datetime'2026-01-02' and Modified lt datetime'2026-01-03T00:00:01'", ["O'Brien", "Piet"]),
    ("Timestamp gt 8L", ["Piet", "kees"]),
    ("substringof('BRI', Name) or startswith(tolower(Name), 'ke')", ["O'Brien", "kees"]),
    ("Blocked", ["Piet"]),
    ("length(trim(Name)) eq 4", ["Piet", "kees"]),
])
def test_given_exact_filter_when_evaluated_then_matching_rows(flt: str, expected: list[str]) -> None:
    assert exact(flt) == expected


@pytest.mark.parametrize(("flt", "expected"), [
    ("Name eq 'o''brien'", ["O'Brien"]),
    ("Name eq 'x'' or Name ne ''x'", []),
    ("Name eq 'Piet' or Name eq 'kees' and City eq 'Delft'", ["Piet"]),
    ("(Name eq 'Piet' or Name eq 'kees') and City eq 'Utrecht'", ["kees"]),
    ("not Name eq 'Piet' and not (City eq null)", ["O'Brien", "kees"]),
    ("Amount gt 5 and Blocked eq false", ["O'Brien"]),
    (f"Id eq {GUID.upper()}", ["O'Brien"]),
    ("ChangedUtc ge 2026-01-02T10:00:00Z and ChangedUtc lt 2026-01-03T00:00:00.5Z", ["O'Brien", "Piet"]),
    ("contains(Name, 'BRI') or startswith(tolower(Name), 'ke')", ["O'Brien", "kees"]),
    ("Address/Country eq 'se'", ["O'Brien"]),
    ("Blocked", ["Piet"]),
    ("length(Name) eq 4", ["Piet", "kees"]),
])
def test_given_eaccounting_filter_when_evaluated_then_matching_entities(flt: str, expected: list[str]) -> None:
    assert eacc(flt) == expected


@pytest.mark.parametrize(("flt", "message"), [
    ("Nmae eq 'x'", "No property 'Nmae' exists in type 'Exact.Web.Api.Models.Account' at position 0."),
    ("contains(Name, 'x')", "Unknown function 'contains' at position 0 in 'contains(Name, 'x')'."),
    ("Name eq 'open", "Unterminated string literal at position 8 in 'Name eq 'open'."),
    ("Name eq 1", "Operator 'eq' incompatible with operand types 'Edm.String' and 'Edm.Int32' at position 5."),
    ("Amount", "Expression of type 'System.Boolean' expected at position 0."),
    ("ID eq guid'12'", "Unrecognized 'Edm.Guid' literal 'guid'12'' at '6' in 'ID eq guid'12''."),
    ("startswith(Name)", "No function signature for the function with name 'startswith' matches"),
    ("Name eq", "Expression expected at position 7 in 'Name eq'."),
    ("(Name eq 'x'", "Syntax error at position 12 in '(Name eq 'x''."),
    ("Name eq 'o'brien'", "Unterminated string literal at position 16"),  # 'o' brien then an open quote
])
def test_given_bad_exact_filter_when_parsed_then_wcf_text(flt: str, message: str) -> None:
    with pytest.raises(v2.ODataError) as err:
        exact(flt)
    assert message in str(err.value)


@pytest.mark.parametrize(("flt", "message"), [
    ("Nmae eq 'x'", "Could not find a property named 'Nmae'"),
    ("substringof('x', Name)", "Unknown function 'substringof'"),
    ("Rows/any(Name eq 'x')", "Lambda operators are not supported"),
    ("Name eq 'open", "Syntax error at position 8"),
    ("Name eq 1", "incompatible types"),
    ("'a' eq 'a'", "a literal is not a condition"),
    ("Name", "the expression is not a boolean"),
    ("ChangedUtc gt 2026-13-45T00:00:00Z", "Invalid datetime literal"),
    ("contains(Name)", "Function 'contains' takes 2 argument(s), got 1"),
])
def test_given_bad_eaccounting_filter_when_run_then_query_error(flt: str, message: str) -> None:
    with pytest.raises(v4.QueryError) as err:
        eacc(flt)
    assert message in str(err.value)


def test_given_orderby_when_sorting_then_nulls_first_and_case_insensitive() -> None:
    keys = v4.parse_orderby("City, Name desc")
    assert [e["Name"] for e in v4.sort_entities(ENTITIES, keys)] == ["Piet", "O'Brien", "kees"]
    for bad in ("Name sideways", "Name,", "1Name"):
        with pytest.raises(v4.QueryError):
            v4.parse_orderby(bad)
    dialect = v2.ExactDialect(TYPES, "Exact.Web.Api.Models.Account")
    assert dialect.parse_orderby("Timestamp desc, Name") == [("Timestamp", True), ("Name", False)]
    with pytest.raises(v2.ODataError, match="No property 'Rate' exists"):
        dialect.parse_orderby("Rate")


def test_given_equality_filters_when_indexing_then_terms_name_the_lookups() -> None:
    def terms(flt: str) -> Any:
        return v2.equality_terms(v2.parse_filter(flt, TYPES, "T"))

    assert terms("Name eq 'a' or Name eq 'b'") == [("Name", "a"), ("Name", "b")]
    assert terms("City eq 'x' and (Name eq 'a' or Name eq 'b')") == [("City", "x")]
    assert terms("Name ne 'a'") is None
    assert v2.fields_in(v2.parse_filter("Timestamp gt 1 and not (Name eq 'a')", TYPES, "T")) == {"Timestamp", "Name"}


def test_given_v4_datetime_literal_then_aware_utc() -> None:
    node = v4.compile_filter("ChangedUtc eq 2026-01-03T00:00:00Z")
    assert node(ENTITIES[1]) and not node(ENTITIES[0])
    assert v4._parse_datetime("2026-01-03T00:00:00") == datetime(2026, 1, 3, tzinfo=UTC)
