"""Shopify Admin API stand-in (registry name "shopify"): GraphQL with cost throttle, bulk operations, OAuth, REST bits.

Paths (the base URL plays ``https://{shop}.myshopify.com``; any ``YYYY-MM`` version is accepted):

- ``POST /admin/api/{v}/graphql.json``  body ``{"query", "variables"}``; roots: orders, customers, products,
  productVariants (connections: first <= 250, after, query, sortKey ID|UPDATED_AT|CREATED_AT|PROCESSED_AT,
  reverse), ordersCount(query:, limit:) -> Count { count precision } (same search as orders; limit default
  10000, null = none; EXACT or AT_LEAST; an object, so cost 1), order/customer/product/productVariant(id:),
  node(id:), nodes(ids:), shop,
  currentAppInstallation { accessScopes { handle } }, currentBulkOperation, bulkOperation(id:);
  mutations bulkOperationRunQuery(query:, groupObjects:) and bulkOperationCancel(id:).
- ``POST /admin/oauth/access_token``  (form or JSON) grant_type=client_credentials + client_id + client_secret ->
  ``{"access_token", "scope", "expires_in"}``; grant_type=refresh_token + refresh_token -> also a new
  ``refresh_token`` and ``refresh_token_expires_in``; the used refresh token is invalid afterwards (strict
  rotation; Shopify's 2026-08 changelog lets the old one live until the new one is used: ``refresh_grace=True``).
- ``GET /admin/oauth/access_scopes.json`` and the REST Admin endpoints of `sandbox.shopify.rest` (shop, orders,
  customers, products, locations, inventory_levels, events, ``count.json``, order transactions/refunds/fulfillments),
  every one with ``X-Shopify-Shop-Api-Call-Limit: n/40`` (leaky bucket 40, 2/s; over it 429 + ``Retry-After: 2.0``).
- ``GET /_bulk/{n}.jsonl``: bulk results (no token, like Shopify's signed URLs);
  ``POST /_shopify/bulk_fault`` ``{"mode": "failed"|"no_url"|"stuck"|null, "error_code": "..."}``.

Credentials (class constants, overridable by keyword): static token ``ACCESS_TOKEN`` (a custom-app ``shpat_``
token that never expires), ``CLIENT_ID``/``CLIENT_SECRET``, initial ``REFRESH_TOKEN``. Wrong or missing
``X-Shopify-Access-Token`` gives 401 ``{"errors": "[API] Invalid API key or access token (unrecognized login or
wrong password)"}``. Scopes per token (default read_orders, read_all_orders, read_customers, read_products); a
root field without its scope gives data null + an ACCESS_DENIED error; without read_customers an order's
``customer`` is denied; without read_all_orders only orders created in the last 60 days are visible.

Protected customer data (``protected_customer_data``): "full" (default, approved for all fields), "level1"
(Customer object allowed, but name/email/phone/address fields come back null with an ACCESS_DENIED error each,
"This app is not approved to use the email field."), "none" (every Customer object is null with "This app is
not approved to access the Customer object."; order email/phone/addresses null too). Data is still returned.

B2B: an order of a company customer has ``purchasingEntity`` = PurchasingCompany { company { id name externalId }
contact location { id name taxSettings { taxRegistrationId taxExempt taxExemptions } } }; the customer's VAT number
is ``location.taxSettings.taxRegistrationId`` and ``company.externalId`` is the merchant's own reference. Consumer
and guest orders have ``purchasingEntity: null`` (Shopify returns the Customer there; not modelled).

Throttle (calculated query cost): requested cost = scalars 0, objects 1, connections 2 + first x node cost;
bucket ``max_available`` (2000 default; 1000 standard, 20000 Plus) refilled at ``restore_rate``/s by the
injectable ``clock``; requested > available -> HTTP 200 ``errors[THROTTLED]`` with actualQueryCost null;
requested > ``max_query_cost`` (1000) -> ``MAX_COST_EXCEEDED``. After execution the difference between requested
and actual cost is refunded. ``dump()["cost_spent"]`` totals the actual cost charged.

Bulk operations advance CREATED -> RUNNING -> COMPLETED by one step per status poll (``bulk_polls_per_step``);
the JSONL has one object per line and nested connection nodes as their own lines with ``__parentId``.
Versions before 2026-01 allow one running bulk query (else userError OPERATION_IN_PROGRESS), later five.

Replay: ``Shopify(shopify_orders=PATH)`` (``python -m sandbox serve --only shopify --shopify-orders PATH``) adds the
Shopify REST order JSON under PATH (`sandbox.shopify.replay`) to any seed; GraphQL serves them as Order nodes, REST
serves each payload back as loaded.

Airbyte's ``airbyte-source-shopify`` 4.3.0, unpatched (``make airbyte-shopify``, scripts/airbyte_shopify.py; figures in
BENCHMARKS.md), reads orders, customers, products, product_variants, transactions, order_refunds, fulfillments,
inventory_levels and locations completely, and also shop, customer_address, inventory_items, order_risks,
customer_journey_summary and metafield_products. What it cannot read here, and why (``--every-stream`` survey,
2026-12-04, with read_orders/all_orders/customers/products/inventory/locations granted):

- ``collection_products``, ``metafield_collections``: their BULK queries start at ``collections``; the store has no
  collections, so ``bulkOperationRunQuery`` answers userError INVALID "Bulk queries must contain exactly one top-level
  connection field (...)" naming the roots it has.
- ``order_agreements``: the store keeps no sales agreements, so ``Order.agreements`` is an empty connection, and
  Airbyte's own record builder then fails (UnboundLocalError on ``agreements_with_sales``); real Shopify orders
  always carry an agreement.
- 0 records but "complete": ``abandoned_checkouts``, ``collects``, ``custom_collections``, ``smart_collections``,
  ``tender_transactions``, ``metafield_shops`` are REST resources the stand-in does not serve (404, which Airbyte maps
  to "ignore" and skips); ``product_images`` reads ``Product.media`` and the store serves no media;
  ``deleted_products`` and the orders stream's deletions come from events, and nothing in the store is deleted; the
  other ``metafield_*`` streams find no metafields (only products have one).
- Streams whose scope is not granted (draft orders, price rules, discounts, pages, blogs, payouts, fulfillment
  orders, countries, markets, collections) are hidden by Airbyte's own scope check and not tried.

Seeds: ``Shopify(seed="demo", orders=50)`` renders `sandbox.seed.generate_shop`. ``seed="dir:/path"`` loads
Shopify GraphQL node JSON: ``/path/orders/*.json``, ``/path/customers/*.json``, ``/path/products/*.json``, each
file one node or a list of nodes exactly as the GraphQL API returns them (connections written as
``{"nodes": [...]}`` or ``{"edges": [{"node": ...}]}``; ``__typename`` optional). Mutations need a generated seed.
"""

from sandbox.shopify.routes import Shopify

__all__ = ["Shopify"]
