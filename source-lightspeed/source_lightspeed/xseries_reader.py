"""The order of I/O for X-Series: reference lists once per sync, then each feed page by page in version order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from airbyte_cdk.models import AirbyteMessage

from connector_common.errors import NotFound
from connector_common.records import to_record
from source_lightspeed import xseries
from source_lightspeed.mapping import text
from source_lightspeed.pos_config import XSeriesSettings
from source_lightspeed.readers import checked
from source_lightspeed.xseries_client import XSeriesClient

# (record or message or None at a page end, the version everything so far is read up to)
Versioned = tuple[Mapping[str, Any] | AirbyteMessage | None, int | None]


class XSeriesReader:
    def __init__(self, client: XSeriesClient, settings: XSeriesSettings, page_size: int) -> None:
        self.client = client
        self.settings = settings
        self.page_size = page_size
        self._ctx: xseries.XSeriesContext | None = None
        self._customers: dict[str, dict[str, Any] | None] = {}

    def context(self) -> xseries.XSeriesContext:
        """Taxes, outlets, registers and products, read once per sync (products: every page)."""
        if self._ctx is None:
            taxes = {str(t["id"]): xseries.tax_rate(t)
                     for t in self.client.all("taxes", self.page_size) if t.get("id") is not None}
            outlets = {str(o["id"]): xseries.outlet_address(o) for o in self.client.all("outlets", self.page_size)}
            registers = {str(r["id"]): str(r.get("name") or r["id"]) for r in self.client.all("registers",
                                                                                              self.page_size)}
            products = {str(p["id"]): p for p in self.client.all("products", self.page_size)}
            self._ctx = xseries.XSeriesContext(currency=self.settings.currency, tax_rates=taxes, products=products,
                                               outlets=outlets, registers=registers)
        return self._ctx

    def customer(self, customer_id: str | None) -> dict[str, Any] | None:
        if not customer_id:
            return None
        if customer_id not in self._customers:
            try:
                body = self.client.http.get(f"customers/{customer_id}").json(parse_float=Decimal)
                data = body.get("data") if isinstance(body, dict) else None
                self._customers[customer_id] = data if isinstance(data, dict) else None
            except NotFound:
                self._customers[customer_id] = None
        return self._customers[customer_id]

    def _wanted(self, sale: Mapping[str, Any]) -> bool:
        if sale.get("deleted_at") or sale.get("status") not in self.settings.statuses:
            return False
        return not self.settings.outlet_ids or str(sale.get("outlet_id")) in self.settings.outlet_ids

    def orders(self, after: int) -> Iterator[Versioned]:
        ctx = None
        for page in self.client.pages("sales", after, self.page_size):
            ctx = ctx or self.context()
            for raw in sorted(page.records, key=lambda r: int(r.get("version") or 0)):
                version = int(raw["version"]) if raw.get("version") is not None else None
                if not self._wanted(raw):
                    yield None, version
                    continue
                order = xseries.xseries_sale(raw, ctx, self.customer(text(raw.get("customer_id"))))
                items = list(checked(order))
                for item in items[:-1]:
                    yield item, None
                yield items[-1], version
            yield None, page.max_version

    def customers(self, after: int) -> Iterator[Versioned]:
        for page in self.client.pages("customers", after, self.page_size):
            for raw in sorted(page.records, key=lambda r: int(r.get("version") or 0)):
                if raw.get("deleted_at"):
                    yield None, int(raw["version"])
                    continue
                self._customers[str(raw.get("id"))] = raw
                yield to_record(xseries.xseries_customer(raw)), int(raw["version"])
            yield None, page.max_version

    def products(self, after: int) -> Iterator[Versioned]:
        taxes = self.context().tax_rates
        default = next(iter(sorted(taxes.values(), reverse=True)), Decimal(0))
        for page in self.client.pages("products", after, self.page_size):
            for raw in sorted(page.records, key=lambda r: int(r.get("version") or 0)):
                if raw.get("deleted_at"):
                    yield None, int(raw["version"])
                    continue
                yield to_record(xseries.xseries_product(raw, taxes, default)), int(raw["version"])
            yield None, page.max_version
