"""PURE mapping: canonical Order -> booking plan -> Exact payloads; Customer -> account/contact; Product -> item.

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connector_common.errors import RecordError, quoted
from connector_common.model import (
    Address,
    Customer,
    DiscountAllocation,
    Order,
    Product,
    Refund,
    contradicts_sign,
    zero_line_problem,
)
from connector_common.model import booking_reference as common_reference
from connector_common.money import HUNDRED, cents, net_from_gross, quantize
from connector_common.vat import Scenario, Supply, VatError, VatTreatment, classify, normalize_vat_number
from connector_common.wire import email_key
from destination_exact_online.settings import Settings
from destination_exact_online.vat_codes import VatCodeTable

INVOICE_TYPE = 8020
CREDIT_NOTE_TYPE = 8021
MAX_REFERENCE = 40
MAX_ITEM_DESCRIPTION = 60
ZERO = Decimal(0)
UNIT_PRICE_PLACES = 6


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFacts:
    """The debtor as we would create it in Exact (from an order's customer snapshot or a `customers` record)."""

    email: str
    name: str
    is_company: bool
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    address: Address | None = None
    country: str | None = None  # the address's, else the order's ship-to, else the seller's


@dataclass(frozen=True, slots=True, kw_only=True)
class PayloadRefs:
    """IDs resolved by the booker: the debtor account, item IDs by code and GL account IDs by code."""

    account_id: str
    item_ids: Mapping[str, str] = field(default_factory=dict)
    gl_ids: Mapping[str, str] = field(default_factory=dict)


# --- references -------------------------------------------------------------------------------------------------
def order_key(order: Order) -> str:
    """How errors name an order (the same form as records.from_record): 'source_id (reference)'."""
    return f"{order.source_id} ({order.reference})" if order.reference else order.source_id


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


# --- plan -> payloads -------------------------------------------------------------------------------------------
def _unit_price(line: PlanLine) -> Decimal:
    return quantize(line.net / line.quantity, UNIT_PRICE_PLACES)


def _dims(settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if settings.cost_center:
        out["CostCenter"] = settings.cost_center
    if settings.cost_unit:
        out["CostUnit"] = settings.cost_unit
    return out


def _item_id(line: PlanLine, refs: PayloadRefs) -> str:
    assert line.item_code is not None
    return refs.item_ids[line.item_code]


def _header(plan: BookingPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"YourRef": plan.reference, "Description": plan.description, "Currency": plan.currency}
    if plan.payment_condition:
        out["PaymentCondition"] = plan.payment_condition
    return out


def invoice_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesinvoice/SalesInvoices` POST body (Type 8021 for a credit note)."""
    override = settings.revenue_gl_accounts_by_country.get(plan.country)
    lines = []
    for line in plan.lines:
        body: dict[str, Any] = {"Item": _item_id(line, refs), "Description": line.description[:MAX_ITEM_DESCRIPTION],
                                "Quantity": line.quantity, "UnitPrice": _unit_price(line), "AmountFC": line.net,
                                "VATCode": line.vat_code, **_dims(settings)}
        if override and line.kind == "product":
            body["GLAccount"] = refs.gl_ids[override]
        lines.append(body)
    return {"Journal": settings.journal_code, "OrderedBy": refs.account_id, "OrderDate": plan.on.isoformat(),
            "Type": CREDIT_NOTE_TYPE if plan.credit_note else INVOICE_TYPE, **_header(plan), "SalesInvoiceLines": lines}


def sales_order_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesorder/SalesOrders` POST body."""
    lines = [{"Item": _item_id(line, refs), "Description": line.description[:MAX_ITEM_DESCRIPTION],
              "Quantity": line.quantity, "UnitPrice": _unit_price(line), "AmountFC": line.net,
              "VATCode": line.vat_code, **_dims(settings)} for line in plan.lines]
    return {"OrderedBy": refs.account_id, "OrderDate": plan.on.isoformat(), **_header(plan), "SalesOrderLines": lines}


def entry_gl_code(line: PlanLine, plan: BookingPlan, settings: Settings) -> str:
    """The GL account code of a sales-entry line (revenue per country, shipping, rounding)."""
    if line.kind == "rounding" and settings.rounding_gl_account:
        return settings.rounding_gl_account
    if line.kind == "shipping" and settings.shipping_gl_account:
        return settings.shipping_gl_account
    code = settings.revenue_gl_for(plan.country)
    assert code is not None  # parse_settings requires revenue_gl_account for sales entries
    return code


def entry_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesentry/SalesEntries` POST body: GL lines with the shop's VAT as VATAmountFC (negative = credit)."""
    lines = [{"GLAccount": refs.gl_ids[entry_gl_code(line, plan, settings)],
              "Description": line.description[:MAX_ITEM_DESCRIPTION], "Quantity": line.quantity,
              "AmountFC": line.net, "VATCode": line.vat_code, "VATAmountFC": line.vat, **_dims(settings)}
             for line in plan.lines]
    return {"Journal": settings.journal_code, "Customer": refs.account_id, "EntryDate": plan.on.isoformat(),
            **_header(plan), "SalesEntryLines": lines}


def document_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """The POST body for the plan's document type (credit notes of sales orders are sales invoices)."""
    if plan.document_type == "sales_entry":
        return entry_payload(plan, refs, settings)
    if plan.document_type == "sales_order" and not plan.credit_note:
        return sales_order_payload(plan, refs, settings)
    return invoice_payload(plan, refs, settings)


def document_entity(plan: BookingPlan) -> str:
    """The Exact entity a plan is booked as: SalesInvoice, SalesOrder or SalesEntry."""
    if plan.document_type == "sales_entry":
        return "SalesEntry"
    if plan.document_type == "sales_order" and not plan.credit_note:
        return "SalesOrder"
    return "SalesInvoice"


# --- customers --------------------------------------------------------------------------------------------------
def _full_name(first: str | None, last: str | None) -> str:
    return " ".join(p.strip() for p in (first, last) if p and p.strip())


def customer_facts_from_order(order: Order, seller_country: str | None = None) -> CustomerFacts | None:
    """The debtor of an order, or None when it has no e-mail (anonymous / POS sale: the default debtor). Its
    country is the billing address's, else the ship-to's, else `seller_country`."""
    ref = order.customer
    email = email_key(ref.email if ref else None)
    if ref is None or email is None:
        return None
    address = order.billing_address or order.shipping_address
    company = ref.company_name or (address.company if address else None)
    first = ref.first_name or (address.first_name if address else None)
    last = ref.last_name or (address.last_name if address else None)
    is_company = bool(company) or ref.is_company
    name = (company if company else _full_name(first, last)) or email
    country = next((a.country for a in (order.billing_address, order.ship_to) if a and a.country), seller_country)
    return CustomerFacts(email=email, name=name, is_company=is_company, first_name=first, last_name=last,
                         phone=ref.phone or (address.phone if address else None),
                         vat_number=normalize_vat_number(ref.vat_number) if ref.vat_number and is_company else None,
                         address=address, country=country)


def customer_facts_from_customer(customer: Customer) -> CustomerFacts | None:
    """The debtor of a `customers` record, or None when it has no e-mail (it cannot be matched)."""
    email = email_key(customer.email)
    if email is None:
        return None
    company = customer.company_name or (customer.address.company if customer.address else None)
    is_company = bool(company) or customer.is_company
    name = (company if company else _full_name(customer.first_name, customer.last_name)) or email
    vat = normalize_vat_number(customer.vat_number) if customer.vat_number and is_company else None
    return CustomerFacts(email=email, name=name, is_company=is_company, first_name=customer.first_name,
                         last_name=customer.last_name, phone=customer.phone, vat_number=vat, address=customer.address)


def account_payload(facts: CustomerFacts, *, for_update: bool = False) -> dict[str, Any]:
    """A `crm/Accounts` body: customer status, name, e-mail, address; never `Code` (Exact numbers new accounts, and
    a PUT with Code fails with 'Gegeven bestaat reeds')."""
    body: dict[str, Any] = {"Name": facts.name[:100], "Email": facts.email}
    if not for_update:
        body["Status"] = "C"
    addr = facts.address
    if addr:
        street = " ".join(p for p in (addr.line1, addr.house_number) if p)
        for key, value in (("AddressLine1", street), ("AddressLine2", addr.line2), ("Postcode", addr.postcode),
                           ("City", addr.city), ("Country", addr.country)):
            if value:
                body[key] = value
    if facts.country and not body.get("Country"):
        body["Country"] = facts.country
    if facts.phone:
        body["Phone"] = facts.phone
    if facts.vat_number:
        body["VATNumber"] = facts.vat_number
    return body


def contact_payload(facts: CustomerFacts, account_id: str) -> dict[str, Any] | None:
    """The contact person of a company account, or None (private persons and nameless companies get none)."""
    if not facts.is_company or not (facts.first_name or facts.last_name):
        return None
    body: dict[str, Any] = {"Account": account_id, "Email": facts.email}
    if facts.first_name:
        body["FirstName"] = facts.first_name
    if facts.last_name:
        body["LastName"] = facts.last_name
    if facts.phone:
        body["Phone"] = facts.phone
    return body


# --- items ------------------------------------------------------------------------------------------------------
def item_payload(code: str, description: str, *, vat_code: str | None = None, barcode: str | None = None,
                 for_update: bool = False) -> dict[str, Any]:
    """A `logistics/Items` body: a sales item (prices go on the document lines, not on the item)."""
    body: dict[str, Any] = {"Description": (description or code)[:MAX_ITEM_DESCRIPTION], "IsSalesItem": True}
    if not for_update:
        body["Code"] = code
    if vat_code:
        body["SalesVatCode"] = vat_code
    if barcode:
        body["Barcode"] = barcode
    return body


def product_item_payload(product: Product, vat_code: str | None, *, for_update: bool = False) -> dict[str, Any]:
    """The item for a `products` record (SKU as item code; variant title appended to the description)."""
    if not product.sku:
        raise RecordError("products", product.source_id, "sku", "product has no SKU to use as item code")
    title = f"{product.title} - {product.variant_title}" if product.variant_title else product.title
    return item_payload(product.sku.strip(), title, vat_code=vat_code, barcode=product.barcode, for_update=for_update)


def domestic_treatment(settings: Settings, rate: Decimal) -> VatTreatment:
    """The seller's own VAT at `rate` (the default sales VAT code of a new item)."""
    scenario = Scenario.DOMESTIC if rate > 0 else Scenario.DOMESTIC_ZERO
    return VatTreatment(scenario=scenario, rate=rate, country=settings.seller_country)


# --- dry run ----------------------------------------------------------------------------------------------------
def plan_text(plan: BookingPlan, debtor: str) -> str:
    """The booking plan of one document as an accountant reads it."""
    kind = "credit note" if plan.credit_note else document_entity(plan)
    head = (f"PLAN {plan.reference}: {kind} on {plan.on.isoformat()} for {debtor}; total {plan.currency} {plan.total}"
            f" (net {plan.net_total})")
    shop_vat = plan.document_type == "sales_entry"
    rows = [f"  {ln.kind:<8} {ln.item_code or '-':<14} qty {ln.quantity} net {ln.net} VAT code {ln.vat_code}"
            f" ({ln.treatment.key}) VAT {ln.vat if shop_vat else ln.exact_vat}" for ln in plan.lines]
    return "\n".join([head, *rows])
