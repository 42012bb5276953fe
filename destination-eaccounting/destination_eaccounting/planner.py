"""Canonical order (or refund) -> eAccounting document plan (pure: values in, values out, no I/O).

Money rules (eAccounting computes the document, we predict it and refuse to send a document that would differ):
- Rows carry no VAT: the article's coding and the customer decide it (see vat_codes.py).
- Prices are incl. VAT when eAccounting will mark the document `IncludesVat` (a private customer and the company
  setting "show prices excl. VAT for private individuals" off), else excl. VAT. Each row gets the line's total
  in that basis, to the cent: the list price with a discount percentage when that reproduces the total exactly,
  else the net unit price, else the line split into two rows one cent apart, else one row of quantity 1.
- eAccounting's arithmetic (reference §11): see plan.py, `predict_totals`.
- Any remaining difference to the shop's grand total up to `max_rounding_difference` becomes a row on the
  rounding article (a 0 % coding); a larger one rejects the order with the difference named.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from connector_common.errors import quoted
from connector_common.model import DiscountAllocation, Order, OrderLine, Refund, contradicts_sign, zero_line_problem
from connector_common.money import CENT, net_from_gross
from connector_common.vat import Scenario, Supply, VatError, VatTreatment, classify
from destination_eaccounting.plan import (
    MAX_ARTICLE_NAME,
    MAX_ARTICLE_NUMBER,
    ONE,
    ZERO,
    ArticleNeed,
    CustomerView,
    DocumentPlan,
    PlanContext,
    PlanError,
    RowPlan,
    credit_kind,
    document_reference,
    is_return,
    pct,
    predict_totals,
    round2,
)
from destination_eaccounting.vat_codes import (
    SERVICE,
    Coding,
    CustomerTreatment,
    MissingCoding,
    article_fits,
    charged_rate,
    customer_treatment,
    treatment_fits,
)

QUANTITY_PLACES = Decimal("0.01")
DISCOUNT_PLACES = Decimal("0.0001")
MAX_ROW_TEXT = 2000
MAX_ROWS = 1000  # CustomerInvoiceDraftRowApi / OrderRowApi: LineNumber 0..1000 (swagger); we number rows from 1
ROW_LIMITED_KINDS = frozenset({"customer_invoice_draft", "order"})  # a booked invoice's LineNumber is read-only

PricedRow = tuple[Decimal, Decimal, Decimal]  # Quantity, UnitPrice, DiscountPercentage


def price_rows(amount: Decimal, quantity: Decimal, list_price: Decimal | None) -> list[PricedRow]:
    """(Quantity, UnitPrice, DiscountPercentage) rows whose eAccounting amounts add up to exactly `amount`.

    Raises:
        PlanError: for a quantity that is zero or negative while the amount is not.
    """
    if quantity <= 0:
        raise PlanError("quantity", f"quantity {quantity} cannot be booked as a sale")
    whole_quantity = quantity == quantity.to_integral_value()
    if quantity != quantity.quantize(QUANTITY_PLACES) or amount < 0:
        return [(ONE, amount, ZERO)]
    if list_price is not None and list_price > 0 and list_price == round2(list_price):
        gross = quantity * list_price
        if gross == amount:
            return [(quantity, list_price, ZERO)]
        if ZERO < amount < gross:
            discount = ((gross - amount) / gross).quantize(DISCOUNT_PLACES, rounding=ROUND_HALF_UP)
            if round2(gross * (ONE - discount)) == amount:
                return [(quantity, list_price, discount)]
    unit = amount / quantity
    if unit == round2(unit):
        return [(quantity, round2(unit), ZERO)]
    if whole_quantity and quantity > 1:
        base = unit.quantize(CENT, rounding=ROUND_DOWN)
        extra = ((amount - base * quantity) / CENT).to_integral_value()
        return [(quantity - extra, base, ZERO), (extra, base + CENT, ZERO)]
    return [(ONE, amount, ZERO)]


def signed_rows(amount: Decimal, quantity: Decimal, list_price: Decimal | None) -> list[PricedRow]:
    """`price_rows` for either sign: a returned line (negative quantity) gets the rows of its positive mirror with
    negative quantities, so eAccounting's amounts still add up to exactly `amount`."""
    if quantity >= 0:
        return price_rows(amount, quantity, list_price)
    return [(-q, price, discount) for q, price, discount in price_rows(-amount, -quantity, list_price)]


def customer_treatment_of(view: CustomerView, ctx: PlanContext, on: date) -> CustomerTreatment:
    country = (view.country or ctx.company_country).upper()
    return customer_treatment(company_country=ctx.company_country, customer_country=country,
                              is_private=view.is_private, vat_number=view.vat_number, force_vat=view.force_vat,
                              eu_member=ctx.is_eu_member(country, on))


def includes_vat_for(view: CustomerView, ctx: PlanContext) -> bool:
    """Reference §11 (interpretation of SPEC20 + the 2019 changelog): private customer and the setting off."""
    return view.is_private and not ctx.show_prices_excl_vat_pc


class _Planner:
    """Builds one document plan; a class only to share the per-order facts between the small steps."""

    def __init__(self, order: Order, customer: CustomerView, ctx: PlanContext, order_key: str) -> None:
        self.order = order
        self.customer = customer
        self.ctx = ctx
        self.key = order_key
        self.on = order.created_at.date()
        self.treatment = customer_treatment_of(customer, ctx, self.on)
        self.includes_vat = includes_vat_for(customer, ctx)
        ship_to = order.ship_to
        self.ship_country = (ship_to.country if ship_to and ship_to.country else None) or ctx.seller_country
        self.ship_postcode = ship_to.postcode if ship_to else None
        ref = order.customer
        self.vat_number = ref.vat_number if ref else None
        self.is_company = bool(ref and (ref.is_company or ref.company_name))

    def classify(self, rate: Decimal, where: str, *, service: bool = False, exempt: bool = False) -> VatTreatment:
        try:
            return classify(seller_country=self.ctx.seller_country, ship_to_country=self.ship_country, rate=rate,
                            on=self.on, ship_to_postcode=self.ship_postcode, vat_number=self.vat_number,
                            is_company=self.is_company, supply=Supply.SERVICES if service else Supply.GOODS,
                            exempt=exempt, oss_registered=self.ctx.oss_registered)
        except VatError as exc:
            raise PlanError(where, f"{exc}") from None

    def coding(self, treatment: VatTreatment, where: str, label: str, *, service: bool = False) -> Coding:
        try:
            coding = self.ctx.codings.coding_for(treatment, service=service)
        except MissingCoding as exc:
            raise PlanError(where, f"{label} (country {self.ship_country}, rate {pct(treatment.rate)}%): "
                                   f"{exc}") from None
        if not treatment_fits(treatment.scenario, self.treatment):
            raise PlanError(where, f"{label} is VAT scenario {treatment.key!r} (country {self.ship_country}, rate "
                                   f"{pct(treatment.rate)}%) but eAccounting would tax customer "
                                   f"{self.customer.name!r} as {self.treatment.value}; fix the customer's country, "
                                   "VAT number or private/company flag in eAccounting")
        return coding

    def rows_for(self, article: ArticleNeed, treatment: VatTreatment, text: str, *, amount: Decimal,
                 quantity: Decimal, list_price: Decimal | None, where: str) -> list[RowPlan]:
        coding = article.coding
        rate = charged_rate(coding, self.treatment)
        if rate != treatment.rate and not (treatment.scenario is Scenario.EXEMPT and rate == 0):
            raise PlanError(where, f"eAccounting would charge {pct(rate)}% on article {article.number!r} where "
                                   f"the shop charged {pct(treatment.rate)}%")
        priced = signed_rows(amount, quantity, list_price) if quantity != 0 else [(ONE, amount, ZERO)]
        rows = []
        for q, price, discount in priced:
            row_text = text if q == quantity or len(priced) > 1 else f"{pct(quantity)} x {text}"
            rows.append(RowPlan(article=article, text=row_text[:MAX_ROW_TEXT], quantity=q, unit_price=price,
                                discount=discount, rate=rate, scenario=treatment.key))
        return rows

    def service_article(self, kind: str, base: str, coding: Coding, name: str) -> ArticleNeed:
        number = generic_number(base, coding)
        known = self.ctx.articles.get(number)
        return ArticleNeed(number=number, name=f"{name} {pct(coding.rate)}%"[:MAX_ARTICLE_NAME], coding=coding,
                           id=known.id if known else None, kind=kind)

    def line_article(self, line: OrderLine, coding: Coding, scenario: Scenario) -> tuple[ArticleNeed, str]:
        sku = (line.sku or "").strip()
        text = line.title
        if sku and len(sku) <= MAX_ARTICLE_NUMBER:
            known = self.ctx.articles.get(sku)
            if known is not None and article_fits(known.coding, coding, scenario):
                return ArticleNeed(number=sku, name=known.name, coding=known.coding or coding, id=known.id), text
            if known is None and self.ctx.create_missing_articles:
                # a negative unit price (a deposit returned, a manual discount line) is a negative row, as in
                # Exact; the article gets no price then: eAccounting's article prices are 0..99,000,000 (swagger)
                priced = line.unit_price_excl >= 0 and line.unit_price_incl >= 0
                return ArticleNeed(number=sku, name=line.title[:MAX_ARTICLE_NAME], coding=coding,
                                   net_price=line.unit_price_excl if priced else None,
                                   gross_price=line.unit_price_incl if priced else None), text
        generic = self.service_article("generic", self.ctx.generic_article_number, coding, "Webshop sales")
        return generic, f"{line.title} ({sku})" if sku else line.title

    def line_rows(self) -> list[RowPlan]:
        rows: list[RowPlan] = []
        for i, line in enumerate(self.order.lines):
            where = f"lines.{i}"
            amount = line.total_incl if self.includes_vat else line.total_excl
            if line.quantity == 0:
                problem = zero_line_problem(line)
                if problem:
                    raise PlanError(f"{where}.quantity", f"line {i + 1} ({quoted(line.title)}): {problem}")
                continue  # nothing sold, nothing to book: left out, and the booker notes it (dropped_zero_lines)
            if contradicts_sign(line):
                raise PlanError(f"{where}.quantity", f"quantity {pct(line.quantity)} at unit price "
                                                     f"{line.unit_price_incl} cannot add up to a line total of "
                                                     f"{line.total_incl} (a returned line has a negative quantity "
                                                     "and total)")
            treatment = self.classify(line.tax_rate, f"{where}.tax_rate", service=line.is_service,
                                      exempt=not line.taxable)
            coding = self.coding(treatment, f"{where}.tax_rate", f"line {i + 1} ({quoted(line.title)})",
                                 service=line.is_service)
            article, text = self.line_article(line, coding, treatment.scenario)
            list_price = line.unit_price_incl if self.includes_vat else line.unit_price_excl
            rows += self.rows_for(article, treatment, text, amount=amount, quantity=line.quantity,
                                  list_price=list_price, where=where)
        return rows

    def shipping_rows(self) -> list[RowPlan]:
        rows: list[RowPlan] = []
        for i, ship in enumerate(self.order.shipping_lines):
            amount = ship.amount_incl if self.includes_vat else ship.amount_excl
            if amount == 0:
                continue
            where = f"shipping_lines.{i}"
            treatment = self.classify(ship.tax_rate, f"{where}.tax_rate")
            coding = self.coding(treatment, f"{where}.tax_rate", f"shipping {quoted(ship.title)}")
            article = self.service_article("shipping", self.ctx.shipping_article_number, coding, "Shipping")
            rows += self.rows_for(article, treatment, ship.title, amount=amount, quantity=ONE, list_price=None,
                                  where=where)
        return rows

    def discount_rows(self) -> list[RowPlan]:
        rows: list[RowPlan] = []
        line_rates = {line.tax_rate for line in self.order.lines}
        for i, disc in enumerate(self.order.discounts):
            if disc.allocation is not DiscountAllocation.ORDER or disc.amount_incl == 0:
                continue
            where = f"discounts.{i}"
            rate = disc.tax_rate
            if rate is None:
                if len(line_rates) != 1:
                    raise PlanError(f"{where}.tax_rate", f"order discount {quoted(disc.title)} has no tax rate and the "
                                                         "order mixes rates; it cannot be split safely")
                rate = next(iter(line_rates))
            treatment = self.classify(rate, f"{where}.tax_rate")
            coding = self.coding(treatment, f"{where}.tax_rate", f"discount {quoted(disc.title)}")
            article = self.service_article("discount", self.ctx.discount_article_number, coding, "Discount")
            amount = -(disc.amount_incl if self.includes_vat else disc.amount_excl)
            rows += self.rows_for(article, treatment, disc.title or disc.code or "Discount", amount=amount,
                                  quantity=ONE, list_price=None, where=where)
        return rows

    def rounding_article(self, where: str) -> ArticleNeed:
        zero = VatTreatment(scenario=Scenario.DOMESTIC_ZERO, rate=ZERO, country=self.ctx.seller_country)
        try:
            coding = self.ctx.codings.coding_for(zero)
        except MissingCoding as exc:
            raise PlanError(where, f"a rounding row is needed but {exc}") from None
        return self.service_article("rounding", self.ctx.rounding_article_number, coding, "Rounding")

    def finish(self, rows: list[RowPlan], expected: Decimal, *, kind: str, reference: str,
               is_credit: bool) -> DocumentPlan:
        if self.customer.currency and self.customer.currency != self.order.currency:
            raise PlanError("currency", f"the order is in {self.order.currency} but eAccounting customer "
                                        f"{self.customer.name!r} invoices in {self.customer.currency}")
        whole = self.ctx.whole_unit_rounding and self.order.currency == self.ctx.company_currency
        totals = predict_totals(rows, includes_vat=self.includes_vat, whole_units=whole)
        expected = round2(expected)  # eAccounting totals to the cent: a shop's sub-cent digits are no difference
        difference = expected - totals.before_roundings
        rounding = ZERO
        if difference:
            if abs(difference) > self.ctx.max_rounding_difference:
                raise PlanError("totals.grand_total", f"eAccounting would total {totals.before_roundings} where the "
                                                      f"shop's total is {expected} (difference {difference})")
            article = self.rounding_article("totals.grand_total")
            rows = [*rows, RowPlan(article=article, text="Rounding difference", quantity=ONE, unit_price=difference,
                                   discount=ZERO, rate=ZERO, scenario=Scenario.DOMESTIC_ZERO.value)]
            totals = predict_totals(rows, includes_vat=self.includes_vat, whole_units=whole)
            rounding = difference
        if not rows:
            raise PlanError("lines", "the order has nothing to book (no lines with an amount)")
        if kind in ROW_LIMITED_KINDS and len(rows) > MAX_ROWS:
            raise PlanError("lines", f"the {kind.replace('_', ' ')} would have {len(rows)} rows for "
                                     f"{len(self.order.lines)} order lines; eAccounting allows at most {MAX_ROWS} rows "
                                     "on one document (row LineNumber 0..1000)")
        return DocumentPlan(kind=kind, reference=reference, order_reference=self.order.reference,
                            customer=self.customer, includes_vat=self.includes_vat, is_credit=is_credit,
                            document_date=self.on, currency=self.order.currency, rows=tuple(rows),
                            expected_total=expected, totals=totals, rounding_row=rounding)


def generic_number(base: str, coding: Coding) -> str:
    """Number of a per-coding service article, e.g. 'SHIPPING-25', 'WEBSHOP-12', 'DISCOUNT-25S' (service coding),
    'WEBSHOP-19-DE' (the OSS coding for Germany)."""
    country = f"-{coding.oss_country}" if coding.oss_country else ""
    return f"{base}-{pct(coding.rate)}{'S' if coding.type == SERVICE else ''}{country}"[:MAX_ARTICLE_NUMBER]


def plan_order(order: Order, customer: CustomerView, ctx: PlanContext, *, kind: str) -> DocumentPlan:
    """The document that books `order` for `customer`, with rows, prices and predicted totals. A return receipt (a
    negative grand total: every line, or in an exchange some lines, with a negative quantity) becomes one credit
    invoice under the order's own reference; an exchange with a positive total one invoice with rows of both signs.

    Raises:
        PlanError: naming the field (line, country, rate) when the order cannot be booked as configured.
    """
    planner = _Planner(order, customer, ctx, order.source_id)
    rows = planner.line_rows() + planner.shipping_rows() + planner.discount_rows()
    if is_return(order):  # plans hold credits with positive amounts; `document_payload` books them negative
        return planner.finish([replace(row, quantity=-row.quantity) for row in rows], -order.totals.grand_total,
                              kind=credit_kind(kind), reference=document_reference(order), is_credit=True)
    return planner.finish(rows, order.totals.grand_total, kind=kind, reference=document_reference(order),
                          is_credit=False)


def plan_refund(order: Order, refund: Refund, customer: CustomerView, ctx: PlanContext, *, kind: str) -> DocumentPlan:
    """A credit document for one refund: refunded lines on their articles, shipping, adjustments as rounding.

    Amounts are positive in the plan; `document_payload` books them as a credit.
    """
    planner = _Planner(order, customer, ctx, order.source_id)
    lines = {line.line_id: line for line in order.lines}
    rows: list[RowPlan] = []
    for i, rline in enumerate(refund.lines):
        where = f"refunds.{refund.refund_id}.lines.{i}"
        line = lines.get(rline.line_id)
        if line is None:
            raise PlanError(where, f"refund line refers to unknown order line {rline.line_id!r}")
        treatment = planner.classify(rline.tax_rate, f"{where}.tax_rate", service=line.is_service,
                                     exempt=not line.taxable)
        coding = planner.coding(treatment, f"{where}.tax_rate", f"refund of line {quoted(line.title)}",
                                service=line.is_service)
        article, text = planner.line_article(line, coding, treatment.scenario)
        amount = rline.amount_incl if planner.includes_vat else rline.amount_excl
        rows += planner.rows_for(article, treatment, text, amount=amount, quantity=rline.quantity or ONE,
                                 list_price=None, where=where)
    if refund.shipping_incl:
        where = f"refunds.{refund.refund_id}.shipping_incl"
        rate = order.shipping_lines[0].tax_rate if order.shipping_lines else ZERO
        treatment = planner.classify(rate, where)
        coding = planner.coding(treatment, where, "shipping refund")
        article = planner.service_article("shipping", ctx.shipping_article_number, coding, "Shipping")
        amount = refund.shipping_incl if planner.includes_vat else round2(net_from_gross(refund.shipping_incl, rate))
        rows += planner.rows_for(article, treatment, "Shipping refund", amount=amount, quantity=ONE,
                                 list_price=None, where=where)
    if refund.adjustment_incl:
        article = planner.rounding_article(f"refunds.{refund.refund_id}.adjustment_incl")
        rows.append(RowPlan(article=article, text=refund.note or "Refund adjustment", quantity=ONE,
                            unit_price=refund.adjustment_incl, discount=ZERO, rate=ZERO,
                            scenario=Scenario.DOMESTIC_ZERO.value))
    return planner.finish(rows, refund.total_incl, kind=kind, reference=document_reference(order, refund),
                          is_credit=True)
