"""The GraphQL client alone: cost-bucket pacing, THROTTLED retries, error messages, shop names, no leaked secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import requests_mock

from connector_common.errors import AuthFailed, ConfigError, RateLimited, TransientApiError
from connector_common.http import Redactor
from connector_common.testing import SimulatedClock
from source_shopify_orders.client import (
    CostBucketLimiter,
    MissingScope,
    ProtectedDataDenied,
    ShopifyClient,
    UnknownShop,
    base_url_for,
    classify_error,
    fitting_page_size,
    graphql_errors,
    make_auth,
    shop_host,
)

BASE = "https://demo.myshopify.com"
URL = f"{BASE}/admin/api/2026-10/graphql.json"
TOKEN = "shpat_unit_test_token_1234567890"
START = 1000.0  # every clock here starts at this epoch second


def cost(requested: int, actual: int | None, available: float, maximum: float = 1000.0,
         rate: float = 50.0) -> dict[str, Any]:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available,
                                        "restoreRate": rate}}}


def client(clock: SimulatedClock) -> ShopifyClient:
    redactor = Redactor()
    return ShopifyClient(BASE, "2026-10", make_auth({"access_token": TOKEN}, BASE, redactor), redactor=redactor,
                         sleep=clock.sleep, clock=clock.time, rand=lambda: 0.5)


def response(status: int, body: Any) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = json.dumps(body).encode()
    r.request = requests.Request("POST", URL).prepare()
    return r


@pytest.mark.parametrize(("value", "host"), [("my-shop", "my-shop.myshopify.com"),
                                             (" My-Shop.myshopify.com ", "my-shop.myshopify.com"),
                                             ("https://my-shop.myshopify.com/admin", "my-shop.myshopify.com")])
def test_given_shop_spellings_when_normalised_then_they_name_the_same_store(value: str, host: str) -> None:
    assert shop_host(value) == host


def test_given_a_bad_shop_or_plain_http_url_when_configured_then_a_config_error_says_so() -> None:
    with pytest.raises(ConfigError, match="not a Shopify store name"):
        shop_host("my shop!")
    with pytest.raises(ConfigError, match="https"):
        base_url_for("x", "http://proxy.example.com")
    assert base_url_for("x", "http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


def test_given_a_half_empty_bucket_when_the_next_query_costs_more_than_is_left_then_it_waits_for_the_refill() -> None:
    clock = SimulatedClock(now=START)
    limiter = CostBucketLimiter(clock=clock.time)
    limiter.observe("Orders", cost(requested=800, actual=300, available=500)["cost"])
    limiter.expect("Orders")
    wait = limiter.before_request("POST", URL)
    assert wait == pytest.approx((800 * 1.01 + 1 - 500) / 50)
    clock.now += wait
    assert limiter.before_request("POST", URL) == pytest.approx(0.0, abs=1e-9)
    assert limiter.before_request("GET", f"{BASE}/_bulk/1.jsonl") == 0.0


@pytest.mark.parametrize(("requested", "size", "expected"), [(874, 4, 4), (218, 1, 4), (20002, 50, 2), (None, 7, 7)])
def test_given_the_last_page_cost_when_sizing_the_next_page_then_it_fits_under_1000_points(
        requested: int | None, size: int, expected: int) -> None:
    assert fitting_page_size(requested, size, 50, 1000.0) == expected


def test_given_throttled_answers_when_querying_then_it_waits_by_the_bucket_and_returns_the_data() -> None:
    clock = SimulatedClock(now=START)
    shopify = client(clock)
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                 "extensions": cost(752, None, 100)}
    ok = {"data": {"shop": {"name": "Demo"}}, "extensions": cost(752, 40, 800)}
    with requests_mock.Mocker() as m:
        m.post(URL, [{"json": throttled}, {"json": ok}])
        result = shopify.graphql("Shop", "query { shop { name } }")
        sent = m.request_history
    assert result.data == {"shop": {"name": "Demo"}}
    assert shopify.throttled == 1 and len(sent) == 2
    assert clock.slept == [pytest.approx((752 * 1.01 + 1 - 100) / 50)]
    assert sent[0].headers["X-Shopify-Access-Token"] == TOKEN


def test_given_a_400_answer_when_querying_then_the_error_names_the_call_without_the_token() -> None:
    shopify = client(SimulatedClock(now=START))
    with requests_mock.Mocker() as m:
        m.post(URL, status_code=401, json={"errors": f"[API] Invalid API key or access token {TOKEN}"})
        with pytest.raises(AuthFailed) as info:
            shopify.graphql("Shop", "query { shop { name } }")
    assert "rejected the access token" in str(info.value)
    assert TOKEN not in str(info.value)


def test_given_a_server_error_storm_when_querying_then_it_retries_and_raises_a_transient_error() -> None:
    clock = SimulatedClock(now=START)
    shopify = client(clock)
    with requests_mock.Mocker() as m:
        m.post(URL, status_code=503, json={"errors": "unavailable"})
        with pytest.raises(TransientApiError):
            shopify.graphql("Shop", "query { shop { name } }")
        assert m.call_count == 6
    assert len(clock.slept) == 5


@pytest.mark.parametrize(("status", "body", "error"), [
    (401, {"errors": "[API] Invalid API key or access token"}, AuthFailed),
    (403, {"errors": "[API] This app is not approved to access REST endpoints with protected customer data."},
     ProtectedDataDenied),
    (403, {"errors": "Merchant approval for read_orders scope is required."}, MissingScope),
    (404, {"errors": "Not Found"}, UnknownShop),
])
def test_given_shopify_error_answers_when_classified_then_they_become_typed_config_errors(
        status: int, body: dict[str, Any], error: type) -> None:
    classified = classify_error(response(status, body))
    assert isinstance(classified, error) and isinstance(classified, ConfigError)


def test_given_graphql_access_denied_errors_when_classified_then_the_scope_or_approval_is_named() -> None:
    scope = graphql_errors("Orders", [{"message": "Access denied for orders field.", "extensions": {
        "code": "ACCESS_DENIED", "requiredAccess": "`read_orders` access scope."}}])
    assert isinstance(scope, MissingScope) and "read_orders" in str(scope)
    pii = graphql_errors("Orders", [{"message": "This app is not approved to use the email field.",
                                     "extensions": {"code": "ACCESS_DENIED"}}])
    assert isinstance(pii, ProtectedDataDenied) and "Protected customer data" in str(pii)


def test_given_a_throttled_mutation_and_an_internal_error_when_querying_then_the_shared_loop_retries_both() -> None:
    clock = SimulatedClock(now=START)
    shopify = client(clock)
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                 "extensions": cost(10, None, 0)}
    internal = {"errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    ok = {"data": {"bulkOperationRunQuery": {"userErrors": []}}, "extensions": cost(10, 10, 990)}
    with requests_mock.Mocker() as m:
        m.post(URL, [{"json": throttled}, {"json": ok}])
        result = shopify.graphql("BulkRun", "mutation { bulkOperationRunQuery(query: \"\") { userErrors { code } } }",
                                 mutation=True)  # THROTTLED means not executed: safe to send the write again
        assert result.data["bulkOperationRunQuery"] == {"userErrors": []} and m.call_count == 2
        m.post(URL, [{"json": internal}, {"json": {"data": {"shop": {"name": "Demo"}}}}])
        assert shopify.graphql("Shop", "query { shop { name } }").data == {"shop": {"name": "Demo"}}
    assert shopify.throttled == 1
    assert clock.slept[0] == pytest.approx((10 * 1.01 + 1) / 50)  # the refill time of the requested cost
    assert len(clock.slept) == 2 and shopify.http.waited == pytest.approx(clock.total_slept)


def test_given_a_bucket_that_never_refills_when_querying_then_a_rate_limited_error_names_the_query() -> None:
    shopify = client(SimulatedClock(now=START))
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                 "extensions": cost(500, None, 0)}
    with requests_mock.Mocker() as m:
        m.post(URL, json=throttled)
        with pytest.raises(RateLimited, match="Orders: THROTTLED"):
            shopify.graphql("Orders", "query { orders(first: 10) { nodes { id } } }")
        assert m.call_count == 6  # RetryPolicy.max_attempts, the one retry loop of HttpClient
