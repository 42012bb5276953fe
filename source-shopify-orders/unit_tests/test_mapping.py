"""Shopify GraphQL payloads -> canonical orders, customers and products, checked the way a bookkeeper would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from connector_common.model import DiscountAllocation, FulfillmentStatus, PaymentStatus, validate_order
from connector_common.records import from_record, to_record
from source_shopify_orders.mapping import legacy_id, money, rate_percent, to_customer, to_order, to_products

FIXTURES = Path(__file__).parent / "fixtures" / "shopify"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(), parse_float=D)
    return data


@pytest.mark.parametrize("name", ["orders_taxes_included_multi_rate", "orders_taxes_excluded_discounts",
                                  "orders_cancelled_refunded_b2b", "orders_pos_no_customer"])
def test_given_a_shopify_order_when_mapped_then_it_reconciles_and_survives_the_record_round_trip(name: str) -> None:
    order = to_order(load(name))
    check = validate_order(order)
    assert check.ok, check.problems
    assert from_record("orders", to_record(order)) == order


def test_given_taxes_included_and_two_rates_when_mapped_then_lines_shipping_and_tax_per_rate_are_exact() -> None:
    order = to_order(load("orders_taxes_included_multi_rate"))

    assert (order.source, order.source_id, order.reference, order.currency) == ("shopify", "5480334508245", "#1042",
                                                                                  "EUR")
    assert order.prices_include_tax is True
    scarf, coffee = order.lines
    assert (scarf.quantity, scarf.unit_price_incl, scarf.unit_price_excl) == (D(2), D("39.95"), D("33.0165"))
    assert (scarf.discount_incl, scarf.discount_excl) == (D("7.99"), D("6.60"))
    assert (scarf.tax_rate, scarf.tax_amount, scarf.total_excl, scarf.total_incl) == (D(21), D("12.48"), D("59.43"),
                                                                                      D("71.91"))
    assert (coffee.tax_rate, coffee.tax_amount, coffee.total_incl) == (D(9), D("1.37"), D("16.65"))
    assert (scarf.sku, scarf.source_variant_id, scarf.source_product_id) == ("WOOL-SCARF-GRY", "44591539011797",
                                                                             "8123456789013")
    (shipping,) = order.shipping_lines
    assert (shipping.amount_incl, shipping.amount_excl, shipping.tax_rate, shipping.tax_amount) == (
        D("4.95"), D("4.09"), D(21), D("0.86"))
    assert {t.rate: t.amount for t in order.totals.tax_lines} == {D(9): D("1.37"), D(21): D("13.34")}
    assert (order.totals.grand_total, order.totals.tax_total) == (D("93.51"), D("14.71"))
    (discount,) = order.discounts
    assert (discount.code, discount.kind, discount.allocation) == ("WELCOME10", "percentage", DiscountAllocation.LINES)
    assert discount.amount_incl == D("9.84") == order.totals.discount_incl
    assert [(a.line_id, a.amount_incl) for a in discount.allocations] == [("13884923838677", D("7.99")),
                                                                         ("13884923871445", D("1.85"))]
    assert order.payment_status is PaymentStatus.PAID and order.paid_at == datetime(2025, 3, 14, 9, 12, 43, tzinfo=UTC)
    assert order.customer is not None and order.customer.email == "sanne.devries@example.com"
    assert order.ship_to is not None and order.ship_to.country == "NL"


def test_given_taxes_excluded_with_manual_and_shipping_discounts_when_mapped_then_net_prices_stay_net() -> None:
    order = to_order(load("orders_taxes_excluded_discounts"))

    ipod, gift = order.lines
    assert (ipod.unit_price_excl, ipod.unit_price_incl) == (D("199.00"), D("210.9400"))
    assert (ipod.discount_excl, ipod.discount_incl, ipod.total_excl, ipod.tax_amount, ipod.total_incl) == (
        D("5.00"), D("5.30"), D("194.00"), D("11.64"), D("205.64"))
    assert (gift.taxable, gift.tax_rate, gift.total_incl, gift.is_service, gift.sku) == (False, D(0), D("50.00"),
                                                                                         True, None)
    (shipping,) = order.shipping_lines
    assert shipping.amount_incl == D("0.00")  # the free-shipping code is already in discountedPriceSet
    loyalty, freeship = order.discounts
    assert (loyalty.title, loyalty.kind, loyalty.amount_excl, loyalty.amount_incl) == ("Loyalty", "fixed_amount",
                                                                                      D("5.00"), D("5.30"))
    assert (freeship.code, freeship.kind, freeship.amount_incl, freeship.allocations) == ("FREESHIP", "shipping",
                                                                                         D("10.00"), ())
    assert [p.kind for p in order.payments] == ["capture"]  # the authorization moved no money
    assert order.fulfillment_status is FulfillmentStatus.FULFILLED
    assert order.billing_address is not None and order.billing_address.region == "KY"


def test_given_presentment_currency_configured_when_mapped_then_amounts_and_currency_are_the_customers() -> None:
    order = to_order(load("orders_taxes_excluded_discounts"), presentment=True)
    assert (order.currency, order.totals.grand_total, order.totals.tax_total) == ("CAD", D("345.98"), D("15.75"))


def test_given_a_cancelled_refunded_b2b_order_when_mapped_then_refund_lines_and_company_are_kept() -> None:
    order = to_order(load("orders_cancelled_refunded_b2b"))

    assert order.cancelled is True and order.cancelled_at == datetime(2025, 3, 16, 11, 29, 58, tzinfo=UTC)
    assert order.payment_status is PaymentStatus.REFUNDED
    assert order.updated_at == datetime(2025, 3, 16, 11, 30, tzinfo=UTC)  # normalised to UTC
    (refund,) = order.refunds
    (line,) = refund.lines
    assert (line.line_id, line.quantity, line.amount_incl, line.amount_excl, line.tax_amount, line.tax_rate) == (
        "13884923900001", D(2), D("25.90"), D("21.40"), D("4.50"), D(21))
    assert (refund.shipping_incl, refund.adjustment_incl, refund.total_incl) == (D("4.95"), D("0.00"), D("30.85"))
    assert refund.note == "Changed my mind"
    assert order.totals.refunded_total == D("30.85")
    assert [(p.kind, p.amount) for p in order.payments] == [("sale", D("30.85")), ("refund", D("30.85"))]
    assert order.customer is not None
    assert (order.customer.company_name, order.customer.vat_number, order.customer.is_company) == (
        "Koffie Handel B.V.", "NL823761954B01", True)
    assert order.tags == ("returning", "vip")


def test_given_a_pos_sale_without_customer_when_mapped_then_it_has_no_customer_nor_addresses() -> None:
    order = to_order(load("orders_pos_no_customer"))
    assert (order.customer, order.billing_address, order.shipping_address, order.ship_to) == (None, None, None, None)
    assert order.channel == "pos" and order.shipping_lines == ()
    assert order.lines[0].is_service is True


def test_given_totals_that_do_not_add_up_when_validated_then_the_difference_is_reported_to_the_cent() -> None:
    raw = load("orders_taxes_included_multi_rate")
    raw["totalPriceSet"]["shopMoney"]["amount"] = "93.52"
    check = validate_order(to_order(raw))
    assert not check.ok and check.difference == D("0.01")


def test_given_a_line_with_two_tax_lines_when_mapped_then_the_rates_add_up_and_the_check_reports_the_split() -> None:
    raw = load("orders_taxes_excluded_discounts")
    ipod = raw["lineItems"]["nodes"][0]
    ipod["taxLines"] = [{"rate": D("0.05"), "ratePercentage": D("5.0"), "title": "GST", "priceSet": {
        "shopMoney": {"amount": "9.70", "currencyCode": "USD"}}}, {"rate": D("0.01"), "title": "PST", "priceSet": {
            "shopMoney": {"amount": "1.94", "currencyCode": "USD"}}}]
    order = to_order(raw)
    assert (order.lines[0].tax_rate, order.lines[0].tax_amount) == (D(6), D("11.64"))


def test_given_float_like_rates_when_converted_then_percentages_are_exact() -> None:
    assert rate_percent({"rate": D("0.055")}) == D("5.5")
    assert rate_percent({"ratePercentage": D("21.0")}) == D(21)
    assert str(rate_percent({"rate": D("0.2")})) == "20"
    assert money({"shopMoney": {"amount": "0.0"}}) == D("0.00") and str(money({"shopMoney": {"amount": "0.0"}})) \
        == "0.00"
    with pytest.raises(ValueError, match="float"):
        money({"shopMoney": {"amount": 12.1}})
    assert legacy_id("gid://shopify/InventoryLevel/97912455357?inventory_item_id=1") == "97912455357"


def test_given_a_customer_node_when_mapped_then_the_default_address_and_company_are_kept() -> None:
    customer = to_customer(load("customers_with_address"))
    assert (customer.source_id, customer.email, customer.company_name, customer.is_company) == (
        "207119551", "bob.norman@mail.example.com", "Norman Supplies", True)
    assert customer.address is not None and (customer.address.city, customer.address.country) == ("Louisville", "US")
    assert customer.updated_at == datetime(2024, 11, 6, 13, 30, tzinfo=UTC)


def test_given_a_product_with_variants_when_mapped_then_each_variant_is_one_sellable_product() -> None:
    products = to_products(load("products_with_variants"), taxes_included=False, default_tax_rate=D(21))
    assert [(p.source_id, p.sku, p.variant_title) for p in products] == [
        ("808950810", "IPOD2008PINK", "Pink"), ("49148385", "IPOD2008RED", "Red"), ("39072856", "GIFT-25", None)]
    pink, _, gift = products
    assert (pink.product_id, pink.price_excl, pink.price_incl, pink.tax_rate) == ("632910392", D("199.00"),
                                                                                  D("240.7900"), D(21))
    assert (gift.price_excl, gift.price_incl, gift.tax_rate) == (D("25.00"), D("25.0000"), D(0))
    assert all(from_record("products", to_record(p)) == p for p in products)
