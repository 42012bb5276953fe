"""connector_common.exact over requests-mock: sync paging on Timestamp, SyncTimestamp, paging loops, Exact dates."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests_mock

from connector_common.errors import ApiError
from connector_common.exact import ExactApi, ExactCredentials, build_http, guid_filters, parse_exact_datetime
from connector_common.testing import SimulatedClock

BASE = "https://start.exactonline.nl"
DIV = f"{BASE}/api/v1/1234567"
TOKEN = {"access_token": "access-aaaa", "token_type": "bearer", "expires_in": "600", "refresh_token": "refresh-2222"}


def api(clock: SimulatedClock) -> ExactApi:
    credentials = ExactCredentials(base_url=BASE, client_id="cid", client_secret="secret-ssss",
                                   refresh_token="refresh-1111")
    http, _ = build_http(credentials, sleep=clock.sleep, clock=clock)
    return ExactApi(http, 1234567, read_only=True)


def query(request: requests_mock.request._RequestObjectProxy) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


def test_given_sync_endpoint_when_paged_then_timestamp_filter_and_next_links_in_order() -> None:
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/sync/Inventory/StockPositions", [
            {"json": {"d": {"results": [{"Timestamp": 11}], "__next": f"{DIV}/sync/Inventory/StockPositions?p=2"}}},
            {"json": {"d": {"results": [{"Timestamp": 12}]}}}])

        pages = list(api(SimulatedClock(now=1.7e9)).sync_pages("sync/Inventory/StockPositions", 10,
                                                               select="Timestamp,ID"))

        first, second = m.request_history[1:]
    assert pages == [[{"Timestamp": 11}], [{"Timestamp": 12}]]
    assert query(first)["$filter"] == ["Timestamp gt 10L"] and query(first)["$select"] == ["Timestamp,ID"]
    assert query(second) == {"p": ["2"]}  # the next link as Exact gave it, no parameters added


def test_given_a_next_link_seen_before_when_paged_then_a_paging_loop_error() -> None:
    loop = f"{DIV}/sync/Deleted?$skiptoken=same"
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/sync/Deleted", json={"d": {"results": [{"Timestamp": 2}], "__next": loop}})

        with pytest.raises(ApiError, match="paging loop on sync/Deleted"):
            list(api(SimulatedClock(now=1.7e9)).sync_pages("sync/Deleted", 1, select="Timestamp"))


def test_given_a_start_date_when_sync_timestamp_asked_then_cet_wall_clock_literal_and_the_value() -> None:
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/read/sync/Sync/SyncTimestamp", json={"d": {"TimeStampAsBigInt": 98765}})

        value = api(SimulatedClock(now=1.7e9)).sync_timestamp("Items", datetime(2024, 1, 1, tzinfo=UTC))

        sent = query(m.request_history[-1])
    assert value == 98765
    assert sent == {"modified": ["datetime'2024-01-01T01:00:00'"], "endPoint": ["'Items'"]}


@pytest.mark.parametrize(("raw", "expected"), [
    ("/Date(1714557600000)/", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),  # 10:00 CEST wall clock
    ("/Date(1704067200000)/", datetime(2023, 12, 31, 23, 0, tzinfo=UTC)),  # 00:00 CET
    ("2024-05-01T10:00:00", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
    ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    (None, None), ("", None),
])
def test_given_exact_dates_when_parsed_then_aware_utc(raw: str | None, expected: datetime | None) -> None:
    assert parse_exact_datetime(raw) == expected


def test_given_many_guids_when_filters_built_then_each_under_the_budget_and_every_id_once() -> None:
    ids = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(300)]

    filters = guid_filters("EntryID", ids, budget=2000)

    assert len(filters) > 1
    assert sum(f.count("guid'") for f in filters) == 300
    assert all(len(quote(f)) <= 2000 for f in filters)  # URL-encoded
