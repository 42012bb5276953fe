"""Generated restaurant (`sandbox.restaurant`) -> K-Series financial-api objects, or a `dir:` seed of vendor payloads.

`dir:/path` layout (every file optional): `businesses.json` as `GET /f/data/businesses` answers, and
`sales-<businessLocationId>.json` as `{"sales": [...]}` (one or more pages merged).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox.lightspeed_common import read_list
from sandbox.lightspeed_kseries.contract import amount, check_sale, timestamp
from sandbox.restaurant import PAYMENT_METHODS, TAX_CODES, Bill, BillLine, BillPayment, Guest, Restaurant


def businesses(restaurant: Restaurant) -> list[dict[str, Any]]:
    return [{"businessName": restaurant.name, "businessId": restaurant.business_id,
             "currencyCode": restaurant.currency,
             "businessLocations": [{"blName": name, "blID": bl_id, "country": country, "timezone": tz}
                                   for bl_id, name, country, tz in restaurant.locations]}]


def _line(line: BillLine, currency: str) -> dict[str, Any]:
    multiplier = (Decimal(1) + line.tax_rate / 100).normalize()
    out: dict[str, Any] = {
        "id": line.id, "sku": line.sku, "name": line.name, "statisticGroup": line.group,
        "quantity": amount(line.quantity, 3), "menuListPrice": amount(line.unit_price),
        "totalNetAmountWithTax": amount(line.total_incl + line.service_charge, 6),
        "totalNetAmountWithoutTax": amount(line.total_excl, 6),
        "taxCode": TAX_CODES[line.tax_rate], "taxAmount": amount(line.tax, 6),
        "taxRatePercentage": amount(line.tax_rate), "currency": currency,
        "taxLines": [{"taxId": f"4191029087437{int(line.tax_rate)}", "taxCode": TAX_CODES[line.tax_rate],
                      "taxRate": str(multiplier), "taxAmount": amount(line.tax, 6), "taxIncluded": True}],
        "discountAmount": amount(line.discount, 6), "totalDiscountAmount": amount(line.discount),
        "serviceCharge": amount(line.service_charge),
        "serviceChargeType": "APPORTIONED" if line.service_charge else "NO_SERVICE_CHARGE",
        "serviceChargeRate": "5.00" if line.service_charge else "0.00",
        "accountingGroup": {"accountingGroupId": 141948669132845 if line.group == "Food" else 141948669132846,
                            "name": line.group, "statisticGroup": line.group, "code": line.group[:3].upper()},
        "timeOfSale": timestamp(line.opened_at),
    }
    if line.discount:
        out.update(discountType="DISCOUNT", discountCode="10PCT", discountName="10% Discount")
    if line.void_reason:
        out["voidReason"] = line.void_reason
    return out


def _consumer(guest: Guest) -> dict[str, Any]:
    out = {"id": f"ec021fb0-4c12-425e-b30f-{guest.id:012d}", "customerId": guest.id, "firstName": guest.first_name,
           "lastName": guest.last_name, "email": guest.email, "addressLine1": guest.street, "zipCode": guest.postcode,
           "city": guest.city}
    if guest.company:
        out["companyName"] = guest.company
    return out


def _payment(payment: BillPayment, currency: str, guests: dict[int, Guest]) -> dict[str, Any]:
    method_id, description = PAYMENT_METHODS[payment.method]
    out: dict[str, Any] = {"code": payment.method, "description": description, "paymentMethodId": method_id,
                           "netAmountWithTax": amount(payment.amount), "currency": currency, "tip": amount(payment.tip),
                           "type": "NORMAL", "fiscId": payment.id, "fiscDate": timestamp(payment.paid_at),
                           "surcharge": "0.00", "roundingAmount": "0.00"}
    if payment.guest_id is not None and payment.guest_id in guests:
        out["consumer"] = _consumer(guests[payment.guest_id])
    return out


def render_sale(bill: Bill, restaurant: Restaurant) -> dict[str, Any]:
    by_number = {b.number: b for b in restaurant.bills}
    original = by_number.get(bill.refund_of) if bill.refund_of is not None else None
    sale: dict[str, Any] = {
        "accountReference": f"acc-{bill.location_id}-{bill.number}", "accountFiscId": bill.fisc_id,
        "receiptId": bill.receipt_id, "type": bill.kind, "cancelled": bill.cancelled,
        "timeOfOpening": timestamp(bill.opened_at), "timeClosed": timestamp(bill.closed_at),
        "salesLines": [_line(line, restaurant.currency) for line in bill.lines],
        "payments": [_payment(p, restaurant.currency, restaurant.guests) for p in bill.payments],
        "source": {"initialAccountId": original.fisc_id if original else bill.fisc_id},
        "ownerName": "Manager", "ownerId": 14670, "deviceId": 75125, "deviceName": "ipad9",
        "dineIn": bill.table is not None, "nbCovers": float(bill.covers),
    }
    if original is not None:
        sale["source"]["previousAccountId"] = original.fisc_id
    if bill.table is not None:
        sale.update(tableNumber=bill.table, tableName=f"Dining Room, Table {bill.table}")
    if bill.void_reason:
        sale["voidReason"] = bill.void_reason
    check_sale(sale)
    return sale


def render(restaurant: Restaurant) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """(businesses, sales per business location id)."""
    sales: dict[int, list[dict[str, Any]]] = {bl_id: [] for bl_id, *_ in restaurant.locations}
    for bill in restaurant.bills:
        sales.setdefault(bill.location_id, []).append(render_sale(bill, restaurant))
    return businesses(restaurant), sales


def load_dir(path: Path) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Replay vendor payloads from a folder (see the module docstring)."""
    found: list[dict[str, Any]] = []
    if (path / "businesses.json").exists():
        body = json.loads((path / "businesses.json").read_text())
        found = list(((body.get("_embedded") or {}).get("businessList")) or [])
    sales: dict[int, list[dict[str, Any]]] = {}
    for file in sorted(path.glob("sales-*.json")):
        location = int(file.stem.split("-", 1)[1])
        items = read_list(file, "sales")
        for sale in items:
            check_sale(sale)
        sales.setdefault(location, []).extend(items)
    return found, sales
