"""EaccountingClient over the common HttpClient, against requests-mock: paging, filters, 429 waits, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
import requests_mock as rm

from connector_common.errors import ApiError, RateLimited
from connector_common.http import HttpClient, RetryPolicy
from connector_common.testing import SimulatedClock
from destination_eaccounting.client import (
    EaccountingClient,
    EaccountingRateLimiter,
    classify_error,
    error_message,
)

BASE = "https://eaccountingapi.example/v2"
START = 1000.0  # every clock here starts at this epoch second


def client(clock: SimulatedClock) -> EaccountingClient:
    http = HttpClient(base_url=BASE, rate_limiter=EaccountingRateLimiter(clock=clock),
                      classify_error=classify_error, error_message=error_message, sleep=clock.sleep,
                      clock=clock, rand=lambda: 0.0, retry=RetryPolicy(max_attempts=3))
    return EaccountingClient(http, page_size=2)


def page(data: list[dict], current: int, pages: int) -> dict:
    return {"Meta": {"CurrentPage": current, "PageSize": 2, "TotalNumberOfPages": pages,
                     "TotalNumberOfResults": 3}, "Data": data}


def test_given_two_pages_when_listing_then_both_fetched_with_page_params(requests_mock: rm.Mocker) -> None:
    requests_mock.get(f"{BASE}/units", [{"json": page([{"Id": "1"}, {"Id": "2"}], 1, 2)},
                                        {"json": page([{"Id": "3"}], 2, 2)}])
    assert [u["Id"] for u in client(SimulatedClock(now=START)).units()] == ["1", "2", "3"]
    assert [r.qs["$page"] for r in requests_mock.request_history] == [["1"], ["2"]]


def test_given_email_with_quote_when_finding_customers_then_filter_is_escaped(requests_mock: rm.Mocker) -> None:
    requests_mock.get(f"{BASE}/customers", json=page([], 1, 1))
    client(SimulatedClock(now=START)).find_customers("EmailAddress", ["o'brien@example.com", "x@y.se"])
    sent = requests_mock.last_request
    assert sent is not None
    assert sent.qs["$filter"] == ["emailaddress eq 'o''brien@example.com' or emailaddress eq 'x@y.se'"]


def test_given_a_429_with_try_again_text_when_called_then_waits_what_the_api_said(requests_mock: rm.Mocker) -> None:
    clock = SimulatedClock(now=START)
    body = {"ErrorCode": 4010, "DeveloperErrorMessage": "API calls quota exceeded! maximum admitted 600 per Minute. "
                                                        "Try again in 42 seconds."}
    requests_mock.get(f"{BASE}/companysettings", [{"status_code": 429, "json": body},
                                                  {"json": {"CountryCode": "SE"}}])
    assert client(clock).company_settings() == {"CountryCode": "SE"}
    assert clock.total_slept >= 42


def test_given_validation_error_when_posting_then_message_names_field_without_body_dump(
        requests_mock: rm.Mocker) -> None:
    body = {"ErrorCode": 2000, "DeveloperErrorMessage": "Validation failed", "ErrorId": "e1",
            "Errors": [{"Field": "Name", "ErrorCode": "MaxLength", "Message": "Name is too long."}],
            "Secret": "never-shown"}
    requests_mock.post(f"{BASE}/customers", status_code=400, json=body)
    with pytest.raises(ApiError) as err:
        client(SimulatedClock(now=START)).create_customer({"Name": "x" * 60})
    assert "Name: Name is too long." in str(err.value) and "never-shown" not in str(err.value)


def test_given_decimal_payload_when_posting_then_json_numbers_are_exact(requests_mock: rm.Mocker) -> None:
    requests_mock.post(f"{BASE}/articles", json={"Id": "a", "NetPrice": 12.1})
    client(SimulatedClock(now=START)).create_article({"Number": "A", "NetPrice": Decimal("12.10")})
    sent = requests_mock.last_request
    assert sent is not None and b'"NetPrice": 12.10' in sent.body
    assert sent.headers["Content-Type"] == "application/json"


def test_given_45_article_numbers_when_finding_then_three_filters_of_at_most_20(requests_mock: rm.Mocker) -> None:
    requests_mock.get(f"{BASE}/articles", json=page([], 1, 1))
    client(SimulatedClock(now=START)).find_articles([f"SKU-{i}" for i in range(45)] + ["SKU-0"])
    filters = [r.qs["$filter"][0] for r in requests_mock.request_history]
    assert [f.count(" eq ") for f in filters] == [20, 20, 5]


def test_given_600_calls_in_a_minute_when_limiter_asked_then_it_waits_for_the_window() -> None:
    clock = SimulatedClock(now=START)
    limiter = EaccountingRateLimiter(clock=clock, reserve=0)
    waits = [limiter.before_request("GET", f"{BASE}/customers") for _ in range(600)]
    assert set(waits) == {0.0}
    assert limiter.before_request("GET", f"{BASE}/customers") == pytest.approx(60.0)
    assert limiter.before_request("GET", f"{BASE}/articles") == 0.0


def test_given_429_response_when_classified_then_rate_limited_with_retry_after(requests_mock: rm.Mocker) -> None:
    requests_mock.get(f"{BASE}/x", status_code=429, json={"ErrorCode": 4010,
                                                           "DeveloperErrorMessage": "Try again in 7 seconds."})
    error = classify_error(requests.get(f"{BASE}/x", timeout=5))
    assert isinstance(error, RateLimited) and error.retry_after == 7.0
