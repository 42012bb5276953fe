"""K-Series financial-api sales -> canonical orders, customers and products (fixtures from Lightspeed's documented
field examples, [K-FIN2] `financial-apiSale`/`Line`/`Payment`; `sales_documented_example.json` sets the example's
`totalDiscountAmount` 1.00 to 0.00, the one value the other examples do not add up with)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector_common.errors import RecordError
from connector_common.model import FulfillmentStatus, PaymentStatus, TaxLine, validate_order
from connector_common.records import to_record
from source_lightspeed import kseries

FIXTURES = Path(__file__).parent / "fixtures" / "lightspeed_kseries"
LONDON = kseries.KSeriesLocation(location_id="45454565682155", name="Burger Bar", country="GB", currency="GBP")
AMSTERDAM = kseries.KSeriesLocation(location_id="45454565682155", name="De Gouden Lepel", country="NL",
                                    currency="EUR")


def sale(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)["sales"][0]


def test_given_the_documented_example_when_mapped_then_item_and_apportioned_service_charge_add_up_to_the_payment():
    order = kseries.kseries_sale(sale("sales_documented_example.json"), location=LONDON)

    assert validate_order(order).ok, validate_order(order).problems
    assert (order.source, order.source_id, order.reference) == ("lightspeed_kseries", "A65315.17", "R65315.13")
    item, service = order.lines
    assert (item.title, item.sku, item.quantity) == ("Burger Double Cheese", "52", Decimal("1.000"))
    assert (item.total_incl, item.total_excl, item.tax_amount, item.tax_rate) == (
        Decimal("10.00"), Decimal("8.33"), Decimal("1.67"), Decimal("20"))
    # APPORTIONED: the service charge carries the VAT rate of the line it belongs to
    assert service.is_service and service.sku == "SERVICE" and service.taxable
    assert (service.total_incl, service.tax_rate, service.tax_amount) == (Decimal("1.00"), Decimal("20"),
                                                                         Decimal("0.17"))
    assert order.totals.grand_total == Decimal("11.00") == sum(p.amount for p in order.payments)
    assert order.totals.tax_lines == (TaxLine(rate=Decimal("20"), amount=Decimal("1.84")),)
    assert order.payment_status is PaymentStatus.PAID and order.currency == "GBP" and order.channel == "pos"
    assert [(p.gateway, p.amount) for p in order.payments] == [("Cash", Decimal("11.00"))]
    assert order.customer is not None and order.customer.source_id == "120913"
    assert (order.customer.company_name, order.customer.vat_number) == ("Company Name", "123456789")
    assert order.billing_address is not None and order.billing_address.postcode == "12345"
    assert "table:1" in order.tags


def test_given_an_untaxed_service_charge_when_mapped_then_it_is_a_zero_rate_line():
    raw = sale("sales_documented_example.json")
    raw["salesLines"][0]["serviceChargeType"] = "UNTAXED"

    order = kseries.kseries_sale(raw, location=LONDON, service_sku="SRV")

    service = order.lines[-1]
    assert (service.sku, service.tax_rate, service.tax_amount, service.total_incl) == (
        "SRV", Decimal("0"), Decimal("0.00"), Decimal("1.00"))
    assert validate_order(order).ok


def test_given_a_split_bill_with_a_card_tip_and_a_voided_line_when_mapped_then_each_payment_and_a_vat_free_tip():
    order = kseries.kseries_sale(sale("sales_split_bill_tip_void.json"), location=AMSTERDAM, tip_sku="FOOI")

    assert validate_order(order).ok, validate_order(order).problems
    food, beer, void, tip = order.lines
    assert (food.tax_rate, food.total_incl, food.discount_incl) == (Decimal("9"), Decimal("15.30"), Decimal("1.70"))
    assert (beer.tax_rate, beer.total_incl) == (Decimal("21"), Decimal("11.40"))
    assert (void.quantity, void.total_incl, void.tax_amount) == (Decimal("-1.000"), Decimal("-3.80"), Decimal("-0.66"))
    assert "void: Wrong order" in void.title
    # the tip is no revenue at the food rate: its own line, outside the scope of VAT
    assert (tip.sku, tip.total_incl, tip.tax_rate, tip.tax_amount, tip.taxable) == (
        "FOOI", Decimal("2.50"), Decimal("0"), Decimal("0.00"), False)
    assert [(p.gateway, p.amount) for p in order.payments] == [("Cash", Decimal("11.45")),
                                                               ("PIN / card", Decimal("13.95"))]
    assert order.totals.grand_total == Decimal("25.40") == sum(p.amount for p in order.payments)
    assert order.totals.tax_lines == (TaxLine(rate=Decimal("0"), amount=Decimal("0.00")),
                                      TaxLine(rate=Decimal("9"), amount=Decimal("1.26")),
                                      TaxLine(rate=Decimal("21"), amount=Decimal("1.32")))
    assert order.customer is None  # a walk-in guest: the destination books it on the default debtor
    assert order.payment_status is PaymentStatus.PAID


def test_given_a_refund_account_when_mapped_then_a_negative_refunded_order_pointing_at_the_original():
    order = kseries.kseries_sale(sale("sales_refund.json"), location=LONDON)

    assert validate_order(order).ok, validate_order(order).problems
    assert order.payment_status is PaymentStatus.REFUNDED
    assert order.fulfillment_status is FulfillmentStatus.RETURNED
    assert order.totals.grand_total == Decimal("-10.00") and order.totals.refunded_total == Decimal("10.00")
    assert [(p.kind, p.amount) for p in order.payments] == [("refund", Decimal("-10.00"))]
    assert order.note == "refund of A65315.13"


@pytest.mark.parametrize(("changes", "cancelled"), [({"type": "CANCEL"}, True), ({"type": "VOID"}, True),
                                                    ({"cancelled": True}, True), ({"type": "SPLIT"}, False)])
def test_given_an_account_type_when_mapped_then_cancelled_follows_it(changes: dict[str, Any], cancelled: bool):
    raw = {**sale("sales_documented_example.json"), **changes}

    order = kseries.kseries_sale(raw, location=LONDON)

    assert order.cancelled is cancelled
    assert (order.payment_status is PaymentStatus.VOIDED) is cancelled


def test_given_an_amount_that_is_not_a_number_when_mapped_then_the_error_names_the_sale_and_field():
    raw = copy.deepcopy(sale("sales_documented_example.json"))
    raw["salesLines"][0]["taxAmount"] = "1,67"

    with pytest.raises(RecordError) as err:
        kseries.kseries_sale(raw, location=LONDON)

    assert "A65315.17" in str(err.value) and "salesLines[0].taxAmount" in str(err.value)


def test_given_a_sale_with_a_guest_when_customers_and_products_are_read_then_one_of_each_and_valid_records():
    raw = sale("sales_documented_example.json")

    customers = kseries.kseries_customers(raw, "GB")
    products = kseries.kseries_products(raw)

    assert [(c.source_id, c.email, c.is_company) for c in customers] == [("120913", "example@example.com", True)]
    assert [(p.sku, p.price_incl, p.tax_rate, p.product_group) for p in products] == [
        ("52", Decimal("10.00"), Decimal("20"), "Food")]
    assert to_record(customers[0])["source"] == to_record(products[0])["source"] == "lightspeed_kseries"
