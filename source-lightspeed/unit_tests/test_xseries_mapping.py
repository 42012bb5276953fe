"""X-Series API 2.0 sales, customers and products -> the canonical model (the return is Lightspeed's documented
example, [X-SALES] `initReturnSale`; the other payloads follow its field names and public 2.0 clients)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector_common.errors import RecordError
from connector_common.model import FulfillmentStatus, PaymentStatus, TaxLine, validate_order
from source_lightspeed import xseries

FIXTURES = Path(__file__).parent / "fixtures" / "lightspeed_xseries"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)["data"]


@pytest.fixture
def ctx() -> xseries.XSeriesContext:
    taxes = {t["id"]: xseries.tax_rate(t) for t in load("taxes_two_rates.json")}
    outlet = {"id": "b1e04bd8-f019-11e3-a0f5-b8ca3a64f8f4", "name": "Winkel Kerkstraat",
              "physical_address_1": "Kerkstraat 12", "physical_city": "Amsterdam", "physical_country_id": "NL"}
    return xseries.XSeriesContext(currency="EUR", tax_rates=taxes,
                                  products={p["id"]: p for p in load("products_variants.json")},
                                  outlets={outlet["id"]: xseries.outlet_address(outlet)},
                                  registers={"b1e198a9-f019-11e3-a0f5-b8ca3a64f8f4": "Kassa 1"})


def customer(code: str) -> dict[str, Any]:
    return next(c for c in load("customers_one.json") if c["customer_code"] == code)


def test_given_tax_rates_as_fractions_then_percentages():
    assert [xseries.percent(r) for r in (Decimal("0.21"), Decimal("0.09"), Decimal("0.055"), 0)] == [
        Decimal("21"), Decimal("9"), Decimal("5.5"), Decimal("0")]


def test_given_taxes_with_rate_lists_then_their_sum_and_a_tax_without_a_rate_is_a_record_error():
    compound = {"id": "t1", "rates": [{"rate": Decimal("0.05")}, {"rate": Decimal("0.09975")}]}

    assert xseries.tax_rate(compound) == Decimal("14.975")
    assert xseries.tax_rate({"id": "t2", "rate": Decimal("0.21")}) == Decimal("21")
    with pytest.raises(RecordError, match="taxes/t3: rates: the tax has no rate"):
        xseries.tax_rate({"id": "t3", "rates": []})


def test_given_the_documented_return_example_when_mapped_then_a_negative_refunded_order(ctx):
    order = xseries.xseries_sale(load("sales_return_documented_example.json"), ctx)

    assert validate_order(order).ok, validate_order(order).problems
    assert (order.source_id, order.reference) == ("06bf537b-c783-11e6-f6b9-7ea7909ffedd", "1570")
    first = order.lines[0]
    assert (first.quantity, first.unit_price_excl, first.total_excl, first.tax_amount, first.tax_rate) == (
        Decimal("-1"), Decimal("200.0000"), Decimal("-200.00"), Decimal("-30.00"), Decimal("15"))
    assert order.totals.grand_total == Decimal("-230.00") and order.totals.refunded_total == Decimal("230.00")
    assert order.payment_status is PaymentStatus.REFUNDED
    assert order.fulfillment_status is FulfillmentStatus.RETURNED
    assert "return_for:b8ca3a65-0183-11e4-fbb5-39f7fce5e39b" in order.tags and "register:Kassa 1" in order.tags
    assert order.customer is None  # the customer record was not given: no guess


def test_given_a_closed_sale_paid_by_card_and_cash_when_mapped_then_each_payment_and_lines_to_the_cent(ctx):
    order = xseries.xseries_sale(load("sales_closed_split_payment.json")[0], ctx, customer("C00042"))

    assert validate_order(order).ok, validate_order(order).problems
    tote, wafel = order.lines
    assert (tote.title, tote.sku, tote.tax_rate, tote.total_incl, tote.discount_excl) == (
        "Canvas tote - Navy", "TOTE-NAVY", Decimal("21"), Decimal("24.20"), Decimal("2.50"))
    assert tote.source_product_id == "0adfd74a-153e-11e9-fa42-67b57a1c0000"  # the variant's parent
    assert (wafel.tax_rate, wafel.tax_amount, wafel.total_incl) == (Decimal("9"), Decimal("0.25"), Decimal("3.00"))
    assert order.totals.grand_total == Decimal("27.20") == sum(p.amount for p in order.payments)
    assert order.totals.tax_lines == (TaxLine(rate=Decimal("9"), amount=Decimal("0.25")),
                                      TaxLine(rate=Decimal("21"), amount=Decimal("4.20")))
    assert [(p.gateway, p.amount) for p in order.payments] == [("PIN", Decimal("20.00")), ("Cash", Decimal("7.20"))]
    assert order.payment_status is PaymentStatus.PAID and not order.prices_include_tax
    assert order.customer is not None and order.customer.company_name == "Atelier De Vries B.V."
    assert order.shipping_address is not None and order.shipping_address.country == "NL"


def test_given_a_walk_in_sale_when_mapped_then_no_customer_so_the_default_debtor(ctx):
    raw = load("sales_closed_split_payment.json")[0]

    assert xseries.xseries_sale({**raw, "customer_id": None}, ctx).customer is None
    assert xseries.xseries_sale(raw, ctx, customer("WALKIN")).customer is None


def test_given_the_documented_2026_07_payment_shape_then_its_type_name_and_date(ctx):
    raw = load("sales_closed_split_payment.json")[0]
    raw = {**raw, "payments": [{"id": "p1", "amount": Decimal("27.2"), "date": "2026-11-21T10:15:00Z",
                                "type": {"config_id": "b1e2d9e7-f019-11e3-a0f5-b8ca3a64f8f4", "name": "iDEAL"}}]}

    (payment,) = xseries.xseries_sale(raw, ctx).payments

    assert (payment.gateway, payment.amount, payment.processed_at.isoformat()) == (
        "iDEAL", Decimal("27.20"), "2026-11-21T10:15:00+00:00")


def test_given_a_voided_sale_then_a_cancelled_order(ctx):
    raw = {**load("sales_closed_split_payment.json")[0], "status": "VOIDED", "state": "voided"}

    order = xseries.xseries_sale(raw, ctx)

    assert order.cancelled and order.payment_status is PaymentStatus.VOIDED


def test_given_a_line_with_an_unknown_tax_when_mapped_then_the_error_names_sale_and_field(ctx):
    raw = load("sales_closed_split_payment.json")[0]
    raw["line_items"][1]["tax_id"] = "not-a-tax"

    with pytest.raises(RecordError) as err:
        xseries.xseries_sale(raw, ctx)

    assert "NL-2041" in str(err.value) and "line_items[1].tax_id" in str(err.value)


def test_given_products_and_customers_when_mapped_then_one_product_per_variant_sku_and_the_customer(ctx):
    products = [xseries.xseries_product(p, ctx.tax_rates, Decimal("21")) for p in load("products_variants.json")]
    anna = xseries.xseries_customer(customer("C00042"))

    assert [(p.sku, p.product_id, p.variant_title, p.price_excl, p.price_incl, p.tax_rate) for p in products] == [
        ("TOTE-NAVY", "0adfd74a-153e-11e9-fa42-67b57a1c0000", "Navy", Decimal("10.0000"), Decimal("12.1000"),
         Decimal("21")),
        ("STROOP-1", "0adfd74a-153e-11e9-fa42-67b57a1c2222", None, Decimal("2.7500"), Decimal("2.9975"), Decimal("9"))]
    assert (anna.email, anna.is_company, anna.address.city if anna.address else None) == (
        "anna@example.nl", True, "Amsterdam")
