"""The generated shop (`sandbox.seed`) as Lightspeed Retail objects: sales, returns, customers, items, taxes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox import seed as neutral
from sandbox.lightspeed_retail.contract import money, to_iso

RETURN_SALE_OFFSET = 100_000_000
PAYMENT_TYPES = {  # gateway -> (paymentTypeID, name, type)
    "cash": ("1", "Cash", "cash"), "creditcard": ("2", "Credit Card", "credit card"),
    "pin": ("3", "Debit Card", "debit card"), "ideal": ("4", "iDEAL", "ecom"), "paypal": ("5", "PayPal", "ecom"),
    "bancontact": ("6", "Bancontact", "debit card"),
}
TAX_CLASS_IDS = {"standard": "1", "reduced": "2", "zero": "3"}
TAX_NAMES = {"NL": "BTW", "BE": "BTW", "DE": "MwSt", "FR": "TVA", "SE": "Moms"}
SHOP_ID = "1"


# -- rendering the neutral shop in R-Series form (pure; stored form: strings, relations as lists) --------------------
def _stamp(value: datetime | None) -> str:
    return to_iso(value.timestamp()) if value else ""


def _rate(rate: Decimal) -> str:
    return str((rate / 100).normalize())


def render_customer(customer: neutral.Customer) -> dict[str, Any]:
    """A neutral customer as an R-Series Customer (with its Contact)."""
    address = customer.address
    cid = str(customer.id)
    return {
        "customerID": cid, "firstName": customer.first_name, "lastName": customer.last_name,
        "title": "", "company": customer.company or "", "vatNumber": customer.vat_number or "",
        "companyRegistrationNumber": "", "createTime": _stamp(customer.created_at),
        "timeStamp": _stamp(customer.updated_at), "archived": "false", "contactID": cid,
        "creditAccountID": "0", "customerTypeID": "0", "discountID": "0", "taxCategoryID": "0",
        "Contact": {
            "contactID": cid, "custom": "", "noEmail": "false", "noPhone": "false", "noMail": "false",
            "timeStamp": _stamp(customer.updated_at),
            "Addresses": [{"address1": address.line1, "address2": address.address2 or "", "city": address.city,
                           "state": address.province_code or "", "zip": address.postcode,
                           "country": address.country, "countryCode": address.country,
                           "stateCode": address.province_code or ""}],
            "Phones": [{"number": customer.phone, "useType": "Mobile"}] if customer.phone else [],
            "Emails": [{"address": customer.email, "useType": "Primary"}],
        },
    }


def render_tax_categories(shop: neutral.Shop) -> list[dict[str, Any]]:
    """The shop's sales taxes: one TaxCategory per `VAT_RATES` country (the shop's own country first, id 1), the
    standard rate as the category rate, reduced and zero as TaxCategoryClasses (rates are fractions, as documented)."""
    stamp = _stamp(neutral.CUSTOMER_START)
    countries = [shop.country, *(c for c in neutral.VAT_RATES if c != shop.country)]
    out = []
    for number, country in enumerate(countries, start=1):
        standard, reduced = neutral.VAT_RATES[country]
        cid = str(number)
        classes = [{"taxCategoryClassID": str(number * 10 + index), "tax1Rate": _rate(rate), "tax2Rate": "0",
                    "timeStamp": stamp, "taxCategoryID": cid, "taxClassID": TAX_CLASS_IDS[name]}
                   for index, (name, rate) in enumerate((("reduced", reduced), ("zero", neutral.ZERO)), start=1)]
        out.append({"taxCategoryID": cid, "isTaxInclusive": "true", "tax1Name": f"{TAX_NAMES.get(country, 'VAT')} "
                    f"{country}", "tax2Name": "", "tax1Rate": _rate(standard), "tax2Rate": "0", "timeStamp": stamp,
                    "TaxCategoryClasses": classes})
    return out


def render_shop(shop: neutral.Shop) -> dict[str, Any]:
    """The one physical store; its `taxCategoryID` is the sales tax its register applies (the shop country's)."""
    return {"shopID": SHOP_ID, "name": shop.name, "serviceRate": "0", "timeZone": shop.timezone,
            "taxLabor": "false", "labelTitle": "Shop Name", "labelMsrp": "false", "archived": "false",
            "timeStamp": _stamp(neutral.CUSTOMER_START), "companyRegistrationNumber": "", "vatNumber": "",
            "zebraBrowserPrint": "false", "contactID": "0", "taxCategoryID": "1", "receiptSetupID": "1",
            "vendorID": "0", "ccGatewayID": "0", "gatewayConfigID": "0", "priceLevelID": "1",
            # the store's own address: where POS sales hand the goods over (their place of supply for VAT)
            "Contact": {"contactID": "0", "custom": "", "noEmail": "true", "noPhone": "true", "noMail": "true",
                        "timeStamp": _stamp(neutral.CUSTOMER_START),
                        "Addresses": [{"address1": "Damrak 1", "address2": "", "city": "Amsterdam", "state": "",
                                       "zip": "1012 LG", "country": "Netherlands", "countryCode": neutral.SHOP_COUNTRY,
                                       "stateCode": ""}],
                        "Phones": [], "Emails": []}}


def render_item(variant: neutral.Variant, product: neutral.Product) -> dict[str, Any]:
    """A neutral variant as an R-Series Item; the default price is the shelf price incl. tax."""
    net = neutral.net_of(variant.price, variant.tax_rate)
    description = product.title if variant.title == "Default" else f"{product.title} - {variant.title}"
    return {
        "itemID": str(variant.id), "systemSku": f"2100000{variant.id:05d}", "customSku": variant.sku,
        "manufacturerSku": "", "upc": "", "ean": variant.barcode, "description": description,
        "tax": "true" if variant.tax_rate else "false", "taxClassID": TAX_CLASS_IDS[variant.tax_class],
        "itemType": "default", "archived": "false" if variant.active and product.active else "true",
        "discountable": "true", "serialized": "false",
        "defaultCost": money(neutral.cents(net * Decimal("0.4"))),
        "avgCost": money(neutral.cents(net * Decimal("0.4"))),
        "categoryID": str(product.id), "manufacturerID": "0", "itemMatrixID": str(product.id),
        "createTime": _stamp(product.created_at), "timeStamp": _stamp(product.updated_at),
        "Prices": [{"amount": money(variant.price), "useTypeID": "1", "useType": "Default"},
                   {"amount": money(variant.price), "useTypeID": "2", "useType": "MSRP"}],
    }


def _sale_header(order: neutral.Order, sale_id: int, customer_id: str) -> dict[str, Any]:
    return {
        "saleID": str(sale_id), "timeStamp": _stamp(order.updated_at), "createTime": _stamp(order.created_at),
        "updateTime": _stamp(order.updated_at), "archived": "false",
        "isTaxInclusive": str(order.prices_include_tax).lower(),
        "referenceNumber": str(order.number), "referenceNumberSource": "", "tax1Rate": "0", "tax2Rate": "0",
        "change": "0", "receiptPreference": "printed", "calcTips": "0", "calcTax2": "0",
        "customerID": customer_id, "employeeID": "1", "registerID": "1", "shopID": "1", "shipToID": "0",
        "taxCategoryID": "1", "quoteID": "0", "discountID": "0",
    }


def render_sales(order: neutral.Order, customers: dict[int, neutral.Customer]) -> list[dict[str, Any]]:
    """A neutral order as its R-Series Sale plus one return Sale per refund."""
    customer_id = str(order.customer_id) if order.customer_id in customers else "0"
    sale = _sale_header(order, order.id, customer_id)
    taxable = sum((ln.total_excl for ln in order.lines if ln.tax_rate), neutral.ZERO)
    lines = [_sale_line(order, sale_id=order.id, line_id=str(ln.id), item_id=ln.variant_id, quantity=ln.quantity,
                        unit_price=ln.unit_price, subtotal_excl=ln.gross_excl, discount_excl=ln.discount_excl,
                        discount=ln.discount, rate=ln.tax_rate, tax=ln.tax_amount, total_incl=ln.total_incl,
                        displayable=ln.total_incl if order.prices_include_tax else ln.total_excl)
             for ln in order.lines]
    for ship in order.shipping_lines:
        lines.append(_sale_line(order, sale_id=order.id, line_id=str(ship.id), item_id=None, quantity=1,
                                unit_price=ship.price, subtotal_excl=ship.price_excl, rate=ship.tax_rate,
                                tax=ship.tax_amount, total_incl=ship.price_incl, displayable=ship.price))
        if ship.tax_rate:
            taxable += ship.price_excl
    paid = sum((p.amount for p in order.payments if p.kind == "sale" and p.status == "success"), neutral.ZERO)
    top_rate = max((ln.tax_rate for ln in order.lines), default=neutral.ZERO)
    sale.update({
        "completed": "true" if order.paid_at is not None else "false",
        "voided": "true" if order.financial_status == "voided" else "false",
        "completeTime": _stamp(order.paid_at), "ticketNumber": f"22{order.id:010d}", "tax1Rate": _rate(top_rate),
        **_totals(discount=order.discount_total_excl, subtotal=order.lines_total_excl + order.shipping_total_excl,
                  taxable=taxable, non_taxable=order.total_excl - taxable, tax=order.total_tax,
                  total=order.grand_total, paid=paid,
                  displayable=order.subtotal + (order.shipping_total_incl if order.prices_include_tax
                                                else order.shipping_total_excl)),
        "SaleLines": lines,
        "SalePayments": [_payment(order.id, p) for p in order.payments if p.kind == "sale" and p.status == "success"],
    })
    sales = [sale]
    by_line = {ln.id: ln for ln in order.lines}
    for refund in order.refunds:
        sales.append(_return_sale(order, refund, by_line, customer_id))
    return sales


def _totals(*, discount: Decimal, subtotal: Decimal, taxable: Decimal, non_taxable: Decimal, tax: Decimal,
            total: Decimal, paid: Decimal, displayable: Decimal) -> dict[str, str]:
    """A Sale's totals (subtotal and discount excl. tax): calcTotal = calcSubtotal - calcDiscount + calcTax1."""
    return {"calcDiscount": money(discount), "calcSubtotal": money(subtotal), "calcTaxable": money(taxable),
            "calcNonTaxable": money(non_taxable), "calcTax1": money(tax), "calcTotal": money(total),
            "total": money(total), "totalDue": money(total), "displayableTotal": money(total), "taxTotal": money(tax),
            "calcPayments": money(paid), "balance": money(total - paid), "displayableSubtotal": money(displayable)}


def _sale_line(order: neutral.Order, *, sale_id: int, line_id: str, item_id: int | None, quantity: int,
               unit_price: Decimal, subtotal_excl: Decimal, rate: Decimal, tax: Decimal, total_incl: Decimal,
               displayable: Decimal, discount_excl: Decimal = neutral.ZERO, discount: Decimal = neutral.ZERO,
               parent: str = "0") -> dict[str, Any]:
    """One SaleLine; `subtotal_excl` is before discount, `displayable` the line total in the pricing mode."""
    return {
        "saleLineID": line_id, "saleID": str(sale_id), "createTime": _stamp(order.created_at),
        "timeStamp": _stamp(order.updated_at), "unitQuantity": str(quantity), "unitPrice": money(unit_price),
        "normalUnitPrice": money(unit_price), "discountAmount": money(discount), "discountPercent": "0",
        "avgCost": "0", "fifoCost": "0", "tax": "true" if rate else "false", "tax1Rate": _rate(rate), "tax2Rate": "0",
        "isLayaway": "false", "isWorkorder": "false", "isSpecialOrder": "false",
        "displayableSubtotal": money(displayable), "displayableUnitPrice": money(unit_price),
        "calcLineDiscount": money(discount_excl), "calcTransactionDiscount": "0", "calcTotal": money(total_incl),
        "calcSubtotal": money(subtotal_excl), "calcTax1": money(tax), "calcTax2": "0",
        "taxClassID": "1" if rate else "3", "customerID": "0", "discountID": "0", "employeeID": "1",
        "itemID": str(item_id or 0), "noteID": "0", "parentSaleLineID": parent, "shopID": "1",
        "taxCategoryID": "1", "lineType": "SaleLine",
    }


def _payment(sale_id: int, payment: neutral.Payment) -> dict[str, Any]:
    type_id = PAYMENT_TYPES.get(payment.gateway, ("1", "", ""))[0]
    amount = payment.amount if payment.kind == "sale" else -payment.amount
    return {"salePaymentID": str(payment.id), "saleID": str(sale_id), "amount": money(amount),
            "createTime": _stamp(payment.processed_at), "archived": "false", "paymentTypeID": type_id,
            "registerID": "1", "employeeID": "1", "creditAccountID": "0"}


def _return_sale(order: neutral.Order, refund: neutral.Refund, by_line: dict[int, neutral.OrderLine],
                 customer_id: str) -> dict[str, Any]:
    sale_id = RETURN_SALE_OFFSET + refund.id
    sale = _sale_header(order, sale_id, customer_id)
    at = _stamp(refund.created_at)
    lines: list[dict[str, Any]] = []
    for back in refund.lines:
        sold = by_line[back.line_id]
        lines.append(_sale_line(
            order, sale_id=sale_id, line_id=str(RETURN_SALE_OFFSET + refund.id * 100 + len(lines) + 1),
            item_id=sold.variant_id, quantity=-back.quantity, unit_price=sold.unit_price,
            subtotal_excl=-back.amount_excl, rate=sold.tax_rate, tax=-back.tax_amount, total_incl=-back.amount_incl,
            displayable=-(back.amount_incl if order.prices_include_tax else back.amount_excl), parent=str(sold.id)))
    if refund.shipping_incl:
        ship = order.shipping_lines[0]
        lines.append(_sale_line(
            order, sale_id=sale_id, line_id=str(RETURN_SALE_OFFSET + refund.id * 100 + len(lines) + 1), item_id=None,
            quantity=-1, unit_price=ship.price, subtotal_excl=-refund.shipping_excl, rate=ship.tax_rate,
            tax=-refund.shipping_tax, total_incl=-refund.shipping_incl,
            displayable=-(refund.shipping_incl if order.prices_include_tax else refund.shipping_excl),
            parent=str(ship.id)))
    for line in lines:
        line["createTime"] = line["timeStamp"] = at
    subtotal = sum((Decimal(line["calcSubtotal"]) for line in lines), neutral.ZERO)
    taxable = sum((Decimal(line["calcSubtotal"]) for line in lines if line["tax"] == "true"), neutral.ZERO)
    refund_payment = next((p for p in order.payments if p.kind == "refund" and p.processed_at == refund.created_at
                           and p.amount == refund.amount), None)
    payments = [_payment(sale_id, refund_payment)] if refund_payment else []
    sale.update({
        "timeStamp": at, "createTime": at, "updateTime": at, "completeTime": at, "completed": "true",
        "voided": "false", "ticketNumber": f"22{sale_id:010d}",
        "tax1Rate": _rate(max((by_line[b.line_id].tax_rate for b in refund.lines), default=neutral.ZERO)),
        **_totals(discount=neutral.ZERO, subtotal=subtotal, taxable=taxable, non_taxable=subtotal - taxable,
                  tax=-refund.tax_amount, total=-refund.amount, paid=-refund.amount if payments else neutral.ZERO,
                  displayable=sum((Decimal(line["displayableSubtotal"]) for line in lines), neutral.ZERO)),
        "SaleLines": lines, "SalePayments": payments,
    })
    return sale
