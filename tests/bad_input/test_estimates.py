"""Issue 19 point 3 ("estimates are emitted only when they are true"): each source's real `read` against its
stand-in, once from the start and once more from the state it ended with: the row estimate equals the records that
follow (the API counts inclusively from the cursor, so the boundary records already emitted are taken off)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import harness
from connector_common.protocol import validate_line

SOURCE_KINDS = ("shopify", "lightspeed_ecom", "lightspeed_retail")


def _read(kind: str, workdir: Path, config: dict[str, Any], state: list[Any] | None) -> tuple[list[Any], list[Any]]:
    """The messages of one read, and its STATE messages as JSON (what a scheduler keeps for the next run)."""
    (workdir / "config.json").write_text(json.dumps(config))
    (workdir / "catalog.json").write_text(json.dumps(harness.catalog()))
    args = [str(harness.BIN / harness.SOURCES[kind]), "read", "--config", "config.json", "--catalog", "catalog.json"]
    if state is not None:
        (workdir / "state.json").write_text(json.dumps(state))
        args += ["--state", "state.json"]
    proc = subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return [validate_line(line) for line in lines], [json.loads(x)["state"] for x in lines if json.loads(x)["type"] == "STATE"]


def _estimates(messages: list[Any]) -> list[int]:
    return [m.trace.estimate.row_estimate for m in messages
            if m.type.value == "TRACE" and m.trace.estimate is not None and m.trace.estimate.name == "orders"]


def _records(messages: list[Any]) -> int:
    return sum(1 for m in messages if m.type.value == "RECORD" and m.record.stream == "orders")


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_given_a_read_from_its_own_final_state_when_nothing_changed_then_the_estimate_says_0(
        kind: str, tmp_path: Path) -> None:
    servers = harness.start_sandbox(seed="estimates", orders=12, names=[kind])
    try:
        config = harness.source_config(kind, servers)
        first, states = _read(kind, tmp_path, config, None)
        config = json.loads((tmp_path / "config.json").read_text())  # a rotated refresh token is written back
        again, _ = _read(kind, tmp_path, config, [states[-1]])
    finally:
        for server in servers.values():
            server.stop()

    assert _records(first) > 0 and _estimates(first) in ([], [_records(first)])  # Retail has no count to estimate by
    assert _records(again) == 0
    assert _estimates(again) in ([], [0]), _estimates(again)
