"""PURE: Exact Online rows -> canonical StockLevel, Shipment, Product, Customer (no I/O, no clock)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from connector_common.errors import RecordError
from connector_common.exact import parse_exact_datetime
from connector_common.model import Address, Customer, Product, Shipment, ShipmentLine, StockLevel
from connector_common.vat import COUNTRIES

SOURCE = "exact_online"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
STOCK_FIGURE_FIELDS = {"free": "FreeStock", "current": "CurrentStock", "projected": "ProjectedStock"}
# '<source>:<order reference>' as destination-exact-online writes it into YourRef (model.booking_reference)
_BOOKING_REFERENCE = re.compile(r"^(?P<source>[a-z][a-z0-9_]*):(?P<reference>\S.*)$")
Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class OrderRef:
    """The shop order a sales order was booked for."""

    source: str
    reference: str


# -- small value helpers --------------------------------------------------------------------------------------
def quantity(row: Row, field: str, stream: str, key: str) -> Decimal:
    """An Exact Edm.Double as an exact Decimal; a missing figure is 0 (Exact leaves unused figures empty)."""
    value = row.get(field)
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        raise RecordError(stream, key, field, f"{value!r} is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RecordError(stream, key, field, f"{value!r} is not a number") from None


def when(row: Row, field: str, stream: str, key: str, *, required: bool = True) -> datetime | None:
    """An Exact date (`/Date(ms)/`, CET wall-clock) as an aware UTC datetime."""
    try:
        parsed = parse_exact_datetime(row.get(field))
    except (TypeError, ValueError):
        raise RecordError(stream, key, field, f"{row.get(field)!r} is not an Exact date") from None
    if parsed is None and required:
        raise RecordError(stream, key, field, "is empty")
    return parsed


def text(value: Any) -> str | None:
    """Trimmed text, None when empty (Exact pads codes: '   255', 'NL ')."""
    cleaned = str(value).strip() if value is not None else ""
    return cleaned or None


def parse_booking_reference(your_ref: str | None) -> OrderRef | None:
    """'shopify:#1001' -> OrderRef('shopify', '#1001'); None when the sales order was not booked by us."""
    match = _BOOKING_REFERENCE.match((your_ref or "").strip())
    if not match or "/R" in match["reference"]:
        return None
    return OrderRef(match["source"], match["reference"])


def tracking_url(template: str | None, number: str | None) -> str | None:
    """The shipping method's TrackingURL with the tracking number: '{0}' / '{tracking}' is replaced, otherwise the
    number is appended (Exact does not document the URL's format)."""
    base, code = text(template), text(number)
    if not base or not code:
        return None
    for marker in ("{0}", "{tracking}", "{trackingnumber}", "{TrackingNumber}"):
        if marker in base:
            return base.replace(marker, code)
    return base + code


# -- stock ----------------------------------------------------------------------------------------------------
def to_stock_level(row: Row, *, figure: str, observed_at: datetime) -> StockLevel:
    """A `sync/Inventory/StockPositions` row (one item in one warehouse) -> StockLevel.

    `available` is the configured figure: free = FreeStock (in stock minus reserved), current = CurrentStock,
    projected = ProjectedStock. The sync row carries no modification date: `updated_at` is when it was read.
    """
    item_id = text(row.get("ItemId")) or ""
    warehouse = text(row.get("WarehouseCode"))
    key = f"{item_id}@{warehouse or ''}"
    sku = text(row.get("ItemCode"))
    if not sku:
        raise RecordError("stock_levels", key, "ItemCode", "the stock position has no item code")
    if not warehouse:
        raise RecordError("stock_levels", key, "WarehouseCode", "the stock position has no warehouse")
    if figure not in STOCK_FIGURE_FIELDS:
        raise ValueError(f"unknown stock figure {figure!r}")
    values = {name: quantity(row, name, "stock_levels", key) for name in
              ("CurrentStock", "FreeStock", "ProjectedStock", "ReservedStock", "PlanningIn", "PlanningOut")}
    return StockLevel(source=SOURCE, source_id=key, sku=sku, location=warehouse,
                      available=values[STOCK_FIGURE_FIELDS[figure]], on_hand=values["CurrentStock"],
                      reserved=values["ReservedStock"], planned_in=values["PlanningIn"],
                      planned_out=values["PlanningOut"], updated_at=observed_at,
                      location_name=text(row.get("WarehouseDescription")))


# -- shipments ------------------------------------------------------------------------------------------------
def to_shipment(delivery: Row, lines: Sequence[Row], order: OrderRef, *,
                shipping_method: Row | None = None) -> Shipment:
    """A goods delivery with its lines -> Shipment of the shop order `order` (found from the sales order's YourRef).

    Lines are the delivered quantities per item code; lines with nothing delivered are left out. The carrier is the
    shipping method's description (else its code); the tracking number is the header's, else the first line's.
    """
    key = text(delivery.get("EntryID")) or ""
    shipped: list[ShipmentLine] = []
    for line in sorted(lines, key=lambda ln: int(ln.get("LineNumber") or 0)):
        sku = text(line.get("ItemCode"))
        count = quantity(line, "QuantityDelivered", "shipments", key)
        if not count:
            continue
        if not sku:
            raise RecordError("shipments", key, f"lines.{line.get('LineNumber')}.ItemCode", "the line has no item code")
        shipped.append(ShipmentLine(sku=sku, quantity=count, title=text(line.get("ItemDescription"))))
    if not shipped:
        raise RecordError("shipments", key, "GoodsDeliveryLines", "the delivery has no delivered quantities")
    number = text(delivery.get("TrackingNumber")) or next(
        (t for t in (text(ln.get("TrackingNumber")) for ln in lines) if t), None)
    carrier = text(delivery.get("ShippingMethodDescription")) or text(delivery.get("ShippingMethodCode"))
    delivered = delivery.get("DeliveryNumber")
    shipped_at = when(delivery, "DeliveryDate", "shipments", key)
    updated_at = when(delivery, "Modified", "shipments", key, required=False) or shipped_at
    assert shipped_at is not None and updated_at is not None
    return Shipment(source=SOURCE, source_id=key, order_source=order.source, order_reference=order.reference,
                    shipped_at=shipped_at, updated_at=updated_at, lines=tuple(shipped), tracking_number=number,
                    tracking_url=tracking_url((shipping_method or {}).get("TrackingURL"), number),
                    carrier=carrier, delivery_number=str(delivered) if delivered is not None else None)


# -- products -------------------------------------------------------------------------------------------------
def default_price(prices: Sequence[Row], *, on: datetime) -> Row | None:
    """The item's normal sales price on a date: no account (not a price agreement), for a quantity of at most one,
    valid on `on`; the latest start date wins, then the latest change."""
    valid = []
    for price in prices:
        if text(price.get("Account")) or quantity(price, "Quantity", "products", "") > 1:
            continue
        start = parse_exact_datetime(price.get("StartDate"))
        end = parse_exact_datetime(price.get("EndDate"))
        if (start and start > on) or (end and end < on):
            continue
        changed = parse_exact_datetime(price.get("Modified"))
        floor = datetime.min.replace(tzinfo=on.tzinfo)
        valid.append(((start or floor, changed or floor), price))
    return max(valid, key=lambda pair: pair[0])[1] if valid else None


def to_product(item: Row, price: Row | None, vat_codes: Mapping[str, Row], *, on: datetime) -> Product:
    """A `sync/Logistics/Items` row and its default sales price -> Product (one SKU = one Exact item).

    The price is excl. VAT unless the item's sales VAT code is an including one (Type I). An item without a sales
    price has price 0 (as Exact shows it). Inactive: not a sales item, or past its end date.
    """
    key = text(item.get("ID")) or ""
    code = text(item.get("Code"))
    if not code:
        raise RecordError("products", key, "Code", "the item has no code")
    vat_code = text(item.get("SalesVatCode"))
    vat = vat_codes.get(vat_code or "")
    if vat_code and vat is None:
        raise RecordError("products", f"{key} ({code})", "SalesVatCode", f"VAT code {vat_code!r} does not exist")
    rate = _percent(quantity(vat, "Percentage", "products", key)) if vat else Decimal(0)
    amount = quantity(price, "Price", "products", key) if price else Decimal(0)
    if vat and text(vat.get("Type")) == "I":
        incl = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        excl = (incl * HUNDRED / (HUNDRED + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        excl = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        incl = (excl * (HUNDRED + rate) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    created = when(item, "Created", "products", key, required=False)
    modified = when(item, "Modified", "products", key, required=False) or created
    price_modified = when(price, "Modified", "products", key, required=False) if price else None
    stamps = [d for d in (modified, price_modified) if d is not None]
    if not stamps:
        raise RecordError("products", key, "Modified", "is empty")
    updated = max(stamps)
    end = when(item, "EndDate", "products", key, required=False)
    title = text(item.get("Description")) or code
    return Product(source=SOURCE, source_id=key, product_id=key, sku=code, title=title,
                   created_at=created or updated, updated_at=updated, price_excl=excl, price_incl=incl,
                   tax_rate=rate, description=text(item.get("ExtraDescription")),
                   product_group=text(item.get("ItemGroupDescription")), barcode=text(item.get("Barcode")),
                   active=bool(item.get("IsSalesItem", True)) and (end is None or end > on))


def _percent(fraction: Decimal) -> Decimal:
    """Exact's fraction (0.21, 0.055) as the model's percentage (21, 5.5), without trailing zeros."""
    percent = fraction * HUNDRED
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent.normalize()


# -- customers ------------------------------------------------------------------------------------------------
def to_customer(account: Row, contact: Row | None) -> Customer:
    """A `sync/CRM/Accounts` row and its main contact -> Customer.

    A company is an account with a VAT number or a Chamber of Commerce number: its Name is the company name, the
    contact gives the person. Otherwise the account is a private person: the contact's names, else the account
    name as the last name. The e-mail is the account's, else the main contact's.
    """
    key = text(account.get("ID")) or ""
    vat = text(account.get("VATNumber"))
    is_company = bool(vat or text(account.get("ChamberOfCommerce")))
    name = text(account.get("Name"))
    first = text((contact or {}).get("FirstName"))
    middle = text((contact or {}).get("MiddleName"))
    last = text((contact or {}).get("LastName"))
    if middle and last:
        last = f"{middle} {last}"
    if not is_company and not (first or last):
        last = name
    country = text(account.get("Country"))
    country = country.upper() if country else None
    if country and country not in COUNTRIES:
        raise RecordError("customers", key, "Country", f"{country!r} is not an ISO 3166 country code")
    address = Address(line1=text(account.get("AddressLine1")), line2=text(account.get("AddressLine2")),
                      postcode=text(account.get("Postcode")), city=text(account.get("City")),
                      region=text(account.get("State")), country=country,
                      company=name if is_company else None, first_name=first, last_name=last,
                      phone=text(account.get("Phone")))
    created = when(account, "Created", "customers", key, required=False)
    modified = when(account, "Modified", "customers", key, required=False) or created
    contact_modified = when(contact, "Modified", "customers", key, required=False) if contact else None
    stamps = [d for d in (modified, contact_modified) if d is not None]
    if not stamps:
        raise RecordError("customers", key, "Modified", "is empty")
    updated = max(stamps)
    has_address = any((address.line1, address.postcode, address.city, address.country))
    return Customer(source=SOURCE, source_id=key, created_at=created or updated, updated_at=updated,
                    email=text(account.get("Email")) or text((contact or {}).get("Email")), first_name=first,
                    last_name=last, company_name=name if is_company else None,
                    phone=text(account.get("Phone")) or text((contact or {}).get("Phone")), vat_number=vat,
                    is_company=is_company, address=address if has_address else None)
