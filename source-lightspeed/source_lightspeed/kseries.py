"""PURE mapping of Lightspeed Restaurant (K-Series) financial-api sales to the canonical Order, Customer, Product.

A K-Series sale is one closed account (bill). Lines carry `totalNetAmountWithTax` / `totalNetAmountWithoutTax`
(six decimals), `taxAmount`, `taxRatePercentage` and `taxCode`; the bill's VAT is computed per line and rounded to
cents per line. A line's item amount is `totalNetAmountWithoutTax` + `taxAmount`: Lightspeed's documented field
examples ([K-FIN2] `financial-apiLine`: menuListPrice 10.00, totalNetAmountWithoutTax 8.33, taxAmount 1.6667 at
20 %, serviceCharge 1.00, totalNetAmountWithTax 11.00; the payment 11.00) add up only if `totalNetAmountWithTax`
includes the line's service charge (our reading, unverified), and without + tax holds under either reading.

Beyond the sold lines an Order gets:
- one service-charge line per VAT rate (item `service_sku`): an APPORTIONED service charge follows the VAT rate of the
  line it is apportioned to, an UNTAXED one is 0 %;
- one tip line (item `tip_sku`) with the sum of the payments' tips, at 0 % and `taxable=False` (a voluntary tip is no
  consideration for the restaurant's supply, so it is outside the scope of Dutch VAT, not revenue at the food rate):
  destinations book it with their "outside the scope of VAT" code on the item / GL account the merchant sets up;
- every payment as its own Payment (split bills keep each method), its amount including that payment's tip.
A walk-in bill (no payment names a consumer) has no customer: destinations book it on the default debtor. A VOID or
CANCEL account, or one flagged `cancelled`, is a cancelled Order; a REFUND account is an Order of its own with negative
lines (the way R-Series returns arrive), `payment_status` refunded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    TaxLine,
    Totals,
)
from connector_common.money import HUNDRED, cents, net_from_gross, to_decimal
from source_lightspeed.mapping import text

KSERIES = "lightspeed_kseries"
ZERO = Decimal("0.00")
BOOKED_TYPES = frozenset({"SALE", "SPLIT", "REFUND"})  # closed accounts that are sales (or their refunds)
CANCELLED_TYPES = frozenset({"VOID", "CANCEL"})
SKIPPED_TYPES = frozenset({"RECALL", "UPDATE", "TRANSFER", "FLOAT", "TRANSITORY", "CROSS_BL"})  # not sales


@dataclass(frozen=True, slots=True, kw_only=True)
class KSeriesLocation:
    """The business location a sale was read from: its id, name, country and the business currency."""

    location_id: str
    name: str
    country: str | None
    currency: str

    @property
    def address(self) -> Address | None:
        """Where a restaurant supplies its meals: the location (only its country is published)."""
        return Address(company=self.name, country=self.country) if self.country else None


def _dec(value: Any, field: str, key: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        return to_decimal(value, field=field)
    except ValueError as exc:
        raise RecordError("orders", key, field, str(exc)) from None


def _rate(value: Any, field: str, key: str) -> Decimal:
    rate = _dec(value, field, key).normalize()
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate



def _when(value: Any, field: str, key: str) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise RecordError("orders", key, field, f"{value!r} is not an ISO 8601 timestamp with a time zone") from None


def sale_key(raw: Mapping[str, Any]) -> str:
    return str(raw.get("accountFiscId") or raw.get("accountReference") or raw.get("receiptId"))


def _tax_included(raw: Mapping[str, Any]) -> bool:
    lines = raw.get("taxLines")
    if isinstance(lines, list) and lines and isinstance(lines[0], Mapping) and "taxIncluded" in lines[0]:
        return bool(lines[0]["taxIncluded"])
    return True  # European businesses price incl. VAT


def kseries_line(raw: Mapping[str, Any], index: int, key: str) -> OrderLine:
    """One `salesLines` entry -> OrderLine (a voided item is a line with the negative quantity; its title says so)."""
    where = f"salesLines[{index}]"
    rate = _rate(raw.get("taxRatePercentage"), f"{where}.taxRatePercentage", key)
    quantity = _dec(raw.get("quantity"), f"{where}.quantity", key)
    exact_tax = _dec(raw.get("taxAmount"), f"{where}.taxAmount", key)
    tax = cents(exact_tax)
    # the item itself is without-tax + tax (six decimals each); totalNetAmountWithTax may also hold the line's
    # service charge (see the module docstring), which becomes a line of its own
    total_incl = cents(_dec(raw.get("totalNetAmountWithoutTax"), f"{where}.totalNetAmountWithoutTax", key) + exact_tax)
    total_excl = total_incl - tax
    unit_incl = _dec(raw.get("menuListPrice"), f"{where}.menuListPrice", key)
    if not unit_incl and quantity:
        unit_incl = (total_incl / quantity).quantize(Decimal("0.0001"))
    discount = raw.get("totalDiscountAmount") if raw.get("totalDiscountAmount") not in (None, "") \
        else raw.get("discountAmount")
    discount_incl = cents(abs(_dec(discount, f"{where}.totalDiscountAmount", key)))
    if quantity < 0:
        discount_incl = -discount_incl
    title = text(raw.get("nameOverride")) or text(raw.get("name")) or f"item {raw.get('sku') or index + 1}"
    if text(raw.get("voidReason")):
        title = f"{title} (void: {text(raw.get('voidReason'))})"
    return OrderLine(line_id=str(raw.get("id") or f"{key}/{index + 1}"), sku=text(raw.get("sku")), title=title,
                     quantity=quantity, unit_price_incl=unit_incl, unit_price_excl=net_from_gross(unit_incl, rate, 4),
                     discount_incl=discount_incl, discount_excl=cents(net_from_gross(discount_incl, rate)),
                     tax_rate=rate, tax_amount=tax, total_excl=total_excl, total_incl=total_incl,
                     source_product_id=text(raw.get("sku")), source_variant_id=text(raw.get("sku")))


def service_charge_lines(raw_lines: Iterable[Mapping[str, Any]], key: str, sku: str) -> tuple[OrderLine, ...]:
    """The bill's service charges, one line per VAT rate (APPORTIONED: the rate of its line; UNTAXED: 0 %)."""
    per_rate: dict[Decimal, Decimal] = {}
    for index, raw in enumerate(raw_lines):
        charge = _dec(raw.get("serviceCharge"), f"salesLines[{index}].serviceCharge", key)
        kind = raw.get("serviceChargeType") or "APPORTIONED"
        if not charge or kind == "NO_SERVICE_CHARGE":
            continue
        rate = Decimal(0) if kind == "UNTAXED" else _rate(raw.get("taxRatePercentage"),
                                                          f"salesLines[{index}].taxRatePercentage", key)
        per_rate[rate] = per_rate.get(rate, ZERO) + cents(charge)
    out = []
    for rate, amount in sorted(per_rate.items()):
        tax = cents(amount * rate / (HUNDRED + rate))
        out.append(OrderLine(line_id=f"{key}/service/{rate}", sku=sku, title=f"Service charge ({rate}% VAT)",
                             quantity=Decimal(1), unit_price_incl=amount, unit_price_excl=amount - tax,
                             discount_incl=ZERO, discount_excl=ZERO, tax_rate=rate, tax_amount=tax,
                             total_excl=amount - tax, total_incl=amount, is_service=True))
    return tuple(out)


def tip_line(tips: Decimal, key: str, sku: str) -> OrderLine:
    """Tips as their own line: 0 %, outside the scope of VAT (`taxable=False`), a service."""
    return OrderLine(line_id=f"{key}/tip", sku=sku, title="Tip (no VAT)", quantity=Decimal(1), unit_price_incl=tips,
                     unit_price_excl=tips, discount_incl=ZERO, discount_excl=ZERO, tax_rate=Decimal(0),
                     tax_amount=ZERO, total_excl=tips, total_incl=tips, is_service=True, taxable=False)


def consumer_ref(raw: Mapping[str, Any]) -> CustomerRef | None:
    """The guest named on the first payment that has a `consumer`, or None (walk-in: the default debtor)."""
    for payment in raw.get("payments") or []:
        consumer = payment.get("consumer") if isinstance(payment, Mapping) else None
        if isinstance(consumer, Mapping) and (consumer.get("customerId") is not None or consumer.get("id")):
            company = text(consumer.get("companyName"))
            return CustomerRef(source_id=str(consumer.get("customerId") or consumer.get("id")),
                               email=text(consumer.get("email")), first_name=text(consumer.get("firstName")),
                               last_name=text(consumer.get("lastName")), company_name=company,
                               phone=text(consumer.get("phoneNumber1")), is_company=bool(company),
                               vat_number=text(consumer.get("taxIdentifier")))
    return None


def _consumer_address(consumer: Mapping[str, Any], country: str | None) -> Address | None:
    if not any(text(consumer.get(k)) for k in ("addressLine1", "zipCode", "city")):
        return None
    return Address(line1=text(consumer.get("addressLine1")), line2=text(consumer.get("addressLine2")),
                   postcode=text(consumer.get("zipCode")), city=text(consumer.get("city")),
                   region=text(consumer.get("state")), country=country, company=text(consumer.get("companyName")),
                   first_name=text(consumer.get("firstName")), last_name=text(consumer.get("lastName")))


def kseries_sale(raw: Mapping[str, Any], *, location: KSeriesLocation, tip_sku: str = "TIP",
                 service_sku: str = "SERVICE") -> Order:
    """A closed K-Series account -> the canonical Order (channel "pos"); see the module docstring.

    Raises:
        RecordError: naming the sale and the field that cannot be read.
    """
    key = sale_key(raw)
    raw_lines = [line for line in raw.get("salesLines") or [] if isinstance(line, Mapping)]
    lines = tuple(kseries_line(line, i, key) for i, line in enumerate(raw_lines))
    lines += service_charge_lines(raw_lines, key, service_sku)
    payments: list[Payment] = []
    tips = ZERO
    for i, p in enumerate(raw.get("payments") or []):
        if not isinstance(p, Mapping):
            continue
        tip = cents(_dec(p.get("tip"), f"payments[{i}].tip", key))
        amount = cents(_dec(p.get("netAmountWithTax"), f"payments[{i}].netAmountWithTax", key)) + tip
        tips += tip
        payments.append(Payment(gateway=text(p.get("description")) or text(p.get("code")) or "unknown",
                                amount=amount, kind="refund" if amount < 0 else "sale",
                                processed_at=_when(p["fiscDate"], f"payments[{i}].fiscDate", key)
                                if text(p.get("fiscDate")) else None))
    if tips:
        lines += (tip_line(tips, key, tip_sku),)
    closed = _when(raw.get("timeClosed"), "timeClosed", key)
    opened = _when(raw["timeOfOpening"], "timeOfOpening", key) if text(raw.get("timeOfOpening")) else closed
    kind = str(raw.get("type") or "SALE")
    cancelled = bool(raw.get("cancelled")) or kind in CANCELLED_TYPES
    grand_total = sum((line.total_incl for line in lines), ZERO)
    paid = sum((p.amount for p in payments), ZERO)
    if cancelled:
        status = PaymentStatus.VOIDED
    elif kind == "REFUND" or grand_total < 0:
        status = PaymentStatus.REFUNDED
    elif paid >= grand_total:
        status = PaymentStatus.PAID
    else:
        status = PaymentStatus.PARTIALLY_PAID if paid > 0 else PaymentStatus.PENDING
    discount_incl = sum((line.discount_incl for line in lines), ZERO)
    discounts = (Discount(code=None, title="POS discount", kind="other", amount_incl=discount_incl,
                          amount_excl=sum((line.discount_excl for line in lines), ZERO),
                          allocation=DiscountAllocation.LINES),) if discount_incl else ()
    per_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        per_rate[line.tax_rate] = per_rate.get(line.tax_rate, ZERO) + line.tax_amount
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
    returned = bool(raw_lines) and all(line.quantity < 0 for line in lines if not line.is_service)
    consumer = next((p.get("consumer") for p in raw.get("payments") or []
                     if isinstance(p, Mapping) and isinstance(p.get("consumer"), Mapping)), None)
    tags = tuple(t for t in (f"location:{location.location_id}", f"type:{kind}",
                             f"table:{raw['tableNumber']}" if text(raw.get("tableNumber")) else None) if t)
    return Order(
        source=KSERIES, source_id=key, reference=str(raw.get("receiptId") or key), created_at=opened,
        updated_at=closed, currency=location.currency, prices_include_tax=_tax_included(raw_lines[0]) if raw_lines
        else True, payment_status=status,
        fulfillment_status=FulfillmentStatus.RETURNED if returned else FulfillmentStatus.FULFILLED, lines=lines,
        totals=Totals(subtotal_incl=grand_total, shipping_incl=ZERO, discount_incl=discount_incl,
                      tax_total=sum((t.amount for t in tax_lines), ZERO), tax_lines=tax_lines, grand_total=grand_total,
                      refunded_total=-grand_total if grand_total < 0 else ZERO),
        discounts=discounts, payments=tuple(payments), paid_at=closed if status is PaymentStatus.PAID else None,
        cancelled=cancelled, cancelled_at=closed if cancelled else None, customer=consumer_ref(raw),
        billing_address=_consumer_address(consumer, location.country) if isinstance(consumer, Mapping) else None,
        shipping_address=location.address, channel="pos", tags=tags,
        note=text(raw.get("voidReason")) or (f"refund of {raw['source']['initialAccountId']}" if kind == "REFUND"
                                              and isinstance(raw.get("source"), Mapping)
                                              and raw["source"].get("initialAccountId") else None),
    )


def kseries_customers(raw: Mapping[str, Any], country: str | None) -> list[Customer]:
    """The guests named on a sale's payments (K-Series has no customer list in the financial API)."""
    key = sale_key(raw)
    closed = _when(raw.get("timeClosed"), "timeClosed", key)
    found: dict[str, Customer] = {}
    for payment in raw.get("payments") or []:
        consumer = payment.get("consumer") if isinstance(payment, Mapping) else None
        if not isinstance(consumer, Mapping):
            continue
        cid = str(consumer.get("customerId") or consumer.get("id") or "")
        if not cid or cid in found:
            continue
        company = text(consumer.get("companyName"))
        found[cid] = Customer(source=KSERIES, source_id=cid, created_at=closed, updated_at=closed,
                              email=text(consumer.get("email")), first_name=text(consumer.get("firstName")),
                              last_name=text(consumer.get("lastName")), company_name=company,
                              phone=text(consumer.get("phoneNumber1")),
                              vat_number=text(consumer.get("taxIdentifier")), is_company=bool(company),
                              address=_consumer_address(consumer, country))
    return list(found.values())


def kseries_products(raw: Mapping[str, Any]) -> list[Product]:
    """The menu items sold on a sale, one Product per SKU at its menu price (the financial API lists no menu)."""
    key = sale_key(raw)
    closed = _when(raw.get("timeClosed"), "timeClosed", key)
    found: dict[str, Product] = {}
    for i, line in enumerate(raw.get("salesLines") or []):
        sku = text(line.get("sku")) if isinstance(line, Mapping) else None
        if sku is None or sku in found:
            continue
        rate = _rate(line.get("taxRatePercentage"), f"salesLines[{i}].taxRatePercentage", key)
        price = _dec(line.get("menuListPrice"), f"salesLines[{i}].menuListPrice", key)
        group = line.get("accountingGroup")
        found[sku] = Product(source=KSERIES, source_id=sku, product_id=sku, sku=sku,
                             title=text(line.get("name")) or sku, created_at=closed, updated_at=closed,
                             price_incl=price, price_excl=net_from_gross(price, rate, 4), tax_rate=rate,
                             product_group=text(group.get("name")) if isinstance(group, Mapping) else None)
    return list(found.values())
