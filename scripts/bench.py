"""`make bench`: runs every benchmark against the sandbox and writes BENCHMARKS.md with the machine described.

What it measures (see the report's own notes for the method of each table):
- sources as real CLI processes (`source-… read`) against in-process stand-ins with rate limits lifted: records per
  second, CPU seconds of the connector process per 1000 orders, API calls (and Shopify cost points) per 1000 orders;
- the connectors' own bench.py scripts (subprocesses; each ends with a `BENCH {json}` line): API calls per order of
  both destinations and orders per hour under each vendor's published limits on a simulated clock with a simulated
  per-request latency;
- peak memory (GNU time's %M of the child process) of each destination `write --dry_run` fed 10k and 100k canonical
  order records generated on the fly on its stdin, and of the Shopify source reading a 10k and a larger shop;
- the sandbox's own figures (scripts/bench_sandbox.py); `make bench` then runs scripts/airbyte_shopify.py --write.

Usage: .venv/bin/python scripts/bench.py [--quick] [--out BENCHMARKS.md] [--latency 0.15] [--only-perf]
`--quick` shrinks every size (a smoke run of the script in about a minute; its report says so). Asserts nothing.
`--only-perf` runs only the record-path figures of issue 18 (`perf_figures`: each beside its baseline, a few minutes)
and replaces that one section of the --out file, keeping the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import airbyte_shopify as ab

import harness
import sandbox

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TIME = "/usr/bin/time"  # GNU time: peak RSS of the connector process alone
BENCH_PREFIX = "BENCH "
RECORD_PREFIX = b'{"type":"RECORD"'
UNLIMITED: dict[str, dict[str, Any]] = {  # rate limits lifted: the CLI runs measure the connector, not the vendor
    "shopify": {"max_available": 1e9, "restore_rate": 1e9},
    "lightspeed_ecom": {"rate_limits": ((300.0, 10**9), (3600.0, 10**9), (86400.0, 10**9)), "per_second": None},
    "lightspeed_retail": {"bucket_size": 1e9, "burst_limit": None},
    "exact": {"minutely_limit": None, "daily_limit": None},
    "eaccounting": {},
}
SOURCE_LABELS = {"shopify": "Shopify GraphQL", "lightspeed_ecom": "Lightspeed eCom",
                 "lightspeed_retail": "Lightspeed Retail (R-Series)"}
DEST_LABELS = {"exact": "Exact Online", "eaccounting": "Visma eAccounting"}
AIRBYTE_SHOPIFY_NOTE = ("Filled by `scripts/airbyte_shopify.py --write` (`make airbyte-shopify`, the last step of "
                        "`make bench`): Airbyte's own `airbyte-source-shopify` 4.3.0 reading the Shopify stand-in.")


@dataclass
class Report:
    quick: bool
    latency: float
    machine: dict[str, str] = field(default_factory=dict)
    benches: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    source_memory: list[dict[str, Any]] = field(default_factory=list)
    dest_memory: list[dict[str, Any]] = field(default_factory=list)
    startup: dict[str, float] = field(default_factory=dict)
    perf: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    airbyte_section: str | None = None  # the figures scripts/airbyte_shopify.py --write left in the file


# ---------------------------------------------------------------------------------------------------- machine
def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    return {
        "CPU": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "memory": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "airbyte-cdk": metadata.version("airbyte-cdk"),
        "jsonschema": metadata.version("jsonschema"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load average at start (1/5/15 min)": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        "commit": f"{commit} (plus uncommitted work in the tree)" if commit else "unknown",
    }


# ---------------------------------------------------------------------------------------------------- helpers
def run_bench_script(report: Report, name: str, script: Path, args: list[str], timeout: float = 600) -> None:
    """Run one bench.py as a subprocess; keep its human output and its `BENCH {json}` line."""
    started = time.perf_counter()
    try:
        proc = subprocess.run([PY, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        report.problems.append(f"{name}: timed out after {timeout:.0f} s")
        return
    human = [line for line in proc.stdout.splitlines()
             if not line.startswith(('{"type":"LOG"', '{"type":"CONTROL"', BENCH_PREFIX))]
    report.outputs[name] = "\n".join(human)
    found = [line for line in proc.stdout.splitlines() if line.startswith(BENCH_PREFIX)]
    if proc.returncode != 0 or not found:
        report.problems.append(f"{name}: exit code {proc.returncode}, no BENCH line" if not found
                               else f"{name}: exit code {proc.returncode}")
        report.outputs[name] += "\n" + proc.stderr[-2000:]
    if found:
        report.benches[name] = json.loads(found[-1][len(BENCH_PREFIX):])
        report.benches[name]["script_wall_s"] = time.perf_counter() - started
    print(f"  {name}: {time.perf_counter() - started:.0f} s", flush=True)


@dataclass
class ChildRun:
    returncode: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    stdout: Path


def run_child(argv: list[str], cwd: Path, stdin_lines: Callable[[], Iterator[bytes]] | None = None,
              timeout: float = 900) -> ChildRun:
    """Run a connector process; stdout to a file; its CPU (os.wait4) and peak RSS (GNU time's %M).

    The peak RSS is taken through /usr/bin/time because a child's own ru_maxrss also counts the forking parent's
    resident memory (Linux keeps the pre-exec high-water mark), and this parent holds the stand-ins' generated shops.
    """
    out = cwd / f"{Path(argv[0]).name}-{time.monotonic_ns()}.jsonl"
    rss_file = out.with_suffix(".rss")
    with out.open("wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen([TIME, "-f", "%M", "-o", str(rss_file), *argv], cwd=cwd,
                                stdin=subprocess.PIPE if stdin_lines else subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.DEVNULL)
        if stdin_lines is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):  # a child that stops early says why in its output
                for chunk in stdin_lines():
                    proc.stdin.write(chunk)
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    rss_kb = [line for line in rss_file.read_text().splitlines() if line.strip().isdigit()]
    return ChildRun(proc.returncode, wall, usage.ru_utime + usage.ru_stime, int(rss_kb[-1]) / 1024 if rss_kb else 0.0,
                    out)


def startup_cpu(cli: str, workdir: Path) -> float:
    """CPU seconds of `<cli> spec`: interpreter, CDK and connector import, the fixed cost of every run."""
    return run_child([str(harness.BIN / cli), "spec"], workdir).cpu_s


def count_records(path: Path, stream: bytes = b'"stream":"orders"') -> int:
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.startswith(RECORD_PREFIX) and stream in line[:80])


def last_error(path: Path) -> str:
    message = ""
    with path.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"TRACE"') and b'"error"' in line:
                message = json.loads(line)["trace"]["error"]["message"]
    return message[:300]


# ---------------------------------------------------------------------------------------------------- sources
def source_read(kind: str, orders: int, workdir: Path, bulk_threshold: int | None = None) -> dict[str, Any]:
    """`source-… read` as a real process against a stand-in with `orders` generated orders and no rate limits.

    `bulk_threshold` (Shopify only): 0 forces the paged GraphQL path, None keeps the connector's default (bulk
    operation from 2,000 orders).
    """
    generated = time.perf_counter()
    servers = harness.start_sandbox(seed="bench", orders=orders, names=[kind], **{kind: UNLIMITED[kind]})
    generated = time.perf_counter() - generated
    server = servers[kind]
    try:
        folder = workdir / f"{kind}-{orders}-{bulk_threshold}"
        folder.mkdir(parents=True, exist_ok=True)
        config = harness.source_config(kind, servers)
        if bulk_threshold is not None:
            config["bulk_threshold"] = bulk_threshold
        (folder / "config.json").write_text(json.dumps(config))
        (folder / "catalog.json").write_text(json.dumps(harness.catalog()))
        child = run_child([str(harness.BIN / harness.SOURCES[kind]), "read", "--config", "config.json",
                           "--catalog", "catalog.json"], folder)
        records = count_records(child.stdout)
        requests = [r for r in server.requests() if "/auth/" not in r.path and "oauth2/token" not in r.path
                    and not r.path.startswith("/_sandbox")]
        vendor: Any = server.vendor
        cost = float(vendor.cost_spent) if kind == "shopify" else None
        bulk = kind == "shopify" and any("bulkOperationRunQuery" in r.body for r in requests)
        label = SOURCE_LABELS[kind] + (" bulk" if bulk else " paged" if kind == "shopify" else "")
        result = {"kind": kind, "label": label, "orders_generated": orders, "records": records,
                  "returncode": child.returncode,
                  "wall_s": child.wall_s, "cpu_s": child.cpu_s, "max_rss_mb": child.max_rss_mb,
                  "api_calls": len(requests), "cost_points": cost, "generate_s": generated,
                  "error": last_error(child.stdout) if child.returncode else ""}
        if child.returncode == 0:
            child.stdout.unlink()
        return result
    finally:
        server.stop()


def source_vs_bare(orders: int, workdir: Path, *, bulk: bool, repeat: int = 2) -> dict[str, Any]:
    """The Shopify source's CPU per order beside the bare I/O loop's (`scripts/bare_io.py`), measured in one run on
    the same stand-in: the source reads the orders stream as its CLI process, then the bare loop replays the very
    requests the source made (same queries, pages and bulk file; JSON decoded, nothing mapped). Each side's fixed
    start-up (`spec`, `bare_io.py --noop`) is subtracted; the lowest of `repeat` runs counts (CPU, not wall)."""
    servers = harness.start_sandbox(seed="bench", orders=orders, names=["shopify"], shopify=UNLIMITED["shopify"])
    server = servers["shopify"]
    vendor: Any = server.vendor
    try:
        folder = workdir / f"bare-{orders}-{bulk}"
        folder.mkdir(parents=True, exist_ok=True)
        config = {**harness.source_config("shopify", servers), "bulk_threshold": 1 if bulk else 0}
        (folder / "config.json").write_text(json.dumps(config))
        (folder / "catalog.json").write_text(json.dumps(harness.catalog()))
        source_cpu, bare_cpu, records, calls = [], [], 0, 0
        for _ in range(repeat):
            server.clear_log()
            child = run_child([str(harness.BIN / "source-shopify-orders"), "read", "--config", "config.json",
                               "--catalog", "catalog.json"], folder)
            records = count_records(child.stdout)
            child.stdout.unlink()
            source_cpu.append(child.cpu_s)
            made = [r for r in server.requests() if not r.path.startswith("/_sandbox")]
            calls = len(made)
            plan = {"base_url": server.base_url, "headers": {"X-Shopify-Access-Token": vendor.ACCESS_TOKEN},
                    "requests": [{"method": r.method, "path": r.path, "query": r.query, "body": r.body} for r in made]}
            (folder / "requests.json").write_text(json.dumps(plan))
            bare = run_child([PY, str(ROOT / "scripts/bare_io.py"), "requests.json"], folder)
            bare_cpu.append(bare.cpu_s)
        source_start = min(startup_cpu("source-shopify-orders", folder) for _ in range(max(repeat, 3)))
        bare_start = min(run_child([PY, str(ROOT / "scripts/bare_io.py"), "--noop"], folder).cpu_s
                         for _ in range(max(repeat, 3)))  # start-ups are short: the least of three
        per_order = (min(source_cpu) - source_start) / max(records, 1)
        bare_per_order = (min(bare_cpu) - bare_start) / max(records, 1)
        return {"path": "bulk" if bulk else "paged", "records": records, "api_calls": calls,
                "source_cpu_s": min(source_cpu), "source_startup_s": source_start, "bare_cpu_s": min(bare_cpu),
                "bare_startup_s": bare_start, "ms_per_order": 1000 * per_order,
                "bare_ms_per_order": 1000 * bare_per_order,
                "orders_per_cpu_s": 1 / per_order if per_order > 0 else None,
                "ratio": per_order / bare_per_order if bare_per_order > 0 else None}
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------------- destinations
def record_templates(workdir: Path, count: int = 400) -> list[str]:
    """Canonical order records as the Shopify source emits them, as JSON lines with id placeholders."""
    servers = harness.start_sandbox(seed="templates", orders=count, names=["shopify"],
                                    shopify=UNLIMITED["shopify"])
    try:
        folder = workdir / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(harness.source_config("shopify", servers)))
        (folder / "catalog.json").write_text(json.dumps(harness.catalog()))
        child = run_child([str(harness.BIN / "source-shopify-orders"), "read", "--config", "config.json",
                           "--catalog", "catalog.json"], folder)
    finally:
        servers["shopify"].stop()
    templates = []
    with child.stdout.open("rb") as lines:
        for line in lines:
            if not line.startswith(RECORD_PREFIX):
                continue
            message = json.loads(line)
            data = message["record"]["data"]
            data["source_id"], data["reference"] = "@@ID@@", "#@@REF@@"
            templates.append(json.dumps({"type": "RECORD", "record": {"stream": "orders", "data": data,
                                                                       "emitted_at": 0}}, separators=(",", ":")))
    if not templates:
        raise SystemExit("could not read template orders from the Shopify source")
    return templates


def order_stream(templates: list[str], count: int, state_every: int = 250) -> Callable[[], Iterator[bytes]]:
    """Generator factory: `count` distinct order records (new id and order number each) with a STATE per batch."""
    def lines() -> Iterator[bytes]:
        chunk: list[str] = []
        for i in range(count):
            chunk.append(templates[i % len(templates)].replace("@@ID@@", str(50_000_000 + i))
                         .replace("@@REF@@", str(500_000 + i)))
            if (i + 1) % state_every == 0 or i + 1 == count:
                chunk.append(json.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": {
                    "stream_descriptor": {"name": "orders"}, "stream_state": {"updated_at": f"bench-{i}"}}}}))
                yield ("\n".join(chunk) + "\n").encode()
                chunk = []
    return lines


def destination_write(kind: str, templates: list[str], orders: int, workdir: Path) -> dict[str, Any]:
    """`destination-… write` with dry_run against a stand-in (latency 0, no limits), fed `orders` records."""
    servers = harness.start_sandbox(seed="demo", orders=10, names=[kind], **{kind: UNLIMITED[kind]})
    try:
        folder = workdir / f"{kind}-write-{orders}"
        folder.mkdir(parents=True, exist_ok=True)
        config = {**harness.destination_config(kind, servers), "dry_run": True}
        (folder / "config.json").write_text(json.dumps(config))
        (folder / "catalog.json").write_text(json.dumps(harness.catalog(destination=True)))
        child = run_child([str(harness.BIN / harness.DESTINATIONS[kind]), "write", "--config", "config.json",
                           "--catalog", "catalog.json"], folder, stdin_lines=order_stream(templates, orders))
        states = 0
        summary: dict[str, Any] = {}
        with child.stdout.open("rb") as lines:
            for line in lines:
                if line.startswith(b'{"type":"STATE"'):
                    states += 1
                elif b"SUMMARY " in line[:80]:
                    summary = json.loads(json.loads(line)["log"]["message"][len("SUMMARY "):])
        result = {"kind": kind, "orders": orders, "returncode": child.returncode, "wall_s": child.wall_s,
                  "cpu_s": child.cpu_s, "max_rss_mb": child.max_rss_mb, "states_echoed": states,
                  "api_calls": len(servers[kind].requests()), "outcomes": summary.get("outcomes", {}),
                  "error": last_error(child.stdout) if child.returncode else ""}
        child.stdout.unlink()
        return result
    finally:
        servers[kind].stop()


# ---------------------------------------------------------------------------------------------------- issue 18
PERF_HEADING = "## Record path and API calls against their baselines (issue 18)"
SHOPIFY_PLANS = (("Standard", 100.0), ("Advanced", 200.0), ("Plus", 1000.0), ("Commerce Components", 2000.0),
                 ("older pages: 50 pts/s", 50.0))  # restore rate, points per second (reference/shopify.md)
EXACT_PER_MINUTE, EXACT_PER_DAY = 60, 5000


def destination_cpu(kind: str, templates: list[str], orders: int, workdir: Path, *, dry_run: bool) -> dict[str, Any]:
    """CPU per record of `destination-… write` (dry run, or booking for real) as its CLI process against a stand-in
    with limits lifted, beside the bare input loop (`bare_io.py --stdin`: the same stdin JSON-decoded)."""
    servers = harness.start_sandbox(seed="demo", orders=10, names=[kind], **{kind: UNLIMITED[kind]})
    try:
        folder = workdir / f"{kind}-cpu-{orders}-{dry_run}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps({**harness.destination_config(kind, servers),
                                                        "dry_run": dry_run}))
        (folder / "catalog.json").write_text(json.dumps(harness.catalog(destination=True)))
        child = run_child([str(harness.BIN / harness.DESTINATIONS[kind]), "write", "--config", "config.json",
                           "--catalog", "catalog.json"], folder, stdin_lines=order_stream(templates, orders))
        summary: dict[str, Any] = {}
        with child.stdout.open("rb") as lines:
            for line in lines:
                if b"SUMMARY " in line[:80]:
                    summary = json.loads(json.loads(line)["log"]["message"][len("SUMMARY "):])
        error = last_error(child.stdout) if child.returncode else ""
        child.stdout.unlink()
        made = [r for r in servers[kind].requests() if not r.path.startswith("/_sandbox")]
        bare = run_child([PY, str(ROOT / "scripts/bare_io.py"), "--stdin"], folder,
                         stdin_lines=order_stream(templates, orders))
        bare.stdout.unlink()
        noop = run_child([PY, str(ROOT / "scripts/bare_io.py"), "--noop"], folder)
        noop.stdout.unlink()
        replay_s = 0.0
        calls = [r for r in made if "/token" not in r.path]
        if calls:  # the same HTTP calls over one keep-alive session (POSTs book again: the stand-in's cost, not ours)
            token = _bench_token(kind, servers[kind])
            plan = {"base_url": servers[kind].base_url,
                    "headers": {"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    "requests": [{"method": r.method, "path": r.path, "query": r.query, "body": r.body}
                                 for r in calls]}
            (folder / "requests.json").write_text(json.dumps(plan))
            replay = run_child([PY, str(ROOT / "scripts/bare_io.py"), "requests.json"], folder)
            replay.stdout.unlink()
            replay_s = max(replay.cpu_s - noop.cpu_s, 0.0)
        start = min(startup_cpu(harness.DESTINATIONS[kind], folder) for _ in range(3))
        per = (child.cpu_s - start) / orders
        bare_per = (bare.cpu_s - noop.cpu_s + replay_s) / orders
        return {"kind": kind, "dry_run": dry_run, "orders": orders, "returncode": child.returncode, "error": error,
                "cpu_s": child.cpu_s, "startup_s": start, "ms_per_record": 1000 * per,
                "bare_ms_per_record": 1000 * bare_per, "replay_ms_per_record": 1000 * replay_s / orders,
                "ratio": per / bare_per if bare_per > 0 else None,
                "api_calls": len(made), "outcomes": summary.get("outcomes", {})}
    finally:
        servers[kind].stop()


def _bench_token(kind: str, server: Any) -> str:
    """A valid access token minted by the stand-in itself (the bare replay is not a client of the OAuth flow)."""
    vendor: Any = server.vendor
    if kind == "exact":
        return str(json.loads(vendor.tokens._issue("bench").encoded()[0])["access_token"])
    return str(vendor.tokens.issue()["access_token"])


def airbyte_vs_ours(orders: int, workdir: Path) -> dict[str, Any]:
    """CPU per order of Airbyte's `source-shopify` 4.3.0 (scripts/airbyte_shopify.py: its own virtualenv, unpatched,
    URL rewritten at the transport) and of ours, reading the orders stream of the same stand-in store (full-size
    orders, Shopify's limits on), each as its CLI process; each side's `spec` start-up is subtracted."""
    exe = ab.ensure_venv()
    server = sandbox.start("shopify", scopes=ab.SCOPES, seed="airbyte", orders=orders)
    vendor: Any = server.vendor
    folder = workdir / f"airbyte-{orders}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        stored = len(ab.rest.entries(vendor, "orders", vendor.scopes))
        (folder / "ab_config.json").write_text(json.dumps(ab.config(vendor)))
        env = {**os.environ, "SHOPIFY_STANDIN_URL": server.base_url,
               "PYTHONPATH": os.pathsep.join(p for p in (str(ab.SITE), os.environ.get("PYTHONPATH", "")) if p)}
        env.pop("VIRTUAL_ENV", None)
        found = subprocess.run([str(exe), "discover", "--config", "ab_config.json"], cwd=folder, env=env,
                               capture_output=True, text=True, timeout=ab.TIMEOUT, check=False)
        catalogs = [m["catalog"] for m in ab.messages(found.stdout) if m.get("type") == "CATALOG"]
        if not catalogs:
            raise RuntimeError(f"airbyte discover failed: {found.stdout[-500:]}{found.stderr[-500:]}")
        stream = next(s for s in catalogs[0]["streams"] if s["name"] == "orders")
        (folder / "ab_catalog.json").write_text(json.dumps({"streams": [
            {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}))
        theirs = _child_cpu([str(exe), "read", "--config", "ab_config.json", "--catalog", "ab_catalog.json"],
                            folder, env)
        their_start = min((_child_cpu([str(exe), "spec"], folder, env) for _ in range(3)), key=lambda r: r["cpu_s"])
        ours: dict[str, Any] = {}
        for path, threshold in (("bulk", 1),):  # Airbyte reads orders by BULK too (paged here would wait out limits)
            config = {**harness.source_config("shopify", {"shopify": server}), "bulk_threshold": threshold}
            (folder / "config.json").write_text(json.dumps(config))
            (folder / "catalog.json").write_text(json.dumps(harness.catalog()))
            child = run_child([str(harness.BIN / "source-shopify-orders"), "read", "--config", "config.json",
                               "--catalog", "catalog.json"], folder)
            ours[path] = {"cpu_s": child.cpu_s, "records": count_records(child.stdout), "rc": child.returncode}
            child.stdout.unlink()
        our_start = min(startup_cpu("source-shopify-orders", folder) for _ in range(3))
    finally:
        server.stop()
    their_ms = 1000 * (theirs["cpu_s"] - their_start["cpu_s"]) / max(theirs["records"], 1)
    result: dict[str, Any] = {"orders": stored, "airbyte_records": theirs["records"], "airbyte_rc": theirs["rc"],
                              "airbyte_cpu_s": theirs["cpu_s"], "airbyte_startup_s": their_start["cpu_s"],
                              "airbyte_ms_per_order": their_ms}
    for path, r in ours.items():
        ms = 1000 * (r["cpu_s"] - our_start) / max(r["records"], 1)
        result[path] = {**r, "startup_s": our_start, "ms_per_order": ms, "ratio": ms / their_ms if their_ms else None}
    return result


def _child_cpu(argv: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    """A process with its own environment: CPU (os.wait4) and the orders records it printed."""
    out = cwd / f"child-{time.monotonic_ns()}.jsonl"
    with out.open("wb") as sink:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
    records = count_records(out)
    out.unlink()
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "records": records, "rc": os.waitstatus_to_exitcode(status)}


def startup_times(workdir: Path) -> dict[str, dict[str, float]]:
    """`<connector> spec` from exec to exit, once each: wall and CPU seconds."""
    out = {}
    for cli in sorted({*harness.SOURCES.values(), *harness.DESTINATIONS.values()}):
        child = run_child([str(harness.BIN / cli), "spec"], workdir)
        child.stdout.unlink()
        out[cli] = {"wall_s": child.wall_s, "cpu_s": child.cpu_s}
    return out


def perf_figures(report: Report, workdir: Path, *, quick: bool) -> None:
    """Every figure of issue 18's table, each beside its baseline, in one run (each measured once)."""
    perf = report.perf
    orders = 500 if quick else 2000
    for bulk in (False, True):
        result = source_vs_bare(orders, workdir, bulk=bulk, repeat=1)
        perf["source_" + result["path"]] = result
        print(f"  shopify {result['path']}: {fmt(result['orders_per_cpu_s'])} orders/CPU s, "
              f"{fmt(result['ratio'], 2)}x bare I/O", flush=True)
    templates = record_templates(workdir, count=100 if quick else 400)
    records = 300 if quick else 1000
    for kind in ("exact", "eaccounting"):
        for dry_run in (True, False):
            result = destination_cpu(kind, templates, records, workdir, dry_run=dry_run)
            perf[f"dest_{kind}_{'dry' if dry_run else 'real'}"] = result
            print(f"  {kind} {'dry run' if dry_run else 'real'}: {fmt(result['ms_per_record'], 3)} ms/record",
                  flush=True)
            if result["returncode"] and not result["outcomes"]:
                report.problems.append(f"{kind} write ({'dry run' if dry_run else 'real'}) exited "
                                       f"{result['returncode']}: {result['error']}")
    perf["startup"] = startup_times(workdir)
    try:
        perf["airbyte"] = airbyte_vs_ours(300 if quick else 1000, workdir)
    except Exception as exc:
        report.problems.append(f"Airbyte side by side not measured: {type(exc).__name__}: {str(exc)[:300]}")


def _perf(report: Report, add: Callable[[str], None]) -> None:
    perf = report.perf
    if not perf:
        return
    add(PERF_HEADING)
    add("")
    add("Each figure measured once in this run beside its baseline, CPU of the connector process only (user+sys, "
        "`os.wait4`; its `spec` start-up subtracted), stand-ins in the benchmark process with limits lifted and no "
        "latency. Sources: the bare I/O loop (`scripts/bare_io.py`) replays the very requests the source made "
        "(same queries, pages, bulk file; JSON decoded, nothing mapped). Destinations: the bare loop JSON-decodes the "
        "same stdin and replays the very HTTP calls the destination made (lookups and POSTs, same bodies, one "
        "keep-alive session); *dry run* resolves customers and items read-only, *real* books. Orders are the Shopify "
        "stand-in's generated full-size orders.")
    add("")
    add("| figure | baseline | measured | ratio to baseline | goal | met |")
    add("|---|---:|---:|---:|---|---|")
    for path, goal in (("paged", 3000), ("bulk", 5000)):
        r = perf.get(f"source_{path}")
        if not r:
            continue
        bare_rate = 1000 / r["bare_ms_per_order"] if r["bare_ms_per_order"] > 0 else None
        add(f"| source-shopify-orders, {path} ({r['records']:,} orders, {r['api_calls']} calls): orders per CPU s | "
            f"bare I/O {fmt(bare_rate)} /s ({fmt(r['bare_ms_per_order'], 3)} ms) | {fmt(r['orders_per_cpu_s'])} /s "
            f"({fmt(r['ms_per_order'], 3)} ms) | {fmt(r['ratio'], 2)}x | >= {goal:,}/s and <= 1.5x | "
            f"{_met((r['orders_per_cpu_s'] or 0) >= goal and (r['ratio'] or 99) <= 1.5)} |")
    ab = perf.get("airbyte")
    if ab:
        for path in ("bulk",):
            r = ab[path]
            add(f"| vs Airbyte `source-shopify` 4.3.0, orders stream, same store ({ab['orders']:,} orders; ours "
                f"{path}, {r['records']:,} records; Airbyte {ab['airbyte_records']:,}): CPU ms per order | Airbyte "
                f"{fmt(ab['airbyte_ms_per_order'], 3)} ms | {fmt(r['ms_per_order'], 3)} ms | {fmt(r['ratio'], 2)}x | "
                f"less than Airbyte | {_met((r['ratio'] or 99) < 1)} |")
    else:
        add("| vs Airbyte `source-shopify` 4.3.0, CPU per order | not measured in this run (see problems) | | | "
            "less than Airbyte | n/a |")
    for kind, label in (("exact", "destination-exact-online"), ("eaccounting", "destination-eaccounting")):
        for mode in ("dry", "real"):
            r = perf.get(f"dest_{kind}_{mode}")
            if not r:
                continue
            add(f"| {label}, CPU per record, {'dry run' if mode == 'dry' else 'real'} ({r['orders']:,} records, "
                f"{r['api_calls']} calls) | stdin decode + HTTP replay {fmt(r['bare_ms_per_record'], 3)} ms "
                f"(HTTP {fmt(r.get('replay_ms_per_record'), 3)}) | "
                f"{fmt(r['ms_per_record'], 3)} ms | {fmt(r['ratio'], 1)}x | <= 0.4 ms | "
                f"{_met(r['ms_per_record'] <= 0.4)} |")
    exact = report.benches.get("destination-exact-online")
    if exact:
        for r in exact["runs"]:
            if r.get("calls_per_document"):
                add(f"| Exact calls per booked document, {r['run']} ({r['orders']} orders, {r['documents']} "
                    f"documents) | 1 call per document | {fmt(r['api_calls'])} calls | "
                    f"{fmt(r['calls_per_document'], 3)} | <= 1.01 in steady state | "
                    f"{_met(r['calls_per_document'] <= 1.01) if 'steady' in r['run'] else 'n/a'} |")
    add("")
    if exact:
        steady = next((r for r in exact["runs"] if "steady" in r["run"]), None)
        if steady:
            add(f"Steady state by endpoint (one fresh process, {steady['orders']} orders): " + ", ".join(
                f"{k} {v}" for k, v in steady["calls_by_endpoint"].items()) + ". Within a run, once accounts and "
                "items are cached, every further document costs exactly one call (tested in destination-exact-online/"
                "integration_tests/test_lookups.py: 300 more orders of known customers and items, 1.000 calls per "
                "document, no lookup); the rest above is each run's set-up and the first lookup of each account and "
                "item in a new process.")
            add("")
    shopify = report.benches.get("source-shopify-orders")
    if shopify:
        add("Orders per minute under each Shopify plan's GraphQL cost budget (restore rate; the bucket only "
            "front-loads the first minute), from the actual points per order of `source-shopify-orders/bench.py`; "
            "a limit the connector can reach only if requests keep up (one request per "
            f"{report.latency:g} s of latency, sequential):")
        add("")
        add("| path | actual points per order | " + " | ".join(name for name, _ in SHOPIFY_PLANS) + " |")
        add("|---|---:|" + "---:|" * len(SHOPIFY_PLANS))
        for path in ("paged", "bulk"):
            r = next((x for x in shopify["runs"] if x["path"] == path), None)
            if not r:
                continue
            points = r["spent"] / max(r["records"], 1)
            per_call = r["records"] / max(r["calls"], 1)
            latency_cap = 60 / report.latency * per_call if report.latency else float("inf")
            cells = [fmt(min(rate * 60 / points, latency_cap) if points else latency_cap) for _, rate in SHOPIFY_PLANS]
            add(f"| {path} | {fmt(points, 2)} | " + " | ".join(cells) + " |")
        add("")
        add("Bulk: the points are spent on starting and polling the job; the job's own run time is Shopify's and not "
            "modelled, so its row is what the budget allows, not a throughput promise.")
        add("")
    if exact:
        add(f"Under Exact's {EXACT_PER_MINUTE} calls per minute and {EXACT_PER_DAY:,} per day (calls per order of the "
            "bench runs above, set-up included):")
        add("")
        add("| run | calls per order | orders per minute (60/min) | orders per day (5,000/day) |")
        add("|---|---:|---:|---:|")
        for r in exact["runs"]:
            if r["calls_per_order"]:
                add(f"| {r['run']} | {fmt(r['calls_per_order'], 3)} | {fmt(EXACT_PER_MINUTE / r['calls_per_order'])} "
                    f"| {fmt(EXACT_PER_DAY / r['calls_per_order'])} |")
        add("")
    _perf_notes(perf, add)
    startup = perf.get("startup")
    if startup:
        add("Start-up of each connector (`<connector> spec`, exec to exit, once): " + ", ".join(
            f"{cli} {fmt(t['wall_s'], 2)} s wall / {fmt(t['cpu_s'], 2)} s CPU" for cli, t in startup.items()) + ".")
        add("")


def _perf_notes(perf: dict[str, Any], add: Callable[[str], None]) -> None:
    """Where a goal is not met: what the profile says is left, from this run's own figures."""
    notes = []
    for path in ("paged", "bulk"):
        r = perf.get(f"source_{path}")
        if r and (r["ratio"] or 99) > 1.5:
            notes.append(
                f"Source, {path}: {fmt(r['ms_per_order'], 3)} ms per order against "
                f"{fmt(r['bare_ms_per_order'], 3)} ms of bare I/O, which is little more than one JSON decode of "
                "each response. Measured piece by piece in process (`time.process_time`, the 2,000-order stand-in, "
                "2026-12-04), what the source adds per order: the mapping itself (`mapping.to_order`: lines, taxes, "
                "money, addresses, frozen model objects) about 55 us, the compiled record encoder "
                "(`records.to_record`) about 18 us, the totals check (`validate_order`, for the WARN) about 5 us, "
                "the CDK's record message, cursor and JSON line about 6 us (of which serialising 4 us: writing RECORD "
                "lines with orjson past the CDK would save about 2%, so it stays)"
                + (", and rebuilding the bulk JSONL about 50 us (every line decoded exactly once, Decimal rates, "
                   "after an orjson peek for its ids; the SQLite spill that keeps memory flat)" if path == "bulk"
                   else "")
                + ". The mapping alone costs about what the bare loop's decode costs, so 1.5x is beyond a design "
                "that turns JSON into dicts, dicts into model objects and those into record dicts; it would take "
                "decoding each response shape straight into the model (msgspec structs) or mapping JSON to the "
                "record without the model in between.")
    for kind, label in (("exact", "Exact"), ("eaccounting", "eAccounting")):
        r = perf.get(f"dest_{kind}_real")
        if r and r["ms_per_record"] > 0.4:
            notes.append(
                f"{label}, real run: {fmt(r['ms_per_record'], 3)} ms per record, of which replaying the same "
                f"{r['api_calls']} HTTP calls with `requests` alone costs {fmt(r.get('replay_ms_per_record'), 3)} ms "
                "per record (about 0.35 ms of client CPU per call, 1.4 calls per order with customers and items "
                "created): 0.4 ms per record booked is beyond a `requests`-based client whatever the booking code "
                "does; the dry run, which makes few calls, is within it. Reaching it would take a leaner HTTP "
                "client (urllib3 directly, or HTTP/2 multiplexing) and fewer calls per order (items and accounts "
                "prefetched in bulk).")
    if notes:
        add("Goals not met, and why (from this run's figures and a profile):")
        add("")
        for note in notes:
            add(f"- {note}")
        add("")


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def splice_section(document: str, heading: str, section: str) -> str:
    """`document` with its `heading` section (up to the next `## `) replaced by `section`, else inserted before
    the raw outputs (or at the end)."""
    lines = document.splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        anchor = "## Raw output of the connectors' bench scripts"
        start = lines.index(anchor) if anchor in lines else len(lines)
        return "\n".join([*lines[:start], *section.rstrip().splitlines(), "", *lines[start:]]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], *section.rstrip().splitlines(), "", *lines[end:]]) + "\n"


# ---------------------------------------------------------------------------------------------------- report
def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if value == float("inf"):
        return "unbounded"
    return f"{value:,.{digits}f}"


def render(report: Report) -> str:
    out: list[str] = []
    add = out.append
    add("# Benchmarks")
    add("")
    quick = " **This is a `--quick` smoke run with reduced sizes; run `make bench` for the real figures.**"
    add("Written by `make bench` (`scripts/bench.py`); every figure below comes from that run. Nothing here is "
        "asserted: the benchmark is not part of CI." + (quick if report.quick else ""))
    add("")
    add("## Machine")
    add("")
    add("| | |")
    add("|---|---|")
    for key, value in report.machine.items():
        add(f"| {key} | {value} |")
    add(f"| whole `make bench` run | {report.seconds / 60:.1f} min |")
    add("")
    _sources(report, add)
    _destinations(report, add)
    _exact_stock_and_shipments(report, add)
    _shopify_stock_and_shipments(report, add)
    _limits(report, add)
    _memory(report, add)
    _sandbox(report, add)
    _perf(report, add)
    if report.airbyte_section:
        add(report.airbyte_section.rstrip("\n"))
    else:
        add(ab.HEADING)
        add("")
        add(AIRBYTE_SHOPIFY_NOTE)
    add("")
    if report.problems:
        add("## Problems in this run")
        add("")
        for problem in report.problems:
            add(f"- {problem}")
        add("")
    add("## Raw output of the connectors' bench scripts")
    add("")
    for name, text in report.outputs.items():
        add(f"### {name}")
        add("")
        add("```")
        add(text.strip())
        add("```")
        add("")
    return "\n".join(out)


def _sources(report: Report, add: Callable[[str], None]) -> None:
    add("## Sources: throughput and API cost")
    add("")
    add("Each source runs as its real CLI process (`source-… read --config --catalog`, orders stream, full history) "
        "against its stand-in in the benchmark process, with the vendor's rate limits lifted and no added latency, so "
        "the figures are the connector's own cost. CPU seconds are user+system of the connector process only "
        "(`os.wait4`), including its interpreter and CDK start-up (measured below). Records per second are "
        "wall-clock.")
    add("")
    add("| source | orders read | records/s (wall) | records per CPU s | CPU s per 1000 orders | same, excl. start-up "
        "| API calls per 1000 orders | Shopify cost points per 1000 orders (actual) | peak RSS MB |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in report.sources:
        per_k = 1000 / max(r["records"], 1)
        start = report.startup.get(harness.SOURCES[r["kind"]], 0.0)
        add(f"| {r['label']} | {r['records']:,} | {fmt(r['records'] / r['wall_s'])} | "
            f"{fmt(r['records'] / r['cpu_s'])} | {fmt(r['cpu_s'] * per_k, 2)} | "
            f"{fmt(max(r['cpu_s'] - start, 0.0) * per_k, 2)} | {fmt(r['api_calls'] * per_k, 1)} | "
            f"{fmt(r['cost_points'] * per_k if r['cost_points'] is not None else None)} | {fmt(r['max_rss_mb'])} |")
    add("")
    add("Start-up CPU (`<connector> spec`: interpreter, CDK and connector imports): " + ", ".join(
        f"{name} {fmt(cpu, 2)} s" for name, cpu in report.startup.items()) + ". Wall-clock figures depend on the "
        "load of the machine (see the load average above; other test suites may share the 2 cores); CPU figures "
        "do not.")
    shopify = report.benches.get("source-shopify-orders")
    if shopify:
        add("")
        add(f"Shopify query cost per 1000 orders, from `source-shopify-orders/bench.py` ({shopify['orders']} "
            "generated orders; requested = the bucket the connector must have free before a query, actual = what "
            "Shopify charges):")
        add("")
        add("| path | API calls per 1000 orders | requested points per 1000 | actual points per 1000 |")
        add("|---|---:|---:|---:|")
        for r in shopify["runs"]:
            if r["plan"] != "standard":
                continue
            per_k = 1000 / max(r["records"], 1)
            add(f"| {r['path']} | {fmt(r['calls'] * per_k, 1)} | {fmt(r['requested'] * per_k)} | "
                f"{fmt(r['spent'] * per_k)} |")
    add("")


def _destinations(report: Report, add: Callable[[str], None]) -> None:
    add("## Destinations: API calls per order")
    add("")
    add("From the destinations' own bench scripts: the destination `write` in process against its stand-in. "
        "*First sync* books orders whose customers and items/articles are new; *steady state* books new orders of "
        "customers and items that exist already. Setup calls of each run (token, division/company settings, VAT "
        "codes) are included.")
    add("")
    add("| destination | run | orders booked | API calls per order |")
    add("|---|---|---:|---:|")
    exact = report.benches.get("destination-exact-online")
    if exact:
        for r in exact["runs"]:
            add(f"| Exact Online | {r['run']} | {r['orders']} | {fmt(r['calls_per_order'], 2)} |")
    eacc = report.benches.get("destination-eaccounting")
    if eacc:
        for r in eacc["runs"]:
            add(f"| Visma eAccounting | {r['run']} | {r['orders']} | {fmt(r['calls_per_order'], 2)} |")
    add("")


def _exact_stock_and_shipments(report: Report, add: Callable[[str], None]) -> None:
    """The way back out of the ledger (source-exact-online/bench.py): calls per 1,000 stock positions read."""
    bench = report.benches.get("source-exact-online")
    if not bench:
        return
    add("## Exact Online source: stock positions and goods deliveries read")
    add("")
    add(f"From `source-exact-online/bench.py`: {bench['positions']} stock positions (items x 2 warehouses) and "
        f"{bench['deliveries']} goods deliveries read in process from the Exact stand-in under Exact's published "
        f"limits (60 calls a minute), {bench['latency']:g} s simulated latency per request; *calls* include "
        "`current/Me` (the division) and `sync/Deleted`, not the token refresh.")
    add("")
    add("| run | records | calls | calls per 1,000 records | simulated s | HTTP 429 |")
    add("|---|---:|---:|---:|---:|---:|")
    for r in bench["runs"]:
        add(f"| {r['run']} | {r['records']} | {r['calls']} | {fmt(r['calls_per_1000'], 1)} | "
            f"{fmt(r['simulated_s'], 1)} | {r['http_429']} |")
    add("")


def _shopify_stock_and_shipments(report: Report, add: Callable[[str], None]) -> None:
    """The way back into the shop (destination-shopify/bench.py): calls per 1,000 stock updates, cost per update."""
    bench = report.benches.get("destination-shopify")
    if not bench:
        return
    add("## Shopify destination: stock updates and shipments")
    add("")
    add(f"From `destination-shopify/bench.py`: {bench['updates']} stock levels (one per SKU) written in process to "
        "the Shopify stand-in (Advanced bucket 2,000 points, 100 points/s), batches of 250; *calls* are GraphQL "
        "requests (the location lookup of each run included), *points* the actual query cost Shopify charged.")
    add("")
    add("| run | records | calls | calls per 1,000 records | cost points per record | outcomes |")
    add("|---|---:|---:|---:|---:|---|")
    for r in bench["runs"]:
        outcomes = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in sorted(r["outcomes"].items()))
        add(f"| {r['run']} | {r['records']} | {r['calls']} | {fmt(r['calls_per_1000'], 1)} | "
            f"{fmt(r['cost_points_per_record'], 2)} | {outcomes} |")
    add("")


def _limits(report: Report, add: Callable[[str], None]) -> None:
    add("## Orders per hour under the vendors' published rate limits")
    add("")
    add(f"Simulated latency: **{report.latency:g} s per request** (added by the stand-in on a simulated clock shared "
        "with the connector, so waiting costs no real time). *Measured* = orders read or booked divided by simulated "
        "time of the whole run, which starts with a full allowance (a full Shopify bucket, a fresh eCom window); "
        "*sustained* = the long-run rate once that allowance is spent: the tightest published limit divided by the "
        "API calls (or actual cost points) per order, or one request per latency, whichever is lower.")
    add("")
    add("| connector | limit | run | measured orders/h | sustained orders/h | note |")
    add("|---|---|---|---:|---:|---|")
    shopify = report.benches.get("source-shopify-orders")
    if shopify:
        for r in shopify["runs"]:
            limit = f"{r['plan']} bucket {r['bucket']:.0f} pts, {r['restore']:.0f} pts/s"
            sustained = fmt(r["orders_per_hour_sustained"]) if r["path"] == "paged" else "n/a"
            note = (f"{r['records']} orders" if r["path"] == "paged" else
                    f"{r['records']} orders; bulk job run time is Shopify's and not modelled")
            add(f"| Shopify source ({r['path']}) | {limit} | full read | {fmt(r['orders_per_hour_measured'])} | "
                f"{sustained} | {note} |")
    lightspeed = report.benches.get("source-lightspeed")
    if lightspeed:
        for r in lightspeed["runs"]:
            if r["platform"] == "ecom":
                limit = "300 / 5 min, 3,000 / hour, 12,000 / day"
                note = (f"{r['orders']} orders; the 12,000/day cap allows "
                        f"{fmt(r['orders_per_day_ecom_daily_cap'])} orders/day")
            else:
                limit = "leaky bucket 90, drip 1/s"
                note = f"{r['orders']} sales; 100 sales per call with relations"
            add(f"| Lightspeed {r['platform']} source | {limit} | full read | "
                f"{fmt(r['orders_per_hour_at_limits'])} | {fmt(r['orders_per_hour_sustained'])} | {note} |")
    exact = report.benches.get("destination-exact-online")
    if exact:
        for r in exact["runs"]:
            if r["run"].startswith("re-run"):
                continue
            per_minute_limit = 60 / r["calls_per_order"]
            add(f"| Exact Online destination | 60 / minute, 5,000 / day | {r['run']} | "
                f"{fmt(r['orders_per_minute'] * 60)} | {fmt(per_minute_limit * 60)} | the 5,000/day cap allows "
                f"{fmt(r['orders_per_day'])} orders/day ({fmt(r['orders_per_day'] / 24)}/h over 24 h) |")
    eacc = report.benches.get("destination-eaccounting")
    if eacc:
        for r in eacc["runs"]:
            add(f"| Visma eAccounting destination | 600 / minute per endpoint (590 used) | {r['run']} | n/a | "
                f"{fmt(r['orders_per_minute'] * 60)} | computed from calls per order: limit allows "
                f"{fmt(r['orders_per_minute_by_limit'] * 60)}/h, latency {fmt(r['orders_per_minute_by_latency'] * 60)}"
                f"/h (sequential) |")
    add("")


def _memory(report: Report, add: Callable[[str], None]) -> None:
    add("## Peak memory at 10k vs 100k orders")
    add("")
    add("Peak resident set size of the connector process alone (`/usr/bin/time -f %M`). Destinations: `write` with "
        "`dry_run: true` against the stand-in (latency 0, limits lifted; dry run resolves customers, items and VAT "
        "codes with read-only calls and books nothing), fed N distinct canonical order records generated on the fly "
        "on stdin (templates read from the Shopify source, each copy with a new id and order number; one STATE per "
        "250 records). Sources: a full read of a generated shop of N orders.")
    add("")
    add("| connector | orders | peak RSS MB | wall s | CPU s | CPU ms per order | exit | note |")
    add("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in report.dest_memory:
        note = f"{r['states_echoed']} states echoed, {r['api_calls']} API calls; {r['outcomes']}"
        if r["error"]:
            note += f"; error: {r['error']}"
        add(f"| {DEST_LABELS[r['kind']]} destination (dry run) | {r['orders']:,} | {fmt(r['max_rss_mb'], 1)} | "
            f"{fmt(r['wall_s'], 1)} | {fmt(r['cpu_s'], 1)} | {fmt(1000 * r['cpu_s'] / r['orders'], 2)} | "
            f"{r['returncode']} | {note} |")
    for r in report.source_memory:
        note = f"{r['api_calls']} API calls" + (f"; error: {r['error']}" if r["error"] else "")
        add(f"| {r['label']} source | {r['records']:,} | {fmt(r['max_rss_mb'], 1)} | "
            f"{fmt(r['wall_s'], 1)} | {fmt(r['cpu_s'], 1)} | {fmt(1000 * r['cpu_s'] / max(r['records'], 1), 2)} | "
            f"{r['returncode']} | {note} |")
    add("")
    verdicts = []
    for group in (report.dest_memory, report.source_memory):
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for r in group:
            by_kind.setdefault(r["kind"], []).append(r)
        for kind, runs in by_kind.items():
            if len(runs) == 2:
                small, large = sorted(runs, key=lambda r: r.get("orders", r.get("records", 0)))
                growth = large["max_rss_mb"] - small["max_rss_mb"]
                size, small_size = (r.get("records", r.get("orders", 0)) for r in (large, small))
                per_order = growth * 1024 * 1024 / max(size - small_size, 1)
                verdicts.append(f"{kind}: {fmt(growth, 1)} MB more at {size:,} than at {small_size:,} orders, "
                                f"{fmt(per_order)} bytes per extra order "
                                f"({'flat' if growth < 0.1 * small['max_rss_mb'] else 'GROWS'})")
    if verdicts:
        add("Growth: " + "; ".join(verdicts) + ".")
        add("")


def _sandbox(report: Report, add: Callable[[str], None]) -> None:
    s = report.benches.get("sandbox")
    if not s:
        return
    add("## The sandbox itself")
    add("")
    add("| figure | value |")
    add("|---|---:|")
    add(f"| generate a 10,000-order shop (CPU s) | {fmt(s['seed_10k_orders_cpu_s'], 2)} |")
    add(f"| start all {s['stand_ins']} stand-ins (50-order shop), s | {fmt(s['start_all_s'], 2)} |")
    add(f"| Lightspeed eCom 250-order page over HTTP, median ms | {fmt(s['ecom_250_order_page_ms'], 1)} |")
    add(f"| small keep-alive request, median ms | {fmt(s['small_request_ms'], 1)} |")
    add("")


# ---------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of this script")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--latency", type=float, default=0.15, help="simulated seconds per request (limits tables)")
    parser.add_argument("--only-perf", action="store_true",
                        help="only issue 18's record-path figures; replaces that section of --out")
    args = parser.parse_args(argv)
    if args.only_perf:
        return only_perf(args.out, quick=args.quick, latency=args.latency)
    quick = args.quick
    sizes: dict[str, Any] = {"bench_orders": 200 if quick else 1000, "ls_orders": 150 if quick else 600,
             "dest_orders": 60 if quick else 300, "source_orders": 300 if quick else 3000,
             "ls_source_orders": 300 if quick else 1500,
             "source_memory": (1000, 3000) if quick else (10_000, 40_000),
             "dest_memory": (1000, 5000) if quick else (10_000, 100_000)}
    report = Report(quick=quick, latency=args.latency)
    # the Airbyte side-by-side is written by its own script (last step of `make bench`): a rerun keeps its figures
    report.airbyte_section = ab.current_section(args.out)
    started = time.perf_counter()

    def save() -> None:  # after every phase, so an interrupted run still leaves its figures
        report.dest_memory.sort(key=lambda r: (r["kind"], r["orders"]))
        report.seconds = time.perf_counter() - started
        args.out.write_text(render(report) + "\n")

    report.machine = machine()
    lat = str(args.latency)
    print("connector bench scripts", flush=True)
    run_bench_script(report, "source-shopify-orders", ROOT / "source-shopify-orders/bench.py",
                     [str(sizes["bench_orders"]), lat])
    run_bench_script(report, "source-lightspeed", ROOT / "source-lightspeed/bench.py", [str(sizes["ls_orders"]), lat])
    run_bench_script(report, "destination-exact-online", ROOT / "destination-exact-online/bench.py",
                     [str(sizes["dest_orders"]), lat])
    run_bench_script(report, "destination-eaccounting", ROOT / "destination-eaccounting/bench.py",
                     [str(sizes["dest_orders"]), lat])
    run_bench_script(report, "source-exact-online", ROOT / "source-exact-online/bench.py",
                     ["2000" if quick else "10000", lat, "30" if quick else "100"])
    run_bench_script(report, "destination-shopify", ROOT / "destination-shopify/bench.py",
                     ["200" if quick else "1000", lat])
    run_bench_script(report, "sandbox", ROOT / "scripts/bench_sandbox.py", [])
    save()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        for cli in sorted({*harness.SOURCES.values(), *harness.DESTINATIONS.values()}):
            report.startup[cli] = startup_cpu(cli, workdir)
        print("sources as CLI processes", flush=True)
        for kind, threshold in (("shopify", 0), ("shopify", None), ("lightspeed_ecom", None),
                                ("lightspeed_retail", None)):
            count = sizes["source_orders"] if kind == "shopify" else sizes["ls_source_orders"]
            result = source_read(kind, count, workdir, bulk_threshold=threshold)
            report.sources.append(result)
            print(f"  {result['label']}: {result['records']} records in {result['wall_s']:.1f} s", flush=True)
            if result["returncode"]:
                report.problems.append(f"source {kind} read exited {result['returncode']}: {result['error']}")
        save()
        print("memory: destinations (dry run) and the Shopify source, two processes at a time", flush=True)
        templates = record_templates(workdir)

        def destination_job(kind: str) -> None:
            for orders in sizes["dest_memory"]:
                result = destination_write(kind, templates, orders, workdir)
                report.dest_memory.append(result)
                save()
                print(f"  {kind} write {orders}: {result['max_rss_mb']:.0f} MB, {result['wall_s']:.0f} s", flush=True)
                if result["returncode"]:
                    report.problems.append(f"destination {kind} write of {orders} exited {result['returncode']}: "
                                           f"{result['error']}")

        def exact_then_source() -> None:
            destination_job("exact")
            for orders in sizes["source_memory"]:
                result = source_read("shopify", orders, workdir)
                report.source_memory.append(result)
                save()
                print(f"  shopify read {orders}: {result['max_rss_mb']:.0f} MB, {result['wall_s']:.0f} s", flush=True)
                if result["returncode"]:
                    report.problems.append(f"source shopify read of {orders} exited {result['returncode']}: "
                                           f"{result['error']}")

        jobs = [threading.Thread(target=exact_then_source), threading.Thread(target=destination_job,
                                                                               args=("eaccounting",))]
        for thread in jobs:
            thread.start()
        for thread in jobs:
            thread.join()
        print("record path against its baselines (issue 18)", flush=True)
        perf_figures(report, workdir, quick=quick)
    report.machine["load average at end (1/5/15 min)"] = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    save()
    print(f"wrote {args.out} in {report.seconds / 60:.1f} min; problems: {len(report.problems)}")
    for problem in report.problems:
        print(f"  - {problem}")
    return 0


def only_perf(out: Path, *, quick: bool, latency: float) -> int:
    """`--only-perf`: the bench scripts it reads (Shopify cost, Exact calls), then `perf_figures`; one section of
    `out` replaced."""
    report = Report(quick=quick, latency=latency)
    started = time.perf_counter()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    run_bench_script(report, "source-shopify-orders", ROOT / "source-shopify-orders/bench.py",
                     ["300" if quick else "1000", str(latency)])
    run_bench_script(report, "destination-exact-online", ROOT / "destination-exact-online/bench.py",
                     ["100" if quick else "300", str(latency)])
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as tmp:
        perf_figures(report, Path(tmp), quick=quick)
        templates = record_templates(Path(tmp))
        for kind in ("exact", "eaccounting"):  # peak RSS must stay flat: the caches are bounded
            for orders in ((1000, 5000) if quick else (10_000, 100_000)):
                result = destination_write(kind, templates, orders, Path(tmp))
                report.dest_memory.append(result)
                print(f"  {kind} dry run {orders}: {result['max_rss_mb']:.1f} MB", flush=True)
    out_lines: list[str] = []
    _perf(report, out_lines.append)
    if report.dest_memory:
        out_lines += ["Peak RSS of each destination `write` with `dry_run` (GNU time %M of the process; distinct order "
                      "records generated on its stdin, one STATE per 250):", "",
                      "| destination | orders | peak RSS MB | CPU ms per order | exit |", "|---|---:|---:|---:|---:|"]
        out_lines += [f"| {DEST_LABELS[r['kind']]} | {r['orders']:,} | {fmt(r['max_rss_mb'], 1)} | "
                      f"{fmt(1000 * r['cpu_s'] / r['orders'], 3)} | {r['returncode']} |" for r in report.dest_memory]
        out_lines.append("")
    commit = machine().get("commit", "unknown")
    out_lines.insert(2, f"Run by `scripts/bench.py --only-perf` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit "
                        f"{commit}, load average at start {load}, {time.perf_counter() - started:.0f} s."
                        + (" **A `--quick` run with reduced sizes.**" if quick else ""))
    out_lines.insert(3, "")
    for problem in report.problems:
        out_lines.append(f"- problem in this run: {problem}")
    document = out.read_text("utf-8") if out.exists() else ""
    out.write_text(splice_section(document, PERF_HEADING, "\n".join(out_lines)))
    print("\n".join(out_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
