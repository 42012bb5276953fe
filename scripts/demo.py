"""`make demo`: sandbox up, real `source read | destination write` pipes, a summary a bookkeeper understands.

Runs two pipes against a generated Dutch shop: Shopify -> Exact Online (sales invoices) and Lightspeed Retail POS
-> Visma eAccounting (customer invoice drafts); then runs both again incrementally to show that nothing is booked
twice. The third act is the way back (`way_back_act`): Exact Online's stock and the tracking numbers of its goods
deliveries into Shopify, shown before/after per SKU and per order. Config files, catalogs, state and raw outputs
stay in .demo/<pipe>/ for you to inspect and reuse.

    scripts/demo.py --pos kseries --into exact          # a Lightspeed Restaurant (K-Series) into Exact Online
    scripts/demo.py --pos xseries --into eaccounting    # a Lightspeed Retail X-Series store into eAccounting
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import harness
from connector_common import reconcile

ROOT = Path(__file__).parents[1]
DEMO_DIR = Path(os.environ.get("DEMO_DIR") or ROOT / ".demo")  # tests point it elsewhere
PIPES = [("shopify", "exact"), ("lightspeed_retail", "eaccounting")]
LEDGERS = {"exact": "exact-online", "eaccounting": "eaccounting"}  # reconcile-bookings --destination
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
                run = harness.run_pipe(workdir, source, destination, report=report_stem(workdir, attempt))
                report(source, destination, run, time.perf_counter() - t0)
                failures += run.returncode != 0
                print_ledger(destination, servers[destination])
        for source, destination in pipes:
            failures += not print_reconciliation(DEMO_DIR / f"{source}-to-{destination}", source, destination)
    finally:
        for server in servers.values():
            server.stop()
    failures += way_back_act(DEMO_DIR)
    print(f"\nConfigs, catalogs, state.json and raw outputs are in {shown(DEMO_DIR)}/. "
          f"Demo finished in {time.perf_counter() - started:.0f} s.")
    return 1 if failures else 0


# --- third act: the way back (stock and tracking from the ledger into the shop) --------------------------------
WAY_BACK_STREAMS = ("stock_levels", "shipments")
WAREHOUSE = "1"  # Exact's main warehouse, mapped to the shop's primary location (harness.destination_config)
DELIVERED = 3  # open shop orders the Exact warehouse delivers in the act


def _shop_available(shop: Any, sku: str, location: int = 1) -> int:
    variant = next(v for p in shop.shop.products.values() for v in p.variants if v.sku == sku)
    return int(shop.store.levels[(variant.id, location)]["available"])


def _free_stock(exact: Any, sku: str) -> int:
    position = exact.stock_of(sku, WAREHOUSE) or {}
    return int(Decimal(str(position.get("FreeStock") or 0)))


def _shop_mutations(server: Any) -> int:
    return sum(1 for r in server.requests() if r.path.endswith("/graphql.json")
               and str(json.loads(r.body).get("query") or "").lstrip().startswith("mutation"))


def _fulfilment(shop: Any, order: Any) -> str:
    fo = shop.store.fulfillment_order(order.id)
    numbers = [f"{t['number']} ({t.get('company') or '-'})" for f in (fo.fulfillments if fo else []) for t in
               f["tracking"]]
    status = shop.shop.orders[order.id].fulfillment_status
    return f"{status}" + (f", tracking {', '.join(numbers)}" if numbers else "")


def way_back_act(demo_dir: Path) -> int:
    """Act three: open Shopify orders are booked in Exact as sales orders; in Exact the warehouse delivers a few of
    them with a tracking number, a sale is entered by phone and a shelf is counted; then
    `source-exact-online read | destination-shopify write` (stock_levels, shipments) runs twice. Prints per SKU the
    Exact free stock and the shop's available quantity before/after, per order the fulfilment before/after, and what
    the second run changed (nothing). Returns 1 when a pipe failed."""
    print("\n== Exact Online -> Shopify: stock levels and tracking numbers back into the shop")
    servers = harness.start_sandbox(seed="demo", orders=60, names=["shopify", "exact"],
                                    shopify=harness.FAST_LIMITS["shopify"],
                                    exact={**harness.FAST_LIMITS["exact"], "catalogue": True})
    failures = 0
    try:
        shop, exact = servers["shopify"].vendor, servers["exact"].vendor
        to_exact = demo_dir / "shopify-to-exact-sales-orders"
        harness.prepare(to_exact, "shopify", "exact", servers)
        config_path = to_exact / "destination_config.json"
        config_path.write_text(json.dumps(json.loads(config_path.read_text()) | {  # at order time, paid or not
            "document_type": "sales_order", "payment_statuses": ["pending", "paid"]}))
        booked = harness.run_pipe(to_exact, "shopify", "exact")
        failures += booked.returncode != 0
        open_orders = {f"#{o.number}": o for o in shop.shop.orders.values()
                       if o.cancelled_at is None and o.fulfillment_status == "unfulfilled" and not o.refunds}
        in_exact = {str(row["YourRef"]).removeprefix("shopify:"): row for row in exact.sales_orders()}
        deliverable = sorted(name for name in open_orders if name in in_exact)
        print(f"  the shop's orders became {len(in_exact)} Exact sales orders ({len(deliverable)} still to ship)")
        delivered = deliverable[:DELIVERED]
        for n, name in enumerate(delivered):
            exact.deliver(in_exact[name]["OrderNumber"], tracking_number=f"3SDEMO{n + 1:05d}",
                          shipping_method="POSTNL",
                          quantities={ln.sku: ln.quantity for ln in open_orders[name].lines if ln.sku})
        skus = [v.sku for p in shop.shop.products.values() for v in p.variants if v.active and exact.stock_of(v.sku)]
        sold, counted = skus[0], skus[1]
        exact.book_order("phone order", {sold: 2}, warehouse=WAREHOUSE)  # a sale entered in Exact
        exact.set_stock(counted, WAREHOUSE, 5)  # a shelf count booked in Exact
        print(f"  in Exact: {len(delivered)} goods deliveries with a PostNL tracking number, a phone order of 2 x "
              f"{sold}, a stock count of {counted} (5 on the shelf)")
        watched = list(dict.fromkeys([sold, counted, *(ln.sku for name in delivered
                                                       for ln in open_orders[name].lines if ln.sku)]))[:8]
        before = {sku: _shop_available(shop, sku) for sku in watched}
        orders_before = {name: _fulfilment(shop, open_orders[name]) for name in delivered}
        back = demo_dir / "exact-to-shopify"
        harness.prepare(back, "exact", "shopify", servers, streams=WAY_BACK_STREAMS)
        # its own consent: Exact's refresh tokens are single use, and the booking connection rotated the first away
        harness.apply_credentials(back, "source", "exact", harness.reauthorize("exact", servers["exact"]))
        for attempt in ("first sync", "second sync (nothing changed in Exact)"):
            servers["shopify"].clear_log()
            t0 = time.perf_counter()
            run = harness.run_pipe(back, "exact", "shopify")
            failures += run.returncode != 0
            outcomes = ", ".join(f"{k.replace(':', ' ')} {v}" for k, v in sorted(run.summary.get("outcomes",
                                                                                               {}).items()))
            streams = Counter(json.loads(line)["record"]["stream"]
                              for line in harness.output_lines(back / "source_output.jsonl") if '"RECORD"' in line)
            read = ", ".join(f"{n} {stream}" for stream, n in sorted(streams.items())) or "nothing new"
            print(f"  {attempt}: read from Exact {read}; "
                  f"{_shop_mutations(servers['shopify'])} Shopify mutations, {time.perf_counter() - t0:.1f} s"
                  f"{'; ' + outcomes if outcomes else ''}")
            for reason in run.summary.get("skipped", [])[:5]:
                print(f"    - skipped: {reason}")
            if run.returncode != 0:
                print(f"    pipe exit code {run.returncode}: {'; '.join(run.errors) or run.stderr[-300:]}"
                      f"{(back / 'source.err').read_text()[-300:]}")
        print(f"  {'SKU':<22}{'Exact free':>11}{'shop before':>13}{'shop after':>12}")
        for sku in watched:
            print(f"  {sku:<22}{_free_stock(exact, sku):>11}{before[sku]:>13}{_shop_available(shop, sku):>12}")
        for name in delivered:
            print(f"  order {name}: {orders_before[name]} -> {_fulfilment(shop, open_orders[name])}")
    finally:
        for server in servers.values():
            server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
