"""The documented X-Series API 2.0 contract this stand-in serves: list envelope, version paging, fields (pure).

Sources (read 2026-12-04):
- [X-SALES] "2026-07 Sales API" OpenAPI (x-series-api.lightspeedhq.com reference; stored copy in
  api-evangelist/lightspeed `openapi/lightspeed-sales-api-openapi.yml`).
- [X-DOCS] x-series-api.lightspeedhq.com Pagination / Rate limiting / Authorization (lightspeed.md Part 3).
- [X-MCP] genvjacobc/lightspeed-x-mcp and usefulapi "Lightspeed X-Series" MCP notes (third-party observations).
- [X-VEND2] karlminahan/vend-api-2.0-java-sdk `docs/` (a client generated from Vend's API 2.0 definition: `Sale`,
  `LineItem`, `Payment`, `Tax`, `TaxRate`, `Customer`, `Product`, `Version`, `SalesApi`).

Verified: list endpoints (`GET /api/2.0/sales`, `/customers`, `/products`, `/registers`, `/outlets`, `/taxes`) answer
`{"data": [...], "version": {"min": n, "max": m}}` with `min`/`max` null for an empty result ([X-SALES] `Version`);
`after` = only records with a version greater than this, `before` = up to this, `page_size` ([X-SALES] ListSales,
[X-VEND2] SalesApi); records come in version order, oldest change first; paging: pass the last `version.max` as
`after`, stop when `data` is empty ([X-DOCS] Pagination, [X-MCP]). A 2.0 sale ([X-SALES] return example, [X-VEND2]
`Sale`) carries `id`, `outlet_id`, `register_id`, `user_id`, `customer_id`, `invoice_number`, `receipt_number`,
`invoice_sequence`, `status` (CLOSED, SAVED, ONACCOUNT, ONACCOUNT_CLOSED, LAYBY, LAYBY_CLOSED), `state` (parked,
pending, voided, closed), `sale_date`, `created_at`, `updated_at`, `total_price` (excl. tax), `total_tax`, `note`,
`return_for` (the sale a return belongs to), `version`, `payments`, `taxes` and `line_items` with `id`, `product_id`,
`quantity` (negative on a return), `price` / `price_total` (excl. tax), `tax` / `tax_total`, `discount` /
`discount_total`, `tax_id`, `tax_components`, `is_return`, `sequence`, `status`. Payments ([X-VEND2] `Payment`):
`name`, `amount`, `payment_date`, `retailer_payment_type_id`, `payment_type_id`, `register_id`. Taxes ([X-VEND2]
`Tax`, `TaxRate`): `id`, `name`, `display_name`, `is_default`, `rates` [{`id`, `name`, `rate` (a fraction: 0.1 =
10 %), `display_name`}]. Customers ([X-VEND2]): `customer_code`, `first_name`, `last_name`, `email`,
`company_name`, `phone`, `mobile`, `physical_address_1/2`, `physical_postcode`, `physical_city`, `physical_state`,
`physical_country_id`. Products ([X-VEND2]): `name`, `handle`, `sku`, `variant_parent_id`, `active`, `description`.
A sale's `date` ignores `date_from`/`date_to` ([X-MCP]).
Unverified: the documented page-size maximum for 2.0 lists (200 per lightspeed.md; [X-MCP] saw up to 5,000): the
stand-in serves at most `MAX_PAGE_SIZE` = 200 and clamps larger values; the default page size (here 100); the status
spelling VOIDED ([X-VEND2] marks it "???"); product price fields `price_excluding_tax`, `price_including_tax`,
`tax_id` and `variant_name` (not in [X-VEND2] `Product`, where prices live in price books); the outlet's
`physical_*` fields; a walk-in customer's code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.core import ApiError, int_arg

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 100
RESOURCES = ("sales", "customers", "products", "registers", "outlets", "taxes")
SALE_STATUSES = ("SAVED", "CLOSED", "ONACCOUNT", "ONACCOUNT_CLOSED", "LAYBY", "LAYBY_CLOSED", "VOIDED")
SALE_FIELDS = frozenset({"id", "outlet_id", "register_id", "user_id", "customer_id", "invoice_number",
                         "invoice_sequence", "receipt_number", "receipt_sequence", "status", "state", "sale_date",
                         "created_at", "updated_at", "deleted_at", "total_price", "total_tax", "total_loyalty", "note",
                         "short_code", "return_for", "version", "line_items", "payments", "taxes", "source",
                         "source_id"})


def version_arg(text: str | None, name: str) -> int | None:
    return int_arg(text, None, f"{name} must be an integer version number")


def page_size(text: str | None) -> int:
    size = int_arg(text, DEFAULT_PAGE_SIZE, "page_size must be an integer")
    if size < 1:
        raise ApiError(400, "page_size must be positive")
    return min(size, MAX_PAGE_SIZE)


def number(value: Decimal) -> float | int:
    """Amounts travel as JSON numbers (`format: double` in [X-SALES]); at most five decimals, as the API sends."""
    quantized = value.quantize(Decimal("0.00001")).normalize()
    return int(quantized) if quantized == quantized.to_integral_value() else float(quantized)


def envelope(rows: list[dict[str, Any]]) -> dict[str, Any]:
    versions = [int(r["version"]) for r in rows]
    return {"data": rows, "version": {"min": min(versions) if versions else None,
                                      "max": max(versions) if versions else None}}


def check_sale(sale: dict[str, Any]) -> None:
    extra = set(sale) - SALE_FIELDS
    if extra:
        raise ValueError(f"sale {sale.get('id')}: undocumented fields {sorted(extra)}")
    if sale.get("status") not in SALE_STATUSES:
        raise ValueError(f"sale {sale.get('id')}: status {sale.get('status')!r} is not known")
