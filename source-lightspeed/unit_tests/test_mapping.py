"""Mapping of documented-shape eCom and Retail payloads to canonical orders, customers and products."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector_common.errors import RecordError
from connector_common.model import DiscountAllocation, FulfillmentStatus, PaymentStatus, TaxLine, validate_order
from connector_common.records import from_record, to_record
from source_lightspeed import ecom as ecom_map
from source_lightspeed import mapping, retail
from source_lightspeed.normalize import normalize_retail

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


@pytest.fixture
def ecom() -> dict[str, Any]:
    return load("lightspeed_ecom/orders_multi_rate_discount.json")


def test_given_multi_rate_discounted_order_when_mapped_then_lines_shipping_fee_and_tax_per_rate_add_up(ecom):
    order = ecom_map.ecom_order(ecom["order"], ecom["orderProducts"], currency="EUR")

    assert validate_order(order).ok
    assert order.reference == "ORD04211" and order.currency == "EUR"
    assert [line.tax_rate for line in order.lines] == [Decimal(21), Decimal(9)]
    assert order.lines[0].title == "Men's Jeans - 32/32" and order.lines[1].title == "Stroopwafels tin"
    assert order.lines[1].quantity == 5 and order.lines[1].total_incl == Decimal("37.35")
    assert [(s.title, s.amount_incl) for s in order.shipping_lines] == [("PostNL", Decimal("4.95")),
                                                                         ("Payment fee: iDEAL", Decimal("0.50"))]
    assert order.totals.tax_lines == (TaxLine(rate=Decimal(9), amount=Decimal("3.08")),
                                      TaxLine(rate=Decimal(21), amount=Decimal("14.86")))
    assert order.totals.grand_total == Decimal("122.90") and order.totals.tax_total == Decimal("17.94")
    (discount,) = order.discounts
    assert discount.code == "WELCOME10" and discount.allocation is DiscountAllocation.LINES
    assert discount.amount_incl == Decimal("9.00")
    assert order.payment_status is PaymentStatus.PAID and order.fulfillment_status is FulfillmentStatus.FULFILLED
    assert order.customer is not None and order.customer.source_id == "77"
    assert order.billing_address is not None and order.billing_address.house_number == "12A"
    assert order.billing_address.country == "NL" and order.billing_address.first_name == "Zoë"


def test_given_order_when_mapped_then_record_round_trips_through_the_canonical_schema(ecom):
    order = ecom_map.ecom_order(ecom["order"], ecom["orderProducts"], currency="EUR")

    assert from_record("orders", to_record(order)) == order
    assert to_record(order)["totals"]["grand_total"] == "122.90"


def test_given_order_discount_not_on_the_lines_when_mapped_then_it_is_an_unallocated_order_discount(ecom):
    raw = copy.deepcopy(ecom["order"])
    raw.update(discountAmount=Decimal("14.00"), priceIncl=Decimal("117.90"), priceExcl=Decimal("100.83"),
               taxRates=[{"rate": Decimal("0.21"), "amount": Decimal("13.99")},
                         {"rate": Decimal("0.09"), "amount": Decimal("3.08")}])

    order = ecom_map.ecom_order(raw, ecom["orderProducts"], currency="EUR")

    unallocated = [d for d in order.discounts if d.allocation is DiscountAllocation.ORDER]
    assert [(d.amount_incl, d.tax_rate, d.tax_amount) for d in unallocated] == [(Decimal("5.00"), Decimal(21),
                                                                                  Decimal("0.87"))]
    assert validate_order(order).ok


def test_given_refunded_line_when_mapped_then_a_refund_carries_it_and_payment_is_partially_refunded(ecom):
    lines = copy.deepcopy(ecom["orderProducts"])
    lines[1].update(quantityRefunded=2)

    order = ecom_map.ecom_order(ecom["order"], lines, currency="EUR")

    (refund,) = order.refunds
    assert [(r.line_id, r.quantity, r.amount_incl) for r in refund.lines] == [("9002", 2, Decimal("14.94"))]
    assert order.totals.refunded_total == Decimal("14.94")
    assert order.payment_status is PaymentStatus.PARTIALLY_REFUNDED


def test_given_every_line_returned_and_refunded_when_mapped_then_order_is_refunded_and_returned(ecom):
    lines = copy.deepcopy(ecom["orderProducts"])
    for line in lines:
        line.update(quantityRefunded=line["quantityOrdered"], quantityReturned=line["quantityOrdered"])

    order = ecom_map.ecom_order(ecom["order"], lines, currency="EUR")

    assert order.payment_status is PaymentStatus.REFUNDED
    assert order.fulfillment_status is FulfillmentStatus.RETURNED


def test_given_guest_checkout_and_cancelled_order_when_mapped_then_no_customer_id_and_flagged(ecom):
    raw = copy.deepcopy(ecom["order"])
    raw.update(status="cancelled", paymentStatus="cancelled", customer={"resource": {"id": False, "url": ""}})

    order = ecom_map.ecom_order(raw, ecom["orderProducts"], currency="EUR")

    assert order.cancelled and order.payment_status is PaymentStatus.VOIDED
    assert order.customer is not None and order.customer.source_id is None
    assert order.customer.email == "zoe@example.nl"


def test_given_prices_excluding_tax_when_mapped_then_the_flag_is_kept_and_amounts_unchanged(ecom):
    order = ecom_map.ecom_order(ecom["order"], ecom["orderProducts"], currency="EUR", prices_include_tax=False)

    assert order.prices_include_tax is False
    assert order.lines[0].unit_price_excl == Decimal("73.55") and validate_order(order).ok


def test_given_a_float_amount_when_mapped_then_it_is_refused_naming_order_and_line(ecom):
    lines = copy.deepcopy(ecom["orderProducts"])
    lines[0]["priceIncl"] = 80.1

    with pytest.raises(RecordError) as info:
        ecom_map.ecom_order(ecom["order"], lines, currency="EUR")

    assert "4211 (ORD04211)" in str(info.value) and "lines/9001.priceIncl" in str(info.value)


@pytest.mark.parametrize(("fraction", "expected"), [
    (Decimal("0.21"), "21"), ("0.055", "5.5"), (Decimal("0.2"), "20"), (0, "0"), (False, "0"), ("0.09", "9"),
])
def test_given_lightspeed_fraction_when_converted_then_it_is_a_clean_percentage(fraction, expected):
    assert str(mapping.percent(fraction)) == expected


def test_given_walk_in_pos_sale_with_one_line_when_mapped_then_no_customer_and_payment_by_pin():
    (raw,) = normalize_retail("Sale", load("lightspeed_retail/sale_walk_in_single_line.json"))

    order = retail.retail_sale(raw, currency="EUR")

    assert order.customer is None  # booked on the destination's default debtor
    assert order.channel == "pos" and order.reference == "220000005012"
    (line,) = order.lines
    assert (line.quantity, line.unit_price_incl, line.total_incl, line.tax_amount, line.tax_rate) == (
        Decimal(2), Decimal("19.97"), Decimal("39.94"), Decimal("6.93"), Decimal(21))
    assert line.sku == "LAMP-SET" and line.title == "Bicycle lamp set"
    assert [(p.gateway, p.amount) for p in order.payments] == [("PIN", Decimal("39.94"))]
    assert order.payment_status is PaymentStatus.PAID and order.paid_at is not None
    assert validate_order(order).ok


def test_given_tax_exclusive_return_sale_when_mapped_then_negative_lines_and_refund_status():
    (raw,) = normalize_retail("Sale", load("lightspeed_retail/sale_return_tax_exclusive.json"))

    order = retail.retail_sale(raw, currency="EUR")

    assert validate_order(order).ok
    assert order.prices_include_tax is False
    assert [line.quantity for line in order.lines] == [Decimal(-1), Decimal(-1)]
    assert order.lines[0].unit_price_excl == Decimal("25.00") and order.lines[0].unit_price_incl == Decimal("30.2500")
    assert order.lines[1].title == "Miscellaneous" and order.lines[1].discount_excl == Decimal("1.23")
    assert order.totals.grand_total == Decimal("-46.49") and order.totals.refunded_total == Decimal("46.49")
    assert order.payment_status is PaymentStatus.REFUNDED and order.fulfillment_status is FulfillmentStatus.RETURNED
    assert order.customer is not None and order.customer.company_name == "Fietsen B.V."
    assert order.customer.email == "jan@fietsen.nl" and order.customer.vat_number == "NL123456789B01"
    assert {t.rate: t.amount for t in order.totals.tax_lines} == {Decimal(9): Decimal("-1.24"),
                                                                   Decimal(21): Decimal("-5.25")}


def test_given_voided_sale_when_mapped_then_it_is_cancelled_and_voided():
    (raw,) = normalize_retail("Sale", load("lightspeed_retail/sale_walk_in_single_line.json"))

    order = retail.retail_sale({**raw, "voided": True}, currency="EUR")

    assert order.cancelled and order.payment_status is PaymentStatus.VOIDED


def test_given_ecom_variant_and_product_when_mapped_then_one_product_per_sku_with_the_tax_table_rate():
    variant = {"id": 24, "createdAt": "2023-01-01T10:00:00+01:00", "updatedAt": "2023-02-01T10:00:00+01:00",
               "sku": "JEANS-3232", "articleCode": "J1", "ean": "8712345000011", "title": "32/32",
               "priceExcl": Decimal("73.55"), "priceIncl": Decimal("89.00"),
               "tax": {"resource": {"id": 1, "url": "taxes/1"}}, "product": {"resource": {"id": 14, "url": "products/14"}}}
    product = {"id": 14, "title": "Men's Jeans", "description": "Denim", "isVisible": True}

    result = ecom_map.ecom_product(variant, product, {"1": Decimal(21)})

    assert (result.source_id, result.product_id, result.sku, result.title, result.variant_title) == (
        "24", "14", "JEANS-3232", "Men's Jeans", "32/32")
    assert result.tax_rate == Decimal(21) and result.barcode == "8712345000011" and result.active


def test_given_ecom_customer_with_company_when_mapped_then_address_and_vat_number_are_kept():
    raw = {"id": 77, "createdAt": "2023-06-01T10:00:00+02:00", "updatedAt": "2023-06-02T10:00:00+02:00",
           "email": "inkoop@bloem.nl", "firstname": "Sanne", "lastname": "Bakker", "isCompany": True,
           "companyName": "Bloem B.V.", "companyVatNumber": "NL001234567B01", "addressBillingName": "Sanne Bakker",
           "addressBillingStreet": "Coolsingel", "addressBillingNumber": "40", "addressBillingZipcode": "3011 AD",
           "addressBillingCity": "Rotterdam", "addressBillingCountry": {"code": "nl"}, "phone": "", "mobile": "+31 6 1"}

    customer = ecom_map.ecom_customer(raw)

    assert customer.is_company and customer.vat_number == "NL001234567B01" and customer.phone == "+31 6 1"
    assert customer.address is not None and customer.address.city == "Rotterdam" and customer.address.country == "NL"


def test_given_documented_tax_category_when_read_then_both_taxes_add_up_and_classes_override_the_rate():
    category = normalize_retail("TaxCategory", load("lightspeed_retail/taxcategory_with_classes.json"))[0]

    rates = retail.retail_tax_rates(category)

    assert rates.category_id == "1" and rates.inclusive is False
    assert rates.default == Decimal("14.975")  # tax1Rate 0.05 + tax2Rate 0.09975
    assert rates.rate_for("2") == Decimal(0) and rates.rate_for("4") == Decimal(5)
    assert rates.rate_for("1") == rates.rate_for(None) == Decimal("14.975")  # no own class: the category rate
    item = {"itemID": "20", "tax": True, "taxClassID": "4", "timeStamp": "2021-03-03T13:51:56+00:00",
            "Prices": [{"amount": Decimal("100"), "useType": "Default"}]}
    product = retail.retail_product(item, tax_rate=rates.rate_for(item["taxClassID"]),
                                     prices_include_tax=rates.inclusive)
    assert (product.tax_rate, product.price_excl, product.price_incl) == (Decimal(5), Decimal(100), Decimal(105))
