"""Pure VAT and totals arithmetic of sales documents (drafts, invoices, orders), as eAccounting books them.

Rules (reference §11; the stand-in's interpretation where the docs are silent):
- A row's VAT rate comes from its article's account coding, never from the request. The customer decides the
  treatment: same country as the company -> domestic rate; other EU country and a company customer with a VAT
  number -> reverse charge (0 %); other EU country, private or without VAT number -> domestic rate (no OSS in the
  stand-in); outside the EU -> export (0 %) unless the customer has ForceBookkeepVat. A row marked IsVatFree is 0 %.
- IncludesVat (prices incl. VAT) = private customer and the company setting ShowPricesExclVatPC is false.
- Row amount = round2(Quantity * UnitPrice * (1 - DiscountPercentage)), half away from zero.
- VAT per rate over the summed row amounts: net prices -> round2(net * rate); gross prices ->
  round2(gross * rate / (1 + rate)).
- TotalAmount = amount payable incl. VAT and roundings; TotalVatAmount = sum of VAT; with DomesticCurrencyRounding
  1 (Swedish whole-krona rounding) and the invoice in company currency, TotalAmount is rounded to a whole unit
  and TotalRoundings holds the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ONE = Decimal("1")
ZERO = Decimal("0")


def round2(value: Decimal) -> Decimal:
    """Round half away from zero to cents (Decimal ROUND_HALF_UP rounds away from zero for negatives too)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Treatment:
    """How a customer's documents are taxed: the multiplier applied to coding rates and the label for tests."""

    name: str  # domestic | eu_reverse_charge | eu_private | export | export_forced_vat
    taxed: bool


def treatment(company_country: str, customer: dict[str, object], eu_members: frozenset[str]) -> Treatment:
    """Classify a customer against the company's country (see module docstring)."""
    country = str(customer.get("InvoiceCountryCode") or company_country).upper()
    if country == company_country:
        return Treatment("domestic", True)
    if country in eu_members:
        if not customer.get("IsPrivatePerson") and customer.get("VatNumber"):
            return Treatment("eu_reverse_charge", False)
        return Treatment("eu_private", True)
    if customer.get("ForceBookkeepVat"):
        return Treatment("export_forced_vat", True)
    return Treatment("export", False)


@dataclass(frozen=True, slots=True)
class RowInput:
    """What the totals need from one non-text row."""

    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # fraction 0..1
    rate: Decimal  # fraction, e.g. 0.25, already 0 for reverse charge / export / VAT-free rows


@dataclass(frozen=True, slots=True)
class RowAmounts:
    amount: Decimal  # in the document's price basis (gross if IncludesVat)
    amount_no_vat: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    rows: tuple[RowAmounts, ...]
    total_amount: Decimal  # payable, incl. VAT and roundings
    total_vat: Decimal
    total_roundings: Decimal
    total_no_vat: Decimal
    by_rate: tuple[tuple[Decimal, Decimal, Decimal], ...]  # (rate, net amount, VAT amount), ascending rate


def compute(rows: list[RowInput], includes_vat: bool, round_to_whole: bool) -> Totals:
    """Totals of one document; see the module docstring for the rules."""
    amounts: list[RowAmounts] = []
    sums: dict[Decimal, Decimal] = {}
    for row in rows:
        amount = round2(row.quantity * row.unit_price * (ONE - row.discount))
        amounts.append(RowAmounts(amount, round2(amount / (ONE + row.rate)) if includes_vat else amount))
        sums[row.rate] = sums.get(row.rate, ZERO) + amount
    by_rate: list[tuple[Decimal, Decimal, Decimal]] = []
    for rate in sorted(sums):
        base = sums[rate]
        if includes_vat:
            vat = round2(base * rate / (ONE + rate))
            by_rate.append((rate, base - vat, vat))
        else:
            by_rate.append((rate, base, round2(base * rate)))
    total_no_vat = sum((net for _, net, _ in by_rate), ZERO)
    total_vat = sum((vat for _, _, vat in by_rate), ZERO)
    exact = total_no_vat + total_vat
    roundings = (exact.quantize(ONE, rounding=ROUND_HALF_UP) - exact) if round_to_whole else ZERO
    return Totals(rows=tuple(amounts), total_amount=exact + roundings, total_vat=total_vat,
                  total_roundings=roundings, total_no_vat=total_no_vat, by_rate=tuple(by_rate))


def decimals(value: Decimal) -> int:
    """Significant decimals of a request value (Decimal('12.50') -> 1, Decimal('12.345') -> 3, Decimal('3') -> 0)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
