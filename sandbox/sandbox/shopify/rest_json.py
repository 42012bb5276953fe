"""Shopify's REST Admin JSON (2026-10) rendered from the store's GraphQL nodes: order, line item, customer, product,
refund, fulfillment, transaction, location, inventory level, shop.

The store keeps every object as a GraphQL node dict; REST is derived from it here, field for field as Shopify's REST
reference documents the resources (snake_case, numeric ids, money as ``"12.10"`` strings with a ``*_set`` twin,
timestamps in the shop's own UTC offset). An order replayed from Shopify's own REST JSON (`sandbox.shopify.replay`)
carries its original payload under ``REST_KEY`` and is served back exactly as loaded, unknown fields included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sandbox.shopify import seed as render
from sandbox.shopify.store import gid_number, parse_ts, resolve

if TYPE_CHECKING:
    from sandbox.shopify.routes import Shopify

REST_KEY = "__rest"  # a replayed order's original REST JSON, kept on its node (never a GraphQL field)
CENT = Decimal("0.01")
# GraphQL -> REST names of discount application types and fulfillment statuses (replay reads them the other way)
APPLICATION_KINDS = {"DiscountCodeApplication": "discount_code", "ManualDiscountApplication": "manual",
                     "AutomaticDiscountApplication": "automatic", "ScriptDiscountApplication": "script"}
FULFILLMENT_STATUS: dict[str | None, str] = {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED",
                                             "restocked": "RESTOCKED"}
REST_FULFILLMENT = {status: rest for rest, status in FULFILLMENT_STATUS.items()}


@dataclass(frozen=True)
class Ctx:
    """What rendering needs besides the node: the shop's time zone, its myshopify domain, and the units available
    of an inventory item over all locations (a variant's ``inventory_quantity``)."""

    tz: ZoneInfo
    domain: str
    available: Callable[[int], int] = lambda _item: 0


def _list(value: Any) -> list[Any]:
    value = resolve(value)
    if value is None:
        return []
    if isinstance(value, dict):  # a written-out connection
        return list(value.get("nodes") or [e["node"] for e in value.get("edges") or []])
    return list(value)


def gid_int(value: Any) -> int | None:
    """The number of a GID (``gid://shopify/InventoryLevel/1?inventory_item_id=2`` -> 1), None for None."""
    return None if value is None else gid_number(str(value))


def legacy_id(node: dict[str, Any]) -> int:
    legacy = node.get("legacyResourceId")
    return int(legacy) if legacy is not None else int(gid_int(node["id"]) or 0)


def rest_time(value: str | None, ctx: Ctx) -> str | None:
    """A GraphQL UTC timestamp as REST writes it: in the shop's time zone, with its offset."""
    if not value:
        return None
    return parse_ts(value).astimezone(ctx.tz).isoformat()


def _amount(money: dict[str, Any] | None) -> str | None:
    """A MoneyV2 amount as REST writes it: '12.10' (two places)."""
    if not money or money.get("amount") is None:
        return None
    return str(Decimal(str(money["amount"])).quantize(CENT))


def money_str(bag: dict[str, Any] | None) -> str | None:
    return _amount((bag or {}).get("shopMoney"))


def _money(key: str, bag: dict[str, Any] | None) -> dict[str, Any]:
    """REST's pair of an amount: ``key`` as '12.10' and ``key_set`` with shop and presentment money."""
    return {key: money_str(bag), f"{key}_set": money_set(bag)}


def money_set(bag: dict[str, Any] | None) -> dict[str, Any] | None:
    if not bag:
        return None
    shop, presentment = bag.get("shopMoney") or {}, bag.get("presentmentMoney") or bag.get("shopMoney") or {}
    return {"shop_money": {"amount": _amount(shop), "currency_code": shop.get("currencyCode")},
            "presentment_money": {"amount": _amount(presentment), "currency_code": presentment.get("currencyCode")}}


def _negated(bag: dict[str, Any] | None) -> dict[str, Any] | None:
    """A MoneyBag with its amounts negated (REST reports refunded shipping as a negative adjustment)."""
    if bag is None:
        return None
    return {side: {**money, "amount": str(-Decimal(str(money["amount"])))}
            if isinstance(money, dict) and money.get("amount") is not None else money for side, money in bag.items()}


def _lower(value: Any) -> str | None:
    return str(value).lower() if value is not None else None


def _rate(value: Any) -> float | Decimal | None:
    return value if value is None or isinstance(value, Decimal) else float(value)


# -- resources ----------------------------------------------------------------------------------------------------
def address_json(a: dict[str, Any] | None, *, with_id: bool = False) -> dict[str, Any] | None:
    if a is None:
        return None
    out = {"first_name": a.get("firstName"), "address1": a.get("address1"), "phone": a.get("phone"),
           "city": a.get("city"), "zip": a.get("zip"), "province": a.get("province"), "country": a.get("country"),
           "last_name": a.get("lastName"), "address2": a.get("address2"), "company": a.get("company"),
           "latitude": a.get("latitude"), "longitude": a.get("longitude"), "name": a.get("name"),
           "country_code": a.get("countryCodeV2"), "province_code": a.get("provinceCode")}
    if with_id:
        out = {"id": gid_int(a.get("id")), **out, "country_name": a.get("country"), "default": True}
    return out


def tax_lines_json(lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"price": money_str(t.get("priceSet")), "rate": _rate(t.get("rate")), "title": t.get("title"),
             "price_set": money_set(t.get("priceSet")), "channel_liable": t.get("channelLiable", False)}
            for t in lines]


def _allocations(node: dict[str, Any], apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for alloc in _list(node.get("discountAllocations")):
        app = resolve(alloc.get("discountApplication")) or {}
        index = app.get("index")
        if index is None:
            index = next((i for i, a in enumerate(apps) if a is app), 0)
        out.append({**_money("amount", alloc.get("allocatedAmountSet")), "discount_application_index": index})
    return out


def discount_application_json(app: dict[str, Any]) -> dict[str, Any]:
    value = app.get("value") or {}
    kind = APPLICATION_KINDS.get(str(app.get("__typename")), "discount_code")
    out: dict[str, Any] = {
        "target_type": _lower(app.get("targetType")), "type": kind,
        "value": str(Decimal(str(value["percentage"])).quantize(Decimal("0.1"))) if "percentage" in value
        else _amount(value),
        "value_type": "percentage" if "percentage" in value else "fixed_amount",
        "allocation_method": _lower(app.get("allocationMethod")),
        "target_selection": _lower(app.get("targetSelection"))}
    if kind == "discount_code":
        out["code"] = app.get("code")
    else:
        out["title"], out["description"] = app.get("title"), app.get("description") or app.get("title")
    return out


def discount_codes_json(node: dict[str, Any], apps: list[dict[str, Any]], lines: list[dict[str, Any]]
                        ) -> list[dict[str, Any]]:
    """`discount_codes[] {code, amount, type}`: amount = what the code's application allocated to the lines."""
    out = []
    for code in node.get("discountCodes") or []:
        index = next((i for i, a in enumerate(apps) if a.get("code") == code), None)
        amount = sum((Decimal(a["amount"] or "0") for line in lines for a in line["discount_allocations"]
                      if index is not None and a["discount_application_index"] == index), Decimal(0))
        kind = discount_application_json(apps[index])["value_type"] if index is not None else "fixed_amount"
        out.append({"code": code, "amount": str(amount.quantize(CENT)), "type": kind})
    return out


def line_item_json(li: dict[str, Any], apps: list[dict[str, Any]]) -> dict[str, Any]:
    variant, product = resolve(li.get("variant")) or {}, resolve(li.get("product")) or {}
    quantity = int(li.get("quantity") or 0)
    return {
        "id": gid_int(li["id"]), "admin_graphql_api_id": li["id"], "attributed_staffs": [],
        "current_quantity": li.get("currentQuantity", quantity), "fulfillable_quantity": li.get(
            "fulfillableQuantity", li.get("currentQuantity", quantity)),
        "fulfillment_service": "manual", "fulfillment_status": None, "gift_card": bool(li.get("isGiftCard", False)),
        "grams": 0, "name": li.get("name"), **_money("price", li.get("originalUnitPriceSet")),
        "product_exists": bool(product),
        "product_id": gid_int(product.get("id")), "properties": [], "quantity": quantity,
        "requires_shipping": li.get("requiresShipping", True), "sku": li.get("sku"),
        "taxable": li.get("taxable", True), "title": li.get("title"),
        "total_discount": money_str(li.get("totalDiscountSet")) or "0.00",
        "total_discount_set": money_set(li.get("totalDiscountSet")),
        "variant_id": gid_int(variant.get("id")), "variant_inventory_management": "shopify",
        "variant_title": li.get("variantTitle"), "vendor": li.get("vendor"),
        "tax_lines": tax_lines_json(_list(li.get("taxLines"))), "duties": [],
        "discount_allocations": _allocations(li, apps)}


def shipping_line_json(s: dict[str, Any], apps: list[dict[str, Any]]) -> dict[str, Any]:
    discounted = s.get("discountedPriceSet") or s.get("originalPriceSet")
    return {"id": gid_int(s["id"]), "carrier_identifier": s.get("carrierIdentifier"), "code": s.get("code"),
            **_money("discounted_price", discounted), "is_removed": s.get("isRemoved", False), "phone": None,
            **_money("price", s.get("originalPriceSet")), "requested_fulfillment_service_id": None,
            "source": s.get("source"), "title": s.get("title"),
            "tax_lines": tax_lines_json(_list(s.get("taxLines"))), "discount_allocations": _allocations(s, apps)}


def transaction_json(tx: dict[str, Any], order_id: int, ctx: Ctx) -> dict[str, Any]:
    amount = tx.get("amountSet") or {}
    parent = resolve(tx.get("parentTransaction")) or {}
    return {
        "id": gid_int(tx["id"]), "order_id": order_id, "kind": _lower(tx.get("kind")),
        "gateway": tx.get("gateway"), "status": _lower(tx.get("status")), "message": tx.get("message"),
        "created_at": rest_time(tx.get("createdAt"), ctx), "test": bool(tx.get("test")),
        "authorization": tx.get("authorizationCode"), "location_id": None, "user_id": None,
        "parent_id": gid_int(parent.get("id")), "processed_at": rest_time(tx.get("processedAt"), ctx),
        "device_id": None, "error_code": _lower(tx.get("errorCode")), "source_name": "web", "receipt": {},
        "currency_exchange_adjustment": None, "amount": money_str(amount),
        "currency": (amount.get("shopMoney") or {}).get("currencyCode"), "payment_id": f"#{gid_int(tx['id'])}",
        "total_unsettled_set": money_set(amount) if tx.get("kind") == "AUTHORIZATION" else None,
        "manual_payment_gateway": False, "admin_graphql_api_id": tx["id"]}


def refund_json(r: dict[str, Any], order_id: int, lines: dict[str, dict[str, Any]], ctx: Ctx
                ) -> dict[str, Any]:
    refund_id = gid_int(r["id"])
    items = []
    for item in _list(r.get("refundLineItems")):
        line = resolve(item.get("lineItem")) or {}
        items.append({"id": gid_int(item.get("id")), "line_item_id": gid_int(line.get("id")),
                      "location_id": None, "quantity": item.get("quantity"),
                      "restock_type": _lower(item.get("restockType")),
                      "subtotal": Decimal(money_str(item.get("subtotalSet")) or "0"),
                      "subtotal_set": money_set(item.get("subtotalSet")),
                      "total_tax": Decimal(money_str(item.get("totalTaxSet")) or "0"),
                      "total_tax_set": money_set(item.get("totalTaxSet")),
                      "line_item": lines.get(str(line.get("id"))) or {"id": gid_int(line.get("id")),
                                                                      "sku": line.get("sku")}})

    def adjustment(ident: Any, amount: dict[str, Any] | None, tax: dict[str, Any] | None, kind: str | None,
                   reason: str) -> dict[str, Any]:
        return {"id": gid_int(ident), "order_id": order_id, "refund_id": refund_id, "amount": money_str(amount),
                "tax_amount": money_str(tax), "kind": kind, "reason": reason, "amount_set": money_set(amount),
                "tax_amount_set": money_set(tax)}

    adjustments = [adjustment(a.get("id"), a.get("amountSet"), a.get("taxAmountSet"), _lower(a.get("reason")),
                              str(a.get("reason") or "").replace("_", " ").capitalize())
                   for a in _list(r.get("orderAdjustments"))]
    # REST still reports refunded shipping as a negative `shipping_refund` adjustment
    adjustments += [adjustment(s.get("id"), _negated(s.get("subtotalAmountSet")), _negated(s.get("taxAmountSet")),
                               "shipping_refund", "Shipping refund") for s in _list(r.get("refundShippingLines"))]
    return {"id": refund_id, "order_id": order_id, "created_at": rest_time(r.get("createdAt"), ctx),
            "note": r.get("note"), "user_id": None, "processed_at": rest_time(r.get("createdAt"), ctx),
            "restock": any(i.get("restocked") for i in _list(r.get("refundLineItems"))), "duties": [],
            "total_duties_set": None, "return": None, "admin_graphql_api_id": r["id"],
            "refund_line_items": items, "order_adjustments": adjustments,
            "transactions": [transaction_json(t, order_id, ctx) for t in _list(r.get("transactions"))]}


def fulfillment_json(f: dict[str, Any], order_id: int, lines: dict[str, dict[str, Any]], ctx: Ctx
                     ) -> dict[str, Any]:
    tracking = _list(f.get("trackingInfo"))
    location = resolve(f.get("location")) or {}
    items = []
    for fli in _list(f.get("fulfillmentLineItems")):
        line = resolve(fli.get("lineItem")) or {}
        row = dict(lines.get(str(line.get("id"))) or {"id": gid_int(line.get("id"))})
        row["quantity"] = fli.get("quantity", row.get("quantity"))
        items.append(row)
    return {"id": gid_int(f["id"]), "admin_graphql_api_id": f["id"], "created_at": rest_time(f.get("createdAt"),
            ctx), "location_id": gid_int(location.get("id")), "name": f.get("name"), "order_id": order_id,
            "origin_address": {}, "receipt": {}, "service": "manual",
            "shipment_status": _lower(f.get("displayStatus")), "status": _lower(f.get("status")),
            "tracking_company": tracking[0].get("company") if tracking else None,
            "tracking_number": tracking[0].get("number") if tracking else None,
            "tracking_numbers": [t.get("number") for t in tracking if t.get("number")],
            "tracking_url": tracking[0].get("url") if tracking else None,
            "tracking_urls": [t.get("url") for t in tracking if t.get("url")],
            "updated_at": rest_time(f.get("updatedAt"), ctx), "line_items": items}


def customer_json(c: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    addresses = [address_json(a, with_id=True) for a in _list(c.get("addresses")) if a]
    default = address_json(resolve(c.get("defaultAddress")), with_id=True)
    spent = c.get("amountSpent") or {}
    consent = "subscribed" if c.get("acceptsMarketing") else "not_subscribed"
    return {
        "id": legacy_id(c), "email": c.get("email"), "created_at": rest_time(c.get("createdAt"), ctx),
        "updated_at": rest_time(c.get("updatedAt"), ctx), "first_name": c.get("firstName"),
        "last_name": c.get("lastName"), "orders_count": int(c.get("numberOfOrders") or 0),
        "state": _lower(c.get("state")) or "disabled", "total_spent": _amount(spent) or "0.00",
        "last_order_id": None, "note": c.get("note"), "verified_email": bool(c.get("verifiedEmail")),
        "multipass_identifier": None, "tax_exempt": bool(c.get("taxExempt")),
        "tags": ", ".join(c.get("tags") or []), "last_order_name": None, "currency": spent.get("currencyCode"),
        "phone": c.get("phone"), "addresses": addresses, "tax_exemptions": list(c.get("taxExemptions") or []),
        "email_marketing_consent": {"state": consent, "opt_in_level": "single_opt_in", "consent_updated_at": None},
        "sms_marketing_consent": None, "admin_graphql_api_id": c["id"], "default_address": default}


def order_json(node: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The REST Order (Shopify's documented field set) of an order node; a replayed order's own JSON if it has one."""
    original = node.get(REST_KEY)
    if original is not None:
        return dict(original)
    order_id = legacy_id(node)
    apps = _list(node.get("discountApplications"))
    lines = [line_item_json(li, apps) for li in _list(node.get("lineItems"))]
    by_gid = {li["admin_graphql_api_id"]: li for li in lines}
    customer = resolve(node.get("customer"))
    company = resolve(node.get("purchasingEntity")) or {}
    currency = node.get("currencyCode")
    financial = _lower(node.get("displayFinancialStatus"))
    fulfillment = REST_FULFILLMENT.get(str(node.get("displayFulfillmentStatus")))
    name = str(node.get("name") or "")
    number = int(name.lstrip("#")) if name.lstrip("#").isdigit() else order_id
    subtotal = node.get("subtotalPriceSet")
    lines_total = sum((Decimal(li["price"] or "0") * li["quantity"] for li in lines), Decimal(0))
    zero, lines_bag = render.money_bag(Decimal(0), currency), render.money_bag(lines_total, currency)
    return {
        "id": order_id, "admin_graphql_api_id": node["id"], "app_id": None, "browser_ip": None,
        "buyer_accepts_marketing": False, "cancel_reason": _lower(node.get("cancelReason")),
        "cancelled_at": rest_time(node.get("cancelledAt"), ctx), "cart_token": None, "checkout_id": None,
        "checkout_token": None, "client_details": None, "closed_at": rest_time(node.get("closedAt"), ctx),
        "company": {"id": gid_int(company["company"]["id"]),
                    "location_id": gid_int((company.get("location") or {}).get("id"))}
        if company.get("company") else None,
        "confirmation_number": node.get("confirmationNumber"), "confirmed": node.get("confirmed", True),
        "contact_email": node.get("email"), "created_at": rest_time(node.get("createdAt"), ctx),
        "currency": currency,
        "current_shipping_price_set": money_set(node.get("currentShippingPriceSet") or
                                                node.get("totalShippingPriceSet")),
        **_money("current_subtotal_price", node.get("currentSubtotalPriceSet") or subtotal),
        "current_total_additional_fees_set": None,
        **_money("current_total_discounts", node.get("currentTotalDiscountsSet") or node.get("totalDiscountsSet")),
        "current_total_duties_set": None,
        **_money("current_total_price", node.get("currentTotalPriceSet") or node.get("totalPriceSet")),
        **_money("current_total_tax", node.get("currentTotalTaxSet") or node.get("totalTaxSet")),
        "customer_locale": "en", "device_id": None,
        "discount_codes": discount_codes_json(node, apps, lines),
        "duties_included": False, "email": node.get("email"), "estimated_taxes": False,
        "financial_status": financial, "fulfillment_status": fulfillment, "landing_site": None,
        "landing_site_ref": None, "location_id": None, "merchant_business_entity_id": None,
        "merchant_of_record_app_id": None, "name": name, "note": node.get("note"), "note_attributes": [],
        "number": number - 1000 if number > 1000 else number, "order_number": number,
        "order_status_url": f"https://{ctx.domain}/orders/{order_id}/authenticate",
        "original_total_additional_fees_set": None, "original_total_duties_set": None,
        "payment_gateway_names": list(node.get("paymentGatewayNames") or []),
        "payment_terms": None, "phone": node.get("phone"), "po_number": node.get("poNumber"),
        "presentment_currency": node.get("presentmentCurrencyCode") or currency,
        "processed_at": rest_time(node.get("processedAt"), ctx), "reference": None, "referring_site": None,
        "source_identifier": None, "source_name": node.get("sourceName"), "source_url": None,
        **_money("subtotal_price", subtotal),
        "tags": ", ".join(node.get("tags") or []), "tax_exempt": bool(node.get("taxExempt")),
        "tax_lines": tax_lines_json(_list(node.get("taxLines"))), "taxes_included": bool(node.get("taxesIncluded")),
        "test": bool(node.get("test")), "token": f"{order_id:032x}",
        "total_cash_rounding_payment_adjustment_set": money_set(zero),
        "total_cash_rounding_refund_adjustment_set": money_set(zero),
        **_money("total_discounts", node.get("totalDiscountsSet")),
        **_money("total_line_items_price", lines_bag),
        "total_outstanding": money_str(node.get("totalOutstandingSet")) or "0.00",
        **_money("total_price", node.get("totalPriceSet")),
        "total_shipping_price_set": money_set(node.get("totalShippingPriceSet")),
        **_money("total_tax", node.get("totalTaxSet")),
        "total_tip_received": "0.00", "total_weight": 0, "updated_at": rest_time(node.get("updatedAt"), ctx),
        "user_id": None,
        "billing_address": address_json(resolve(node.get("billingAddress"))),
        "customer": customer_json(customer, ctx) if customer else None,
        "discount_applications": [discount_application_json(a) for a in apps],
        "fulfillments": [fulfillment_json(f, order_id, by_gid, ctx) for f in _list(node.get("fulfillments"))],
        "line_items": lines, "payment_terms_id": None,
        "refunds": [refund_json(r, order_id, by_gid, ctx) for r in _list(node.get("refunds"))],
        "shipping_address": address_json(resolve(node.get("shippingAddress"))),
        "shipping_lines": [shipping_line_json(s, apps) for s in _list(node.get("shippingLines"))],
    }


def order_children(node: dict[str, Any], child: str, ctx: Ctx) -> list[dict[str, Any]]:
    """`orders/{id}/{transactions|refunds|fulfillments}.json` rows of an order node."""
    order = order_json(node, ctx)
    if child == "transactions":
        if node.get(REST_KEY) is not None:
            embedded = node[REST_KEY].get("transactions")
            if embedded is not None:
                return list(embedded)
            return [t for r in order.get("refunds") or [] for t in r.get("transactions") or []]
        return [transaction_json(t, order["id"], ctx) for t in _list(node.get("transactions"))]
    return list(order.get(child) or [])


def variant_json(v: dict[str, Any], product_id: int, ctx: Ctx) -> dict[str, Any]:
    item = resolve(v.get("inventoryItem")) or {}
    options = [o.get("value") for o in v.get("selectedOptions") or []] or [v.get("title")]
    options += [None] * (3 - len(options))
    quantity = v["inventoryQuantity"] if "inventoryQuantity" in v else ctx.available(legacy_id(item)) if item \
        else 0
    return {"id": legacy_id(v), "product_id": product_id, "title": v.get("title"), "price": _amount(
            {"amount": v.get("price")}), "position": v.get("position", 1), "inventory_policy": "deny",
            "compare_at_price": _amount({"amount": v.get("compareAtPrice")}), "option1": options[0],
            "option2": options[1], "option3": options[2], "created_at": rest_time(v.get("createdAt"), ctx),
            "updated_at": rest_time(v.get("updatedAt"), ctx), "taxable": v.get("taxable", True),
            "barcode": v.get("barcode"), "fulfillment_service": "manual", "grams": 0,
            "inventory_management": "shopify" if item.get("tracked", True) else None,
            "requires_shipping": item.get("requiresShipping", True), "sku": v.get("sku"), "weight": 0.0,
            "weight_unit": "kg", "inventory_item_id": gid_int(item.get("id")),
            "inventory_quantity": quantity, "old_inventory_quantity": quantity, "admin_graphql_api_id": v["id"],
            "image_id": None}


def product_json(p: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    product_id = legacy_id(p)
    variants = [variant_json(v, product_id, ctx) for v in _list(p.get("variants"))]
    return {"id": product_id, "title": p.get("title"), "body_html": p.get("descriptionHtml"),
            "vendor": p.get("vendor"), "product_type": p.get("productType"),
            "created_at": rest_time(p.get("createdAt"), ctx), "handle": p.get("handle"),
            "updated_at": rest_time(p.get("updatedAt"), ctx), "published_at": rest_time(p.get("publishedAt"), ctx),
            "template_suffix": None, "published_scope": "web", "tags": ", ".join(p.get("tags") or []),
            "status": _lower(p.get("status")) or "active", "admin_graphql_api_id": p["id"], "variants": variants,
            "options": [{"id": product_id, "product_id": product_id, "name": "Title", "position": 1,
                         "values": [v["title"] for v in variants]}], "images": [], "image": None}


def location_json(loc: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    a = resolve(loc.get("address")) or {}
    return {"id": legacy_id(loc), "name": loc.get("name"), "address1": a.get("address1"),
            "address2": a.get("address2"), "city": a.get("city"), "zip": a.get("zip"), "province": a.get("province"),
            "country": a.get("countryCode"), "phone": a.get("phone"), "created_at": rest_time(loc.get("createdAt"),
            ctx), "updated_at": rest_time(loc.get("updatedAt"), ctx), "country_code": a.get("countryCode"),
            "country_name": a.get("country"), "province_code": a.get("provinceCode"),
            "legacy": bool(loc.get("isFulfillmentService", False)), "active": bool(loc.get("isActive", True)),
            "admin_graphql_api_id": loc["id"], "localized_country_name": a.get("country"),
            "localized_province_name": a.get("province")}


def inventory_level_json(level: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    by_name = resolve(level.get("quantities")) or {}
    quantities = {q.get("name"): q.get("quantity") for q in (by_name.values() if isinstance(by_name, dict)
                                                               else by_name)}
    item, location = resolve(level.get("item")) or {}, resolve(level.get("location")) or {}
    return {"inventory_item_id": gid_int(item.get("id")), "location_id": gid_int(location.get("id")),
            "available": quantities.get("available"), "updated_at": rest_time(level.get("updatedAt"), ctx),
            "admin_graphql_api_id": level["id"]}


def as_rendered(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """Rows that are REST JSON already (events, tender transactions)."""
    return dict(row)


def shop_json(shop: Shopify, ctx: Ctx) -> dict[str, Any]:
    node = render.shop_node(shop.shop, shop.plan)
    address = node.get("billingAddress") or {}
    slug = str(node.get("myshopifyDomain") or "")
    return {
        "id": gid_int(node["id"]), "name": node.get("name"), "email": node.get("email"),
        "domain": shop.shop.domain, "province": address.get("province"), "country": address.get("countryCodeV2"),
        "address1": address.get("address1"), "zip": address.get("zip"), "city": address.get("city"),
        "source": None, "phone": address.get("phone"), "latitude": None, "longitude": None, "primary_locale": "en",
        "address2": address.get("address2"), "created_at": rest_time("2020-01-01T00:00:00Z", ctx),
        "updated_at": rest_time("2020-01-01T00:00:00Z", ctx), "country_code": address.get("countryCodeV2"),
        "country_name": address.get("country"), "currency": node.get("currencyCode"),
        "customer_email": node.get("email"), "timezone": f"(GMT+01:00) {node.get('ianaTimezone')}",
        "iana_timezone": node.get("ianaTimezone"), "shop_owner": node.get("name"), "money_format": "€{{amount}}",
        "money_with_currency_format": "€{{amount}} " + str(node.get("currencyCode")), "weight_unit": "kg",
        "province_code": address.get("provinceCode"), "taxes_included": node.get("taxesIncluded"),
        "auto_configure_tax_inclusivity": None, "tax_shipping": None, "county_taxes": True,
        "plan_display_name": shop.plan, "plan_name": shop.plan.lower(), "has_discounts": True,
        "has_gift_cards": False, "myshopify_domain": slug, "google_apps_domain": None,
        "google_apps_login_enabled": None, "money_in_emails_format": "€{{amount}}",
        "money_with_currency_in_emails_format": "€{{amount}} " + str(node.get("currencyCode")),
        "eligible_for_payments": True, "requires_extra_payments_agreement": False, "password_enabled": False,
        "has_storefront": True, "finances": True, "primary_location_id": None, "checkout_api_supported": True,
        "multi_location_enabled": True, "setup_required": False, "pre_launch_enabled": False,
        "enabled_presentment_currencies": list(node.get("enabledPresentmentCurrencies") or []),
        "marketing_sms_consent_enabled_at_checkout": False, "transactional_sms_disabled": False,
        "admin_graphql_api_id": node["id"]}


def tender_transaction_json(t: dict[str, Any], order_id: int) -> dict[str, Any]:
    """A REST TenderTransaction of a REST transaction (a refund's amount negative)."""
    amount = Decimal(str(t["amount"])).quantize(CENT)
    return {"id": t["id"], "order_id": t.get("order_id", order_id),
            "amount": str(-amount if t["kind"] == "refund" else amount), "currency": t.get("currency"),
            "user_id": t.get("user_id"), "test": bool(t.get("test")),
            "processed_at": t.get("processed_at") or t.get("created_at"),
            "remote_reference": t.get("authorization"), "payment_details": None,
            "payment_method": "credit_card" if t.get("gateway") == "shopify_payments" else "other"}


__all__ = ["REST_KEY", "Ctx", "order_children", "order_json", "product_json"]
