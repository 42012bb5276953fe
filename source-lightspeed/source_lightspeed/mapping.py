"""PURE mapping of Lightspeed eCom and (normalised) Retail payloads to the canonical model. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector_common.cursor import parse_timestamp
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
    Payment,
    PaymentStatus,
    Product,
    Refund,
    RefundLine,
    ShippingLine,
    TaxLine,
    Totals,
)
from connector_common.money import CENT, HUNDRED, cents, gross_from_net, net_from_gross, to_decimal

ECOM = "lightspeed_ecom"
RETAIL = "lightspeed_retail"
ZERO = Decimal(0)
ECOM_PAYMENT = {"not_paid": PaymentStatus.PENDING, "partially_paid": PaymentStatus.PARTIALLY_PAID,
                "paid": PaymentStatus.PAID, "cancelled": PaymentStatus.VOIDED}
ECOM_SHIPMENT = {"not_shipped": FulfillmentStatus.UNFULFILLED, "partially_shipped": FulfillmentStatus.PARTIAL,
                 "shipped": FulfillmentStatus.FULFILLED, "cancelled": FulfillmentStatus.UNFULFILLED}


# -- shared helpers ------------------------------------------------------------------------------------------------
def money(value: Any, field: str) -> Decimal:
    """eCom/Retail amount -> Decimal. eCom sends `false` or "" for empty values; those are 0. Floats are refused."""
    if value is None or value is False or value == "":
        return ZERO
    amount = to_decimal(value, field=field)
    exponent = amount.as_tuple().exponent
    return amount.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else amount  # 97.9 -> 97.90


def percent(fraction: Any, field: str = "taxRate") -> Decimal:
    """Lightspeed's fraction (0.21, "0.055") -> the canonical percentage (21, 5.5) without exponent noise."""
    value = to_decimal(fraction, field=field) * HUNDRED if fraction not in (None, False, "") else ZERO
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def text(value: Any) -> str | None:
    """eCom's empty markers (`false`, "", None) -> None; anything else as a stripped string."""
    if value is None or value is False or value == "":
        return None
    result = str(value).strip()
    return result or None


def resource_id(value: Any) -> str | None:
    """`{"resource": {"id": 123, ...}}` -> "123"; `id: false` (a collection or no link) -> None."""
    if isinstance(value, Mapping):
        ref = value.get("resource")
        if isinstance(ref, Mapping):
            rid = ref.get("id")
            return None if rid is False or rid is None or rid == "" else str(rid)
    return None


def timestamp(value: Any, field: str, stream: str, key: str | None) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise RecordError(stream, key, field, f"{value!r} is not an ISO 8601 timestamp with a time zone") from None


# -- eCom ----------------------------------------------------------------------------------------------------------
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


def computed_tax_lines(lines: Iterable[OrderLine], fees: Iterable[ShippingLine],
                       discounts: Iterable[Discount]) -> tuple[TaxLine, ...]:
    per_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        per_rate[line.tax_rate] = per_rate.get(line.tax_rate, ZERO) + line.tax_amount
    for fee in fees:
        per_rate[fee.tax_rate] = per_rate.get(fee.tax_rate, ZERO) + fee.tax_amount
    for disc in discounts:
        if disc.allocation is DiscountAllocation.ORDER and disc.tax_rate is not None:
            per_rate[disc.tax_rate] = per_rate.get(disc.tax_rate, ZERO) - disc.tax_amount
    return tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))


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


# -- Retail (R-Series; payloads already through normalize.normalize_retail) ---------------------------------------
def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else money(value, "amount")


def retail_line(raw: Mapping[str, Any], tax_inclusive: bool, sale_key: str) -> OrderLine:
    """One SaleLine. `calcTotal` is the line total after discounts incl. tax (unrounded), `calcTax1/2` its tax,
    `calcLineDiscount` + `calcTransactionDiscount` its discount excl. tax (Sale: total = calcSubtotal - calcDiscount
    + tax); `unitPrice` is entered incl. or excl. tax as `isTaxInclusive` says; returns have a negative quantity."""
    line_id = str(raw.get("saleLineID"))
    item = raw.get("Item") if isinstance(raw.get("Item"), Mapping) else {}
    assert isinstance(item, Mapping)
    taxable = raw.get("tax") is not False
    rate = (_dec(raw.get("tax1Rate")) + _dec(raw.get("tax2Rate"))) * HUNDRED if taxable else ZERO
    rate = rate.normalize().quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()
    total_incl = cents(_dec(raw.get("calcTotal")))
    tax = cents(_dec(raw.get("calcTax1")) + _dec(raw.get("calcTax2")))
    total_excl = total_incl - tax
    unit = _dec(raw.get("unitPrice"))
    discount_excl = cents(_dec(raw.get("calcLineDiscount")) + _dec(raw.get("calcTransactionDiscount")))
    discount_incl = cents(gross_from_net(discount_excl, rate))
    if tax_inclusive:
        unit_incl, unit_excl = unit, net_from_gross(unit, rate, 4)
    else:
        unit_excl, unit_incl = unit, gross_from_net(unit, rate, 4)
    sku = text(item.get("customSku")) or text(item.get("systemSku")) or text(item.get("manufacturerSku"))
    title = text(item.get("description")) or ("Miscellaneous" if raw.get("itemID") is None else f"item {raw['itemID']}")
    return OrderLine(line_id=line_id, sku=sku, title=title, quantity=_dec(raw.get("unitQuantity")),
                     unit_price_excl=unit_excl, unit_price_incl=unit_incl, discount_excl=discount_excl,
                     discount_incl=discount_incl, tax_rate=rate, tax_amount=tax, total_excl=total_excl,
                     total_incl=total_incl, source_product_id=text(raw.get("itemID")),
                     source_variant_id=text(raw.get("itemID")), taxable=taxable)


def retail_contact(contact: Any) -> tuple[str | None, str | None, Address | None]:
    """(email, phone, first address) of a normalised `Contact`."""
    if not isinstance(contact, Mapping):
        return None, None, None
    emails = [e for e in contact.get("Emails") or [] if isinstance(e, Mapping)]
    email = next((text(e.get("address")) for e in sorted(emails, key=lambda e: e.get("useType") != "Primary")
                  if text(e.get("address"))), None)
    phones = [p for p in contact.get("Phones") or [] if isinstance(p, Mapping)]
    phone = next((text(p.get("number")) for p in phones if text(p.get("number"))), None)
    address = None
    for raw in contact.get("Addresses") or []:
        if not isinstance(raw, Mapping):
            continue
        country = text(raw.get("countryCode"))
        address = Address(line1=text(raw.get("address1")), line2=text(raw.get("address2")),
                          postcode=text(raw.get("zip")), city=text(raw.get("city")), region=text(raw.get("state")),
                          country=country.upper() if country and len(country) == 2 else None)
        if any((address.line1, address.city, address.postcode, address.country)):
            break
        address = None
    return email, phone, address


def retail_billing_address(raw: Mapping[str, Any]) -> Address | None:
    """The sale customer's first address (with names and company), or None for a walk-in sale."""
    customer = raw.get("Customer")
    if not isinstance(customer, Mapping):
        return None
    _, phone, address = retail_contact(customer.get("Contact"))
    if address is None:
        return None
    return replace(address, first_name=text(customer.get("firstName")), last_name=text(customer.get("lastName")),
                   company=text(customer.get("company")), phone=phone)


def retail_store_address(shops: Sequence[Mapping[str, Any]]) -> Address | None:
    """The address of the first active shop that has one: the place of supply of POS sales."""
    for shop in shops:
        if shop.get("archived"):
            continue
        _, _, address = retail_contact(shop.get("Contact"))
        if address is not None and address.country:
            return address
    return None


def retail_customer_ref(raw: Mapping[str, Any]) -> CustomerRef | None:
    """The sale's customer, or None for a walk-in POS sale (`customerID` "0"): booked on the default debtor."""
    customer_id = text(raw.get("customerID"))
    customer = raw.get("Customer")
    if customer_id is None:
        return None
    if not isinstance(customer, Mapping):
        return CustomerRef(source_id=customer_id)
    email, phone, _ = retail_contact(customer.get("Contact"))
    company = text(customer.get("company"))
    return CustomerRef(source_id=customer_id, email=email, first_name=text(customer.get("firstName")),
                       last_name=text(customer.get("lastName")), company_name=company, phone=phone,
                       vat_number=text(customer.get("vatNumber")), is_company=bool(company))


def retail_sale(raw: Mapping[str, Any], *, currency: str, store_address: Address | None = None) -> Order:
    """A completed R-Series Sale with SaleLines, SalePayments and Customer -> the canonical Order (channel "pos").

    A POS sale hands the goods over in the store: `store_address` (the shop's own) is the order's shipping address,
    so VAT follows the store's country; the customer's address, when known, is the billing address.

    Returned items are lines with a negative quantity (and a negative total when the whole sale is a return).

    Raises:
        RecordError: naming the sale and the field that cannot be read.
    """
    sale_id = str(raw.get("saleID"))
    # the receipt's ticket number is unique per sale; `referenceNumber` is an external reference that a return sale
    # shares with the sale it returns, so it would make two documents look like one booking
    reference = text(raw.get("ticketNumber")) or sale_id
    key = f"{sale_id} ({reference})"
    updated_at = timestamp(raw.get("timeStamp"), "timeStamp", "orders", key)
    created_at = timestamp(raw.get("createTime") or raw.get("completeTime") or raw.get("timeStamp"), "createTime",
                           "orders", key)
    completed_at = timestamp(raw["completeTime"], "completeTime", "orders", key) if text(raw.get("completeTime")) \
        else None
    inclusive = bool(raw.get("isTaxInclusive"))
    try:
        lines = tuple(retail_line(line, inclusive, key) for line in raw.get("SaleLines") or []
                      if isinstance(line, Mapping))
        payments = tuple(
            Payment(gateway=text((p.get("PaymentType") or {}).get("name")) or text(p.get("paymentTypeID")) or "unknown",
                    amount=cents(_dec(p.get("amount"))), kind="refund" if _dec(p.get("amount")) < 0 else "sale",
                    processed_at=parse_timestamp(p["createTime"]) if text(p.get("createTime")) else None)
            for p in raw.get("SalePayments") or [] if isinstance(p, Mapping) and not p.get("archived"))
        grand_total = cents(_dec(raw.get("calcTotal") if raw.get("calcTotal") is not None else raw.get("total")))
        tax_total = cents(_dec(raw.get("calcTax1")) + _dec(raw.get("calcTax2")))
    except ValueError as exc:
        raise RecordError("orders", key, None, str(exc)) from None
    allocated = sum((line.discount_incl for line in lines), ZERO)
    discounts = (Discount(code=None, title="POS discount", kind="other", amount_incl=allocated,
                          amount_excl=sum((line.discount_excl for line in lines), ZERO),
                          allocation=DiscountAllocation.LINES),) if allocated else ()
    voided = bool(raw.get("voided"))
    paid = sum((p.amount for p in payments), ZERO)
    if voided:
        payment_status = PaymentStatus.VOIDED
    elif grand_total < 0:
        payment_status = PaymentStatus.REFUNDED
    elif paid >= grand_total:
        payment_status = PaymentStatus.PAID
    else:
        payment_status = PaymentStatus.PARTIALLY_PAID if paid > 0 else PaymentStatus.PENDING
    returned = bool(lines) and all(line.quantity < 0 for line in lines)
    return Order(
        source=RETAIL, source_id=sale_id, reference=reference, created_at=created_at, updated_at=updated_at,
        currency=currency, prices_include_tax=inclusive, payment_status=payment_status,
        fulfillment_status=FulfillmentStatus.RETURNED if returned else FulfillmentStatus.FULFILLED,
        lines=lines,
        totals=Totals(subtotal_incl=sum((line.total_incl for line in lines), ZERO), shipping_incl=ZERO,
                      discount_incl=allocated, tax_total=tax_total, tax_lines=computed_tax_lines(lines, (), ()),
                      grand_total=grand_total,
                      refunded_total=-sum((line.total_incl for line in lines if line.quantity < 0), ZERO)),
        discounts=discounts, paid_at=completed_at if payment_status is PaymentStatus.PAID else None, cancelled=voided,
        cancelled_at=updated_at if voided else None, customer=retail_customer_ref(raw), payments=payments,
        channel="pos", shipping_address=store_address, billing_address=retail_billing_address(raw),
    )


def retail_customer(raw: Mapping[str, Any]) -> Customer:
    customer_id = str(raw.get("customerID"))
    email, phone, address = retail_contact(raw.get("Contact"))
    company = text(raw.get("company"))
    return Customer(
        source=RETAIL, source_id=customer_id,
        created_at=timestamp(raw.get("createTime") or raw.get("timeStamp"), "createTime", "customers", customer_id),
        updated_at=timestamp(raw.get("timeStamp"), "timeStamp", "customers", customer_id),
        email=email, first_name=text(raw.get("firstName")), last_name=text(raw.get("lastName")), company_name=company,
        phone=phone, vat_number=text(raw.get("vatNumber")), is_company=bool(company), address=address,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RetailTaxRates:
    """One TaxCategory as rates per TaxClass: `default` for classes without their own TaxCategoryClass."""

    category_id: str
    default: Decimal
    per_class: Mapping[str, Decimal]
    inclusive: bool

    def rate_for(self, tax_class_id: Any) -> Decimal:
        return self.per_class.get(str(tax_class_id), self.default) if tax_class_id is not None else self.default


def retail_tax_rates(category: Mapping[str, Any]) -> RetailTaxRates:
    """A normalised TaxCategory (with TaxCategoryClasses) -> percentages; a rate is tax1Rate + tax2Rate (fractions).

    Raises:
        ValueError: when a rate is not a number.
    """
    def rate(node: Mapping[str, Any], where: str) -> Decimal:
        return percent(_dec(node.get("tax1Rate")) + _dec(node.get("tax2Rate")), where)

    category_id = str(category.get("taxCategoryID"))
    per_class = {str(cls["taxClassID"]): rate(cls, f"TaxCategory/{category_id}.TaxCategoryClasses.tax1Rate")
                 for cls in category.get("TaxCategoryClasses") or []
                 if isinstance(cls, Mapping) and cls.get("taxClassID") is not None}
    return RetailTaxRates(category_id=category_id, default=rate(category, f"TaxCategory/{category_id}.tax1Rate"),
                          per_class=per_class, inclusive=category.get("isTaxInclusive") is not False)


def retail_product(raw: Mapping[str, Any], *, tax_rate: Decimal, prices_include_tax: bool) -> Product:
    """An R-Series Item (one SKU) -> the canonical Product; the `Default` ItemPrice is the shelf price."""
    item_id = str(raw.get("itemID"))
    prices = [p for p in raw.get("Prices") or [] if isinstance(p, Mapping)]
    default = next((p for p in prices if p.get("useType") == "Default"), prices[0] if prices else {})
    try:
        amount = _dec(default.get("amount"))
    except ValueError as exc:
        raise RecordError("products", item_id, "Prices.amount", str(exc)) from None
    rate = tax_rate if raw.get("tax") is not False else ZERO
    if prices_include_tax:
        price_incl, price_excl = amount, net_from_gross(amount, rate, 4)
    else:
        price_excl, price_incl = amount, gross_from_net(amount, rate, 4)
    return Product(
        source=RETAIL, source_id=item_id, product_id=text(raw.get("itemMatrixID")) or item_id,
        sku=text(raw.get("customSku")) or text(raw.get("systemSku")) or text(raw.get("manufacturerSku")),
        title=text(raw.get("description")) or item_id,
        created_at=timestamp(raw.get("createTime") or raw.get("timeStamp"), "createTime", "products", item_id),
        updated_at=timestamp(raw.get("timeStamp"), "timeStamp", "products", item_id),
        price_excl=price_excl, price_incl=price_incl, tax_rate=rate,
        barcode=text(raw.get("ean")) or text(raw.get("upc")), active=not raw.get("archived"),
    )
