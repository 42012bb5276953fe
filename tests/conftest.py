"""Cross-connector fixtures: sandbox servers, CLI runners that validate every Airbyte message they see."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import sandbox
from connector_common.protocol import validate_line

BIN = Path(sys.executable).parent


@dataclass
class Run:
    """The outcome of one connector process: parsed messages by type, raw stderr, exit code."""

    returncode: int
    lines: list[str]
    stderr: str
    messages: list[Any] = field(default_factory=list)

    def of_type(self, kind: str) -> list[Any]:
        return [m for m in self.messages if m.type.value == kind]

    @property
    def records(self) -> list[dict[str, Any]]:
        return [m.record.data for m in self.of_type("RECORD")]

    @property
    def states(self) -> list[Any]:
        return self.of_type("STATE")

    def summary(self) -> dict[str, Any]:
        for m in reversed(self.of_type("LOG")):
            if m.log.message.startswith("SUMMARY "):
                return dict(json.loads(m.log.message.removeprefix("SUMMARY ")))
        raise AssertionError("no SUMMARY log line in the output")


def executable(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        raise AssertionError(f"console script {name!r} is not installed; run `make install`")
    return found


def run_connector(name: str, args: list[str], stdin: str | None = None, timeout: float = 300,
                  env: dict[str, str] | None = None) -> Run:
    """Run a connector's console script; every stdout line must be a valid Airbyte message."""
    proc = subprocess.run([executable(name), *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    run = Run(proc.returncode, lines, proc.stderr)
    run.messages = [validate_line(line) for line in lines]
    return run


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.fixture
def servers() -> Iterator[dict[str, sandbox.SandboxServer]]:
    """Every stand-in, seeded with the same small demo shop, on free ports; stopped afterwards."""
    started = {name: sandbox.start(name, seed="pipes", orders=40) for name in sandbox.VENDORS}
    yield started
    for server in started.values():
        server.stop()
