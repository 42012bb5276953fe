"""PURE: canonical Order / Refund -> BookingPlan: the lines, VAT treatment and code of each, the rounding rule.

Rounding rule (documented in README "Amounts to the cent"):
1. Every line is booked at the shop's own net amount (`total_excl`, already in cents; prices incl. VAT were split
   by the shop, we never re-derive them). Quantity and UnitPrice = net / quantity (6 decimals) are sent with
   AmountFC = net, so Exact's line amount is the shop's net to the cent.
2. Sales invoices and sales orders: Exact computes each line's VAT from its VAT code, ROUND_HALF_UP per line. We
   compute the same figure; what remains between the order's grand total and Exact's total (the shop rounded VAT
   on gross prices, or its totals do not add up) goes on one rounding line (item `rounding_item_code`, exempt VAT
   code), or the order is rejected when `rounding` is "reject" or the difference exceeds `max_rounding`.
3. Sales entries: each line also carries VATAmountFC = the VAT the shop charged (Exact lets an entry override the
   computed VAT), so only a difference in the shop's own totals can remain; it follows the same rule on
   `rounding_gl_account`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connector_common.errors import RecordError, quoted
from connector_common.model import DiscountAllocation, Order, Refund, contradicts_sign, order_key, zero_line_problem
from connector_common.model import booking_reference as common_reference
from connector_common.money import HUNDRED, cents, net_from_gross
from connector_common.vat import Supply, VatError, VatTreatment, classify
from destination_exact_online.settings import Settings
from destination_exact_online.vat_codes import VatCodeTable

MAX_REFERENCE = 40
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanLine:
    """One line of a document to book. Amounts are signed (negative on credit notes and discount lines)."""

    kind: str  # "product" | "shipping" | "discount" | "adjustment" | "rounding"
    item_code: str | None
    description: str
    quantity: Decimal
    net: Decimal
    vat: Decimal  # the VAT the shop charged
    exact_vat: Decimal  # the VAT Exact computes from the code (ROUND_HALF_UP per line)
    treatment: VatTreatment
    vat_code: str
    where: str  # the canonical field the line comes from, for error messages


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingPlan:
    """What will be booked for one order or refund; also what a dry run prints."""

    reference: str  # our reference, sent as YourRef and used to find the booking again
    order_key: str
    document_type: str
    credit_note: bool
    on: date
    currency: str
    country: str
    description: str
    payment_condition: str | None
    lines: tuple[PlanLine, ...]
    total: Decimal  # the document total incl. VAT that Exact will show

    @property
    def net_total(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    def vat_by_code(self, *, shop_vat: bool) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            out[line.vat_code] = out.get(line.vat_code, ZERO) + (line.vat if shop_vat else line.exact_vat)
        return out


# --- references -------------------------------------------------------------------------------------------------
def booking_reference(order: Order, refund: Refund | None = None) -> str:
    """Our reference on the document (`YourRef`): common's `booking_reference` ('shopify:#1001', '.../R<refund id>'),
    fitted into Exact's 40 characters with a digest when longer."""
    ref = common_reference(order, refund)
    if len(ref) <= MAX_REFERENCE:
        return ref
    digest = hashlib.sha256(ref.encode()).hexdigest()[:10]
    return f"{ref[:MAX_REFERENCE - 11]}~{digest}"


# --- VAT --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _VatFacts:
    seller: str
    country: str
    postcode: str | None
    on: date
    vat_number: str | None
    is_company: bool
    oss_registered: bool


def _facts(order: Order, settings: Settings, on: date) -> _VatFacts:
    ship_to = order.ship_to
    country = ship_to.country if ship_to and ship_to.country else settings.seller_country
    customer = order.customer
    company = bool(customer and (customer.is_company or customer.company_name))
    return _VatFacts(seller=settings.seller_country, country=country, postcode=ship_to.postcode if ship_to else None,
                     on=on, vat_number=customer.vat_number if customer else None, is_company=company,
                     oss_registered=settings.oss_registered)


def _treatment(facts: _VatFacts, rate: Decimal, key: str, where: str, *, services: bool = False,
               exempt: bool = False) -> VatTreatment:
    try:
        return classify(seller_country=facts.seller, ship_to_country=facts.country, rate=rate, on=facts.on,
                        ship_to_postcode=facts.postcode, vat_number=facts.vat_number, is_company=facts.is_company,
                        supply=Supply.SERVICES if services else Supply.GOODS, exempt=exempt,
                        oss_registered=facts.oss_registered)
    except VatError as exc:
        raise RecordError("orders", key, where, str(exc)) from None


def _code(vat: VatCodeTable, treatment: VatTreatment, key: str, where: str) -> tuple[str, Decimal]:
    code = vat.code_for(treatment)
    if code is None:
        raise RecordError("orders", key, where, f"no Exact VAT code for {treatment.key} (country {treatment.country}, "
                          f"rate {format(treatment.rate.normalize(), 'f')}%): add vat_codes.{treatment.key} to the "
                          "config")
    pct = vat.percentage_of(code)
    if pct is not None and pct * HUNDRED != treatment.rate:
        raise RecordError("orders", key, where, f"VAT code {code!r} is {format((pct * HUNDRED).normalize(), 'f')}% "
                          f"but the line was charged {format(treatment.rate.normalize(), 'f')}% "
                          f"({treatment.key}, country {treatment.country})")
    return code, (pct if pct is not None else treatment.rate / HUNDRED)


def _line(kind: str, item_code: str | None, description: str, *, quantity: Decimal, net: Decimal, vat: Decimal,
          rate: Decimal, ctx: tuple[_VatFacts, VatCodeTable, str], where: str, services: bool = False,
          exempt: bool = False) -> PlanLine:
    facts, table, key = ctx
    treatment = _treatment(facts, rate, key, where, services=services, exempt=exempt)
    code, fraction = _code(table, treatment, key, where)
    return PlanLine(kind=kind, item_code=item_code, description=description, quantity=quantity, net=net, vat=vat,
                    exact_vat=cents(net * fraction), treatment=treatment, vat_code=code, where=where)


def _pct(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


# --- order -> plan ----------------------------------------------------------------------------------------------
def _payment_condition(order: Order, settings: Settings) -> str | None:
    for payment in order.payments:
        code = settings.payment_conditions.get(payment.gateway.lower())
        if code:
            return code
    return settings.default_payment_condition


def _finish(lines: list[PlanLine], *, total: Decimal, settings: Settings, facts: _VatFacts, table: VatCodeTable,
            key: str) -> tuple[PlanLine, ...]:
    """Apply the rounding rule: the document must show `total` to the cent, or the order is rejected."""
    shop_vat = settings.document_type == "sales_entry"
    booked = sum((ln.net + (ln.vat if shop_vat else ln.exact_vat) for ln in lines), ZERO)
    difference = total - booked
    if not difference:
        return tuple(lines)
    if settings.rounding == "reject" or abs(difference) > settings.max_rounding:
        raise RecordError("orders", key, "totals.grand_total",
                          f"Exact would book {booked} but the order total is {total}: difference {difference} "
                          f"({'rounding is set to reject' if settings.rounding == 'reject' else 'above max_rounding '}"
                          f"{'' if settings.rounding == 'reject' else settings.max_rounding})")
    rounding = _line("rounding", settings.rounding_item_code, "Afronding / rounding", quantity=Decimal(1),
                     net=difference, vat=ZERO, rate=ZERO, ctx=(facts, table, key), where="totals.grand_total",
                     exempt=True)
    return (*lines, rounding)


def is_return(order: Order) -> bool:
    """A POS return receipt (or an exchange that pays money back): booked as one credit note."""
    return order.totals.grand_total < 0


def order_plan(order: Order, settings: Settings, table: VatCodeTable) -> BookingPlan:
    """The sales invoice / sales order / sales entry for an order. A return receipt (negative grand total: returned
    lines have negative quantities) is a credit note (Type 8021; a sales invoice also when sales orders are
    configured) under the receipt's own reference, lines signed as the shop reports them; an exchange with a
    positive total is one invoice with lines of both signs.

    Raises:
        RecordError: naming the order and field (missing SKU, no VAT code, a difference the rounding rule refuses).
    """
    key = order_key(order)
    facts = _facts(order, settings, order.created_at.date())
    ctx = (facts, table, key)
    by_rate_discount: dict[tuple[Decimal, bool], tuple[Decimal, Decimal]] = {}
    lines: list[PlanLine] = []
    split_discount = settings.discount_booking == "discount_lines"
    for i, src in enumerate(order.lines):
        where = f"lines.{i}"
        if src.quantity == 0:
            problem = zero_line_problem(src)
            if problem:
                raise RecordError("orders", key, f"{where}.quantity", f"line {i + 1} ({quoted(src.title)}): {problem}")
            continue  # nothing sold, nothing to book: left out, and the booker notes it (dropped_zero_lines)
        if settings.document_type != "sales_entry" and not (src.sku or "").strip():
            raise RecordError("orders", key, f"{where}.sku", f"line {quoted(src.title)} has no SKU to use as item code")
        if contradicts_sign(src):
            raise RecordError("orders", key, f"{where}.quantity",
                              f"quantity {src.quantity} at unit price {src.unit_price_incl} cannot add up to a line "
                              f"total of {src.total_incl} (a returned line has a negative quantity and total)")
        net, vat = src.total_excl, src.tax_amount
        disc_net, disc_vat = src.discount_excl, src.discount_incl - src.discount_excl
        if split_discount and src.discount_excl:
            net, vat = net + disc_net, vat + disc_vat
            group = (src.tax_rate, not src.taxable)
            prev = by_rate_discount.get(group, (ZERO, ZERO))
            by_rate_discount[group] = (prev[0] + disc_net, prev[1] + disc_vat)
        lines.append(_line("product", (src.sku or "").strip() or None, src.title, quantity=src.quantity, net=net,
                           vat=vat, rate=src.tax_rate, ctx=ctx, where=where, services=src.is_service,
                           exempt=not src.taxable))
    for (rate, exempt), (disc_net, disc_vat) in sorted(by_rate_discount.items()):
        lines.append(_line("discount", settings.discount_item_code, f"Korting / discount {_pct(rate)}%",
                           quantity=Decimal(1), net=-disc_net, vat=-disc_vat, rate=rate, ctx=ctx,
                           where="lines.discount_excl", exempt=exempt))
    for i, ship in enumerate(order.shipping_lines):
        lines.append(_line("shipping", settings.shipping_item_code, ship.title or "Verzendkosten", quantity=Decimal(1),
                           net=ship.amount_excl, vat=ship.tax_amount, rate=ship.tax_rate, ctx=ctx,
                           where=f"shipping_lines.{i}"))
    for i, disc in enumerate(order.discounts):
        if disc.allocation is not DiscountAllocation.ORDER:
            continue
        rate = disc.tax_rate if disc.tax_rate is not None else ZERO
        lines.append(_line("discount", settings.discount_item_code, disc.title or disc.code or "Korting",
                           quantity=Decimal(1), net=-disc.amount_excl, vat=-disc.tax_amount, rate=rate, ctx=ctx,
                           where=f"discounts.{i}"))
    total = order.totals.grand_total
    credit = is_return(order)
    return BookingPlan(
        reference=booking_reference(order), order_key=key, document_type=settings.document_type, credit_note=credit,
        on=facts.on, currency=order.currency, country=facts.country,
        description=f"{order.source} {'return' if credit else 'order'} {order.reference}"[:60],
        payment_condition=_payment_condition(order, settings),
        lines=_finish(lines, total=total, settings=settings, facts=facts, table=table, key=key), total=total)


def refund_plan(order: Order, refund: Refund, settings: Settings, table: VatCodeTable) -> BookingPlan:
    """The credit note for one refund: refunded lines, refunded shipping and adjustments, negative amounts.

    Raises:
        RecordError: as `order_plan`, with the refund's field path.
    """
    key = order_key(order)
    index = order.refunds.index(refund)
    prefix = f"refunds.{index}"
    facts = _facts(order, settings, refund.created_at.date())
    ctx = (facts, table, key)
    by_line = {line.line_id: line for line in order.lines}
    lines: list[PlanLine] = []
    for i, src in enumerate(refund.lines):
        original = by_line.get(src.line_id)
        sku = (src.sku or (original.sku if original else None) or "").strip() or None
        if settings.document_type != "sales_entry" and not sku:
            raise RecordError("orders", key, f"{prefix}.lines.{i}.sku", "refunded line has no SKU to use as item code")
        title = original.title if original else f"Refund {src.line_id}"
        lines.append(_line("product", sku, title, quantity=-src.quantity, net=-src.amount_excl, vat=-src.tax_amount,
                           rate=src.tax_rate, ctx=ctx, where=f"{prefix}.lines.{i}",
                           services=bool(original and original.is_service),
                           exempt=bool(original and not original.taxable)))
    if refund.shipping_incl:
        rate = order.shipping_lines[0].tax_rate if order.shipping_lines else ZERO
        net = cents(net_from_gross(refund.shipping_incl, rate))
        lines.append(_line("shipping", settings.shipping_item_code, "Verzendkosten retour", quantity=Decimal(1),
                           net=-net, vat=-(refund.shipping_incl - net), rate=rate, ctx=ctx,
                           where=f"{prefix}.shipping_incl"))
    if refund.adjustment_incl:
        lines.append(_line("adjustment", settings.discount_item_code, "Correctie / refund adjustment",
                           quantity=Decimal(1), net=-refund.adjustment_incl, vat=ZERO, rate=ZERO, ctx=ctx,
                           where=f"{prefix}.adjustment_incl", exempt=True))
    total = -refund.total_incl
    return BookingPlan(
        reference=booking_reference(order, refund), order_key=key, document_type=settings.document_type,
        credit_note=True, on=facts.on, currency=order.currency, country=facts.country,
        description=f"{order.source} refund {order.reference}"[:60], payment_condition=None,
        lines=_finish(lines, total=total, settings=settings, facts=facts, table=table, key=key), total=total)

