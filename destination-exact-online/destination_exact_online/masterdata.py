"""The booker's accounts and items in Exact: bulk lookups, run-long LRU caches, and upserts that create each once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from cachetools import LRUCache

from connector_common.caches import CodeCache
from connector_common.errors import ConfigError, RecordError
from connector_common.model import Order, Product
from destination_exact_online.client import BookingApi
from destination_exact_online.customers import (
    CustomerFacts,
    account_payload,
    contact_payload,
    customer_facts_from_order,
)
from destination_exact_online.items import domestic_treatment, item_payload, product_item_payload
from destination_exact_online.settings import Settings
from destination_exact_online.vat_codes import VatCodeTable

DRY_RUN_ID = "(new)"
CACHE_SIZE = 20_000  # accounts and items remembered across batches (least recently used dropped first)

# post, then find after an ambiguous failure, naming `what`: the booker's create-once (it counts recoveries)
CreateOnceFn = Callable[[Callable[[], str], Callable[[], str | None], str], str]


def _create_row(create_once: CreateOnceFn, client: BookingApi, entity: str, payload: dict[str, Any], *,
                find: Callable[[], dict[str, Any] | None], what: str) -> str:
    """Create an account or item once; `find` looks it up by e-mail / code after an ambiguous POST."""
    def found_id() -> str | None:
        row = find()
        return None if row is None else str(row["ID"])

    return create_once(lambda: str(client.create(entity, payload)["ID"]), found_id, what)


class Accounts:
    """Debtor accounts by e-mail (with their contact person), and the default debtor for anonymous orders.

    Outcomes are counted in `counts` (the summary's `customers`).
    """

    def __init__(self, client: BookingApi, settings: Settings, counts: Counter[str], create_once: CreateOnceFn) -> None:
        self.client = client
        self.settings = settings
        self.counts = counts
        self.create_once = create_once
        # e-mail -> (account ID, has customer status), or None: looked up and not there
        self._accounts: LRUCache[str, tuple[str, bool] | None] = LRUCache(CACHE_SIZE)
        self._updated_accounts: LRUCache[str, bool] = LRUCache(CACHE_SIZE)
        self._default_debtor: str | None = None

    def lookup(self, emails: Iterable[str]) -> None:
        """One query for every e-mail not looked up before."""
        todo = sorted(e for e in emails if e not in self._accounts)
        if todo:
            found = self.client.accounts_by_email(todo)
            for email in todo:
                row = found.get(email)
                self._accounts[email] = None if row is None else (
                    str(row["ID"]), str(row.get("Status") or "").strip() == "C")

    def debtor(self, order: Order) -> tuple[str, str]:
        """(account ID, label for the plan). Default debtor for anonymous orders or when matching is off."""
        email_matching = self.settings.customer_matching == "email"
        facts = customer_facts_from_order(order, self.settings.seller_country) if email_matching else None
        if facts is None:
            self.counts["defaulted"] += 1
            return self._default_debtor_id(order), f"default debtor {self.settings.default_debtor_code}"
        account_id, outcome = self.upsert(facts)
        return account_id, f"{outcome} debtor {facts.email}"

    def forget(self, order: Order) -> None:
        """Drop the cached account of this order's customer, and the default debtor (Exact says an ID is gone)."""
        facts = customer_facts_from_order(order, self.settings.seller_country)
        if facts:
            self._accounts.pop(facts.email, None)
        self._default_debtor = None

    def _default_debtor_id(self, order: Order) -> str:
        code = self.settings.default_debtor_code
        if not code:
            raise RecordError("orders", f"{order.source_id} ({order.reference})", "customer.email",
                              "the order has no customer e-mail (or matching is off) and no default_debtor_code is "
                              "configured")
        if self._default_debtor is None:
            row = self.client.account_by_code(code)
            if row is None:
                raise ConfigError(f"default_debtor_code {code!r} is not an account in this Exact division")
            self._default_debtor = str(row["ID"])
        return self._default_debtor

    def upsert(self, facts: CustomerFacts) -> tuple[str, str]:
        """(account ID, outcome): matched, updated (update_customers), created (with its contact) or new (dry run);
        a matched account without customer status is given it."""
        self.lookup({facts.email})
        cached = self._accounts.get(facts.email)
        existing = cached[0] if cached else None
        if existing and cached and not cached[1] and not self.settings.dry_run:
            self.client.update("Account", existing, {"Status": "C"})
            self._accounts[facts.email] = (existing, True)
            self.counts["made_customer"] += 1
        if existing:
            if self.settings.update_customers and existing not in self._updated_accounts and not self.settings.dry_run:
                self.client.update("Account", existing, account_payload(facts, for_update=True))
                self._updated_accounts[existing] = True
                self.counts["updated"] += 1
                return existing, "updated"
            self.counts["matched"] += 1
            return existing, "matched"
        if self.settings.dry_run:
            self.counts["would_create"] += 1
            self._accounts[facts.email] = (DRY_RUN_ID, True)
            return DRY_RUN_ID, "new"
        account_id = _create_row(self.create_once, self.client, "Account", account_payload(facts),
                                 find=lambda: self.client.accounts_by_email([facts.email]).get(facts.email),
                                 what=f"account {facts.email}")
        self._accounts[facts.email] = (account_id, True)
        contact = contact_payload(facts, account_id)
        if contact:
            self.create_once(lambda: str(self.client.create("Contact", contact)["ID"]),
                             lambda: self.client.contact_id(account_id, facts.email), f"contact {facts.email}")
        self.counts["created"] += 1
        return account_id, "created"


class Items:
    """Items by code: those order lines need (created when `create_items`) and those `products` records upsert.

    Exact compares item codes case-insensitively (SQL Server collation), so do the caches. Outcomes are counted in
    `counts` (the summary's `items`).
    """

    def __init__(self, client: BookingApi, settings: Settings, vat: VatCodeTable, counts: Counter[str],
                 create_once: CreateOnceFn) -> None:
        self.client = client
        self.settings = settings
        self.vat = vat
        self.counts = counts
        self.create_once = create_once
        # item code -> item ID, or None: not there
        self._items: CodeCache[str | None] = CodeCache(CACHE_SIZE)
        self._updated_items: LRUCache[str, bool] = LRUCache(CACHE_SIZE)
        self._matched_items: CodeCache[bool] = CodeCache(CACHE_SIZE)

    def lookup(self, codes: Iterable[str]) -> None:
        """One query for every item code not looked up before."""
        todo = sorted(c for c in codes if c not in self._items)
        if todo:
            found = self.client.items_by_code(todo)
            for code in todo:
                row = found.get(code)
                self._items[code] = None if row is None else str(row["ID"])

    def forget(self, codes: Iterable[str]) -> None:
        """Drop cached item IDs (Exact says an ID is gone)."""
        for code in codes:
            self._items.pop(code, None)

    def item_id(self, code: str, description: str, rate: Decimal, key: str) -> str:
        """The ID of an order line's item, created (at the seller's VAT for `rate`) when missing.

        Raises:
            RecordError: the item does not exist and create_items is off.
        """
        self.lookup({code})
        found = self._items.get(code)
        if found:
            if code not in self._matched_items:
                self._matched_items[code] = True
                self.counts["matched"] += 1
            return found
        if not self.settings.create_items:
            raise RecordError("orders", key, "lines.sku", f"item {code!r} does not exist in Exact and create_items "
                              "is off")
        if self.settings.dry_run:
            self.counts["would_create"] += 1
            self._items[code] = DRY_RUN_ID
            return DRY_RUN_ID
        vat_code = self.vat.code_for(domestic_treatment(self.settings, rate))
        item_id = _create_row(self.create_once, self.client, "Item", item_payload(code, description, vat_code=vat_code),
                              find=lambda: self.client.items_by_code([code]).get(code), what=f"item {code}")
        self._items[code] = item_id
        self.counts["created"] += 1
        return item_id

    def upsert_product(self, product: Product) -> str:
        """The outcome of a `products` record: item_exists, item_updated, item_created, item_skipped or dry_run."""
        vat_code = self.vat.code_for(domestic_treatment(self.settings, product.tax_rate))
        payload = product_item_payload(product, vat_code)
        code = str(payload["Code"])
        self.lookup({code})
        existing = self._items.get(code)
        if existing:
            if self.settings.update_items and existing not in self._updated_items and not self.settings.dry_run:
                self.client.update("Item", existing, product_item_payload(product, vat_code, for_update=True))
                self._updated_items[existing] = True
                self.counts["updated"] += 1
                return "item_updated"
            self.counts["matched"] += 1
            return "item_exists"
        if not self.settings.create_items:
            return "item_skipped"
        if self.settings.dry_run:
            self.counts["would_create"] += 1
            return "dry_run"
        self._items[code] = _create_row(self.create_once, self.client, "Item", payload,
                                        find=lambda: self.client.items_by_code([code]).get(code), what=f"item {code}")
        self.counts["created"] += 1
        return "item_created"
