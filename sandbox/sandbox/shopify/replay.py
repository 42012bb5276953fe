"""Replay Shopify REST order JSON (admin exports, webhooks, Shopify's docs and client fixtures) into the store.

Accepted shapes, per file: a list response ``{"orders": [...]}``, a single ``{"order": {...}}``, or a bare order
object as a webhook delivers it. Numbers are parsed as Decimal (money may come as ``"12.10"`` strings or as JSON
numbers); integers stay Python ints, so ids beyond 2**53 are exact. Each order becomes a GraphQL ``Order`` node
(``gid://shopify/Order/...`` ids, money as ``*Set`` MoneyBags with shop and presentment money, line items, tax
lines, discount applications and allocations, shipping lines, refunds with their line items, adjustments and
transactions, fulfillments, customer, addresses, B2B company) and keeps its original JSON under `rest_json.REST_KEY`,
which the REST endpoints serve back unchanged (unknown fields included).

A file that is not an order raises `ReplayError` naming the file and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sandbox.core import parse_iso
from sandbox.shopify import rest_json
from sandbox.shopify.rest_json import REST_KEY
from sandbox.shopify.seed import gid
from sandbox.shopify.store import Connection

ORDER_KEYS = ("id", "line_items")
FINANCIAL = {"pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided",
             "expired"}
FULFILLMENT = {None: "UNFULFILLED", "unfulfilled": "UNFULFILLED", "pending": "PENDING_FULFILLMENT",
               **rest_json.FULFILLMENT_STATUS}
APPLICATION_TYPES = {kind: typename for typename, kind in rest_json.APPLICATION_KINDS.items()}
# REST order_adjustments kinds -> 2026-10 OrderAdjustmentDiscrepancyReason; a `shipping_refund` adjustment is not an
# adjustment in GraphQL any more but a Refund.refundShippingLines entry (positive amounts), see _refund.
ADJUSTMENT_REASONS = {"refund_discrepancy": "REFUND_DISCREPANCY", "restock": "RESTOCK", "damage": "DAMAGE",
                      "customer": "CUSTOMER"}


class ReplayError(ValueError):
    """A replay file that is not Shopify REST order JSON: `file: reason`."""


def files(path: Path) -> list[Path]:
    """PATH itself, or the *.json files of a folder (sorted, recursively)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*.json") if p.is_file())
    if not path.exists():
        raise ReplayError(f"{path}: no such file or folder")
    return [path]


def orders_in(payload: Any, where: str) -> list[dict[str, Any]]:
    """The order objects of one parsed file, whichever of Shopify's three shapes it has."""
    if isinstance(payload, dict) and isinstance(payload.get("orders"), list):
        items = payload["orders"]
    elif isinstance(payload, dict) and isinstance(payload.get("order"), dict):
        items = [payload["order"]]
    elif isinstance(payload, dict):
        items = [payload]
    else:
        raise ReplayError(f"{where}: not a Shopify order: expected an object, got a JSON {type(payload).__name__}")
    for n, item in enumerate(items):
        label = where if len(items) == 1 else f"{where} orders[{n}]"
        if not isinstance(item, dict):
            raise ReplayError(f"{label}: not a Shopify order: expected an object, got {type(item).__name__}")
        missing = [k for k in ORDER_KEYS if k not in item]
        if missing:
            raise ReplayError(f"{label}: not a Shopify order: no {' and no '.join(repr(k) for k in missing)} field "
                              f"(keys: {', '.join(sorted(item)[:8]) or 'none'})")
        if not isinstance(item["id"], int) or isinstance(item["id"], bool):
            raise ReplayError(f"{label}: not a Shopify order: 'id' must be an integer, got {item['id']!r}")
    return items


def load(path: str | Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(order nodes, customer nodes) of every order file under `path`; raises ReplayError."""
    orders: dict[int, dict[str, Any]] = {}
    customers: dict[int, dict[str, Any]] = {}
    for file in files(Path(path)):
        try:
            payload = json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReplayError(f"{file}: not JSON: {exc}") from None
        for raw in orders_in(payload, str(file)):
            try:
                node = order_node(raw)
            except KeyError as exc:
                raise ReplayError(f"{file}: order {raw.get('name') or raw['id']}: a required field is missing: "
                                  f"{exc}") from None
            except (TypeError, ValueError, InvalidOperation) as exc:
                raise ReplayError(f"{file}: order {raw.get('name') or raw['id']}: {type(exc).__name__}: {exc}"
                                  ) from None
            orders[raw["id"]] = node
            if node["customer"] is not None:
                customers.setdefault(int(node["customer"]["legacyResourceId"]), node["customer"])
    return list(orders.values()), list(customers.values())


# -- REST -> GraphQL node ------------------------------------------------------------------------------------------
def _utc(value: Any) -> str | None:
    """A REST timestamp (shop offset) as GraphQL writes it: UTC with Z."""
    if not value:
        return None
    return parse_iso(str(value)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{field}: expected an amount, got {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{field}: {value!r} is not an amount") from None


def _graphql_decimal(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text if "." in text else f"{text}.0"


def _money(amount: Any, currency: str, field: str) -> dict[str, Any]:
    return {"__typename": "MoneyV2", "amount": _graphql_decimal(_decimal(amount, field)), "currencyCode": currency}


def _money_bag(shop: Any, pres: Any, currency: str, presentment: str, field: str) -> dict[str, Any]:
    return {"__typename": "MoneyBag", "shopMoney": _money(shop, currency, field),
            "presentmentMoney": _money(pres, presentment, field)}


def _bag(raw: dict[str, Any], key: str, currency: str, presentment: str, *, default: Any = None
         ) -> dict[str, Any] | None:
    """The MoneyBag of REST `key` (+ its `key_set` twin when present)."""
    twin = raw.get(f"{key}_set")
    if isinstance(twin, dict) and twin.get("shop_money"):
        shop, pres = twin["shop_money"], twin.get("presentment_money") or twin["shop_money"]
        return _money_bag(shop["amount"], pres["amount"], shop.get("currency_code") or currency,
                          pres.get("currency_code") or presentment, f"{key}_set")
    value = raw.get(key, default)
    return None if value is None else _money_bag(value, value, currency, presentment, key)


def _sum_bag(bags: list[dict[str, Any] | None], currency: str, presentment: str) -> dict[str, Any]:
    shop = sum((Decimal(b["shopMoney"]["amount"]) for b in bags if b), Decimal(0))
    pres = sum((Decimal(b["presentmentMoney"]["amount"]) for b in bags if b), Decimal(0))
    return _money_bag(shop, pres, currency, presentment, "sum")


def _positive(bag: dict[str, Any] | None) -> dict[str, Any] | None:
    """REST writes a refund's shipping adjustment negative; GraphQL's refundShippingLines amounts are positive."""
    if bag is None:
        return None
    return {**bag, **{side: {**bag[side], "amount": _graphql_decimal(abs(Decimal(bag[side]["amount"])))}
                      for side in ("shopMoney", "presentmentMoney")}}


def _upper(value: Any) -> str | None:
    return str(value).upper() if value is not None else None


def _tags(tags: Any) -> list[str]:
    """REST's comma-separated tags (or a list of them) as GraphQL's list."""
    tags = tags or ""
    return [t.strip() for t in tags.split(",") if t.strip()] if isinstance(tags, str) else list(tags)


def address_node(a: dict[str, Any] | None, ident: Any = None) -> dict[str, Any] | None:
    if not a:
        return None
    name = a.get("name") or " ".join(p for p in (a.get("first_name"), a.get("last_name")) if p) or None
    return {"__typename": "MailingAddress",
            "id": gid("MailingAddress", f"{a.get('id') or ident or 0}?model_name=CustomerAddress"),
            "address1": a.get("address1"), "address2": a.get("address2"), "city": a.get("city"),
            "zip": a.get("zip"), "province": a.get("province"), "provinceCode": a.get("province_code"),
            "country": a.get("country") or a.get("country_name"), "countryCodeV2": a.get("country_code"),
            "company": a.get("company"), "firstName": a.get("first_name"), "lastName": a.get("last_name"),
            "name": name, "phone": a.get("phone"),
            "latitude": float(a["latitude"]) if a.get("latitude") not in (None, "") else None,
            "longitude": float(a["longitude"]) if a.get("longitude") not in (None, "") else None}


def customer_node(c: dict[str, Any] | None, currency: str) -> dict[str, Any] | None:
    if not c or c.get("id") is None:
        return None
    default = address_node(c.get("default_address"), c["id"])
    addresses = [address_node(a, c["id"]) for a in c.get("addresses") or []] or ([default] if default else [])
    return {"__typename": "Customer", "id": gid("Customer", c["id"]), "legacyResourceId": str(c["id"]),
            "email": c.get("email"), "firstName": c.get("first_name"), "lastName": c.get("last_name"),
            "displayName": " ".join(p for p in (c.get("first_name"), c.get("last_name")) if p) or c.get("email"),
            "phone": c.get("phone"), "createdAt": _utc(c.get("created_at")), "updatedAt": _utc(c.get("updated_at")),
            "taxExempt": bool(c.get("tax_exempt")), "taxExemptions": list(c.get("tax_exemptions") or []),
            "verifiedEmail": bool(c.get("verified_email")), "state": _upper(c.get("state")) or "DISABLED",
            "tags": _tags(c.get("tags")), "note": c.get("note"), "defaultAddress": default, "addresses": addresses,
            "addressesV2": Connection(addresses),
            "numberOfOrders": str(c.get("orders_count") or 0),
            "amountSpent": _money(c.get("total_spent") or "0", c.get("currency") or currency, "total_spent")}


def _tax_lines(lines: list[dict[str, Any]] | None, currency: str, presentment: str) -> list[dict[str, Any]]:
    out = []
    for t in lines or []:
        rate = _decimal(t.get("rate", 0), "tax_lines.rate")
        out.append({"__typename": "TaxLine", "rate": float(rate), "ratePercentage": float(rate * 100),
                    "title": t.get("title"), "priceSet": _bag(t, "price", currency, presentment, default="0"),
                    "channelLiable": bool(t.get("channel_liable"))})
    return out


def _application(app: dict[str, Any], index: int, currency: str) -> dict[str, Any]:
    kind = str(app.get("type") or "discount_code")
    value: dict[str, Any]
    if app.get("value_type") == "percentage":
        value = {"__typename": "PricingPercentageValue",
                 "percentage": float(_decimal(app.get("value", 0), "discount_applications.value"))}
    else:
        value = _money(app.get("value", 0), currency, "discount_applications.value")
    node = {"__typename": APPLICATION_TYPES.get(kind, "ManualDiscountApplication"),
            "index": index, "value": value,
            "allocationMethod": _upper(app.get("allocation_method")) or "ACROSS",
            "targetSelection": _upper(app.get("target_selection")) or "ALL",
            "targetType": _upper(app.get("target_type")) or "LINE_ITEM"}
    if kind == "discount_code":
        node["code"] = app.get("code")
    else:
        node["title"], node["description"] = app.get("title"), app.get("description")
    return node


def _allocations(item: dict[str, Any], apps: list[dict[str, Any]], currency: str, presentment: str
                 ) -> list[dict[str, Any]]:
    out = []
    for alloc in item.get("discount_allocations") or []:
        index = int(alloc.get("discount_application_index", 0))
        if not 0 <= index < len(apps):
            raise ValueError(f"discount_allocations: discount_application_index {index} has no discount_application")
        out.append({"__typename": "DiscountAllocation",
                    "allocatedAmountSet": _bag(alloc, "amount", currency, presentment, default="0"),
                    "discountApplication": apps[index]})
    return out


def _line(li: dict[str, Any], apps: list[dict[str, Any]], currency: str, presentment: str) -> dict[str, Any]:
    quantity = int(li.get("quantity") or 0)
    unit = _bag(li, "price", currency, presentment, default="0")
    assert unit is not None
    unit_amount = Decimal(unit["shopMoney"]["amount"])
    discounts = _allocations(li, apps, currency, presentment)
    discount = sum((Decimal(d["allocatedAmountSet"]["shopMoney"]["amount"]) for d in discounts), Decimal(0))
    original = unit_amount * quantity
    return {
        "__typename": "LineItem", "id": gid("LineItem", li["id"]), "name": li.get("name") or li.get("title"),
        "title": li.get("title"), "variantTitle": li.get("variant_title"), "sku": li.get("sku") or None,
        "quantity": quantity, "currentQuantity": int(li.get("current_quantity", quantity)),
        "refundableQuantity": int(li.get("fulfillable_quantity", quantity) or 0),
        "taxable": li.get("taxable", True) is not False, "requiresShipping": li.get("requires_shipping", True),
        "vendor": li.get("vendor"), "isGiftCard": bool(li.get("gift_card")),
        "variant": {"__typename": "ProductVariant", "id": gid("ProductVariant", li["variant_id"]),
                    "legacyResourceId": str(li["variant_id"]), "sku": li.get("sku"),
                    "title": li.get("variant_title")} if li.get("variant_id") else None,
        "product": {"__typename": "Product", "id": gid("Product", li["product_id"]),
                    "legacyResourceId": str(li["product_id"]), "title": li.get("title")}
        if li.get("product_id") else None,
        "originalUnitPriceSet": unit,
        "originalTotalSet": _sum_bag([unit] * quantity, currency, presentment),
        "discountedTotalSet": _money_bag(original - discount, original - discount, currency, presentment, "line"),
        "totalDiscountSet": _sum_bag([d["allocatedAmountSet"] for d in discounts], currency, presentment),
        "discountAllocations": discounts, "taxLines": _tax_lines(li.get("tax_lines"), currency, presentment),
    }


def _shipping(s: dict[str, Any], apps: list[dict[str, Any]], currency: str, presentment: str) -> dict[str, Any]:
    original = _bag(s, "price", currency, presentment, default="0")
    discounted = _bag(s, "discounted_price", currency, presentment) or original
    return {"__typename": "ShippingLine", "id": gid("ShippingLine", s.get("id") or 0), "title": s.get("title"),
            "code": s.get("code"), "source": s.get("source"), "carrierIdentifier": s.get("carrier_identifier"),
            "isRemoved": bool(s.get("is_removed")), "originalPriceSet": original, "discountedPriceSet": discounted,
            "currentDiscountedPriceSet": discounted,
            "discountAllocations": _allocations(s, apps, currency, presentment),
            "taxLines": _tax_lines(s.get("tax_lines"), currency, presentment)}


def _transaction(t: dict[str, Any], currency: str, presentment: str, test: bool) -> dict[str, Any]:
    tx_currency = t.get("currency") or currency
    return {"__typename": "OrderTransaction", "id": gid("OrderTransaction", t["id"]), "kind": _upper(t.get("kind")),
            "status": _upper(t.get("status")), "gateway": t.get("gateway"),
            "amountSet": _bag(t, "amount", tx_currency, presentment, default="0"),
            "processedAt": _utc(t.get("processed_at") or t.get("created_at")), "createdAt": _utc(t.get("created_at")),
            "test": bool(t.get("test", test)), "errorCode": _upper(t.get("error_code")),
            "authorizationCode": t.get("authorization"), "message": t.get("message"),
            "parentTransaction": {"__typename": "OrderTransaction", "id": gid("OrderTransaction", t["parent_id"])}
            if t.get("parent_id") else None}


def _refund(r: dict[str, Any], lines: dict[int, dict[str, Any]], shipping: list[dict[str, Any]], currency: str,
            presentment: str, *, test: bool) -> dict[str, Any]:
    items = []
    for n, item in enumerate(r.get("refund_line_items") or []):
        line = lines.get(int(item["line_item_id"])) if item.get("line_item_id") is not None else None
        if line is None:
            raise ValueError(f"refunds[{r.get('id')}]: refund_line_items line_item_id {item.get('line_item_id')} is "
                             "not a line item of this order")
        items.append({"__typename": "RefundLineItem", "id": gid("RefundLineItem", item.get("id") or n),
                      "quantity": int(item.get("quantity") or 0),
                      "restockType": _upper(item.get("restock_type")) or "NO_RESTOCK",
                      "restocked": item.get("restock_type") in ("return", "cancel", "legacy_restock"),
                      "lineItem": line, "priceSet": line["originalUnitPriceSet"],
                      "subtotalSet": _bag(item, "subtotal", currency, presentment, default="0"),
                      "totalTaxSet": _bag(item, "total_tax", currency, presentment, default="0")})
    raw_adjustments = list(enumerate(r.get("order_adjustments") or []))
    adjustments = [{"__typename": "OrderAdjustment", "id": gid("OrderAdjustment", a.get("id") or n),
                    "reason": ADJUSTMENT_REASONS.get(str(a.get("kind")), "REFUND_DISCREPANCY"),
                    "amountSet": _bag(a, "amount", currency, presentment, default="0"),
                    "taxAmountSet": _bag(a, "tax_amount", currency, presentment, default="0")}
                   for n, a in raw_adjustments if a.get("kind") != "shipping_refund"]
    shipping_refunds = [{"__typename": "RefundShippingLine", "id": gid("RefundShippingLine", a.get("id") or n),
                         "shippingLine": shipping[0] if shipping else None,
                         "subtotalAmountSet": _positive(_bag(a, "amount", currency, presentment, default="0")),
                         "taxAmountSet": _positive(_bag(a, "tax_amount", currency, presentment, default="0"))}
                        for n, a in raw_adjustments if a.get("kind") == "shipping_refund"]
    transactions = [_transaction(t, currency, presentment, test) for t in r.get("transactions") or []]
    refunded = [t["amountSet"] for t in transactions if t["kind"] == "REFUND" and t["status"] == "SUCCESS"]
    return {"__typename": "Refund", "id": gid("Refund", r["id"]), "legacyResourceId": str(r["id"]),
            "createdAt": _utc(r.get("created_at")), "updatedAt": _utc(r.get("processed_at") or r.get("created_at")),
            "note": r.get("note"), "totalRefundedSet": _sum_bag(refunded, currency, presentment),
            "refundLineItems": Connection(items), "orderAdjustments": Connection(adjustments),
            "refundShippingLines": Connection(shipping_refunds), "transactions": Connection(transactions)}


def _fulfillment(f: dict[str, Any], lines: dict[int, dict[str, Any]]) -> dict[str, Any]:
    numbers = list(f.get("tracking_numbers") or ([f["tracking_number"]] if f.get("tracking_number") else []))
    urls = list(f.get("tracking_urls") or ([f["tracking_url"]] if f.get("tracking_url") else []))
    tracking = [{"__typename": "FulfillmentTrackingInfo", "company": f.get("tracking_company"), "number": number,
                 "url": urls[i] if i < len(urls) else None} for i, number in enumerate(numbers)]
    items = [{"__typename": "FulfillmentLineItem", "id": gid("FulfillmentLineItem", li["id"]),
              "quantity": int(li.get("quantity") or 0), "lineItem": lines.get(int(li["id"]))}
             for li in f.get("line_items") or []]
    return {"__typename": "Fulfillment", "id": gid("Fulfillment", f["id"]), "legacyResourceId": str(f["id"]),
            "name": f.get("name"), "status": _upper(f.get("status")), "displayStatus": _upper(f.get("shipment_status")),
            "createdAt": _utc(f.get("created_at")), "updatedAt": _utc(f.get("updated_at")),
            "trackingInfo": tracking, "fulfillmentLineItems": Connection(items),
            "location": {"__typename": "Location", "id": gid("Location", f["location_id"])}
            if f.get("location_id") else None}


def _purchasing_entity(raw: dict[str, Any]) -> dict[str, Any] | None:
    """REST `company {id, location_id}` (B2B) -> a PurchasingCompany; REST carries no name or VAT number, so the
    name is the billing address's company and `taxRegistrationId` stays null."""
    company = raw.get("company")
    if not isinstance(company, dict) or company.get("id") is None:
        return None
    billing = raw.get("billing_address") or {}
    name = billing.get("company") or company.get("name")
    location_id = company.get("location_id")
    return {"__typename": "PurchasingCompany", "contact": None,
            "company": {"__typename": "Company", "id": gid("Company", company["id"]), "name": name,
                        "externalId": None},
            "location": {"__typename": "CompanyLocation", "id": gid("CompanyLocation", location_id),
                         "name": name, "externalId": None,
                         "taxSettings": {"__typename": "CompanyLocationTaxSettings", "taxRegistrationId": None,
                                         "taxExempt": bool(raw.get("tax_exempt")), "taxExemptions": []}}
            if location_id is not None else None}


def order_node(raw: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL Order node of one REST order (its original JSON kept under REST_KEY)."""
    currency = str(raw.get("currency") or "USD")
    presentment = str(raw.get("presentment_currency") or currency)
    test = bool(raw.get("test"))
    apps = [_application(a, i, currency) for i, a in enumerate(raw.get("discount_applications") or [])]
    lines = [_line(li, apps, currency, presentment) for li in raw.get("line_items") or []]
    by_id = {int(li["id"]): node for li, node in zip(raw.get("line_items") or [], lines, strict=True)}
    shipping = [_shipping(s, apps, currency, presentment) for s in raw.get("shipping_lines") or []]
    refunds = [_refund(r, by_id, shipping, currency, presentment, test=test) for r in raw.get("refunds") or []]
    embedded = raw.get("transactions") or [t for r in raw.get("refunds") or [] for t in r.get("transactions") or []]
    financial = raw.get("financial_status")
    if financial is not None and financial not in FINANCIAL:
        raise ValueError(f"financial_status {financial!r} is not one of Shopify's ({', '.join(sorted(FINANCIAL))})")
    name = raw.get("name") or f"#{raw.get('order_number') or raw['id']}"
    total_shipping = _bag(raw, "total_shipping_price", currency, presentment) or _sum_bag(
        [s["discountedPriceSet"] for s in shipping], currency, presentment)
    total_tax = _bag(raw, "total_tax", currency, presentment, default="0")
    total_price = _bag(raw, "total_price", currency, presentment)
    if total_price is None:
        raise ValueError("total_price: missing")
    created = _utc(raw.get("created_at"))
    return {
        "__typename": "Order", "id": gid("Order", raw["id"]), "legacyResourceId": str(raw["id"]), "name": name,
        "createdAt": created, "updatedAt": _utc(raw.get("updated_at")) or created,
        "processedAt": _utc(raw.get("processed_at")) or created, "cancelledAt": _utc(raw.get("cancelled_at")),
        "cancelReason": _upper(raw.get("cancel_reason")), "closedAt": _utc(raw.get("closed_at")),
        "displayFinancialStatus": _upper(financial) or "PENDING",
        "displayFulfillmentStatus": FULFILLMENT.get(raw.get("fulfillment_status"), "UNFULFILLED"),
        "test": test, "confirmed": bool(raw.get("confirmed", True)), "confirmationNumber":
        raw.get("confirmation_number"), "currencyCode": currency, "presentmentCurrencyCode": presentment,
        "taxesIncluded": bool(raw.get("taxes_included")), "taxExempt": bool(raw.get("tax_exempt")),
        "email": raw.get("email") or raw.get("contact_email"), "phone": raw.get("phone"), "note": raw.get("note"),
        "poNumber": raw.get("po_number"),
        "tags": _tags(raw.get("tags")), "sourceName": raw.get("source_name"),
        "paymentGatewayNames": list(raw.get("payment_gateway_names") or []),
        "customer": customer_node(raw.get("customer"), currency),
        "billingAddress": address_node(raw.get("billing_address")),
        "shippingAddress": address_node(raw.get("shipping_address")),
        "purchasingEntity": _purchasing_entity(raw),
        "lineItems": Connection(lines), "shippingLines": Connection(shipping),
        "discountApplications": Connection(apps),
        "discountCodes": [str(c.get("code")) for c in raw.get("discount_codes") or [] if c.get("code")],
        "subtotalPriceSet": _bag(raw, "subtotal_price", currency, presentment, default="0"),
        "totalPriceSet": total_price, "totalTaxSet": total_tax,
        "totalDiscountsSet": _bag(raw, "total_discounts", currency, presentment, default="0"),
        "totalShippingPriceSet": total_shipping,
        "currentTotalPriceSet": _bag(raw, "current_total_price", currency, presentment) or total_price,
        "currentSubtotalPriceSet": _bag(raw, "current_subtotal_price", currency, presentment)
        or _bag(raw, "subtotal_price", currency, presentment, default="0"),
        "currentTotalTaxSet": _bag(raw, "current_total_tax", currency, presentment) or total_tax,
        "totalRefundedSet": _sum_bag([r["totalRefundedSet"] for r in refunds], currency, presentment),
        "totalOutstandingSet": _bag(raw, "total_outstanding", currency, presentment, default="0"),
        "taxLines": _tax_lines(raw.get("tax_lines"), currency, presentment),
        "refunds": refunds,
        "transactions": [_transaction(t, currency, presentment, test) for t in embedded],
        "fulfillments": [_fulfillment(f, by_id) for f in raw.get("fulfillments") or []],
        REST_KEY: raw,
    }


def iter_orders(path: str | Path) -> Iterator[dict[str, Any]]:
    """The raw REST orders under `path` (for tests and tools that compare against the payload)."""
    for file in files(Path(path)):
        yield from orders_in(json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal), str(file))
