"""The generated shop (`sandbox.seed`) as Lightspeed eCom objects: orders and lines, customers, products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox import seed as neutral
from sandbox.lightspeed_ecom.contract import to_iso

# -- rendering the neutral shop in eCom's format (pure) -------------------------------------------------------
COUNTRIES = {  # ISO alpha-2 -> (eCom country id, alpha-3, title)
    "NL": (155, "nld", "Netherlands"), "BE": (21, "bel", "Belgium"), "DE": (81, "deu", "Germany"),
    "FR": (74, "fra", "France"), "SE": (203, "swe", "Sweden"), "GB": (225, "gbr", "United Kingdom"),
    "US": (226, "usa", "United States"),
}
ADDRESS_KEYS = ("Name", "Street", "Street2", "Number", "Extension", "Zipcode", "City", "Region")
TAX_IDS = {Decimal("21"): 1, Decimal("9"): 2, Decimal("0"): 3}
ORDER_LANGUAGE = {"id": 1, "code": "nl", "locale": "nl_NL", "title": "Nederlands"}
PAYMENT_TITLES = {"ideal": "iDEAL", "creditcard": "Credit card", "paypal": "PayPal", "bancontact": "Bancontact",
                  "cash": "Cash", "pin": "PIN"}


def _ref(rid: Any, url: str) -> dict[str, Any]:
    return {"resource": {"id": rid, "url": url, "link": ""}}


def _fraction(rate: Decimal) -> Decimal:
    """Percentage -> the fraction eCom uses (21 -> 0.21)."""
    return (rate / 100).normalize()


def _iso_dt(value: datetime | None) -> str:
    return to_iso(value.timestamp()) if value else ""


def _address_fields(prefix: str, address: neutral.Address | None) -> dict[str, Any]:
    if address is None:
        return {**{f"{prefix}{key}": "" for key in ADDRESS_KEYS}, f"{prefix}Country": False}
    number, extension = address.house_number, ""
    digits = len(number) - len(number.lstrip("0123456789"))
    if 0 < digits < len(number):
        number, extension = number[:digits], number[digits:].lstrip("-")
    country_id, code3, title = COUNTRIES.get(address.country, (0, address.country.lower(), address.country))
    return {f"{prefix}Name": f"{address.first_name} {address.last_name}", f"{prefix}Street": address.street,
            f"{prefix}Street2": address.address2 or "", f"{prefix}Number": number, f"{prefix}Extension": extension,
            f"{prefix}Zipcode": address.postcode, f"{prefix}City": address.city,
            f"{prefix}Region": address.province_code or "",
            f"{prefix}Country": {"id": country_id, "code": address.country.lower(), "code3": code3, "title": title}}


def render_customer(customer: neutral.Customer) -> dict[str, Any]:
    """A neutral customer as an eCom `customer` resource."""
    return {
        "id": customer.id, "createdAt": _iso_dt(customer.created_at), "updatedAt": _iso_dt(customer.updated_at),
        "lastOnlineAt": _iso_dt(customer.updated_at), "isConfirmed": True, "type": 0, "gender": "",
        "birthDate": "", "nationalId": "", "email": customer.email, "firstname": customer.first_name,
        "middlename": "", "lastname": customer.last_name, "phone": customer.phone or "", "mobile": "",
        "isCompany": customer.company is not None, "companyName": customer.company or "", "companyCoCNumber": "",
        "companyVatNumber": customer.vat_number or "",
        **_address_fields("addressBilling", customer.address), **_address_fields("addressShipping", customer.address),
        "memo": "", "doNotificationEmail": customer.accepts_marketing,
        "groups": _ref(False, f"customers/{customer.id}/groups"),
        "orders": _ref(False, f"orders?customer={customer.id}"),
    }


def render_product(product: neutral.Product) -> dict[str, Any]:
    """A neutral product as an eCom `product` resource."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in product.title.lower()).strip("-")
    return {
        "id": product.id, "createdAt": _iso_dt(product.created_at), "updatedAt": _iso_dt(product.updated_at),
        "isVisible": product.active, "visibility": "visible" if product.active else "hidden",
        "url": f"{slug}-{product.id}", "title": product.title, "fulltitle": product.title,
        "description": product.description, "content": product.description, "data01": product.product_group,
        "data02": "", "data03": "", "brand": False, "supplier": False,
        "categories": _ref(False, f"categories/products?product={product.id}"),
        "variants": _ref(False, f"variants?product={product.id}"),
    }


def render_variant(variant: neutral.Variant, product: neutral.Product, position: int) -> dict[str, Any]:
    """A neutral variant as an eCom `variant` resource; `priceIncl` is the shelf price (tax incl)."""
    excl = neutral.net_of(variant.price, variant.tax_rate)
    return {
        "id": variant.id, "createdAt": _iso_dt(product.created_at), "updatedAt": _iso_dt(product.updated_at),
        "isDefault": position == 0, "sortOrder": position + 1, "articleCode": variant.sku, "ean": variant.barcode,
        "sku": variant.sku, "hs": "", "unitPrice": False, "unitUnit": "", "priceExcl": excl,
        "priceIncl": variant.price, "priceCost": neutral.cents(excl * Decimal("0.4")), "oldPriceExcl": 0,
        "oldPriceIncl": 0, "stockTracking": "disabled", "stockLevel": 0, "weight": 0, "title": variant.title,
        "taxType": "incl", "options": [], "isActive": variant.active,
        "tax": _ref(TAX_IDS.get(variant.tax_rate, 1), f"taxes/{TAX_IDS.get(variant.tax_rate, 1)}"),
        "product": _ref(product.id, f"products/{product.id}"),
    }


def render_taxes() -> list[dict[str, Any]]:
    """The NL shop's tax rates as eCom `tax` resources."""
    stamp = _iso_dt(neutral.CUSTOMER_START)
    return [{"id": tid, "createdAt": stamp, "updatedAt": stamp, "isDefault": tid == 1, "title": f"{rate}%",
             "rate": _fraction(rate)} for rate, tid in TAX_IDS.items()]


def _order_status(order: neutral.Order) -> tuple[str, str, str]:
    """(status, paymentStatus, shipmentStatus) of a neutral order."""
    if order.cancelled_at is not None:
        return "cancelled", "cancelled" if order.paid_at is None else "paid", "cancelled"
    payment = "paid" if order.paid_at is not None else "not_paid"
    if order.fulfillment_status == "fulfilled":
        return "completed_shipped", payment, "shipped"
    if order.paid_at is None:
        return "processing_awaiting_payment", payment, "not_shipped"
    return "processing_awaiting_shipment", payment, "not_shipped"


def render_order(order: neutral.Order, shop: neutral.Shop) -> dict[str, Any]:
    """A neutral order as an eCom `order` resource (without its lines, which live under /products)."""
    customer = shop.customers.get(order.customer_id) if order.customer_id is not None else None
    status, payment_status, shipment_status = _order_status(order)
    billing = order.billing_address
    shipping = order.shipping_lines[0] if order.shipping_lines else None
    code = order.discount_codes[0] if order.discount_codes else None
    gateway = order.payments[0].gateway if order.payments else "ideal"
    return {
        "id": order.id, "createdAt": _iso_dt(order.created_at), "updatedAt": _iso_dt(order.updated_at),
        "number": f"ORD{order.number:05d}", "status": status, "customStatusId": False,
        "channel": "main", "remoteIp": "", "userAgent": "", "referralId": False, "priceCost": 0,
        "priceExcl": order.total_excl, "priceIncl": order.grand_total, "weight": 0, "volume": 0,
        "colli": 0, "gender": "", "birthDate": "", "nationalId": "",
        "email": order.email or "", "firstname": billing.first_name if billing else "", "middlename": "",
        "lastname": billing.last_name if billing else "", "phone": order.phone or "", "mobile": "",
        "isCompany": order.company is not None, "companyName": order.company or "", "companyCoCNumber": "",
        "companyVatNumber": order.vat_number or "",
        **_address_fields("addressBilling", billing), "addressBillingRegionData": False,
        **_address_fields("addressShipping", order.shipping_address), "addressShippingRegionData": False,
        "addressShippingCompany": order.company or "",
        "paymentId": gateway, "paymentStatus": payment_status, "paymentIsPost": False,
        "paymentIsInvoiceExternal": False, "paymentTaxRate": 0, "paymentTaxRates": [],
        "paymentBasePriceExcl": 0, "paymentBasePriceIncl": 0, "paymentPriceExcl": 0, "paymentPriceIncl": 0,
        "paymentTitle": PAYMENT_TITLES.get(gateway, gateway), "paymentData": False,
        "shipmentId": "core|1|1" if shipping else "", "shipmentStatus": shipment_status,
        "shipmentIsCashOnDelivery": False, "shipmentIsPickup": shipping is None,
        "shipmentTaxRate": _fraction(shipping.tax_rate) if shipping else 0,
        "shipmentTaxRates": [{"name": f"{shipping.tax_rate}%", "rate": _fraction(shipping.tax_rate),
                              "amount": shipping.tax_amount}] if shipping else [],
        "shipmentBasePriceExcl": shipping.price_excl if shipping else 0,
        "shipmentBasePriceIncl": shipping.price_incl if shipping else 0,
        "shipmentPriceExcl": shipping.price_excl if shipping else 0,
        "shipmentPriceIncl": shipping.price_incl if shipping else 0,
        "shipmentDiscountExcl": 0, "shipmentDiscountIncl": 0, "shipmentTitle": shipping.title if shipping else "",
        "shipmentData": False, "shippingDate": "", "deliveryDate": "",
        "isDiscounted": code is not None,
        "discountType": ("percentage" if code.kind == "percentage" else "amount") if code else "amount",
        "discountAmount": order.discount_total_incl,
        "discountPercentage": _fraction(code.value) if code and code.kind == "percentage" else 0,
        "discountCouponCode": code.code if code else "",
        "taxRates": [{"name": f"{t.rate}%", "rate": _fraction(t.rate), "amount": t.tax} for t in order.tax_lines],
        "isNewCustomer": False, "comment": order.note or "", "memo": "", "allowNotifications": True,
        "doNotifyNew": False, "doNotifyReminder": False, "doNotifyCancelled": False,
        "language": dict(ORDER_LANGUAGE),
        "customer": _ref(customer.id, f"customers/{customer.id}") if customer else _ref(False, ""),
        "invoices": _ref(False, f"invoices?order={order.id}"), "shipments": _ref(False, f"shipments?order={order.id}"),
        "products": _ref(False, f"orders/{order.id}/products"),
        "metafields": _ref(False, f"orders/{order.id}/metafields"),
        "quote": False, "events": _ref(False, f"orders/{order.id}/events"),
    }


def render_order_lines(order: neutral.Order, variants: dict[int, neutral.Variant]) -> list[dict[str, Any]]:
    """The lines of a neutral order as eCom `orderProduct` resources."""
    refunded: dict[int, int] = {}
    for refund in order.refunds:
        for back in refund.lines:
            refunded[back.line_id] = refunded.get(back.line_id, 0) + back.quantity
    invoiced = order.paid_at is not None
    shipped = order.fulfillment_status == "fulfilled"
    out = []
    for line in order.lines:
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        out.append({
            "id": line.id, "supplierTitle": "", "brandTitle": "", "productTitle": line.title,
            "variantTitle": line.variant_title, "taxStatus": "auto", "articleCode": line.sku,
            "ean": variant.barcode if variant else "", "sku": line.sku, "weight": 0, "volume": 0, "colli": 0,
            "sizeX": 0, "sizeY": 0, "sizeZ": 0, "priceCost": 0, "customExcl": 0, "customIncl": 0,
            "basePriceExcl": line.unit_price_excl, "basePriceIncl": line.unit_price_incl,
            "priceExcl": line.total_excl, "priceIncl": line.total_incl,
            "discountExcl": line.discount_excl, "discountIncl": line.discount_incl,
            "taxRate": _fraction(line.tax_rate),
            "taxRates": [{"name": f"{line.tax_rate}%", "rate": _fraction(line.tax_rate), "amount": line.tax_amount}],
            "quantityOrdered": line.quantity, "quantityInvoiced": line.quantity if invoiced else 0,
            "quantityShipped": line.quantity if shipped else 0, "quantityRefunded": refunded.get(line.id, 0),
            "quantityReturned": refunded.get(line.id, 0), "customFields": False,
            "product": _ref(line.product_id, f"products/{line.product_id}") if line.product_id else _ref(False, ""),
            "variant": _ref(line.variant_id, f"variants/{line.variant_id}") if line.variant_id else _ref(False, ""),
        })
    return out
