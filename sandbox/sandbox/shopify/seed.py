"""The generated shop (sandbox.seed) as Shopify GraphQL Admin node dicts, and ``dir:`` seeds of Shopify nodes.

Formatting only, no money maths. Fields a node does not carry resolve to the schema's empty value (resolvers.py).

Conventions (GraphQL Admin API): ids are GIDs (``gid://shopify/Order/12``) with `legacyResourceId` as a string,
timestamps are UTC ISO 8601 with ``Z``, enums are upper case (``PAID``), money is a `MoneyBag`
(``{"shopMoney": {"amount", "currencyCode"}, "presentmentMoney": {...}}``) whose amount is a decimal STRING
printed as the GraphQL Decimal scalar prints it: trailing zeros dropped but at least one decimal ("12.1", "25.0",
"19.99"). Clients must parse it as a decimal, never assume two places. Zero-rated lines (ICP, export) carry no
`taxLines`; `taxable` is the variant's own "charge tax" setting, so only products without tax are `taxable: false`.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.seed import Address, Customer, Order, OrderLine, Product, ShippingLine, Shop, cents
from sandbox.shopify.store import QUANTITY_NAMES, Connection, FulfillmentOrder, Lazy, gid_number, resolve

if TYPE_CHECKING:
    from sandbox.shopify.store import Store

FULFILLMENT_STATUS = {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED", "unfulfilled": "UNFULFILLED"}
LOCATIONS = (("Shop location", "Kerkstraat 1", "Amsterdam", "1012"), ("Warehouse Utrecht", "Stationsweg 9", "Utrecht",
                                                                      "3511"))
TAX_TITLES = {"NL": "BTW", "BE": "BTW", "DE": "MwSt", "FR": "TVA", "SE": "Moms"}
COUNTRY_NAMES = {"NL": "Netherlands", "BE": "Belgium", "DE": "Germany", "FR": "France", "SE": "Sweden",
                 "GB": "United Kingdom", "US": "United States"}
PROVINCES = {"NY": "New York", "OR": "Oregon"}


def gid(kind: str, ident: int | str) -> str:
    return f"gid://shopify/{kind}/{ident}"


def ts(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


@lru_cache(maxsize=65536)
def decimal_str(amount: Decimal) -> str:
    """GraphQL Decimal printing: '12.10' -> '12.1', '25.00' -> '25.0'."""
    text = format(cents(amount).normalize(), "f")
    return text if "." in text else f"{text}.0"


@lru_cache(maxsize=65536)
def money(amount: Decimal, currency: str = "EUR") -> dict[str, Any]:
    """A MoneyV2 node. Cached and shared between nodes: node dicts are read-only once rendered."""
    return {"__typename": "MoneyV2", "amount": decimal_str(amount), "currencyCode": currency}


@lru_cache(maxsize=65536)
def money_bag(amount: Decimal, currency: str = "EUR") -> dict[str, Any]:
    """A MoneyBag node (shop and presentment money are the same: single-currency shop). Cached, read-only."""
    return {"__typename": "MoneyBag", "shopMoney": money(amount, currency), "presentmentMoney": money(amount, currency)}


def address_node(addr: Address | None, ident: int) -> dict[str, Any] | None:
    if addr is None:
        return None
    return {"__typename": "MailingAddress", "id": gid("MailingAddress", f"{ident}?model_name=CustomerAddress"),
            "address1": addr.line1, "address2": addr.address2, "city": addr.city, "zip": addr.postcode,
            "province": PROVINCES.get(addr.province_code or ""), "provinceCode": addr.province_code,
            "country": COUNTRY_NAMES.get(addr.country, addr.country), "countryCodeV2": addr.country,
            "company": addr.company, "firstName": addr.first_name, "lastName": addr.last_name,
            "name": f"{addr.first_name} {addr.last_name}", "phone": addr.phone}


def customer_node(c: Customer, shop: Shop) -> dict[str, Any]:
    default = address_node(c.address, c.id)
    return {
        "__typename": "Customer", "id": gid("Customer", c.id), "legacyResourceId": str(c.id), "email": c.email,
        "firstName": c.first_name, "lastName": c.last_name, "displayName": f"{c.first_name} {c.last_name}",
        "phone": c.phone, "createdAt": ts(c.created_at), "updatedAt": ts(c.updated_at),
        "taxExempt": bool(c.vat_number and c.address.country != shop.country), "taxExemptions": [],
        "verifiedEmail": True, "state": "ENABLED", "tags": list(c.tags), "note": None, "locale": "nl",
        "defaultAddress": default, "addresses": [default], "addressesV2": Connection([default]),
        "numberOfOrders": "0", "amountSpent": money(Decimal(0), shop.currency),
    }


def product_node(p: Product, currency: str = "EUR") -> dict[str, Any]:
    handle = "-".join("".join(ch if ch.isalnum() else " " for ch in p.title.lower()).split())
    image = {"__typename": "Image", "id": gid("ProductImage", p.id), "altText": p.title, "width": 800, "height": 800,
             "url": f"https://cdn.shopify.com/s/files/1/sandbox/products/{handle}.jpg"}
    image["src"] = image["originalSrc"] = image["transformedSrc"] = image["url"]
    metafield = {"__typename": "Metafield", "id": gid("Metafield", p.id), "namespace": "custom", "key": "group",
                 "type": "single_line_text_field", "value": p.product_group, "createdAt": ts(p.created_at),
                 "updatedAt": ts(p.updated_at)}
    node: dict[str, Any] = {
        "__typename": "Product", "id": gid("Product", p.id), "legacyResourceId": str(p.id), "title": p.title,
        "productType": p.product_group, "vendor": p.vendor, "handle": handle, "descriptionHtml": p.description,
        "bodyHtml": p.description, "description": p.description.replace("<p>", "").replace("</p>", ""),
        "status": "ACTIVE" if p.active else "ARCHIVED", "createdAt": ts(p.created_at), "updatedAt": ts(p.updated_at),
        "publishedAt": ts(p.created_at) if p.active else None, "tags": [p.product_group.lower()],
        "images": Connection([image]),
        "featuredImage": image, "metafields": Connection([metafield])}
    variants = []
    for position, v in enumerate(p.variants, start=1):
        variant = {"__typename": "ProductVariant", "id": gid("ProductVariant", v.id), "legacyResourceId": str(v.id),
                   "sku": v.sku, "title": v.title, "barcode": v.barcode, "price": decimal_str(v.price),
                   "displayName": f"{p.title} - {v.title}", "taxable": v.tax_rate > 0, "availableForSale": v.active,
                   "createdAt": ts(p.created_at), "updatedAt": ts(p.updated_at), "position": position, "product": node}
        variant["inventoryItem"] = {
            "__typename": "InventoryItem", "id": gid("InventoryItem", v.id), "legacyResourceId": str(v.id),
            "sku": v.sku, "tracked": True, "requiresShipping": v.tax_class != "zero", "createdAt": ts(p.created_at),
            "updatedAt": ts(p.updated_at), "variant": variant,
            "unitCost": money(cents(v.price * Decimal("0.4")), currency)}
        variants.append(variant)
    node["variants"] = Connection(variants)
    return node


def _tax_lines(rate: Decimal, amount: Decimal, country: str, currency: str) -> list[dict[str, Any]]:
    if rate == 0:
        return []
    return [{"__typename": "TaxLine", "rate": float(rate / 100), "ratePercentage": float(rate),
             "title": f"{TAX_TITLES.get(country, 'VAT')} {rate.normalize()}%", "priceSet": money_bag(amount, currency),
             "channelLiable": False}]


def _discount_application(order: Order) -> list[dict[str, Any]]:
    apps = []
    for i, code in enumerate(order.discount_codes):
        value: dict[str, Any] = ({"__typename": "PricingPercentageValue", "percentage": float(code.value)}
                                 if code.kind == "percentage" else money(code.value, order.currency))
        apps.append({"__typename": "DiscountCodeApplication", "code": code.code, "index": i, "value": value,
                     "allocationMethod": "ACROSS" if code.kind == "fixed_amount" else "EACH",
                     "targetSelection": "ALL", "targetType": "LINE_ITEM"})
    return apps


def _line_node(order: Order, ln: OrderLine, country: str, apps: list[dict[str, Any]], store: Store
               ) -> dict[str, Any]:
    cur = order.currency
    inc = order.prices_include_tax
    total = ln.total_incl if inc else ln.total_excl
    product = store.shop.products.get(ln.product_id) if ln.product_id is not None else None
    variant = next((v for v in product.variants if v.id == ln.variant_id), None) if product else None
    refunded = sum(rl.quantity for r in order.refunds for rl in r.lines if rl.line_id == ln.id)
    app = next((a for a in apps if a["code"] == ln.discount_code), None)
    return {
        "__typename": "LineItem", "id": gid("LineItem", ln.id), "name": f"{ln.title} - {ln.variant_title}",
        "title": ln.title, "variantTitle": ln.variant_title, "sku": ln.sku, "quantity": ln.quantity,
        "currentQuantity": ln.quantity - refunded, "refundableQuantity": ln.quantity - refunded,
        # `taxable` is the variant's "charge tax" setting, not whether this order was charged: a B2B
        # reverse-charge or export order of a taxable product has taxable lines without tax lines.
        "taxable": (variant.tax_rate if variant else ln.tax_rate) > 0, "requiresShipping": order.channel == "web",
        "vendor": product.vendor if product else None,
        "variant": store.node("ProductVariant", variant.id) if variant else None,  # shared, rendered once
        "product": store.node("Product", product.id) if product else None,
        "originalUnitPriceSet": money_bag(ln.unit_price, cur),
        "discountedUnitPriceSet": money_bag(cents(total / ln.quantity), cur),
        "originalTotalSet": money_bag(ln.gross_incl if inc else ln.gross_excl, cur),
        "discountedTotalSet": money_bag(total, cur),
        "totalDiscountSet": money_bag(ln.discount, cur),
        "discountAllocations": [{"__typename": "DiscountAllocation", "allocatedAmountSet": money_bag(ln.discount, cur),
                                 "discountApplication": app}] if app and ln.discount else [],
        "taxLines": _tax_lines(ln.tax_rate, ln.tax_amount, country, cur),
    }


def _shipping_node(order: Order, s: ShippingLine, country: str) -> dict[str, Any]:
    cur = order.currency
    return {"__typename": "ShippingLine", "id": gid("ShippingLine", s.id), "title": s.title, "code": s.code,
            "source": "shopify", "carrierIdentifier": None, "isRemoved": False,
            "originalPriceSet": money_bag(s.price, cur), "discountedPriceSet": money_bag(s.price, cur),
            "currentDiscountedPriceSet": money_bag(s.price, cur), "discountAllocations": [],
            "taxLines": _tax_lines(s.tax_rate, s.tax_amount, country, cur)}


def purchasing_company(order: Order, customer: Customer | None, shop: Shop) -> dict[str, Any] | None:
    """The B2B `purchasingEntity` of an order placed by a company customer; None for consumers and guests.

    Shopify's shape (PurchasingCompany, GraphQL Admin 2024-07 .. 2026-10): `company` (Company: id, name, externalId =
    "a unique externally-supplied ID", i.e. the merchant's own reference, NOT the VAT number), `contact` (nullable)
    and `location` (CompanyLocation) whose `taxSettings` (CompanyLocationTaxSettings) carries the VAT number as
    `taxRegistrationId` and `taxExempt` (true for intra-EU reverse-charge buyers, as `Customer.taxExempt` here).
    """
    if not order.company or customer is None:
        return None
    vat = customer.vat_number or order.vat_number
    exempt = bool(vat and customer.address.country != shop.country)
    city = customer.address.city
    return {
        "__typename": "PurchasingCompany", "contact": None,
        "company": {"__typename": "Company", "id": gid("Company", customer.id), "name": order.company,
                    "externalId": f"DEB-{customer.id:05d}", "createdAt": ts(customer.created_at),
                    "updatedAt": ts(customer.updated_at)},
        "location": {"__typename": "CompanyLocation", "id": gid("CompanyLocation", customer.id),
                     "name": f"{order.company} {city}", "externalId": None,
                     "taxSettings": {"__typename": "CompanyLocationTaxSettings", "taxRegistrationId": vat,
                                     "taxExempt": exempt, "taxExemptions": []}},
    }


def order_node(order: Order, shop: Shop, store: Store) -> dict[str, Any]:
    """The full GraphQL Order node of a neutral order; nested parts are `Lazy` (rendered when selected)."""
    cur = order.currency
    inc = order.prices_include_tax
    where = order.shipping_address or order.billing_address
    tax_country = where.country if where and order.kind == "oss" else shop.country
    apps = Lazy(lambda: _discount_application(order))
    lines = Lazy(lambda: [_line_node(order, ln, tax_country, apps.get(), store) for ln in order.lines])
    customer = shop.customers.get(order.customer_id) if order.customer_id is not None else None
    refunded_lines = sum(((rl.amount_incl if inc else rl.amount_excl) for r in order.refunds for rl in r.lines),
                         Decimal(0))
    company = purchasing_company(order, customer, shop)
    pending = order.financial_status == "pending"
    return {
        "__typename": "Order", "id": gid("Order", order.id), "legacyResourceId": str(order.id),
        "name": f"#{order.number}", "createdAt": ts(order.created_at), "updatedAt": ts(order.updated_at),
        "processedAt": ts(order.created_at), "cancelledAt": ts(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "closedAt": ts(order.updated_at) if order.fulfillment_status == "fulfilled" and not pending else None,
        "displayFinancialStatus": order.financial_status.upper(),
        "displayFulfillmentStatus": FULFILLMENT_STATUS.get(order.fulfillment_status, "UNFULFILLED"),
        "test": order.test, "confirmed": True,
        "currencyCode": cur, "presentmentCurrencyCode": cur, "taxesIncluded": inc,
        "taxExempt": order.kind in ("icp", "export"), "email": order.email, "phone": order.phone,
        "note": order.note, "tags": list(order.tags), "sourceName": order.channel,
        "paymentGatewayNames": sorted({p.gateway for p in order.payments if p.kind == "sale"}),
        "customer": Lazy(lambda: customer_node(customer, shop) if customer else None),
        "billingAddress": Lazy(lambda: address_node(order.billing_address, order.customer_id or 0)),
        "shippingAddress": Lazy(lambda: address_node(order.shipping_address, order.customer_id or 0)),
        "purchasingEntity": company,
        "lineItems": Lazy(lambda: Connection(lines.get())),
        "shippingLines": Lazy(lambda: Connection([_shipping_node(order, s, tax_country)
                                                  for s in order.shipping_lines])),
        "discountApplications": Lazy(lambda: Connection(apps.get())),
        "discountCodes": [c.code for c in order.discount_codes],
        "subtotalPriceSet": money_bag(order.subtotal, cur),
        "totalPriceSet": money_bag(order.grand_total, cur),
        "totalTaxSet": money_bag(order.total_tax, cur),
        "totalDiscountsSet": money_bag(order.discount_total, cur),
        "totalShippingPriceSet": money_bag(sum((s.price for s in order.shipping_lines), Decimal(0)), cur),
        "currentTotalPriceSet": money_bag(order.current_total, cur),
        "currentSubtotalPriceSet": money_bag(order.subtotal - refunded_lines, cur),
        "currentTotalTaxSet": money_bag(order.total_tax - order.refunded_tax, cur),
        "totalRefundedSet": money_bag(order.refunded_total, cur),
        "totalOutstandingSet": money_bag(order.grand_total if pending else Decimal(0), cur),
        "taxLines": Lazy(lambda: [t for rate in order.tax_lines
                                  for t in _tax_lines(rate.rate, rate.tax, tax_country, cur)]),
        "refunds": Lazy(lambda: _refunds(order, lines.get())),
        "transactions": Lazy(lambda: [_transaction(order, p) for p in order.payments]),
        "fulfillmentOrders": Lazy(lambda: Connection([store.fulfillment_order_node(order.id)])),
        "fulfillments": Lazy(lambda: fulfillments(store, order.id)),
    }


def _refunds(order: Order, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cur, inc = order.currency, order.prices_include_tax
    line_by_id = {ln.id: node for ln, node in zip(order.lines, lines, strict=True)}
    refunds = []
    for r in order.refunds:
        items: list[dict[str, Any]] = []
        for rl in r.lines:
            amount = rl.amount_incl if inc else rl.amount_excl
            line = line_by_id[rl.line_id]
            items.append({"__typename": "RefundLineItem", "id": gid("RefundLineItem", r.id * 100 + len(items) + 1),
                          "quantity": rl.quantity, "restockType": "RETURN", "restocked": True,
                          "lineItem": line,
                          "priceSet": line["originalUnitPriceSet"], "subtotalSet": money_bag(amount, cur),
                          "totalTaxSet": money_bag(rl.tax_amount, cur)})
        shipping = [{"__typename": "RefundShippingLine", "id": gid("RefundShippingLine", r.id),
                     "shippingLine": _shipping_node(order, order.shipping_lines[0], order.shipping_address.country
                                                    if order.shipping_address else ""),
                     "subtotalAmountSet": money_bag(r.shipping_incl if inc else r.shipping_excl, cur),
                     "taxAmountSet": money_bag(r.shipping_tax, cur)}
                    ] if r.shipping_incl and order.shipping_lines else []
        refund_tx = [p for p in order.payments if p.kind == "refund" and p.processed_at == r.created_at]
        refunds.append({"__typename": "Refund", "id": gid("Refund", r.id), "legacyResourceId": str(r.id),
                        "createdAt": ts(r.created_at), "updatedAt": ts(r.created_at), "note": r.note,
                        "totalRefundedSet": money_bag(r.amount, cur), "refundLineItems": Connection(items),
                        "refundShippingLines": Connection(shipping),
                        "transactions": Connection([_transaction(order, p) for p in refund_tx])})
    return refunds


def _transaction(order: Order, p: Any) -> dict[str, Any]:
    return {"__typename": "OrderTransaction", "id": gid("OrderTransaction", p.id), "kind": p.kind.upper(),
            "status": p.status.upper(), "gateway": p.gateway, "amountSet": money_bag(p.amount, order.currency),
            "processedAt": ts(p.processed_at), "createdAt": ts(p.processed_at), "test": order.test,
            "parentTransaction": None, "errorCode": None}


def shop_node(shop: Shop, plan: str) -> dict[str, Any]:
    slug = shop.domain.split(".")[0]
    return {"__typename": "Shop", "id": gid("Shop", 1), "name": shop.name, "email": shop.email,
            "myshopifyDomain": f"{slug}.myshopify.com", "currencyCode": shop.currency,
            "ianaTimezone": shop.timezone, "timezoneAbbreviation": "CET", "taxesIncluded": True,
            "plan": {"__typename": "ShopPlan", "displayName": plan, "partnerDevelopment": False,
                     "shopifyPlus": plan == "Shopify Plus"},
            "billingAddress": {"__typename": "ShopAddress", "countryCodeV2": shop.country, "city": "Amsterdam"},
            "enabledPresentmentCurrencies": [shop.currency]}


# ---------------------------------------------------------------------------------------------------------------
# Locations, inventory and fulfillment (state kept in the store)
# ---------------------------------------------------------------------------------------------------------------
def locations(shop: Shop) -> list[dict[str, Any]]:
    """Two locations: the primary "Shop location" (fulfils online orders) and a warehouse."""
    out = []
    for number, (name, street, city, zip_code) in enumerate(LOCATIONS, start=1):
        address = {"__typename": "LocationAddress", "address1": street, "city": city, "zip": zip_code,
                   "countryCode": shop.country, "country": COUNTRY_NAMES.get(shop.country), "formatted": [
                       street, f"{zip_code} {city}", COUNTRY_NAMES.get(shop.country, shop.country)]}
        out.append({"__typename": "Location", "id": gid("Location", number), "legacyResourceId": str(number),
                    "name": name, "isActive": True, "isPrimary": number == 1, "fulfillsOnlineOrders": number == 1,
                    "shipsInventory": True, "hasActiveInventory": True, "activatable": False, "deactivatable": True,
                    "address": address, "addressVerified": True, "createdAt": "2023-06-01T08:00:00Z",
                    "updatedAt": "2023-06-01T08:00:00Z"})
    return out


def stock(shop: Shop, locs: list[dict[str, Any]]) -> dict[tuple[int, int], dict[str, int]]:
    """Quantities per (inventory item = variant id, location): 25 available at the shop, a few in the warehouse."""
    levels = {}
    for product in shop.products.values():
        for v in product.variants:
            for n, loc in enumerate(locs):
                available = (25 if n == 0 else v.id % 7) if v.active else 0
                levels[(v.id, gid_number(loc["id"]))] = dict.fromkeys(QUANTITY_NAMES, 0) | {
                    "available": available, "on_hand": available}
    return levels


def inventory_level(store: Store, item: int, location: int) -> dict[str, Any] | None:
    quantities = store.level(item, location)
    if quantities is None:
        return None
    updated = ts(store.level_updated.get((item, location))) or "2023-06-01T08:00:00Z"
    loc = store.node("Location", location)
    return {"__typename": "InventoryLevel", "id": gid("InventoryLevel", f"{location}?inventory_item_id={item}"),
            "isActive": True, "canDeactivate": False, "createdAt": "2023-06-01T08:00:00Z", "updatedAt": updated,
            "location": loc, "item": Lazy(lambda: store.node("InventoryItem", item)),
            "quantities": {name: {"__typename": "InventoryQuantity", "name": name, "quantity": qty,
                                  "updatedAt": updated, "id": gid("InventoryQuantity", f"{location}-{item}-{name}")}
                           for name, qty in quantities.items()}}


def _lines_of(store: Store, order_id: int) -> dict[int, dict[str, Any]]:
    """The order's LineItem nodes by line id."""
    node = store.node("Order", order_id) or {}
    return {gid_number(n["id"]): n for n in resolve(node.get("lineItems")) or []}


def fulfillments(store: Store, order_id: int) -> list[dict[str, Any]]:
    fo, order = store.fulfillment_order(order_id), store.shop.orders[order_id]
    lines = _lines_of(store, order_id)
    out: list[dict[str, Any]] = []
    for f in fo.fulfillments if fo else []:
        items = [{"id": gid("FulfillmentLineItem", f"{f['id']}-{lid}"), "quantity": qty, "lineItem": lines[lid]}
                 for lid, qty in f["lines"].items() if qty]
        out.append({"__typename": "Fulfillment", "id": gid("Fulfillment", f["id"]), "legacyResourceId": str(f["id"]),
                    "name": f"#{order.number}-F{len(out) + 1}", "status": "SUCCESS", "displayStatus": "FULFILLED",
                    "createdAt": ts(f["created_at"]), "updatedAt": ts(f["created_at"]), "requiresShipping": True,
                    "totalQuantity": sum(f["lines"].values()), "location": store.locations[0],
                    "order": Lazy(lambda: store.node("Order", order_id)), "trackingInfo": f["tracking"],
                    "fulfillmentLineItems": Connection(items)})
    return out


def fulfillment_order_node(fo: FulfillmentOrder, order: Order, store: Store) -> dict[str, Any]:
    loc, lines = store.node("Location", fo.location_id) or {}, _lines_of(store, order.id)
    items = [{"id": gid("FulfillmentOrderLineItem", ln.id), "totalQuantity": fo.total[ln.id],
              "remainingQuantity": fo.remaining[ln.id], "sku": ln.sku, "productTitle": ln.title,
              "variantTitle": ln.variant_title, "requiresShipping": True, "lineItem": lines[ln.id],
              "variant": lines[ln.id]["variant"],
              "inventoryItemId": gid("InventoryItem", ln.variant_id) if ln.variant_id else None} for ln in order.lines]
    return {"__typename": "FulfillmentOrder", "id": gid("FulfillmentOrder", fo.order_id), "status": fo.status,
            "orderId": gid("Order", order.id), "orderName": f"#{order.number}", "requestStatus": "UNSUBMITTED",
            "order": Lazy(lambda: store.node("Order", order.id)), "createdAt": ts(order.created_at),
            "updatedAt": ts(order.updated_at), "orderProcessedAt": ts(order.created_at),
            "assignedLocation": {"name": loc.get("name", ""), "location": loc, "countryCode": store.shop.country},
            "lineItems": Connection(items)}


# ---------------------------------------------------------------------------------------------------------------
# dir: seeds (Shopify GraphQL node JSON)
# ---------------------------------------------------------------------------------------------------------------
def _unwrap(value: Any) -> Any:
    """Turn written-out connections ({"nodes": []} / {"edges": [{"node"}]}) back into `Connection` lists."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) <= {"nodes", "edges", "pageInfo"} and ("nodes" in value or "edges" in value):
        items = value.get("nodes") or [e["node"] for e in value.get("edges", [])]
        return Connection(_unwrap(i) for i in items)
    return {k: _unwrap(v) for k, v in value.items()}


def load_dir(path: Path) -> dict[str, dict[int, dict[str, Any]]]:
    """``/path/{orders,customers,products}/*.json``: one node or a list of nodes per file, as the API returns them."""
    out: dict[str, dict[int, dict[str, Any]]] = {"orders": {}, "customers": {}, "products": {}}
    typenames = {"orders": "Order", "customers": "Customer", "products": "Product"}
    for resource, typename in typenames.items():
        folder = path / resource
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.json")):
            loaded = json.loads(file.read_text(encoding="utf-8"))
            for item in loaded if isinstance(loaded, list) else [loaded]:
                node = _unwrap(item)
                node.setdefault("__typename", typename)
                out[resource][gid_number(node["id"])] = node
    return out
