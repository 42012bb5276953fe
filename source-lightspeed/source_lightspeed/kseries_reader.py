"""The order of I/O for K-Series: which locations, which time windows, pages merged across locations by close time."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import Level

from connector_common import protocol
from connector_common.cursor import parse_timestamp
from connector_common.errors import ConfigError
from connector_common.records import to_record
from source_lightspeed import kseries
from source_lightspeed.kseries_client import KSeriesClient
from source_lightspeed.pos_config import KSeriesSettings
from source_lightspeed.readers import Item, checked

MAX_WINDOW = timedelta(days=365) - timedelta(seconds=1)  # documented: from..to may not exceed 365 days


class KSeriesReader:
    """Sales of every configured business location, closed at or after `since`, ascending by `timeClosed` across
    locations (a k-way merge of the per-location pages), so one cursor covers all locations."""

    def __init__(self, client: KSeriesClient, settings: KSeriesSettings, page_size: int,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.client = client
        self.settings = settings
        self.page_size = page_size
        self._now = now
        self._locations: list[kseries.KSeriesLocation] | None = None

    def locations(self) -> list[kseries.KSeriesLocation]:
        """The configured locations (all of the token's when none are configured), read once per sync.

        Raises:
            ConfigError: when a configured location is not one the token may read.
        """
        if self._locations is None:
            found = {str(bl.get("blID")): kseries.KSeriesLocation(
                        location_id=str(bl.get("blID")), name=str(bl.get("blName") or bl.get("blID")),
                        country=str(bl["country"]).upper() if bl.get("country") else None,
                        currency=str(business.get("currencyCode") or "EUR").upper())
                     for business in self.client.businesses() for bl in business.get("businessLocations") or []
                     if isinstance(bl, dict) and bl.get("blID") is not None}
            wanted = self.settings.business_location_ids or tuple(sorted(found))
            missing = [w for w in wanted if w not in found]
            if missing:
                raise ConfigError(f"platform.business_location_ids: location {missing[0]} is not among the business "
                                  f"locations this token can read ({', '.join(sorted(found)) or 'none'})")
            self._locations = [found[w] for w in wanted]
        return self._locations

    def _location_sales(self, location: kseries.KSeriesLocation, since: datetime, until: datetime
                        ) -> Iterator[tuple[datetime, str, kseries.KSeriesLocation, dict[str, Any]]]:
        # windows share their boundary second (`to` is whole seconds, a sale closes at any millisecond): a sale
        # closed inside it is asked twice and yielded once
        start, seen = since, set()
        while True:
            end = min(start + MAX_WINDOW, until)
            for page in self.client.sales(location.location_id, start, end, self.page_size):
                for raw in sorted(page, key=lambda r: (parse_timestamp(str(r.get("timeClosed"))), kseries.sale_key(r))):
                    key = kseries.sale_key(raw)
                    if key not in seen:
                        seen.add(key)
                        yield parse_timestamp(str(raw.get("timeClosed"))), key, location, raw
            if end >= until:
                return
            start = end

    def sales(self, since: datetime) -> Iterator[tuple[kseries.KSeriesLocation, dict[str, Any]]]:
        until = self._now().astimezone(UTC).replace(microsecond=0)
        start = since.astimezone(UTC).replace(microsecond=0)
        if start > until:
            return
        streams = [self._location_sales(loc, start, until) for loc in self.locations()]
        for _, _, location, raw in heapq.merge(*streams, key=lambda t: (t[0], t[1])):
            yield location, raw

    def orders(self, since: datetime) -> Iterator[Item]:
        skipped: Counter[str] = Counter()
        for location, raw in self.sales(since):
            kind = str(raw.get("type") or "SALE")
            if kind in kseries.SKIPPED_TYPES:
                skipped[kind] += 1
                continue
            order = kseries.kseries_sale(raw, location=location, tip_sku=self.settings.tip_sku,
                                         service_sku=self.settings.service_charge_sku)
            paid = sum((p.amount for p in order.payments), Decimal(0))
            if not order.cancelled and paid != order.totals.grand_total:
                yield protocol.log(f"orders/{order.source_id} ({order.reference}): payments add up to {paid}, the bill "
                                   f"to {order.totals.grand_total}", Level.WARN)
            yield from checked(order)
        if skipped:
            yield protocol.log("orders: skipped K-Series accounts that are not sales: " +
                               ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items())), Level.INFO)

    def customers(self, since: datetime) -> Iterator[Item]:
        for location, raw in self.sales(since):
            for customer in kseries.kseries_customers(raw, location.country):
                yield to_record(customer)

    def products(self, since: datetime) -> Iterator[Item]:
        seen: set[str] = set()
        for _, raw in self.sales(since):
            for product in kseries.kseries_products(raw):
                if product.source_id not in seen:
                    seen.add(product.source_id)
                    yield to_record(product)

