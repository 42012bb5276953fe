"""Typed calls to the Lightspeed Restaurant (K-Series) financial API over the common HttpClient (OAuth2, rotating).

K-Series errors are `{"error": "..."}` ([K-FIN2]): the common client's default extractor (`oauth_error`) reads them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests

from connector_common.auth import OAuth2Auth, RotationCallback
from connector_common.errors import ApiError
from connector_common.http import HttpClient, Redactor, RetryPolicy
from source_lightspeed.pos_config import KSeriesSettings

SALES_INCLUDE = "payments,consumer,table"


def _json(response: requests.Response) -> Any:
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        path = str(response.request.path_url).split("?")[0]
        raise ApiError(f"Lightspeed K-Series answered {response.request.method} {path} with a body that is not JSON"
                       ) from None


def instant(value: datetime) -> str:
    """`2023-01-01T14:00:00Z`: ISO 8601 in UTC, second resolution (an unencoded `+` offset would be a space)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class KSeriesClient:
    """GET calls of `/f/data/businesses` and `/f/v2/business-location/{id}/sales` with a rotating refresh token."""

    def __init__(self, settings: KSeriesSettings, *, on_rotate: RotationCallback | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 retry: RetryPolicy | None = None) -> None:
        redactor = Redactor((settings.client_secret, settings.refresh_token))
        self.token_http = HttpClient(base_url=settings.token_url, redactor=redactor, sleep=sleep, clock=clock,
                                     host_setting="platform.auth_server_url (or platform.environment)")
        self.auth = OAuth2Auth(token_url=settings.token_url, client_id=settings.client_id,
                               client_secret=settings.client_secret, http=self.token_http,
                               refresh_token=settings.refresh_token, on_rotate=on_rotate, clock=clock,
                               client_auth="basic")
        self.http = HttpClient(base_url=settings.base_url, auth=self.auth, redactor=redactor, sleep=sleep, clock=clock,
                               retry=retry or RetryPolicy(), headers={"Accept": "application/json"},
                               host_setting="platform.environment (or platform.base_url)")

    def businesses(self) -> list[dict[str, Any]]:
        """Every business the token may read, each with `businessLocations` (`blID`, `blName`, `country`)."""
        body = _json(self.http.get("f/data/businesses", params={"page": 0, "size": 1000}))
        found = ((body.get("_embedded") or {}).get("businessList")) if isinstance(body, dict) else None
        return [b for b in found or [] if isinstance(b, dict)]

    def sales(self, location_id: str, since: datetime, until: datetime, page_size: int
              ) -> Iterator[list[dict[str, Any]]]:
        """Pages of sales closed in [since, until] at one location, ascending by `timeClosed` (nextPageToken)."""
        params: dict[str, Any] = {"from": instant(since), "to": instant(until), "pageSize": page_size,
                                  "include": SALES_INCLUDE}
        path = f"f/v2/business-location/{location_id}/sales"
        seen: set[str] = set()
        while True:
            body = _json(self.http.get(path, params=params))
            sales = body.get("sales") if isinstance(body, dict) else None
            if not isinstance(sales, list):
                raise ApiError(f"GET /{path} answered without a `sales` list")
            yield [s for s in sales if isinstance(s, dict)]
            token = body.get("nextPageToken")
            if not token or not sales:
                return
            if token in seen:
                raise ApiError(f"pagination loop: GET /{path} returned nextPageToken {str(token)[:20]}… twice")
            seen.add(str(token))
            params = {**params, "nextPageToken": token}
