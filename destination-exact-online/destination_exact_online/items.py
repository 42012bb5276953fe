"""PURE: Exact item bodies (`logistics/Items`) for order lines and `products` records, and a new item's VAT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connector_common.errors import RecordError
from connector_common.model import Product
from connector_common.vat import Scenario, VatTreatment
from destination_exact_online.settings import Settings

MAX_ITEM_DESCRIPTION = 60


def item_payload(code: str, description: str, *, vat_code: str | None = None, barcode: str | None = None,
                 for_update: bool = False) -> dict[str, Any]:
    """A `logistics/Items` body: a sales item (prices go on the document lines, not on the item)."""
    body: dict[str, Any] = {"Description": (description or code)[:MAX_ITEM_DESCRIPTION], "IsSalesItem": True}
    if not for_update:
        body["Code"] = code
    if vat_code:
        body["SalesVatCode"] = vat_code
    if barcode:
        body["Barcode"] = barcode
    return body


def product_item_payload(product: Product, vat_code: str | None, *, for_update: bool = False) -> dict[str, Any]:
    """The item for a `products` record (SKU as item code; variant title appended to the description)."""
    if not product.sku:
        raise RecordError("products", product.source_id, "sku", "product has no SKU to use as item code")
    title = f"{product.title} - {product.variant_title}" if product.variant_title else product.title
    return item_payload(product.sku.strip(), title, vat_code=vat_code, barcode=product.barcode, for_update=for_update)


def domestic_treatment(settings: Settings, rate: Decimal) -> VatTreatment:
    """The seller's own VAT at `rate` (the default sales VAT code of a new item)."""
    scenario = Scenario.DOMESTIC if rate > 0 else Scenario.DOMESTIC_ZERO
    return VatTreatment(scenario=scenario, rate=rate, country=settings.seller_country)
