"""The orders, customers and products streams: GraphQL pages (or a bulk job) -> canonical records, ascending."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import AirbyteMessage, Level

from connector_common import protocol
from connector_common.cursor import format_timestamp
from connector_common.errors import ApiError, AuthFailed, RecordError, TransientApiError
from connector_common.model import validate_order
from connector_common.records import to_record
from connector_common.streams import CanonicalStream
from source_shopify_orders import mapping, queries
from source_shopify_orders.bulk import BulkRunner
from source_shopify_orders.client import ShopifyClient
from source_shopify_orders.config import Settings

RAW_FIELD = "shopify"
REFUND_BATCH = 10
MORE_LINES_PAGE = 50


def search_since(since: datetime) -> str:
    """Shopify search syntax for an inclusive `updated_at` lower bound, in UTC."""
    return f"updated_at:>='{format_timestamp(since)}'"


def plain_json(value: Any) -> Any:
    """A GraphQL node with Decimals (rates parsed exactly) turned into JSON-ready strings, for the raw field."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    return value


def left_out_message(left_out: Mapping[str, list[str]], named: int = 20) -> str:
    """One line saying which orders the config left out, counted per reason and named (the first `named`)."""
    parts = []
    for reason, names in left_out.items():
        shown = ", ".join(names[:named]) + (f" and {len(names) - named} more" if len(names) > named else "")
        parts.append(f"{len(names)} {reason}: {shown}")
    return f"orders: left out by the config, not emitted: {'; '.join(parts)}"


class ShopifyStream(CanonicalStream):
    """Base: holds the shared client (one cost bucket per app and shop); errors are mapped by CanonicalStream."""

    def __init__(self, *, client: ShopifyClient, settings: Settings) -> None:
        super().__init__(start_date=settings.start_date, lookback=settings.lookback)
        self.client = client
        self.settings = settings
        self.state_checkpoint_interval = settings.page_size

    def _query(self, text: str) -> str:
        return queries.in_presentment_currency(text) if self.settings.presentment_currency else text

    def _record(self, record: dict[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
        if self.settings.raw_passthrough:
            record[RAW_FIELD] = plain_json(raw)
        return record


class Orders(ShopifyStream):
    """Orders with lines, discounts, shipping, taxes, refunds and transactions from one query per page."""

    @property
    def name(self) -> str:
        return "orders"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        search = search_since(since)
        count = self._count(search)
        if count is not None:
            yield self.estimate(count)
        threshold = self.settings.bulk_threshold
        if threshold and count is not None and count >= threshold:
            yield protocol.log(f"orders: {count} orders to read since {format_timestamp(since)}; "
                               "using a bulk operation")
            nodes = self._bulk(search)
        else:
            nodes = self._paged(search)
        left_out: dict[str, list[str]] = {}
        for node in nodes:
            reason = self._left_out(node)
            if reason is None:
                yield from self._emit(node)
            else:
                left_out.setdefault(reason, []).append(str(node.get("name") or mapping.legacy_id(node.get("id"))))
        if left_out:
            yield protocol.log(left_out_message(left_out))

    def _count(self, search: str) -> int | None:
        try:
            data = self.client.graphql("OrdersCount", queries.ORDERS_COUNT_QUERY, {"q": search}).data
        except (AuthFailed, TransientApiError):
            raise
        except ApiError:
            return None  # an API version without ordersCount: read page by page, no estimate
        count = (data.get("ordersCount") or {}).get("count")
        return int(count) if count is not None else None

    def _paged(self, search: str) -> Iterator[dict[str, Any]]:
        query = self._query(queries.orders_query(self.settings.lines_per_order))
        for page in self.client.paginate("Orders", query, "orders", {"q": search}, self.settings.page_size):
            for node in page:
                self._complete_line_items(node)
                yield node

    def _complete_line_items(self, node: dict[str, Any]) -> None:
        connection = node.get("lineItems") or {}
        info = connection.get("pageInfo") or {}
        after = info.get("endCursor")
        query = self._query(queries.more_line_items_query(MORE_LINES_PAGE))
        while info.get("hasNextPage") and after:
            data = self.client.graphql("MoreLineItems", query, {"id": node["id"], "after": after}).data
            more = ((data.get("node") or {}).get("lineItems")) or {}
            connection.setdefault("nodes", []).extend(more.get("nodes") or [])
            info = more.get("pageInfo") or {}
            after = info.get("endCursor")

    def _bulk(self, search: str) -> Iterator[dict[str, Any]]:
        runner = BulkRunner(self.client, poll_seconds=self.settings.bulk_poll_seconds,
                            timeout_seconds=self.settings.bulk_timeout_seconds, sleep=self.client.sleep,
                            clock=self.client.clock)
        inner = self._query(queries.BULK_ORDERS_INNER % {"search": search.replace('"', '\\"')})
        job = runner.run(inner)
        batch: list[dict[str, Any]] = []
        for node in runner.nodes(job):
            batch.append(node)
            if len(batch) >= REFUND_BATCH:
                yield from self._with_refunds(batch)
                batch = []
        yield from self._with_refunds(batch)

    def _with_refunds(self, batch: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Bulk rows carry refund headers only; fetch refund lines for the refunded orders of a batch at once."""
        refunded = [n["id"] for n in batch if n.get("refunds")]
        if refunded:
            data = self.client.graphql("Refunds", self._query(queries.REFUNDS_QUERY), {"ids": refunded}).data
            details = {n["id"]: n.get("refunds") for n in data.get("nodes") or [] if n}
            for node in batch:
                if node["id"] in details:
                    node["refunds"] = details[node["id"]]
        yield from batch

    def _left_out(self, node: dict[str, Any]) -> str | None:
        """Which config option leaves this order out of the sync, if one does."""
        if node.get("test") and not self.settings.include_test_orders:
            return "test orders (include_test_orders is off)"
        if node.get("cancelledAt") and not self.settings.include_cancelled:
            return "cancelled orders (include_cancelled is off)"
        statuses = self.settings.payment_statuses
        if statuses and str(node.get("displayFinancialStatus")) not in statuses:
            return f"orders whose payment status is not one of payment_statuses ({', '.join(sorted(statuses))})"
        return None

    def _emit(self, node: dict[str, Any]) -> Iterator[Mapping[str, Any] | AirbyteMessage]:
        try:
            order = mapping.to_order(node, presentment=self.settings.presentment_currency)
        except (KeyError, ValueError, TypeError) as exc:
            raise RecordError("orders", mapping.legacy_id(node.get("id")), None,
                              f"cannot map Shopify order {node.get('name')}: {exc}") from None
        check = validate_order(order)
        if not check.ok:
            yield protocol.log(f"orders/{order.source_id} ({order.reference}): totals do not reconcile, difference "
                               f"{check.difference} {order.currency}: {'; '.join(check.problems)}", Level.WARN)
        yield self._record(to_record(order), node)


class Customers(ShopifyStream):
    @property
    def name(self) -> str:
        return "customers"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        pages = self.client.paginate("Customers", queries.CUSTOMERS_QUERY, "customers", {"q": search_since(since)},
                                     self.settings.page_size)
        for page in pages:
            for node in page:
                try:
                    customer = mapping.to_customer(node)
                except (KeyError, ValueError, TypeError) as exc:
                    raise RecordError("customers", mapping.legacy_id(node.get("id")), None, str(exc)) from None
                yield self._record(to_record(customer), node)


class Products(ShopifyStream):
    """One record per variant (the sellable SKU); prices converted with the configured default VAT rate."""

    @property
    def name(self) -> str:
        return "products"

    def fetch(self, since: datetime) -> Iterable[Mapping[str, Any] | AirbyteMessage]:
        shop = self.client.graphql("Shop", queries.SHOP_QUERY).data.get("shop") or {}
        taxes_included = bool(shop.get("taxesIncluded"))
        query = queries.products_query(variants_per_product=20)
        for page in self.client.paginate("Products", query, "products", {"q": search_since(since)},
                                         self.settings.page_size):
            for node in page:
                self._complete_variants(node)
                try:
                    products = mapping.to_products(node, taxes_included=taxes_included,
                                                   default_tax_rate=self.settings.default_tax_rate)
                except (KeyError, ValueError, TypeError) as exc:
                    raise RecordError("products", mapping.legacy_id(node.get("id")), None, str(exc)) from None
                for product in sorted(products, key=lambda p: int(p.source_id) if p.source_id.isdigit() else 0):
                    yield self._record(to_record(product), node)

    def _complete_variants(self, node: dict[str, Any]) -> None:
        connection = node.get("variants") or {}
        info = connection.get("pageInfo") or {}
        after = info.get("endCursor")
        while info.get("hasNextPage") and after:
            data = self.client.graphql("MoreVariants", queries.more_variants_query(100),
                                       {"id": node["id"], "after": after}).data
            more = ((data.get("node") or {}).get("variants")) or {}
            connection.setdefault("nodes", []).extend(more.get("nodes") or [])
            info = more.get("pageInfo") or {}
            after = info.get("endCursor")
