"""End-to-end harness shared by the demo, the 2 x 2 pipe tests and the fault campaigns.

It starts the sandbox stand-ins in this process, writes the config files and catalogs the connectors need, runs
`source read | destination write` as real processes joined by a real pipe, keeps the destination's last echoed
state the way Airbyte does, and reads the booked documents back from the accounting stand-ins.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

import sandbox
from connector_common.protocol import validate_line, write_json_atomic
from connector_common.records import load_schema

BIN = Path(sys.executable).parent
SOURCES = {"shopify": "source-shopify-orders", "lightspeed_ecom": "source-lightspeed",
           "lightspeed_retail": "source-lightspeed", "lightspeed_kseries": "source-lightspeed",
           "lightspeed_xseries": "source-lightspeed", "exact": "source-exact-online"}
DESTINATIONS = {"exact": "destination-exact-online", "eaccounting": "destination-eaccounting",
                "shopify": "destination-shopify"}
VENDOR_OPTIONS: dict[str, dict[str, Any]] = {
    "eaccounting": {"country": "NL"},  # the generated shop is a Dutch one (EUR, 21/9/0)
    # a till sells over the counter: every domestic order of the generated shop becomes a POS sale (walk-ins and
    # known customers); foreign-VAT orders are web orders and stay out of the store
    "lightspeed_retail": {"channels": ("pos", "web"), "kinds": ("domestic",)},
    "lightspeed_xseries": {"channels": ("pos", "web"), "kinds": ("domestic",)},  # the same store, on X-Series
}
START_DATE = "2020-01-01T00:00:00Z"


# Vendor rate limits are honoured and tested in each connector's own suite; in pipe tests, campaigns and the demo they
# would only cost time: Exact's minutely limit off, Shopify Plus's cost bucket (20,000 points, 1,000 per second).
FAST_LIMITS: dict[str, dict[str, Any]] = {"exact": {"minutely_limit": None},
                                          "shopify": {"max_available": 20000, "restore_rate": 1000}}


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
    if kind == "exact":  # the way back: stock, shipments, items and customers (start the stand-in with catalogue=True)
        return {"api_url": server.base_url, "credentials": {"client_id": vendor.CLIENT_ID,
                                                            "client_secret": vendor.CLIENT_SECRET,
                                                            "refresh_token": vendor.REFRESH_TOKEN}}
    if kind in ("lightspeed_kseries", "lightspeed_xseries"):
        return pos_source_config(kind, server)
    raise KeyError(kind)


def pos_source_config(kind: str, server: sandbox.SandboxServer) -> dict[str, Any]:
    """Restaurant K-Series (OAuth2, every location) or Retail X-Series (OAuth2 add-on) against its stand-in."""
    vendor: Any = server.vendor
    if kind == "lightspeed_kseries":
        return {"start_date": START_DATE, "lookback_window_minutes": 0,
                "platform": {"platform_type": "kseries", "client_id": vendor.CLIENT_ID,
                             "client_secret": vendor.CLIENT_SECRET, "refresh_token": vendor.REFRESH_TOKEN,
                             "base_url": server.base_url, "auth_server_url": f"{server.base_url}/oauth/token"}}
    return {"start_date": START_DATE,
            "platform": {"platform_type": "xseries", "domain_prefix": vendor.DOMAIN_PREFIX, "base_url": server.base_url,
                         "credentials": {"auth_type": "oauth2", "client_id": vendor.CLIENT_ID,
                                         "client_secret": vendor.CLIENT_SECRET, "refresh_token": vendor.REFRESH_TOKEN}}}


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
    if kind == "shopify":  # the way back: stock levels and shipments from the ledger; each warehouse its location
        names = [str(loc["name"]) for loc in vendor.store.locations]
        return {"shop": "demo-shop", "api_base_url": server.base_url,
                "credentials": {"auth_method": "access_token", "access_token": vendor.access_token},
                "location_mapping": [{"warehouse": str(n), "location": name} for n, name in enumerate(names, 1)],
                "carrier_mapping": [{"shipping_method": "PostNL", "tracking_company": "PostNL"}]}
    raise KeyError(kind)


def catalog(destination: bool = False, streams: tuple[str, ...] = ("orders",)) -> dict[str, Any]:
    """A configured catalog of canonical streams (incremental on updated_at, keyed by source_id)."""
    configured = []
    for name in streams:
        stream = {"name": name, "json_schema": load_schema(name), "supported_sync_modes": ["incremental"],
                  "source_defined_cursor": True, "default_cursor_field": ["updated_at"],
                  "source_defined_primary_key": [["source_id"]]}
        configured.append({"stream": stream, "sync_mode": "incremental", "cursor_field": ["updated_at"],
                           "primary_key": [["source_id"]],
                           "destination_sync_mode": "append_dedup" if destination else "append"})
    return {"streams": configured}


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


def prepare(workdir: Path, source: str, destination: str, servers: dict[str, sandbox.SandboxServer],
            streams: tuple[str, ...] = ("orders",)) -> None:
    """Write configs and catalogs of `streams` into `workdir` (kept between runs: rotated tokens are written back)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "source_config.json").write_text(json.dumps(source_config(source, servers), indent=2))
    (workdir / "destination_config.json").write_text(json.dumps(destination_config(destination, servers), indent=2))
    (workdir / "source_catalog.json").write_text(json.dumps(catalog(streams=streams), indent=2))
    (workdir / "destination_catalog.json").write_text(json.dumps(catalog(destination=True, streams=streams), indent=2))


def run_pipe(workdir: Path, source: str, destination: str, timeout: float = 600,
             env: dict[str, str] | None = None, *, report: Path | None = None) -> PipeRun:
    """`source read [--state state.json] | tee | destination write [--report PATH]`; keeps the last echoed state in
    state.json."""
    state_file = workdir / "state.json"
    src = [str(BIN / SOURCES[source]), "read", "--config", "source_config.json", "--catalog", "source_catalog.json"]
    if state_file.exists():
        src += ["--state", "state.json"]
    dst = [str(BIN / DESTINATIONS[destination]), "write", "--config", "destination_config.json",
           "--catalog", "destination_catalog.json", *(["--report", str(report)] if report else [])]
    script = (f"set -o pipefail; {shlex.join(src)} 2>source.err | tee source_output.jsonl "
              f"| {shlex.join(dst)} > destination_output.jsonl 2>destination.err")
    proc = subprocess.run(["bash", "-c", script], cwd=workdir, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})
    return collect_pipe(workdir, proc.returncode)


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
    kind: str  # "document" (one per order, a return receipt's credit included) or "credit_note" (a refund's)


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
                               # a POS return receipt is a document of its own; a refund's credit carries "/R"
                               "credit_note" if "/R" in ref else "document"))
        return out
    raise KeyError(destination)


def order_reference(document_reference: str) -> str:
    """'shopify:#1001' -> '#1001': the order's own reference inside our document reference."""
    return document_reference.split(":", 1)[1] if ":" in document_reference else document_reference


# -- fault and crash campaigns (tests/faults/, scripts/faults.py) -----------------------------------------------------
BOOKABLE_STATUSES = frozenset(("paid", "partially_refunded", "refunded"))
SKIPPED_REPORT = "were skipped and not booked"  # write_loop's closing error when records were rejected by rule
TOKEN_PATHS = r"^(/api/oauth2/|/connect/token|/auth/oauth/|/admin/oauth/|/oauth/token|/api/1\.0/token)"
# every API call but token calls
NOT_TOKEN_PATHS = r"^(?!/api/oauth2/|/connect/token|/auth/oauth/|/admin/oauth/|/oauth/token|/api/1\.0/token)"


def bookable(order: dict[str, Any]) -> bool:
    """Whether a canonical order should end up in the books (paid, not cancelled, not a test order)."""
    return order["payment_status"] in BOOKABLE_STATUSES and not order["cancelled"] and not order.get("test", False)


def injected_faults(server: sandbox.SandboxServer) -> Counter[str]:
    """How many requests got each fault kind, from the stand-in's request log."""
    return Counter(r.fault for r in server.requests() if r.fault)


@contextmanager
def faults_paused(server: sandbox.SandboxServer) -> Iterator[None]:
    """Suspend the server's fault rules (e.g. while the operator re-authorises), keeping their counters."""
    with server.lock:
        rules, server.faults = server.faults, []
    try:
        yield
    finally:
        with server.lock:
            server.faults = rules + server.faults


LIGHTSPEED_TOKEN_PATHS = {"lightspeed_retail": "/auth/oauth/token", "lightspeed_kseries": "/oauth/token",
                          "lightspeed_xseries": "/api/1.0/token"}  # the authorization-code grant of each stand-in


def reauthorize(kind: str, server: sandbox.SandboxServer) -> dict[str, str]:
    """Do what an operator's re-authorisation does after a revocation and return the new credential values.

    exact: the authorization-code flow over HTTP (GET /api/oauth2/auth mints a code, POST /api/oauth2/token
    exchanges it); lightspeed_retail/_kseries/_xseries: the authorization-code grant; shopify: a new app token
    (client-credentials grant); eaccounting: `issue_tokens()` (the stand-in's authorization code is single use, so a
    second consent is simulated by minting the pair the token endpoint would return). Fault rules are paused meanwhile.
    """
    vendor: Any = server.vendor
    with faults_paused(server), requests.Session() as http:
        if kind == "exact":
            consent = http.get(f"{server.base_url}/api/oauth2/auth", allow_redirects=False, timeout=10,
                               params={"client_id": vendor.CLIENT_ID, "redirect_uri": vendor.REDIRECT_URI,
                                       "response_type": "code"})
            code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
            token = http.post(f"{server.base_url}/api/oauth2/token", timeout=10, data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": vendor.REDIRECT_URI,
                "client_id": vendor.CLIENT_ID, "client_secret": vendor.CLIENT_SECRET})
            token.raise_for_status()
            return {"refresh_token": token.json()["refresh_token"]}
        if kind == "eaccounting":
            return {"refresh_token": vendor.issue_tokens()["refresh_token"]}
        if kind in LIGHTSPEED_TOKEN_PATHS:
            token = http.post(f"{server.base_url}{LIGHTSPEED_TOKEN_PATHS[kind]}", timeout=10, data={
                "grant_type": "authorization_code", "code": vendor.AUTHORIZATION_CODE,
                "client_id": vendor.CLIENT_ID, "client_secret": vendor.CLIENT_SECRET})
            token.raise_for_status()
            return {"refresh_token": token.json()["refresh_token"]}
        if kind == "shopify":
            token = http.post(f"{server.base_url}/admin/oauth/access_token", timeout=10, data={
                "grant_type": "client_credentials", "client_id": vendor.CLIENT_ID,
                "client_secret": vendor.CLIENT_SECRET})
            token.raise_for_status()
            return {"access_token": token.json()["access_token"]}
    raise ValueError(f"{kind} has no tokens to re-authorise")


def apply_credentials(workdir: Path, role: str, kind: str, values: dict[str, str]) -> None:
    """Write re-authorised credentials into `source_config.json` / `destination_config.json` as an operator would.

    The whole credentials object is replaced (tokens the connector cached there, such as Exact's access token, go).
    """
    path = workdir / f"{role}_config.json"
    config = json.loads(path.read_text())
    if kind in ("exact", "eaccounting"):
        creds = {k: config["credentials"][k] for k in ("client_id", "client_secret")}
        config["credentials"] = {**creds, **values}
    elif kind in ("lightspeed_retail", "lightspeed_kseries"):
        config["platform"] = {k: v for k, v in config["platform"].items()
                              if k not in ("access_token", "token_expires_at")} | values
    elif kind == "lightspeed_xseries":
        config["platform"]["credentials"] = config["platform"]["credentials"] | values
    elif kind == "shopify":
        config["credentials"] = {"auth_method": "access_token", **values}
    else:
        raise ValueError(f"{kind} has no tokens to re-authorise")
    write_json_atomic(path, config)


def roll_day(kind: str, server: sandbox.SandboxServer) -> bool:
    """Let the vendor's day roll over when its daily quota is used up (what waiting until tomorrow does).

    Returns True when a used-up daily quota was reset.
    """
    vendor: Any = server.vendor
    with server.lock:
        if kind == "exact":
            spent = [c for c in vendor.limits.counters.values() if c.day_exhausted and c.day_exhausted == c.day]
            for counter in spent:
                counter.day_exhausted, counter.day_used = "", 0
            return bool(spent)
        if kind == "lightspeed_ecom":
            daily = max(vendor.windows, key=lambda w: w.seconds)
            if daily.used >= daily.limit:
                daily.used = 0
                return True
    return False


@dataclass(frozen=True)
class Trace:
    """A TRACE error a connector emitted: which side, Airbyte failure type, message."""

    side: str  # "source" | "destination"
    failure_type: str
    message: str


def traces(workdir: Path, run: PipeRun) -> list[Trace]:
    """Every TRACE error of the last pipe run, from the source's output and the destination's."""
    found = []
    sides = [("source", [validate_line(line) for line in output_lines(workdir / "source_output.jsonl")]),
             ("destination", run.destination_messages)]
    for side, messages in sides:
        for message in messages:
            error = message.trace.error if message.type.value == "TRACE" and message.trace is not None else None
            if error is not None:
                found.append(Trace(side, error.failure_type.value if error.failure_type else "", error.message))
    return found


def completed(workdir: Path, run: PipeRun) -> bool:
    """True when the run got through: the source finished every stream (STREAM_STATUS COMPLETE) without an error, the
    destination echoed the source's last state, and the destination's only error (if any) is the report of records
    rejected by rule. (A killed destination also cuts the source's tee'd output short: matching states alone would
    not prove the source got to the end.)"""
    source = [validate_line(line) for line in output_lines(workdir / "source_output.jsonl")]
    complete = {m.trace.stream_status.stream_descriptor.name for m in source
                if m.trace is not None and m.trace.stream_status is not None
                and m.trace.stream_status.status.value == "COMPLETE"}
    wanted = {s["stream"]["name"] for s in _read_json(workdir / "source_catalog.json", {"streams": []})["streams"]}
    finished = bool(complete) and wanted <= complete  # every stream: a kill can cut a multi-stream read short
    source_states = [m for m in source if m.type.value == "STATE"]
    echoed = [m for m in run.destination_messages if m.type.value == "STATE"]
    if not finished or not source_states or not echoed or source_states[-1].state != echoed[-1].state:
        return False
    return all(t.side == "destination" and SKIPPED_REPORT in t.message for t in traces(workdir, run))


class RunningPipe:
    """`source read | destination write` started as separate processes, so the destination can be killed.

    The source side is `bash -c "source ... | tee source_output.jsonl"` in its own session; the destination is the
    connector's console script itself, so `kill()` hits the real destination process with SIGKILL.
    """

    def __init__(self, workdir: Path, source: str, destination: str, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        src = [str(BIN / SOURCES[source]), "read", "--config", "source_config.json", "--catalog",
               "source_catalog.json"]
        if (workdir / "state.json").exists():
            src += ["--state", "state.json"]
        dst = [str(BIN / DESTINATIONS[destination]), "write", "--config", "destination_config.json",
               "--catalog", "destination_catalog.json"]
        full_env = {**os.environ, **(env or {})}
        self._out = (workdir / "destination_output.jsonl").open("wb")
        self._err = (workdir / "destination.err").open("wb")
        self.source = subprocess.Popen(["bash", "-c", f"{shlex.join(src)} 2>source.err | tee source_output.jsonl"],
                                       cwd=workdir, stdout=subprocess.PIPE, env=full_env, start_new_session=True)
        self.destination = subprocess.Popen(dst, cwd=workdir, stdin=self.source.stdout, stdout=self._out,
                                            stderr=self._err, env=full_env)
        assert self.source.stdout is not None
        self.source.stdout.close()  # the destination holds the read end now; the source sees EPIPE when it dies
        self.killed = False

    def running(self) -> bool:
        return self.destination.poll() is None

    def kill_destination(self) -> bool:
        """SIGKILL the destination process (kill -9). Returns False when it had already exited."""
        if self.destination.poll() is not None:
            return False
        self.destination.send_signal(signal.SIGKILL)
        self.killed = True
        return True

    def wait(self, timeout: float = 600) -> PipeRun:
        """Wait for both sides, then read their output the way `run_pipe` does (and keep the echoed state)."""
        try:
            code = self.destination.wait(timeout=timeout)
            try:
                self.source.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a source stuck on a full pipe after its reader died
                os.killpg(self.source.pid, signal.SIGKILL)
                self.source.wait(timeout=30)
        finally:
            self._out.close()
            self._err.close()
        return collect_pipe(self.workdir, code)


def collect_pipe(workdir: Path, returncode: int) -> PipeRun:
    """Read a finished (or killed) pipe's output files into a PipeRun and merge its echoed states into state.json.

    A line cut off by a kill (no trailing newline) is ignored, as Airbyte ignores a partial message.
    """
    source_messages = [validate_line(line) for line in output_lines(workdir / "source_output.jsonl")]
    records = [m.record.data for m in source_messages if m.record is not None and m.record.stream == "orders"]
    dest_messages = [validate_line(line) for line in output_lines(workdir / "destination_output.jsonl")]
    err = [workdir / "source.err", workdir / "destination.err"]
    stderr = "".join(p.read_text(errors="replace") for p in err if p.exists())
    run = PipeRun(returncode, records, dest_messages, stderr)
    state_file = workdir / "state.json"
    run.state = _merge_state(_read_json(state_file, []), [m for m in dest_messages if m.type.value == "STATE"])
    if run.state:
        state_file.write_text(json.dumps(run.state, indent=2))
    return run


def output_lines(path: Path) -> list[str]:
    """The complete, non-blank lines of a connector's output file (a line cut off by a kill is left out)."""
    if not path.exists():
        return []
    text = path.read_text(errors="replace")
    lines = text.split("\n")
    if not text.endswith("\n"):
        lines = lines[:-1]  # the last line was cut off
    return [line for line in lines if line.strip()]


@dataclass(frozen=True)
class LedgerCheck:
    """The ledger compared with the documents a clean run books (same shop, no faults)."""

    expected: int  # documents (invoices and credit notes) the clean run booked
    booked_once: int  # of those, booked exactly once with the same total
    duplicates: int  # extra copies of any document
    missing: list[str]  # expected references not in the ledger
    unexpected: list[str]  # references in the ledger the clean run did not book
    wrong_total: list[str]  # booked once, but with another total than the clean run


def booking_key(booking: Booking) -> str:
    """A document's identity in the audit: its reference, plus its kind unless it is the order's own document
    (a credit note may carry the order's reference)."""
    return booking.reference if booking.kind == "document" else f"{booking.reference} [{booking.kind}]"


def compare_ledger(expected: dict[str, Decimal], bookings: list[Booking]) -> LedgerCheck:
    """Compare `bookings` with `expected` (`booking_key` -> total of a clean run)."""
    per_reference = Counter(booking_key(b) for b in bookings)
    totals = {booking_key(b): b.total for b in bookings}
    once = [r for r in expected if per_reference[r] == 1]
    return LedgerCheck(
        expected=len(expected),
        booked_once=sum(1 for r in once if totals[r] == expected[r]),
        duplicates=sum(n - 1 for n in per_reference.values() if n > 1),
        missing=sorted(r for r in expected if per_reference[r] == 0),
        unexpected=sorted(r for r in per_reference if r not in expected),
        wrong_total=sorted(r for r in once if totals[r] != expected[r]),
    )
