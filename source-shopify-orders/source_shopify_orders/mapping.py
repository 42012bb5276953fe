"""Pure mapping of Shopify GraphQL Admin API nodes (orders, customers, variants) to the canonical model.

Input is a node dict exactly as the GraphQL API returns it (money as decimal strings, rates parsed with
`parse_float=Decimal` so they never pass through float). Output is a frozen model object from `connector_common`.

Money conventions (Shopify -> canonical):
- `originalUnitPriceSet` is the unit price in the order's pricing mode (`taxesIncluded` true: VAT-inclusive).
- A line's `discountAllocations` hold everything Shopify allocated to it, line-level *and* order-level ("across")
  applications; so every Shopify discount is `DiscountAllocation.LINES` in the canonical model.
- A line's `taxLines` are Shopify's tax after discounts; a line with several tax lines (e.g. GST + PST) gets the
  sum of their rates, which `validate_order` will flag against the per-rate order taxes (reported, not hidden).
- Shipping uses `discountedPriceSet` (after shipping discounts) with the shipping line's own `taxLines`.
- Totals are Shopify's own (`totalPriceSet`, `totalTaxSet`, order `taxLines` per rate), so `validate_order`
  compares our line arithmetic against an independent figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from connector_common.cursor import parse_timestamp
from connector_common.model import (
    Address,
    Customer,
    CustomerRef,
    Discount,
    DiscountAllocation,
    FulfillmentStatus,
    LineAllocation,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    Product,
    Refund,
    RefundLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from connector_common.money import CENT, HUNDRED, cents, gross_from_net, net_from_gross, quantize, to_decimal
from connector_common.vat import normalize_vat_number

SOURCE = "shopify"
ZERO = Decimal("0.00")
ONE = Decimal(1)
AMOUNT_CACHE_SIZE = 4096  # distinct amount strings parsed once each (a few hundred KB at most)
UNIT_PRICE_PLACES = 4

PAYMENT_STATUS = {
    "PENDING": PaymentStatus.PENDING,
    "AUTHORIZED": PaymentStatus.AUTHORIZED,
    "PARTIALLY_PAID": PaymentStatus.PARTIALLY_PAID,
    "PAID": PaymentStatus.PAID,
    "PARTIALLY_REFUNDED": PaymentStatus.PARTIALLY_REFUNDED,
    "REFUNDED": PaymentStatus.REFUNDED,
    "VOIDED": PaymentStatus.VOIDED,
}
FULFILLMENT_STATUS = {
    "FULFILLED": FulfillmentStatus.FULFILLED,
    "PARTIALLY_FULFILLED": FulfillmentStatus.PARTIAL,
    "UNFULFILLED": FulfillmentStatus.UNFULFILLED,
    "OPEN": FulfillmentStatus.UNFULFILLED,
    "PENDING_FULFILLMENT": FulfillmentStatus.UNFULFILLED,
    "IN_PROGRESS": FulfillmentStatus.UNFULFILLED,
    "ON_HOLD": FulfillmentStatus.UNFULFILLED,
    "SCHEDULED": FulfillmentStatus.UNFULFILLED,
    "RESTOCKED": FulfillmentStatus.RETURNED,
}
# Transactions that moved money (AUTHORIZATION and VOID did not); only SUCCESS counts.
MONEY_KINDS = {"SALE": "sale", "CAPTURE": "capture", "REFUND": "refund", "CHANGE": "change"}
POS_SOURCES = frozenset({"pos", "shopify_pos"})


def legacy_id(gid: str | None) -> str | None:
    """'gid://shopify/Order/450789469' -> '450789469' (the id merchants and the REST API use)."""
    if gid is None:
        return None
    tail = str(gid).rsplit("/", 1)[-1]
    return tail.split("?", 1)[0]


def money(money_set: Mapping[str, Any] | None, *, presentment: bool = False, field: str = "amount") -> Decimal:
    """Amount of a Shopify `MoneyBag` (`{shopMoney{amount}, presentmentMoney{amount}}`) as Decimal; null -> 0."""
    if not money_set:
        return ZERO
    bag = money_set.get("presentmentMoney" if presentment else "shopMoney") or {}
    amount = bag.get("amount")
    if amount is None:
        return ZERO
    if type(amount) is str:
        try:
            return _amount(amount)
        except ValueError:
            pass  # not a decimal: to_decimal below raises, naming the field
    return _cents_or_finer(to_decimal(amount, field=field))


@lru_cache(maxsize=AMOUNT_CACHE_SIZE)
def _amount(text: str) -> Decimal:
    """A MoneyV2 amount string as `money` returns it. Amounts repeat across orders (prices, "0.00"): each distinct
    text is parsed once. A Decimal is immutable, so the cached value can be shared; errors are not cached."""
    return _cents_or_finer(to_decimal(text))


def _cents_or_finer(value: Decimal) -> Decimal:
    """At least two decimals: "12.1" -> 12.10, "3" -> 3.00; finer amounts ("0.125") are kept as given."""
    return value.quantize(CENT) if int(value.as_tuple().exponent) > -2 else value


def rate_percent(tax_line: Mapping[str, Any]) -> Decimal:
    """A tax line's rate as a percentage: `ratePercentage` when given, else `rate` (a fraction) x 100."""
    value = tax_line.get("ratePercentage")
    percent = to_decimal(value, field="ratePercentage") if value is not None else \
        to_decimal(tax_line.get("rate") or 0, field="rate") * HUNDRED
    return _plain(percent)


def _plain(value: Decimal) -> Decimal:
    """21.00 -> 21, 5.50 -> 5.5 (a rate key that compares and prints the same whatever Shopify's precision)."""
    normal = value.normalize()  # no trailing zeros: fractional digits left only when it is not a whole number
    return normal.quantize(ONE) if normal == normal.to_integral_value() else normal


def _nodes(connection: Any) -> list[dict[str, Any]]:
    """Items of a connection (`nodes` or `edges{node}`) or of a plain list."""
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if "nodes" in connection:
        return list(connection["nodes"] or [])
    return [edge["node"] for edge in connection.get("edges") or []]


def _ts(value: str | None) -> datetime | None:
    return parse_timestamp(value) if value else None


def _tax(tax_lines: Iterable[Mapping[str, Any]], presentment: bool) -> tuple[Decimal, Decimal]:
    """(combined rate %, tax amount) of an item's tax lines."""
    lines = list(tax_lines or [])
    amount = sum((money(t.get("priceSet"), presentment=presentment, field="taxLines.priceSet") for t in lines), ZERO)
    rate = sum((rate_percent(t) for t in lines), Decimal(0))
    return _plain(rate), amount


def to_address(raw: Mapping[str, Any] | None) -> Address | None:
    """A Shopify `MailingAddress` -> canonical Address (None when Shopify has none, e.g. POS or draft orders)."""
    if not raw:
        return None
    return Address(
        line1=raw.get("address1") or None,
        line2=raw.get("address2") or None,
        postcode=raw.get("zip") or None,
        city=raw.get("city") or None,
        region=raw.get("provinceCode") or raw.get("province") or None,
        country=raw.get("countryCodeV2") or raw.get("countryCode") or None,
        company=raw.get("company") or None,
        first_name=raw.get("firstName") or None,
        last_name=raw.get("lastName") or None,
        phone=raw.get("phone") or None,
    )


def _company(raw: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(company name, VAT number) of a B2B order's `purchasingEntity` (a PurchasingCompany), else (None, None)."""
    entity = raw.get("purchasingEntity") or {}
    company = entity.get("company") or {}
    location = entity.get("location") or {}
    tax_settings = location.get("taxSettings") or {}
    vat = tax_settings.get("taxRegistrationId") or location.get("taxRegistrationId")
    return company.get("name"), (normalize_vat_number(str(vat)) if vat else None)


def to_customer_ref(raw: Mapping[str, Any]) -> CustomerRef | None:
    """The order's customer snapshot; None for guest orders without customer, company or e-mail."""
    customer = raw.get("customer") or {}
    company_name, vat = _company(raw)
    billing = raw.get("billingAddress") or {}
    company_name = company_name or billing.get("company") or None
    if not customer and not company_name and not raw.get("email"):
        return None
    return CustomerRef(
        source_id=legacy_id(customer.get("id")),
        email=customer.get("email") or raw.get("email") or None,
        first_name=customer.get("firstName") or billing.get("firstName") or None,
        last_name=customer.get("lastName") or billing.get("lastName") or None,
        company_name=company_name,
        phone=customer.get("phone") or raw.get("phone") or None,
        vat_number=vat,
        is_company=bool(raw.get("purchasingEntity", {}) and raw["purchasingEntity"].get("company")) or bool(vat),
    )


def _split(amount: Decimal, rate: Decimal, tax: Decimal, taxes_included: bool) -> tuple[Decimal, Decimal]:
    """(excl, incl) of an amount priced in the order's mode, given the tax Shopify charged on it."""
    if taxes_included:
        return amount - tax, amount
    return amount, amount + tax


def _line(raw: Mapping[str, Any], taxes_included: bool, presentment: bool) -> OrderLine:
    line_id = legacy_id(raw["id"]) or ""
    quantity = to_decimal(raw.get("quantity", 0), field="lineItems.quantity")
    unit = money(raw.get("originalUnitPriceSet"), presentment=presentment, field="lineItems.originalUnitPriceSet")
    discount = sum((money(a.get("allocatedAmountSet"), presentment=presentment, field="discountAllocations")
                    for a in raw.get("discountAllocations") or []), ZERO)
    rate, tax = _tax(raw.get("taxLines") or [], presentment)
    total = unit * quantity - discount
    total_excl, total_incl = _split(total, rate, tax, taxes_included)
    if taxes_included:  # the derived price is rounded to 4 places by net_from_gross/gross_from_net already
        unit_incl, unit_excl = quantize(unit, UNIT_PRICE_PLACES), net_from_gross(unit, rate, UNIT_PRICE_PLACES)
        discount_incl, discount_excl = discount, cents(net_from_gross(discount, rate))
    else:
        unit_excl, unit_incl = quantize(unit, UNIT_PRICE_PLACES), gross_from_net(unit, rate, UNIT_PRICE_PLACES)
        discount_excl, discount_incl = discount, cents(gross_from_net(discount, rate))
    variant = raw.get("variant") or {}
    product = raw.get("product") or {}
    return OrderLine(
        line_id=line_id,
        sku=raw.get("sku") or None,
        title=raw.get("name") or raw.get("title") or "",
        quantity=quantity,
        unit_price_excl=unit_excl,
        unit_price_incl=unit_incl,
        discount_excl=discount_excl,
        discount_incl=discount_incl,
        tax_rate=rate,
        tax_amount=tax,
        total_excl=total_excl,
        total_incl=total_incl,
        source_product_id=legacy_id(product.get("id")),
        source_variant_id=legacy_id(variant.get("id")),
        is_service=raw.get("requiresShipping") is False,
        taxable=raw.get("taxable", True) is not False,
    )


def _shipping(raw: Mapping[str, Any], taxes_included: bool, presentment: bool) -> ShippingLine:
    price_set = raw.get("discountedPriceSet") or raw.get("originalPriceSet")
    amount = money(price_set, presentment=presentment, field="shippingLines.discountedPriceSet")
    rate, tax = _tax(raw.get("taxLines") or [], presentment)
    excl, incl = _split(amount, rate, tax, taxes_included)
    return ShippingLine(title=raw.get("title") or "Shipping", amount_excl=excl, amount_incl=incl, tax_rate=rate,
                        tax_amount=tax)


def _discounts(raw: Mapping[str, Any], lines: list[OrderLine], raw_lines: list[dict[str, Any]],
               raw_shipping: list[dict[str, Any]], presentment: bool) -> tuple[Discount, ...]:
    """One canonical Discount per Shopify discount application, with Shopify's own allocations to lines.

    Allocations are in the order's pricing mode; each is split into incl./excl. with its line's own ratio.
    """
    incl_by_index: dict[int, list[LineAllocation]] = {}
    excl_by_index: dict[int, Decimal] = {}
    for line, raw_line in zip(lines, raw_lines, strict=True):
        allocations = raw_line.get("discountAllocations") or []
        amounts = [money(a.get("allocatedAmountSet"), presentment=presentment, field="discountAllocations")
                   for a in allocations]
        in_mode = sum(amounts, ZERO)
        for alloc, amount in zip(allocations, amounts, strict=True):
            index = int((alloc.get("discountApplication") or {}).get("index", -1))
            incl = cents(amount * line.discount_incl / in_mode) if in_mode else amount
            excl = amount * line.discount_excl / in_mode if in_mode else amount
            incl_by_index.setdefault(index, []).append(LineAllocation(line_id=line.line_id, amount_incl=incl))
            excl_by_index[index] = excl_by_index.get(index, ZERO) + excl
    shipping_by_index: dict[int, Decimal] = {}
    for ship in raw_shipping:
        for alloc in ship.get("discountAllocations") or []:
            index = int((alloc.get("discountApplication") or {}).get("index", -1))
            amount = money(alloc.get("allocatedAmountSet"), presentment=presentment, field="discountAllocations")
            shipping_by_index[index] = shipping_by_index.get(index, ZERO) + amount
    discounts = []
    for position, app in enumerate(_nodes(raw.get("discountApplications"))):
        index = int(app.get("index", position))
        allocations = tuple(incl_by_index.get(index, ()))
        on_shipping = shipping_by_index.get(index, ZERO)
        value = app.get("value") or {}
        if app.get("targetType") == "SHIPPING_LINE":
            kind = "shipping"
        elif "percentage" in value:
            kind = "percentage"
        elif "amount" in value:
            kind = "fixed_amount"
        else:
            kind = "other"
        title = app.get("code") or app.get("title") or app.get("description") or kind
        discounts.append(Discount(
            code=app.get("code"),
            title=str(title),
            kind=kind,
            amount_incl=sum((a.amount_incl for a in allocations), ZERO) + on_shipping,
            amount_excl=cents(excl_by_index.get(index, ZERO)) + on_shipping,
            allocation=DiscountAllocation.LINES,
            allocations=allocations,
        ))
    return tuple(discounts)


def _payments(raw: Mapping[str, Any], presentment: bool) -> tuple[Payment, ...]:
    payments = []
    for tx in _nodes(raw.get("transactions")):
        kind = MONEY_KINDS.get(str(tx.get("kind")))
        if kind is None or tx.get("status") != "SUCCESS":
            continue
        payments.append(Payment(gateway=tx.get("gateway") or "unknown",
                                amount=money(tx.get("amountSet"), presentment=presentment, field="transactions"),
                                kind=kind, processed_at=_ts(tx.get("processedAt"))))
    return tuple(payments)


def _refund(raw: Mapping[str, Any], rates: Mapping[str, Decimal], taxes_included: bool,
            presentment: bool) -> Refund:
    lines = []
    for item in _nodes(raw.get("refundLineItems")):
        line = item.get("lineItem") or {}
        line_id = legacy_id(line.get("id")) or ""
        subtotal = money(item.get("subtotalSet"), presentment=presentment, field="refundLineItems.subtotalSet")
        tax = money(item.get("totalTaxSet"), presentment=presentment, field="refundLineItems.totalTaxSet")
        excl, incl = _split(subtotal, Decimal(0), tax, taxes_included)
        lines.append(RefundLine(line_id=line_id, sku=line.get("sku") or None,
                                quantity=to_decimal(item.get("quantity", 0), field="refundLineItems.quantity"),
                                amount_excl=excl, amount_incl=incl, tax_amount=tax,
                                tax_rate=rates.get(line_id, Decimal(0))))
    shipping = ZERO  # refunded shipping: Refund.refundShippingLines, priced like the order's lines
    for item in _nodes(raw.get("refundShippingLines")):
        subtotal = money(item.get("subtotalAmountSet"), presentment=presentment,
                         field="refundShippingLines.subtotalAmountSet")
        tax = money(item.get("taxAmountSet"), presentment=presentment, field="refundShippingLines.taxAmountSet")
        shipping += _split(subtotal, Decimal(0), tax, taxes_included)[1]
    adjustment = ZERO  # orderAdjustments: the discrepancy between the calculated and the actual refund
    for adj in _nodes(raw.get("orderAdjustments")):
        amount = money(adj.get("amountSet"), presentment=presentment, field="orderAdjustments.amountSet")
        tax = money(adj.get("taxAmountSet"), presentment=presentment, field="orderAdjustments.taxAmountSet")
        adjustment += amount if taxes_included else amount + tax
    created = _ts(raw.get("createdAt"))
    if created is None:
        raise ValueError("refund without createdAt")
    return Refund(refund_id=legacy_id(raw.get("id")) or "", created_at=created, lines=tuple(lines),
                  shipping_incl=shipping, adjustment_incl=adjustment,
                  total_incl=money(raw.get("totalRefundedSet"), presentment=presentment, field="totalRefundedSet"),
                  note=raw.get("note") or None)


def _tax_totals(raw: Mapping[str, Any], presentment: bool) -> tuple[TaxLine, ...]:
    per_rate: dict[Decimal, Decimal] = {}
    for tax_line in raw.get("taxLines") or []:
        rate = rate_percent(tax_line)
        per_rate[rate] = per_rate.get(rate, ZERO) + money(tax_line.get("priceSet"), presentment=presentment,
                                                          field="taxLines.priceSet")
    return tuple(TaxLine(rate=rate, amount=amount) for rate, amount in sorted(per_rate.items()))


def to_order(raw: Mapping[str, Any], *, presentment: bool = False) -> Order:
    """A Shopify GraphQL `Order` node (with all its line items) -> canonical Order.

    Args:
        raw: the order node; `lineItems` must be complete (the client fetches further pages first).
        presentment: take amounts in the customer's presentment currency instead of the shop currency.

    Raises:
        ValueError / KeyError: on a payload that lacks a required field (the stream turns it into a RecordError).
    """
    taxes_included = bool(raw.get("taxesIncluded"))
    raw_lines = _nodes(raw.get("lineItems"))
    raw_shipping = _nodes(raw.get("shippingLines"))
    lines = [_line(item, taxes_included, presentment) for item in raw_lines]
    shipping = [_shipping(item, taxes_included, presentment) for item in raw_shipping]
    discounts = _discounts(raw, lines, raw_lines, raw_shipping, presentment)
    payments = _payments(raw, presentment)
    rates = {line.line_id: line.tax_rate for line in lines}
    refunds = tuple(_refund(r, rates, taxes_included, presentment) for r in _nodes(raw.get("refunds")))
    currency = raw.get("presentmentCurrencyCode") if presentment else raw.get("currencyCode")
    financial = PAYMENT_STATUS.get(str(raw.get("displayFinancialStatus")), PaymentStatus.UNKNOWN)
    paid_at = next((p.processed_at for p in payments if p.kind in ("sale", "capture")), None) \
        if financial in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED) else None
    totals = Totals(
        subtotal_incl=sum((line.total_incl for line in lines), ZERO),
        shipping_incl=sum((s.amount_incl for s in shipping), ZERO),
        discount_incl=sum((d.amount_incl for d in discounts), ZERO),
        tax_total=money(raw.get("totalTaxSet"), presentment=presentment, field="totalTaxSet"),
        tax_lines=_tax_totals(raw, presentment),
        grand_total=money(raw.get("totalPriceSet"), presentment=presentment, field="totalPriceSet"),
        refunded_total=money(raw.get("totalRefundedSet"), presentment=presentment, field="totalRefundedSet")
        if raw.get("totalRefundedSet") else sum((r.total_incl for r in refunds), ZERO),
    )
    tags = raw.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    created_at = parse_timestamp(raw["createdAt"])
    return Order(
        source=SOURCE,
        source_id=legacy_id(raw["id"]) or "",
        reference=raw.get("name") or legacy_id(raw["id"]) or "",
        created_at=created_at,
        updated_at=parse_timestamp(raw["updatedAt"]),
        currency=str(currency),
        prices_include_tax=taxes_included,
        payment_status=financial,
        fulfillment_status=FULFILLMENT_STATUS.get(str(raw.get("displayFulfillmentStatus")),
                                                  FulfillmentStatus.UNKNOWN),
        lines=tuple(lines),
        totals=totals,
        paid_at=paid_at,
        cancelled=raw.get("cancelledAt") is not None,
        cancelled_at=_ts(raw.get("cancelledAt")),
        customer=to_customer_ref(raw),
        billing_address=to_address(raw.get("billingAddress")),
        shipping_address=to_address(raw.get("shippingAddress")),
        shipping_lines=tuple(shipping),
        discounts=discounts,
        payments=payments,
        refunds=refunds,
        tags=tuple(str(t) for t in tags),
        note=raw.get("note") or None,
        channel="pos" if str(raw.get("sourceName") or "").lower() in POS_SOURCES else "web",
        test=bool(raw.get("test")),
    )


def to_customer(raw: Mapping[str, Any]) -> Customer:
    """A Shopify GraphQL `Customer` node -> canonical Customer (address = the default address)."""
    address = to_address(raw.get("defaultAddress"))
    company = address.company if address else None
    return Customer(
        source=SOURCE,
        source_id=legacy_id(raw["id"]) or "",
        created_at=parse_timestamp(raw["createdAt"]),
        updated_at=parse_timestamp(raw["updatedAt"]),
        email=raw.get("email") or None,
        first_name=raw.get("firstName") or None,
        last_name=raw.get("lastName") or None,
        company_name=company,
        phone=raw.get("phone") or None,
        is_company=bool(company),
        address=address,
        tax_exempt=bool(raw.get("taxExempt")),
    )


def to_products(raw: Mapping[str, Any], *, taxes_included: bool, default_tax_rate: Decimal) -> list[Product]:
    """A Shopify GraphQL `Product` node -> one canonical Product per variant (the sellable unit, one SKU).

    Shopify stores a variant price in the shop's pricing mode and no tax rate (tax is computed at checkout), so
    the configured `default_tax_rate` (0 for a non-taxable variant) converts between incl. and excl.
    """
    products = []
    variants = _nodes(raw.get("variants"))
    for variant in variants:
        taxable = variant.get("taxable", True) is not False
        rate = default_tax_rate if taxable else Decimal(0)
        price = to_decimal(variant.get("price") or "0", field="variants.price")
        if taxes_included:
            incl, excl = price, net_from_gross(price, rate, UNIT_PRICE_PLACES)
        else:
            excl, incl = price, gross_from_net(price, rate, UNIT_PRICE_PLACES)
        variant_title = variant.get("title")
        products.append(Product(
            source=SOURCE,
            source_id=legacy_id(variant["id"]) or "",
            product_id=legacy_id(raw["id"]) or "",
            sku=variant.get("sku") or None,
            title=raw.get("title") or "",
            created_at=parse_timestamp(raw["createdAt"]),
            updated_at=parse_timestamp(raw["updatedAt"]),  # the product's: keeps the stream ascending
            price_excl=excl,
            price_incl=incl,
            tax_rate=rate,
            variant_title=None if variant_title in (None, "Default Title") else variant_title,
            description=raw.get("description") or None,
            product_group=raw.get("productType") or None,
            barcode=variant.get("barcode") or None,
            active=str(raw.get("status") or "ACTIVE") == "ACTIVE",
        ))
    return products
