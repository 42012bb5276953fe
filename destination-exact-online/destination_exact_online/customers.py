"""PURE: the debtor of an order or a `customers` record (CustomerFacts) -> Exact account and contact bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connector_common.model import Address, Customer, Order
from connector_common.vat import normalize_vat_number
from connector_common.wire import email_key


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
