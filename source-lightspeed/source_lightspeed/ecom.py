"""PURE mapping of Lightspeed eCom (C-Series) payloads to the canonical model. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector_common.errors import RecordError
from connector_common.model import (
    Address,
    Customer,
    CustomerRef,
    Discount,
    DiscountAllocation,
    FulfillmentStatus,
    Order,
    OrderLine,
    PaymentStatus,
    Product,
    Refund,
    RefundLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from connector_common.money import HUNDRED, cents
from source_lightspeed.mapping import ZERO, computed_tax_lines, money, percent, resource_id, text, timestamp

ECOM = "lightspeed_ecom"
ECOM_PAYMENT = {"not_paid": PaymentStatus.PENDING, "partially_paid": PaymentStatus.PARTIALLY_PAID,
                "paid": PaymentStatus.PAID, "cancelled": PaymentStatus.VOIDED}
ECOM_SHIPMENT = {"not_shipped": FulfillmentStatus.UNFULFILLED, "partially_shipped": FulfillmentStatus.PARTIAL,
                 "shipped": FulfillmentStatus.FULFILLED, "cancelled": FulfillmentStatus.UNFULFILLED}




def ecom_address(data: Mapping[str, Any], prefix: str, first_name: str | None = None,
                 last_name: str | None = None, company: str | None = None) -> Address | None:
    """`addressBilling*` / `addressShipping*` fields of an order or customer -> Address (None when all empty)."""
    country = data.get(f"{prefix}Country")
    code = text(country.get("code")) if isinstance(country, Mapping) else None
    number = "".join(part for part in (text(data.get(f"{prefix}Number")), text(data.get(f"{prefix}Extension")))
                     if part) or None
    name = text(data.get(f"{prefix}Name"))
    first: str | None
    last: str | None
    if name and first_name and last_name and name == f"{first_name} {last_name}":
        first, last = first_name, last_name
    else:
        first, last = None, name
    address = Address(
        line1=text(data.get(f"{prefix}Street")), line2=text(data.get(f"{prefix}Street2")), house_number=number,
        postcode=text(data.get(f"{prefix}Zipcode")), city=text(data.get(f"{prefix}City")),
        region=text(data.get(f"{prefix}Region")), country=code.upper() if code and len(code) == 2 else None,
        company=company, first_name=first, last_name=last,
    )
    return None if not any((address.line1, address.postcode, address.city, address.country)) else address


def ecom_line(raw: Mapping[str, Any], order_key: str) -> OrderLine:
    """One `orderProduct`: `basePrice*` per unit before discount, `discount*` the line's discount (order discounts
    included, as the shop allocated them), `price*` the line total after discount."""
    line_id = str(raw.get("id"))
    field = f"lines/{line_id}"
    try:
        total_excl = money(raw.get("priceExcl"), f"{field}.priceExcl")
        total_incl = money(raw.get("priceIncl"), f"{field}.priceIncl")
        title = text(raw.get("productTitle")) or text(raw.get("articleCode")) or f"line {line_id}"
        variant = text(raw.get("variantTitle"))
        return OrderLine(
            line_id=line_id, sku=text(raw.get("sku")) or text(raw.get("articleCode")),
            title=f"{title} - {variant}" if variant and variant.lower() != "default" else title,
            quantity=money(raw.get("quantityOrdered"), f"{field}.quantityOrdered"),
            unit_price_excl=money(raw.get("basePriceExcl"), f"{field}.basePriceExcl"),
            unit_price_incl=money(raw.get("basePriceIncl"), f"{field}.basePriceIncl"),
            discount_excl=money(raw.get("discountExcl"), f"{field}.discountExcl"),
            discount_incl=money(raw.get("discountIncl"), f"{field}.discountIncl"),
            tax_rate=percent(raw.get("taxRate"), f"{field}.taxRate"),
            tax_amount=total_incl - total_excl, total_excl=total_excl, total_incl=total_incl,
            source_product_id=resource_id(raw.get("product")), source_variant_id=resource_id(raw.get("variant")),
        )
    except ValueError as exc:
        raise RecordError("orders", order_key, field, str(exc)) from None


def _ecom_fee(raw: Mapping[str, Any], prefix: str, title: str) -> ShippingLine | None:
    excl = money(raw.get(f"{prefix}PriceExcl"), f"{prefix}PriceExcl")
    incl = money(raw.get(f"{prefix}PriceIncl"), f"{prefix}PriceIncl")
    if not incl and not excl:
        return None
    return ShippingLine(title=title, amount_excl=excl, amount_incl=incl,
                        tax_rate=percent(raw.get(f"{prefix}TaxRate"), f"{prefix}TaxRate"), tax_amount=incl - excl)


def _ecom_refunds(raw_lines: Iterable[Mapping[str, Any]], lines: tuple[OrderLine, ...], order_id: str,
                  at: datetime) -> tuple[Refund, ...]:
    """eCom reports refunds as `quantityRefunded` per line; one canonical refund carries them, pro rata."""
    refund_lines = []
    for raw, line in zip(raw_lines, lines, strict=True):
        refunded = money(raw.get("quantityRefunded"), f"lines/{line.line_id}.quantityRefunded")
        if refunded <= 0 or line.quantity == 0:
            continue
        share = refunded / line.quantity
        incl, excl = cents(line.total_incl * share), cents(line.total_excl * share)
        refund_lines.append(RefundLine(line_id=line.line_id, sku=line.sku, quantity=refunded, amount_excl=excl,
                                       amount_incl=incl, tax_amount=incl - excl, tax_rate=line.tax_rate))
    if not refund_lines:
        return ()
    total = sum((r.amount_incl for r in refund_lines), ZERO)
    return (Refund(refund_id=f"{order_id}-refunded", created_at=at, lines=tuple(refund_lines), shipping_incl=ZERO,
                   adjustment_incl=ZERO, total_incl=total, note="quantities refunded per line (eCom)"),)


def _ecom_discounts(raw: Mapping[str, Any], lines: tuple[OrderLine, ...], shipping_discount: Decimal
                    ) -> tuple[Discount, ...]:
    """Line discounts as the shop allocated them, plus any order discount the lines do not carry (unallocated)."""
    allocated = sum((line.discount_incl for line in lines), ZERO)
    code = text(raw.get("discountCouponCode"))
    kind = "percentage" if raw.get("discountType") == "percentage" else "fixed_amount"
    discounts = []
    if allocated:
        discounts.append(Discount(code=code, title=code or "discount", kind=kind, amount_incl=allocated,
                                  amount_excl=sum((line.discount_excl for line in lines), ZERO),
                                  allocation=DiscountAllocation.LINES))
    if shipping_discount:
        discounts.append(Discount(code=code, title="shipping discount", kind="shipping", amount_incl=shipping_discount,
                                  amount_excl=shipping_discount, allocation=DiscountAllocation.LINES))
    declared = money(raw.get("discountAmount"), "discountAmount") if raw.get("isDiscounted") else ZERO
    rest = declared - allocated - shipping_discount
    if rest > Decimal("0.005") and lines:
        rate = max(lines, key=lambda line: line.total_incl).tax_rate
        tax = cents(rest * rate / (HUNDRED + rate))
        discounts.append(Discount(code=code, title=code or "order discount", kind=kind, amount_incl=rest,
                                  amount_excl=rest - tax, allocation=DiscountAllocation.ORDER, tax_rate=rate,
                                  tax_amount=tax))
    return tuple(discounts)


def ecom_customer_ref(raw: Mapping[str, Any]) -> CustomerRef | None:
    first, last = text(raw.get("firstname")), text(raw.get("lastname"))
    email = text(raw.get("email"))
    source_id = resource_id(raw.get("customer"))
    if not (source_id or email or first or last):
        return None
    middle = text(raw.get("middlename"))
    return CustomerRef(source_id=source_id, email=email, first_name=first,
                       last_name=f"{middle} {last}" if middle and last else last,
                       company_name=text(raw.get("companyName")),
                       phone=text(raw.get("phone")) or text(raw.get("mobile")),
                       vat_number=text(raw.get("companyVatNumber")), is_company=bool(raw.get("isCompany")))


def ecom_order(raw: Mapping[str, Any], raw_lines: Sequence[Mapping[str, Any]], *, currency: str,
               prices_include_tax: bool = True) -> Order:
    """An eCom order and its order products -> the canonical Order.

    Raises:
        RecordError: naming the order and the field that cannot be read.
    """
    order_id = str(raw.get("id"))
    reference = text(raw.get("number")) or order_id
    key = f"{order_id} ({reference})"
    updated_at = timestamp(raw.get("updatedAt"), "updatedAt", "orders", key)
    created_at = timestamp(raw.get("createdAt") or raw.get("updatedAt"), "createdAt", "orders", key)
    lines = tuple(ecom_line(line, key) for line in raw_lines)
    try:
        fees = [fee for fee in (
            _ecom_fee(raw, "shipment", text(raw.get("shipmentTitle")) or "Shipping"),
            _ecom_fee(raw, "payment", f"Payment fee: {text(raw.get('paymentTitle')) or 'payment'}"),
        ) if fee is not None]
        shipping_discount = money(raw.get("shipmentDiscountIncl"), "shipmentDiscountIncl")
        discounts = _ecom_discounts(raw, lines, shipping_discount)
        grand_total = money(raw.get("priceIncl"), "priceIncl")
        tax_total = grand_total - money(raw.get("priceExcl"), "priceExcl")
        tax_lines = _tax_lines(raw.get("taxRates"), lines, fees, discounts)
    except ValueError as exc:
        raise RecordError("orders", key, None, str(exc)) from None
    refunds = _ecom_refunds(raw_lines, lines, order_id, updated_at)
    refunded = sum((r.total_incl for r in refunds), ZERO)
    payment = ECOM_PAYMENT.get(str(raw.get("paymentStatus")), PaymentStatus.UNKNOWN)
    if refunded and payment is PaymentStatus.PAID:
        refunded_qty = {r.line_id: r.quantity for refund in refunds for r in refund.lines}
        fully = all(refunded_qty.get(line.line_id, ZERO) >= line.quantity for line in lines)
        payment = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
    fulfillment = ECOM_SHIPMENT.get(str(raw.get("shipmentStatus")), FulfillmentStatus.UNKNOWN)
    returned = [money(r.get("quantityReturned"), "quantityReturned") for r in raw_lines]
    if lines and all(q >= line.quantity > 0 for q, line in zip(returned, lines, strict=True)):
        fulfillment = FulfillmentStatus.RETURNED
    customer = ecom_customer_ref(raw)
    first, last = text(raw.get("firstname")), text(raw.get("lastname"))
    company = text(raw.get("companyName"))
    return Order(
        source=ECOM, source_id=order_id, reference=reference, created_at=created_at, updated_at=updated_at,
        currency=currency, prices_include_tax=prices_include_tax, payment_status=payment,
        fulfillment_status=fulfillment, lines=lines,
        totals=Totals(subtotal_incl=sum((line.total_incl for line in lines), ZERO),
                      shipping_incl=sum((fee.amount_incl for fee in fees), ZERO),
                      discount_incl=sum((d.amount_incl for d in discounts), ZERO), tax_total=tax_total,
                      tax_lines=tax_lines, grand_total=grand_total, refunded_total=refunded),
        cancelled=raw.get("status") == "cancelled", customer=customer,
        billing_address=ecom_address(raw, "addressBilling", first, last, company),
        shipping_address=ecom_address(raw, "addressShipping", first, last,
                                      text(raw.get("addressShippingCompany")) or company),
        shipping_lines=tuple(fees), discounts=discounts,
        payments=(), refunds=refunds, note=text(raw.get("comment")), channel="web",
    )


def _tax_lines(declared: Any, lines: Iterable[OrderLine], fees: Iterable[ShippingLine],
               discounts: Iterable[Discount]) -> tuple[TaxLine, ...]:
    """The order's own VAT breakdown (`taxRates[{rate, amount}]`), or the sum of its parts when it has none."""
    if isinstance(declared, list) and declared:
        per_rate: dict[Decimal, Decimal] = {}
        for entry in declared:
            rate = percent(entry.get("rate"), "taxRates.rate")
            per_rate[rate] = per_rate.get(rate, ZERO) + money(entry.get("amount"), "taxRates.amount")
        return tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
    return computed_tax_lines(lines, fees, discounts)


def ecom_customer(raw: Mapping[str, Any]) -> Customer:
    """An eCom `customer` -> the canonical Customer (billing address as the address)."""
    customer_id = str(raw.get("id"))
    first, last = text(raw.get("firstname")), text(raw.get("lastname"))
    middle = text(raw.get("middlename"))
    company = text(raw.get("companyName"))
    return Customer(
        source=ECOM, source_id=customer_id,
        created_at=timestamp(raw.get("createdAt") or raw.get("updatedAt"), "createdAt", "customers", customer_id),
        updated_at=timestamp(raw.get("updatedAt"), "updatedAt", "customers", customer_id),
        email=text(raw.get("email")), first_name=first, last_name=f"{middle} {last}" if middle and last else last,
        company_name=company, phone=text(raw.get("phone")) or text(raw.get("mobile")),
        vat_number=text(raw.get("companyVatNumber")), is_company=bool(raw.get("isCompany")),
        address=ecom_address(raw, "addressBilling", first, last, company),
    )


def ecom_product(variant: Mapping[str, Any], product: Mapping[str, Any] | None,
                 tax_rates: Mapping[str, Decimal]) -> Product:
    """An eCom variant (the sellable unit, one per SKU) with its product -> the canonical Product.

    `tax_rates` maps tax ids (`GET /taxes.json`) to percentages; without a match the rate is derived from the
    variant's incl and excl prices.
    """
    variant_id = str(variant.get("id"))
    key = f"{variant_id}"
    try:
        price_excl = money(variant.get("priceExcl"), "priceExcl")
        price_incl = money(variant.get("priceIncl"), "priceIncl")
        tax_id = resource_id(variant.get("tax"))
        if tax_id is not None and tax_id in tax_rates:
            rate = tax_rates[tax_id]
        elif price_excl:
            rate = percent(((price_incl / price_excl) - 1).quantize(Decimal("0.0001")))
        else:
            rate = ZERO
    except ValueError as exc:
        raise RecordError("products", key, None, str(exc)) from None
    product = product or {}
    product_id = resource_id(variant.get("product")) or str(product.get("id") or variant_id)
    title = text(product.get("title")) or text(product.get("fulltitle")) or text(variant.get("title")) or key
    return Product(
        source=ECOM, source_id=variant_id, product_id=product_id, sku=text(variant.get("sku")) or
        text(variant.get("articleCode")), title=title,
        created_at=timestamp(variant.get("createdAt") or variant.get("updatedAt"), "createdAt", "products", key),
        updated_at=timestamp(variant.get("updatedAt"), "updatedAt", "products", key),
        price_excl=price_excl, price_incl=price_incl, tax_rate=rate, variant_title=text(variant.get("title")),
        description=text(product.get("description")), barcode=text(variant.get("ean")),
        active=bool(product.get("isVisible", True)) and variant.get("isActive", True) is not False,
    )
