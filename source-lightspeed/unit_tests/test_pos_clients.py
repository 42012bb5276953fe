"""The K-Series and X-Series clients over HTTP (requests-mock, injected clock and sleep): paging, errors, tokens."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.utils import formatdate

import pytest
import requests_mock as rm

from connector_common.errors import ApiError
from connector_common.testing import SimulatedClock
from source_lightspeed.kseries_client import KSeriesClient
from source_lightspeed.pos_config import kseries_settings, xseries_settings
from source_lightspeed.xseries_client import XSeriesClient

K_API = "https://api.lsk.lightspeed.app"
X_API = "https://winkel.retail.lightspeed.app"
SECRET, REFRESH = "k-secret-0123456789abcdef", "k-refresh-0123456789abcdef"
SINCE, UNTIL = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
SALES = f"{K_API}/f/v2/business-location/45454565682155/sales"


def kseries(rotated: list[str] | None = None) -> KSeriesClient:
    settings = kseries_settings({"client_id": "client", "client_secret": SECRET, "refresh_token": REFRESH})
    clock = SimulatedClock(now=1_700_000_000.0)
    return KSeriesClient(settings, sleep=clock.sleep, clock=clock,
                         on_rotate=(lambda tokens: rotated.append(tokens.refresh_token)) if rotated is not None
                         else None)


def token_endpoint(m: rm.Mocker, new_refresh: str = "k-refresh-next-0123456789") -> None:
    m.post(f"{K_API}/oauth/token", json={"access_token": "k-access-0123456789abcdef", "token_type": "Bearer",
                                         "expires_in": 3600, "refresh_token": new_refresh})


def test_given_a_refresh_token_when_the_first_call_is_made_then_basic_client_auth_and_the_rotation_is_reported():
    rotated: list[str] = []
    with rm.Mocker() as m:
        token_endpoint(m)
        m.get(SALES, json={"sales": []})
        list(kseries(rotated).sales("45454565682155", SINCE, UNTIL, 50))
        token_call = m.request_history[0]

    assert token_call.headers["Authorization"] == "Basic " + base64.b64encode(f"client:{SECRET}".encode()).decode()
    assert "grant_type=refresh_token" in token_call.text and f"refresh_token={REFRESH}" in token_call.text
    assert rotated == ["k-refresh-next-0123456789"]
    assert m.request_history[1].headers["Authorization"] == "Bearer k-access-0123456789abcdef"


def test_given_next_page_tokens_when_reading_sales_then_each_page_once_with_the_documented_parameters():
    with rm.Mocker() as m:
        token_endpoint(m)
        m.get(SALES, [{"json": {"sales": [{"accountFiscId": "A1"}], "nextPageToken": "t1"}},
                      {"json": {"sales": [{"accountFiscId": "A2"}]}}])
        pages = list(kseries().sales("45454565682155", SINCE, UNTIL, 100))
        calls = [r.qs for r in m.request_history if r.method == "GET"]

    assert [[s["accountFiscId"] for s in p] for p in pages] == [["A1"], ["A2"]]
    assert calls[0] == {"from": ["2024-01-01t00:00:00z"], "to": ["2024-02-01t00:00:00z"], "pagesize": ["100"],
                        "include": ["payments,consumer,table"]}  # requests-mock lower-cases query strings
    assert calls[1]["nextpagetoken"] == ["t1"]


def test_given_the_same_next_page_token_twice_then_a_pagination_loop_error():
    with rm.Mocker() as m:
        token_endpoint(m)
        m.get(SALES, json={"sales": [{"accountFiscId": "A1"}], "nextPageToken": "again"})
        with pytest.raises(ApiError, match="pagination loop"):
            list(kseries().sales("45454565682155", SINCE, UNTIL, 100))


def test_given_a_documented_400_then_the_error_says_what_lightspeed_said_and_no_secret():
    with rm.Mocker() as m:
        token_endpoint(m)
        m.get(SALES, status_code=400, json={"error": "Invalid date format: 12/12/2023"})
        with pytest.raises(ApiError) as err:
            list(kseries().sales("45454565682155", SINCE, UNTIL, 100))

    text = str(err.value)
    assert "HTTP 400" in text and "Invalid date format: 12/12/2023" in text
    assert SECRET not in text and REFRESH not in text and "k-access" not in text


def xseries() -> tuple[XSeriesClient, SimulatedClock]:
    settings = xseries_settings({"domain_prefix": "winkel", "credentials": {
        "auth_type": "personal_token", "personal_token": "lsxs_pt_0123456789abcdef"}})
    clock = SimulatedClock(now=1_700_000_000.0)
    return XSeriesClient(settings, sleep=clock.sleep, clock=clock), clock


def test_given_version_pages_then_after_moves_to_each_version_max_until_data_is_empty():
    client, _ = xseries()
    with rm.Mocker() as m:
        m.get(f"{X_API}/api/2.0/sales", [
            {"json": {"data": [{"id": "a", "version": 11}, {"id": "b", "version": 12}],
                      "version": {"min": 11, "max": 12}}},
            {"json": {"data": [{"id": "c", "version": 15}], "version": {"min": 15, "max": 15}}},
            {"json": {"data": [], "version": {"min": None, "max": None}}}])
        pages = list(client.pages("sales", 10, 2))
        afters = [r.qs["after"][0] for r in m.request_history]

    assert [(p.max_version, [r["id"] for r in p.records]) for p in pages] == [(12, ["a", "b"]), (15, ["c"])]
    assert afters == ["10", "12", "15"]
    assert m.request_history[0].headers["Authorization"] == "Bearer lsxs_pt_0123456789abcdef"


def test_given_a_feed_that_does_not_move_forward_then_an_error_instead_of_a_loop():
    client, _ = xseries()
    with rm.Mocker() as m:
        m.get(f"{X_API}/api/2.0/sales", json={"data": [{"id": "a", "version": 5}], "version": {"min": 5, "max": 5}})
        with pytest.raises(ApiError, match="did not move forward"):
            list(client.pages("sales", 5, 2))


def test_given_a_429_with_an_http_date_then_the_client_waits_until_then_and_retries():
    client, clock = xseries()
    with rm.Mocker() as m:
        m.get(f"{X_API}/api/2.0/outlets", [
            {"status_code": 429, "headers": {"Retry-After": formatdate(clock.now + 30, usegmt=True)},
             "json": {"error": "Too Many Requests"}},
            {"json": {"data": [{"id": "o", "version": 1}], "version": {"min": 1, "max": 1}}},
            {"json": {"data": [], "version": {"min": None, "max": None}}}])
        outlets = client.all("outlets", 100)

    assert [o["id"] for o in outlets] == ["o"]
    assert clock.total_slept == pytest.approx(30, abs=1.5)
