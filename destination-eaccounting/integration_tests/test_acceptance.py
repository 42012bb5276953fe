"""Airbyte's standard destination tests (spec, config vs spec, check succeed/failed) against the sandbox."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests

import sandbox

__all__ = ["TestDestinationEaccounting", "pytest_generate_tests"]  # the CDK hook parametrizes `scenario`

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ROOT / "secrets"


@pytest.fixture(autouse=True)
def sandbox_configs() -> Iterator[None]:
    """Start the stand-in and write the configs acceptance-test-config.yml names (one test at a time: the files are
    shared between pytest-xdist workers, and each refresh token works once)."""
    SECRETS.mkdir(exist_ok=True)
    with (SECRETS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = sandbox.start("eaccounting", seed="demo")
        try:
            base = server.base_url.rstrip("/")
            tokens = server.vendor.issue_tokens()
            config = {"api_base_url": base + "/v2", "identity_base_url": base, "default_customer_number": "1",
                      "credentials": {"client_id": "sandbox-eaccounting-client",
                                      "client_secret": "sandbox-eaccounting-secret",
                                      "refresh_token": tokens["refresh_token"]}}
            (SECRETS / "config.json").write_text(json.dumps(config))
            invalid = {**config, "credentials": {**config["credentials"], "client_secret": "wrong-secret-value"}}
            (SECRETS / "invalid_config.json").write_text(json.dumps(invalid))
            yield
        finally:
            server.stop()
            fcntl.flock(lock, fcntl.LOCK_UN)


class TestDestinationEaccounting(DestinationTestSuiteBase):
    """Scenarios come from acceptance-test-config.yml; the class is destination_eaccounting.DestinationEaccounting."""
