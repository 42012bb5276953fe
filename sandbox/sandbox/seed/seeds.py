"""Named seeds: `generate_shop(seed, orders)` makes the same shop for the same seed and count; ``dir:`` seeds are
left to the vendors (each loads its own vendor-format JSON from that folder)."""

from __future__ import annotations

import random
from pathlib import Path

from sandbox.seed.catalogue import make_products
from sandbox.seed.customers import make_customers
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
