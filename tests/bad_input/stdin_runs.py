"""Bad-input proof helpers: craft a destination's stdin, run its real `write` against a fresh stand-in, read back."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness
from connector_common.model import CustomerRef, Order
from connector_common.protocol import validate_line
from connector_common.records import to_record
from connector_common.testing import make_line, make_order, make_shipping

KINDS = ("exact", "eaccounting")
PARALLEL_RUNS = 4  # connector processes at once: most of a run is the CDK import, so they overlap well on 2 cores
RUN_TIMEOUT = 300.0  # seconds; a run takes 3-8 s, far more only on a machine shared by several suites


@dataclass
class WriteRun:
    """One `<destination> write` process: exit code, parsed output, and what the stand-in holds afterwards."""

    kind: str
    returncode: int
    stdout: str
    stderr: str
    messages: list[Any]
    ledger: list[harness.Booking]
    documents: list[dict[str, Any]]  # the stand-in's sales documents, lines included
    customers: list[dict[str, Any]]  # the stand-in's accounts / customers
    items: list[dict[str, Any]] = field(default_factory=list)  # the stand-in's items / articles
    seconds: float = 0.0
    label: str = ""

    def of_type(self, kind: str) -> list[Any]:
        return [m for m in self.messages if m.type.value == kind]

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m.state.stream.stream_state.__dict__ for m in self.of_type("STATE")]

    @property
    def summary(self) -> dict[str, Any]:
        for m in reversed(self.of_type("LOG")):
            if m.log.message.startswith("SUMMARY "):
                return dict(json.loads(m.log.message.removeprefix("SUMMARY ")))
        raise AssertionError(f"no SUMMARY line in the output of {self.label}:\n{self.stdout[-2000:]}")

    @property
    def errors(self) -> list[str]:
        """The TRACE error messages (what Airbyte shows the user as the failure reason)."""
        return [m.trace.error.message for m in self.of_type("TRACE") if m.trace.error is not None]

    @property
    def error_logs(self) -> list[str]:
        return [m.log.message for m in self.of_type("LOG") if m.log.level.value == "ERROR"]

    def references(self) -> list[str]:
        return [harness.order_reference(b.reference) for b in self.ledger]

    def total_of(self, reference: str) -> Decimal:
        found = [b.total for b in self.ledger if harness.order_reference(b.reference) == reference]
        assert len(found) == 1, f"{reference} booked {len(found)} times in {self.label}"
        return found[0]


@dataclass(frozen=True)
class Case:
    """A run to make: which destination, the stdin bytes, and config keys to change."""

    label: str
    kind: str
    stdin: bytes
    config: Mapping[str, Any] = field(default_factory=dict)


# --- stdin ------------------------------------------------------------------------------------------------------
def record_line(data: Mapping[str, Any], stream: str = "orders") -> bytes:
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1}}).encode()


def state_line(position: int) -> bytes:
    """A per-stream STATE whose cursor names its position, so an echoed state says how far the run got."""
    state = {"type": "STREAM", "stream": {"stream_descriptor": {"name": "orders"},
                                          "stream_state": {"updated_at": f"2026-11-02T00:00:{position:02d}+00:00"}}}
    return json.dumps({"type": "STATE", "state": state}).encode()


def stdin_of(lines: Iterable[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


# --- canonical orders -------------------------------------------------------------------------------------------
def customer(source_id: str, first_name: str = "Jan", last_name: str = "Jansen") -> CustomerRef:
    return CustomerRef(source_id=f"C{source_id}", email=f"buyer{source_id}@example.com", first_name=first_name,
                       last_name=last_name)


def good_order(source_id: str, *, title: str | None = None, first_name: str = "Jan") -> Order:
    """A paid Dutch order at 21 % and 9 % with shipping; consistent to the cent by construction."""
    lines = [make_line(f"SKU-{source_id}", 2, "12.10", "21", title=title),
             make_line("TEA-9", 3, "4.35", "9", discount_incl="1.00")]
    return make_order(source_id=source_id, lines=lines, shipping=[make_shipping("4.95")],
                      customer=customer(source_id, first_name=first_name))


def order_data(order: Order) -> dict[str, Any]:
    data: dict[str, Any] = to_record(order)
    return data


# --- running a destination --------------------------------------------------------------------------------------
def _documents(kind: str, vendor: Any) -> list[dict[str, Any]]:
    if kind == "exact":
        return [*vendor.invoices(), *vendor.sales_orders(), *vendor.sales_entries()]
    return [*vendor.drafts(), *vendor.invoices(), *vendor.orders()]


def _customers(kind: str, vendor: Any) -> list[dict[str, Any]]:
    return list(vendor.accounts() if kind == "exact" else vendor.customers())


def _items(kind: str, vendor: Any) -> list[dict[str, Any]]:
    return list(vendor.items() if kind == "exact" else vendor.articles())


def run_write(case: Case) -> WriteRun:
    """Start a fresh stand-in for `case.kind`, run its destination's `write` with `case.stdin`, read the stand-in.

    One stand-in per run (it starts in ~0.2 s): Exact's refresh token is single use and rotates on every run, and a
    run's ledger must hold only what that run booked."""
    servers = harness.start_sandbox(seed="bad-input", orders=1, names=[case.kind])
    server = servers[case.kind]
    try:
        with tempfile.TemporaryDirectory(prefix=f"bad-input-{case.kind}-") as tmp:
            workdir = Path(tmp)
            config = {**harness.destination_config(case.kind, servers), **case.config}
            (workdir / "config.json").write_text(json.dumps(config))
            (workdir / "catalog.json").write_text(json.dumps(harness.catalog(destination=True)))
            started = time.monotonic()
            proc = subprocess.run([str(harness.BIN / harness.DESTINATIONS[case.kind]), "write", "--config",
                                   "config.json", "--catalog", "catalog.json"], input=case.stdin, cwd=workdir,
                                  capture_output=True, timeout=RUN_TIMEOUT, check=False)
            seconds = time.monotonic() - started
        stdout = proc.stdout.decode("utf-8", errors="replace")
        messages = [validate_line(line) for line in stdout.splitlines() if line.strip()]
        vendor: Any = server.vendor
        return WriteRun(kind=case.kind, returncode=proc.returncode, stdout=stdout,
                        stderr=proc.stderr.decode("utf-8", errors="replace"), messages=messages,
                        ledger=harness.ledger(case.kind, server), documents=_documents(case.kind, vendor),
                        customers=_customers(case.kind, vendor), items=_items(case.kind, vendor), seconds=seconds, label=case.label)
    finally:
        server.stop()


class Runs:
    """The module's runs by label, each made once. With `prefetch` every case starts at once, a few processes at a
    time (a plain pytest run); without it a case runs when a test first asks for it, so pytest-xdist workers (CI runs
    `-n 2`) each run only the cases of the tests they were given."""

    def __init__(self, cases: Sequence[Case], *, prefetch: bool) -> None:
        self._cases = {case.label: case for case in cases}
        self._pool = ThreadPoolExecutor(max_workers=PARALLEL_RUNS)
        self._futures: dict[str, Future[WriteRun]] = {}
        self._lock = threading.Lock()
        if prefetch:
            for label in self._cases:
                self._submit(label)

    def _submit(self, label: str) -> Future[WriteRun]:
        with self._lock:
            if label not in self._futures:
                self._futures[label] = self._pool.submit(run_write, self._cases[label])
            return self._futures[label]

    def __getitem__(self, label: str) -> WriteRun:
        return self._submit(label).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def under_xdist() -> bool:
    return "PYTEST_XDIST_WORKER" in os.environ
