"""`make demo`: sandbox up, real `source read | destination write` pipes, a summary a bookkeeper understands.

Runs two pipes against a generated Dutch shop: Shopify -> Exact Online (sales invoices) and Lightspeed Retail POS
-> Visma eAccounting (customer invoice drafts); then runs both again incrementally to show that nothing is booked
twice. Config files, catalogs, state and raw outputs stay in .demo/<pipe>/ for you to inspect and reuse.

    scripts/demo.py --pos kseries --into exact          # a Lightspeed Restaurant (K-Series) into Exact Online
    scripts/demo.py --pos xseries --into eaccounting    # a Lightspeed Retail X-Series store into eAccounting
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import harness

ROOT = Path(__file__).parents[1]
DEMO_DIR = ROOT / ".demo"
PIPES = [("shopify", "exact"), ("lightspeed_retail", "eaccounting")]
LABELS = {"shopify": "Shopify", "lightspeed_retail": "Lightspeed Retail (POS)", "lightspeed_ecom": "Lightspeed eCom",
          "lightspeed_kseries": "Lightspeed Restaurant (K-Series)", "lightspeed_xseries": "Lightspeed Retail X-Series",
          "exact": "Exact Online", "eaccounting": "Visma eAccounting"}
POS_SOURCES = {"kseries": "lightspeed_kseries", "xseries": "lightspeed_xseries"}


def pos_pipes(argv: list[str]) -> list[tuple[str, str]]:
    """`--pos kseries|xseries` (repeatable) `--into exact|eaccounting`: run those Lightspeed POS platforms into that
    ledger instead of the default pipes. Other flags are left to the rest of the demo."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--pos", choices=sorted(POS_SOURCES), action="append", default=[])
    parser.add_argument("--into", choices=("exact", "eaccounting"), default="exact")
    args, _ = parser.parse_known_args(argv)
    return [(POS_SOURCES[pos], args.into) for pos in dict.fromkeys(args.pos)] or PIPES


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
    if summary.get("skipped_count"):
        print(f"  SKIPPED {summary['skipped_count']} order(s):")
        for reason in summary.get("skipped", [])[:10]:
            print(f"    - {reason}")
    if run.returncode != 0:
        print(f"  pipe exit code {run.returncode}: {'; '.join(run.errors) or run.stderr[-500:]}")


def own_ledger_token(workdir: Path, pipe: tuple[str, str], pipes: list[tuple[str, str]],
                     servers: dict[str, Any]) -> None:
    """Two POS pipes into one ledger (`--pos kseries --pos xseries`) each need their own refresh-token chain: the
    first rotates the seeded token, so the later one is authorised once more (an operator adding a second
    connection)."""
    if pipe[1] in [d for _, d in pipes[:pipes.index(pipe)]]:
        harness.apply_credentials(workdir, "destination", pipe[1], harness.reauthorize(pipe[1], servers[pipe[1]]))


def main(argv: list[str] | None = None) -> int:
    pipes = pos_pipes(sys.argv[1:] if argv is None else argv)
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
            for source, destination in pipes:
                workdir = DEMO_DIR / f"{source}-to-{destination}"
                if attempt == "first sync":
                    harness.prepare(workdir, source, destination, servers)
                    own_ledger_token(workdir, (source, destination), pipes, servers)
                print(f"\n== {LABELS[source]} -> {LABELS[destination]}: {attempt}")
                t0 = time.perf_counter()
                run = harness.run_pipe(workdir, source, destination)
                report(source, destination, run, time.perf_counter() - t0)
                failures += run.returncode != 0
                documents = [b for b in harness.ledger(destination, servers[destination]) if b.kind == "document"]
                refs = Counter(b.reference for b in documents)
                print(f"  ledger now holds {len(documents)} documents, {sum(n > 1 for n in refs.values())} duplicated; "
                      f"total {money(sum((b.total for b in documents), Decimal(0))).strip()} EUR")
    finally:
        for server in servers.values():
            server.stop()
    print(f"\nConfigs, catalogs, state.json and raw outputs are in {DEMO_DIR.relative_to(ROOT)}/. "
          f"Demo finished in {time.perf_counter() - started:.0f} s.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
