"""spec.yaml: secrets are airbyte_secret, both platforms parse, bad options name the option."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from connector_common.errors import ConfigError
from source_lightspeed.config import EcomSettings, RetailSettings, parse_config

SECRET_NAME = re.compile(r"(token|secret|password|api_key)", re.IGNORECASE)


def _spec() -> dict[str, Any]:
    return yaml.safe_load(resources.files("source_lightspeed").joinpath("spec.yaml").read_text())


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for name, prop in (node.get("properties") or {}).items():
            found.append((f"{path}.{name}", prop))
            found.extend(_properties(prop, f"{path}.{name}"))
        for option in node.get("oneOf") or []:
            found.extend(_properties(option, path))
    return found


def test_given_the_spec_when_linted_then_every_secret_looking_property_is_airbyte_secret():
    props = _properties(_spec()["connectionSpecification"])

    secrets = [path for path, prop in props if SECRET_NAME.search(path.rsplit(".", 1)[-1])]
    assert {p.rsplit(".", 1)[-1] for p in secrets} == {"api_key", "api_secret", "client_secret", "refresh_token",
                                                           "personal_token"}
    assert all(prop.get("airbyte_secret") is True for path, prop in props if path in secrets)


def test_given_ecom_config_when_parsed_then_cluster_host_and_default_statuses():
    settings = parse_config({"platform": {"platform_type": "ecom", "cluster": "us1", "language": "en",
                                          "api_key": "k" * 32, "api_secret": "s" * 32},
                             "start_date": "2024-01-01T00:00:00Z"})

    assert isinstance(settings.platform, EcomSettings)
    assert settings.platform.base_url == "https://api.shoplightspeed.com"
    assert "new" not in settings.platform.statuses and "completed_shipped" in settings.platform.statuses
    assert settings.page_size == 250


def test_given_retail_config_when_parsed_then_completed_sales_only_and_page_size_capped():
    settings = parse_config({"platform": {"platform_type": "retail", "client_id": "c", "client_secret": "s",
                                          "refresh_token": "r", "account_id": "123"},
                             "start_date": "2024-01-01T00:00:00Z", "page_size": 250})

    assert isinstance(settings.platform, RetailSettings)
    assert settings.platform.statuses == frozenset({"completed"}) and settings.page_size == 100


@pytest.mark.parametrize(("platform", "message"), [
    ({"platform_type": "ecom", "cluster": "eu1", "api_key": "k", "api_secret": "s", "order_statuses": ["paid"]},
     "order_statuses: unknown status 'paid'"),
    ({"platform_type": "retail", "client_id": "c", "client_secret": "s", "refresh_token": "", "account_id": "1"},
     "platform.refresh_token is required"),
    ({"platform_type": "retail", "client_id": "c", "client_secret": "s", "refresh_token": "r", "account_id": "1",
      "currency": "EURO"}, "platform.currency"),
    ({"platform_type": "x-series"}, "platform_type 'x-series' is unknown"),
])
def test_given_a_bad_option_when_parsed_then_config_error_names_it(platform, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"platform": platform, "start_date": "2024-01-01T00:00:00Z"})


def test_given_retail_config_with_token_url_when_parsed_then_it_names_the_real_option():
    platform = {"platform_type": "retail", "client_id": "c", "client_secret": "s", "refresh_token": "r",
                "account_id": "1", "token_url": "http://127.0.0.1:1/auth/oauth/token"}

    with pytest.raises(ConfigError, match="auth_server_url"):
        parse_config({"platform": platform, "start_date": "2024-01-01T00:00:00Z"})
    settings = parse_config({"platform": {**{k: v for k, v in platform.items() if k != "token_url"},
                                          "auth_server_url": "http://127.0.0.1:1/auth/oauth/token"}})
    assert isinstance(settings.platform, RetailSettings)
    assert settings.platform.token_url == "http://127.0.0.1:1/auth/oauth/token"
