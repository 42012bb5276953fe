"""The shop's catalogue: products and their variants, SKUs, EAN-13 barcodes and VAT classes."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from decimal import Decimal

from sandbox.seed.model import Product, Variant
from sandbox.seed.pricing import cents
from sandbox.seed.shop import CUSTOMER_START, SHOP_COUNTRY, Shop, vat_rate

PRODUCTS_PER_SHOP = 36
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


EDITIONS = ("", "limited", "eco", "deluxe")  # later rounds through the catalogue: "<title> (<edition> edition)"
VENDORS = ("Huismerk", "Atelier Zoë", "Müller & Zn.")


def _ean13(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    digits[0] = 8
    digits[1] = 7  # 87x: the GS1 Netherlands prefix
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def _sku(title: str, product_id: int, index: int) -> str:
    """SKU of the product's variant `index`: 8 letters of the title, the product and variant number; every fifth
    is written with a space and a slash, as some shops do."""
    base = "".join(ch for ch in title.upper() if ch.isalnum() or ch in "' ")[:8].strip()
    if (product_id + index) % 5:
        return f"{base}-{product_id:03d}-{index + 1}"
    return f"{base} {product_id:03d}/{index + 1}"


def make_products(rng: random.Random) -> dict[int, Product]:
    """`PRODUCTS_PER_SHOP` products: the catalogue rows in turn, later rounds as dearer editions."""
    out: dict[int, Product] = {}
    variant_ids = itertools.count(1)
    at = CUSTOMER_START - timedelta(days=200)
    for pid in range(1, PRODUCTS_PER_SHOP + 1):
        title, group, tax_class, price, variant_titles = PRODUCT_CATALOG[(pid - 1) % len(PRODUCT_CATALOG)]
        edition = (pid - 1) // len(PRODUCT_CATALOG)
        if edition:
            title = f"{title} ({EDITIONS[edition % len(EDITIONS)]} edition)"
        variants = tuple(Variant(id=next(variant_ids), product_id=pid, sku=_sku(title, pid, vi), title=vtitle,
                                 price=cents(Decimal(price) * (1 + Decimal(edition) / 10)),
                                 tax_rate=vat_rate(SHOP_COUNTRY, tax_class), tax_class=tax_class,
                                 barcode=_ean13(rng), active=(pid + vi) % 17 != 0)
                         for vi, vtitle in enumerate(variant_titles))
        at += timedelta(hours=rng.randrange(1, 200))
        out[pid] = Product(id=pid, title=title, description=f"<p>{title}: {group.lower()} from our Dutch shop.</p>",
                           product_group=group, vendor=rng.choice(VENDORS),
                           active=pid % 13 != 0, variants=variants, created_at=at,
                           updated_at=at + timedelta(days=rng.randrange(0, 90)))
    return out


def active_variants(shop: Shop) -> list[Variant]:
    """Variants an order can contain: active variants of active products."""
    return [v for p in shop.products.values() if p.active for v in p.variants if v.active]
