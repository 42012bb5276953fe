"""The spec: loads through the CDK, every secret-looking property is airbyte_secret, and it accepts the defaults."""

from __future__ import annotations

import logging
import re
from typing import Any

import jsonschema
from airbyte_cdk.sources.utils.schema_helpers import check_config_against_spec_or_exit

from source_shopify_orders import SourceShopifyOrders
from source_shopify_orders.config import Settings

SECRET_NAME = re.compile(r"token|secret|password|api_key|client_id", re.IGNORECASE)


def _properties(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, prop in (schema.get("properties") or {}).items():
        found.append((f"{path}/{name}", prop))
        found += _properties(prop, f"{path}/{name}")
        for i, option in enumerate(prop.get("oneOf") or []):
            found += _properties(option, f"{path}/{name}/oneOf/{i}")
    return found


def spec() -> dict[str, Any]:
    return SourceShopifyOrders().spec(logging.getLogger("test")).connectionSpecification


def test_given_the_spec_when_linted_then_every_secret_looking_property_is_airbyte_secret() -> None:
    secrets = [(path, prop) for path, prop in _properties(spec())
               if SECRET_NAME.search(path.rsplit("/", 1)[-1]) and prop.get("type") == "string"]
    assert {p.rsplit("/", 1)[-1] for p, _ in secrets} >= {"access_token", "client_secret", "refresh_token"}
    assert [p for p, prop in secrets if prop.get("airbyte_secret") is not True] == []


def test_given_a_minimal_config_when_validated_then_spec_defaults_become_the_settings() -> None:
    config = {"shop": "my-shop", "credentials": {"auth_method": "access_token", "access_token": "shpat_x"}}
    jsonschema.validate(config, spec())
    check_config_against_spec_or_exit(config, SourceShopifyOrders().spec(logging.getLogger("test")))
    settings = Settings.from_config(config)
    assert (settings.api_version, settings.include_test_orders, settings.include_cancelled) == ("2026-10", False, True)
    assert settings.start_date.isoformat() == "2020-01-01T00:00:00+00:00"
    assert settings.presentment_currency is False and settings.raw_passthrough is False


def test_given_each_auth_mode_when_validated_then_the_spec_accepts_it_and_rejects_a_mode_without_its_secret() -> None:
    schema = spec()
    for credentials in ({"auth_method": "access_token", "access_token": "t"},
                        {"auth_method": "client_credentials", "client_id": "i", "client_secret": "s"},
                        {"auth_method": "oauth_refresh", "client_id": "i", "client_secret": "s", "refresh_token": "r"}):
        jsonschema.validate({"shop": "x", "credentials": credentials}, schema)
    bad = {"shop": "x", "credentials": {"auth_method": "client_credentials", "client_id": "i"}}
    assert not jsonschema.Draft7Validator(schema).is_valid(bad)
