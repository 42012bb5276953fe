"""Fixtures for source-exact-online against the Exact stand-in (helpers live in exact_harness.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # parametrises the standard suite

import sandbox
from connector_common.testing import SimulatedClock

sys.path.insert(0, str(Path(__file__).parent))

from exact_harness import START, TICK

__all__ = ["pytest_generate_tests"]


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(now=START, tick=TICK)


@pytest.fixture
def exact(clock: SimulatedClock) -> Iterator[sandbox.SandboxServer]:
    """A division seeded with the demo shop's catalogue: items, prices, stock in two warehouses, customers."""
    server = sandbox.start("exact", seed="demo", orders=20, catalogue=True, clock=clock, daily_limit=None)
    yield server
    server.stop()
