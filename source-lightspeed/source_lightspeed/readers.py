"""The order of I/O per platform: which calls, in which windows, in which order; mapping stays in ecom.py and
retail.py (helpers shared by every platform in mapping.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from airbyte_cdk.models import AirbyteMessage, Level

from connector_common import protocol
from connector_common.cursor import parse_timestamp
from connector_common.errors import NotFound, RecordError
from connector_common.model import Address, Order, validate_order
from connector_common.records import to_record
from source_lightspeed import ecom, mapping, retail
from source_lightspeed.client import EcomClient, RetailClient
from source_lightspeed.config import EcomSettings, RetailSettings

Item = Mapping[str, Any] | AirbyteMessage
SECOND = timedelta(seconds=1)
MAX_WINDOW = timedelta(days=366)
WINDOW_FILL = 0.6  # aim each time window at 60 % of a page, so most windows take exactly one call


class Reader(Protocol):
    def orders(self, since: datetime) -> Iterator[Item]: ...

    def customers(self, since: datetime) -> Iterator[Item]: ...

    def products(self, since: datetime) -> Iterator[Item]: ...


def checked(order: Order) -> Iterator[Item]:
    """The order's record, preceded by a WARN log naming the order and the difference when its totals do not add up."""
    check = validate_order(order)
    if not check.ok:
        yield protocol.log(f"orders/{order.source_id} ({order.reference}): totals do not add up (difference "
                           f"{check.difference}): {'; '.join(check.problems)}", Level.WARN)
    yield to_record(order)


def _floor(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


class EcomReader:
    """eCom lists come newest first with no sort parameter, so they are read in `updated_at` time windows small
    enough to fit one page (a full page splits the window), each window sorted ascending before it is emitted.
    One page per window also means no offset paging over a moving list, so no record is skipped when others
    change during the sync."""

    def __init__(self, client: EcomClient, settings: EcomSettings, page_size: int,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.client = client
        self.settings = settings
        self.page_size = page_size
        self._now = now
        self._currency: str | None = None

    @property
    def currency(self) -> str:
        if self._currency is None:
            self._currency = self.client.shop_currency()
        return self._currency

    def windows(self, resource: str, stream: str, since: datetime) -> Iterator[list[dict[str, Any]] | AirbyteMessage]:
        """Lists of `resource` records updated in [since, now], window by window, each ascending by (updatedAt, id)."""
        start, until = _floor(since), _floor(self._now())
        if start > until:
            return
        total = self.client.count(resource, start, until)
        yield protocol.estimate(stream, total)
        if total == 0:
            return
        span = until - start + SECOND
        width = min(max(span * (self.page_size * WINDOW_FILL / total), SECOND), MAX_WINDOW)
        while start <= until:
            end = min(start + width - SECOND, until)
            page = self.client.list_window(resource, start, end, self.page_size)
            if len(page) >= self.page_size and end > start:
                width = max((end - start) // 2, SECOND)  # too dense: halve the window and ask again
                continue
            items = page
            number = 1
            while len(page) >= self.page_size:  # more than a page inside one second: page through that second
                number += 1
                page = self.client.list_window(resource, start, end, self.page_size, number)
                items = items + page
            unique = {str(item.get("id")): item for item in items}
            yield sorted(unique.values(), key=lambda r: (parse_timestamp(str(r.get("updatedAt"))), int(r["id"])))
            seconds = (end - start) / SECOND + 1
            start = end + SECOND
            fitted = timedelta(seconds=seconds * self.page_size * WINDOW_FILL / len(items)) if items else width * 4
            width = min(max(fitted, SECOND), MAX_WINDOW)

    def orders(self, since: datetime) -> Iterator[Item]:
        for window in self.windows("orders", "orders", since):
            if isinstance(window, AirbyteMessage):
                yield window
                continue
            for raw in window:
                if raw.get("status") not in self.settings.statuses:
                    continue
                lines = self.client.order_lines(raw["id"])
                yield from checked(ecom.ecom_order(raw, lines, currency=self.currency,
                                                      prices_include_tax=self.settings.prices_include_tax))

    def customers(self, since: datetime) -> Iterator[Item]:
        for window in self.windows("customers", "customers", since):
            if isinstance(window, AirbyteMessage):
                yield window
                continue
            for raw in window:
                yield to_record(ecom.ecom_customer(raw))

    def products(self, since: datetime) -> Iterator[Item]:
        taxes = self.client.get_key("taxes.json", "taxes", list, "the tax list")
        rates = {str(t.get("id")): mapping.percent(t.get("rate")) for t in taxes if isinstance(t, Mapping)}
        cache: dict[str, dict[str, Any] | None] = {}
        for window in self.windows("variants", "products", since):
            if isinstance(window, AirbyteMessage):
                yield window
                continue
            for variant in window:
                product_id = mapping.resource_id(variant.get("product"))
                if product_id is not None and product_id not in cache:
                    try:
                        cache[product_id] = self.client.product(product_id)
                    except NotFound:
                        cache[product_id] = None
                product = cache.get(product_id) if product_id is not None else None
                yield to_record(ecom.ecom_product(variant, product, rates))


class RetailReader:
    """R-Series lists sort by `timeStamp` and page with `@attributes.next`, so pages arrive ascending; relations
    (lines, payments, customer) come inside the same call through `load_relations`: one call per 100 sales."""

    def __init__(self, client: RetailClient, settings: RetailSettings, page_size: int, currency: str = "EUR") -> None:
        self.client = client
        self.settings = settings
        self.page_size = page_size
        self.currency = currency
        self._tax_rates: tuple[retail.RetailTaxRates | None] | None = None
        self._store: tuple[Address | None] | None = None

    def _wanted(self, sale: Mapping[str, Any]) -> bool:
        if sale.get("voided"):
            return "voided" in self.settings.statuses and bool(sale.get("completed"))
        return bool(sale.get("completed")) and "completed" in self.settings.statuses

    def store_address(self) -> Address | None:
        """The shop's own address (read once per sync): POS sales are supplied there."""
        if self._store is None:
            try:
                self._store = (retail.retail_store_address(self.client.shops()),)
            except NotFound:
                self._store = (None,)
        return self._store[0]

    def orders(self, since: datetime) -> Iterator[Item]:
        store = self.store_address()
        if store is None:
            yield protocol.log("orders: the shop has no address (Shop.json Contact); POS sales carry no place of "
                               "supply and destinations fall back to the customer's address", Level.WARN)
        for page in self.client.sales(since, self.page_size):
            for raw in sorted(page, key=_retail_order_key):
                if self._wanted(raw):
                    yield from checked(retail.retail_sale(raw, currency=self.currency, store_address=store))

    def customers(self, since: datetime) -> Iterator[Item]:
        for page in self.client.customers(since, self.page_size):
            for raw in sorted(page, key=lambda r: (parse_timestamp(str(r.get("timeStamp"))), int(r["customerID"]))):
                yield to_record(retail.retail_customer(raw))

    def products(self, since: datetime) -> Iterator[Item]:
        rates = self.tax_rates()
        if rates is None:
            yield protocol.log(f"products: no tax category readable (TaxCategory.json / Shop.json); taxable items get "
                               f"the configured default rate {self.settings.default_tax_rate}%", Level.WARN)
        for page in self.client.items(since, self.page_size):
            for raw in sorted(page, key=lambda r: (parse_timestamp(str(r.get("timeStamp"))), int(r["itemID"]))):
                rate = rates.rate_for(raw.get("taxClassID")) if rates else self.settings.default_tax_rate
                yield to_record(retail.retail_product(raw, tax_rate=rate,
                                                       prices_include_tax=rates.inclusive if rates else True))

    def tax_rates(self) -> retail.RetailTaxRates | None:
        """The shop's TaxCategory as rates per TaxClass, read once per sync (two calls) and cached; None when the
        account has none readable. Items carry only a `taxClassID`: their rate is that class's rate in the category
        of the shop (`Shop.taxCategoryID`, first shop), or the category's own rate for classes it does not list."""
        if self._tax_rates is None:
            self._tax_rates = (self._load_tax_rates(),)
        return self._tax_rates[0]

    def _load_tax_rates(self) -> retail.RetailTaxRates | None:
        try:
            categories = {str(c.get("taxCategoryID")): c for c in self.client.tax_categories()}
        except NotFound:
            return None
        if not categories:
            return None
        try:
            shops = [s for s in self.client.shops() if not s.get("archived")]
        except NotFound:
            shops = []
        wanted = next((str(s["taxCategoryID"]) for s in shops if str(s.get("taxCategoryID")) in categories),
                      min(categories, key=lambda cid: int(cid) if cid.isdigit() else 0))
        try:
            return retail.retail_tax_rates(categories[wanted])
        except ValueError as exc:
            raise RecordError("products", None, f"TaxCategory/{wanted}", str(exc)) from None


def _retail_order_key(raw: Mapping[str, Any]) -> tuple[datetime, int]:
    return parse_timestamp(str(raw.get("timeStamp"))), int(raw["saleID"])

