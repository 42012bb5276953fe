"""One real CLI run: `destination-exact-online write --config FILE --catalog FILE < records` through a pipe."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, Type
from exact_testdata import messages_for, realistic_orders, sandbox_config

import sandbox
from connector_common.protocol import serialize, validate_line

from .conftest import catalog


@pytest.fixture
def server() -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start("exact", minutely_limit=None, daily_limit=None)
    yield srv
    srv.stop()


def test_given_cli_pipe_when_writing_then_lines_are_valid_states_echoed_and_rotated_token_saved(
        server: sandbox.SandboxServer, tmp_path: Path) -> None:
    exe = shutil.which("destination-exact-online") or str(Path(sys.executable).parent / "destination-exact-online")
    config_path, catalog_path = tmp_path / "config.json", tmp_path / "catalog.json"
    config = sandbox_config(server.base_url)
    config_path.write_text(json.dumps(config))
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog("orders"))))
    messages = messages_for(realistic_orders(30), state_every=10)
    stdin = "".join(serialize(m) + "\n" for m in messages)
    result = subprocess.run([exe, "write", "--config", str(config_path), "--catalog", str(catalog_path)],
                            input=stdin, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    out = [validate_line(line) for line in result.stdout.splitlines() if line.strip()]
    assert [m.type for m in out].count(Type.STATE) == 3
    saved = json.loads(config_path.read_text())
    assert saved["credentials"]["refresh_token"] != config["credentials"]["refresh_token"]
    assert len(server.vendor.rows("SalesInvoice")) >= 30  # type: ignore[attr-defined]
    for secret in ("exact-sandbox-client-secret",):
        assert secret not in result.stderr
        assert all(secret not in line for line in result.stdout.splitlines() if '"CONTROL"' not in line)
