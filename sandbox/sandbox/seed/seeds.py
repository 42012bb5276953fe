"""Named seeds: `generate_shop(seed, orders)` makes the same shop for the same seed and count, `add_orders` grows it
the same way; ``dir:`` seeds are left to the vendors (each loads its own vendor-format JSON from that folder)."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from sandbox.seed.catalogue import make_products
from sandbox.seed.customers import make_customers
from sandbox.seed.model import Order
from sandbox.seed.orders import append_orders
from sandbox.seed.shop import Shop, empty_shop


def dir_seed_path(seed: str | None) -> Path | None:
    """The folder of a ``"dir:/path"`` seed (vendor-format JSON to replay), or None for a generated seed."""
    if seed is not None and seed.startswith("dir:"):
        return Path(seed[4:])
    return None


def generate_shop(seed: str | None, orders: int = 50) -> Shop:
    """Generate the neutral shop. `seed=None` (or a ``dir:`` seed, loaded by the vendor) gives an empty shop."""
    shop = empty_shop(seed)
    if seed is None or dir_seed_path(seed) is not None:
        return shop
    rng = random.Random(f"sandbox-shop:{seed}")
    shop.products = make_products(rng)
    shop.customers = make_customers(rng, max(5, orders // 3))
    append_orders(rng, shop, orders)
    shop.order_count = orders
    return shop


def add_orders(shop: Shop, count: int, at: datetime, seed: str = "more") -> list[Order]:
    """Append `count` new generated orders; order i is created and updated at `at + i` seconds."""
    if not shop.products:
        rng0 = random.Random(f"sandbox-shop:{shop.seed}:{seed}")
        shop.products = make_products(rng0)
        shop.customers = make_customers(rng0, 5)
    rng = random.Random(f"sandbox-shop:{shop.seed}:{seed}:{len(shop.orders)}")
    new = append_orders(rng, shop, count, fixed_at=at)
    shop.order_count = len(shop.orders)
    return new
