"""PURE mapping of Lightspeed Retail (X-Series) API 2.0 sales, customers and products to the canonical model.

A 2.0 line item is priced excl. VAT: `price_total` (= `price` x `quantity`, after the discount `discount_total`) and
`tax_total` (its VAT); the rate comes from the `tax_id` (GET /api/2.0/taxes, `rate` a fraction). The sale's
`total_price` + `total_tax` is its total incl. VAT. A return is a sale of its own (`return_for` the original) with
negative quantities and amounts. A sale without a customer (or on the store's walk-in customer) has no customer: the
destination books it on the default debtor. Every payment is kept (a sale paid by card and cash has two).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
from connector_common.money import HUNDRED, cents, gross_from_net, quantize, to_decimal
from source_lightspeed.mapping import text

XSERIES = "lightspeed_xseries"
ZERO = Decimal("0.00")
WALK_IN_CODES = frozenset({"WALKIN", "WALK-IN"})  # the default customer a till may put on anonymous sales (unverified)


@dataclass(frozen=True, slots=True, kw_only=True)
class XSeriesContext:
    """What a sale refers to by id, read once per sync: tax rates (percent), products, outlets' addresses."""

    currency: str
    tax_rates: Mapping[str, Decimal]
    products: Mapping[str, Mapping[str, Any]]
    outlets: Mapping[str, Address | None]
    registers: Mapping[str, str]



def _dec(value: Any, stream: str, key: str, field: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        return to_decimal(value, field=field)
    except ValueError as exc:
        raise RecordError(stream, key, field, str(exc)) from None


def percent(fraction: Any, field: str = "rate") -> Decimal:
    """0.21 -> 21, 0.055 -> 5.5 (X-Series tax rates are fractions)."""
    value = (to_decimal(fraction, field=field) * HUNDRED).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def tax_rate(raw: Mapping[str, Any]) -> Decimal:
    """A 2.0 tax's rate in percent: the sum of its `rates[].rate` (fractions; a compound tax has several), or a flat
    `rate` where a tax carries one.

    Raises:
        RecordError: when the tax has neither, or a rate is not a number.
    """
    tid = str(raw.get("id"))
    parts = raw.get("rates")
    try:
        if isinstance(parts, list) and parts:
            return sum((percent(r.get("rate"), f"rates[{i}].rate") for i, r in enumerate(parts)
                        if isinstance(r, Mapping)), Decimal(0))
        if raw.get("rate") is not None:
            return percent(raw.get("rate"))
    except ValueError as exc:
        raise RecordError("taxes", tid, "rates", str(exc)) from None
    raise RecordError("taxes", tid, "rates", "the tax has no rate")


def _when(value: Any, stream: str, key: str, field: str) -> Any:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise RecordError(stream, key, field, f"{value!r} is not an ISO 8601 timestamp with a time zone") from None


def outlet_address(raw: Mapping[str, Any]) -> Address | None:
    country = text(raw.get("physical_country_id"))
    if not country:
        return None
    return Address(line1=text(raw.get("physical_address_1")), line2=text(raw.get("physical_address_2")),
                   postcode=text(raw.get("physical_postcode")), city=text(raw.get("physical_city")),
                   region=text(raw.get("physical_state")), country=country.upper(), company=text(raw.get("name")))


def xseries_line(raw: Mapping[str, Any], index: int, key: str, ctx: XSeriesContext) -> OrderLine:
    where = f"line_items[{index}]"
    tax_id = text(raw.get("tax_id"))
    if tax_id is None or tax_id not in ctx.tax_rates:
        raise RecordError("orders", key, f"{where}.tax_id", f"tax {tax_id!r} is not one of the store's taxes "
                                                           "(GET /api/2.0/taxes)")
    rate = ctx.tax_rates[tax_id]
    quantity = _dec(raw.get("quantity"), "orders", key, f"{where}.quantity")
    total_excl = cents(_dec(raw.get("price_total"), "orders", key, f"{where}.price_total"))
    tax = cents(_dec(raw.get("tax_total"), "orders", key, f"{where}.tax_total"))
    unit_excl = quantize(_dec(raw.get("price"), "orders", key, f"{where}.price"), 4)
    unit_tax = _dec(raw.get("tax"), "orders", key, f"{where}.tax")
    discount_excl = cents(_dec(raw.get("discount_total"), "orders", key, f"{where}.discount_total"))
    product_id = text(raw.get("product_id"))
    product = ctx.products.get(product_id or "") or {}
    name = text(product.get("name"))
    variant = text(product.get("variant_name"))
    title = (f"{name} - {variant}" if name and variant else name) or f"product {product_id}"
    return OrderLine(line_id=str(raw.get("id") or f"{key}/{index + 1}"), sku=text(product.get("sku")), title=title,
                     quantity=quantity, unit_price_excl=unit_excl, unit_price_incl=quantize(unit_excl + unit_tax, 4),
                     discount_excl=discount_excl, discount_incl=cents(gross_from_net(discount_excl, rate)),
                     tax_rate=rate, tax_amount=tax, total_excl=total_excl, total_incl=total_excl + tax,
                     source_product_id=text(product.get("variant_parent_id")) or product_id,
                     source_variant_id=product_id)


def xseries_payment(raw: Mapping[str, Any], index: int, key: str) -> Payment:
    """One payment: `name` / `payment_date` as public 2.0 clients show them, or the documented 2026-07 shape
    ([X-SALES] SaleResponsePayment: `type` {`name`}, `date`)."""
    kind: Mapping[str, Any] = raw["type"] if isinstance(raw.get("type"), Mapping) else {}
    amount = cents(_dec(raw.get("amount"), "orders", key, f"payments[{index}].amount"))
    when = text(raw.get("payment_date")) or text(raw.get("date"))
    return Payment(gateway=text(raw.get("name")) or text(kind.get("name")) or text(raw.get("payment_type_id"))
                   or "unknown", amount=amount, kind="refund" if amount < 0 else "sale",
                   processed_at=_when(when, "orders", key, f"payments[{index}].payment_date") if when else None)


def customer_ref(customer: Mapping[str, Any] | None) -> CustomerRef | None:
    if not customer or (text(customer.get("customer_code")) or "").upper() in WALK_IN_CODES:
        return None
    company = text(customer.get("company_name"))
    return CustomerRef(source_id=str(customer.get("id")), email=text(customer.get("email")),
                       first_name=text(customer.get("first_name")), last_name=text(customer.get("last_name")),
                       company_name=company, phone=text(customer.get("phone")) or text(customer.get("mobile")),
                       is_company=bool(company))


def customer_address(raw: Mapping[str, Any]) -> Address | None:
    country = text(raw.get("physical_country_id"))
    if not any(text(raw.get(k)) for k in ("physical_address_1", "physical_city", "physical_postcode")):
        return None
    return Address(line1=text(raw.get("physical_address_1")), line2=text(raw.get("physical_address_2")),
                   postcode=text(raw.get("physical_postcode")), city=text(raw.get("physical_city")),
                   region=text(raw.get("physical_state")), country=country.upper() if country else None,
                   company=text(raw.get("company_name")), first_name=text(raw.get("first_name")),
                   last_name=text(raw.get("last_name")))


def xseries_sale(raw: Mapping[str, Any], ctx: XSeriesContext, customer: Mapping[str, Any] | None = None) -> Order:
    """A closed (or voided) 2.0 sale -> the canonical Order (channel "pos").

    Raises:
        RecordError: naming the sale and the field that cannot be read.
    """
    sale_id = str(raw.get("id"))
    reference = text(raw.get("invoice_number")) or sale_id
    key = f"{sale_id} ({reference})"
    lines = tuple(xseries_line(line, i, key, ctx) for i, line in enumerate(raw.get("line_items") or [])
                  if isinstance(line, Mapping) and line.get("status") != "VOIDED")
    payments = tuple(xseries_payment(p, i, key) for i, p in enumerate(raw.get("payments") or [])
                     if isinstance(p, Mapping) and not p.get("deleted_at"))
    grand_total = cents(_dec(raw.get("total_price"), "orders", key, "total_price")) + \
        cents(_dec(raw.get("total_tax"), "orders", key, "total_tax"))
    voided = raw.get("status") == "VOIDED" or raw.get("state") == "voided"
    paid = sum((p.amount for p in payments), ZERO)
    if voided:
        status = PaymentStatus.VOIDED
    elif grand_total < 0 or text(raw.get("return_for")):
        status = PaymentStatus.REFUNDED
    elif paid >= grand_total:
        status = PaymentStatus.PAID
    else:
        status = PaymentStatus.PARTIALLY_PAID if paid > 0 else PaymentStatus.PENDING
    per_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        per_rate[line.tax_rate] = per_rate.get(line.tax_rate, ZERO) + line.tax_amount
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
    discount_incl = sum((line.discount_incl for line in lines), ZERO)
    discounts = (Discount(code=None, title="POS discount", kind="other", amount_incl=discount_incl,
                          amount_excl=sum((line.discount_excl for line in lines), ZERO),
                          allocation=DiscountAllocation.LINES),) if discount_incl else ()
    updated = _when(raw.get("updated_at"), "orders", key, "updated_at")
    created = _when(raw.get("sale_date") or raw.get("created_at") or raw.get("updated_at"), "orders", key, "sale_date")
    register = ctx.registers.get(str(raw.get("register_id")))
    returned = bool(lines) and all(line.quantity < 0 for line in lines)
    return Order(
        source=XSERIES, source_id=sale_id, reference=reference, created_at=created, updated_at=updated,
        currency=ctx.currency, prices_include_tax=False, payment_status=status,
        fulfillment_status=FulfillmentStatus.RETURNED if returned else FulfillmentStatus.FULFILLED, lines=lines,
        totals=Totals(subtotal_incl=sum((line.total_incl for line in lines), ZERO), shipping_incl=ZERO,
                      discount_incl=discount_incl, tax_total=sum((t.amount for t in tax_lines), ZERO),
                      tax_lines=tax_lines, grand_total=grand_total,
                      refunded_total=-grand_total if grand_total < 0 else ZERO),
        discounts=discounts, payments=payments, paid_at=created if status is PaymentStatus.PAID else None,
        cancelled=voided, cancelled_at=updated if voided else None, customer=customer_ref(customer),
        billing_address=customer_address(customer) if customer and customer_ref(customer) else None,
        shipping_address=ctx.outlets.get(str(raw.get("outlet_id"))), channel="pos",
        tags=tuple(t for t in (f"register:{register}" if register else None,
                               f"return_for:{raw['return_for']}" if text(raw.get("return_for")) else None) if t),
        note=text(raw.get("note")),
    )


def xseries_customer(raw: Mapping[str, Any]) -> Customer:
    cid = str(raw.get("id"))
    company = text(raw.get("company_name"))
    return Customer(source=XSERIES, source_id=cid,
                    created_at=_when(raw.get("created_at") or raw.get("updated_at"), "customers", cid, "created_at"),
                    updated_at=_when(raw.get("updated_at"), "customers", cid, "updated_at"),
                    email=text(raw.get("email")), first_name=text(raw.get("first_name")),
                    last_name=text(raw.get("last_name")), company_name=company,
                    phone=text(raw.get("phone")) or text(raw.get("mobile")), is_company=bool(company),
                    address=customer_address(raw))


def xseries_product(raw: Mapping[str, Any], tax_rates: Mapping[str, Decimal], default_rate: Decimal) -> Product:
    """One product per variant (the sellable SKU); its parent (`variant_parent_id`) is the product id."""
    pid = str(raw.get("id"))
    tax_id = text(raw.get("tax_id"))
    rate = tax_rates.get(tax_id, default_rate) if tax_id else default_rate
    excl = _dec(raw.get("price_excluding_tax"), "products", pid, "price_excluding_tax")
    incl = raw.get("price_including_tax")
    return Product(source=XSERIES, source_id=pid, product_id=text(raw.get("variant_parent_id")) or pid,
                   sku=text(raw.get("sku")), title=text(raw.get("name")) or pid,
                   variant_title=text(raw.get("variant_name")),
                   created_at=_when(raw.get("created_at") or raw.get("updated_at"), "products", pid, "created_at"),
                   updated_at=_when(raw.get("updated_at"), "products", pid, "updated_at"),
                   price_excl=quantize(excl, 4),
                   price_incl=quantize(_dec(incl, "products", pid, "price_including_tax"), 4) if incl is not None
                   else quantize(gross_from_net(excl, rate), 4),
                   tax_rate=rate, description=text(raw.get("description")), active=raw.get("active") is not False)
