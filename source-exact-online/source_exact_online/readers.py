"""The order of reads per stream: sync pages by Timestamp, the look-ups each page needs, skipped-record reports.

State per stream is `{"<sync endpoint>": <last Timestamp read>, ...}`: Exact's Timestamp is a row version, unique
and ascending, so `Timestamp gt <last>` resumes exactly where the previous read stopped (no boundary duplicates).
A reader advances `state` row by row, before the row's record is yielded, so a checkpoint taken after any record
covers that record and everything before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airbyte_cdk.models import AirbyteMessage, Level

from connector_common import protocol
from connector_common.exact import FIRST_SYNC_TIMESTAMP
from connector_common.records import to_record
from source_exact_online.client import (
    ACCOUNT_SELECT,
    ACCOUNTS,
    CONTACT_SELECT,
    CONTACTS,
    DELETED,
    DELETED_SELECT,
    DELETED_TYPES,
    DELIVERY_SELECT,
    GOODS_DELIVERIES,
    ITEM_SELECT,
    ITEMS,
    PRICE_SELECT,
    SALES_ITEM_PRICES,
    STOCK_POSITIONS,
    STOCK_SELECT,
    SYNC_NAMES,
    ExactReader,
)
from source_exact_online.config import Settings
from source_exact_online.mapping import (
    default_price,
    parse_booking_reference,
    text,
    to_customer,
    to_product,
    to_shipment,
    to_stock_level,
)

State = MutableMapping[str, int]
Output = Iterator[dict[str, Any] | AirbyteMessage]
CUSTOMER_STATUS = "C"  # Exact account status 'C' = customer (A none, S suspect, P prospect)
MAX_LISTED = 10  # skipped keys named in a log line


def _crud_select(select: str) -> str:
    """The same fields on a CRUD endpoint (which has no Timestamp)."""
    return ",".join(f for f in select.split(",") if f != "Timestamp")


@dataclass
class Readers:
    """One division's reads. `now` is the clock (records' observation time, price validity)."""

    reader: ExactReader
    settings: Settings
    now: Callable[[], datetime]

    # -- helpers --------------------------------------------------------------------------------------------------
    def _start(self, state: State, endpoint: str, *, use_start_date: bool = True) -> int:
        """Where to resume: the saved Timestamp; else the start date's SyncTimestamp; else the first sync (gt 1)."""
        if endpoint in state:
            return int(state[endpoint])
        if use_start_date and self.settings.start_date is not None:
            value = self.reader.sync_timestamp(SYNC_NAMES[endpoint], self.settings.start_date)
        else:
            value = FIRST_SYNC_TIMESTAMP
        state[endpoint] = value
        return value

    def _deletions(self, stream: str, state: State) -> Output:
        """Count what Exact deleted since the last read of `stream` (sync/Deleted) and say so: the canonical model
        carries no deletions, so destinations never delete; the first read only moves the cursor."""
        first = DELETED not in state
        after = self._start(state, DELETED, use_start_date=False)
        wanted = DELETED_TYPES[stream]
        keys: list[str] = []
        for page in self.reader.sync_pages(DELETED, after, select=DELETED_SELECT):
            for row in page:
                state[DELETED] = int(row["Timestamp"])
                if int(row.get("EntityType") or 0) == wanted:
                    keys.append(str(row.get("EntityKey")))
        if keys and not first:
            listed = ", ".join(keys[:MAX_LISTED]) + (" …" if len(keys) > MAX_LISTED else "")
            yield protocol.log(f"{stream}: {len(keys)} record(s) were deleted in Exact since the last sync and are "
                               f"not propagated (destinations never delete): {listed}", Level.WARN)

    # -- stock_levels ---------------------------------------------------------------------------------------------
    def stock_levels(self, state: State) -> Output:
        """Every stock position (item x warehouse) changed since the last read; the first read takes all of them."""
        after = self._start(state, STOCK_POSITIONS, use_start_date=False)
        observed = self.now()
        skipped = 0
        for page in self.reader.sync_pages(STOCK_POSITIONS, after, select=STOCK_SELECT):
            for row in page:
                state[STOCK_POSITIONS] = int(row["Timestamp"])
                warehouse = text(row.get("WarehouseCode")) or ""
                if self.settings.warehouses and warehouse not in self.settings.warehouses:
                    skipped += 1
                    continue
                yield to_record(to_stock_level(row, figure=self.settings.stock_figure, observed_at=observed))
        if skipped:
            yield protocol.log(f"stock_levels: {skipped} stock position(s) in warehouses not configured were left "
                               f"out (warehouses: {', '.join(sorted(self.settings.warehouses))})")
        yield from self._deletions("stock_levels", state)

    # -- shipments ------------------------------------------------------------------------------------------------
    def shipments(self, state: State) -> Output:
        """Goods deliveries changed since the last read, for sales orders booked by destination-exact-online."""
        after = self._start(state, GOODS_DELIVERIES)
        methods: dict[str, dict[str, Any]] | None = None
        skipped: Counter[str] = Counter()
        examples: list[str] = []
        for page in self.reader.sync_pages(GOODS_DELIVERIES, after, select=DELIVERY_SELECT):
            lines = self.reader.delivery_lines(str(h["EntryID"]) for h in page)
            numbers = {int(ln["SalesOrderNumber"]) for group in lines.values() for ln in group
                       if ln.get("SalesOrderNumber") is not None}
            orders = self.reader.sales_orders(numbers) if numbers else {}
            for header in page:
                state[GOODS_DELIVERIES] = int(header["Timestamp"])
                group = lines.get(str(header["EntryID"]).lower(), [])
                order_numbers = sorted({int(ln["SalesOrderNumber"]) for ln in group
                                        if ln.get("SalesOrderNumber") is not None})
                order = orders.get(order_numbers[0]) if order_numbers else None
                ref = parse_booking_reference(order.get("YourRef")) if order else None
                if ref is None:
                    skipped["not booked by us"] += 1
                    if len(examples) < MAX_LISTED:
                        examples.append(f"delivery {header.get('DeliveryNumber')} (sales order "
                                        f"{order_numbers[0] if order_numbers else '?'})")
                    continue
                method = None
                if header.get("ShippingMethod"):
                    if methods is None:
                        methods = self.reader.shipping_methods()
                    method = methods.get(str(header["ShippingMethod"]).lower())
                yield to_record(to_shipment(header, group, ref, shipping_method=method))
        if skipped:
            yield protocol.log(f"shipments: {sum(skipped.values())} goods deliveries skipped: their sales order was "
                               f"not booked by destination-exact-online (no '<shop>:<order>' YourRef): "
                               f"{', '.join(examples)}", Level.WARN)

    # -- products -------------------------------------------------------------------------------------------------
    def products(self, state: State) -> Output:
        """Items changed since the last read, and items whose sales price changed, each with its default price."""
        prices_after = self._start(state, SALES_ITEM_PRICES)
        items_after = self._start(state, ITEMS)
        complete = prices_after <= FIRST_SYNC_TIMESTAMP  # a first full read holds every price of every item
        vat = self.reader.vat_codes()
        on = self.now()
        prices: dict[str, list[dict[str, Any]]] = {}
        prices_seen = prices_after
        for page in self.reader.sync_pages(SALES_ITEM_PRICES, prices_after, select=PRICE_SELECT):
            for row in page:
                prices_seen = max(prices_seen, int(row["Timestamp"]))
                prices.setdefault(str(row["Item"]).lower(), []).append(row)
        done: set[str] = set()

        def emit(items: list[dict[str, Any]], track: bool) -> Output:
            ids = [str(i["ID"]).lower() for i in items]
            known = prices if complete else self._prices_of(ids)
            for item in items:
                if track:
                    state[ITEMS] = int(item["Timestamp"])
                key = str(item["ID"]).lower()
                done.add(key)
                yield to_record(to_product(item, default_price(known.get(key, []), on=on), vat, on=on))

        for page in self.reader.sync_pages(ITEMS, items_after, select=ITEM_SELECT):
            yield from emit(page, True)
        price_only = [i for i in prices if i not in done]
        if price_only:
            rows = list(self.reader.by_ids("logistics/Items", "ID", price_only, select=_crud_select(ITEM_SELECT)))
            yield from emit(rows, False)
        state[SALES_ITEM_PRICES] = prices_seen
        yield from self._deletions("products", state)

    def _prices_of(self, item_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.reader.by_ids("logistics/SalesItemPrices", "Item", item_ids,
                                      select=_crud_select(PRICE_SELECT)):
            out.setdefault(str(row["Item"]).lower(), []).append(row)
        return out

    # -- customers ------------------------------------------------------------------------------------------------
    def customers(self, state: State) -> Output:
        """Customer accounts (status C) changed since the last read, and those whose main contact changed."""
        contacts_after = self._start(state, CONTACTS)
        accounts_after = self._start(state, ACCOUNTS)
        complete = contacts_after <= FIRST_SYNC_TIMESTAMP
        contacts: dict[str, dict[str, Any]] = {}
        touched: set[str] = set()
        contacts_seen = contacts_after
        for page in self.reader.sync_pages(CONTACTS, contacts_after, select=CONTACT_SELECT):
            for row in page:
                contacts_seen = max(contacts_seen, int(row["Timestamp"]))
                contacts[str(row["ID"]).lower()] = row
                if row.get("IsMainContact") and row.get("Account"):
                    touched.add(str(row["Account"]).lower())
        done: set[str] = set()
        skipped = 0

        def emit(accounts: list[dict[str, Any]], track: bool) -> Output:
            nonlocal skipped
            wanted = {str(a["MainContact"]).lower() for a in accounts if a.get("MainContact")}
            missing = [] if complete else [c for c in wanted if c not in contacts]
            if missing:
                for row in self.reader.by_ids("crm/Contacts", "ID", missing, select=_crud_select(CONTACT_SELECT)):
                    contacts[str(row["ID"]).lower()] = row
            for account in accounts:
                if track:
                    state[ACCOUNTS] = int(account["Timestamp"])
                done.add(str(account["ID"]).lower())
                if text(account.get("Status")) != CUSTOMER_STATUS:
                    skipped += 1
                    continue
                contact = contacts.get(str(account.get("MainContact") or "").lower())
                yield to_record(to_customer(account, contact))

        for page in self.reader.sync_pages(ACCOUNTS, accounts_after, select=ACCOUNT_SELECT):
            yield from emit(page, True)
        contact_only = [a for a in touched if a not in done]
        if contact_only:
            rows = list(self.reader.by_ids("crm/Accounts", "ID", contact_only, select=_crud_select(ACCOUNT_SELECT)))
            yield from emit(rows, False)
        state[CONTACTS] = contacts_seen
        if skipped:
            yield protocol.log(f"customers: {skipped} account(s) that are not customers (status other than C: "
                               "suppliers, prospects, suspects) were left out")
        yield from self._deletions("customers", state)
