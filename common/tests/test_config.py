"""Shared config checks."""

import pytest

from connector_common.config import base_url, require
from connector_common.errors import ConfigError


def test_require_names_the_missing_option():
    assert require({"credentials": {"a": "x", "b": "y"}}, "credentials", ("a", "b")) == {"a": "x", "b": "y"}
    with pytest.raises(ConfigError, match=r"credentials\.b is required"):
        require({"credentials": {"a": "x", "b": ""}}, "credentials", ("a", "b"))
    with pytest.raises(ConfigError, match=r"credentials\.a is required"):
        require({}, "credentials", ("a",))


@pytest.mark.parametrize("url", ["https://start.exactonline.nl/", "http://127.0.0.1:8080", "http://localhost:1/v2"])
def test_base_url_accepts_https_and_loopback_http(url):
    assert base_url(url, "api_url", "https://default.example") == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8080", "http://example.com", "ftp://x", "start.exactonline.nl"])
def test_base_url_refuses_clear_text_to_the_network(url):
    with pytest.raises(ConfigError, match="api_url must be an https:// URL"):
        base_url(url, "api_url", "https://default.example")


def test_base_url_default_when_not_overridden():
    assert base_url(None, "api_url", "https://start.exactonline.nl/") == "https://start.exactonline.nl"
