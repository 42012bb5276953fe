"""The booking plan: what one eAccounting document will hold, and the totals eAccounting will compute for it (pure).

eAccounting's arithmetic (reference §11): row amount = round(Quantity * UnitPrice * (1 - DiscountPercentage)) half
away from zero; VAT per rate over the summed row amounts; with whole-unit rounding (Swedish öresavrundning) the
payable total is rounded and the difference shown as TotalRoundings. How an order becomes such a plan: planner.py;
the plan as eAccounting's request bodies: mapping.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from connector_common.model import Order, Refund, booking_reference
from connector_common.money import CENT
from destination_eaccounting.vat_codes import Coding, CodingTable

ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_ARTICLE_NUMBER = 40
MAX_ARTICLE_NAME = 50
MAX_REFERENCE = 100


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



@dataclass
class ReferenceData:
    """What the Booker needs from the company, read once per sync (see `load_reference_data`)."""

    context: PlanContext
    codings_by_id: dict[str, Coding]
    unit_id: str
    terms: list[dict[str, Any]]
    default_customer: dict[str, Any] | None


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


# --- text ------------------------------------------------------------------------------------------------------
def describe_plan(plan: DocumentPlan) -> str:
    """One line a bookkeeper can read: document, customer, rows with article, VAT and amount, totals."""
    what = ("credit " if plan.is_credit else "") + plan.kind.replace("_", " ")
    rows = "; ".join(
        f"{pct(r.quantity)} x {r.article.number}{'' if r.article.id else ' (new)'} @ {r.unit_price}"
        f"{f' -{pct(r.discount * HUNDRED)}%' if r.discount else ''} VAT {pct(r.rate)}% [{r.scenario}]"
        for r in plan.rows)
    basis = "incl." if plan.includes_vat else "excl."
    return (f"{plan.reference}: {what} for customer {plan.customer.name!r} ({plan.customer.origin}); prices {basis} "
            f"VAT; rows: {rows}; total {plan.totals.total_amount} {plan.currency} (VAT {plan.totals.total_vat}, "
            f"roundings {plan.totals.total_roundings}); shop total {plan.expected_total}")


def pct(value: Decimal) -> str:
    """A rate or quantity without trailing zeros: 25, 5.5, 1.25."""
    return format(value.normalize(), "f")
