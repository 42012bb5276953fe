"""README.md's "Running a pipe by hand" block, taken from the README itself and run as written (bash, from a folder
whose .venv is this one), so the instructions cannot go stale."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
HEADING = "## Running a pipe by hand"


def readme_block(heading: str) -> str:
    """The first ```bash block below `heading` in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    found = re.search(r"^```bash\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert found, f"README.md has no ```bash block under {heading!r}"
    return found.group(1)


def test_given_the_readme_block_when_run_as_written_then_it_books_once_and_reconciles_at_zero(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    script = tmp_path / "by_hand.sh"
    script.write_text(readme_block(HEADING))
    process = subprocess.Popen(["bash", "-euo", "pipefail", str(script)], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=600)
    finally:  # the block's background sandbox too, should the block stop early
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    work = tmp_path / ".by-hand"

    assert process.returncode == 0, err[-2000:]
    first = list(csv.DictReader((work / "report.csv").open(encoding="utf-8")))
    booked = {row["shop_reference"] for row in first if row["document_status"] == "created"}
    assert len(booked) >= 5
    second = list(csv.DictReader((work / "report-second.csv").open(encoding="utf-8")))
    assert [row for row in second if row["document_status"] == "created"] == []
    state = json.loads((work / "state.json").read_text())
    assert isinstance(state, list) and [s["stream"]["stream_descriptor"]["name"] for s in state] == ["orders"]
    assert "difference shop vs ledger: 0.00" in out and "missing from the ledger: 0" in out
    assert "booked more than once: 0" in out
    rotated = json.loads((work / "exact.json").read_text())["credentials"]["refresh_token"]
    assert rotated != "exact-sandbox-refresh-token", "the rotated refresh token is written back to the config"
