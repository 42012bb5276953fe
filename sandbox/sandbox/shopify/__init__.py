"""Shopify Admin API stand-in (registry name "shopify"), executing Shopify's own 2026-10 Admin GraphQL schema.

Paths (the base URL plays ``https://{shop}.myshopify.com``; any ``YYYY-MM`` version is accepted):

- ``POST /admin/api/{v}/graphql.json`` ``{"query", "variables"}``: any document valid in the schema (`contract`);
  what the store holds is served (`resolvers`): orders, customers, products, productVariants, inventoryItems,
  locations (connections: first <= 250, after, query, sortKey ID|UPDATED_AT|CREATED_AT|PROCESSED_AT, reverse),
  ordersCount (and the other counts), by id, node(s), shop, currentAppInstallation, bulk operations (`bulk`); every
  other field is what an empty shop answers. Mutations: inventorySetQuantities, fulfillmentCreate,
  bulkOperationRunQuery, bulkOperationCancel.
- ``POST /admin/oauth/access_token``, ``GET /admin/oauth/access_scopes.json`` (`auth`).
- ``GET /admin/api/{v}/...json``: the REST Admin endpoints (`rest`; their JSON: `rest_json`): shop, orders,
  customers, products, locations, inventory_levels, events, ``count.json``, order transactions/refunds/fulfillments,
  in Shopify's documented field set with Link paging and ``X-Shopify-Shop-Api-Call-Limit`` (leaky bucket 40, 2/s;
  over it 429).
- ``GET /_bulk/{n}.jsonl``: bulk results (no token, like Shopify's signed URLs);
  ``POST /_shopify/bulk_fault`` ``{"mode": "failed"|"no_url"|"stuck"|null, "error_code": "..."}``.

Switches (keywords of `Shopify`): credentials (``ACCESS_TOKEN`` never expires, ``CLIENT_ID``/``CLIENT_SECRET``,
``REFRESH_TOKEN``; `auth`), scopes per token (a root field without its scope: ACCESS_DENIED; without
read_all_orders only the last 60 days of orders), ``protected_customer_data`` "full" | "level1" (customer PII
fields null with an ACCESS_DENIED error each) | "none" (Customer objects null), the cost bucket (`limits`),
``bulk_polls_per_step`` (bulk jobs advance CREATED -> RUNNING -> COMPLETED one step per poll; before 2026-01 one
running job, later five), ``shop_exists``, ``plan``, ``shopify_orders`` (replay, below), an injectable ``clock``.

Replay: ``Shopify(shopify_orders=PATH)`` (``python -m sandbox serve --only shopify --shopify-orders PATH``) adds the
Shopify REST order JSON under PATH (`sandbox.shopify.replay`) to any seed; GraphQL serves them as Order nodes, REST
serves each payload back as loaded.

Airbyte's ``airbyte-source-shopify`` 4.3.0, unpatched (``make airbyte-shopify``, scripts/airbyte_shopify.py; figures in
BENCHMARKS.md), reads orders, customers, products, product_variants, transactions, order_refunds, fulfillments,
inventory_levels and locations completely, and also shop, customer_address, inventory_items, order_risks,
customer_journey_summary, metafield_products and tender_transactions. What it cannot read here, and why
(``--every-stream`` survey, 2026-12-04, with read_orders/all_orders/customers/products/inventory/locations granted):

- ``collection_products``, ``metafield_collections``: their BULK queries start at ``collections``; the store has no
  collections, so ``bulkOperationRunQuery`` answers userError INVALID "Bulk queries must contain exactly one top-level
  connection field (...)" naming the roots it has.
- ``order_agreements``: the store keeps no sales agreements, so ``Order.agreements`` is an empty connection, and
  Airbyte's own record builder then fails (UnboundLocalError on ``agreements_with_sales``); real Shopify orders
  always carry an agreement.
- 0 records but "complete": ``abandoned_checkouts``, ``collects``, ``custom_collections``, ``smart_collections``,
  ``metafield_shops`` are REST resources the stand-in does not serve (404, which Airbyte
  maps to "ignore" and skips); ``product_images`` reads ``Product.media`` and the store serves no media;
  ``deleted_products`` and the orders stream's deletions come from events, and nothing in the store is deleted; the
  other ``metafield_*`` streams find no metafields (only products have one).
- Streams whose scope is not granted (draft orders, price rules, discounts, pages, blogs, payouts, fulfillment
  orders, countries, markets, collections) are hidden by Airbyte's own scope check and not tried.

Seeds: ``Shopify(seed="demo", orders=50)`` renders `sandbox.seed.generate_shop` (`seed`); ``seed="dir:/path"`` loads
Shopify GraphQL node JSON from ``/path/{orders,customers,products}/*.json`` (one node or a list per file, exactly as
the API returns them; ``__typename`` optional). Admin hooks for tests: mark_paid, refund_order, cancel_order,
touch_order, add_orders (generated seeds) and sell(sku, quantity, location) (a concurrent sale).
"""

from sandbox.shopify.routes import Shopify

__all__ = ["Shopify"]
