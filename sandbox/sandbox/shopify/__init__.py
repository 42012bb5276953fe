"""Shopify Admin API stand-in (registry name "shopify"), executing Shopify's own 2026-10 Admin GraphQL schema.

Paths (the base URL plays ``https://{shop}.myshopify.com``; any ``YYYY-MM`` version is accepted):

- ``POST /admin/api/{v}/graphql.json`` ``{"query", "variables"}``: any document valid in the schema (`contract`);
  what the store holds is served (`resolvers`): orders, customers, products, productVariants, inventoryItems,
  locations (connections: first <= 250, after, query, sortKey ID|UPDATED_AT|CREATED_AT|PROCESSED_AT, reverse),
  ordersCount, by id, node(s), shop, currentAppInstallation, bulk operations; every other field is what an empty
  shop answers. Mutations: inventorySetQuantities, fulfillmentCreate, bulkOperationRunQuery, bulkOperationCancel.
- ``POST /admin/oauth/access_token``, ``GET /admin/oauth/access_scopes.json`` (`auth`).
- ``GET /admin/api/{v}/shop.json`` and ``orders.json`` (Link paging), with ``X-Shopify-Shop-Api-Call-Limit``.
- ``GET /_bulk/{n}.jsonl``: bulk results (no token, like Shopify's signed URLs);
  ``POST /_shopify/bulk_fault`` ``{"mode": "failed"|"no_url"|"stuck"|null, "error_code": "..."}``.

Switches (keywords of `Shopify`): credentials (``ACCESS_TOKEN`` never expires, ``CLIENT_ID``/``CLIENT_SECRET``,
``REFRESH_TOKEN``; `auth`), scopes per token (a root field without its scope: ACCESS_DENIED; without
read_all_orders only the last 60 days of orders), ``protected_customer_data`` "full" | "level1" (customer PII
fields null with an ACCESS_DENIED error each) | "none" (Customer objects null), the cost bucket (`limits`),
``bulk_polls_per_step`` (bulk jobs advance CREATED -> RUNNING -> COMPLETED one step per poll; before 2026-01 one
running job, later five), ``shop_exists``, ``plan``, an injectable ``clock``.

Seeds: ``Shopify(seed="demo", orders=50)`` renders `sandbox.seed.generate_shop` (`seed`); ``seed="dir:/path"`` loads
Shopify GraphQL node JSON from ``/path/{orders,customers,products}/*.json`` (one node or a list per file, exactly as
the API returns them; ``__typename`` optional). Admin hooks for tests: mark_paid, refund_order, cancel_order,
touch_order, add_orders (generated seeds) and sell(sku, quantity, location) (a concurrent sale).
"""

from sandbox.shopify.routes import Shopify

__all__ = ["Shopify"]
