"""Rate limiters and error handling of the two platform clients (requests-mock, injected clock and sleep)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests
import requests_mock as rm

from connector_common.errors import AuthFailed, QuotaExhausted
from connector_common.testing import SimulatedClock
from source_lightspeed.client import EcomClient, EcomRateLimiter, LeakyBucketLimiter
from source_lightspeed.config import EcomSettings

START = 1000.0  # every clock here starts at this epoch second
KEY, SECRET = "key-0123456789abcdef0123456789ab", "secret-0123456789abcdef012345678"


def response(headers: dict[str, str]) -> requests.Response:
    r = requests.Response()
    r.status_code = 200
    r.headers.update(headers)
    return r


def test_given_five_minute_window_used_up_when_next_call_then_wait_until_it_resets():
    clock = SimulatedClock(now=START)
    limiter = EcomRateLimiter(clock=clock)
    limiter.after_response(response({"X-RateLimit-Remaining": "0/2700/11000", "X-RateLimit-Reset": "42/1800/50000"}))

    assert limiter.before_request("GET", "u") == pytest.approx(42)


def test_given_daily_window_used_up_when_next_call_then_quota_exhausted_instead_of_sleeping():
    limiter = EcomRateLimiter(clock=SimulatedClock(now=START))
    limiter.after_response(response({"X-RateLimit-Remaining": "10/100/0", "X-RateLimit-Reset": "42/1800/50000"}))

    with pytest.raises(QuotaExhausted, match="daily request limit"):
        limiter.before_request("GET", "u")


def test_given_calls_left_when_next_call_then_only_paced_just_under_twenty_per_second():
    clock = SimulatedClock(now=START)
    limiter = EcomRateLimiter(clock=clock)
    limiter.after_response(response({"X-RateLimit-Remaining": "200/2000/11000", "X-RateLimit-Reset": "42/1800/5"}))

    waits = [limiter.before_request("GET", "u") for _ in range(3)]

    assert waits == pytest.approx([0.0, 1 / 19, 2 / 19])


def test_given_bucket_nearly_full_when_next_call_then_wait_for_the_drip_to_make_room():
    clock = SimulatedClock(now=START)
    limiter = LeakyBucketLimiter(clock=clock, headroom=1.0)
    limiter.after_response(response({"X-LS-API-Bucket-Level": "89/90", "X-LS-API-Drip-Rate": "2",
                                     "X-LS-API-Request-Cost": "1"}))

    assert limiter.before_request("GET", "u") == pytest.approx(0.5)  # (89 + 1 + 1 - 90) / 2


def test_given_bucket_with_room_when_next_call_then_no_wait():
    clock = SimulatedClock(now=START)
    limiter = LeakyBucketLimiter(clock=clock)
    limiter.after_response(response({"X-LS-API-Bucket-Level": "10/90", "X-LS-API-Drip-Rate": "1"}))

    assert limiter.before_request("GET", "u") == 0.0


def _client(clock: SimulatedClock) -> EcomClient:
    settings = EcomSettings(base_url="https://api.webshopapp.com", language="nl", api_key=KEY, api_secret=SECRET,
                            statuses=frozenset({"completed"}), prices_include_tax=True)
    return EcomClient(settings, sleep=clock.sleep, clock=clock)


def test_given_429_with_retry_after_when_listing_then_it_waits_that_long_and_retries():
    clock = SimulatedClock(now=START)
    with rm.Mocker() as mock:
        mock.get("https://api.webshopapp.com/nl/orders/count.json", [
            {"status_code": 429, "headers": {"Retry-After": "7"}, "json": {"error": {"message": "Too many"}}},
            {"json": {"count": 3}}])
        count = _client(clock).count("orders", datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC))

        assert count == 3 and 7.0 in clock.slept
        assert mock.request_history[0].qs["updated_at_min"] == ["2024-01-01 00:00:00"]


def test_given_401_when_calling_then_auth_failed_names_the_vendor_message_but_no_secret():
    with rm.Mocker() as mock:
        mock.get("https://api.webshopapp.com/nl/shop.json", status_code=401,
                 json={"error": {"code": 401, "message": f"Invalid API key {KEY}"}})

        with pytest.raises(AuthFailed) as info:
            _client(SimulatedClock(now=START)).shop_currency()

    assert "Invalid API key" in str(info.value)
    assert KEY not in str(info.value) and SECRET not in str(info.value)


def test_given_json_numbers_when_read_then_they_are_decimals_not_floats():
    with rm.Mocker() as mock:
        mock.get("https://api.webshopapp.com/nl/orders/5/products.json", text='{"orderProducts": [{"priceIncl": 12.1}]}')

        (line,) = _client(SimulatedClock(now=START)).order_lines(5)

    assert line["priceIncl"] == Decimal("12.1")
