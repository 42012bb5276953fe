"""Pure mapping: canonical order -> eAccounting document plan, prices, predicted totals and payloads."""

from __future__ import annotations

import dataclasses
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from connector_common.model import Address, PaymentStatus
from connector_common.vat import is_eu_member

sys.path.insert(0, str(Path(__file__).parent))
from eacc_builders import Line, OrderSpec, build_order

from destination_eaccounting.mapping import customer_payload, document_payload
from destination_eaccounting.plan import ArticleView, CustomerView, PlanContext, PlanError, predict_totals
from destination_eaccounting.planner import plan_order, plan_refund, price_rows, signed_rows
from destination_eaccounting.vat_codes import Coding, build_coding_table, coding_from_api, oss_country

SE_CODINGS = [Coding(id="se-25", name="Varor 25%", type="Goods", rate=Decimal(25)),
              Coding(id="se-12", name="Varor 12%", type="Goods", rate=Decimal(12)),
              Coding(id="se-6", name="Varor 6%", type="Goods", rate=Decimal(6)),
              Coding(id="se-0", name="Momsfri", type="Goods", rate=Decimal(0)),
              Coding(id="se-25s", name="Tjänster 25%", type="Service", rate=Decimal(25))]
NL_CODINGS = [Coding(id="nl-21", name="Omzet hoog", type="Goods", rate=Decimal(21)),
              Coding(id="nl-9", name="Omzet laag", type="Goods", rate=Decimal(9)),
              Coding(id="nl-0", name="Omzet 0%", type="Goods", rate=Decimal(0))]


def context(country: str = "SE", *, mapping: tuple[tuple[str, str], ...] = (), oss: bool = False,
            whole: bool = False, excl_pc: bool = False, articles: dict[str, ArticleView] | None = None,
            create: bool = True) -> PlanContext:
    codings = SE_CODINGS if country == "SE" else NL_CODINGS
    if oss:
        codings = [*codings, Coding(id="oss-de-19", name="OSS DE 19%", type="Goods", rate=Decimal(19))]
    return PlanContext(company_country=country, company_currency="SEK" if country == "SE" else "EUR",
                       seller_country=country, show_prices_excl_vat_pc=excl_pc, whole_unit_rounding=whole,
                       codings=build_coding_table(mapping, codings), articles=articles or {},
                       is_eu_member=is_eu_member, create_missing_articles=create, oss_registered=oss)


def private(country: str = "SE", currency: str = "SEK") -> CustomerView:
    return CustomerView(id="cust-1", number="10", name="Anna", country=country, is_private=True, vat_number=None,
                        currency=currency)


def company(country: str, vat: str | None, currency: str = "SEK") -> CustomerView:
    return CustomerView(id="cust-2", number="11", name="Firma", country=country, is_private=False, vat_number=vat,
                        currency=currency)


def scenarios(plan_rows: object) -> list[str]:
    return [r.scenario for r in plan_rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("rate", "coding"), [("25", "se-25"), ("12", "se-12"), ("6", "se-6"), ("0", "se-0")])
def test_given_swedish_private_order_when_planned_then_rate_coding_and_total_to_the_cent(
        rate: str, coding: str) -> None:
    order = build_order(OrderSpec(lines=[Line("SKU-1", "Item", "3", "33.33", rate)]))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    assert plan.includes_vat is True
    assert [r.article.coding.id for r in plan.rows] == [coding]
    assert plan.totals.before_roundings == order.totals.grand_total == Decimal("99.99")
    assert plan.rounding_row == 0


@pytest.mark.parametrize("rate", ["21", "9", "0"])
def test_given_dutch_company_order_excl_vat_when_planned_then_net_prices_and_total_equal(rate: str) -> None:
    order = build_order(OrderSpec(country="NL", currency="EUR", company="Bakkerij BV", vat_number="NL123456782B01",
                                  prices_include_tax=False, lines=[Line("B-1", "Brood", "7", "2.99", rate)]))
    plan = plan_order(order, company("NL", "NL123456782B01", "EUR"), context("NL"), kind="customer_invoice")
    assert plan.includes_vat is False
    assert plan.rows[0].unit_price == Decimal("2.99")
    assert plan.totals.before_roundings == order.totals.grand_total


def test_given_eu_company_with_vat_number_at_zero_when_planned_then_icp_goods_on_reverse_charge_customer() -> None:
    order = build_order(OrderSpec(country="DE", company="Firma GmbH", vat_number="DE123456788",
                                  prices_include_tax=False, lines=[Line("TS-1", "Shirt", "2", "200.00", "0")],
                                  shipping=("50.00", "0")))
    plan = plan_order(order, company("DE", "DE123456788"), context(), kind="customer_invoice_draft")
    assert scenarios(plan.rows) == ["icp_goods", "icp_goods"]
    assert {r.rate for r in plan.rows} == {Decimal(0)}
    assert plan.totals.total_vat == 0
    assert plan.totals.before_roundings == Decimal("450.00")


def test_given_icp_order_when_customer_is_private_in_eaccounting_then_refused_naming_line_country_and_rate() -> None:
    order = build_order(OrderSpec(country="DE", company="Firma GmbH", vat_number="DE123456788",
                                  lines=[Line("TS-1", "Shirt", "1", "200.00", "0")]))
    with pytest.raises(PlanError) as err:
        plan_order(order, private("DE"), context(), kind="customer_invoice_draft")
    assert err.value.field == "lines.0.tax_rate"
    assert "icp_goods" in str(err.value) and "DE" in str(err.value) and "'Shirt'" in str(err.value)


def test_given_export_to_us_when_planned_then_export_scenario_zero_vat() -> None:
    order = build_order(OrderSpec(country="US", currency="SEK", lines=[Line("TS-1", "Shirt", "1", "300.00", "0")]))
    plan = plan_order(order, private("US"), context(), kind="customer_invoice_draft")
    assert scenarios(plan.rows) == ["export"]
    assert plan.totals.total_vat == 0 and plan.totals.before_roundings == Decimal("300.00")


def test_given_oss_sale_without_mapping_when_planned_then_clear_error_names_scenario() -> None:
    order = build_order(OrderSpec(country="DE", lines=[Line("TS-1", "Shirt", "1", "119.00", "19")]))
    with pytest.raises(PlanError) as err:
        plan_order(order, private("DE"), context(oss=True), kind="customer_invoice_draft")
    assert "oss_DE_19" in str(err.value) and "article_codings" in str(err.value)


def test_given_oss_sale_with_mapped_coding_when_planned_then_booked_at_destination_rate() -> None:
    order = build_order(OrderSpec(country="DE", lines=[Line("TS-1", "Shirt", "1", "119.00", "19")]))
    ctx = context(oss=True, mapping=(("oss_DE_19", "OSS DE 19%"),))
    plan = plan_order(order, private("DE"), ctx, kind="customer_invoice_draft")
    assert scenarios(plan.rows) == ["oss_DE_19"]
    assert plan.rows[0].rate == Decimal(19)
    assert plan.totals.total_vat == Decimal("19.00")


def test_given_eu_private_sale_without_oss_when_shop_charged_foreign_rate_then_refused() -> None:
    order = build_order(OrderSpec(country="DE", lines=[Line("TS-1", "Shirt", "1", "119.00", "19")]))
    with pytest.raises(PlanError, match="domestic_19"):
        plan_order(order, private("DE"), context(), kind="customer_invoice_draft")


def test_given_line_discount_when_planned_then_list_price_with_discount_percentage_reproduces_total() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "2", "250.00", "25", discount="50.00")]))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    (row,) = plan.rows
    assert (row.quantity, row.unit_price, row.discount) == (Decimal(2), Decimal("250.00"), Decimal("0.1000"))
    assert plan.totals.before_roundings == Decimal("450.00")


def test_given_discount_no_4_decimal_percentage_reproduces_when_planned_then_split_rows_hit_the_cent() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "3", "99.99", "25", discount="10.00")]))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    assert [(r.quantity, r.unit_price) for r in plan.rows] == [(Decimal(1), Decimal("96.65")),
                                                              (Decimal(2), Decimal("96.66"))]
    assert plan.totals.before_roundings == Decimal("289.97")


def test_given_order_level_discount_and_shipping_when_planned_then_negative_discount_row_and_shipping_row() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "2", "250.00", "25"), Line("BK", "Book", "1", "100",
                                                                                          "6")],
                                  shipping=("49.00", "25"), order_discount=("50.00", "25")))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    numbers = [r.article.number for r in plan.rows]
    assert numbers == ["TS-1", "BK", "SHIPPING-25", "DISCOUNT-25"]
    assert plan.rows[-1].unit_price == Decimal("-50.00")
    assert plan.totals.before_roundings == order.totals.grand_total == Decimal("599.00")


def test_given_whole_krona_rounding_when_planned_then_roundings_shown_and_shop_total_kept() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "1", "99.60", "25")]))
    plan = plan_order(order, private(), context(whole=True), kind="customer_invoice_draft")
    assert plan.totals.total_amount == Decimal("100")
    assert plan.totals.total_roundings == Decimal("0.40")
    assert plan.totals.before_roundings == Decimal("99.60")


def test_given_net_document_with_shop_per_line_tax_rounding_when_planned_then_cent_goes_to_rounding_row() -> None:
    lines = [Line(f"S-{i}", "Pen", "1", "0.05", "25") for i in range(3)]  # shop: 3 x round(0.0125)=0.03, doc: 0.04
    order = build_order(OrderSpec(company="AB", prices_include_tax=False, lines=lines))
    plan = plan_order(order, company("SE", None), context(), kind="customer_invoice_draft")
    assert plan.rounding_row == Decimal("-0.01")
    assert plan.rows[-1].article.number == "ROUNDING-0"
    assert plan.totals.before_roundings == order.totals.grand_total


def test_given_difference_above_tolerance_when_planned_then_refused_naming_difference() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "1", "100.00", "25")]))
    broken = order.__class__(**{**{f: getattr(order, f) for f in order.__dataclass_fields__},
                                "totals": order.totals.__class__(**{
                                    **{f: getattr(order.totals, f) for f in order.totals.__dataclass_fields__},
                                    "grand_total": Decimal("101.00")})})
    with pytest.raises(PlanError, match=r"difference 1\.00"):
        plan_order(broken, private(), context(), kind="customer_invoice_draft")


def test_given_existing_article_with_other_rate_when_planned_then_generic_article_keeps_vat_right() -> None:
    known = {"TS-1": ArticleView(id="a1", number="TS-1", name="Shirt", coding=SE_CODINGS[1])}  # booked at 12 %
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "1", "125.00", "25")]))
    plan = plan_order(order, private(), context(articles=known), kind="customer_invoice_draft")
    assert plan.rows[0].article.number == "WEBSHOP-25"
    assert plan.rows[0].text == "Shirt (TS-1)"


def test_given_create_missing_off_when_sku_unknown_then_generic_article_per_rate() -> None:
    order = build_order(OrderSpec(lines=[Line("NEW-1", "New", "1", "112.00", "12")]))
    plan = plan_order(order, private(), context(create=False), kind="customer_invoice_draft")
    assert plan.rows[0].article.number == "WEBSHOP-12"


@pytest.mark.parametrize(("amount", "quantity", "list_price", "expected"), [
    ("30.00", "3", "10.00", [("3", "10.00", "0")]),
    ("10.00", "3", None, [("2", "3.33", "0"), ("1", "3.34", "0")]),
    ("12.34", "1.5", None, [("1", "12.34", "0")]),
    ("-5.00", "1", None, [("1", "-5.00", "0")]),
])
def test_given_amount_and_quantity_when_priced_then_rows_add_up_exactly(
        amount: str, quantity: str, list_price: str | None, expected: list[tuple[str, str, str]]) -> None:
    rows = price_rows(Decimal(amount), Decimal(quantity), Decimal(list_price) if list_price else None)
    assert [(q, p, d) for q, p, d in rows] == [(Decimal(q), Decimal(p), Decimal(d)) for q, p, d in expected]


def test_given_pos_return_receipt_when_planned_then_one_credit_invoice_under_the_receipts_own_reference() -> None:
    order = build_order(OrderSpec(reference="220100002601", source="lightspeed_retail", email=None, channel="pos",
                                  payment_status=PaymentStatus.REFUNDED,
                                  lines=[Line("TS-1", "Shirt", "-2", "250.00", "25")]))
    assert order.totals.grand_total == Decimal("-500.00")
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    assert plan.is_credit and plan.kind == "customer_invoice_draft"
    assert plan.reference == "lightspeed_retail:220100002601"  # no '/R': the receipt is its own document
    assert plan.totals.before_roundings == Decimal("500.00") == plan.expected_total
    payload = document_payload(plan, order, {"TS-1": "art-1"})
    assert payload["IsCreditInvoice"] is True
    assert [(r["Quantity"], r["UnitPrice"]) for r in payload["Rows"]] == [(Decimal(-2), Decimal("250.00"))]


def test_given_return_receipt_and_order_documents_when_planned_then_credited_as_a_draft() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "-1", "100.00", "25")]))
    plan = plan_order(order, private(), context(), kind="order")
    assert plan.is_credit and plan.kind == "customer_invoice_draft"  # eAccounting orders cannot be credited
    assert document_payload(plan, order, {"TS-1": "art-1"})["IsCreditInvoice"] is True


def test_given_exchange_with_positive_total_when_planned_then_one_invoice_with_rows_of_both_signs() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-2", "Shirt L", "1", "300.00", "25"),
                                         Line("TS-1", "Shirt M", "-1", "250.00", "25")]))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    assert not plan.is_credit and plan.totals.before_roundings == Decimal("50.00") == order.totals.grand_total
    payload = document_payload(plan, order, {"TS-1": "art-1", "TS-2": "art-2"})
    assert payload["IsCreditInvoice"] is False
    assert [(r["ArticleId"], r["Quantity"], r["UnitPrice"]) for r in payload["Rows"]] == [
        ("art-2", Decimal(1), Decimal("300.00")), ("art-1", Decimal(-1), Decimal("250.00"))]


def test_given_exchange_with_negative_total_when_planned_then_one_credit_invoice_with_rows_of_both_signs() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-2", "Socks", "1", "50.00", "25"),
                                         Line("TS-1", "Shirt", "-3", "100.00", "25")]))
    plan = plan_order(order, private(), context(), kind="customer_invoice")
    assert plan.is_credit and plan.expected_total == Decimal("250.00") == plan.totals.before_roundings
    payload = document_payload(plan, order, {"TS-1": "art-1", "TS-2": "art-2"})
    assert [(r["ArticleId"], r["Quantity"]) for r in payload["Rows"]] == [("art-2", Decimal(1)),
                                                                          ("art-1", Decimal(-3))]


def test_given_returned_amount_not_divisible_by_quantity_when_signed_rows_then_negative_rows_add_up() -> None:
    rows = signed_rows(Decimal("-10.00"), Decimal("-3"), None)
    assert rows == [(Decimal(-2), Decimal("3.33"), Decimal(0)), (Decimal(-1), Decimal("3.34"), Decimal(0))]
    assert sum(q * p for q, p, _ in rows) == Decimal("-10.00")


def test_given_foreign_currency_customer_when_planned_then_refused() -> None:
    order = build_order(OrderSpec(currency="EUR"))
    with pytest.raises(PlanError, match="invoices in SEK"):
        plan_order(order, private(), context(), kind="customer_invoice_draft")


def test_given_refund_when_planned_then_credit_plan_for_the_refunded_quantity() -> None:
    order = build_order(OrderSpec(lines=[Line("TS-1", "Shirt", "2", "250.00", "25")], refund_line=(0, "1")))
    plan = plan_refund(order, order.refunds[0], private(), context(), kind="customer_invoice_draft")
    assert plan.is_credit and plan.reference == "shopify:#1001/Rr1"
    assert plan.totals.before_roundings == Decimal("250.00")
    payload = document_payload(plan, order, {"TS-1": "art-1"})
    assert payload["IsCreditInvoice"] is True
    assert payload["Rows"][0]["Quantity"] == Decimal(-1)


def test_given_company_order_when_customer_payload_then_company_with_vat_and_contact() -> None:
    order = build_order(OrderSpec(country="DE", company="Firma GmbH", vat_number="de 123.456.788",
                                  email=" Buyer@Firma.DE "))
    payload = customer_payload(order, terms_id="t-1")
    assert payload["IsPrivatePerson"] is False
    assert payload["Name"] == "Firma GmbH" and payload["ContactPersonName"] == "Anna Svensson"
    assert payload["VatNumber"] == "DE123456788" and payload["InvoiceCountryCode"] == "DE"
    assert payload["EmailAddress"] == "buyer@firma.de"


def test_given_company_with_invalid_vat_number_when_customer_payload_then_no_number_so_no_reverse_charge() -> None:
    order = build_order(OrderSpec(country="DE", company="Firma GmbH", vat_number="DE123456789"))  # bad check digit
    payload = customer_payload(order, terms_id="t-1")
    assert payload["IsPrivatePerson"] is False and "VatNumber" not in payload


def test_given_private_order_when_customer_payload_then_private_person_named_after_buyer() -> None:
    payload = customer_payload(build_order(OrderSpec()), terms_id="t-1")
    assert payload["IsPrivatePerson"] is True and payload["Name"] == "Anna Svensson"
    assert "VatNumber" not in payload


def test_given_default_customer_when_order_is_anonymous_then_plan_goes_to_it() -> None:
    order = build_order(OrderSpec(email=None, channel="pos"))
    default = CustomerView(id="def", number="1", name="Kontantkund", country="SE", is_private=True,
                           vat_number=None, currency="SEK", origin="default")
    plan = plan_order(order, default, context(), kind="customer_invoice_draft")
    payload = document_payload(plan, order, {"TS-1": "a"})
    assert payload["CustomerId"] == "def" and payload["YourReference"] == "shopify:#1001"


def test_given_order_kind_when_payload_then_order_fields_and_rows() -> None:
    order = build_order(OrderSpec())
    plan = plan_order(order, private(), context(), kind="order")
    payload = document_payload(plan, order, {"TS-1": "a"})
    assert payload["CurrencyCode"] == "SEK" and payload["OrderDate"] == "2025-03-03"
    assert payload["Rows"][0]["EligibleForReverseChargeOnVat"] is False


def test_given_gross_rows_when_predicted_then_vat_per_rate_over_summed_amounts() -> None:
    order = build_order(OrderSpec(lines=[Line("A", "A", "1", "10.00", "25"), Line("B", "B", "1", "10.00", "25")]))
    plan = plan_order(order, private(), context(), kind="customer_invoice_draft")
    totals = predict_totals(plan.rows, includes_vat=True, whole_units=False)
    assert totals.total_vat == Decimal("4.00")  # round(20 * 25/125), not 2 x round(2.00)
    assert totals.by_rate == ((Decimal(25), Decimal("20.00"), Decimal("4.00")),)


def norwegian_context() -> PlanContext:
    codings = [Coding(id="no-25", name="Salg høy sats", type="Goods", rate=Decimal(25)),
               Coding(id="no-15", name="Salg middels sats", type="Goods", rate=Decimal(15)),
               Coding(id="no-0", name="Salg fritatt", type="Goods", rate=Decimal(0))]
    return PlanContext(company_country="NO", company_currency="NOK", seller_country="NO",
                       show_prices_excl_vat_pc=False, whole_unit_rounding=False,
                       codings=build_coding_table((), codings), articles={}, is_eu_member=is_eu_member)


@pytest.mark.parametrize(("country", "rate", "scenario", "coding", "vat"), [
    ("NO", "25", "domestic_25", "no-25", "50.00"), ("NO", "15", "domestic_15", "no-15", "32.61"),
    ("US", "0", "export", "no-25", "0.00")])
def test_given_norwegian_seller_when_planned_then_domestic_at_home_and_export_abroad(
        country: str, rate: str, scenario: str, coding: str, vat: str) -> None:
    order = build_order(OrderSpec(country=country, currency="NOK", lines=[Line("K-1", "Kaffe", "2", "125.00", rate)]))
    plan = plan_order(order, private(country, "NOK"), norwegian_context(), kind="customer_invoice_draft")
    assert scenarios(plan.rows) == [scenario]
    assert [r.article.coding.id for r in plan.rows] == [coding]
    assert plan.totals.total_vat == Decimal(vat) and plan.totals.total_amount == Decimal("250.00")


def test_given_dutch_company_oss_codings_when_de_and_fr_consumers_order_then_resolved_by_country_and_rate() -> None:
    names = {"Germany": "DE", "Duitsland": "DE", "France": "FR", "Belgium": "BE"}
    oss = [coding_from_api({"Id": f"oss-{cc}-{p}", "Name": f"OSS {nl} {p}%", "NameEnglish": f"OSS {en} {p}%",
                            "Type": "Goods", "VatRatePercent": Decimal(p) / 100,
                            "ForeignSalesSubjectToMossAccountNumber": 8170}, names)
           for cc, nl, en, p in (("DE", "Duitsland", "Germany", "19"), ("BE", "België", "Belgium", "21"),
                                 ("FR", "Frankrijk", "France", "5.5"))]
    ctx = PlanContext(company_country="NL", company_currency="EUR", seller_country="NL",
                      show_prices_excl_vat_pc=False, whole_unit_rounding=False,
                      codings=build_coding_table((), [*NL_CODINGS, *oss]), articles={}, is_eu_member=is_eu_member,
                      oss_registered=True)
    for country, rate, coding, article in (("DE", "19", "oss-DE-19", "WEBSHOP-19-DE"),
                                           ("FR", "5.5", "oss-FR-5.5", "WEBSHOP-5.5-FR"),
                                           ("BE", "21", "oss-BE-21", "WEBSHOP-21-BE"),
                                           ("NL", "21", "nl-21", "WEBSHOP-21")):
        order = build_order(OrderSpec(country=country, currency="EUR", lines=[Line(None, "Tas", "1", "20.00", rate)]))
        plan = plan_order(order, private(country, "EUR"), ctx, kind="customer_invoice_draft")
        assert [(r.scenario, r.article.coding.id, r.article.number) for r in plan.rows] == [
            (f"oss_{country}_{rate}" if country != "NL" else "domestic_21", coding, article)]
    order = build_order(OrderSpec(country="DE", currency="EUR", lines=[Line(None, "Buch", "1", "20.00", "7")]))
    with pytest.raises(PlanError) as err:
        plan_order(order, private("DE", "EUR"), ctx, kind="customer_invoice_draft")
    assert "oss_DE_7" in str(err.value) and "OSS coding for DE at 7%" in str(err.value)


def test_given_coding_names_when_oss_country_read_then_iso_word_or_country_name_and_never_ambiguous() -> None:
    assert oss_country(["OSS DE 19%"], {}) == "DE"
    assert oss_country(["Verkopen OSS Griekenland", "OSS sales EL 24%"], {}) == "GR"
    assert oss_country(["OSS Germany 19%"], {"Germany": "DE"}) == "DE"
    assert oss_country(["OSS DE/FR 19%"], {}) is None
    assert oss_country(["OSS omzet 19%"], {"Germany": "DE"}) is None


@pytest.mark.parametrize(("billing", "shipping", "expected"), [
    ("DE", "FR", "DE"), (None, "FR", "FR"), (None, None, "NL"),
])
def test_given_customer_without_country_when_customer_payload_then_billing_else_ship_to_else_seller_country(
        billing: str | None, shipping: str | None, expected: str) -> None:
    base = build_order(OrderSpec(company="Firma BV", vat_number="NL123456782B01"))
    order = dataclasses.replace(base, billing_address=Address(line1="Straat 1", country=billing),
                                shipping_address=Address(line1="Weg 2", country=shipping))
    payload = customer_payload(order, terms_id="t-1", seller_country="NL")
    assert payload["InvoiceCountryCode"] == expected and payload["VatNumber"] == "NL123456782B01"
