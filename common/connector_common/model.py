"""The canonical commerce model: the one contract between every source and every destination.

Conventions (also stated in schemas/*.json):
- Money is Decimal; tax rates are percentages (Decimal("21"), Decimal("5.5")); timestamps are aware datetimes.
- A line's `discount_*` is everything allocated to that line (line-level and order-level discounts the shop
  allocated), and its `total_*` is after that discount. Order discounts with `allocation == "order"` were NOT
  allocated to lines by the shop and are subtracted once at order level.
- Invariants (checked by `validate_order`):
  sum(line.total_incl) + sum(shipping.amount_incl) - sum(unallocated discount.amount_incl) == totals.grand_total
  and per tax rate, line + shipping - unallocated discount tax == totals.tax_lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    UNKNOWN = "unknown"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "unfulfilled"
    PARTIAL = "partial"
    FULFILLED = "fulfilled"
    RETURNED = "returned"
    UNKNOWN = "unknown"


class DiscountAllocation(StrEnum):
    LINES = "lines"  # the shop spread it over the lines: already inside line.discount_* and line totals
    ORDER = "order"  # not allocated: subtract once at order level (a destination books a discount line)


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    house_number: str | None = None  # where the source splits it (Lightspeed), else None
    postcode: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = field(default=None, metadata={"pattern": "^[A-Z]{2}$"})  # ISO 3166-1 alpha-2
    company: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRef:
    """The customer as the order saw it (a snapshot; the `customers` stream carries the live record)."""

    source_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    is_company: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    line_id: str
    sku: str | None
    title: str
    quantity: Decimal
    unit_price_excl: Decimal
    unit_price_incl: Decimal
    discount_excl: Decimal
    discount_incl: Decimal
    tax_rate: Decimal
    tax_amount: Decimal
    total_excl: Decimal
    total_incl: Decimal
    source_product_id: str | None = None
    source_variant_id: str | None = None
    is_service: bool = False
    taxable: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingLine:
    title: str
    amount_excl: Decimal
    amount_incl: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class LineAllocation:
    line_id: str
    amount_incl: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Discount:
    code: str | None
    title: str
    kind: str  # "percentage" | "fixed_amount" | "shipping" | "other"
    amount_incl: Decimal
    amount_excl: Decimal
    allocation: DiscountAllocation
    allocations: tuple[LineAllocation, ...] = ()
    tax_rate: Decimal | None = None  # for unallocated discounts: the rate to book the discount line at
    tax_amount: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    gateway: str
    amount: Decimal
    kind: str = "sale"  # "sale" | "capture" | "refund" | ...
    processed_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundLine:
    line_id: str
    sku: str | None
    quantity: Decimal
    amount_excl: Decimal
    amount_incl: Decimal
    tax_amount: Decimal
    tax_rate: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Refund:
    refund_id: str
    created_at: datetime
    lines: tuple[RefundLine, ...]
    shipping_incl: Decimal
    adjustment_incl: Decimal  # order adjustments (e.g. refund discrepancy), signed as the shop reports it
    total_incl: Decimal
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxLine:
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    subtotal_incl: Decimal  # sum of line totals incl. tax (after line discounts)
    shipping_incl: Decimal
    discount_incl: Decimal  # all discounts (allocated and not), for information
    tax_total: Decimal
    tax_lines: tuple[TaxLine, ...]
    grand_total: Decimal
    refunded_total: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    source: str  # "shopify" | "lightspeed_ecom" | "lightspeed_retail"
    source_id: str
    reference: str  # the human reference, e.g. "#1001"
    created_at: datetime
    updated_at: datetime
    currency: str = field(metadata={"pattern": "^[A-Z]{3}$"})
    prices_include_tax: bool
    payment_status: PaymentStatus
    fulfillment_status: FulfillmentStatus
    lines: tuple[OrderLine, ...]
    totals: Totals
    paid_at: datetime | None = None
    cancelled: bool = False
    cancelled_at: datetime | None = None
    customer: CustomerRef | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    shipping_lines: tuple[ShippingLine, ...] = ()
    discounts: tuple[Discount, ...] = ()
    payments: tuple[Payment, ...] = ()
    refunds: tuple[Refund, ...] = ()
    tags: tuple[str, ...] = ()
    note: str | None = None
    channel: str = "web"  # "web" | "pos"
    test: bool = False

    @property
    def ship_to(self) -> Address | None:
        """Shipping address, or the billing address when nothing is shipped (the VAT destination)."""
        if self.shipping_address and self.shipping_address.country:
            return self.shipping_address
        return self.billing_address


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    source: str
    source_id: str
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    phone: str | None = None
    vat_number: str | None = None
    is_company: bool = False
    address: Address | None = None
    tax_exempt: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """One sellable product per SKU (a variant of a multi-variant product is its own Product)."""

    source: str
    source_id: str  # the variant id (the sellable unit)
    product_id: str
    sku: str | None
    title: str
    created_at: datetime
    updated_at: datetime
    price_excl: Decimal
    price_incl: Decimal
    tax_rate: Decimal
    variant_title: str | None = None
    description: str | None = None
    product_group: str | None = None
    barcode: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLevel:
    """Stock of one SKU at one ledger location (the way back: ledger -> shop); quantities in the item's unit."""

    source: str  # "exact_online"
    source_id: str  # unique per item and location, e.g. "<item id>@<warehouse code>"
    sku: str  # the ledger's item code; shops match it to a variant SKU
    location: str  # the ledger's warehouse code
    available: Decimal  # the figure configured as sellable (e.g. Exact's free stock: on hand - reserved)
    on_hand: Decimal
    reserved: Decimal
    planned_in: Decimal
    planned_out: Decimal
    updated_at: datetime
    location_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentLine:
    sku: str
    quantity: Decimal
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    """Goods sent for one shop order (the way back): which SKUs, how many, with which carrier and tracking number."""

    source: str  # "exact_online"
    source_id: str  # the ledger's delivery id
    order_source: str  # the shop the order came from, e.g. "shopify" (from the booking reference)
    order_reference: str  # the shop's own order reference, e.g. "#1001"
    shipped_at: datetime
    updated_at: datetime
    lines: tuple[ShipmentLine, ...]
    tracking_number: str | None = None
    tracking_url: str | None = None
    carrier: str | None = None  # the ledger's shipping method (destinations map it to the shop's carrier name)
    delivery_number: str | None = None  # the ledger's human number of the delivery


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCheck:
    """What `validate_order` found: `difference` = grand_total - (lines + shipping - unallocated discounts)."""

    difference: Decimal
    tax_differences: dict[Decimal, Decimal]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def order_key(order: Order) -> str:
    """How errors and reports name an order (the form records.from_record uses): 'source_id (reference)'."""
    return f"{order.source_id} ({order.reference})" if order.reference else order.source_id


def booking_reference(order: Order, refund: Refund | None = None) -> str:
    """Our external reference on a booked document, the key of exactly-once booking in every destination:
    '<source>:<order reference>' (e.g. 'shopify:#1001'), and '<...>/R<refund id>' for a refund's credit document.
    Sources guarantee that an order's reference is unique within its source."""
    base = f"{order.source}:{order.reference}"
    return f"{base}/R{refund.refund_id}" if refund is not None else base


def contradicts_sign(line: OrderLine) -> bool:
    """Whether a line's total has the opposite sign of quantity x unit price: impossible for a sale and for a return
    (e.g. a negative quantity at a positive price with a positive total). Destinations refuse such a line."""
    gross = line.quantity * line.unit_price_incl
    return (gross < 0 < line.total_incl) or (line.total_incl < 0 < gross)


def zero_line_problem(line: OrderLine) -> str | None:
    """The one rule for a line of quantity 0, in both destinations: with no amount it is left out of the document
    (and noted: `dropped_zero_lines`); with an amount it is an error (this message), never booked as 1 x amount."""
    if line.quantity != 0 or (line.total_incl == 0 and line.total_excl == 0 and line.tax_amount == 0):
        return None
    return (f"quantity is 0 but the line amounts to {line.total_incl} incl. VAT ({line.total_excl} excl.): a line "
            "of quantity 0 is only left out when its amount is 0 too")


def dropped_zero_lines(order: Order) -> list[int]:
    """Indexes of the order's lines of quantity 0 and amount 0, which the destinations leave out."""
    return [i for i, line in enumerate(order.lines) if line.quantity == 0 and zero_line_problem(line) is None]


DEFAULT_MAX_ORDER_TOTAL = Decimal(1_000_000)  # the `max_order_total` option's default, in the order's currency


@dataclass(frozen=True, slots=True)
class AmountLimit:
    """The largest amount a ledger can hold, from its documented field range, and where that range is written."""

    largest: Decimal
    source: str


def implausible_amount(order: Order, *, max_order_total: Decimal | None, limit: AmountLimit) -> tuple[str, str] | None:
    """The one plausibility rule for amounts, in every destination: (field, message) for the first amount that is
    above the ledger's documented range (`limit`) or an order total above `max_order_total` (None: no maximum);
    None when every amount is plausible. Signs are not judged here: a negative unit price is a negative line."""
    candidates: list[tuple[str, Decimal]] = []
    for i, line in enumerate(order.lines):  # the line first: it says where the amount came from
        candidates += [(f"lines.{i}.unit_price_incl", line.unit_price_incl), (f"lines.{i}.total_incl", line.total_incl)]
    candidates.append(("totals.grand_total", order.totals.grand_total))
    for field_path, value in candidates:
        if abs(value) > limit.largest:
            return field_path, (f"{value} {order.currency} is beyond the largest amount the ledger holds "
                                f"({limit.largest}: {limit.source})")
    total = order.totals.grand_total
    if max_order_total is not None and abs(total) > max_order_total:
        return "totals.grand_total", (f"order total {total} {order.currency} is above max_order_total "
                                      f"{max_order_total}: not booked as implausible; raise max_order_total in the "
                                      "config if the order is real")
    return None


def validate_order(order: Order) -> OrderCheck:
    """Check the invariants a bookkeeper relies on, to the cent, and return the exact differences."""
    problems: list[str] = []
    for i, line in enumerate(order.lines, start=1):
        if contradicts_sign(line):
            problems.append(f"line {i}: quantity {line.quantity} x unit price {line.unit_price_incl} has the opposite "
                            f"sign of total_incl {line.total_incl}")
        if line.total_incl != line.total_excl + line.tax_amount:
            problems.append(f"line {i}: total_incl {line.total_incl} != total_excl {line.total_excl}"
                            f" + tax {line.tax_amount}")
    for i, ship in enumerate(order.shipping_lines, start=1):
        if ship.amount_incl != ship.amount_excl + ship.tax_amount:
            problems.append(f"shipping {i}: amount_incl {ship.amount_incl} != amount_excl + tax {ship.tax_amount}")
    unallocated = [d for d in order.discounts if d.allocation is DiscountAllocation.ORDER]
    expected = (
        sum((line.total_incl for line in order.lines), Decimal(0))
        + sum((s.amount_incl for s in order.shipping_lines), Decimal(0))
        - sum((d.amount_incl for d in unallocated), Decimal(0))
    )
    difference = order.totals.grand_total - expected
    if difference:
        problems.append(f"grand total {order.totals.grand_total} differs from lines + shipping - discounts {expected}"
                        f" by {difference}")
    per_rate: dict[Decimal, Decimal] = {}
    for line in order.lines:
        per_rate[line.tax_rate] = per_rate.get(line.tax_rate, Decimal(0)) + line.tax_amount
    for ship in order.shipping_lines:
        per_rate[ship.tax_rate] = per_rate.get(ship.tax_rate, Decimal(0)) + ship.tax_amount
    for disc in unallocated:
        if disc.tax_rate is not None:
            per_rate[disc.tax_rate] = per_rate.get(disc.tax_rate, Decimal(0)) - disc.tax_amount
    reported = {t.rate: t.amount for t in order.totals.tax_lines}
    tax_differences = {}
    for rate in sorted(set(per_rate) | set(reported)):
        diff = reported.get(rate, Decimal(0)) - per_rate.get(rate, Decimal(0))
        if diff:
            tax_differences[rate] = diff
            problems.append(f"tax at {rate}%: reported {reported.get(rate, Decimal(0))}, lines add up to "
                            f"{per_rate.get(rate, Decimal(0))}")
    tax_sum = sum((t.amount for t in order.totals.tax_lines), Decimal(0))
    if tax_sum != order.totals.tax_total:
        problems.append(f"tax lines add up to {tax_sum}, tax_total is {order.totals.tax_total}")
    return OrderCheck(difference=difference, tax_differences=tax_differences, problems=tuple(problems))
