"""Tests of the Lightspeed Retail X-Series stand-in, written from the documented API 2.0 contract (version paging,
list envelope, tokens, rate limit; sources in sandbox/lightspeed_xseries/contract.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests

from sandbox.core import SandboxServer
from sandbox.lightspeed_xseries import LightspeedXSeries
from sandbox.lightspeed_xseries import seed as render

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).timestamp()
PERSONAL = {"Authorization": f"Bearer {LightspeedXSeries.PERSONAL_TOKEN}"}


def start(**kwargs: Any) -> SandboxServer:
    return SandboxServer(LightspeedXSeries(**kwargs)).start()


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    srv = start(seed="demo", orders=80, channels=("pos", "web"), rate_limit=False, clock=lambda: NOW)
    yield srv
    srv.stop()


@pytest.fixture
def server(shared: SandboxServer) -> SandboxServer:
    shared.reset()
    return shared


def get(srv: SandboxServer, path: str, headers: dict[str, str] = PERSONAL, **params: Any) -> requests.Response:
    return requests.get(f"{srv.base_url}/api/2.0/{path}", params=params, headers=headers, timeout=10)


def every(srv: SandboxServer, resource: str, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Page as documented: `after` = the previous `version.max`, until `data` is empty; (records, calls)."""
    out: list[dict[str, Any]] = []
    after, calls = 0, 0
    while True:
        body = get(srv, resource, after=after, page_size=page_size).json()
        calls += 1
        if not body["data"]:
            assert body["version"] == {"min": None, "max": None}
            return out, calls
        out.extend(body["data"])
        assert body["version"]["max"] == max(r["version"] for r in body["data"])
        after = body["version"]["max"]


def test_given_version_paging_then_every_sale_once_in_version_order(server):
    rows, calls = every(server, "sales", 7)

    assert len(rows) == len(server.vendor.store.tables["sales"])  # type: ignore[attr-defined]
    assert [r["version"] for r in rows] == sorted(r["version"] for r in rows)
    assert calls == -(-len(rows) // 7) + 1  # the last call answers an empty page


def test_given_before_and_a_large_page_size_then_the_range_and_at_most_200(server):
    versions = sorted(r["version"] for r in server.vendor.store.tables["products"].values())  # type: ignore[attr-defined]
    body = get(server, "products", after=versions[0], before=versions[3]).json()
    assert [r["version"] for r in body["data"]] == versions[1:4]
    assert len(get(server, "products", page_size=5000).json()["data"]) == min(200, len(versions))
    bad = get(server, "sales", after="yesterday")
    assert bad.status_code == 400 and "after" in bad.json()["error"]


def test_given_generated_sales_then_lines_add_up_to_the_sale_and_returns_point_at_their_sale(server):
    sales = list(server.vendor.store.tables["sales"].values())  # type: ignore[attr-defined]

    for sale in sales:
        lines = sale["line_items"]
        assert sum(Decimal(str(li["price_total"])) for li in lines).quantize(Decimal("0.01")) == \
            Decimal(str(sale["total_price"])).quantize(Decimal("0.01")), sale["id"]
    returns = [s for s in sales if s["return_for"]]
    assert returns and all(s["return_for"] in server.vendor.store.tables["sales"] for s in returns)  # type: ignore
    assert all(li["quantity"] < 0 and li["is_return"] for s in returns for li in s["line_items"])
    assert any(s["customer_id"] is None for s in sales) and any(s["customer_id"] for s in sales)
    assert {r["rate"] for t in get(server, "taxes").json()["data"] for r in t["rates"]} == {0.21, 0.09, 0}


def test_given_one_record_by_id_then_data_and_an_unknown_one_404(server):
    sale = next(iter(server.vendor.store.tables["sales"].values()))  # type: ignore[attr-defined]

    assert get(server, f"sales/{sale['id']}").json()["data"]["id"] == sale["id"]
    assert get(server, "sales/nope").status_code == 404


def test_given_an_edited_sale_then_it_moves_to_the_end_of_the_feed(server):
    vendor: LightspeedXSeries = server.vendor  # type: ignore[assignment]
    top = vendor.store.version
    assert vendor.shop is not None
    order_id = next(o.id for o in vendor.shop.orders.values() if render.uid("sale", o.id) in vendor.store.tables["sales"])

    touched = vendor.touch_sale(order_id)

    body = get(server, "sales", after=top).json()
    assert [r["id"] for r in body["data"]] == [s["id"] for s in touched]
    assert all(r["version"] > top for r in body["data"])


def test_given_tokens_then_personal_and_rotating_oauth_work_and_others_are_401(server):
    form = {"grant_type": "refresh_token", "refresh_token": LightspeedXSeries.REFRESH_TOKEN,
            "client_id": LightspeedXSeries.CLIENT_ID, "client_secret": LightspeedXSeries.CLIENT_SECRET}
    first = requests.post(f"{server.base_url}/api/1.0/token", data=form, timeout=10).json()
    again = requests.post(f"{server.base_url}/api/1.0/token", data=form, timeout=10)

    assert first["expires_in"] == 86400 and first["refresh_token"] != LightspeedXSeries.REFRESH_TOKEN
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert get(server, "outlets", {"Authorization": f"Bearer {first['access_token']}"}).status_code == 200
    assert get(server, "outlets").status_code == 200
    assert get(server, "outlets", {"Authorization": "Bearer lsxs_pt_wrong"}).status_code == 401


def test_given_more_than_300_per_register_plus_50_in_five_minutes_then_429_with_an_http_date():
    srv = start(seed=None, clock=lambda: NOW)  # two registers: 650 requests per window
    try:
        statuses = [get(srv, "outlets").status_code for _ in range(650)]
        over = get(srv, "outlets")
    finally:
        srv.stop()

    assert set(statuses) == {200}
    assert over.status_code == 429 and over.headers["X-RateLimit-Limit"] == "650"
    assert parsedate_to_datetime(over.headers["Retry-After"]).timestamp() > NOW
