"""What a request to the X-Series stand-in does: token endpoint and the version-paged 2.0 lists; see contract.py.

    POST /api/1.0/token                                  refresh_token | authorization_code grant (rotating)
    GET  /api/2.0/{sales|customers|products|registers|outlets|taxes}?after=&before=&page_size=
    GET  /api/2.0/{resource}/{id}                        {"data": {...}}

Auth: `Authorization: Bearer` with the personal token (`personal_token`, default `PERSONAL_TOKEN`) or an OAuth access
token. Data: `seed=None` is empty; a generated seed renders `sandbox.seed`'s shop (`channels`, `kinds` pick the orders
that are counter sales, as for the R-Series stand-in); `dir:/path` replays payloads (seed.py). Rate limit: limits.py
(`rate_limit=False` lifts it).
Test API: `touch_sale(order_id)` re-renders an order of the generated shop with a new version.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sandbox import seed as neutral
from sandbox.core import ApiError, Request, Response
from sandbox.lightspeed_common import LightspeedVendor
from sandbox.lightspeed_xseries import auth, contract
from sandbox.lightspeed_xseries import seed as render
from sandbox.lightspeed_xseries.limits import retailer_window, spend
from sandbox.lightspeed_xseries.store import XSeriesStore
from sandbox.oauth_rotation import RotatingTokens

LIST_PATH = re.compile(r"^/api/2\.0/(sales|customers|products|registers|outlets|taxes)(?:/([^/]+))?$")


class LightspeedXSeries(LightspeedVendor):
    """Stand-in for the Lightspeed Retail (X-Series) API 2.0."""

    name = "lightspeed_xseries"
    PERSONAL_TOKEN = auth.PERSONAL_TOKEN
    CLIENT_ID = auth.APP.client_id
    CLIENT_SECRET = auth.APP.client_secret
    REFRESH_TOKEN = auth.APP.refresh_token
    AUTHORIZATION_CODE = auth.APP.authorization_code
    DOMAIN_PREFIX = "goudenlepel"

    def __init__(self, seed: str | None = None, orders: int = 50, *, channels: Iterable[str] = ("pos",),
                 kinds: Iterable[str] | None = ("domestic",), rate_limit: bool = True,
                 personal_token: str = PERSONAL_TOKEN, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 clock: Callable[[], float] = time.time, **_: Any) -> None:
        self.personal_token = personal_token
        self.channels = frozenset(channels)
        self.kinds = frozenset(kinds) if kinds is not None else None
        self.tokens = RotatingTokens(replace(auth.APP, client_id=client_id, client_secret=client_secret,
                                             refresh_token=refresh_token), clock)
        self._rate_limit = rate_limit
        super().__init__(seed, orders, clock)

    def clear(self) -> None:
        self.tokens.reset()
        self.limit = retailer_window(registers=2)
        self.store = XSeriesStore()
        self.shop: neutral.Shop | None = None

    def load_dir(self, folder: Path) -> None:
        render.load_dir(self.store, folder)

    def load_generated(self, seed: str) -> None:
        self.shop = neutral.generate_shop(seed, self.order_count)
        render.populate(self.store, self.shop, [o for o in self.shop.orders.values() if o.channel in self.channels
                                                and (self.kinds is None or o.kind in self.kinds) and not o.test])

    def dump(self) -> dict[str, Any]:
        return {name: list(rows.values()) for name, rows in self.store.tables.items()}

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    # -- test API ----------------------------------------------------------------------------------------------------
    def touch_sale(self, order_id: int) -> list[dict[str, Any]]:
        """Store the order's sale(s) again: each gets a new, higher version (what any edit on the till does)."""
        if self.shop is None:
            raise KeyError("this stand-in has no generated shop")
        return [self.store.put("sales", s) for s in render.sales(self.shop.orders[order_id])]

    # -- requests ----------------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == auth.TOKEN_PATH:
            return self.tokens.token_endpoint(req)
        header = req.header("authorization")
        if header != f"Bearer {self.personal_token}":
            problem = self.tokens.bearer_problem(header)
            if problem is not None:
                return Response(401, {"error": f"Unauthorized: access token {problem}"})
        allowed, headers = spend(self.limit, self.clock(), enabled=self._rate_limit)
        if not allowed:
            return Response(429, {"error": "Too Many Requests"}, headers)
        match = LIST_PATH.match(req.path)
        if req.method != "GET" or not match:
            return Response(404, {"error": f"No endpoint {req.method} {req.path}"}, headers)
        resource, record_id = match.groups()
        if record_id:
            record = self.store.get(resource, record_id)
            if record is None:
                return Response(404, {"error": f"{resource} {record_id} not found"}, headers)
            return Response(200, {"data": record}, headers)
        try:
            rows = self.store.page(resource, contract.version_arg(req.arg("after"), "after"),
                                   contract.version_arg(req.arg("before"), "before"),
                                   contract.page_size(req.arg("page_size")))
        except ApiError as exc:
            return Response(exc.status, {"error": exc.message}, headers)
        return Response(200, contract.envelope(rows), headers)
