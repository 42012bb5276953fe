"""Local stand-ins for the vendor APIs (Shopify, Lightspeed eCom/Retail R-Series/Restaurant K-Series/Retail X-Series,
Exact Online, Visma eAccounting)."""

from __future__ import annotations

import pkgutil
from typing import Any

from sandbox.core import SandboxServer, Vendor

# name -> "module:Class"; each class takes keyword arguments `seed` (str | None) and `orders` (int).
VENDORS: dict[str, str] = {
    "shopify": "sandbox.shopify:Shopify",
    "lightspeed_ecom": "sandbox.lightspeed_ecom:LightspeedEcom",
    "lightspeed_retail": "sandbox.lightspeed_retail:LightspeedRetail",
    "lightspeed_kseries": "sandbox.lightspeed_kseries:LightspeedKSeries",
    "lightspeed_xseries": "sandbox.lightspeed_xseries:LightspeedXSeries",
    "exact": "sandbox.exact:ExactOnline",
    "eaccounting": "sandbox.eaccounting:EAccounting",
}


def make_vendor(name: str, **kwargs: Any) -> Vendor:
    """Instantiate the stand-in called `name` (see VENDORS)."""
    vendor: Vendor = pkgutil.resolve_name(VENDORS[name])(**kwargs)
    return vendor


def start(name: str, *, port: int = 0, latency: float = 0.0, fault_seed: int = 0, **kwargs: Any) -> SandboxServer:
    """Start one stand-in on 127.0.0.1 in a background thread and return its server."""
    return SandboxServer(make_vendor(name, **kwargs), port=port, latency=latency, seed=fault_seed).start()


__all__ = ["VENDORS", "SandboxServer", "make_vendor", "start"]
