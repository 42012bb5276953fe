"""Fixtures for destination-shopify against the Shopify stand-in: one simulated clock for both sides, a fresh
generated shop per test, and a config pointing at it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sandbox
from connector_common.testing import SimulatedClock

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit_tests"))
from shopify_harness import config_for


@pytest.fixture
def clock() -> SimulatedClock:
    """The stand-in's cost-bucket refill and the connector's sleeps share it: a wait advances time instantly."""
    return SimulatedClock(now=time.time())


@pytest.fixture
def server(clock: SimulatedClock) -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start("shopify", seed="demo", orders=200, clock=clock.time)
    yield srv
    srv.stop()


@pytest.fixture
def cfg(server: sandbox.SandboxServer) -> dict[str, Any]:
    return config_for(server)
