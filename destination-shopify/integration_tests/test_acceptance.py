"""Airbyte's standard destination tests (spec, config vs spec, check succeed/failed) against the Shopify stand-in."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests

import sandbox

__all__ = ["TestDestinationShopify", "pytest_generate_tests"]  # the CDK hook parametrizes `scenario`

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ROOT / "secrets"


@pytest.fixture(autouse=True)
def sandbox_configs() -> Iterator[None]:
    """Start the stand-in and write the configs acceptance-test-config.yml names (one test at a time: the files are
    shared between pytest-xdist workers)."""
    SECRETS.mkdir(exist_ok=True)
    with (SECRETS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = sandbox.start("shopify", seed="demo", orders=5)
        try:
            vendor = server.vendor
            config = {"shop": "demo-shop", "api_base_url": server.base_url,
                      "credentials": {"auth_method": "access_token", "access_token": vendor.access_token}}  # type: ignore[attr-defined]
            (SECRETS / "config.json").write_text(json.dumps(config))
            invalid = {**config, "credentials": {"auth_method": "access_token",
                                                 "access_token": "shpat_wrong_token_value_0000"}}
            (SECRETS / "invalid_config.json").write_text(json.dumps(invalid))
            yield
        finally:
            server.stop()
            fcntl.flock(lock, fcntl.LOCK_UN)


class TestDestinationShopify(DestinationTestSuiteBase):
    """Scenarios come from acceptance-test-config.yml; the class is destination_shopify.DestinationShopify."""
