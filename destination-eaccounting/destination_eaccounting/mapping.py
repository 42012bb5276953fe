"""A document plan, an order's customer and an article as eAccounting's request bodies, and eAccounting's customer
as the planner's view of it (pure: values in, values out, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connector_common.model import Address, CustomerRef, Order, Product
from connector_common.vat import normalize_vat_number, vat_number_problem
from connector_common.wire import email_key
from destination_eaccounting.plan import (
    MAX_ARTICLE_NAME,
    MAX_ARTICLE_NUMBER,
    ONE,
    ArticleNeed,
    CustomerView,
    DocumentPlan,
    round2,
)
from destination_eaccounting.vat_codes import Coding

ORDER_STATUS_ONGOING = 2


def document_payload(plan: DocumentPlan, order: Order, article_ids: Mapping[str, str]) -> dict[str, Any]:
    """The POST body of the draft / invoice / order. Only writable fields of the vendor schema.

    Credit documents set `IsCreditInvoice` and carry negative quantities (an interpretation: the API has no other
    writable sign; unverified against production).
    """
    sign = -ONE if plan.is_credit else ONE
    rows: list[dict[str, Any]] = []
    for n, row in enumerate(plan.rows, start=1):
        body: dict[str, Any] = {
            "LineNumber": n, "ArticleId": article_ids[row.article.number], "Text": row.text,
            "UnitPrice": row.unit_price, "Quantity": row.quantity * sign, "DiscountPercentage": row.discount,
            "IsTextRow": False, "IsWorkCost": False,
        }
        if plan.kind == "order":
            body["EligibleForReverseChargeOnVat"] = False
        else:
            body["ReversedConstructionServicesVatFree"] = False
        rows.append(body)
    payload: dict[str, Any] = {
        "CustomerId": plan.customer.id, "YourReference": plan.reference,
        "BuyersOrderReference": plan.order_reference[:35], "EuThirdParty": False, "RotReducedInvoicingType": 0,
        "Rows": rows,
    }
    payload.update(_delivery(order.shipping_address))
    day = plan.document_date.isoformat()
    if plan.kind == "order":
        payload.update({"CurrencyCode": plan.currency, "OrderDate": day, "Status": ORDER_STATUS_ONGOING,
                        "ReverseChargeOnConstructionServices": False})
    else:
        payload.update({"InvoiceDate": day, "IsCreditInvoice": plan.is_credit})
    return payload


def _delivery(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    name = address.company or " ".join(p for p in (address.first_name, address.last_name) if p)
    return {k: v for k, v in {
        "DeliveryCustomerName": name[:50] or None, "DeliveryAddress1": _street(address),
        "DeliveryAddress2": (address.line2 or "")[:50] or None,
        "DeliveryPostalCode": (address.postcode or "")[:10] or None,
        "DeliveryCity": (address.city or "")[:50] or None, "DeliveryCountryCode": address.country,
    }.items() if v}


def _street(address: Address) -> str | None:
    street = " ".join(p for p in (address.line1, address.house_number) if p)
    return street[:50] or None


def customer_is_company(ref: CustomerRef | None, address: Address | None) -> bool:
    return bool(ref and (ref.is_company or ref.company_name)) or bool(address and address.company and ref
                                                                        and ref.vat_number)


def customer_country(order: Order, seller_country: str | None) -> str | None:
    """The customer's country: the billing address's, else the ship-to's, else the seller's (eAccounting refuses a
    VAT number without a country, and decides the VAT treatment by it)."""
    for address in (order.billing_address, order.ship_to):
        if address is not None and address.country:
            return address.country
    return seller_country


def customer_payload(order: Order, *, terms_id: str, number: str | None = None,
                     seller_country: str | None = None) -> dict[str, Any]:
    """A new customer from the order's customer snapshot and billing address (company vs private person)."""
    ref = order.customer or CustomerRef()
    address = order.billing_address or order.shipping_address or Address()
    company = customer_is_company(ref, address)
    person = " ".join(p for p in (ref.first_name or address.first_name, ref.last_name or address.last_name) if p)
    company_name = ref.company_name or address.company
    name = (company_name if company and company_name else person) or ref.email or f"Customer {order.reference}"
    payload: dict[str, Any] = {
        "Name": name[:50], "IsPrivatePerson": not company, "IsActive": True, "TermsOfPaymentId": terms_id,
        "EmailAddress": email_key(ref.email), "InvoiceAddress1": _street(address),
        "InvoiceAddress2": (address.line2 or "")[:50] or None, "InvoicePostalCode": (address.postcode or "-")[:10],
        "InvoiceCity": (address.city or "-")[:50], "InvoiceCountryCode": customer_country(order, seller_country),
        "CurrencyCode": order.currency, "Telephone": (ref.phone or address.phone or "")[:50] or None,
    }
    if company:
        if ref.vat_number and vat_number_problem(ref.vat_number) is None:  # eAccounting reverse-charges a VAT number
            payload["VatNumber"] = normalize_vat_number(ref.vat_number)[:20]
        if person:
            payload["ContactPersonName"] = person[:50]
    if number:
        payload["CustomerNumber"] = number[:16]
    return {k: v for k, v in payload.items() if v is not None}


def customer_changes(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `wanted` that differ from the customer in eAccounting (never the terms or the number)."""
    keep = ("TermsOfPaymentId", "CustomerNumber", "CurrencyCode")
    return {k: v for k, v in wanted.items() if k not in keep and existing.get(k) != v}


def customer_view(data: Mapping[str, Any], origin: str) -> CustomerView:
    """A view of an eAccounting customer (from a GET or a POST response)."""
    return CustomerView(id=data.get("Id"), number=data.get("CustomerNumber"), name=str(data.get("Name") or ""),
                        country=data.get("InvoiceCountryCode"), is_private=bool(data.get("IsPrivatePerson")),
                        vat_number=data.get("VatNumber") or None, force_vat=bool(data.get("ForceBookkeepVat")),
                        currency=data.get("CurrencyCode") or None, origin=origin)


def article_payload(need: ArticleNeed, unit_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"Number": need.number, "Name": need.name[:MAX_ARTICLE_NAME] or need.number,
                               "CodingId": need.coding.id, "UnitId": unit_id, "IsActive": True}
    if need.coding.oss:
        payload["UsesMoss"] = True  # an OSS article (ArticleApi.UsesMoss; needs the company's OSS setting)
    if need.net_price is not None:
        payload["NetPrice"] = round2(need.net_price)
    if need.gross_price is not None:
        payload["GrossPrice"] = round2(need.gross_price)
    return payload


def product_article(product: Product, coding: Coding) -> ArticleNeed | None:
    """The article for a canonical product (None when it has no usable SKU)."""
    sku = (product.sku or "").strip()
    if not sku or len(sku) > MAX_ARTICLE_NUMBER:
        return None
    name = product.title + (f" - {product.variant_title}" if product.variant_title else "")
    return ArticleNeed(number=sku, name=name[:MAX_ARTICLE_NAME], coding=coding, net_price=product.price_excl,
                       gross_price=product.price_incl)
