"""`make demo`: sandbox up, real `source read | destination write` pipes, a summary a bookkeeper understands.

Runs two pipes against a generated Dutch shop: Shopify -> Exact Online (sales invoices) and Lightspeed Retail POS
-> Visma eAccounting (customer invoice drafts); then runs both again incrementally to show that nothing is booked
twice. Config files, catalogs, state and raw outputs stay in .demo/<pipe>/ for you to inspect and reuse.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import harness
from connector_common import reconcile

ROOT = Path(__file__).parents[1]
DEMO_DIR = Path(os.environ.get("DEMO_DIR") or ROOT / ".demo")  # tests point it elsewhere
PIPES = [("shopify", "exact"), ("lightspeed_retail", "eaccounting")]
LEDGERS = {"exact": "exact-online", "eaccounting": "eaccounting"}  # reconcile-bookings --destination
LABELS = {"shopify": "Shopify", "lightspeed_retail": "Lightspeed Retail (POS)", "lightspeed_ecom": "Lightspeed eCom",
          "exact": "Exact Online", "eaccounting": "Visma eAccounting"}


def money(value: object) -> str:
    return f"{Decimal(str(value)):>12,.2f}"


def report(source: str, destination: str, run: harness.PipeRun, seconds: float) -> None:
    summary = run.summary
    outcomes = Counter({k.split(":", 1)[1]: v for k, v in summary.get("outcomes", {}).items()
                        if k.startswith("orders:")})
    print(f"  orders read from {LABELS[source]:<24} {len(run.source_records):>6}")
    print(f"  time                                      {seconds:>6.1f} s")
    for kind, count in sorted((summary.get("documents") or {}).items()):
        print(f"  documents booked: {kind:<24} {count:>6}")
    for outcome, count in sorted(outcomes.items()):
        print(f"  orders {outcome.replace('_', ' '):<34} {count:>6}")
    for label, figures in (("customers", summary.get("customers") or {}), ("items", summary.get("items") or {})):
        if figures:
            print(f"  {label}: " + ", ".join(f"{v} {k}" for k, v in sorted(figures.items())))
    vat = summary.get("vat") or {}
    if vat:
        print(f"  {'VAT scenario':<22}{'lines':>7}{'net':>13}{'VAT':>13}")
        for key, fig in sorted(vat.items()):
            print(f"  {key:<22}{fig.get('lines', 0):>7}{money(fig.get('net', 0))}{money(fig.get('vat', 0))}")
    not_booked = not_booked_orders(summary)
    if not_booked:
        print(f"  not booked ({len(not_booked)}):")
        for name, why in not_booked:
            print(f"    - {name}: {why}")
    if run.returncode != 0:
        print(f"  pipe exit code {run.returncode}: {'; '.join(run.errors) or run.stderr[-500:]}")


def report_stem(workdir: Path, attempt: str) -> Path:
    """Where a run's booking report goes (`write --report`): report-first-sync.html/.csv, report-second-sync..."""
    return workdir / f"report-{'-'.join(attempt.split()[:2])}"


def not_booked_orders(summary: dict[str, object]) -> list[tuple[str, str]]:
    """(shop reference, reason) of every order the run did not book, from its booking report's CSV."""
    paths = summary.get("report")
    if not isinstance(paths, dict):
        return []
    with open(paths["csv"], newline="", encoding="utf-8") as handle:
        return [(row["shop_reference"], row["reason"]) for row in csv.DictReader(handle)
                if row["status"] in ("skipped", "failed")]


def print_ledger(destination: str, server: object) -> None:
    """What the ledger holds now: invoices and credit notes, each with its total, and duplicates."""
    bookings = harness.ledger(destination, server)  # type: ignore[arg-type]
    refs = Counter(b.reference for b in bookings)
    credit_notes = [b for b in bookings if b.total < 0]
    invoices = [b for b in bookings if b.total >= 0]
    total = sum((b.total for b in bookings), Decimal(0))
    print(f"  ledger now holds {len(bookings)} documents ({len(invoices)} invoices "
          f"{money(sum((b.total for b in invoices), Decimal(0))).strip()}, {len(credit_notes)} credit notes "
          f"{money(sum((b.total for b in credit_notes), Decimal(0))).strip()}), "
          f"{sum(n > 1 for n in refs.values())} duplicated; total {money(total).strip()} EUR")


def shown(path: Path) -> Path:
    """A path as the user typed `make demo` from the repository root sees it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def print_reconciliation(workdir: Path, source: str, destination: str) -> bool:
    """`reconcile-bookings` over both runs' booking reports; True when shop and ledger agree to the cent."""
    reports = sorted(workdir.glob("report-*.csv"))
    print(f"\n== {LABELS[source]} -> {LABELS[destination]}: reconcile-bookings --destination {LEDGERS[destination]} "
          f"--config destination_config.json " + " ".join(f"--bookings {p.name}" for p in reports))
    result = reconcile.run(LEDGERS[destination], str(workdir / "destination_config.json"), reports)
    print(reconcile.render_text(result))
    for html in sorted(workdir.glob("report-*.html")):
        print(f"  booking report: {shown(html)} and {shown(html.with_suffix('.csv'))}")
    return result.clean


def main() -> int:
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    started = time.perf_counter()
    # The demo relaxes Exact's 60-calls-a-minute limit and gives Shopify the Plus bucket so it finishes in about a
    # minute; `make bench` measures the connectors under each vendor's published limits.
    servers = harness.start_sandbox(seed="demo", orders=60, exact={"minutely_limit": None},
                                    shopify={"max_available": 20000, "restore_rate": 1000})
    print(f"sandbox: {len(servers)} vendor stand-ins up in {time.perf_counter() - started:.1f} s")
    for name, server in servers.items():
        print(f"  {name:<18} {server.base_url}")
    failures = 0
    try:
        for attempt in ("first sync", "second sync (incremental: nothing new to book)"):
            for source, destination in PIPES:
                workdir = DEMO_DIR / f"{source}-to-{destination}"
                if attempt == "first sync":
                    harness.prepare(workdir, source, destination, servers)
                print(f"\n== {LABELS[source]} -> {LABELS[destination]}: {attempt}")
                t0 = time.perf_counter()
                run = harness.run_pipe(workdir, source, destination, report=report_stem(workdir, attempt))
                report(source, destination, run, time.perf_counter() - t0)
                failures += run.returncode != 0
                print_ledger(destination, servers[destination])
        for source, destination in PIPES:
            failures += not print_reconciliation(DEMO_DIR / f"{source}-to-{destination}", source, destination)
    finally:
        for server in servers.values():
            server.stop()
    print(f"\nConfigs, catalogs, state.json and raw outputs are in {shown(DEMO_DIR)}/. "
          f"Demo finished in {time.perf_counter() - started:.0f} s.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
