"""spec.yaml and Settings: secrets are airbyte_secret, the connection options are destination-exact-online's,
bad options name the option."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest
import yaml

from connector_common.errors import ConfigError
from source_exact_online.config import Settings

SECRET_NAME = re.compile(r"(token|secret|password|api_key)", re.IGNORECASE)
CREDENTIALS = {"client_id": "app", "client_secret": "s3cr3t", "refresh_token": "r1"}


def _spec(package: str = "source_exact_online") -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(resources.files(package).joinpath("spec.yaml").read_text())
    return spec["connectionSpecification"]


def test_given_the_spec_when_linted_then_every_secret_looking_property_is_airbyte_secret() -> None:
    credentials = _spec()["properties"]["credentials"]["properties"]

    secrets = {name for name in credentials if SECRET_NAME.search(name) and name != "token_expires_at"}
    assert secrets == {"client_secret", "refresh_token", "access_token"}
    assert all(credentials[name].get("airbyte_secret") is True for name in secrets)


def test_given_both_exact_specs_when_compared_then_the_connection_options_are_the_same() -> None:
    ours = _spec()["properties"]
    spec_path = resources.files("connector_common").joinpath("..", "..", "destination-exact-online",
                                                             "destination_exact_online", "spec.yaml")
    try:
        theirs = yaml.safe_load(spec_path.read_text())["connectionSpecification"]["properties"]
    except FileNotFoundError:
        pytest.skip("destination-exact-online is not checked out next to common/")
    for name in ("country", "api_url", "division"):
        assert ours[name] == theirs[name]
    assert ours["credentials"]["properties"] == theirs["credentials"]["properties"]


def test_given_minimal_config_when_parsed_then_free_stock_all_warehouses_everything() -> None:
    settings = Settings.from_config({"credentials": CREDENTIALS})

    assert (settings.stock_figure, settings.warehouses, settings.start_date) == ("free", frozenset(), None)
    assert settings.credentials.base_url == "https://start.exactonline.nl"


@pytest.mark.parametrize(("config", "option"), [
    ({"stock_figure": "virtual"}, "stock_figure"),
    ({"warehouses": "1,2"}, "warehouses"),
    ({"warehouses": ["1", " "]}, "warehouses"),
    ({"start_date": "gisteren"}, "start_date"),
    ({"division": "abc"}, "division"),
    ({"credentials": {"client_id": "app"}}, "credentials"),
    ({"api_url": "http://exact.example.com"}, "api_url"),
])
def test_given_bad_option_when_parsed_then_config_error_names_it_without_secrets(config: dict[str, Any],
                                                                                  option: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_config({"credentials": CREDENTIALS} | config)

    assert option in str(caught.value) and "s3cr3t" not in str(caught.value)
