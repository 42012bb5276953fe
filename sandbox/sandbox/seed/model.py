"""The generated shop's records: frozen value types, money as `Decimal` quantized to cents, datetimes aware UTC.

Every amount is derived once, by `pricing` (see its docstring for the formulas); renderers only format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address. `country` is ISO 3166-1 alpha-2; `province_code` only for US states."""

    first_name: str
    last_name: str
    company: str | None
    street: str
    house_number: str
    address2: str | None
    postcode: str
    city: str
    country: str
    province_code: str | None
    phone: str | None

    @property
    def line1(self) -> str:
        """Street line as the country writes it (number first in FR/GB/US)."""
        if self.country in ("FR", "GB", "US"):
            return f"{self.house_number} {self.street}"
        return f"{self.street} {self.house_number}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """A shop customer. `kind`: consumer | company; companies in the EU have `vat_number`."""

    id: int
    email: str
    first_name: str
    last_name: str
    company: str | None
    vat_number: str | None
    phone: str | None
    address: Address
    kind: str
    accepts_marketing: bool
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """A sellable variant. `price` includes NL VAT at `tax_rate` (percent: 21, 9 or 0); `tax_class` is
    standard | reduced | zero and decides the destination rate for OSS orders."""

    id: int
    product_id: int
    sku: str
    title: str
    price: Decimal
    tax_rate: Decimal
    tax_class: str
    barcode: str
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A product with its variants; `product_group` is the shop's category (Shopify productType)."""

    id: int
    title: str
    description: str
    product_group: str
    vendor: str
    active: bool
    variants: tuple[Variant, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """One order line with every derived amount (see `pricing` for the formulas).

    `unit_price` and `discount` are in the order's pricing mode (incl. tax when the order's
    `prices_include_tax`), the `_incl`/`_excl` twins give both views. `tax_rate` is a percentage."""

    id: int
    product_id: int | None
    variant_id: int | None
    sku: str
    title: str
    variant_title: str
    quantity: int
    tax_rate: Decimal
    unit_price: Decimal
    unit_price_incl: Decimal
    unit_price_excl: Decimal
    gross_incl: Decimal
    gross_excl: Decimal
    discount_code: str | None
    discount: Decimal
    discount_incl: Decimal
    discount_excl: Decimal
    tax_amount: Decimal
    total_excl: Decimal
    total_incl: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingLine:
    """A shipping charge; `price` in the order's pricing mode, taxed at `tax_rate` percent."""

    id: int
    title: str
    code: str
    tax_rate: Decimal
    price: Decimal
    price_incl: Decimal
    price_excl: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscountCode:
    """A discount code on an order. kind: percentage (value = percent) | fixed_amount (value = EUR, in the
    order's pricing mode). `amount*` is what was actually allocated over the lines."""

    code: str
    kind: str
    value: Decimal
    amount: Decimal
    amount_incl: Decimal
    amount_excl: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    """A payment transaction. kind: sale | refund; status: success | pending; gateway: ideal, creditcard,
    paypal, bancontact, cash or pin."""

    id: int
    kind: str
    status: str
    gateway: str
    amount: Decimal
    processed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundLine:
    """A refunded (part of an) order line; amounts are proportional to `quantity` of the line, rounded."""

    line_id: int
    sku: str
    quantity: int
    amount_incl: Decimal
    amount_excl: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Refund:
    """A refund: lines plus (for full refunds) shipping. `amount` = lines incl + shipping incl."""

    id: int
    created_at: datetime
    note: str | None
    lines: tuple[RefundLine, ...]
    shipping_incl: Decimal
    shipping_excl: Decimal
    shipping_tax: Decimal
    amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxTotal:
    """Tax per rate over lines and shipping: `base` (excl.) and `tax`."""

    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order with all derived totals.

    channel: web | pos. kind: domestic | oss | icp | export (VAT treatment). financial_status: paid | pending |
    refunded | partially_refunded | voided (cancelled before payment). fulfillment_status: fulfilled | partial |
    unfulfilled. `customer_id` is None for anonymous POS sales. Totals: see `pricing`.
    """

    id: int
    number: int
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    channel: str
    kind: str
    currency: str
    prices_include_tax: bool
    test: bool
    customer_id: int | None
    email: str | None
    phone: str | None
    company: str | None
    vat_number: str | None
    billing_address: Address | None
    shipping_address: Address | None
    lines: tuple[OrderLine, ...]
    shipping_lines: tuple[ShippingLine, ...]
    discount_codes: tuple[DiscountCode, ...]
    payments: tuple[Payment, ...]
    refunds: tuple[Refund, ...]
    financial_status: str
    fulfillment_status: str
    note: str | None
    tags: tuple[str, ...]
    lines_total_incl: Decimal
    lines_total_excl: Decimal
    discount_total_incl: Decimal
    discount_total_excl: Decimal
    shipping_total_incl: Decimal
    shipping_total_excl: Decimal
    shipping_tax: Decimal
    subtotal_incl: Decimal
    subtotal_excl: Decimal
    total_tax: Decimal
    total_excl: Decimal
    grand_total: Decimal
    tax_lines: tuple[TaxTotal, ...]
    refunded_total: Decimal
    refunded_tax: Decimal

    @property
    def subtotal(self) -> Decimal:
        """Lines after discounts in the pricing mode (Shopify's subtotal_price)."""
        return self.subtotal_incl if self.prices_include_tax else self.subtotal_excl

    @property
    def discount_total(self) -> Decimal:
        """Total discount in the pricing mode."""
        return self.discount_total_incl if self.prices_include_tax else self.discount_total_excl

    @property
    def current_total(self) -> Decimal:
        """Grand total minus refunds (Shopify's currentTotalPrice)."""
        return self.grand_total - self.refunded_total
