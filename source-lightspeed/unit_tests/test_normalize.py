"""Retail's XML-born JSON normalised in one place: objects vs lists, empty relations, strings to numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from source_lightspeed.normalize import normalize_retail


def test_given_one_result_as_object_when_normalised_then_a_list_of_one():
    body = {"@attributes": {"next": ""}, "Sale": {"saleID": "1", "SaleLines": {"SaleLine": {"saleLineID": "9"}}}}

    (sale,) = normalize_retail("Sale", body)

    assert sale["SaleLines"] == [{"saleLineID": "9"}]


def test_given_several_children_when_normalised_then_the_list_is_kept_in_order():
    body = {"Sale": [{"saleID": "1", "SaleLines": {"SaleLine": [{"saleLineID": "1"}, {"saleLineID": "2"}]}},
                     {"saleID": "2"}]}

    sales = normalize_retail("Sale", body)

    assert [s["saleID"] for s in sales] == ["1", "2"]
    assert [line["saleLineID"] for line in sales[0]["SaleLines"]] == ["1", "2"]


@pytest.mark.parametrize("empty", ["", None, {}])
def test_given_empty_relation_when_normalised_then_empty_list(empty):
    (customer,) = normalize_retail("Customer", {"Customer": {"customerID": "3", "Contact": {"Emails": empty}}})

    assert customer["Contact"]["Emails"] == []


def test_given_empty_page_without_the_resource_key_when_normalised_then_no_records():
    assert normalize_retail("Sale", {"@attributes": {"next": "", "previous": ""}}) == []


def test_given_strings_when_normalised_then_booleans_decimals_and_missing_ids_are_typed():
    body = {"Sale": {"saleID": "5", "completed": "true", "voided": "false", "calcTotal": "51.73875",
                     "customerID": "0", "referenceNumber": "0012", "tax1Rate": "0.21"}}

    (sale,) = normalize_retail("Sale", body)

    assert sale["completed"] is True and sale["voided"] is False
    assert sale["calcTotal"] == Decimal("51.73875") and isinstance(sale["calcTotal"], Decimal)
    assert sale["customerID"] is None and sale["saleID"] == "5"
    assert sale["referenceNumber"] == "0012"  # not a numeric field: kept verbatim


def test_given_garbage_in_a_numeric_field_when_normalised_then_it_names_the_field():
    with pytest.raises(ValueError, match="calcTotal"):
        normalize_retail("Sale", {"Sale": {"calcTotal": "12,50"}})
