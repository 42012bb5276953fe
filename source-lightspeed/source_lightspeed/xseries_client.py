"""Typed calls to the Lightspeed Retail (X-Series) API 2.0 over the common HttpClient (personal token or OAuth2)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from requests.auth import AuthBase

from connector_common.auth import HeaderTokenAuth, OAuth2Auth, RotationCallback
from connector_common.errors import ApiError
from connector_common.http import HttpClient, Redactor, RetryPolicy, message_from
from source_lightspeed.pos_config import XSeriesSettings

xseries_error_message = message_from("error", "message")  # API 2.0 error bodies: {"error": ...} or {"message": ...}


@dataclass(frozen=True)
class VersionPage:
    """One page of a 2.0 list: its records (ascending by version) and the highest version in it."""

    records: list[dict[str, Any]]
    max_version: int | None


class XSeriesClient:
    """`GET /api/2.0/{resource}?after=<version>&page_size=` until `data` is empty."""

    def __init__(self, settings: XSeriesSettings, *, on_rotate: RotationCallback | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 retry: RetryPolicy | None = None) -> None:
        secrets = tuple(s for s in (settings.personal_token, settings.client_secret, settings.refresh_token) if s)
        redactor = Redactor(secrets)
        auth: AuthBase
        if settings.personal_token:
            auth = HeaderTokenAuth(settings.personal_token)
        else:
            assert settings.client_id and settings.client_secret and settings.refresh_token
            token_http = HttpClient(base_url=settings.token_url, redactor=redactor, sleep=sleep, clock=clock,
                                    error_message=xseries_error_message,
                                    host_setting="platform.auth_server_url (or platform.domain_prefix)")
            auth = OAuth2Auth(token_url=settings.token_url, client_id=settings.client_id,
                              client_secret=settings.client_secret, http=token_http,
                              refresh_token=settings.refresh_token, on_rotate=on_rotate, clock=clock)
        self.auth = auth
        self.http = HttpClient(base_url=f"{settings.base_url}/api/2.0", auth=auth, error_message=xseries_error_message,
                               redactor=redactor, sleep=sleep, clock=clock, retry=retry or RetryPolicy(),
                               headers={"Accept": "application/json"},
                               host_setting="platform.domain_prefix (or platform.base_url)")

    def pages(self, resource: str, after: int, page_size: int) -> Iterator[VersionPage]:
        """Pages of `resource` with a version above `after`, oldest change first."""
        while True:
            response = self.http.get(resource, params={"after": after, "page_size": page_size})
            try:
                body = response.json(parse_float=Decimal)
            except ValueError:
                raise ApiError(f"GET /api/2.0/{resource} answered with a body that is not JSON") from None
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise ApiError(f"GET /api/2.0/{resource} answered without a `data` list")
            if not data:
                return
            top = (body.get("version") or {}).get("max") if isinstance(body.get("version"), dict) else None
            versions = [int(r["version"]) for r in data if isinstance(r, dict) and r.get("version") is not None]
            max_version = int(top) if top is not None else max(versions, default=None)
            if max_version is None or max_version <= after:
                raise ApiError(f"GET /api/2.0/{resource}?after={after} answered version.max {max_version}: "
                               "the feed did not move forward")
            yield VersionPage([r for r in data if isinstance(r, dict)], max_version)
            after = max_version

    def all(self, resource: str, page_size: int) -> list[dict[str, Any]]:
        """Every record of a small list (registers, outlets, taxes)."""
        return [r for page in self.pages(resource, 0, page_size) for r in page.records]
