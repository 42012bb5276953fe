"""Check and auth modes against the Shopify stand-in: static token, client credentials, rotating OAuth, failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

Factory = Callable[..., Any]


def test_given_valid_token_and_scopes_when_check_then_it_succeeds(make_shop: Factory, run: Factory,
                                                                   config: Factory) -> None:
    assert run("check", config(make_shop())).status() == ("SUCCEEDED", None)


WRONG_TOKEN = {"credentials": {"auth_method": "access_token", "access_token": "shpat_wrong_token_0000"}}


@pytest.mark.parametrize("case", [
    ({}, WRONG_TOKEN, "rejected the access token"),
    ({"shop_exists": False}, {}, "no Shopify store answers"),
    ({"scopes": ("read_orders", "read_customers", "read_products")}, {}, "read_all_orders (start_date 2020-01-01"),
    ({"scopes": ("read_orders", "read_all_orders", "read_products")}, {}, "read_customers (for customers)"),
    ({"protected_customer_data": "none"}, {}, "not approved for protected customer data"),
    ({"protected_customer_data": "level1"}, {}, "not approved for protected customer data"),
])
def test_given_a_broken_setup_when_check_then_it_fails_naming_the_problem(
        make_shop: Factory, run: Factory, config: Factory, case: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    shop_kwargs, overrides, expected = case
    result = run("check", config(make_shop(**shop_kwargs), **overrides))
    status, message = result.status()
    assert status == "FAILED"
    assert expected in (message or "")
    assert "shpat_wrong_token_0000" not in "\n".join(result.lines)  # the secret never reaches the output


def test_given_recent_start_date_when_read_all_orders_is_missing_then_check_passes(
        make_shop: Factory, run: Factory, config: Factory, clock: Any) -> None:
    server = make_shop(scopes=("read_orders", "read_customers", "read_products"))
    recent = __import__("datetime").datetime.fromtimestamp(clock.time() - 10 * 86400).date().isoformat()
    assert run("check", config(server, start_date=recent)).status()[0] == "SUCCEEDED"


def test_given_missing_scope_when_reading_then_the_stream_fails_with_a_config_error_naming_the_scope(
        make_shop: Factory, run: Factory, config: Factory) -> None:
    server = make_shop(scopes=("read_orders", "read_all_orders", "read_customers"))
    result = run("read", config(server), streams=("products",))
    assert result.records() == []
    assert any("access denied" in e and "read_products" in e for e in result.errors())
    failure = [m for m in result.messages if m.trace and m.trace.error and "products" in m.trace.error.message]
    assert failure[0].trace.error.failure_type.value == "config_error"


def test_given_client_credentials_with_short_lived_tokens_when_syncing_then_tokens_are_renewed_and_nothing_fails(
        make_shop: Factory, run: Factory, config: Factory) -> None:
    server = make_shop(client_credentials_ttl=40, max_available=1000, restore_rate=50)
    vendor: Any = server.vendor
    cfg = config(server, credentials={"auth_method": "client_credentials", "client_id": vendor.client_id,
                                      "client_secret": vendor.client_secret})
    result = run("read", cfg, streams=("orders", "customers"))

    assert result.errors() == []
    assert len(result.records("orders")) == sum(1 for o in vendor.shop.orders.values() if not o.test)
    token_calls = [r for r in server.requests() if r.path == "/admin/oauth/access_token"]
    assert len(token_calls) >= 2  # renewed during the sync (the fake clock advanced past the expiry)
    assert all(vendor.client_secret not in line for line in result.lines)


def test_given_wrong_client_secret_when_check_then_it_fails_naming_the_credentials(
        make_shop: Factory, run: Factory, config: Factory) -> None:
    server = make_shop()
    cfg = config(server, credentials={"auth_method": "client_credentials", "client_id": server.vendor.client_id,  # type: ignore[attr-defined]
                                      "client_secret": "wrong-secret-123456"})
    status, message = run("check", cfg).status()
    assert status == "FAILED" and "client id and secret" in (message or "")


def test_given_rotating_refresh_token_when_syncing_then_the_new_token_is_emitted_and_written_back(
        make_shop: Factory, run: Factory, config: Factory, tmp_path: Any) -> None:
    server = make_shop(refresh_ttl=3600)
    vendor: Any = server.vendor
    cfg = config(server, credentials={"auth_method": "oauth_refresh", "client_id": vendor.client_id,
                                      "client_secret": vendor.client_secret,
                                      "refresh_token": vendor.initial_refresh_token})
    config_file = tmp_path / "oauth-config.json"
    first = run("read", cfg, streams=("customers",), config_path=config_file)

    assert first.errors() == [] and first.records("customers")
    (rotated,) = first.controls()
    new_refresh = rotated["credentials"]["refresh_token"]
    assert new_refresh != vendor.initial_refresh_token
    on_disk = json.loads(config_file.read_text())
    assert on_disk["credentials"]["refresh_token"] == new_refresh

    # The next run starts from the written-back file; the old refresh token is dead on the server.
    second = run("read", on_disk, streams=("customers",))
    assert second.errors() == []
    stale = run("check", cfg)
    assert stale.status()[0] == "FAILED"
    assert "refresh token was rejected" in (stale.status()[1] or "")
