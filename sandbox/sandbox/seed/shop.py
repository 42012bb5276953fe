"""The shop and its settings: a Dutch webshop selling in EUR, with the VAT rates of the countries it ships to.

`Shop` is the mutable container every stand-in renders; the records in it are frozen (`model`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sandbox.seed.model import Customer, Order, Product, Variant

SHOP_COUNTRY = "NL"
CURRENCY = "EUR"
TIMEZONE = "Europe/Amsterdam"
CUSTOMER_START = datetime(2023, 6, 1, 8, 0, 0, tzinfo=UTC)
ORDER_START = datetime(2024, 1, 2, 8, 0, 0, tzinfo=UTC)

# (standard, reduced) VAT rates per destination; the NL shop's products carry classes standard/reduced/zero.
VAT_RATES: dict[str, tuple[Decimal, Decimal]] = {
    "NL": (Decimal("21"), Decimal("9")),
    "BE": (Decimal("21"), Decimal("6")),
    "DE": (Decimal("19"), Decimal("7")),
    "FR": (Decimal("20"), Decimal("5.5")),
    "SE": (Decimal("25"), Decimal("12")),
}
EU_COUNTRIES = frozenset(VAT_RATES)
TAGS = ("wholesale", "vip", "newsletter", "returning", "gift")  # customer and order tags


def vat_rate(country: str, tax_class: str) -> Decimal:
    """The rate in `country` (one of `VAT_RATES`) of a product's VAT class: standard | reduced | zero."""
    standard, reduced = VAT_RATES[country]
    return {"standard": standard, "reduced": reduced}.get(tax_class, Decimal("0"))


@dataclass(kw_only=True)
class Shop:
    """The generated shop: a mutable container of frozen records, keyed by id in insertion (id) order.

    `version` increases on every mutation so renderers can cache per (id, version). `seed` and `order_count`
    record how it was made. Shop-level facts: NL shop, currency EUR, prices incl. VAT by default.
    """

    seed: str | None
    name: str
    domain: str
    email: str
    currency: str = CURRENCY
    country: str = SHOP_COUNTRY
    timezone: str = TIMEZONE
    customers: dict[int, Customer] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    version: int = 0
    order_count: int = 0

    def variant(self, variant_id: int) -> Variant | None:
        """Variant by id (linear over products; products are few)."""
        return next((v for p in self.products.values() for v in p.variants if v.id == variant_id), None)

    def orders_by_updated(self) -> list[Order]:
        """Orders ascending by (updated_at, id), the order an incremental reader expects."""
        return sorted(self.orders.values(), key=lambda o: (o.updated_at, o.id))


def empty_shop(seed: str | None) -> Shop:
    """The shop's name, domain and address for `seed`, with no customers, products or orders yet."""
    slug = (seed or "empty").lower().replace(" ", "-")
    return Shop(seed=seed, name=f"Sandbox shop {seed or 'empty'}", domain=f"{slug}.example.com",
                email=f"info@{slug}.example.com")
