"""Issue 16 point 1: a source that gets HTTP 200 with a body of the wrong shape (JSON of another document, or XML)
fails with one error naming the endpoint and what was missing, emits no record and echoes no new state.

Each case is the real `read` process against a stand-in whose list endpoint answers with the sandbox's `wrong_shape`
or `not_json` fault on every call; before the fix such an answer read as an empty list: exit 0, 0 records, a STATE.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import harness
from connector_common.protocol import validate_line

ENDPOINTS = {"shopify": "graphql", "lightspeed_ecom": r"/orders\.json$", "lightspeed_retail": r"/Sale\.json$"}
PREVIOUS_STATE = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "orders"},
                                               "stream_state": {"updated_at": "2021-01-01T00:00:00Z"}}}]
EXPECTED = {
    ("shopify", "wrong_shape"): "orders: Orders: Shopify answered HTTP 200 without a GraphQL 'data' object (the "
                                "answer has the keys: items, result)",
    ("shopify", "not_json"): "orders: OrdersCount: Shopify answered with a body that is not a JSON object",
    ("lightspeed_ecom", "wrong_shape"): "orders: GET /nl/orders.json answered HTTP 200 without the orders list "
                                        "('orders' is missing; the answer has the keys: items, result)",
    ("lightspeed_ecom", "not_json"): "orders: GET /nl/orders.json answered HTTP 200 with a body that is not JSON "
                                     "(text/xml, 80 bytes)",
    ("lightspeed_retail", "wrong_shape"): "orders: GET /API/V3/Account/{id}/Sale.json answered HTTP 200 without the "
                                          "list attributes ('@attributes' is missing; the answer has the keys: items, "
                                          "result)",
    ("lightspeed_retail", "not_json"): "orders: GET /API/V3/Account/{id}/Sale.json answered HTTP 200 with a body "
                                       "that is not JSON (text/xml, 80 bytes)",
}


@dataclass
class ReadRun:
    returncode: int
    messages: list[Any]
    stderr: str

    def of_type(self, kind: str) -> list[Any]:
        return [m for m in self.messages if m.type.value == kind]

    @property
    def errors(self) -> list[str]:
        return [m.trace.error.message for m in self.of_type("TRACE") if m.trace.error is not None]


def read_with_fault(kind: str, fault: str) -> ReadRun:
    servers = harness.start_sandbox(seed="bad-input", orders=12, names=[kind])
    server = servers[kind]
    try:
        server.add_fault(fault, every=1, path=ENDPOINTS[kind])
        with tempfile.TemporaryDirectory(prefix=f"broken-{kind}-") as tmp:
            work = Path(tmp)
            (work / "config.json").write_text(json.dumps({**harness.source_config(kind, servers), "page_size": 5}))
            (work / "catalog.json").write_text(json.dumps(harness.catalog()))
            (work / "state.json").write_text(json.dumps(PREVIOUS_STATE))
            proc = subprocess.run([str(harness.BIN / harness.SOURCES[kind]), "read", "--config", "config.json",
                                   "--catalog", "catalog.json", "--state", "state.json"], cwd=work,
                                  capture_output=True, text=True, timeout=300, check=False)
        messages = [validate_line(line) for line in proc.stdout.splitlines() if line.strip()]
        return ReadRun(proc.returncode, messages, proc.stderr)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[tuple[str, str], ReadRun]]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {key: pool.submit(read_with_fault, *key) for key in EXPECTED}
        yield {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize(("kind", "fault"), sorted(EXPECTED))
def test_given_a_200_answer_of_the_wrong_shape_when_read_then_the_sync_fails_naming_the_endpoint_and_no_state_moves(
        runs: dict[tuple[str, str], ReadRun], kind: str, fault: str) -> None:
    run = runs[(kind, fault)]

    assert run.returncode != 0
    assert run.of_type("RECORD") == []
    assert run.of_type("STATE") == []  # the previous state stays what the next run starts from
    assert run.errors[0] == EXPECTED[(kind, fault)]
    assert "Traceback" not in run.stderr
