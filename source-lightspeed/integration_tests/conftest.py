"""Sandbox fixtures for source-lightspeed (helpers live in lightspeed_harness.py, importable from the tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # parametrises the standard suite

import sandbox
from connector_common.testing import SimulatedClock

sys.path.insert(0, str(Path(__file__).parent))

from lightspeed_harness import EPOCH

__all__ = ["pytest_generate_tests"]


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(now=EPOCH)


@pytest.fixture
def retail(clock: SimulatedClock) -> Iterator[sandbox.SandboxServer]:
    server = sandbox.start("lightspeed_retail", seed="demo", orders=300, clock=clock, burst_limit=None)
    yield server
    server.stop()
