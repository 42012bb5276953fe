"""Deterministic, vendor-neutral generated webshop that the Shopify and Lightspeed stand-ins render.

Public API (kept stable; other stand-ins import it from here):

- `generate_shop(seed, orders) -> Shop`: same seed + count gives identical data; `seed=None` gives an empty shop.
  A seed of the form ``"dir:/path"`` is NOT handled here: each source stand-in loads its own vendor-format
  JSON from that folder (see `dir_seed_path`) and documents the layout in its own module docstring.
- Value types (frozen dataclasses, money as `Decimal` quantized to cents, datetimes aware UTC):
  `Address`, `Customer`, `Variant`, `Product`, `OrderLine`, `ShippingLine`, `DiscountCode`, `Payment`,
  `RefundLine`, `Refund`, `TaxTotal`, `Order`; the mutable container `Shop`.
- Mutations for incremental-sync tests (each replaces the frozen order, bumps its `updated_at` to `at` and
  `shop.version`): `touch`, `mark_paid`, `cancel`, `refund`, `fulfil`, `add_orders`, `touch_customer`.

By concern: `shop` (the shop, its settings and VAT rates), `customers`, `catalogue` (products, variants, SKUs,
VAT classes), `orders` (lines, discounts, shipping, payments), `refunds`, `pricing` (the money rules: every
amount computed once, in cents), `model` (the records), `seeds` (named and ``dir:`` seeds), `mutations`.

VAT treatment (`Order.kind`): "domestic" (NL, 21/9/0 by product class), "oss" (B2C to DE/BE/FR/SE: destination
rate, e.g. DE 19/7, BE 21/6, FR 20/5.5, SE 25/12), "icp" (B2B to another EU country with a VAT number: 0 %,
reverse charge, prices are the net NL price) and "export" (GB/US: 0 %, net price). Shipping is taxed at the
destination's standard rate (21 for NL), 0 for icp/export.
"""

from sandbox.seed.catalogue import PRODUCT_CATALOG, PRODUCTS_PER_SHOP, active_variants
from sandbox.seed.customers import (
    CITIES,
    COMPANY_STEMS,
    COMPANY_SUFFIX,
    FIRST_NAMES,
    LAST_NAMES,
    PHONE_PREFIX,
    STREETS,
    US_STATES,
)
from sandbox.seed.model import (
    Address,
    Customer,
    DiscountCode,
    Order,
    OrderLine,
    Payment,
    Product,
    Refund,
    RefundLine,
    ShippingLine,
    TaxTotal,
    Variant,
)
from sandbox.seed.mutations import add_orders, cancel, fulfil, mark_paid, refund, touch, touch_customer
from sandbox.seed.orders import DISCOUNTS, FREE_SHIPPING_FROM, SHIPPING_INCL, build_order
from sandbox.seed.pricing import (
    CENT,
    HUNDRED,
    ZERO,
    allocate,
    cents,
    gross_of,
    net_of,
    order_totals,
    price_line,
    price_shipping,
)
from sandbox.seed.seeds import dir_seed_path, generate_shop
from sandbox.seed.shop import (
    CURRENCY,
    CUSTOMER_START,
    EU_COUNTRIES,
    ORDER_START,
    SHOP_COUNTRY,
    TAGS,
    VAT_RATES,
    Shop,
)

__all__ = [
    "CENT", "CITIES", "COMPANY_STEMS", "COMPANY_SUFFIX", "CURRENCY", "CUSTOMER_START", "DISCOUNTS", "EU_COUNTRIES",
    "FIRST_NAMES", "FREE_SHIPPING_FROM", "HUNDRED", "LAST_NAMES", "ORDER_START", "PHONE_PREFIX", "PRODUCTS_PER_SHOP",
    "PRODUCT_CATALOG", "SHIPPING_INCL", "SHOP_COUNTRY", "STREETS", "TAGS", "US_STATES", "VAT_RATES", "ZERO",
    "Address", "Customer", "DiscountCode", "Order", "OrderLine", "Payment", "Product", "Refund", "RefundLine",
    "ShippingLine", "Shop", "TaxTotal", "Variant",
    "active_variants", "add_orders", "allocate", "build_order", "cancel", "cents", "dir_seed_path", "fulfil",
    "generate_shop", "gross_of", "mark_paid", "net_of", "order_totals", "price_line", "price_shipping", "refund",
    "touch", "touch_customer",
]
