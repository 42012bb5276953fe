"""Deterministic, vendor-neutral generated webshop that the Shopify and Lightspeed stand-ins render.

Public API (kept stable; other stand-ins import it):

- `generate_shop(seed, orders) -> Shop`: same seed + count gives identical data; `seed=None` gives an empty shop.
  A seed of the form ``"dir:/path"`` is NOT handled here: each source stand-in loads its own vendor-format
  JSON from that folder (see `dir_seed_path`) and documents the layout in its own module docstring.
- Value types (frozen dataclasses, money as `Decimal` quantized to cents, datetimes aware UTC):
  `Address`, `Customer`, `Variant`, `Product`, `OrderLine`, `ShippingLine`, `DiscountCode`, `Payment`,
  `RefundLine`, `Refund`, `TaxTotal`, `Order`; the mutable container `Shop`.
- Mutations for incremental-sync tests (each replaces the frozen order, bumps its `updated_at` to `at` and
  `shop.version`): `touch`, `mark_paid`, `cancel`, `refund`, `fulfil`, `add_orders`, `touch_customer`.

Money rules, computed ONCE here (renderers only format): every amount is rounded ROUND_HALF_UP to cents.
An order is priced either tax-inclusive (`prices_include_tax=True`, the Dutch default) or exclusive. For a line
the *pricing-mode* unit price times quantity is the gross; the discount is allocated in the same mode; then

- inclusive: total_incl = gross_incl - discount_incl; tax = round(total_incl * r / (100 + r));
  total_excl = total_incl - tax;
  gross_excl = round(gross_incl * 100 / (100 + r)); discount_excl = gross_excl - total_excl
- exclusive: total_excl = gross_excl - discount_excl; tax = round(total_excl * r / 100);
  total_incl = total_excl + tax;
  gross_incl = round(gross_excl * (100 + r) / 100); discount_incl = gross_incl - total_incl

Shipping lines are taxed the same way (no discounts on shipping). The order totals are plain sums, so these
identities hold exactly (tests check them for every generated order):

    lines_total_incl - discount_total_incl + shipping_total_incl == grand_total
    lines_total_excl - discount_total_excl + shipping_total_excl == total_excl
    sum(t.tax for t in tax_lines) == total_tax == grand_total - total_excl

VAT treatment (`Order.kind`): "domestic" (NL, 21/9/0 by product class), "oss" (B2C to DE/BE/FR/SE: destination
rate, e.g. DE 19/7, BE 21/6, FR 20/5.5, SE 25/12), "icp" (B2B to another EU country with a VAT number: 0 %,
reverse charge, prices are the net NL price) and "export" (GB/US: 0 %, net price). Shipping is taxed at the
destination's standard rate (21 for NL), 0 for icp/export.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from stdnum.eu import vat as eu_vat

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
SHOP_COUNTRY = "NL"
CURRENCY = "EUR"
PRODUCTS_PER_SHOP = 36
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

FIRST_NAMES = ("Zoë", "Jan", "Åsa", "François", "Sanne", "Daan", "Émilie", "Jürgen", "Lotte", "Noah", "Fleur",
               "Björn", "Chloé", "Sven", "Inés", "Mark", "Anouk", "Pieter", "Siobhán", "Lars", "Ana", "Tom")
LAST_NAMES = ("Müller", "de Vries", "Jansen", "O'Brien", "Bakker", "Lefèvre", "Åström", "van den Berg", "Dubois",
              "Schröder", "Visser", "Peeters", "Smit", "D'Angelo", "Nilsson", "Janssens", "Meijer", "Dupont")
COMPANY_STEMS = ("Bloem", "Fietsen", "Koffie", "Atelier", "Brouwerij", "Design", "Handel", "Drukkerij",
                 "Tuin", "Keuken")
COMPANY_SUFFIX = {"NL": "B.V.", "BE": "BV", "DE": "GmbH", "FR": "SARL", "SE": "AB"}
STREETS = {
    "NL": ("Kerkstraat", "Prinsengracht", "Dorpsstraat", "Stationsweg", "Coolsingel"),
    "BE": ("Rue de la Loi", "Meir", "Kerkstraat", "Avenue Louise"),
    "DE": ("Hauptstraße", "Schillerstraße", "Königsallee", "Bahnhofstraße"),
    "FR": ("Rue de Rivoli", "Avenue des Champs-Élysées", "Rue Saint-Honoré"),
    "SE": ("Storgatan", "Drottninggatan", "Kungsgatan"),
    "GB": ("High Street", "Baker Street", "Station Road"),
    "US": ("Fifth Avenue", "Main Street", "Market Street"),
}
CITIES = {
    "NL": (("Amsterdam", "1012"), ("Rotterdam", "3011"), ("Utrecht", "3511"), ("Groningen", "9711"),
           ("'s-Hertogenbosch", "5211")),
    "BE": (("Brussel", "1000"), ("Antwerpen", "2000"), ("Gent", "9000"), ("Liège", "4000")),
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Köln", "50667"), ("Düsseldorf", "40213")),
    "FR": (("Paris", "75001"), ("Lyon", "69001"), ("Besançon", "25000")),
    "SE": (("Stockholm", "111 22"), ("Göteborg", "411 04"), ("Malmö", "211 20")),
    "GB": (("London", "SW1A 2AA"), ("Manchester", "M1 1AE")),
    "US": (("New York", "10118"), ("Portland", "97201")),
}
US_STATES = {"New York": "NY", "Portland": "OR"}
PHONE_PREFIX = {"NL": "+31 6 ", "BE": "+32 470 ", "DE": "+49 151 ", "FR": "+33 6 ", "SE": "+46 70 ",
                "GB": "+44 7700 ", "US": "+1 503 "}
PRODUCT_CATALOG = (
    # (title, product group, tax class, price incl NL VAT, variant titles)
    ("Canvas tote bag", "Bags", "standard", "24.95", ("Natural", "Black")),
    ("Men's Jeans", "Clothing", "standard", "89.00", ("32/32", "34/32", "36/34")),
    ("Organic coffee beans 1 kg", "Food", "reduced", "18.50", ("Whole bean", "Ground")),
    ("Stroopwafels tin", "Food", "reduced", "7.49", ("Default",)),
    ("Gift card", "Gift cards", "zero", "25.00", ("€25",)),
    ("Cookbook: Dutch kitchen", "Books", "reduced", "29.99", ("Hardcover",)),
    ("Ceramic mug", "Home", "standard", "12.95", ("White", "Blue")),
    ("Wool scarf", "Clothing", "standard", "39.95", ("Grey", "Ochre")),
    ("Bicycle lamp set", "Bikes", "standard", "19.99", ("Default",)),
    ("Tulip bulbs (20)", "Garden", "reduced", "9.95", ("Mixed", "Red")),
    ("Linen apron", "Home", "standard", "34.50", ("Default",)),
    ("Rain jacket", "Clothing", "standard", "129.00", ("S", "M", "L")),
)
DISCOUNTS = (("WELCOME10", "percentage", Decimal("10")), ("SUMMER15", "percentage", Decimal("15")),
             ("FIVEOFF", "fixed_amount", Decimal("5.00")), ("TENOFF", "fixed_amount", Decimal("10.00")))
SHIPPING_INCL = {"domestic": Decimal("4.95"), "oss": Decimal("9.95"), "icp": Decimal("12.50"),
                 "export": Decimal("24.95")}
FREE_SHIPPING_FROM = Decimal("75.00")
TAGS = ("wholesale", "vip", "newsletter", "returning", "gift")


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up (the only rounding used in the shop)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def dir_seed_path(seed: str | None) -> Path | None:
    """The folder of a ``"dir:/path"`` seed (vendor-format JSON to replay), or None for a generated seed."""
    if seed is not None and seed.startswith("dir:"):
        return Path(seed[4:])
    return None


# ---------------------------------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------------------------------
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
    """One order line with every derived amount (see module docstring for the formulas).

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
    unfulfilled. `customer_id` is None for anonymous POS sales. Totals: see the module docstring.
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
    timezone: str = "Europe/Amsterdam"
    customers: dict[int, Customer] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    version: int = 0
    order_count: int = 0

    def variant(self, variant_id: int) -> Variant | None:
        """Variant by id (linear over products; products are few)."""
        for product in self.products.values():
            for variant in product.variants:
                if variant.id == variant_id:
                    return variant
        return None

    def orders_by_updated(self) -> list[Order]:
        """Orders ascending by (updated_at, id), the order an incremental reader expects."""
        return sorted(self.orders.values(), key=lambda o: (o.updated_at, o.id))


# ---------------------------------------------------------------------------------------------------------------
# Money helpers (pure)
# ---------------------------------------------------------------------------------------------------------------
def net_of(price_incl: Decimal, rate: Decimal) -> Decimal:
    """Price excl. tax for a price incl. tax at `rate` percent."""
    return cents(price_incl * HUNDRED / (HUNDRED + rate))


def gross_of(price_excl: Decimal, rate: Decimal) -> Decimal:
    """Price incl. tax for a price excl. tax at `rate` percent."""
    return cents(price_excl * (HUNDRED + rate) / HUNDRED)


def price_line(*, line_id: int, variant: Variant, title: str, quantity: int, rate: Decimal, unit_price: Decimal,
               include_tax: bool, discount: Decimal, discount_code: str | None) -> OrderLine:
    """Derive every amount of one line from its pricing-mode unit price and discount."""
    if include_tax:
        unit_incl, unit_excl = unit_price, net_of(unit_price, rate)
        gross_incl = unit_price * quantity
        total_incl = gross_incl - discount
        tax = cents(total_incl * rate / (HUNDRED + rate))
        total_excl = total_incl - tax
        gross_excl = net_of(gross_incl, rate)
        discount_incl, discount_excl = discount, gross_excl - total_excl
    else:
        unit_excl, unit_incl = unit_price, gross_of(unit_price, rate)
        gross_excl = unit_price * quantity
        total_excl = gross_excl - discount
        tax = cents(total_excl * rate / HUNDRED)
        total_incl = total_excl + tax
        gross_incl = gross_of(gross_excl, rate)
        discount_excl, discount_incl = discount, gross_incl - total_incl
    return OrderLine(id=line_id, product_id=variant.product_id, variant_id=variant.id, sku=variant.sku,
                     title=title, variant_title=variant.title,
                     quantity=quantity, tax_rate=rate, unit_price=unit_price, unit_price_incl=unit_incl,
                     unit_price_excl=unit_excl, gross_incl=gross_incl, gross_excl=gross_excl,
                     discount_code=discount_code, discount=discount, discount_incl=discount_incl,
                     discount_excl=discount_excl, tax_amount=tax, total_excl=total_excl, total_incl=total_incl)


def price_shipping(*, line_id: int, title: str, code: str, price: Decimal, rate: Decimal,
                   include_tax: bool) -> ShippingLine:
    """Derive the amounts of a shipping line from its pricing-mode price."""
    if include_tax:
        tax = cents(price * rate / (HUNDRED + rate))
        incl, excl = price, price - tax
    else:
        tax = cents(price * rate / HUNDRED)
        excl, incl = price, price + tax
    return ShippingLine(id=line_id, title=title, code=code, tax_rate=rate, price=price, price_incl=incl,
                        price_excl=excl, tax_amount=tax)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` proportionally in cents; the last share takes the rounding rest."""
    whole = sum(weights, ZERO)
    if whole == 0:
        return [ZERO for _ in weights]
    shares = [cents(total * w / whole) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def order_totals(lines: tuple[OrderLine, ...], shipping: tuple[ShippingLine, ...],
                 refunds: tuple[Refund, ...]) -> dict[str, object]:
    """All order-level sums (keyword arguments for `Order`)."""
    per_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for rate, base, tax in [(ln.tax_rate, ln.total_excl, ln.tax_amount) for ln in lines] + \
            [(s.tax_rate, s.price_excl, s.tax_amount) for s in shipping]:
        old_base, old_tax = per_rate.get(rate, (ZERO, ZERO))
        per_rate[rate] = (old_base + base, old_tax + tax)
    lines_incl = sum((ln.gross_incl for ln in lines), ZERO)
    lines_excl = sum((ln.gross_excl for ln in lines), ZERO)
    disc_incl = sum((ln.discount_incl for ln in lines), ZERO)
    disc_excl = sum((ln.discount_excl for ln in lines), ZERO)
    ship_incl = sum((s.price_incl for s in shipping), ZERO)
    ship_excl = sum((s.price_excl for s in shipping), ZERO)
    ship_tax = sum((s.tax_amount for s in shipping), ZERO)
    total_tax = sum((ln.tax_amount for ln in lines), ZERO) + ship_tax
    return {
        "lines_total_incl": lines_incl, "lines_total_excl": lines_excl,
        "discount_total_incl": disc_incl, "discount_total_excl": disc_excl,
        "shipping_total_incl": ship_incl, "shipping_total_excl": ship_excl, "shipping_tax": ship_tax,
        "subtotal_incl": lines_incl - disc_incl, "subtotal_excl": lines_excl - disc_excl,
        "total_tax": total_tax, "total_excl": lines_excl - disc_excl + ship_excl,
        "grand_total": lines_incl - disc_incl + ship_incl,
        "tax_lines": tuple(TaxTotal(rate=r, base=b, tax=t) for r, (b, t) in sorted(per_rate.items(), reverse=True)),
        "refunded_total": sum((r.amount for r in refunds), ZERO),
        "refunded_tax": sum((r.tax_amount for r in refunds), ZERO),
    }


# ---------------------------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------------------------
def _ean13(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    digits[0] = 8
    digits[1] = 7  # 87x: the GS1 Netherlands prefix
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def _vat_number(rng: random.Random, country: str) -> str:
    def digits(n: int) -> str:
        return "".join(str(rng.randrange(10)) for _ in range(n))

    if country == "NL":
        return _with_check_digits(f"NL{digits(9)}B{rng.randrange(1, 100):02d}", 9, 11)
    if country == "BE":
        return _with_check_digits(f"BE0{digits(9)}", 10, 12)
    if country == "DE":
        return _with_check_digits(f"DE{digits(9)}", 9, 11, also=(2, 3))  # check digit; the first is never 0
    if country == "FR":
        return _with_check_digits(f"FR{digits(11)}", 2, 4, also=(12, 13))  # key, and the SIREN's Luhn digit
    return _with_check_digits(f"SE{digits(10)}01", 10, 12)


def _with_check_digits(number: str, start: int, end: int, *, also: tuple[int, int] | None = None) -> str:
    """`number` with the digits at [start:end] (and at `also`, when a second check applies) replaced by the first
    values that make it a valid EU VAT number (check digits per country, as python-stdnum checks them and as the
    vendors' VIES look-ups require). Draws nothing from the seeded RNG, so every other generated value stays as it
    was."""
    spans = [(start, end), *([also] if also else [])]
    for shifts in itertools.product(*(range(10 ** (b - a)) for a, b in spans)):
        candidate = number
        for (a, b), shift in zip(spans, shifts, strict=True):
            candidate = f"{candidate[:a]}{(int(number[a:b]) + shift) % 10 ** (b - a):0{b - a}d}{candidate[b:]}"
        if eu_vat.is_valid(candidate):
            return candidate
    raise AssertionError(f"no check digits make {number} valid")  # cannot happen for the five countries above


def _address(rng: random.Random, country: str, *, first: str, last: str, company: str | None, phone: str) -> Address:
    city, postcode = rng.choice(CITIES[country])
    if country == "NL":
        postcode = f"{postcode} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    return Address(first_name=first, last_name=last, company=company, street=rng.choice(STREETS[country]),
                   house_number=str(rng.randrange(1, 250)) + (rng.choice(("", "", "", "A", "-2"))),
                   address2=rng.choice((None, None, None, "2e etage", "Unit 4")), postcode=postcode, city=city,
                   country=country, province_code=US_STATES.get(city) if country == "US" else None, phone=phone)


def _email(rng: random.Random, first: str, last: str, n: int) -> str:
    plain = {"ë": "e", "é": "e", "è": "e", "ç": "c", "ü": "u", "ö": "o", "å": "a", "á": "a", "Å": "A", "É": "E",
             "ó": "o", "í": "i"}
    local = "".join(plain.get(ch, ch) for ch in f"{first}.{last}").replace(" ", "")
    local = local if rng.random() < 0.3 else local.lower()  # some mixed case
    return f"{local}{n}@example.com"


def _customers(rng: random.Random, count: int) -> dict[int, Customer]:
    kinds = (("NL", "consumer", 55), ("NL", "company", 10), ("BE", "company", 5), ("DE", "company", 5),
             ("FR", "company", 3), ("SE", "company", 2), ("DE", "consumer", 7), ("BE", "consumer", 5),
             ("FR", "consumer", 3), ("GB", "consumer", 3), ("US", "consumer", 2))
    choices = [(c, k) for c, k, w in kinds for _ in range(w)]
    out: dict[int, Customer] = {}
    at = CUSTOMER_START
    for cid in range(1, count + 1):
        country, kind = choices[(cid * 7) % len(choices)] if cid <= 3 else rng.choice(choices)
        if cid == 1:
            first, last = "Siobhán", "O'Brien"  # always present: apostrophes in name and email
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = vat = None
        if kind == "company":
            company = f"{rng.choice(COMPANY_STEMS)} {last} {COMPANY_SUFFIX.get(country, 'Ltd')}"
            vat = _vat_number(rng, country) if country in EU_COUNTRIES else None
        phone = PHONE_PREFIX[country] + "".join(str(rng.randrange(10)) for _ in range(8))
        at += timedelta(seconds=rng.randrange(600, 20000))
        out[cid] = Customer(id=cid, email=_email(rng, first, last, cid), first_name=first, last_name=last,
                            company=company, vat_number=vat, phone=phone if rng.random() < 0.8 else None,
                            address=_address(rng, country, first=first, last=last, company=company,
                                                    phone=phone), kind=kind,
                            accepts_marketing=rng.random() < 0.4,
                            tags=tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(3))})),
                            created_at=at, updated_at=at + timedelta(seconds=rng.randrange(0, 86400)))
    return out


def _products(rng: random.Random) -> dict[int, Product]:
    out: dict[int, Product] = {}
    variant_id = 1
    at = CUSTOMER_START - timedelta(days=200)
    for pid in range(1, PRODUCTS_PER_SHOP + 1):
        title, group, tax_class, price, variant_titles = PRODUCT_CATALOG[(pid - 1) % len(PRODUCT_CATALOG)]
        edition = (pid - 1) // len(PRODUCT_CATALOG)
        if edition:
            title = f"{title} ({['', 'limited', 'eco', 'deluxe'][edition % 4]} edition)"
        rate = {"standard": Decimal("21"), "reduced": Decimal("9"), "zero": Decimal("0")}[tax_class]
        variants = []
        for vi, vtitle in enumerate(variant_titles):
            base = "".join(ch for ch in title.upper() if ch.isalnum() or ch in "' ")[:8].strip()
            sku = f"{base}-{pid:03d}-{vi + 1}" if (pid + vi) % 5 else f"{base} {pid:03d}/{vi + 1}"
            variants.append(Variant(id=variant_id, product_id=pid, sku=sku, title=vtitle,
                                    price=cents(Decimal(price) * (1 + Decimal(edition) / 10)), tax_rate=rate,
                                    tax_class=tax_class, barcode=_ean13(rng), active=(pid + vi) % 17 != 0))
            variant_id += 1
        at += timedelta(hours=rng.randrange(1, 200))
        out[pid] = Product(id=pid, title=title, description=f"<p>{title}: {group.lower()} from our Dutch shop.</p>",
                           product_group=group, vendor=rng.choice(("Huismerk", "Atelier Zoë", "Müller & Zn.")),
                           active=pid % 13 != 0, variants=tuple(variants), created_at=at,
                           updated_at=at + timedelta(days=rng.randrange(0, 90)))
    return out


def active_variants(shop: Shop) -> list[Variant]:
    """Variants an order can contain: active variants of active products."""
    return [v for p in shop.products.values() if p.active for v in p.variants if v.active]


def _line_rate(kind: str, country: str, variant: Variant) -> Decimal:
    if kind in ("icp", "export"):
        return Decimal("0")
    if kind == "oss":
        if variant.tax_class == "zero":
            return Decimal("0")
        standard, reduced = VAT_RATES[country]
        return standard if variant.tax_class == "standard" else reduced
    return variant.tax_rate


def _order_kind(customer: Customer | None) -> tuple[str, str]:
    if customer is None:
        return "domestic", SHOP_COUNTRY
    country = customer.address.country
    if country == SHOP_COUNTRY:
        return "domestic", country
    if country not in EU_COUNTRIES:
        return "export", country
    return ("icp" if customer.vat_number else "oss"), country


def build_order(rng: random.Random, shop: Shop, order_id: int, created_at: datetime, updated_at: datetime, *,
                variants: list[Variant] | None = None) -> Order:
    """Generate one order (deterministic for a given RNG state); `variants` = the active ones (a cache)."""
    pos = rng.random() < 0.12
    customer = None if pos or not shop.customers else shop.customers[rng.randrange(1, len(shop.customers) + 1)]
    kind, country = _order_kind(customer)
    include_tax = rng.random() >= 0.08
    if variants is None:
        variants = active_variants(shop)
    picked = rng.sample(variants, k=min(len(variants), rng.choice((1, 1, 2, 2, 3, 4))))
    quantities = [rng.choice((1, 1, 1, 2, 3)) for _ in picked]
    rates = [_line_rate(kind, country, v) for v in picked]
    # Inclusive B2C orders keep the shelf price (also for OSS); otherwise the net NL price is the unit price.
    units = [v.price if include_tax and kind in ("domestic", "oss") else net_of(v.price, v.tax_rate) for v in picked]
    gross = [u * q for u, q in zip(units, quantities, strict=True)]
    code: DiscountCode | None = None
    discounts = [ZERO for _ in picked]
    roll = rng.random()
    if not pos and roll < 0.2:
        name, dkind, value = DISCOUNTS[0 if roll < 0.08 else 1 if roll < 0.12 else 2 if roll < 0.17 else 3]
        if dkind == "percentage":
            discounts = [cents(g * value / HUNDRED) for g in gross]
        elif sum(gross, ZERO) > value * 2:
            discounts = allocate(value, gross)
        if any(discounts):
            code = DiscountCode(code=name, kind=dkind, value=value, amount=sum(discounts, ZERO), amount_incl=ZERO,
                                amount_excl=ZERO)
    lines = tuple(
        price_line(line_id=order_id * 1000 + i + 1, variant=v, title=shop.products[v.product_id].title,
                   quantity=q, rate=r, unit_price=u, include_tax=include_tax, discount=d,
                   discount_code=code.code if code and d else None)
        for i, (v, q, r, u, d) in enumerate(zip(picked, quantities, rates, units, discounts, strict=True)))
    if code is not None:
        code = replace(code, amount_incl=sum((ln.discount_incl for ln in lines), ZERO),
                       amount_excl=sum((ln.discount_excl for ln in lines), ZERO))
    shipping: tuple[ShippingLine, ...] = ()
    if not pos:
        ship_rate = VAT_RATES[country][0] if kind in ("domestic", "oss") else Decimal("0")
        ship_incl = SHIPPING_INCL[kind]
        if kind == "domestic" and sum((ln.total_incl for ln in lines), ZERO) >= FREE_SHIPPING_FROM:
            ship_incl = ZERO
        price = ship_incl if include_tax or ship_rate == 0 else net_of(ship_incl, ship_rate)
        title = "Standard" if ship_incl else "Free shipping"
        shipping = (price_shipping(line_id=order_id * 1000 + 901, title=title, code="STANDARD", price=price,
                                   rate=ship_rate, include_tax=include_tax),)
    totals = order_totals(lines, shipping, ())
    grand = totals["grand_total"]
    assert isinstance(grand, Decimal)

    status_roll = rng.random()
    cancelled = status_roll < 0.03
    financial = "voided" if cancelled else "pending" if status_roll < 0.08 else \
        "refunded" if status_roll < 0.11 else "partially_refunded" if status_roll < 0.16 else "paid"
    if pos:
        gateway = rng.choice(("cash", "pin", "pin"))
    elif customer is not None and customer.address.country == "BE":
        gateway = rng.choice(("bancontact", "bancontact", "creditcard"))
    else:
        gateway = rng.choice(("ideal", "ideal", "ideal", "creditcard", "paypal"))
    paid_at = None if financial in ("pending", "voided") else created_at + timedelta(seconds=rng.randrange(5, 120))
    payments: tuple[Payment, ...] = ()
    if financial != "voided":
        payments = (Payment(id=order_id * 1000 + 501, kind="sale", status="pending" if paid_at is None else "success",
                            gateway=gateway, amount=grand, processed_at=paid_at or created_at),)
    order = Order(
        id=order_id, number=1000 + order_id, created_at=created_at, updated_at=updated_at, paid_at=paid_at,
        cancelled_at=updated_at if cancelled else None, cancel_reason="customer" if cancelled else None,
        channel="pos" if pos else "web", kind=kind, currency=CURRENCY, prices_include_tax=include_tax,
        test=order_id % 97 == 0, customer_id=customer.id if customer else None,
        email=customer.email if customer else None, phone=customer.phone if customer else None,
        company=customer.company if customer else None, vat_number=customer.vat_number if customer else None,
        billing_address=customer.address if customer else None,
        shipping_address=customer.address if customer and not pos else None,
        lines=lines, shipping_lines=shipping, discount_codes=(code,) if code else (), payments=payments, refunds=(),
        financial_status="paid" if financial in ("refunded", "partially_refunded") else financial,
        fulfillment_status="fulfilled" if financial in ("paid", "refunded", "partially_refunded") else "unfulfilled",
        note=rng.choice((None, None, None, "Graag bellen vóór levering", "Gift wrap, please — it's for Zoë")),
        tags=tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(2))})),
        **totals,  # type: ignore[arg-type]
    )
    if financial == "refunded":
        order = _with_refund(order, updated_at, None, "Returned within 14 days")
    elif financial == "partially_refunded":
        biggest = max(order.lines, key=lambda ln: ln.quantity)
        order = _with_refund(order, updated_at, {biggest.id: max(1, biggest.quantity - 1)}, "Damaged item")
    return order


def _with_refund(order: Order, at: datetime, quantities: dict[int, int] | None, note: str | None) -> Order:
    """Order plus one refund; `quantities` None = refund everything still refundable, incl. shipping."""
    done: dict[int, int] = {}
    for old in order.refunds:
        for rl in old.lines:
            done[rl.line_id] = done.get(rl.line_id, 0) + rl.quantity
    lines = []
    for ln in order.lines:
        left = ln.quantity - done.get(ln.id, 0)
        qty = left if quantities is None else min(left, quantities.get(ln.id, 0))
        if qty <= 0:
            continue
        incl = cents(ln.total_incl * qty / ln.quantity)
        tax = cents(ln.tax_amount * qty / ln.quantity)
        lines.append(RefundLine(line_id=ln.id, sku=ln.sku, quantity=qty, amount_incl=incl, amount_excl=incl - tax,
                                tax_amount=tax))
    shipping_refunded = any(r.shipping_incl for r in order.refunds)
    full = quantities is None and not shipping_refunded
    ship_incl = order.shipping_total_incl if full else ZERO
    ship_excl = order.shipping_total_excl if full else ZERO
    ship_tax = order.shipping_tax if full else ZERO
    amount = sum((rl.amount_incl for rl in lines), ZERO) + ship_incl
    tax_amount = sum((rl.tax_amount for rl in lines), ZERO) + ship_tax
    refund = Refund(id=order.id * 1000 + 601 + len(order.refunds), created_at=at, note=note, lines=tuple(lines),
                    shipping_incl=ship_incl, shipping_excl=ship_excl, shipping_tax=ship_tax, amount=amount,
                    tax_amount=tax_amount)
    refunds = (*order.refunds, refund)
    refunded_total = order.refunded_total + amount
    gateway = order.payments[0].gateway if order.payments else "manual"
    payment = Payment(id=order.id * 1000 + 701 + len(order.refunds), kind="refund", status="success",
                      gateway=gateway, amount=amount, processed_at=at)
    status = "refunded" if refunded_total >= order.grand_total else "partially_refunded"
    return replace(order, refunds=refunds, refunded_total=refunded_total,
                   refunded_tax=order.refunded_tax + tax_amount, payments=(*order.payments, payment),
                   financial_status=status, updated_at=max(order.updated_at, at))


def _empty_shop(seed: str | None) -> Shop:
    slug = (seed or "empty").lower().replace(" ", "-")
    return Shop(seed=seed, name=f"Sandbox shop {seed or 'empty'}", domain=f"{slug}.example.com",
                email=f"info@{slug}.example.com")


def generate_shop(seed: str | None, orders: int = 50) -> Shop:
    """Generate the neutral shop. `seed=None` (or a ``dir:`` seed, loaded by the vendor) gives an empty shop."""
    shop = _empty_shop(seed)
    if seed is None or dir_seed_path(seed) is not None:
        return shop
    rng = random.Random(f"sandbox-shop:{seed}")
    shop.products = _products(rng)
    shop.customers = _customers(rng, max(5, orders // 3))
    _append_orders(rng, shop, orders, ORDER_START)
    shop.order_count = orders
    return shop


def _append_orders(rng: random.Random, shop: Shop, count: int, start: datetime,
                   fixed_at: datetime | None = None) -> list[Order]:
    """Append `count` orders after the newest one; updated_at is non-decreasing with id, with ties.

    With `fixed_at`, order i of the batch is created and updated at `fixed_at + i seconds`."""
    last = shop.orders[max(shop.orders)] if shop.orders else None
    created = max(start, last.created_at) if last else start
    prev_updated = last.updated_at if last else None
    new = []
    variants = active_variants(shop)
    next_id = (max(shop.orders) + 1) if shop.orders else 1
    for order_id in range(next_id, next_id + count):
        created = created + timedelta(seconds=rng.randrange(60, 1800))
        updated = created + timedelta(seconds=rng.randrange(600, 3600))
        if fixed_at is not None:
            created = updated = fixed_at + timedelta(seconds=order_id - next_id)
        elif prev_updated is not None:
            if rng.random() < 0.1 and created <= prev_updated:
                updated = prev_updated  # deliberate tie on updated_at (same second)
            elif updated <= prev_updated:
                updated = prev_updated + timedelta(seconds=1)
        prev_updated = updated
        order = build_order(rng, shop, order_id, created, updated, variants=variants)
        shop.orders[order_id] = order
        new.append(order)
    shop.version += 1
    return new


# ---------------------------------------------------------------------------------------------------------------
# Mutation API (for incremental-sync tests)
# ---------------------------------------------------------------------------------------------------------------
def _store(shop: Shop, order: Order) -> Order:
    shop.orders[order.id] = order
    shop.version += 1
    return order


def touch(shop: Shop, order_id: int, at: datetime) -> Order:
    """Bump an order's updated_at to `at` (nothing else changes)."""
    return _store(shop, replace(shop.orders[order_id], updated_at=at))


def mark_paid(shop: Shop, order_id: int, at: datetime, gateway: str | None = None) -> Order:
    """Mark a pending order paid at `at` (its pending payment becomes a successful one)."""
    order = shop.orders[order_id]
    old = order.payments[0] if order.payments else None
    payment = Payment(id=order.id * 1000 + 501, kind="sale", status="success",
                      gateway=gateway or (old.gateway if old else "ideal"), amount=order.grand_total, processed_at=at)
    return _store(shop, replace(order, financial_status="paid", paid_at=at, updated_at=at,
                                payments=(payment, *order.payments[1:])))


def cancel(shop: Shop, order_id: int, at: datetime, reason: str = "customer") -> Order:
    """Cancel an order at `at`; a paid order is refunded in full, an unpaid one becomes voided."""
    order = shop.orders[order_id]
    if order.paid_at is not None and order.refunded_total < order.grand_total:
        order = _with_refund(order, at, None, f"Cancelled: {reason}")
    elif order.paid_at is None:
        order = replace(order, financial_status="voided", payments=())
    return _store(shop, replace(order, cancelled_at=at, cancel_reason=reason, updated_at=at))


def refund(shop: Shop, order_id: int, at: datetime, quantities: dict[int, int] | None = None,
           note: str | None = None) -> Order:
    """Refund line quantities ({line_id: qty}) or, with None, everything left incl. shipping."""
    return _store(shop, _with_refund(shop.orders[order_id], at, quantities, note))


def fulfil(shop: Shop, order_id: int, at: datetime, status: str) -> Order:
    """Set an order's fulfillment status (fulfilled | partial) at `at` (a vendor recorded a shipment)."""
    return _store(shop, replace(shop.orders[order_id], fulfillment_status=status, updated_at=at))


def add_orders(shop: Shop, count: int, at: datetime, seed: str = "more") -> list[Order]:
    """Append `count` new generated orders; order i is created and updated at `at + i` seconds."""
    if not shop.products:
        rng0 = random.Random(f"sandbox-shop:{shop.seed}:{seed}")
        shop.products = _products(rng0)
        shop.customers = _customers(rng0, 5)
    rng = random.Random(f"sandbox-shop:{shop.seed}:{seed}:{len(shop.orders)}")
    new = _append_orders(rng, shop, count, at, fixed_at=at)
    shop.order_count = len(shop.orders)
    return new


def touch_customer(shop: Shop, customer_id: int, at: datetime, **changes: object) -> Customer:
    """Change customer fields (e.g. email=...) and bump updated_at to `at`."""
    customer = replace(shop.customers[customer_id], updated_at=at, **changes)  # type: ignore[arg-type]
    shop.customers[customer_id] = customer
    shop.version += 1
    return customer
