"""Fixtures for tests against the eAccounting sandbox stand-in: a fresh server and a config pointing at it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sandbox

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit_tests"))
from eacc_builders import config as make_config


@pytest.fixture
def server() -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start("eaccounting", seed="demo")
    yield srv
    srv.stop()


@pytest.fixture
def cfg(server: sandbox.SandboxServer) -> dict[str, Any]:
    return make_config(server.base_url)
