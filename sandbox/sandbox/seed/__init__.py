"""Deterministic, vendor-neutral generated webshop that the Shopify and Lightspeed stand-ins render.

Public API (kept stable; other stand-ins import it from here):

- `generate_shop(seed, orders) -> Shop`: same seed + count gives identical data; `seed=None` gives an empty shop.
  A seed of the form ``"dir:/path"`` is NOT handled here: each source stand-in loads its own vendor-format
  JSON from that folder (see `dir_seed_path`) and documents the layout in its own module docstring.
- The value types the stand-ins name (`model` has them all: frozen dataclasses, money as `Decimal` quantized to
  cents, datetimes aware UTC) and the mutable container `Shop`; the shop's facts and money helpers they render.
- For incremental-sync tests: `add_orders` (more generated orders) and the mutations `touch`, `mark_paid`,
  `cancel`, `refund`, `fulfil`, `touch_customer`.

By concern: `shop` (settings, VAT rates), `customers`, `catalogue`, `orders`, `refunds`, `pricing` (the money
rules: every amount computed once, in cents), `model` (the records), `seeds` (named, ``dir:`` and more), `mutations`.

VAT treatment (`Order.kind`): "domestic" (NL, 21/9/0 by product class), "oss" (B2C to DE/BE/FR/SE: destination
rate, e.g. DE 19/7, BE 21/6, FR 20/5.5, SE 25/12), "icp" (B2B to another EU country with a VAT number: 0 %,
reverse charge, prices are the net NL price) and "export" (GB/US: 0 %, net price). Shipping is taxed at the
destination's standard rate (21 for NL), 0 for icp/export.
"""

from sandbox.seed.customers import FIRST_NAMES, LAST_NAMES
from sandbox.seed.model import Address, Customer, Order, OrderLine, Payment, Product, Refund, ShippingLine, Variant
from sandbox.seed.mutations import cancel, fulfil, mark_paid, refund, touch, touch_customer
from sandbox.seed.pricing import ZERO, cents, net_of
from sandbox.seed.seeds import add_orders, dir_seed_path, generate_shop
from sandbox.seed.shop import CUSTOMER_START, ORDER_START, SHOP_COUNTRY, VAT_RATES, Shop

__all__ = [
    "CUSTOMER_START", "FIRST_NAMES", "LAST_NAMES", "ORDER_START", "SHOP_COUNTRY", "VAT_RATES", "ZERO",
    "Address", "Customer", "Order", "OrderLine", "Payment", "Product", "Refund", "ShippingLine", "Shop", "Variant",
    "add_orders", "cancel", "cents", "dir_seed_path", "fulfil", "generate_shop", "mark_paid", "net_of", "refund",
    "touch", "touch_customer",
]
