"""Lightspeed eCom (C-Series) stand-in: key/secret Basic auth, `{language}/{resource}.json`, paging, filters, limits.

What it serves (all GET, below the server base URL, which plays the cluster host `https://api.webshopapp.com`):

    /{language}/orders.json                     {"orders": [...]}        filters below, page/limit
    /{language}/orders/count.json               {"count": N}             same filters
    /{language}/orders/{id}.json                {"order": {...}}
    /{language}/orders/{id}/products.json       {"orderProducts": [...]} the order lines, page/limit
    /{language}/orders/{id}/products/count.json {"count": N}
    /{language}/customers.json, /customers/count.json, /customers/{id}.json   (filter `email=`)
    /{language}/products.json,  /products/count.json,  /products/{id}.json
    /{language}/variants.json,  /variants/count.json,  /variants/{id}.json    (filter `product=`)
    /{language}/taxes.json,     /taxes/{id}.json
    /{language}/shop.json                       {"shop": {..., "currency": {"shortcode": "EUR"}}}
    /{language}/account/ratelimit.json          {"accountRatelimit": {"limit5Min": {...}, ...}}

Credentials: HTTP Basic, username `LightspeedEcom.API_KEY`, password `LightspeedEcom.API_SECRET` (override with the
`api_key` / `api_secret` constructor arguments). Anything else gives 401 in Lightspeed's error shape
`{"error": {"code": 401, "method": "GET", "request": "/nl/orders.json", "message": "..."}}`. An unknown language
gives 404 "Unknown or inactive language".

Lists: `page` (1-based) and `limit` (default 50, max 250; more is a 400 here). Filters (UTC, `YYYY-MM-DD HH:MM:SS`,
ISO-8601 also accepted, both ends inclusive): `created_at_min`, `created_at_max`, `updated_at_min`,
`updated_at_max`; `since_id` (id greater than); `customer=` on orders; `email=` on customers; `product=` on
variants. Count endpoints honour the same filters. The real default order is undocumented; this stand-in serves
newest first (id descending), so a connector must not rely on ascending order.

Rate limits: fixed windows per key, defaults 300 / 5 min, 3,000 / hour, 12,000 / day (`rate_limits=` takes
`((seconds, limit), ...)` so tests can use tiny windows) plus 20 requests per second (`per_second=`). Every
authenticated response carries `X-RateLimit-Limit: 300/3000/12000`, `X-RateLimit-Remaining: a/b/c` and
`X-RateLimit-Reset: s1/s2/s3` (seconds until each window resets). Over a limit: 429 in the error shape with
`Retry-After` in seconds. `exhaust_daily_limit()` uses the daily window up until `reset()`.

Data: `seed=None` is an empty shop; a generated seed renders the neutral shop of `sandbox.seed` (the channel "web"
orders, all customers, products and variants); `seed="dir:/path"` replays a folder of eCom payloads, each file in
the endpoint's own envelope, every file optional:

    orders.json     {"orders": [...]}           customers.json {"customers": [...]}
    products.json   {"products": [...]}         variants.json  {"variants": [...]}
    taxes.json      {"taxes": [...]}            orders/{id}/products.json {"orderProducts": [...]}

Amounts (`priceExcl`, `priceIncl`, `taxRate`, ...) go out as JSON numbers, as the real API sends them; `taxRate` is
a fraction (0.21). On order lines `basePrice*` is the unit price before discount, `discount*` the line's discount
and `price*` the line total after discount (`basePriceIncl * quantityOrdered - discountIncl`); the order's
`priceIncl` is the sum of the lines plus `shipmentPriceIncl` plus `paymentPriceIncl`. Timestamps carry the shop's
offset (Europe/Amsterdam), e.g. `2024-05-01T12:34:56+02:00`.

Mutation API for tests: `update_order(order_id, **fields)` and `touch_order(order_id, at=None)` set `updatedAt`
from the injected `clock` (or `at`); `add_order(order, lines)` adds a payload.
"""

from __future__ import annotations

from sandbox.lightspeed_ecom.contract import EcomError
from sandbox.lightspeed_ecom.routes import LightspeedEcom

__all__ = ['EcomError', 'LightspeedEcom']
