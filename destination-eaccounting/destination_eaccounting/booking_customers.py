"""The Booker's customers: an order's eAccounting customer matched by e-mail or customer number (bulk lookups,
remembered in a bounded LRU cache), updated, created once, or the default customer; the `customers` stream takes the
same path."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from cachetools import LRUCache

from connector_common.errors import ConfigError, RecordError, quoted
from connector_common.model import (
    Address,
    Customer,
    CustomerRef,
    FulfillmentStatus,
    Order,
    PaymentStatus,
    Totals,
    order_key,
)
from connector_common.wire import email_key
from destination_eaccounting.client import EaccountingClient
from destination_eaccounting.config import Settings
from destination_eaccounting.mapping import customer_changes, customer_payload, customer_view
from destination_eaccounting.plan import CustomerView, ReferenceData
from destination_eaccounting.writes import BookerPart, Created, refusals

CASH_TERMS_TYPE = 2


class Customers(BookerPart):
    """Customers for the Booker, remembered in a cache of at most `cache_size` (found or not)."""

    def __init__(self, client: EaccountingClient, settings: Settings, ref: ReferenceData, counts: Counter[str],
                 created: Created, *, cache_size: int) -> None:
        super().__init__(client, settings, ref, counts, created)
        # "email:x" / "number:y" -> customer or None
        self.cache: LRUCache[str, dict[str, Any] | None] = LRUCache(cache_size)

    def key(self, order: Order) -> str | None:
        ref = order.customer
        if self.settings.customer_matching == "customer_number":
            return f"number:{ref.source_id}" if ref and ref.source_id else None
        email = email_key(ref.email if ref else None)
        return f"email:{email}" if email else None

    def for_order(self, order: Order, *, preview: bool = False) -> CustomerView:
        """The order's customer: matched, updated, created or the default one. `preview`: as it is or would be,
        with no write and no count (for planning before anything is written)."""
        key = self.key(order)
        if key is None:
            return self._default(order, count=not preview)
        if key not in self.cache:
            self.lookup([key])
        terms_id = self._terms_for(order)
        number = key.split(":", 1)[1] if key.startswith("number:") else None
        if number is not None and len(number) > 16:
            raise RecordError("orders", order_key(order), "customer.source_id",
                              f"customer id {number!r} is longer than eAccounting's 16-character customer number")
        wanted = customer_payload(order, terms_id=terms_id, number=number,
                                  seller_country=self.ref.context.seller_country)
        existing = self.cache.get(key)
        if preview:
            if existing is None:
                return customer_view({**wanted, "Id": None}, "would create")
            changes = customer_changes(existing, wanted) if self.settings.update_existing_customers else {}
            return customer_view({**existing, **changes}, "matched")
        if existing is not None:
            return self._maybe_update(existing, wanted, key)
        if self.settings.dry_run:
            self.counts["would_create"] += 1
            return customer_view({**wanted, "Id": None}, "would create")
        created = self._create(wanted, key)
        self.cache[key] = created
        self.counts["created"] += 1
        return customer_view(created, "created")

    def _maybe_update(self, existing: dict[str, Any], wanted: dict[str, Any], key: str) -> CustomerView:
        changes = customer_changes(existing, wanted) if self.settings.update_existing_customers else {}
        if not changes:
            self.counts["matched"] += 1
            return customer_view(existing, "matched")
        if self.settings.dry_run:
            self.counts["would_update"] += 1
            return customer_view({**existing, **changes}, "would update")
        updated = self.client.update_customer(existing["Id"], {**existing, **changes}) or {**existing, **changes}
        self.cache[key] = updated
        self.counts["updated"] += 1
        return customer_view(updated, "updated")

    def _create(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            self.cache.pop(key, None)
            self.lookup([key])
            return self.cache.get(key)

        return self._created(lambda: self.client.create_customer(payload), find,
                             f"customer {quoted(str(payload.get('Name') or ''))} ({key})")

    def _default(self, order: Order, *, count: bool = True) -> CustomerView:
        if self.ref.default_customer is None:
            raise RecordError("orders", order_key(order), "customer.email",
                              "the order has no customer e-mail (or matching is off) and no default_customer_number "
                              "is configured")
        self.counts["defaulted"] += count
        return customer_view(self.ref.default_customer, "default")

    def _terms_for(self, order: Order) -> str:
        wanted = self.settings.default_terms_of_payment
        gateways = [p.gateway.strip().lower() for p in order.payments]
        for method, terms in self.settings.terms_by_payment_method:
            if method in gateways:
                wanted = terms
                break
        return resolve_terms(self.ref.terms, wanted)

    def lookup(self, keys: list[str]) -> None:
        by_field = {"email": "EmailAddress", "number": "CustomerNumber"}
        for prefix, field_name in by_field.items():
            values = [k.split(":", 1)[1] for k in keys if k.startswith(prefix + ":")]
            if not values:
                continue
            for k in values:
                self.cache.setdefault(f"{prefix}:{k}", None)
            found = self.client.find_customers(field_name, values)
            for customer in sorted(found, key=lambda c: (not c.get("IsActive", True), str(c.get("CustomerNumber")))):
                raw = customer.get(field_name)
                value = email_key(raw) if prefix == "email" else raw
                key = f"{prefix}:{value}"
                if key in self.cache and self.cache[key] is None:
                    self.cache[key] = customer

    def write(self, customer: Customer) -> str:
        ref = CustomerRef(source_id=customer.source_id, email=customer.email, first_name=customer.first_name,
                          last_name=customer.last_name, company_name=customer.company_name, phone=customer.phone,
                          vat_number=customer.vat_number, is_company=customer.is_company)
        shell = _order_shell(ref, customer.address, self.ref.context.company_currency, customer)
        key = self.key(shell)
        if key is None:
            return "skipped_no_key"
        before = Counter(self.counts)
        with refusals("customers", customer.source_id, "customer", "customer"):
            view = self.for_order(shell)
        changed = self.counts - before
        return next(iter(changed), view.origin)


def resolve_terms(terms: list[dict[str, Any]], wanted: str | None) -> str:
    """Terms-of-payment id by id or name (case-insensitive); default the first cash terms, else the first for sales.

    Raises:
        ConfigError: when a configured terms of payment does not exist.
    """
    sales = [t for t in terms if t.get("AvailableForSales", True)]
    if wanted:
        for t in terms:
            if wanted.strip().lower() in (str(t.get("Id")).lower(), str(t.get("Name") or "").strip().lower()):
                return str(t["Id"])
        raise ConfigError(f"terms of payment {wanted!r} does not exist in eAccounting")
    for t in sales:
        if t.get("TermsOfPaymentTypeId") == CASH_TERMS_TYPE:
            return str(t["Id"])
    if not sales:
        raise ConfigError("eAccounting has no terms of payment available for sales")
    return str(sales[0]["Id"])


def _order_shell(ref: CustomerRef, address: Address | None, currency: str, customer: Customer) -> Order:
    """A minimal order carrying a `customers` record, so customers reuse the order path's matching and payload."""
    return Order(source=customer.source, source_id=customer.source_id, reference=customer.source_id,
                 created_at=customer.created_at, updated_at=customer.updated_at, currency=currency,
                 prices_include_tax=True, payment_status=PaymentStatus.UNKNOWN,
                 fulfillment_status=FulfillmentStatus.UNKNOWN, lines=(),
                 totals=Totals(subtotal_incl=Decimal(0), shipping_incl=Decimal(0), discount_incl=Decimal(0),
                               tax_total=Decimal(0), tax_lines=(), grand_total=Decimal(0)),
                 customer=ref, billing_address=address)
