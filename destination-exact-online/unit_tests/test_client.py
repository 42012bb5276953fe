"""ExactClient over requests-mock: OData escaping, paging, Exact's limits and errors, exact JSON numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests_mock

from connector_common.errors import QuotaExhausted
from connector_common.testing import SimulatedClock
from destination_exact_online.client import BusinessError, ExactClient, budget_filters, build_client

BASE = "https://start.exactonline.nl"
DIV = f"{BASE}/api/v1/1234567"
START = 1_700_000_000.0  # every clock here starts at this epoch second
TOKEN = {"access_token": "access-aaaa", "token_type": "bearer", "expires_in": "600", "refresh_token": "refresh-2222"}


def client(clock: SimulatedClock, rotated: list[str] | None = None) -> ExactClient:
    c, _ = build_client(base_url=BASE, client_id="cid", client_secret="secret-ssss", refresh_token="refresh-1111",
                        division=1234567, sleep=clock.sleep, clock=clock,
                        on_rotate=lambda t: (rotated if rotated is not None else []).append(t.refresh_token or ""))
    return c


def test_given_quote_in_value_when_filter_built_then_quote_is_doubled_and_query_unchanged() -> None:
    assert budget_filters("Email", ["a'b", "c"]) == ["Email eq 'a''b' or Email eq 'c'"]


def test_given_many_values_when_filters_built_then_each_stays_under_the_url_budget() -> None:
    chunks = budget_filters("YourRef", [f"shopify:#{i}" for i in range(600)], budget=4000)
    assert len(chunks) > 1 and sum(c.count(" eq ") for c in chunks) == 600
    assert all(len(quote(c)) <= 4000 for c in chunks)


def test_given_decimals_when_created_then_body_carries_exact_json_numbers() -> None:
    clock = SimulatedClock(now=START)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.post(f"{DIV}/salesinvoice/SalesInvoices", json={"d": {"InvoiceID": "g1"}})
        client(clock).create("SalesInvoice", {"a": Decimal("9.666667"), "b": [Decimal("-0.10")]})
        sent = m.request_history[-1]
    assert sent.headers["Content-Type"] == "application/json" and sent.headers["Prefer"] == "return=representation"
    assert '"b": [-0.10]' in sent.text
    assert json.loads(sent.text, parse_float=Decimal) == {"a": Decimal("9.666667"), "b": [Decimal("-0.10")]}


def test_given_email_with_quote_when_accounts_looked_up_then_one_escaped_query_and_trimmed_lowercase_keys() -> None:
    clock = SimulatedClock(now=START)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/crm/Accounts", json={"d": {"results": [{"ID": "g1", "Email": "O'Brien@Example.com ",
                                                              "Status": "C"}]}})
        found = client(clock).accounts_by_email(["o'brien@example.com"])
        query = parse_qs(urlsplit(m.request_history[-1].url).query)
    assert query["$filter"] == ["Email eq 'o''brien@example.com'"]
    assert found["o'brien@example.com"]["ID"] == "g1"


def test_given_two_pages_when_queried_then_next_link_is_followed_in_order() -> None:
    clock = SimulatedClock(now=START)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/logistics/Items", [
            {"json": {"d": {"results": [{"ID": "1", "Code": "A  "}], "__next": f"{DIV}/logistics/Items?$skiptoken=x"}}},
            {"json": {"d": {"results": [{"ID": "2", "Code": "B"}]}}}])
        items = client(clock).items_by_code(["A", "B"])
    assert sorted(items) == ["A", "B"]


def test_given_minutely_remaining_zero_when_next_call_then_client_waits_until_the_reset() -> None:
    clock = SimulatedClock(now=START)
    reset_ms = int((clock.now + 42) * 1000)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/vat/VATCodes", json={"d": {"results": []}},
              headers={"X-RateLimit-Minutely-Remaining": "0", "X-RateLimit-Minutely-Reset": str(reset_ms)})
        c = client(clock)
        c.vat_codes()
        c.vat_codes()
    assert clock.slept and clock.slept[0] == pytest.approx(42, abs=0.01)


def test_given_daily_limit_429_when_called_then_quota_exhausted_with_reset_time_and_no_retry() -> None:
    clock = SimulatedClock(now=START)
    reset_ms = int((clock.now + 3600) * 1000)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/vat/VATCodes", status_code=429, text="Too Many Requests",
              headers={"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset_ms)})
        with pytest.raises(QuotaExhausted) as err:
            client(clock).vat_codes()
        assert len([r for r in m.request_history if "VATCodes" in r.url]) == 1
    assert err.value.resets_at is not None and err.value.resets_at.timestamp() == pytest.approx(clock.now + 3600)


def test_given_minutely_429_without_retry_after_when_called_then_waits_for_minutely_reset_and_retries() -> None:
    clock = SimulatedClock(now=START)
    reset_ms = int((clock.now + 17) * 1000)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/vat/VATCodes", [
            {"status_code": 429, "text": "Too Many Requests",
             "headers": {"X-RateLimit-Minutely-Remaining": "0", "X-RateLimit-Minutely-Reset": str(reset_ms)}},
            {"json": {"d": {"results": []}}}])
        assert client(clock).vat_codes() == []
    assert clock.total_slept == pytest.approx(17, abs=0.01)  # backoff, then the limiter waits out the minute


def test_given_business_error_500_when_posting_then_not_retried_and_message_names_exact_text_without_secrets() -> None:
    clock = SimulatedClock(now=START)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.post(f"{DIV}/salesinvoice/SalesInvoices", status_code=500,
               json={"error": {"code": "", "message": {"lang": "", "value": "Ongeldig: Factuur voor (Type)"}}})
        with pytest.raises(BusinessError) as err:
            client(clock).create("SalesInvoice", {"Journal": "70"})
        assert len([r for r in m.request_history if "SalesInvoices" in r.url]) == 1
        sent = m.request_history[-1]
    assert "Ongeldig: Factuur voor (Type)" in str(err.value)
    for secret in ("secret-ssss", "refresh-1111", "access-aaaa"):
        assert secret not in str(err.value)
    assert sent.headers["Prefer"] == "return=representation" and sent.headers["Authorization"] == "Bearer access-aaaa"


def test_given_rotation_when_token_refreshed_then_callback_gets_the_new_refresh_token_once() -> None:
    clock, rotated = SimulatedClock(now=START), list[str]()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/api/oauth2/token", json=TOKEN)
        m.get(f"{DIV}/vat/VATCodes", json={"d": {"results": []}})
        c = client(clock, rotated)
        c.vat_codes()
        c.vat_codes()
        form = parse_qs(m.request_history[0].text)
    assert rotated == ["refresh-2222"]
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["refresh-1111"]


def test_given_dry_run_client_when_create_called_then_refused_before_any_request() -> None:
    c, _ = build_client(base_url=BASE, client_id="cid", client_secret="s" * 8, refresh_token="r" * 8,
                        division=1, read_only=True)
    with requests_mock.Mocker() as m, pytest.raises(Exception, match="dry run"):
        c.create("Account", {"Name": "x"})
    assert m.request_history == []
