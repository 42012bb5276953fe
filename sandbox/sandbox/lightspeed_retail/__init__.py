"""Lightspeed Retail (R-Series) stand-in: rotating OAuth2, API V3 Sale/Customer/Item, cursor paging, leaky bucket.

Endpoints (the server base URL plays both `https://cloud.lightspeedapp.com` and `https://api.lightspeedapp.com`):

    POST /auth/oauth/token                              grant_type=refresh_token | authorization_code (JSON or form)
    GET  /API/V3/Account.json                           {"@attributes": {"count": "1"}, "Account": {...}}
    GET  /API/V3/Account/{accountID}/Sale.json          {"@attributes": {"next": url, "previous": url}, "Sale": ...}
    GET  /API/V3/Account/{accountID}/Sale/{saleID}.json {"Sale": {...}}
    GET  /API/V3/Account/{accountID}/Customer.json, Customer/{id}.json, Item.json, Item/{id}.json
    GET  /API/V3/Account/{accountID}/TaxCategory.json, TaxCategory/{id}.json   (relation `TaxCategoryClasses`)
    GET  /API/V3/Account/{accountID}/Shop.json, Shop/{id}.json                 (`taxCategoryID`: the shop's sales tax)

Credentials (constructor keywords override them): client `LightspeedRetail.CLIENT_ID` / `CLIENT_SECRET`, initial
refresh token `REFRESH_TOKEN`, authorization code `AUTHORIZATION_CODE`, account `ACCOUNT_ID`. The token response is
`{"token_type": "Bearer", "expires_in": 3600, "access_token": ..., "refresh_token": ...}`. Refresh tokens ROTATE
(documented): a refresh invalidates the refresh token used and every access token issued with it; pass
`rotate_refresh_tokens=False` to keep one refresh token. Unused refresh tokens expire after 30 days. Token errors
are OAuth-style (`{"error": "invalid_grant", "error_description": ...}`); API errors use Lightspeed's shape
`{"httpCode": "401", "httpMessage": "Unauthorized", "message": "Access token could not be verified",
"errorClass": ...}` ("Access token has been revoked" after a rotation or `revoke_tokens()`).

Queries: `field=op,value` with op one of `=`, `>`, `>=`, `<`, `<=`, `!=`, `~` (like, `%` wildcard), `><` (between:
`><,from,to`), `IN` (`IN,[1,2,3]`, at most 100); a plain value means equality; one relation level works
(`SaleLines.itemID=5`); `or=` is refused with a 400. Timestamps are ISO-8601 (`2024-01-01T00:00:00-00:00`;
an unencoded `+` arrives as a space and is a 400, as a real server cannot read it either).
`archived=true|false|only`, `sort=field` / `sort=-field` (Sale: saleID, timeStamp, completeTime, updatetime),
`limit` (default and max 100; more is a 400),
`load_relations` (JSON array, e.g. `["SaleLines","SaleLines.Item","SalePayments","SalePayments.PaymentType",
"Customer","Customer.Contact"]`, or `all`), `count=1` (only `@attributes.count`, costs 10 drips). Paging is by
cursor: follow `@attributes.next` verbatim until it is `""`; `previous` goes back.

XML-born JSON: every value is a string (`"true"`, `"12.50"`), one child is an object and several are a list (also
for the top-level `Sale`), an empty list page has no `Sale` key, a loaded relation without children is absent.

Leaky bucket per account: size 90 drips, drip rate 1/s (`bucket_size`, `drip_rate`), drained by the injected
`clock`. Cost: 1 per GET, + 0.1 per to-one and 0.2 per to-many loaded relation, doubled on list calls; `count=1`
costs 10. Headers on every API response: `X-LS-API-Bucket-Level: used/size`, `X-LS-API-Drip-Rate`,
`X-LS-API-Request-Cost`, `X-LS-API-Burst-Level`, `X-LS-Acct-Id`, `X-LS-Oauth-Client-Id`. Over the bucket (or over
`burst_limit` requests in one clock second): 429 with `Retry-After` in seconds and `X-LS-API-RateLimit-Type`
`api-leaky-bucket` / `api-burst-limiter`. R-Series has no documented daily limit, so `exhaust_daily_limit()` is not
offered.

Data: `seed=None` is empty; a generated seed renders the neutral shop of `sandbox.seed`: the channel "pos" orders
(`channels=`; `kinds=("domestic",)` keeps only sales a store in the shop's country makes over the counter) become
Sales (anonymous ones with customerID "0"), every refund becomes its own completed return Sale
(saleID `RETURN_SALE_OFFSET + refund id`, negative `unitQuantity`, negative totals, `parentSaleLineID` pointing at
the sold line), every customer a Customer with Contact, every variant an Item (`taxClassID` 1 standard, 2 reduced,
3 zero). Tax: one TaxCategory per country of `sandbox.seed.VAT_RATES` (ids in that order, so the shop's NL is 1;
`isTaxInclusive` "true", `tax1Name` "BTW"/"VAT", `tax1Rate` the standard rate as a fraction, `tax2Rate` "0") with
TaxCategoryClasses for the reduced (class 2) and zero (class 3) rates; the standard class uses the category rate.
One Shop (shopID 1, `taxCategoryID` "1") as sales reference it. Items carry `taxClassID`, never a
`taxCategoryID` (as documented): an item's rate is its class's rate in the shop's category. Totals follow
`calcTotal = calcSubtotal - calcDiscount + calcTax1 + calcTax2` exactly (subtotal and discount excl. tax). A voided
(cancelled unpaid) sale has `voided` "true"; a pending one `completed` "false".
`seed="dir:/path"` replays vendor payloads, each file in its endpoint's envelope, every file optional:

    Sale.json      {"Sale": [...] | {...}}  with relations as loaded (SaleLines.SaleLine, SalePayments.SalePayment,
                                            Customer, SaleLines.SaleLine.Item, SalePayments.SalePayment.PaymentType)
    Customer.json  {"Customer": [...] | {...}}   (optionally with Contact)
    Item.json      {"Item": [...] | {...}}
    TaxCategory.json {"TaxCategory": [...] | {...}}  (optionally with TaxCategoryClasses.TaxCategoryClass)
    Shop.json      {"Shop": [...] | {...}}

Mutation API for tests: `update_sale(sale_id, **fields)`, `touch_sale(sale_id, at=None)` (timeStamp from the
injected clock); with a generated shop `refresh_order(order_id)` re-renders after a
`sandbox.seed` mutation on `vendor.shop`.
"""

from __future__ import annotations

from sandbox.lightspeed_retail.contract import RetailError
from sandbox.lightspeed_retail.routes import LightspeedRetail
from sandbox.lightspeed_retail.seed import RETURN_SALE_OFFSET

__all__ = ['RETURN_SALE_OFFSET', 'LightspeedRetail', 'RetailError']
