"""Canonical order -> eAccounting booking plan and payloads (pure: values in, values out, no I/O).

Money rules (eAccounting computes the document, we predict it and refuse to send a document that would differ):
- Rows carry no VAT: the article's coding and the customer decide it (see vat_codes.py).
- Prices are incl. VAT when eAccounting will mark the document `IncludesVat` (a private customer and the company
  setting "show prices excl. VAT for private individuals" off), else excl. VAT. Each row gets the line's total
  in that basis, to the cent: the list price with a discount percentage when that reproduces the total exactly,
  else the net unit price, else the line split into two rows one cent apart, else one row of quantity 1.
- eAccounting's arithmetic (reference §11): row amount = round(Quantity * UnitPrice * (1 - DiscountPercentage))
  half away from zero; VAT per rate over the summed row amounts; with whole-unit rounding (Swedish öresavrundning)
  the payable total is rounded and the difference shown as TotalRoundings.
- Any remaining difference to the shop's grand total up to `max_rounding_difference` becomes a row on the
  rounding article (a 0 % coding); a larger one rejects the order with the difference named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from connector_common.errors import quoted
from connector_common.model import (
    Address,
    CustomerRef,
    DiscountAllocation,
    Order,
    OrderLine,
    Product,
    Refund,
    booking_reference,
    contradicts_sign,
    zero_line_problem,
)
from connector_common.money import CENT, net_from_gross
from connector_common.vat import (
    Scenario,
    Supply,
    VatError,
    VatTreatment,
    classify,
    normalize_vat_number,
    vat_number_problem,
)
from connector_common.wire import email_key
from destination_eaccounting.vat_codes import (
    SERVICE,
    Coding,
    CodingTable,
    CustomerTreatment,
    MissingCoding,
    article_fits,
    charged_rate,
    customer_treatment,
    treatment_fits,
)

ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
QUANTITY_PLACES = Decimal("0.01")
DISCOUNT_PLACES = Decimal("0.0001")
MAX_ARTICLE_NUMBER = 40
MAX_ARTICLE_NAME = 50
MAX_ROW_TEXT = 2000
MAX_REFERENCE = 100
MAX_ROWS = 1000  # CustomerInvoiceDraftRowApi / OrderRowApi: LineNumber 0..1000 (swagger); we number rows from 1
ROW_LIMITED_KINDS = frozenset({"customer_invoice_draft", "order"})  # a booked invoice's LineNumber is read-only
ORDER_STATUS_ONGOING = 2


class PlanError(ValueError):
    """An order cannot be booked as configured; `field` is the canonical field path that causes it."""

    def __init__(self, field_path: str | None, message: str) -> None:
        self.field = field_path
        super().__init__(message)


# --- views of eAccounting objects the planner needs ---------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerView:
    """The eAccounting customer a document goes to (existing, or about to be created from `payload`)."""

    id: str | None
    number: str | None
    name: str
    country: str | None
    is_private: bool
    vat_number: str | None
    force_vat: bool = False
    currency: str | None = None
    origin: str = "matched"  # matched | created | default | updated


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleView:
    id: str
    number: str
    name: str
    coding: Coding | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanContext:
    """Company facts and settings the planner works with (all read once per sync)."""

    company_country: str
    company_currency: str
    seller_country: str
    show_prices_excl_vat_pc: bool
    whole_unit_rounding: bool
    codings: CodingTable
    articles: Mapping[str, ArticleView]  # by article number, as far as known
    is_eu_member: Callable[[str, date], bool]
    create_missing_articles: bool = True
    oss_registered: bool = False
    shipping_article_number: str = "SHIPPING"
    discount_article_number: str = "DISCOUNT"
    generic_article_number: str = "WEBSHOP"
    rounding_article_number: str = "ROUNDING"
    max_rounding_difference: Decimal = Decimal("0.05")


# --- the plan ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleNeed:
    """The article a row is booked on: an existing one (`id`) or one to create with this number and coding."""

    number: str
    name: str
    coding: Coding
    id: str | None = None
    net_price: Decimal | None = None
    gross_price: Decimal | None = None
    kind: str = "sku"  # sku | generic | shipping | discount | rounding


@dataclass(frozen=True, slots=True, kw_only=True)
class RowPlan:
    article: ArticleNeed
    text: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # fraction 0..1
    rate: Decimal  # the VAT percent eAccounting will charge
    scenario: str  # VatTreatment.key, for the summary


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictedTotals:
    total_amount: Decimal  # payable incl. VAT and roundings, as eAccounting shows TotalAmount
    total_vat: Decimal
    total_roundings: Decimal
    total_no_vat: Decimal
    by_rate: tuple[tuple[Decimal, Decimal, Decimal], ...]  # (rate %, amount in price basis, VAT)

    @property
    def before_roundings(self) -> Decimal:
        return self.total_amount - self.total_roundings


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentPlan:
    kind: str  # customer_invoice_draft | customer_invoice | order
    reference: str
    order_reference: str
    customer: CustomerView
    includes_vat: bool
    is_credit: bool
    document_date: date
    currency: str
    rows: tuple[RowPlan, ...]
    expected_total: Decimal
    totals: PredictedTotals
    rounding_row: Decimal = ZERO
    notes: tuple[str, ...] = field(default=())


def round2(value: Decimal) -> Decimal:
    """Half away from zero to cents (Decimal's ROUND_HALF_UP is away from zero for negatives too)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def document_reference(order: Order, refund: Refund | None = None) -> str:
    """Our reference on the document (`YourReference`, at most 100 characters): common's `booking_reference`,
    e.g. 'shopify:#1001', and 'shopify:#1001/R55' for a refund's credit invoice. A longer one keeps its first 89
    characters plus '~' and a digest of the whole, so two long references never collapse into one (which would
    make the second order look booked already)."""
    ref = booking_reference(order, refund)
    if len(ref) <= MAX_REFERENCE:
        return ref
    digest = hashlib.sha256(ref.encode()).hexdigest()[:10]
    return f"{ref[:MAX_REFERENCE - 11]}~{digest}"


def is_return(order: Order) -> bool:
    """A POS return receipt (or an exchange that pays money back): booked as one credit invoice."""
    return order.totals.grand_total < 0


def credit_kind(kind: str) -> str:
    """The document type a credit is booked as: eAccounting orders cannot be credited, so those become drafts."""
    return "customer_invoice_draft" if kind == "order" else kind


def predict_totals(rows: list[RowPlan] | tuple[RowPlan, ...], *, includes_vat: bool,
                   whole_units: bool) -> PredictedTotals:
    """The totals eAccounting computes for these rows (module docstring: eAccounting's arithmetic)."""
    sums: dict[Decimal, Decimal] = {}
    for row in rows:
        amount = round2(row.quantity * row.unit_price * (ONE - row.discount))
        sums[row.rate] = sums.get(row.rate, ZERO) + amount
    by_rate: list[tuple[Decimal, Decimal, Decimal]] = []
    no_vat = vat_total = ZERO
    for rate in sorted(sums):
        base = sums[rate]
        if includes_vat:
            vat = round2(base * rate / (HUNDRED + rate))
            no_vat += base - vat
        else:
            vat = round2(base * rate / HUNDRED)
            no_vat += base
        vat_total += vat
        by_rate.append((rate, base, vat))
    exact = no_vat + vat_total
    roundings = exact.quantize(ONE, rounding=ROUND_HALF_UP) - exact if whole_units else ZERO
    return PredictedTotals(total_amount=exact + roundings, total_vat=vat_total, total_roundings=roundings,
                           total_no_vat=no_vat, by_rate=tuple(by_rate))


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
            raise PlanError(where, f"{label} (country {self.ship_country}, rate {_pct(treatment.rate)}%): "
                                   f"{exc}") from None
        if not treatment_fits(treatment.scenario, self.treatment):
            raise PlanError(where, f"{label} is VAT scenario {treatment.key!r} (country {self.ship_country}, rate "
                                   f"{_pct(treatment.rate)}%) but eAccounting would tax customer "
                                   f"{self.customer.name!r} as {self.treatment.value}; fix the customer's country, "
                                   "VAT number or private/company flag in eAccounting")
        return coding

    def rows_for(self, article: ArticleNeed, treatment: VatTreatment, text: str, *, amount: Decimal,
                 quantity: Decimal, list_price: Decimal | None, where: str) -> list[RowPlan]:
        coding = article.coding
        rate = charged_rate(coding, self.treatment)
        if rate != treatment.rate and not (treatment.scenario is Scenario.EXEMPT and rate == 0):
            raise PlanError(where, f"eAccounting would charge {_pct(rate)}% on article {article.number!r} where "
                                   f"the shop charged {_pct(treatment.rate)}%")
        priced = signed_rows(amount, quantity, list_price) if quantity != 0 else [(ONE, amount, ZERO)]
        rows = []
        for q, price, discount in priced:
            row_text = text if q == quantity or len(priced) > 1 else f"{_pct(quantity)} x {text}"
            rows.append(RowPlan(article=article, text=row_text[:MAX_ROW_TEXT], quantity=q, unit_price=price,
                                discount=discount, rate=rate, scenario=treatment.key))
        return rows

    def service_article(self, kind: str, base: str, coding: Coding, name: str) -> ArticleNeed:
        number = generic_number(base, coding)
        known = self.ctx.articles.get(number)
        return ArticleNeed(number=number, name=f"{name} {_pct(coding.rate)}%"[:MAX_ARTICLE_NAME], coding=coding,
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
                raise PlanError(f"{where}.quantity", f"quantity {_pct(line.quantity)} at unit price "
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
    return f"{base}-{_pct(coding.rate)}{'S' if coding.type == SERVICE else ''}{country}"[:MAX_ARTICLE_NUMBER]


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


# --- payloads ----------------------------------------------------------------------------------------------------
def document_payload(plan: DocumentPlan, order: Order, article_ids: Mapping[str, str]) -> dict[str, Any]:
    """The POST body of the draft / invoice / order. Only writable fields of the vendor schema.

    Credit documents set `IsCreditInvoice` and carry negative quantities (an interpretation: the API has no other
    writable sign; unverified against production).
    """
    sign = -ONE if plan.is_credit else ONE
    rows: list[dict[str, Any]] = []
    for n, row in enumerate(plan.rows, start=1):
        body: dict[str, Any] = {
            "LineNumber": n, "ArticleId": article_ids[row.article.number], "Text": row.text,
            "UnitPrice": row.unit_price, "Quantity": row.quantity * sign, "DiscountPercentage": row.discount,
            "IsTextRow": False, "IsWorkCost": False,
        }
        if plan.kind == "order":
            body["EligibleForReverseChargeOnVat"] = False
        else:
            body["ReversedConstructionServicesVatFree"] = False
        rows.append(body)
    payload: dict[str, Any] = {
        "CustomerId": plan.customer.id, "YourReference": plan.reference,
        "BuyersOrderReference": plan.order_reference[:35], "EuThirdParty": False, "RotReducedInvoicingType": 0,
        "Rows": rows,
    }
    payload.update(_delivery(order.shipping_address))
    day = plan.document_date.isoformat()
    if plan.kind == "order":
        payload.update({"CurrencyCode": plan.currency, "OrderDate": day, "Status": ORDER_STATUS_ONGOING,
                        "ReverseChargeOnConstructionServices": False})
    else:
        payload.update({"InvoiceDate": day, "IsCreditInvoice": plan.is_credit})
    return payload


def _delivery(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    name = address.company or " ".join(p for p in (address.first_name, address.last_name) if p)
    return {k: v for k, v in {
        "DeliveryCustomerName": name[:50] or None, "DeliveryAddress1": _street(address),
        "DeliveryAddress2": (address.line2 or "")[:50] or None,
        "DeliveryPostalCode": (address.postcode or "")[:10] or None,
        "DeliveryCity": (address.city or "")[:50] or None, "DeliveryCountryCode": address.country,
    }.items() if v}


def _street(address: Address) -> str | None:
    street = " ".join(p for p in (address.line1, address.house_number) if p)
    return street[:50] or None


def customer_is_company(ref: CustomerRef | None, address: Address | None) -> bool:
    return bool(ref and (ref.is_company or ref.company_name)) or bool(address and address.company and ref
                                                                        and ref.vat_number)


def customer_country(order: Order, seller_country: str | None) -> str | None:
    """The customer's country: the billing address's, else the ship-to's, else the seller's (eAccounting refuses a
    VAT number without a country, and decides the VAT treatment by it)."""
    for address in (order.billing_address, order.ship_to):
        if address is not None and address.country:
            return address.country
    return seller_country


def customer_payload(order: Order, *, terms_id: str, number: str | None = None,
                     seller_country: str | None = None) -> dict[str, Any]:
    """A new customer from the order's customer snapshot and billing address (company vs private person)."""
    ref = order.customer or CustomerRef()
    address = order.billing_address or order.shipping_address or Address()
    company = customer_is_company(ref, address)
    person = " ".join(p for p in (ref.first_name or address.first_name, ref.last_name or address.last_name) if p)
    company_name = ref.company_name or address.company
    name = (company_name if company and company_name else person) or ref.email or f"Customer {order.reference}"
    payload: dict[str, Any] = {
        "Name": name[:50], "IsPrivatePerson": not company, "IsActive": True, "TermsOfPaymentId": terms_id,
        "EmailAddress": email_key(ref.email), "InvoiceAddress1": _street(address),
        "InvoiceAddress2": (address.line2 or "")[:50] or None, "InvoicePostalCode": (address.postcode or "-")[:10],
        "InvoiceCity": (address.city or "-")[:50], "InvoiceCountryCode": customer_country(order, seller_country),
        "CurrencyCode": order.currency, "Telephone": (ref.phone or address.phone or "")[:50] or None,
    }
    if company:
        if ref.vat_number and vat_number_problem(ref.vat_number) is None:  # eAccounting reverse-charges a VAT number
            payload["VatNumber"] = normalize_vat_number(ref.vat_number)[:20]
        if person:
            payload["ContactPersonName"] = person[:50]
    if number:
        payload["CustomerNumber"] = number[:16]
    return {k: v for k, v in payload.items() if v is not None}


def customer_changes(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `wanted` that differ from the customer in eAccounting (never the terms or the number)."""
    keep = ("TermsOfPaymentId", "CustomerNumber", "CurrencyCode")
    return {k: v for k, v in wanted.items() if k not in keep and existing.get(k) != v}


def customer_view(data: Mapping[str, Any], origin: str) -> CustomerView:
    """A view of an eAccounting customer (from a GET or a POST response)."""
    return CustomerView(id=data.get("Id"), number=data.get("CustomerNumber"), name=str(data.get("Name") or ""),
                        country=data.get("InvoiceCountryCode"), is_private=bool(data.get("IsPrivatePerson")),
                        vat_number=data.get("VatNumber") or None, force_vat=bool(data.get("ForceBookkeepVat")),
                        currency=data.get("CurrencyCode") or None, origin=origin)


def article_payload(need: ArticleNeed, unit_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"Number": need.number, "Name": need.name[:MAX_ARTICLE_NAME] or need.number,
                               "CodingId": need.coding.id, "UnitId": unit_id, "IsActive": True}
    if need.coding.oss:
        payload["UsesMoss"] = True  # an OSS article (ArticleApi.UsesMoss; needs the company's OSS setting)
    if need.net_price is not None:
        payload["NetPrice"] = round2(need.net_price)
    if need.gross_price is not None:
        payload["GrossPrice"] = round2(need.gross_price)
    return payload


def product_article(product: Product, coding: Coding) -> ArticleNeed | None:
    """The article for a canonical product (None when it has no usable SKU)."""
    sku = (product.sku or "").strip()
    if not sku or len(sku) > MAX_ARTICLE_NUMBER:
        return None
    name = product.title + (f" - {product.variant_title}" if product.variant_title else "")
    return ArticleNeed(number=sku, name=name[:MAX_ARTICLE_NAME], coding=coding, net_price=product.price_excl,
                       gross_price=product.price_incl)


# --- wire format and text ----------------------------------------------------------------------------------------
def describe_plan(plan: DocumentPlan) -> str:
    """One line a bookkeeper can read: document, customer, rows with article, VAT and amount, totals."""
    what = ("credit " if plan.is_credit else "") + plan.kind.replace("_", " ")
    rows = "; ".join(
        f"{_pct(r.quantity)} x {r.article.number}{'' if r.article.id else ' (new)'} @ {r.unit_price}"
        f"{f' -{_pct(r.discount * HUNDRED)}%' if r.discount else ''} VAT {_pct(r.rate)}% [{r.scenario}]"
        for r in plan.rows)
    basis = "incl." if plan.includes_vat else "excl."
    return (f"{plan.reference}: {what} for customer {plan.customer.name!r} ({plan.customer.origin}); prices {basis} "
            f"VAT; rows: {rows}; total {plan.totals.total_amount} {plan.currency} (VAT {plan.totals.total_vat}, "
            f"roundings {plan.totals.total_roundings}); shop total {plan.expected_total}")


def _pct(value: Decimal) -> str:
    """A rate or quantity without trailing zeros: 25, 5.5, 1.25."""
    return format(value.normalize(), "f")
