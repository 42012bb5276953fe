"""`make airbyte-shopify`: Airbyte's own `airbyte-source-shopify` 4.3.0, unpatched, reading the Shopify stand-in.

The tool a merchant would pick instead of `source-shopify-orders`, run side by side on the same store. The script
creates `.venv-airbyte-shopify` with `airbyte-source-shopify==4.3.0` from PyPI on first use (about 350 MB, 30 s),
starts the Shopify stand-in (generated shop, or `--shopify-orders PATH` replayed REST orders on top), and runs
Airbyte's `source-shopify` console script as a real process: `discover`, then `read` of the streams below. Its
requests for ``https://{shop}.myshopify.com`` reach the stand-in through `scripts/airbyte_shopify_site/
sitecustomize.py` on its PYTHONPATH, which rewrites the URL at the requests transport adapter; Airbyte's code is
not patched. The stand-in keeps Shopify's rate limits (REST leaky bucket, GraphQL cost), so Airbyte's own throttle
runs as it would against Shopify; BULK jobs are polled every 3 s by Airbyte (`_job_check_interval`, Final), so
`bulk_window_in_days` is set to cover the whole store in one job per stream.

Checked per stream: it ends without error (no TRACE error, STREAM_STATUS COMPLETE) with as many records as the
store holds. Printed and, with `--write`, written into BENCHMARKS.md under "## Airbyte's own Shopify source":
records per stream, HTTP calls by path, CPU seconds of Airbyte's process (user+sys) and per 1000 orders.

    .venv/bin/python scripts/airbyte_shopify.py [--orders N] [--shopify-orders PATH] [--write] [--every-stream]

From Python (scripts/ on sys.path): ``airbyte_shopify.run(orders=N)`` returns a `Result` (records and status per
stream, what the store holds, HTTP calls by path, CPU and wall seconds of the read, `failures`); `section(result)`
renders it as the BENCHMARKS.md section.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sandbox
from sandbox.shopify import rest, rest_json

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-airbyte-shopify"
SITE = Path(__file__).resolve().parent / "airbyte_shopify_site"
PACKAGE = "airbyte-source-shopify"
VERSION = "4.3.0"
SHOP = "standin-shop"
STREAMS = ("orders", "customers", "products", "product_variants", "transactions", "order_refunds", "fulfillments",
           "inventory_levels", "locations")
SCOPES = ("read_orders", "read_all_orders", "read_customers", "read_products", "read_inventory", "read_locations")
HEADING = "## Airbyte's own Shopify source"
TIMEOUT = 900.0


@dataclass
class Result:
    orders: int
    expected: dict[str, int]
    records: Counter[str] = field(default_factory=Counter)
    status: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    returncode: int = 0
    store_totals: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)  # order id: (price, tax)
    read_totals: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)  # as Airbyte emitted them

    @property
    def failures(self) -> list[str]:
        """What differs from 'every stream complete with as many records as the store holds'."""
        out = [f"{s}: {self.records[s]} records, the store holds {self.expected[s]}"
               for s in STREAMS if self.records[s] != self.expected[s]]
        out += [f"{s}: stream status {self.status.get(s, 'none')}" for s in STREAMS
                if self.status.get(s) != "COMPLETE"]
        differ = sorted(i for i, totals in self.read_totals.items() if self.store_totals.get(i) != totals)
        if differ:
            out.append(f"orders: {len(differ)} with total_price/total_tax other than the store's (first {differ[0]})")
        out += self.errors
        if self.returncode != 0:
            out.append(f"source-shopify read exited with code {self.returncode}")
        return out


def ensure_venv(reinstall: bool = False) -> Path:
    """`.venv-airbyte-shopify` with airbyte-source-shopify 4.3.0 (created once); its `source-shopify` executable."""
    python, exe = VENV / "bin" / "python", VENV / "bin" / "source-shopify"
    check = [str(python), "-c", f"import importlib.metadata as m; print(m.version({PACKAGE!r}))"]
    if not reinstall and exe.exists() and subprocess.run(check, capture_output=True, text=True,
                                                         check=False).stdout.strip() == VERSION:
        return exe
    started = time.monotonic()
    print(f"Creating {VENV.name} with {PACKAGE}=={VERSION} (about 350 MB, half a minute) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    f"{PACKAGE}=={VERSION}"], check=True)
    print(f"  installed in {time.monotonic() - started:.0f} s", flush=True)
    return exe


def store_counts(vendor: Any) -> dict[str, int]:
    """What the stand-in's store holds for each stream, counted from its REST rendering (all orders, any status)."""
    ctx, scopes = rest.context(vendor), vendor.scopes
    order_nodes = [e.render() for e in rest.entries(vendor, "orders", scopes)]
    orders = [rest_json.order_json(n, ctx) for n in order_nodes]
    products = [rest_json.product_json(e.render(), ctx) for e in rest.entries(vendor, "products", scopes)]
    return {
        "orders": len(orders), "customers": len(rest.entries(vendor, "customers", scopes)),
        "products": len(products), "product_variants": sum(len(p["variants"]) for p in products),
        "transactions": sum(len(rest_json.order_children(n, "transactions", ctx)) for n in order_nodes),
        "order_refunds": sum(len(o.get("refunds") or []) for o in orders),
        "fulfillments": sum(len(o.get("fulfillments") or []) for o in orders),
        "inventory_levels": len(rest.inventory_levels(vendor)), "locations": len(rest.locations(vendor)),
    }


def store_totals(vendor: Any) -> dict[int, tuple[Decimal, Decimal]]:
    ctx = rest.context(vendor)
    out = {}
    for e in rest.entries(vendor, "orders", vendor.scopes):
        order = rest_json.order_json(e.render(), ctx)
        out[int(order["id"])] = (cents(order["total_price"]), cents(order["total_tax"]))
    return out


def cents(value: Any) -> Decimal:
    """An amount to the cent (Airbyte's source writes money as JSON floats, the store as decimal strings)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def oldest(vendor: Any) -> datetime:
    listed = [e for kind in ("orders", "customers", "products") for e in rest.entries(vendor, kind, vendor.scopes)]
    return min((min(e.created_at, e.updated_at) for e in listed), default=datetime(2020, 1, 1, tzinfo=UTC))


def config(vendor: Any) -> dict[str, Any]:
    """Airbyte's spec: shop handle, the stand-in's token as api_password, one BULK job over the whole store."""
    start = oldest(vendor) - timedelta(days=1)
    days = (datetime.now(UTC) - start).days + 2
    return {"shop": SHOP, "start_date": start.strftime("%Y-%m-%d"), "bulk_window_in_days": days,
            "credentials": {"auth_method": "api_password", "api_password": vendor.access_token}}


def configured_catalog(discovered: dict[str, Any], every: bool = False) -> dict[str, Any]:
    """The nine streams of the side by side (or, `every`, all that discover offers), full refresh."""
    streams = {s["name"]: s for s in discovered["streams"]}
    missing = [s for s in STREAMS if s not in streams]
    if missing:
        raise SystemExit(f"discover offered no {', '.join(missing)} stream (offered: {', '.join(sorted(streams))})")
    names = sorted(streams) if every else list(STREAMS)
    return {"streams": [{"stream": streams[name], "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                        for name in names]}


def messages(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def call_kind(path: str) -> str:
    """A logged stand-in path grouped the way the table shows it."""
    if path.startswith("/_bulk/"):
        return "BULK result download"
    path = re.sub(r"^/admin/api/[^/]+/", "", path)
    return re.sub(r"/\d+(?=/|\.json)", "/{id}", path)


def run(orders: int = 1000, shopify_orders: str | None = None, exe: Path | None = None,
        workdir: Path | None = None, every: bool = False) -> Result:
    """Start the stand-in, run Airbyte's discover and read, and return what it emitted and cost."""
    exe = exe or ensure_venv()
    options: dict[str, Any] = {"scopes": SCOPES, "seed": "airbyte", "orders": orders}
    if shopify_orders:
        options["shopify_orders"] = shopify_orders
    server = sandbox.start("shopify", **options)
    vendor: Any = server.vendor
    own = tempfile.TemporaryDirectory(prefix="airbyte-shopify-") if workdir is None else None
    work = Path(own.name) if own else workdir
    assert work is not None
    try:
        result = Result(orders=len(rest.entries(vendor, "orders", vendor.scopes)), expected=store_counts(vendor),
                        store_totals=store_totals(vendor))
        (work / "config.json").write_text(json.dumps(config(vendor)))
        env = {**os.environ, "SHOPIFY_STANDIN_URL": server.base_url,
               "PYTHONPATH": os.pathsep.join(p for p in (str(SITE), os.environ.get("PYTHONPATH", "")) if p)}
        env.pop("VIRTUAL_ENV", None)
        found = subprocess.run([str(exe), "discover", "--config", str(work / "config.json")], env=env,
                               capture_output=True, text=True, timeout=TIMEOUT, check=False)
        catalogs = [m["catalog"] for m in messages(found.stdout) if m.get("type") == "CATALOG"]
        if not catalogs:
            raise SystemExit(f"source-shopify discover failed (exit {found.returncode}):\n{found.stdout[-3000:]}"
                             f"{found.stderr[-3000:]}")
        (work / "catalog.json").write_text(json.dumps(configured_catalog(catalogs[0], every)))
        server.clear_log()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        with (work / "read.jsonl").open("w") as out:
            done = subprocess.run([str(exe), "read", "--config", str(work / "config.json"), "--catalog",
                                   str(work / "catalog.json")], env=env, stdout=out, stderr=subprocess.PIPE,
                                  text=True, timeout=TIMEOUT, check=False)
        result.wall_seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        result.returncode = done.returncode
        result.calls = Counter(call_kind(r.path) for r in server.requests())
        for m in messages((work / "read.jsonl").read_text()):
            kind = m.get("type")
            if kind == "RECORD":
                result.records[m["record"]["stream"]] += 1
                if m["record"]["stream"] == "orders" and "deleted_at" not in m["record"]["data"]:
                    data = m["record"]["data"]
                    result.read_totals[int(data["id"])] = (cents(data["total_price"]), cents(data["total_tax"]))
            elif kind == "TRACE" and m["trace"].get("type") == "STREAM_STATUS":
                status = m["trace"]["stream_status"]
                result.status[status["stream_descriptor"]["name"]] = status["status"]
            elif kind == "TRACE" and m["trace"].get("type") == "ERROR":
                result.errors.append("TRACE error: " + str(m["trace"]["error"].get("message"))[:300])
            elif kind == "LOG" and m["log"].get("level") in ("ERROR", "FATAL"):
                result.errors.append("LOG error: " + str(m["log"].get("message"))[:300])
        if done.returncode != 0 and done.stderr.strip():
            result.errors.append("stderr: " + done.stderr.strip()[-500:])
        return result
    finally:
        server.stop()
        if own is not None:
            own.cleanup()


def section(result: Result) -> str:
    """The BENCHMARKS.md section (markdown, starting with HEADING)."""
    per_k = result.cpu_seconds / result.orders * 1000 if result.orders else 0.0
    lines = [HEADING, "",
             f"`{PACKAGE}` {VERSION} (PyPI, unpatched) in its own virtualenv, reading the Shopify stand-in "
             f"(`make airbyte-shopify`, scripts/airbyte_shopify.py): its requests for "
             "`https://{shop}.myshopify.com` are rewritten to the stand-in at the requests transport adapter "
             "(`scripts/airbyte_shopify_site/sitecustomize.py`). Full refresh of the streams below in one `read`; "
             "Shopify's rate limits stay on; one BULK job per BULK stream (`bulk_window_in_days` covers the store; "
             "Airbyte polls a job every 3 s, so wall time is mostly its own sleeps).", "",
             f"Store: {result.orders:,} orders. `read`: {sum(result.records.values()):,} records, "
             f"{sum(result.calls.values())} HTTP calls, **{result.cpu_seconds:.1f} CPU s** of Airbyte's process "
             f"(user+sys), **{per_k:.1f} CPU s per 1000 orders**, {result.wall_seconds:.0f} s wall.", "",
             "| stream | records | the store holds | status |", "|---|---:|---:|---|"]
    for s in STREAMS:
        lines.append(f"| {s} | {result.records[s]:,} | {result.expected[s]:,} | {result.status.get(s, 'none')} |")
    lines += ["", "| HTTP calls | n |", "|---|---:|"]
    lines += [f"| `{kind}` | {n} |" for kind, n in sorted(result.calls.items())]
    problems = result.failures
    lines += ["", "Problems: " + ("; ".join(problems) if problems else "none: every stream complete with every "
                                                                       "record the store holds, every order's "
                                                                       "total_price and total_tax the store's to the "
                                                                       "cent."), ""]
    return "\n".join(lines) + "\n"


SECTION = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)


def current_section(path: Path = ROOT / "BENCHMARKS.md") -> str | None:
    """The section this script last wrote into BENCHMARKS.md (with figures), or None."""
    found = SECTION.search(path.read_text()) if path.exists() else None
    return found.group(0) if found and "| stream |" in found.group(0) else None


def write_section(text: str, path: Path = ROOT / "BENCHMARKS.md") -> None:
    """Replace the section under HEADING (up to the next `## `) in BENCHMARKS.md, or append it."""
    current = path.read_text() if path.exists() else "# Benchmarks\n\n"
    updated = SECTION.sub(lambda _m: text + "\n", current, count=1) if SECTION.search(current) else \
        current.rstrip("\n") + "\n\n" + text
    path.write_text(updated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders in the generated shop (default 1000)")
    parser.add_argument("--shopify-orders", default=None, metavar="PATH", help="also replay these REST orders")
    parser.add_argument("--write", action="store_true", help="write the figures into BENCHMARKS.md")
    parser.add_argument("--reinstall", action="store_true", help=f"recreate {VENV.name}")
    parser.add_argument("--every-stream", action="store_true",
                        help="read every stream discover offers and print records and status per stream (a survey; "
                             "not written into BENCHMARKS.md)")
    args = parser.parse_args(argv)
    exe = ensure_venv(args.reinstall)
    if args.every_stream:
        survey = run(args.orders, args.shopify_orders, exe, every=True)
        for name in sorted(set(survey.status) | set(survey.records)):
            print(f"{name:40} {survey.records[name]:>7} {survey.status.get(name, 'none')}")
        for error in survey.errors:
            print("  " + error.splitlines()[0][:400])
        return 0
    result = run(args.orders, args.shopify_orders, exe)
    text = section(result)
    print(text)
    if args.write:
        write_section(text)
        print("written into BENCHMARKS.md")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
