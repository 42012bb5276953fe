"""End-to-end harness shared by the demo, the 2 x 2 pipe tests and the fault campaigns.

It starts the sandbox stand-ins in this process, writes the config files and catalogs the connectors need, runs
`source read | destination write` as real processes joined by a real pipe, keeps the destination's last echoed
state the way Airbyte does, and reads the booked documents back from the accounting stand-ins.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from connector_common.protocol import validate_line
from connector_common.records import load_schema

import sandbox

BIN = Path(sys.executable).parent
SOURCES = {"shopify": "source-shopify-orders", "lightspeed_ecom": "source-lightspeed",
           "lightspeed_retail": "source-lightspeed"}
DESTINATIONS = {"exact": "destination-exact-online", "eaccounting": "destination-eaccounting"}
VENDOR_OPTIONS: dict[str, dict[str, Any]] = {
    "eaccounting": {"country": "NL"},  # the generated shop is a Dutch one (EUR, 21/9/0)
    "lightspeed_retail": {"channels": ("pos", "web")},  # Retail gets every order as a POS sale
}
START_DATE = "2020-01-01T00:00:00Z"


def start_sandbox(seed: str = "demo", orders: int = 60, latency: float = 0.0,
                  names: Iterable[str] | None = None, **overrides: dict[str, Any]) -> dict[str, sandbox.SandboxServer]:
    servers = {}
    for name in names or sandbox.VENDORS:
        options = {**VENDOR_OPTIONS.get(name, {}), **overrides.get(name, {})}
        servers[name] = sandbox.start(name, seed=seed, orders=orders, latency=latency, **options)
    return servers


def source_config(kind: str, servers: dict[str, sandbox.SandboxServer]) -> dict[str, Any]:
    server = servers[kind]
    vendor: Any = server.vendor
    if kind == "shopify":
        return {"shop": "demo-shop", "api_base_url": server.base_url, "start_date": START_DATE,
                "credentials": {"auth_method": "access_token", "access_token": vendor.ACCESS_TOKEN}}
    if kind == "lightspeed_ecom":
        return {"start_date": START_DATE, "lookback_window_minutes": 0,
                "platform": {"platform_type": "ecom", "cluster": "eu1", "language": "nl", "api_key": vendor.API_KEY,
                             "api_secret": vendor.API_SECRET, "base_url": server.base_url}}
    if kind == "lightspeed_retail":
        return {"start_date": START_DATE, "lookback_window_minutes": 0,
                "platform": {"platform_type": "retail", "client_id": vendor.CLIENT_ID,
                             "client_secret": vendor.CLIENT_SECRET, "refresh_token": vendor.REFRESH_TOKEN,
                             "account_id": vendor.ACCOUNT_ID, "base_url": server.base_url,
                             "auth_server_url": f"{server.base_url}/auth/oauth/token"}}
    raise KeyError(kind)


def destination_config(kind: str, servers: dict[str, sandbox.SandboxServer]) -> dict[str, Any]:
    server = servers[kind]
    vendor: Any = server.vendor
    if kind == "exact":
        return {"api_url": server.base_url, "default_debtor_code": "999999",
                "credentials": {"client_id": vendor.CLIENT_ID, "client_secret": vendor.CLIENT_SECRET,
                                "refresh_token": vendor.REFRESH_TOKEN},
                "vat_codes": {"domestic_zero": "5", "export": "6"}}
    if kind == "eaccounting":
        return {"api_base_url": f"{server.base_url}/v2", "identity_base_url": server.base_url,
                "seller_country": "NL", "oss_registered": True, "default_customer_number": "1",
                "credentials": {"client_id": vendor.CLIENT_ID, "client_secret": vendor.CLIENT_SECRET,
                                "refresh_token": vendor.REFRESH_TOKEN}}
    raise KeyError(kind)


def catalog(destination: bool = False) -> dict[str, Any]:
    stream = {"name": "orders", "json_schema": load_schema("orders"), "supported_sync_modes": ["incremental"],
              "source_defined_cursor": True, "default_cursor_field": ["updated_at"],
              "source_defined_primary_key": [["source_id"]]}
    return {"streams": [{"stream": stream, "sync_mode": "incremental", "cursor_field": ["updated_at"],
                         "primary_key": [["source_id"]],
                         "destination_sync_mode": "append_dedup" if destination else "append"}]}


@dataclass
class PipeRun:
    returncode: int
    source_records: list[dict[str, Any]]
    destination_messages: list[Any]
    stderr: str
    state: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        for m in reversed(self.destination_messages):
            if m.type.value == "LOG" and m.log.message.startswith("SUMMARY "):
                return dict(json.loads(m.log.message.removeprefix("SUMMARY ")))
        return {}

    @property
    def errors(self) -> list[str]:
        return [m.trace.error.message for m in self.destination_messages if m.type.value == "TRACE"
                and m.trace.error is not None]


def prepare(workdir: Path, source: str, destination: str, servers: dict[str, sandbox.SandboxServer]) -> None:
    """Write configs and catalogs into `workdir` (kept between runs: rotated tokens are written back there)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "source_config.json").write_text(json.dumps(source_config(source, servers), indent=2))
    (workdir / "destination_config.json").write_text(json.dumps(destination_config(destination, servers), indent=2))
    (workdir / "source_catalog.json").write_text(json.dumps(catalog(), indent=2))
    (workdir / "destination_catalog.json").write_text(json.dumps(catalog(destination=True), indent=2))


def run_pipe(workdir: Path, source: str, destination: str, timeout: float = 600,
             env: dict[str, str] | None = None) -> PipeRun:
    """`source read [--state state.json] | tee | destination write`; keeps the last echoed state in state.json."""
    state_file = workdir / "state.json"
    src = [str(BIN / SOURCES[source]), "read", "--config", "source_config.json", "--catalog", "source_catalog.json"]
    if state_file.exists():
        src += ["--state", "state.json"]
    dst = [str(BIN / DESTINATIONS[destination]), "write", "--config", "destination_config.json",
           "--catalog", "destination_catalog.json"]
    script = (f"set -o pipefail; {shlex.join(src)} 2>source.err | tee source_output.jsonl "
              f"| {shlex.join(dst)} > destination_output.jsonl 2>destination.err")
    proc = subprocess.run(["bash", "-c", script], cwd=workdir, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})
    source_lines = _lines(workdir / "source_output.jsonl")
    records = []
    for line in source_lines:
        message = validate_line(line)
        if message.type.value == "RECORD" and message.record.stream == "orders":
            records.append(message.record.data)
    dest_messages = [validate_line(line) for line in _lines(workdir / "destination_output.jsonl")]
    stderr = (workdir / "source.err").read_text() + (workdir / "destination.err").read_text()
    run = PipeRun(proc.returncode, records, dest_messages, stderr)
    run.state = _merge_state(_read_json(state_file, []), [m for m in dest_messages if m.type.value == "STATE"])
    if run.state:
        state_file.write_text(json.dumps(run.state, indent=2))
    return run


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def _read_json(path: Path, default: Any) -> Any:
    return json.loads(path.read_text()) if path.exists() else default


def _merge_state(previous: list[dict[str, Any]], echoed: list[Any]) -> list[dict[str, Any]]:
    """Per-stream state as Airbyte keeps it: the newest echoed state of each stream replaces the old one."""
    by_stream = {s["stream"]["stream_descriptor"]["name"]: s for s in previous}
    for message in echoed:
        st = message.state
        if st.stream is not None:
            by_stream[st.stream.stream_descriptor.name] = {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": st.stream.stream_descriptor.name},
                           "stream_state": st.stream.stream_state.__dict__},
            }
    return list(by_stream.values())


@dataclass(frozen=True)
class Booking:
    reference: str
    total: Decimal
    kind: str  # "invoice", "credit_note", ...


def ledger(destination: str, server: sandbox.SandboxServer) -> list[Booking]:
    """Every sales document the accounting stand-in holds, with our reference and its total incl. VAT."""
    vendor: Any = server.vendor
    if destination == "exact":
        docs = [*vendor.invoices(), *vendor.sales_orders(), *vendor.sales_entries()]
        return [Booking(str(d.get("YourRef")), Decimal(str(d.get("AmountFC") or d.get("AmountDC") or 0)),
                        "credit_note" if "/R" in str(d.get("YourRef")) else "document") for d in docs]
    if destination == "eaccounting":
        docs = [*vendor.drafts(), *vendor.invoices(), *vendor.orders()]
        out = []
        for d in docs:
            ref = str(d.get("YourReference") or d.get("OurReference") or "")
            total = d.get("TotalAmount") if d.get("TotalAmount") is not None else d.get("Amount")
            rounding = Decimal(str(d.get("TotalRoundings") or 0))
            out.append(Booking(ref, Decimal(str(total or 0)) - rounding,
                               "credit_note" if d.get("IsCreditInvoice") or "/R" in ref else "document"))
        return out
    raise KeyError(destination)


def order_reference(document_reference: str) -> str:
    """'shopify:#1001' -> '#1001': the order's own reference inside our document reference."""
    return document_reference.split(":", 1)[1] if ":" in document_reference else document_reference
