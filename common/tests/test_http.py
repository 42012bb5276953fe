"""The HTTP client: retries, Retry-After, rate-limit waits, write safety, error classes, redaction."""

import http.server
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import requests_mock

from connector_common.errors import (
    AmbiguousWrite,
    ApiError,
    AuthFailed,
    ConfigError,
    NotFound,
    QuotaExhausted,
    RateLimited,
    TransientApiError,
)
from connector_common.http import HttpClient, Redactor, RetryPolicy, endpoint_of, message_from, parse_retry_after
from connector_common.ratelimit import MinIntervalLimiter, RemainingResetLimiter

BASE = "https://api.example.test"
NOW = 1_800_000_000.0


def client(**kwargs) -> tuple[HttpClient, list[float]]:
    sleeps: list[float] = []
    c = HttpClient(BASE, sleep=sleeps.append, rand=lambda: 0.5, clock=lambda: NOW, **kwargs)
    return c, sleeps


def test_given_429_with_retry_after_seconds_then_waits_that_long_and_succeeds():
    c, sleeps = client()
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/orders", [{"status_code": 429, "headers": {"Retry-After": "7"}}, {"json": {"ok": 1}}])
        assert c.get("/orders").json() == {"ok": 1}
        assert m.call_count == 2
    assert sleeps == [7.0]
    assert c.calls["GET /orders"] == 2


def test_given_retry_after_as_http_date_then_relative_wait():
    when = datetime.fromtimestamp(NOW, UTC) + timedelta(seconds=30)
    assert parse_retry_after(format_datetime(when, usegmt=True), NOW) == 30.0
    assert parse_retry_after("garbage", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_given_5xx_then_capped_exponential_backoff_with_jitter_until_exhausted():
    c, sleeps = client(retry=RetryPolicy(max_attempts=4, backoff_base=1, backoff_cap=3))
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", status_code=503)
        with pytest.raises(TransientApiError, match="GET /x returned HTTP 503"):
            c.get("/x")
        assert m.call_count == 4
    assert sleeps == [0.75, 1.5, 2.25]  # ceiling 1, 2, 3 (capped); equal jitter with rand 0.5


def test_given_connection_error_on_get_then_retried():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", [{"exc": requests.ConnectionError("reset")}, {"json": {}}])
        c.get("/x")
        assert m.call_count == 2


def test_given_post_when_response_lost_then_ambiguous_write_and_no_retry():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/invoices", exc=requests.ConnectionError("Connection aborted"))
        with pytest.raises(AmbiguousWrite, match="may have been processed"):
            c.post("/invoices", json={"a": 1})
        assert m.call_count == 1


def test_given_post_when_5xx_then_ambiguous_write_and_no_retry():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/invoices", status_code=500)
        with pytest.raises(AmbiguousWrite):
            c.post("/invoices", json={})
        assert m.call_count == 1


def test_given_post_when_429_then_retried_because_nothing_was_processed():
    c, sleeps = client()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/invoices", [{"status_code": 429, "headers": {"Retry-After": "1"}}, {"status_code": 201, "json": {}}])
        assert c.post("/invoices", json={}).status_code == 201
    assert sleeps == [1.0]


def test_given_post_when_connect_refused_then_retried_safely():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/invoices", [{"exc": requests.ConnectTimeout("connect timeout")}, {"status_code": 201, "json": {}}])
        assert c.post("/invoices", json={}).status_code == 201


@pytest.mark.parametrize(("status", "error"), [(401, AuthFailed), (403, AuthFailed), (404, NotFound), (400, ApiError),
                                               (429, RateLimited)])
def test_error_classes(status, error):
    c, _ = client(retry=RetryPolicy(max_attempts=1))
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", status_code=status)
        with pytest.raises(error):
            c.get("/x")


def test_given_vendor_classifier_when_daily_limit_then_quota_exhausted_without_retry():
    def classify(resp: requests.Response):
        if resp.status_code == 429 and resp.headers.get("X-Daily-Remaining") == "0":
            return QuotaExhausted("daily limit reached", status=429)
        return None

    c, sleeps = client(classify_error=classify)
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", status_code=429, headers={"X-Daily-Remaining": "0"})
        with pytest.raises(QuotaExhausted):
            c.get("/x")
        assert m.call_count == 1
    assert sleeps == []


def test_given_401_with_refreshable_auth_then_invalidated_and_retried_once():
    class Auth(requests.auth.AuthBase):
        invalidated = 0

        def __call__(self, r):
            r.headers["Authorization"] = f"Bearer t{self.invalidated}"
            return r

        def invalidate(self):
            self.invalidated += 1

    auth = Auth()
    c, _ = client(auth=auth)
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", [{"status_code": 401}, {"json": {}}])
        c.get("/x")
        assert m.request_history[1].headers["Authorization"] == "Bearer t1"
    assert auth.invalidated == 1


def test_given_secrets_when_error_then_message_is_redacted():
    red = Redactor(("supersecret-token-123",))
    c, _ = client(redactor=red, retry=RetryPolicy(max_attempts=1),
                  error_message=lambda r: r.json()["error"])
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", status_code=400, json={"error": "bad token supersecret-token-123"})
        with pytest.raises(ApiError) as info:
            c.get("/x?access_token=supersecret-token-123&page=2")
    text = str(info.value) + info.value.url
    assert "supersecret-token-123" not in text
    assert "access_token=****" in info.value.url and "page=2" in info.value.url


def test_rate_limiter_waits_before_the_limit_is_hit():
    clock = [NOW]
    limiter = RemainingResetLimiter("X-Remaining", "X-Reset", reset_kind="epoch_ms", clock=lambda: clock[0])
    c, sleeps = client(rate_limiter=limiter)
    reset_ms = str(int((NOW + 42) * 1000))
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", headers={"X-Remaining": "0", "X-Reset": reset_ms}, json={})
        c.get("/x")
        c.get("/x")
    assert sleeps == [42.0]


def test_min_interval_limiter_spaces_calls():
    t = [0.0]
    limiter = MinIntervalLimiter(per_second=4, clock=lambda: t[0])
    assert [limiter.before_request("GET", "u") for _ in range(3)] == [0.0, 0.25, 0.5]


def test_pagination_loop_is_detected():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/p", json={"next": "/p"})
        pages = c.paginate("/p", None, lambda r: (r.json()["next"], None))
        with pytest.raises(ApiError, match="pagination loop"):
            list(pages)


def test_timeout_is_always_set_and_tls_verification_on():
    c, _ = client()
    with requests_mock.Mocker() as m:
        m.get(f"{BASE}/x", json={})
        c.get("/x")
        assert m.last_request.timeout == (10.0, 60.0)
        assert m.last_request.verify not in (False, None)
    with pytest.raises(ValueError, match="timeout"):
        HttpClient(BASE, timeout=(0, 5))


def test_endpoint_counter_groups_ids():
    assert endpoint_of("GET", "https://h/api/v1/123456/crm/Accounts(guid'ab-cd')?x=1") == "GET /api/v1/{id}/crm/Accounts({id})"


def test_given_error_inside_a_200_body_when_classified_rate_limited_then_retried_after_its_wait():
    def throttled(resp: requests.Response):
        if resp.json().get("errors"):
            return RateLimited("THROTTLED", retry_after=3.0)
        return None

    c, sleeps = client(classify_ok=throttled)
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/graphql.json", [{"json": {"errors": [{"extensions": {"code": "THROTTLED"}}]}},
                                        {"json": {"data": {"ok": True}}}])
        assert c.post("/graphql.json", json={}, idempotent=True).json() == {"data": {"ok": True}}
    assert sleeps == [3.0]


def test_json_bodies_carry_decimals_exactly():
    from decimal import Decimal

    c, _ = client()
    with requests_mock.Mocker() as m:
        m.post(f"{BASE}/x", json={})
        c.post("/x", json={"AmountFC": Decimal("12.10")})
        assert m.last_request.text == '{"AmountFC": 12.10}'
        assert m.last_request.headers["Content-Type"] == "application/json"


def test_given_post_answered_after_the_read_timeout_then_ambiguous_write_says_how_long_it_was_in_flight():
    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(0.5)
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        c = HttpClient(f"http://127.0.0.1:{server.server_port}", timeout=(1.0, 0.2))
        with pytest.raises(AmbiguousWrite) as caught:
            c.post("/invoices", json={"YourRef": "x"})
    finally:
        server.shutdown()
    assert 0.2 <= caught.value.elapsed < 0.5
    assert c.calls["POST /invoices"] == 1


def test_given_read_timeout_in_environment_then_clients_use_it_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setenv("CONNECTOR_READ_TIMEOUT_SECONDS", "2.5")
    assert HttpClient(BASE).timeout == (10.0, 2.5)
    monkeypatch.setenv("CONNECTOR_READ_TIMEOUT_SECONDS", "-1")
    with pytest.raises(ConfigError, match="CONNECTOR_READ_TIMEOUT_SECONDS='-1' is not a positive number"):
        HttpClient(BASE)
    monkeypatch.delenv("CONNECTOR_READ_TIMEOUT_SECONDS")
    assert HttpClient(BASE).timeout == (10.0, 60.0)


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy for plain HTTP: answers every request itself and records the absolute URL it was asked for."""

    seen: list[str] = []

    def do_GET(self) -> None:
        _Proxy.seen.append(self.path)
        body = b'{"via": "proxy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def proxy():
    _Proxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_given_http_proxy_in_the_environment_then_requests_go_through_it_and_it_is_looked_up_once(monkeypatch, proxy):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    lookups = []
    real = requests.utils.get_environ_proxies
    monkeypatch.setattr(requests.utils, "get_environ_proxies", lambda url, **kw: lookups.append(url) or real(url, **kw))
    c = HttpClient("http://shop.example.test", sleep=lambda _s: None)
    for page in range(5):
        assert c.get("/orders", params={"page": page}).json() == {"via": "proxy"}
    assert _Proxy.seen == [f"http://shop.example.test/orders?page={page}" for page in range(5)]
    assert len(lookups) == 1  # once per session and host, not per request


def test_given_no_proxy_for_the_host_then_the_proxy_is_bypassed(monkeypatch, proxy):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "shop.example.test")
    c = HttpClient("http://shop.example.test")
    assert c.proxies_for("http://shop.example.test/orders") == {}
    assert c.proxies_for("http://other.example.test/x")["http"] == proxy


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_given_a_host_never_reached_when_requested_then_config_error_naming_host_and_setting_without_retrying():
    slept: list[float] = []
    port = _closed_port()
    client = HttpClient(f"http://127.0.0.1:{port}", sleep=slept.append, host_setting="api_url")

    with pytest.raises(ConfigError, match=rf"^cannot reach 127.0.0.1:{port}: the connection was refused; check the "
                                          r"api_url setting$"):
        client.get("/x")
    assert slept == [] and client.calls[endpoint_of("GET", f"http://127.0.0.1:{port}/x")] == 1


def test_given_a_host_that_answered_before_when_the_connection_fails_then_retried_as_transient():
    slept: list[float] = []
    port = _closed_port()
    client = HttpClient(f"http://127.0.0.1:{port}", sleep=slept.append, host_setting="api_url",
                        retry=RetryPolicy(max_attempts=3), rand=lambda: 0.0)
    client.answered = True  # as after a first successful call

    with pytest.raises(TransientApiError, match="connection failed"):
        client.get("/x")
    assert len(slept) == 2


def test_given_vendor_error_bodies_when_the_message_is_extracted_then_the_first_non_empty_key_wins():
    extract = message_from("message", "httpMessage", limit=10)

    def response(body: bytes) -> requests.Response:
        r = requests.Response()
        r._content = body
        return r

    assert extract(response(b'{"message": "", "httpMessage": "Bad Request"}')) == "Bad Reques"  # cut at limit
    assert extract(response(b'{"message": "Not found"}')) == "Not found"
    assert extract(response(b'{"other": "x"}')) is None
    assert extract(response(b"<html>busy</html>")) is None
    assert extract(response(b'["message"]')) is None
