"""Pure mapping: order -> plan -> invoice / order / entry payload; customer -> account; product -> item."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from exact_testdata import line, order

from connector_common.errors import RecordError
from connector_common.model import Customer, PaymentStatus, Product
from destination_exact_online.customers import (
    account_payload,
    contact_payload,
    customer_facts_from_customer,
    customer_facts_from_order,
)
from destination_exact_online.documents import (
    CREDIT_NOTE_TYPE,
    PayloadRefs,
    document_payload,
    entry_payload,
    invoice_payload,
    plan_text,
    sales_order_payload,
)
from destination_exact_online.items import product_item_payload
from destination_exact_online.plan import booking_reference, order_plan, refund_plan

from .helpers import FIELDS, settings, table

D = Decimal


def refs_for(plan: Any) -> PayloadRefs:
    return PayloadRefs(account_id="acc-1", item_ids={ln.item_code: f"item-{ln.item_code}" for ln in plan.lines},
                       gl_ids={"8000": "gl-8000", "8300": "gl-8300", "8900": "gl-8900", "8050": "gl-8050"})


def exact_total(plan: Any, *, shop_vat: bool = False) -> Decimal:
    """What Exact shows as AmountFC: net + VAT per line (the sandbox and reference §10 arithmetic)."""
    return sum((ln.net + (ln.vat if shop_vat else ln.exact_vat) for ln in plan.lines), D(0))


@pytest.mark.parametrize(("scenario", "codes", "keys"), [
    ("domestic_21", {"2"}, {"domestic_21"}),
    ("domestic_9", {"1"}, {"domestic_9"}),
    ("domestic_0", {"5"}, {"domestic_zero"}),
    ("icp", {"7"}, {"icp_goods"}),
    ("export", {"6"}, {"export"}),
    ("oss_de", {"D1"}, {"oss_DE_19"}),
    ("oss_be", {"B1"}, {"oss_BE_21"}),
    ("oss_fr", {"F1"}, {"oss_FR_20"}),
])
@pytest.mark.parametrize("gross", [True, False], ids=["prices_incl_vat", "prices_excl_vat"])
def test_given_scenario_when_planned_then_vat_code_is_right_and_exact_total_equals_grand_total(
        scenario: str, codes: set[str], keys: set[str], gross: bool) -> None:
    o = order(7, scenario=scenario, gross=gross, order_discount="3.00")
    plan = order_plan(o, settings(), table())
    booked = {ln.vat_code for ln in plan.lines if ln.kind != "rounding"}
    assert booked == codes
    assert {ln.treatment.key for ln in plan.lines if ln.kind != "rounding"} == keys
    assert exact_total(plan) == o.totals.grand_total
    assert plan.total == o.totals.grand_total


def test_given_gross_prices_with_vat_rounding_when_planned_then_cent_difference_goes_on_one_rounding_line() -> None:
    lines = tuple(line(f"1-{i}", f"SKU-{i}", "10.00", 1, D(21), gross=True) for i in range(3))
    o = order(1, lines=lines, ship=None)
    plan = order_plan(o, settings(), table())
    # each line: shop net 8.26 + VAT 1.74 = 10.00; Exact: 8.26 * 0.21 = 1.7346 -> 1.73, so 0.03 short in total
    (rounding,) = [ln for ln in plan.lines if ln.kind == "rounding"]
    assert (rounding.net, rounding.vat_code, rounding.exact_vat, rounding.item_code) == (D("0.03"), "0", 0, "ROUNDING")
    assert exact_total(plan) == D("30.00")


def test_given_difference_above_max_rounding_when_planned_then_rejected_with_the_difference_named() -> None:
    o = order(1)
    broken = replace(o, totals=replace(o.totals, grand_total=o.totals.grand_total + D("1.00")))
    with pytest.raises(RecordError) as err:
        order_plan(broken, settings(), table())
    assert err.value.field == "totals.grand_total" and "above max_rounding 0.05" in str(err.value)
    assert f"order total is {broken.totals.grand_total}" in str(err.value)
    assert "900001 (#1001)" in str(err.value)


def test_given_rounding_reject_when_a_cent_differs_then_order_is_rejected() -> None:
    lines = tuple(line(f"1-{i}", f"SKU-{i}", "10.00", 1, D(21), gross=True) for i in range(3))
    with pytest.raises(RecordError, match="rounding is set to reject"):
        order_plan(order(1, lines=lines, ship=None), settings(rounding="reject"), table())


def test_given_discount_lines_setting_when_planned_then_one_discount_line_per_vat_rate_and_gross_product_lines() -> None:
    o = order(3, gross=False, lines=(line("a", "A", "10.00", 2, D(21), gross=False, discount="2.00"),
                                     line("b", "B", "10.00", 1, D(9), gross=False, discount="1.00"),
                                     line("c", "C", "10.00", 1, D(21), gross=False, discount="1.00")), ship=None)
    plan = order_plan(o, settings(), table())
    products = [ln for ln in plan.lines if ln.kind == "product"]
    discounts = [ln for ln in plan.lines if ln.kind == "discount"]
    assert [ln.net for ln in products] == [D("20.00"), D("10.00"), D("10.00")]
    assert sorted((ln.vat_code, ln.net) for ln in discounts) == [("1", D("-1.00")), ("2", D("-3.00"))]
    assert all(ln.item_code == "DISCOUNT" for ln in discounts)
    assert exact_total(plan) == o.totals.grand_total


def test_given_line_discounts_setting_when_planned_then_lines_carry_their_discounted_net_and_no_discount_line() -> None:
    o = order(3, gross=False, lines=(line("a", "A", "10.00", 2, D(21), gross=False, discount="2.00"),), ship=None)
    plan = order_plan(o, settings(discount_booking="line_discounts"), table())
    assert [(ln.kind, ln.net) for ln in plan.lines] == [("product", D("18.00"))]


def test_given_shipping_when_planned_then_shipment_item_line_at_the_shipping_rate() -> None:
    plan = order_plan(order(4, ship="6.05"), settings(), table())
    ship = [ln for ln in plan.lines if ln.kind == "shipping"]
    assert [(ln.item_code, ln.net, ln.vat_code) for ln in ship] == [("SHIPMENT", D("5.00"), "2")]


def test_given_unallocated_order_discount_when_planned_then_negative_discount_line() -> None:
    o = order(5, order_discount="12.10")
    plan = order_plan(o, settings(), table())
    assert [(ln.net, ln.vat) for ln in plan.lines if ln.where == "discounts.0"] == [(D("-10.00"), D("-2.10"))]


def test_given_export_without_configured_code_when_planned_then_error_names_order_line_country_and_rate() -> None:
    with pytest.raises(RecordError) as err:
        order_plan(order(9, scenario="export"), settings(vat_codes={}), table({}))
    text = str(err.value)
    assert "orders/900009 (#1009)" in text and "lines.0" in text and "export" in text
    assert "country NL" in text and "rate 0%" in text


def test_given_line_without_sku_when_planned_for_invoice_then_error_names_the_line() -> None:
    o = order(2, lines=(line("x", None, "10.00", 1, D(21), gross=True),))
    with pytest.raises(RecordError, match=r"lines\.0\.sku"):
        order_plan(o, settings(), table())


def test_given_refund_when_planned_then_credit_note_with_negative_lines_and_refund_total() -> None:
    o = order(17, refund=True)
    plan = refund_plan(o, o.refunds[0], settings(), table())
    assert plan.credit_note and plan.reference == "shopify:#1017/R1701"
    assert exact_total(plan) == -o.refunds[0].total_incl
    payload = invoice_payload(plan, refs_for(plan), settings())
    assert payload["Type"] == CREDIT_NOTE_TYPE
    assert all(ln["Quantity"] < 0 and ln["AmountFC"] < 0 for ln in payload["SalesInvoiceLines"] if ln["Item"] !=
               "item-ROUNDING")


def test_given_invoice_plan_when_mapped_then_payload_has_journal_debtor_reference_and_exact_line_amounts() -> None:
    o = order(1, gross=False, lines=(line("a", "A'1", "10.00", 3, D(21), gross=False, discount="1.00"),), ship=None)
    plan = order_plan(o, settings(discount_booking="line_discounts"), table())
    payload = invoice_payload(plan, refs_for(plan), settings())
    assert payload["Journal"] == "70" and payload["OrderedBy"] == "acc-1" and payload["YourRef"] == "shopify:#1001"
    assert payload["Type"] == 8020 and payload["OrderDate"] == "2024-05-01" and payload["Currency"] == "EUR"
    (ln,) = payload["SalesInvoiceLines"]
    assert ln["Item"] == "item-A'1" and ln["Quantity"] == D(3) and ln["AmountFC"] == D("29.00")
    assert ln["UnitPrice"] == D("9.666667") and ln["VATCode"] == "2"


def test_given_country_revenue_override_when_invoice_mapped_then_product_lines_carry_that_gl_account() -> None:
    plan = order_plan(order(1, scenario="oss_de"), settings(revenue_gl_accounts_by_country={"DE": "8300"}), table())
    payload = invoice_payload(plan, refs_for(plan), settings(revenue_gl_accounts_by_country={"DE": "8300"}))
    assert {ln.get("GLAccount") for ln in payload["SalesInvoiceLines"][:2]} == {"gl-8300"}


def test_given_sales_entry_when_mapped_then_gl_lines_carry_shop_vat_so_total_matches_without_rounding() -> None:
    cfg = settings(document_type="sales_entry", revenue_gl_account="8000", rounding_gl_account="8900",
                   shipping_gl_account="8050")
    lines = tuple(line(f"1-{i}", f"SKU-{i}", "9.99", 1, D(21), gross=True) for i in range(3))
    o = order(1, lines=lines)
    plan = order_plan(o, cfg, table())
    payload = entry_payload(plan, refs_for(plan), cfg)
    assert payload["Customer"] == "acc-1" and payload["Journal"] == "70" and payload["EntryDate"] == "2024-05-01"
    assert sum((ln["AmountFC"] + ln["VATAmountFC"] for ln in payload["SalesEntryLines"]), D(0)) == \
        o.totals.grand_total
    assert {ln["GLAccount"] for ln in payload["SalesEntryLines"]} == {"gl-8000", "gl-8050"}


def test_given_sales_order_when_mapped_then_no_journal_and_order_lines() -> None:
    plan = order_plan(order(1), settings(document_type="sales_order"), table())
    payload = sales_order_payload(plan, refs_for(plan), settings(document_type="sales_order"))
    assert "Journal" not in payload and payload["OrderedBy"] == "acc-1"
    assert [ln["Item"] for ln in payload["SalesOrderLines"]][:3] == ["item-SKU-1", "item-SKU-O'NEIL", "item-DISCOUNT"]


ALLOWED = {name: set(FIELDS[name]["fields"]) for name in FIELDS if name != "_meta"}


@pytest.mark.parametrize("document_type", ["sales_invoice", "sales_order", "sales_entry"])
@pytest.mark.parametrize("scenario", ["domestic_21", "icp", "oss_fr", "export"])
def test_given_any_payload_when_built_then_every_key_is_in_exact_fields_for_its_entity(
        document_type: str, scenario: str) -> None:
    cfg = settings(document_type=document_type, revenue_gl_account="8000", rounding_gl_account="8900",
                   cost_center="CC1", cost_unit="CU1", payment_conditions={"ideal": "00"})
    o = order(17, scenario=scenario, refund=True, order_discount="2.00")
    for plan in (order_plan(o, cfg, table()), refund_plan(o, o.refunds[0], cfg, table())):
        payload = document_payload(plan, refs_for(plan), cfg)
        header = {"sales_entry": "SalesEntry", "sales_order": "SalesOrder"}.get(document_type, "SalesInvoice")
        if plan.credit_note and document_type == "sales_order":
            header = "SalesInvoice"
        lines_key = f"{header}Lines"
        assert set(payload) <= ALLOWED[header]
        for ln in payload[lines_key]:
            assert set(ln) <= ALLOWED[f"{header}Line"]
    facts = customer_facts_from_order(order(1, scenario="company_nl"))
    assert facts is not None
    assert set(account_payload(facts)) <= ALLOWED["Account"]
    assert set(account_payload(facts, for_update=True)) <= ALLOWED["Account"]
    assert set(contact_payload(facts, "acc") or {}) <= ALLOWED["Contact"]
    assert set(product_item_payload(_product(), "2")) <= ALLOWED["Item"]


def _product() -> Product:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    return Product(source="shopify", source_id="v1", product_id="p1", sku="TS-RED-M", title="T-shirt", created_at=now,
                   updated_at=now, price_excl=D("16.53"), price_incl=D("20.00"), tax_rate=D(21), variant_title="Red / M",
                   barcode="8712345678906")


def test_given_company_order_when_mapped_then_company_account_with_vat_number_and_contact_person() -> None:
    facts = customer_facts_from_order(order(1, scenario="company_nl"))
    assert facts is not None
    account = account_payload(facts)
    assert account["Name"] == "Bakker BV" and account["VATNumber"] == "NL123456782B01" and account["Status"] == "C"
    assert "Code" not in account
    contact = contact_payload(facts, "acc-9")
    assert contact == {"Account": "acc-9", "Email": facts.email, "FirstName": "Jan", "LastName": "Klant1"}


def test_given_private_person_when_mapped_then_named_after_person_without_contact_and_email_normalised() -> None:
    facts = customer_facts_from_order(order(1, email="  Jan.Klant@Example.COM "))
    assert facts is not None
    account = account_payload(facts)
    assert account["Name"] == "Jan Klant1" and account["Email"] == "jan.klant@example.com"
    assert "VATNumber" not in account and contact_payload(facts, "acc") is None
    assert account["AddressLine1"] == "Kerkstraat 2" and account["Country"] == "NL"


def test_given_order_without_email_when_mapped_then_no_customer_facts_so_default_debtor_applies() -> None:
    assert customer_facts_from_order(order(1, email=None)) is None


def test_given_update_when_account_payload_built_then_status_and_code_are_not_sent() -> None:
    facts = customer_facts_from_order(order(1))
    assert facts is not None
    assert "Status" not in account_payload(facts, for_update=True)


def test_given_customer_record_when_mapped_then_same_account_shape() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    customer = Customer(source="shopify", source_id="c1", created_at=now, updated_at=now, email="A@B.NL",
                        first_name="An", last_name="Bos", company_name="Bos BV", vat_number="nl 1234.56.782.b01",
                        is_company=True)
    facts = customer_facts_from_customer(customer)
    assert facts is not None and facts.email == "a@b.nl" and facts.vat_number == "NL123456782B01"


def test_given_product_when_mapped_then_item_with_sku_code_variant_description_and_sales_vat_code() -> None:
    payload = product_item_payload(_product(), "2")
    assert payload == {"Code": "TS-RED-M", "Description": "T-shirt - Red / M", "IsSalesItem": True,
                       "SalesVatCode": "2", "Barcode": "8712345678906"}
    assert "Code" not in product_item_payload(_product(), "2", for_update=True)


def test_given_long_reference_when_built_then_it_is_shortened_stably() -> None:
    o = replace(order(1), reference="#" + "9" * 60)
    ref = booking_reference(o)
    assert len(ref) == 40 and ref == booking_reference(o) and ref.startswith("shopify:#999")


def test_given_plan_when_printed_then_accountant_sees_type_debtor_items_codes_and_totals() -> None:
    plan = order_plan(order(1), settings(), table())
    text = plan_text(plan, "default debtor 999999")
    assert text.startswith("PLAN shopify:#1001: SalesInvoice on 2024-05-01 for default debtor 999999")
    assert f"total EUR {plan.total}" in text and "VAT code 2 (domestic_21)" in text and "SHIPMENT" in text


def test_given_unpaid_statuses_when_settings_parsed_then_defaults_are_paid_only() -> None:
    assert settings().payment_statuses == ("paid",)
    assert PaymentStatus.PAID.value in settings().payment_statuses


def _return_receipt(*lines: Any) -> Any:
    o = order(31, email=None, ship=None, lines=lines, source="lightspeed_retail", status=PaymentStatus.REFUNDED)
    return replace(o, reference="220100002601", channel="pos")


def test_given_pos_return_receipt_when_planned_then_credit_note_under_its_own_reference_with_negative_lines() -> None:
    o = _return_receipt(line("1", "SKU-1", "19.95", -2, D(21), gross=True))
    assert o.totals.grand_total == D("-39.90")
    plan = order_plan(o, settings(), table())
    assert plan.credit_note and plan.reference == "lightspeed_retail:220100002601"
    assert plan.total == D("-39.90") == exact_total(plan)
    payload = invoice_payload(plan, refs_for(plan), settings())
    assert payload["Type"] == CREDIT_NOTE_TYPE
    [first] = [ln for ln in payload["SalesInvoiceLines"] if ln["Item"] == "item-SKU-1"]
    assert first["Quantity"] == D(-2) and first["AmountFC"] == D("-32.98") and first["UnitPrice"] > 0


def test_given_return_receipt_and_sales_orders_configured_when_planned_then_booked_as_credit_note_invoice() -> None:
    o = _return_receipt(line("1", "SKU-1", "10.00", -1, D(21), gross=True))
    plan = order_plan(o, settings(document_type="sales_order"), table())
    payload = document_payload(plan, refs_for(plan), settings(document_type="sales_order"))
    assert payload["Type"] == CREDIT_NOTE_TYPE and "SalesInvoiceLines" in payload


@pytest.mark.parametrize(("kept", "returned", "credit"), [(3, -1, False), (1, -3, True)])
def test_given_exchange_when_planned_then_one_document_with_lines_of_both_signs(kept: int, returned: int,
                                                                                credit: bool) -> None:
    o = _return_receipt(line("1", "SKU-NEW", "10.00", kept, D(21), gross=True),
                        line("2", "SKU-OLD", "10.00", returned, D(21), gross=True))
    plan = order_plan(o, settings(), table())
    assert plan.credit_note is credit and plan.total == o.totals.grand_total == exact_total(plan)
    payload = invoice_payload(plan, refs_for(plan), settings())
    assert [(ln["Item"], ln["Quantity"]) for ln in payload["SalesInvoiceLines"] if ln["Item"] != "item-ROUNDING"] == [
        ("item-SKU-NEW", D(kept)), ("item-SKU-OLD", D(returned))]


@pytest.mark.parametrize(("billing", "shipping", "expected"), [("BE", "DE", "BE"), (None, "DE", "DE"),
                                                               (None, None, "NL")])
def test_given_customer_without_country_when_account_built_then_billing_else_ship_to_else_seller_country(
        billing: str | None, shipping: str | None, expected: str) -> None:
    base = order(3, scenario="icp")
    o = replace(base, billing_address=replace(base.billing_address, country=billing),
                shipping_address=replace(base.billing_address, country=shipping))
    facts = customer_facts_from_order(o, "NL")
    assert facts is not None and account_payload(facts)["Country"] == expected


def test_given_reference_when_built_then_it_equals_commons_booking_reference() -> None:
    from connector_common.model import booking_reference as common_reference
    o = order(17, refund=True)
    assert booking_reference(o) == common_reference(o) == "shopify:#1017"
    assert booking_reference(o, o.refunds[0]) == common_reference(o, o.refunds[0]) == "shopify:#1017/R1701"
