"""What a request to the K-Series stand-in does: token endpoint, businesses, sales by time window; see contract.py.

    POST /oauth/token                                         refresh_token | authorization_code grant
    GET  /f/data/businesses                                   businesses with their locations
    GET  /f/v2/business-location/{id}/sales?from=&to=&pageSize=&nextPageToken=&include=

Data: `seed=None` is empty; a generated seed renders `sandbox.restaurant` (two NL locations, `orders` bills);
`seed="dir:/path"` replays vendor payloads (see seed.py). Errors: 401 `{"error": ...}` for a missing, expired or
revoked token; 400/403 as contract.py says; 429 over the per-second budget (limits.py).
Test API: `add_bills(count, at)` appends generated bills; `put_sale(location_id, sale)` stores a vendor payload.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox import restaurant as generator
from sandbox.core import ApiError, Request, Response
from sandbox.lightspeed_common import LightspeedVendor
from sandbox.lightspeed_kseries import auth, contract
from sandbox.lightspeed_kseries import seed as render
from sandbox.lightspeed_kseries.limits import per_second_limit
from sandbox.lightspeed_kseries.store import KSeriesStore
from sandbox.oauth_rotation import RotatingTokens

SALES_PATH = re.compile(r"^/f/v2/business-location/(\d+)/sales$")


class LightspeedKSeries(LightspeedVendor):
    """Stand-in for the Lightspeed Restaurant (K-Series) financial API."""

    name = "lightspeed_kseries"
    CLIENT_ID = auth.APP.client_id
    CLIENT_SECRET = auth.APP.client_secret
    REFRESH_TOKEN = auth.APP.refresh_token
    AUTHORIZATION_CODE = auth.APP.authorization_code

    def __init__(self, seed: str | None = None, orders: int = 40, *, per_second: int | None = 10,
                 access_ttl: int = auth.APP.access_ttl, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 clock: Callable[[], float] = time.time, **_: Any) -> None:
        self.tokens = RotatingTokens(replace(auth.APP, client_id=client_id, client_secret=client_secret,
                                             refresh_token=refresh_token, access_ttl=access_ttl), clock)
        self._per_second = per_second
        super().__init__(seed, orders, clock)

    # -- Vendor hooks ------------------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.tokens.reset()
        self.limit = per_second_limit(self._per_second)
        self.store = KSeriesStore()
        self.restaurant: generator.Restaurant | None = None

    def load_dir(self, folder: Path) -> None:
        self.store.load(*render.load_dir(folder))

    def load_generated(self, seed: str) -> None:
        self.restaurant = generator.generate_restaurant(seed, self.order_count)
        self.store.load(*render.render(self.restaurant))

    def dump(self) -> dict[str, Any]:
        return {"businesses": self.store.businesses, "sales": {str(k): v for k, v in self.store.sales.items()},
                "tokens": {"access": len(self.tokens.access), "refreshes": self.tokens.refreshes}}

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    # -- test API ----------------------------------------------------------------------------------------------------
    def put_sale(self, location_id: int, sale: dict[str, Any]) -> None:
        contract.check_sale(sale)
        self.store.put(location_id, sale)

    def add_bills(self, count: int, at: datetime) -> list[dict[str, Any]]:
        if self.restaurant is None:
            raise KeyError("this stand-in has no generated restaurant")
        added = []
        for bill in generator.add_bills(self.restaurant, count, at):
            sale = render.render_sale(bill, self.restaurant)
            self.store.put(bill.location_id, sale)
            added.append(sale)
        return added

    # -- requests ----------------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == auth.TOKEN_PATH:
            return self.tokens.token_endpoint(req)
        problem = self.tokens.bearer_problem(req.header("authorization"))
        if problem is not None:
            return Response(401, {"error": f"Unauthorized: access token {problem}"})
        if self.limit is not None and not self.limit.take(self.clock()):
            return Response(429, {"error": "Too Many Requests"}, {"Retry-After": "1"})
        if req.method != "GET":
            return Response(405, {"error": f"{req.method} is not supported"})
        try:
            if req.path == "/f/data/businesses":
                return Response(200, {"_embedded": {"businessList": self.store.businesses},
                                      "_links": {"self": {"href": "/f/data/businesses"}}})
            match = SALES_PATH.match(req.path)
            if match:
                return self._sales(int(match.group(1)), req)
        except ApiError as exc:
            return Response(exc.status, {"error": exc.message})
        return Response(404, {"error": f"No endpoint GET {req.path}"})

    def _sales(self, location_id: int, req: Request) -> Response:
        now = datetime.fromtimestamp(self.clock(), UTC)
        start, end = contract.window(req.arg("from"), req.arg("to"), now)
        size = contract.page_size(req.arg("pageSize"))
        contract.includes(req.arg("include"))
        rows, token = self.store.page(location_id, start, end, size, req.arg("nextPageToken"))
        body: dict[str, Any] = {"sales": rows}
        if token:
            body["nextPageToken"] = token
        return Response(200, body)
