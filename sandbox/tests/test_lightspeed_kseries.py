"""Tests of the Lightspeed Restaurant (K-Series) stand-in, written from the documented financial-api contract
(see sandbox/lightspeed_kseries/contract.py for the sources)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import restaurant
from sandbox.core import SandboxServer
from sandbox.lightspeed_kseries import LightspeedKSeries

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).timestamp()
FIXTURES = Path(__file__).parents[2] / "source-lightspeed" / "unit_tests" / "fixtures" / "lightspeed_kseries"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def start(**kwargs: Any) -> SandboxServer:
    return SandboxServer(LightspeedKSeries(**kwargs)).start()


@pytest.fixture(scope="module")
def shared() -> Iterator[SandboxServer]:
    srv = start(seed="demo", orders=60, per_second=None, clock=lambda: NOW)
    yield srv
    srv.stop()


@pytest.fixture
def server(shared: SandboxServer) -> SandboxServer:
    shared.reset()
    return shared


def token(srv: SandboxServer, refresh: str = LightspeedKSeries.REFRESH_TOKEN, **extra: str) -> requests.Response:
    return requests.post(f"{srv.base_url}/oauth/token", timeout=10,
                         data={"grant_type": "refresh_token", "refresh_token": refresh, **extra},
                         auth=(LightspeedKSeries.CLIENT_ID, LightspeedKSeries.CLIENT_SECRET))


def bearer(srv: SandboxServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(srv).json()['access_token']}"}


def sales(srv: SandboxServer, location: int, headers: dict[str, str], **params: Any) -> requests.Response:
    return requests.get(f"{srv.base_url}/f/v2/business-location/{location}/sales", params=params, headers=headers,
                        timeout=10)


def locations(srv: SandboxServer, headers: dict[str, str]) -> list[int]:
    body = requests.get(f"{srv.base_url}/f/data/businesses", headers=headers, timeout=10).json()
    return [bl["blID"] for b in body["_embedded"]["businessList"] for bl in b["businessLocations"]]


def test_given_a_refresh_token_when_used_then_a_new_one_and_the_old_one_and_its_access_token_are_dead(server):
    first = token(server).json()
    second = token(server, first["refresh_token"]).json()

    assert first["scope"] == "financial-api" and first["expires_in"] == 3600
    assert second["refresh_token"] != first["refresh_token"]
    reused = token(server, first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    old = requests.get(f"{server.base_url}/f/data/businesses", timeout=10,
                       headers={"Authorization": f"Bearer {first['access_token']}"})
    assert old.status_code == 401 and old.json() == {"error": "Unauthorized: access token revoked"}
    assert requests.get(f"{server.base_url}/f/data/businesses", timeout=10,
                        headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_given_the_businesses_call_then_two_dutch_locations_of_one_business(server):
    headers = bearer(server)
    body = requests.get(f"{server.base_url}/f/data/businesses", headers=headers, timeout=10).json()

    (business,) = body["_embedded"]["businessList"]
    assert business["currencyCode"] == "EUR"
    assert {bl["country"] for bl in business["businessLocations"]} == {"NL"}
    assert len(locations(server, headers)) == 2


@pytest.mark.parametrize(("params", "error"), [
    ({}, "Required request parameter 'from' for method parameter type OffsetDateTime is not present"),
    ({"from": "12/12/2023"}, "Invalid date format: 12/12/2023"),
    ({"from": "2024-02-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
     "Invalid date range: 'from' date 2024-02-01T00:00:00Z should not be after 'to' date 2024-01-01T00:00:00Z"),
    ({"from": "2022-01-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
     "The date range between 'from' and 'to' cannot exceed 365 days (1 year)"),
    ({"from": "2024-06-01T00:00:00Z", "pageSize": "101"}, "pageSize must be between 1 and 100"),
    ({"from": "2024-06-01T00:00:00Z", "include": "everything"}, "Invalid include value: everything"),
])
def test_given_a_request_the_contract_refuses_then_400_with_the_documented_error(server, params, error):
    headers = bearer(server)
    resp = sales(server, locations(server, headers)[0], headers, **params)

    assert resp.status_code == 400 and resp.json() == {"error": error}


def test_given_small_pages_when_following_next_page_tokens_then_every_sale_once_sorted_by_time_closed(server):
    headers = bearer(server)
    location = locations(server, headers)[0]
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"from": "2024-01-01T00:00:00Z", "to": "2024-12-31T00:00:00Z", "pageSize": 7,
                              "include": "payments,consumer"}
    pages = 0
    while True:
        body = sales(server, location, headers, **params).json()
        seen.extend(body["sales"])
        pages += 1
        if "nextPageToken" not in body:
            break
        params["nextPageToken"] = body["nextPageToken"]

    stored = server.vendor.store.sales[location]  # type: ignore[attr-defined]
    assert [s["accountFiscId"] for s in seen] == [s["accountFiscId"] for s in stored]
    assert [s["timeClosed"] for s in seen] == sorted(s["timeClosed"] for s in seen)
    assert pages == -(-len(stored) // 7)
    foreign = sales(server, location, headers, **{**params, "from": "2024-01-02T00:00:00Z"})
    assert foreign.status_code == 400 and foreign.json()["error"] == "nextPageToken does not belong to this query"


def test_given_a_location_the_token_cannot_read_then_403(server):
    resp = sales(server, 999, bearer(server), **{"from": "2024-06-01T00:00:00Z"})

    assert resp.status_code == 403 and "999" in resp.json()["error"]


def test_given_the_generated_restaurant_then_bills_add_up_and_carry_the_cases_a_restaurant_has(server):
    rows = [s for r in server.vendor.store.sales.values() for s in r]  # type: ignore[attr-defined]

    for sale in rows:
        if sale["payments"]:
            lines = sum(Decimal(line["totalNetAmountWithTax"]) for line in sale["salesLines"])
            paid = sum(Decimal(p["netAmountWithTax"]) for p in sale["payments"])
            assert lines == paid, sale["accountFiscId"]
    rates = {line["taxRatePercentage"] for s in rows for line in s["salesLines"]}
    assert rates == {"9.00", "21.00"}
    assert any(Decimal(p["tip"]) > 0 for s in rows for p in s["payments"])
    assert any(len(s["payments"]) == 2 for s in rows)  # split bills
    assert any(s["type"] == "REFUND" and s["source"]["initialAccountId"] != s["accountFiscId"] for s in rows)
    assert any(s["type"] == "CANCEL" and s["cancelled"] for s in rows)
    assert any(line.get("voidReason") for s in rows for line in s["salesLines"])
    assert any(line["serviceChargeType"] == "APPORTIONED" for s in rows for line in s["salesLines"])


def test_given_a_dir_seed_of_documented_payloads_then_they_are_served_and_undocumented_fields_refused(tmp_path):
    (tmp_path / "businesses.json").write_text((FIXTURES / "businesses_documented_example.json").read_text())
    sale = json.loads((FIXTURES / "sales_documented_example.json").read_text())
    (tmp_path / "sales-45454565682155.json").write_text(json.dumps(sale))
    srv = start(seed=f"dir:{tmp_path}", per_second=None, clock=lambda: NOW)
    try:
        body = sales(srv, 45454565682155, bearer(srv), **{"from": "2023-01-01T00:00:00Z", "to": "2023-12-31T00:00:00Z"}).json()
        assert [s["accountFiscId"] for s in body["sales"]] == ["A65315.17"]
    finally:
        srv.stop()
    sale["sales"][0]["madeUp"] = 1
    (tmp_path / "sales-45454565682155.json").write_text(json.dumps(sale))
    with pytest.raises(ValueError, match="undocumented fields"):
        LightspeedKSeries(seed=f"dir:{tmp_path}")


def test_given_more_calls_than_the_per_second_budget_then_429_with_retry_after():
    clock = Clock()
    srv = start(seed=None, per_second=2, clock=clock)
    try:
        headers = bearer(srv)
        statuses = [requests.get(f"{srv.base_url}/f/data/businesses", headers=headers, timeout=10)
                    for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert statuses[-1].headers["Retry-After"] == "1"
        clock.now += 1
        assert requests.get(f"{srv.base_url}/f/data/businesses", headers=headers, timeout=10).status_code == 200
    finally:
        srv.stop()


def test_given_the_same_seed_then_the_same_restaurant_and_none_gives_an_empty_one():
    one, again, other = (restaurant.generate_restaurant(s, 30) for s in ("demo", "demo", "other"))

    assert one.bills == again.bills and one.guests == again.guests
    assert one.bills != other.bills
    assert restaurant.generate_restaurant(None).bills == []
    for bill in one.bills:  # split payments included: together they pay the bill (tips come on top)
        assert sum(p.amount for p in bill.payments) == (bill.total_incl if bill.payments else 0)
