"""PURE mapping of Lightspeed Retail (R-Series) payloads, already through normalize.normalize_retail, to the canonical
model. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    Totals,
)
from connector_common.money import HUNDRED, cents, gross_from_net, net_from_gross
from source_lightspeed.mapping import ZERO, computed_tax_lines, money, percent, text, timestamp

RETAIL = "lightspeed_retail"


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
