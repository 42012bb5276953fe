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
from sandbox.core import Request, Response, Vendor
from sandbox.lightspeed_kseries import auth, contract
from sandbox.lightspeed_kseries import seed as render
from sandbox.lightspeed_kseries.limits import PerSecondLimit
from sandbox.lightspeed_kseries.store import KSeriesStore
from sandbox.oauth_rotation import RotatingTokens

SALES_PATH = re.compile(r"^/f/v2/business-location/(\d+)/sales$")


class LightspeedKSeries(Vendor):
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
        self.seed = seed
        self.order_count = orders
        self.clock = clock
        self.tokens = RotatingTokens(replace(auth.APP, client_id=client_id, client_secret=client_secret,
                                             refresh_token=refresh_token, access_ttl=access_ttl), clock)
        self._per_second = per_second
        self.limit = PerSecondLimit(per_second)
        self.store = KSeriesStore()
        self.restaurant: generator.Restaurant | None = None
        self.reset()

    # -- Vendor hooks ------------------------------------------------------------------------------------------------
    def reset(self) -> None:
        self.tokens.reset()
        self.limit = PerSecondLimit(self._per_second)
        self.store = KSeriesStore()
        self.restaurant = None
        if self.seed is None:
            return
        if self.seed.startswith("dir:"):
            self.store.businesses, sales = render.load_dir(Path(self.seed[4:]))
        else:
            self.restaurant = generator.generate_restaurant(self.seed, self.order_count)
            self.store.businesses, sales = render.render(self.restaurant)
        for location, rows in sales.items():
            for sale in rows:
                self.store.put(location, sale)

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
        wait = self.limit.spend(self.clock())
        if wait is not None:
            return Response(429, {"error": "Too Many Requests"}, {"Retry-After": str(wait)})
        if req.method != "GET":
            return Response(405, {"error": f"{req.method} is not supported"})
        try:
            if req.path == "/f/data/businesses":
                return Response(200, {"_embedded": {"businessList": self.store.businesses},
                                      "_links": {"self": {"href": "/f/data/businesses"}}})
            match = SALES_PATH.match(req.path)
            if match:
                return self._sales(int(match.group(1)), req)
        except contract.ContractError as exc:
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
