"""PURE mappings: Exact rows (fixtures written from picqer's entity files and Exact's reference) -> canonical models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector_common.errors import RecordError
from connector_common.model import ShipmentLine
from connector_common.records import from_record, to_record
from source_exact_online.mapping import (
    OrderRef,
    default_price,
    parse_booking_reference,
    to_customer,
    to_product,
    to_shipment,
    to_stock_level,
    tracking_url,
)

FIXTURES = Path(__file__).parent / "fixtures" / "exact"
OBSERVED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ORDER = OrderRef("shopify", "#1001")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(), parse_float=Decimal)


# -- stock ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("figure", "available"), [("free", "9.0"), ("current", "12.0"), ("projected", "14.0")])
def test_given_stock_position_when_mapped_then_available_is_the_configured_figure(figure: str, available: str) -> None:
    level = to_stock_level(fixture("stock_positions_reserved"), figure=figure, observed_at=OBSERVED)

    assert level.available == Decimal(available)
    assert (level.on_hand, level.reserved, level.planned_in, level.planned_out) == (
        Decimal(12), Decimal(3), Decimal(5), Decimal(3))
    assert (level.sku, level.location, level.location_name) == ("CANVAS-TEE-M", "1", "Hoofdmagazijn")
    assert level.source_id == "8f1c3b52-79a5-4c7e-a0a4-2d9f8e1b0c11@1"
    assert level.updated_at == OBSERVED
    assert from_record("stock_levels", to_record(level)) == level  # the shipped schema accepts it


def test_given_stock_position_without_free_stock_when_mapped_then_missing_figures_are_zero() -> None:
    row = fixture("stock_positions_reserved") | {"FreeStock": None, "PlanningIn": None}

    level = to_stock_level(row, figure="free", observed_at=OBSERVED)

    assert (level.available, level.planned_in) == (Decimal(0), Decimal(0))


@pytest.mark.parametrize(("change", "field"), [({"ItemCode": "  "}, "ItemCode"), ({"WarehouseCode": None}, "WarehouseCode"),
                                                ({"FreeStock": "veel"}, "FreeStock"), ({"CurrentStock": True}, "CurrentStock")])
def test_given_bad_stock_position_when_mapped_then_error_names_record_and_field(change: dict[str, Any],
                                                                               field: str) -> None:
    with pytest.raises(RecordError) as caught:
        to_stock_level(fixture("stock_positions_reserved") | change, figure="free", observed_at=OBSERVED)

    assert caught.value.stream == "stock_levels" and caught.value.field == field
    assert "8f1c3b52-79a5-4c7e-a0a4-2d9f8e1b0c11" in caught.value.key


# -- shipments ------------------------------------------------------------------------------------------------
def test_given_goods_delivery_when_mapped_then_shipment_of_the_shop_order_with_delivered_lines() -> None:
    data = fixture("goods_deliveries_partial")

    shipment = to_shipment(data["delivery"], data["lines"], ORDER, shipping_method=data["shipping_method"])

    assert (shipment.order_source, shipment.order_reference) == ("shopify", "#1001")
    assert shipment.lines == (ShipmentLine(sku="CANVAS-TEE-M", quantity=Decimal("2.0"), title="Canvas T-shirt M"),)
    assert shipment.tracking_number == "3SABCD123456789"
    assert shipment.tracking_url == "https://postnl.example/track?code=3SABCD123456789"
    assert (shipment.carrier, shipment.delivery_number) == ("PostNL", "17")
    assert shipment.shipped_at == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)  # 10:00 CEST wall-clock
    assert shipment.updated_at == datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    assert from_record("shipments", to_record(shipment)) == shipment  # the shipped schema accepts it


def test_given_delivery_without_header_tracking_when_mapped_then_the_lines_number_is_used() -> None:
    data = fixture("goods_deliveries_partial")
    header = data["delivery"] | {"TrackingNumber": None, "ShippingMethodDescription": None}

    shipment = to_shipment(header, data["lines"], ORDER)

    assert (shipment.tracking_number, shipment.tracking_url, shipment.carrier) == ("3SABCD123456789", None, "POSTNL")


def test_given_delivery_with_nothing_delivered_when_mapped_then_error_names_the_delivery() -> None:
    data = fixture("goods_deliveries_partial")

    with pytest.raises(RecordError) as caught:
        to_shipment(data["delivery"], [data["lines"][0]], ORDER)

    assert caught.value.stream == "shipments" and caught.value.key == "c0ffee00-1234-4bcd-9876-00000000abcd"
    assert caught.value.field == "GoodsDeliveryLines"


@pytest.mark.parametrize(("your_ref", "expected"), [
    ("shopify:#1001", OrderRef("shopify", "#1001")),
    (" lightspeed_ecom:100234 ", OrderRef("lightspeed_ecom", "100234")),
    ("shopify:#1001/R77", None),  # a refund's credit document, not an order
    ("PO-2024-17", None),  # typed by a user: not booked by us
    ("", None), (None, None),
])
def test_given_your_ref_when_parsed_then_only_our_booking_references_are_orders(your_ref: str | None,
                                                                                expected: OrderRef | None) -> None:
    assert parse_booking_reference(your_ref) == expected


@pytest.mark.parametrize(("template", "number", "url"), [
    ("https://t.example/?c=", "AB1", "https://t.example/?c=AB1"),
    ("https://t.example/{0}/nl", "AB1", "https://t.example/AB1/nl"),
    ("https://t.example/?c=", None, None),
    (None, "AB1", None),
])
def test_given_tracking_template_when_filled_then_number_is_placed(template: str | None, number: str | None,
                                                                   url: str | None) -> None:
    assert tracking_url(template, number) == url


# -- products -------------------------------------------------------------------------------------------------
def test_given_item_prices_when_default_price_then_current_normal_price_not_agreement_or_staffel() -> None:
    data = fixture("items_with_prices")

    assert default_price(data["prices"], on=OBSERVED)["ID"] == "p-now"
    assert default_price(data["prices"], on=datetime(2024, 2, 1, tzinfo=UTC))["ID"] == "p-old"
    assert default_price(data["prices"][2:], on=OBSERVED) is None


@pytest.mark.parametrize(("vat_code", "excl", "incl", "rate"), [
    ("2  ", "20.66", "25.00", "21"),  # excluding code: Exact's price is excl. VAT
    ("4", "17.07", "20.66", "21"),  # including code (Type I): the price is incl. VAT
    ("1", "20.66", "22.52", "9"),
])
def test_given_item_when_mapped_then_product_with_prices_per_vat_code(vat_code: str, excl: str, incl: str,
                                                                      rate: str) -> None:
    data = fixture("items_with_prices")
    item = data["item"] | {"SalesVatCode": vat_code}

    product = to_product(item, default_price(data["prices"], on=OBSERVED), data["vat_codes"], on=OBSERVED)

    assert (product.price_excl, product.price_incl, product.tax_rate) == (Decimal(excl), Decimal(incl), Decimal(rate))
    assert (product.sku, product.title, product.description) == ("CANVAS-TEE-M", "Canvas T-shirt M", "100% katoen")
    assert (product.product_group, product.barcode, product.active) == ("Kleding", "8712345678906", True)
    assert product.created_at == datetime(2023, 12, 31, 23, 0, tzinfo=UTC)
    assert product.updated_at == datetime(2024, 2, 29, 23, 0, tzinfo=UTC)  # the price changed after the item
    assert from_record("products", to_record(product)) == product  # the shipped schema accepts it


def test_given_item_past_end_date_or_not_sold_when_mapped_then_inactive_with_price_zero() -> None:
    data = fixture("items_with_prices")

    ended = to_product(data["item"] | {"EndDate": "/Date(1709251200000)/"}, None, data["vat_codes"], on=OBSERVED)
    not_sold = to_product(data["item"] | {"IsSalesItem": False}, None, data["vat_codes"], on=OBSERVED)

    assert (ended.active, not_sold.active) == (False, False)
    assert (ended.price_excl, ended.price_incl) == (Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize(("change", "field"), [({"Code": ""}, "Code"), ({"SalesVatCode": "99"}, "SalesVatCode"),
                                                ({"Modified": "gisteren"}, "Modified")])
def test_given_bad_item_when_mapped_then_error_names_record_and_field(change: dict[str, Any], field: str) -> None:
    data = fixture("items_with_prices")

    with pytest.raises(RecordError) as caught:
        to_product(data["item"] | change, None, data["vat_codes"], on=OBSERVED)

    assert caught.value.stream == "products" and caught.value.field == field
    assert "8f1c3b52-79a5-4c7e-a0a4-2d9f8e1b0c11" in caught.value.key


# -- customers ------------------------------------------------------------------------------------------------
def test_given_company_account_when_mapped_then_company_customer_with_contact_person_and_email() -> None:
    data = fixture("accounts_company_and_private")["company"]

    customer = to_customer(data["account"], data["contact"])

    assert (customer.is_company, customer.company_name, customer.vat_number) == (
        True, "De Vries Bouw B.V.", "NL001234567B01")
    assert (customer.first_name, customer.last_name) == ("Pieter", "de Vries")
    assert customer.email == "pieter@devriesbouw.example"  # the account has none: the main contact's
    assert customer.address is not None
    assert (customer.address.line1, customer.address.postcode, customer.address.country) == (
        "Damrak 1", "1012 LG", "NL")
    assert customer.updated_at == datetime(2024, 2, 29, 23, 0, tzinfo=UTC)  # the contact changed last
    assert from_record("customers", to_record(customer)) == customer  # the shipped schema accepts it


def test_given_private_account_without_contact_when_mapped_then_person_named_by_the_account() -> None:
    data = fixture("accounts_company_and_private")["private"]

    customer = to_customer(data["account"], None)

    assert (customer.is_company, customer.company_name) == (False, None)
    assert (customer.first_name, customer.last_name, customer.email) == (None, "Anna Jansen", "anna@example.org")
    assert customer.address is not None and customer.address.country == "NL"
    assert from_record("customers", to_record(customer)) == customer  # the shipped schema accepts it


def test_given_account_with_unknown_country_when_mapped_then_error_names_record_and_field() -> None:
    data = fixture("accounts_company_and_private")["private"]

    with pytest.raises(RecordError) as caught:
        to_customer(data["account"] | {"Country": "XX"}, None)

    assert (caught.value.stream, caught.value.key, caught.value.field) == (
        "customers", "a2222222-2222-3333-4444-555555555555", "Country")
