"""Fault and crash campaigns over the pipes: inject faults or kill -9 the destination, resume, audit the ledger.

Fault campaign: for each pipe and fault rate the stand-ins inject 429 (with Retry-After), 500/502/503, dropped
connections, slow responses, lost responses (the server commits, the client never hears back), a token revocation
(each side that has tokens) and a used-up daily quota (Exact, Lightspeed eCom), on the source and the destination
side. Every failed run is resumed the way Airbyte resumes, from the destination's last echoed state; a config error
is answered the way an operator answers it (re-authorise: `harness.reauthorize` + `harness.apply_credentials`), a
used-up daily quota by letting the day roll (`harness.roll_day`). Once a run gets through, the ledger is compared
with what a clean run of the same shop books.

Crash campaign: the destination is killed with SIGKILL after a random number of its POSTs (plus a random few ms),
restarted from the last echoed state, several times per seed, then audited the same way.

    .venv/bin/python scripts/faults.py                       # the fault table (300 orders, 4 rates, 6 pipes)
    .venv/bin/python scripts/faults.py --crash --seeds 20    # the crash table

Slow responses beyond the client's read timeout: the connectors run with a short read timeout (`--read-timeout`,
default 3 s, through $CONNECTOR_READ_TIMEOUT_SECONDS; production default 60 s) so that every campaign can afford them
(`--timeouts`, on by default): per side one response answered after the timeout, and on the destination a document
POST that the server commits well after the client gave up (1.5 read timeouts after it was sent: inside the window
in which `connector_common.exactly_once` keeps looking before it posts again). The other `slow` faults stay under
the timeout. `--repro-slow-write` runs only that late-commit case, on every pipe.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness
import sandbox
from connector_common.http import READ_TIMEOUT_ENV

PAIRS = [("shopify", "exact"), ("shopify", "eaccounting"), ("lightspeed_ecom", "exact"),
         ("lightspeed_retail", "eaccounting"), ("lightspeed_kseries", "exact"), ("lightspeed_xseries", "eaccounting")]
SHOP_SEED = "faults"
ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "FAULTS.md"
READ_TIMEOUT = {"seconds": 3.0}  # the connectors' read timeout (`--read-timeout`), passed on by pipe_env()
RETRY_AFTER = 0.2  # seconds sent with injected 429s
SHORT_SLOW = 0.3  # seconds of a slow response that stays under the timeout
TOKEN_VENDORS = frozenset(("exact", "eaccounting", "shopify", "lightspeed_retail", "lightspeed_kseries",
                           "lightspeed_xseries"))
DAILY_LIMIT_VENDORS = frozenset(("exact", "lightspeed_ecom"))
# the POSTs that create a sales document; customers and items are protected by the vendors' unique codes
DOCUMENT_POSTS = {"exact": r"/(SalesInvoices|SalesOrders|SalesEntries)$",
                  "eaccounting": r"/(customerinvoicedrafts|customerinvoices|orders)$"}
# Vendor rate limits are honoured and tested in each connector's suite; here they would only cost time (as in the pipe
# tests): Exact's minutely limit off, Shopify Plus's bucket, Lightspeed eCom's windows ten times wider (its 300 calls
# per 5 minutes alone make a 300-order back-fill take over 5 minutes a run). The daily windows stay.
SANDBOX_OPTIONS: dict[str, dict[str, Any]] = {
    **harness.FAST_LIMITS,
    "lightspeed_ecom": {"rate_limits": ((300, 3000), (3600, 30000), (86400, 120000))},
}


@dataclass(frozen=True)
class Baseline:
    """What a clean run books for the shop: the yardstick for every faulted or crashed run of the same pipe."""

    orders: int  # bookable orders in the source
    documents: dict[str, Decimal]  # order documents: reference -> total
    expected: dict[str, Decimal]  # every document incl. credit notes: reference -> total
    requests: dict[str, int]  # API requests (not token calls) per side
    posts: int  # destination POSTs

    @property
    def rejected(self) -> int:
        """Bookable orders the destination rejects by rule (e.g. a VAT scenario without a coding), with a reason."""
        return self.orders - len(self.documents)


@dataclass
class Progress:
    """How a sequence of runs went until the pipe got through."""

    runs: int = 0
    reauths: Counter[str] = field(default_factory=Counter)
    day_rolls: int = 0
    kills: int = 0
    done: bool = False
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """One line of a campaign table."""

    pipe: str
    label: str  # the fault rate, or the crash seed
    injected: Counter[str]
    orders: int
    booked_once: int
    duplicates: int
    missing: list[str]
    rejected: int
    unexpected: list[str]
    wrong_total: list[str]
    progress: Progress

    @property
    def clean(self) -> bool:
        return self.progress.done and not (self.duplicates or self.missing or self.unexpected or self.wrong_total)


def start(source: str, destination: str, orders: int, fault_seed: int = 0) -> dict[str, sandbox.SandboxServer]:
    servers = harness.start_sandbox(seed=SHOP_SEED, orders=orders, names=[source, destination], **SANDBOX_OPTIONS)
    for server in servers.values():
        server.rng.seed(fault_seed)
    return servers


def baseline(source: str, destination: str, orders: int) -> Baseline:
    """Run the pipe once without faults on a fresh copy of the shop and record what it books."""
    servers = start(source, destination, orders)
    try:
        with tempfile.TemporaryDirectory(prefix="faults-baseline-") as tmp:
            workdir = Path(tmp)
            harness.prepare(workdir, source, destination, servers)
            run = harness.run_pipe(workdir, source, destination)
            if not harness.completed(workdir, run):
                failure = run.errors or run.stderr[-800:]
                raise AssertionError(f"the clean {source} -> {destination} run failed: {failure}")
            bookings = harness.ledger(destination, servers[destination])
            return Baseline(
                orders=sum(1 for o in run.source_records if harness.bookable(o)),
                documents={b.reference: b.total for b in bookings if b.kind == "document"},
                expected={harness.booking_key(b): b.total for b in bookings},
                requests={"source": api_calls(servers[source]), "destination": api_calls(servers[destination])},
                posts=sum(1 for r in servers[destination].requests() if r.method == "POST"),
            )
    finally:
        for server in servers.values():
            server.stop()


def pipe_env() -> dict[str, str]:
    """The environment of every pipe a campaign runs: the connectors' read timeout."""
    return {READ_TIMEOUT_ENV: f"{READ_TIMEOUT['seconds']:g}"}


def late_commit() -> float:
    """Seconds a 'slow' fault holds a request: the client gives up after one read timeout, the server commits half
    a timeout later (within the client's settle window, see connector_common.exactly_once)."""
    return 1.5 * READ_TIMEOUT["seconds"]


def api_calls(server: sandbox.SandboxServer) -> int:
    return sum(1 for r in server.requests() if re.search(harness.NOT_TOKEN_PATHS, r.path))


def install_faults(server: sandbox.SandboxServer, kind: str, side: str, rate: float, *, revoke_every: int | None,
                   daily_every: int | None, beyond_timeout: bool) -> None:
    """Add the campaign's fault rules to one stand-in; `rate` is the chance that a request gets a transient fault."""
    if revoke_every and kind in TOKEN_VENDORS:
        server.add_fault("revoke_tokens", every=revoke_every, count=1, path=harness.NOT_TOKEN_PATHS)
    if daily_every and kind in DAILY_LIMIT_VENDORS:
        server.add_fault("daily_limit", every=daily_every, count=1, path=harness.NOT_TOKEN_PATHS)
    if beyond_timeout:  # the server answers after the client gave up, and commits anyway
        if side == "destination":
            server.add_fault("slow", every=3, count=1, delay=late_commit(), method="POST", path=DOCUMENT_POSTS[kind])
        else:
            server.add_fault("slow", every=7, count=1, delay=late_commit(), path=harness.NOT_TOKEN_PATHS)
    if rate <= 0:
        return
    share = rate / 7
    server.add_fault("429", rate=share, retry_after=RETRY_AFTER)
    for status in ("500", "502", "503"):
        server.add_fault(status, rate=share)
    server.add_fault("drop", rate=share)
    server.add_fault("slow", rate=share, delay=SHORT_SLOW)
    # a lost response on a token call loses a rotated refresh token: that is a re-authorisation, not a resume, so it
    # is a scenario of its own (`lost_token_response`), not part of the rate
    lost_method = "POST" if side == "destination" else None
    lost_rate = min(rate, 0.5) if side == "destination" else share  # every POST of a destination is a write
    server.add_fault("lost_response", rate=lost_rate, method=lost_method, path=harness.NOT_TOKEN_PATHS)


def resume_until_done(workdir: Path, source: str, destination: str, servers: dict[str, sandbox.SandboxServer], *,
                      max_runs: int, run: Callable[[Progress], harness.PipeRun] | None = None) -> Progress:
    """Re-run the pipe from the last echoed state until it gets through; answer config errors and used-up quotas.

    `run` starts one run (default: `harness.RunningPipe(...).wait()`, the same pipe as `harness.run_pipe`, read
    with `harness.collect_pipe`, which tolerates the line `tee` cuts off when the destination stops early); the crash
    campaign passes one that kills the destination.
    """
    progress = Progress()
    kinds = {"source": source, "destination": destination}
    while progress.runs < max_runs:
        result = run(progress) if run else harness.RunningPipe(workdir, source, destination, env=pipe_env()).wait()
        progress.runs += 1
        if harness.completed(workdir, result):
            progress.done = True
            break
        refused = set()
        for trace in harness.traces(workdir, result):
            progress.failures.append(f"{trace.side} {trace.failure_type}: {trace.message[:160]}")
            if trace.failure_type == "config_error" and harness.SKIPPED_REPORT not in trace.message:
                refused.add(trace.side)
        for role in sorted(refused):  # the operator's answer to a config error: re-authorise that connection
            if kinds[role] in TOKEN_VENDORS:
                harness.apply_credentials(workdir, role, kinds[role],
                                          harness.reauthorize(kinds[role], servers[kinds[role]]))
                progress.reauths[role] += 1
        progress.day_rolls += sum(harness.roll_day(k, servers[k]) for k in (source, destination))
    return progress


def audit(pipe: str, label: str, base: Baseline, *, destination: str, server: sandbox.SandboxServer,
          injected: Counter[str], progress: Progress) -> Outcome:
    bookings = harness.ledger(destination, server)
    everything = harness.compare_ledger(base.expected, bookings)
    documents = harness.compare_ledger(base.documents, [b for b in bookings if b.kind == "document"])
    return Outcome(pipe, label, injected, base.orders, documents.booked_once, everything.duplicates,
                   everything.missing, base.rejected, everything.unexpected, everything.wrong_total, progress)


def fault_campaign(source: str, destination: str, rate: float, base: Baseline, *, orders: int, fault_seed: int,
                   revoke: Iterable[str] = ("source", "destination"), daily_limit: bool = True,
                   beyond_timeout: bool = False, max_runs: int = 25) -> Outcome:
    """One pipe at one fault rate: inject, resume until done, audit. `revoke`: the sides whose tokens get revoked."""
    rng = random.Random(fault_seed)
    servers = start(source, destination, orders, fault_seed)
    try:
        for side, kind in (("source", source), ("destination", destination)):
            latest = max(1, base.requests[side] // 2)  # so that it fires during the first run
            install_faults(servers[kind], kind, side, rate,
                           revoke_every=rng.randint(1, latest) if side in revoke else None,
                           daily_every=rng.randint(1, latest) if daily_limit else None,
                           beyond_timeout=beyond_timeout)
        with tempfile.TemporaryDirectory(prefix=f"faults-{source}-{destination}-") as tmp:
            workdir = Path(tmp)
            harness.prepare(workdir, source, destination, servers)
            progress = resume_until_done(workdir, source, destination, servers, max_runs=max_runs)
        injected = harness.injected_faults(servers[source]) + harness.injected_faults(servers[destination])
        return audit(f"{source} -> {destination}", f"{rate:g}", base, destination=destination,
                     server=servers[destination], injected=injected, progress=progress)
    finally:
        for server in servers.values():
            server.stop()


def lost_token_response(source: str, destination: str, base: Baseline, *, orders: int) -> Outcome:
    """The destination's token refresh is answered but the answer is lost: the rotated refresh token is gone."""
    servers = start(source, destination, orders)
    try:
        servers[destination].add_fault("lost_response", every=1, count=1, method="POST", path=harness.TOKEN_PATHS)
        with tempfile.TemporaryDirectory(prefix="faults-token-") as tmp:
            workdir = Path(tmp)
            harness.prepare(workdir, source, destination, servers)
            progress = resume_until_done(workdir, source, destination, servers, max_runs=6)
        injected = harness.injected_faults(servers[source]) + harness.injected_faults(servers[destination])
        return audit(f"{source} -> {destination}", "lost token", base, destination=destination,
                     server=servers[destination], injected=injected, progress=progress)
    finally:
        for server in servers.values():
            server.stop()


def slow_document_write(source: str, destination: str, base: Baseline, *, orders: int) -> Outcome:
    """The second document POST is answered after the client's read timeout and the server commits it later still
    (1.5 read timeouts after it was sent). Before `connector_common.exactly_once` the destination looked the
    reference up at once (not there yet), posted again, and the late original landed as well: two documents."""
    servers = start(source, destination, orders)
    try:
        servers[destination].add_fault("slow", every=2, count=1, delay=late_commit(), method="POST",
                                       path=DOCUMENT_POSTS[destination])
        with tempfile.TemporaryDirectory(prefix="faults-slow-write-") as tmp:
            workdir = Path(tmp)
            harness.prepare(workdir, source, destination, servers)
            progress = resume_until_done(workdir, source, destination, servers, max_runs=4)
            time.sleep(late_commit())  # had anything been posted twice, let the late original land before the audit
        return audit(f"{source} -> {destination}", "slow write", base, destination=destination,
                     server=servers[destination], injected=harness.injected_faults(servers[destination]),
                     progress=progress)
    finally:
        for server in servers.values():
            server.stop()


def crash_campaign(source: str, destination: str, seed: int, base: Baseline, *, orders: int, kills: int,
                   max_runs: int = 25, poll: float = 0.002) -> Outcome:
    """Kill -9 the destination `kills` times at random points, resume from the last echoed state, audit."""
    rng = random.Random(seed)
    servers = start(source, destination, orders, seed)
    dest = servers[destination]
    try:
        with tempfile.TemporaryDirectory(prefix=f"crash-{source}-{destination}-") as tmp:
            workdir = Path(tmp)
            harness.prepare(workdir, source, destination, servers)

            def run_once(progress: Progress) -> harness.PipeRun:
                before = sum(1 for r in dest.requests() if r.method == "POST")
                pipe = harness.RunningPipe(workdir, source, destination, env=pipe_env())
                if progress.kills < kills:
                    target = before + rng.randint(1, max(1, base.posts // (kills + 1)))  # so that all kills happen
                    while pipe.running() and sum(1 for r in dest.requests() if r.method == "POST") < target:
                        time.sleep(poll)
                    time.sleep(rng.uniform(0, 0.03))
                    if pipe.kill_destination():
                        progress.kills += 1
                return pipe.wait()

            progress = resume_until_done(workdir, source, destination, servers, max_runs=max_runs, run=run_once)
        return audit(f"{source} -> {destination}", str(seed), base, destination=destination, server=dest,
                     injected=Counter(), progress=progress)
    finally:
        for server in servers.values():
            server.stop()


# --- the way back: source-exact-online | destination-shopify (stock levels and shipments) ------------------------
WAY_BACK_STREAMS = ("stock_levels", "shipments")


@dataclass
class WayBackShop:
    """A shop whose orders Exact holds as sales orders, some delivered with a tracking number, stock moved in Exact,
    and the exact -> shopify connection prepared in `workdir` (with its own Exact consent)."""

    servers: dict[str, sandbox.SandboxServer]
    workdir: Path
    tracking: dict[str, str]  # shop order name -> the tracking number of its Exact goods delivery


@dataclass(frozen=True)
class WayBackOutcome:
    """One line of the way-back table: shipments fulfilled once (by tracking number), stock equal to Exact's."""

    label: str
    injected: Counter[str]
    shipments: int
    fulfilled_once: int
    duplicates: int
    missing: list[str]
    positions: int
    wrong_stock: list[str]
    progress: Progress

    @property
    def clean(self) -> bool:
        return self.progress.done and not (self.duplicates or self.missing or self.wrong_stock)


def way_back_shop(workdir: Path, orders: int, seed: int) -> WayBackShop:
    """Book the shop's orders in Exact as sales orders (a clean run), deliver the open ones with tracking numbers, sell
    by phone and count a shelf in Exact; prepare the way back. Faults come afterwards, on the way back only."""
    servers = harness.start_sandbox(seed=SHOP_SEED, orders=orders, names=["shopify", "exact"],
                                    shopify=SANDBOX_OPTIONS["shopify"],
                                    exact={**SANDBOX_OPTIONS["exact"], "catalogue": True})
    for server in servers.values():
        server.rng.seed(seed)
    shop, exact = servers["shopify"].vendor, servers["exact"].vendor  # type: ignore[attr-defined]
    there = workdir / "to_exact"
    harness.prepare(there, "shopify", "exact", servers)
    config_path = there / "destination_config.json"
    config_path.write_text(json.dumps(json.loads(config_path.read_text()) | {
        "document_type": "sales_order", "payment_statuses": ["pending", "paid"]}))
    booked = harness.run_pipe(there, "shopify", "exact")
    if booked.returncode != 0:
        raise AssertionError(f"booking the shop's orders in Exact failed: {booked.errors or booked.stderr[-800:]}")
    in_exact = {str(row["YourRef"]).removeprefix("shopify:"): row for row in exact.sales_orders()}
    tracking = {}
    for n, order in enumerate(o for o in shop.shop.orders.values() if o.cancelled_at is None
                              and o.fulfillment_status == "unfulfilled" and not o.refunds
                              and f"#{o.number}" in in_exact):
        name = f"#{order.number}"
        tracking[name] = f"3SFAULT{seed:04d}{n:03d}"
        exact.deliver(in_exact[name]["OrderNumber"], tracking_number=tracking[name], shipping_method="POSTNL",
                      quantities={ln.sku: ln.quantity for ln in order.lines if ln.sku})
    skus = [v.sku for p in shop.shop.products.values() for v in p.variants if exact.stock_of(v.sku)]
    exact.book_order("phone order", {skus[0]: 2}, warehouse="1")
    exact.set_stock(skus[1], "1", 3)
    back = workdir / "to_shop"
    harness.prepare(back, "exact", "shopify", servers, streams=WAY_BACK_STREAMS)
    harness.apply_credentials(back, "source", "exact", harness.reauthorize("exact", servers["exact"]))
    return WayBackShop(servers, back, tracking)


def way_back_audit(shop: WayBackShop, label: str, injected: Counter[str], progress: Progress) -> WayBackOutcome:
    """Per delivered order: how many fulfilments carry its tracking number (1 = right); per Exact stock position:
    does the mapped Shopify location show max(FreeStock, 0)."""
    shopify, exact = shop.servers["shopify"].vendor, shop.servers["exact"].vendor  # type: ignore[attr-defined]
    by_name = {f"#{o.number}": o for o in shopify.shop.orders.values()}
    counts = {}
    for name, number in shop.tracking.items():
        fo = shopify.store.fulfillment_order(by_name[name].id)
        counts[name] = sum(1 for f in (fo.fulfillments if fo else []) for t in f["tracking"] if t["number"] == number)
    locations = [int(str(loc["legacyResourceId"])) for loc in shopify.store.locations]
    variants = {v.sku: v.id for p in shopify.shop.products.values() for v in p.variants}
    wrong = []
    positions = exact.stock_positions()
    for position in positions:
        sku, warehouse = str(position["ItemCode"]), int(position["WarehouseCode"])
        expected = max(int(Decimal(str(position["FreeStock"]))), 0)
        level = shopify.store.levels.get((variants.get(sku), locations[warehouse - 1])) or {}
        if level.get("available") != expected:
            wrong.append(f"{sku}@{warehouse}: shop {level.get('available')} != Exact {expected}")
    return WayBackOutcome(label, injected, len(shop.tracking), sum(1 for n in counts.values() if n == 1),
                          sum(n - 1 for n in counts.values() if n > 1), sorted(k for k, n in counts.items() if n == 0),
                          len(positions), wrong, progress)


def way_back_campaign(rate: float, seed: int, *, orders: int, kills: int = 0, max_runs: int = 25,
                      poll: float = 0.002) -> WayBackOutcome:
    """Exact -> Shopify under faults on both sides (429, 5xx, drops, slow and lost responses, a revoked token each
    side, Exact's daily quota) and `kills` kill -9s of destination-shopify between its writes and its state; resumed
    from the last echoed state until done, then audited."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="faults-way-back-") as tmp:
        shop = way_back_shop(Path(tmp), orders, seed)
        try:
            dest = shop.servers["shopify"]
            for side, kind in (("source", "exact"), ("destination", "shopify")) if rate > 0 else ():
                install_faults(shop.servers[kind], kind, side, rate, revoke_every=rng.randint(1, 6),
                               daily_every=rng.randint(1, 6), beyond_timeout=False)

            def run_once(progress: Progress) -> harness.PipeRun:
                pipe = harness.RunningPipe(shop.workdir, "exact", "shopify", env=pipe_env())
                if progress.kills < kills:
                    before = sum(1 for r in dest.requests() if r.method == "POST")
                    target = before + rng.randint(1, 6)
                    while pipe.running() and sum(1 for r in dest.requests() if r.method == "POST") < target:
                        time.sleep(poll)
                    time.sleep(rng.uniform(0, 0.03))
                    if pipe.kill_destination():
                        progress.kills += 1
                return pipe.wait()

            progress = resume_until_done(shop.workdir, "exact", "shopify", shop.servers, max_runs=max_runs,
                                         run=run_once)
            injected = harness.injected_faults(shop.servers["exact"]) + harness.injected_faults(dest)
            label = f"rate {rate:g}" + (f", {progress.kills} kills" if kills else "")
            return way_back_audit(shop, label, injected, progress)
        finally:
            for server in shop.servers.values():
                server.stop()


WAY_BACK_HEADER = (f"{'exact -> shopify':24} | {'faults injected':>15} | {'shipments':>9} | {'fulfilled once':>14} | "
                   f"{'duplicates':>10} | {'missing':>7} | {'stock positions':>15} | {'wrong stock':>11} | "
                   f"{'runs':>4} | {'reauths':>7} | {'day rolls':>9} | kinds")


def way_back_row(o: WayBackOutcome) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(o.injected.items()))
    return (f"{o.label:24} | {sum(o.injected.values()):>15} | {o.shipments:>9} | {o.fulfilled_once:>14} | "
            f"{o.duplicates:>10} | {len(o.missing):>7} | {o.positions:>15} | {len(o.wrong_stock):>11} | "
            f"{o.progress.runs:>4} | {sum(o.progress.reauths.values()):>7} | {o.progress.day_rolls:>9} | {kinds}")


def way_back_main(args: argparse.Namespace, argv: list[str] | None) -> int:
    """`--way-back`: the Exact -> Shopify campaign (each fault rate, then the crash seeds with `--kills` kill -9s)."""
    started = time.monotonic()
    jobs = [(rate, 2000 + i, 0) for i, rate in enumerate(args.rates)]
    jobs += [(0.0, 3000 + seed, args.kills) for seed in range(1, args.seeds + 1)]
    print(WAY_BACK_HEADER, flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(lambda job: way_back_campaign(job[0], job[1], orders=args.orders, kills=job[2]),
                                 jobs))
    table = [WAY_BACK_HEADER, *(way_back_row(o) for o in outcomes)]
    print("\n".join(table[1:]))
    notes = []
    for o in outcomes:
        if not o.clean:
            notes.append(f"NOT CLEAN {o.label}: done={o.progress.done} missing={o.missing[:5]} "
                         f"duplicates={o.duplicates} wrong_stock={o.wrong_stock[:3]} ({len(o.wrong_stock)})")
        notes += [f"  {o.label}: {failure}" for failure in dict.fromkeys(o.progress.failures)][:5]
    if notes:
        print("\n".join(["", "notes:", *notes]))
    footer = (f"{len(outcomes)} campaigns, {time.monotonic() - started:.0f} s; shipments = goods deliveries with a "
              "tracking number in Exact for open shop orders; wrong stock = Exact stock positions whose mapped Shopify "
              "location does not show max(FreeStock, 0) after the last run")
    print("\n" + footer)
    write_section(args.report, "Way back campaign (Exact Online -> Shopify)",
                  [f"`{' '.join(['scripts/faults.py', *(argv if argv is not None else sys.argv[1:])])}`",
                   f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit()}, {args.orders} orders "
                   f"per shop, connectors' read timeout {READ_TIMEOUT['seconds']:g} s.", "",
                   "```", *table, "```", "", footer, *(["", "Notes:", "", *(f"- {n.strip()}" for n in notes)]
                                                      if notes else [])])
    return 0 if all(o.clean for o in outcomes) else 1


def fault_row(o: Outcome) -> str:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(o.injected.items()))
    reauths = sum(o.progress.reauths.values())
    return (f"{o.pipe:36} | {o.label:>10} | {sum(o.injected.values()):>15} | {o.orders:>6} | {o.booked_once:>11} | "
            f"{o.duplicates:>10} | {len(o.missing):>7} | {o.rejected:>8} | {o.progress.runs:>4} | {reauths:>7} | "
            f"{o.progress.day_rolls:>9} | {kinds}")


FAULT_HEADER = (f"{'pipe':36} | {'fault rate':>10} | {'faults injected':>15} | {'orders':>6} | {'booked once':>11} | "
                f"{'duplicates':>10} | {'missing':>7} | {'rejected':>8} | {'runs':>4} | {'reauths':>7} | "
                f"{'day rolls':>9} | kinds")


def crash_row(o: Outcome) -> str:
    return (f"{o.label:>4} | {o.progress.kills:>5} | {o.orders:>6} | {o.booked_once:>11} | {o.duplicates:>10} | "
            f"{len(o.missing):>7} | {o.pipe:36} | {o.rejected:>8} | {o.progress.runs:>4} | "
            f"{sum(o.progress.reauths.values()):>7}")


CRASH_HEADER = (f"{'seed':>4} | {'kills':>5} | {'orders':>6} | {'booked once':>11} | {'duplicates':>10} | "
                f"{'missing':>7} | {'pipe':36} | {'rejected':>8} | {'runs':>4} | {'reauths':>7}")


def details(outcomes: Iterable[Outcome]) -> list[str]:
    """Human-readable notes for every line that is not clean, and the failures that made runs stop."""
    notes = []
    for o in outcomes:
        if not o.clean:
            notes.append(f"NOT CLEAN {o.pipe} {o.label}: done={o.progress.done} missing={o.missing[:5]} "
                         f"unexpected={o.unexpected[:5]} wrong_total={o.wrong_total[:5]} duplicates={o.duplicates}")
        for failure in dict.fromkeys(o.progress.failures):
            notes.append(f"  {o.pipe} {o.label}: {failure}")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.02, 0.05, 0.1, 0.2])
    parser.add_argument("--pipes", nargs="+", default=[f"{s}-{d}" for s, d in PAIRS])
    parser.add_argument("--timeouts", action=argparse.BooleanOptionalAction, default=True,
                        help="per campaign and side one response answered after the read timeout (a late commit)")
    parser.add_argument("--read-timeout", type=float, default=READ_TIMEOUT["seconds"],
                        help="the connectors' read timeout in seconds (production: 60)")
    parser.add_argument("--crash", action="store_true", help="run the crash campaign instead")
    parser.add_argument("--way-back", action="store_true",
                        help="run the Exact -> Shopify campaign (stock levels, shipments) instead: every --rates, "
                             "then --seeds crash runs with --kills kill -9s each")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repro-slow-write", action="store_true",
                        help="only the minimal reproduction of a document POST answered after the read timeout")
    parser.add_argument("--report", type=Path, default=REPORT,
                        help="Markdown file whose section for this campaign is replaced with the results")
    args = parser.parse_args(argv)
    READ_TIMEOUT["seconds"] = args.read_timeout
    if args.way_back:
        return way_back_main(args, argv)
    pairs = [p for p in PAIRS if f"{p[0]}-{p[1]}" in args.pipes]
    started = time.monotonic()
    with ThreadPoolExecutor(args.jobs) as pool:
        bases = dict(zip(pairs, pool.map(lambda p: baseline(p[0], p[1], args.orders), pairs), strict=True))
        if args.repro_slow_write:
            outcomes = list(pool.map(lambda p: slow_document_write(p[0], p[1], bases[p], orders=args.orders), pairs))
            table = [FAULT_HEADER, *(fault_row(o) for o in outcomes)]
            print("\n".join(table))
        elif args.crash:
            crashes = [(pairs[seed % len(pairs)], seed) for seed in range(1, args.seeds + 1)]
            print(CRASH_HEADER, flush=True)
            outcomes = []
            for outcome in pool.map(lambda job: crash_campaign(
                    job[0][0], job[0][1], job[1], bases[job[0]], orders=args.orders, kills=args.kills), crashes):
                outcomes.append(outcome)
                print(crash_row(outcome), flush=True)
            table = [CRASH_HEADER, *(crash_row(o) for o in outcomes)]
        else:
            runs = [(pair, rate, 1000 + i) for i, (pair, rate) in enumerate((p, r) for p in pairs for r in args.rates)]
            futures = [pool.submit(fault_campaign, pair[0], pair[1], rate, bases[pair], orders=args.orders,
                                   fault_seed=seed, beyond_timeout=args.timeouts)
                       for pair, rate, seed in runs]
            futures += [pool.submit(lost_token_response, p[0], p[1], bases[p], orders=args.orders)
                        for p in pairs if p[1] in TOKEN_VENDORS]
            print(FAULT_HEADER, flush=True)
            outcomes = []
            for future in as_completed(futures):  # progress as it comes; the sorted table follows at the end
                outcomes.append(future.result())
                print(fault_row(outcomes[-1]), flush=True)
            table = [FAULT_HEADER, *(fault_row(f.result()) for f in futures)]
            print("\nsorted:\n" + "\n".join(table))
    notes = details(outcomes)
    if notes:
        print("\n".join(["", "notes:", *notes]))
    footer = (f"{len(outcomes)} campaigns, {time.monotonic() - started:.0f} s; orders = bookable orders in the source; "
              "rejected = bookable orders the destination rejects by rule in a clean run too (reported, not booked)")
    print("\n" + footer)
    kind = "slow write" if args.repro_slow_write else "crash" if args.crash else "fault"
    write_section(args.report, f"{kind.capitalize()} campaign",
                  [f"`{' '.join(['scripts/faults.py', *(argv if argv is not None else sys.argv[1:])])}`",
                   f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit()}, {args.orders} orders "
                   f"per shop, connectors' read timeout {READ_TIMEOUT['seconds']:g} s.", "",
                   "```", *table, "```", "", footer, *(["", "Notes:", "", *(f"- {n.strip()}" for n in notes)]
                                                      if notes else [])])
    return 0 if all(o.clean for o in outcomes) else 1


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (plus uncommitted work in the tree)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_section(path: Path, title: str, body: list[str]) -> None:
    """Replace the `## title` section of a Markdown report (or add it), keeping the other campaigns' sections."""
    text = path.read_text() if path.exists() else ("# Fault and crash campaigns\n\nWritten by `make bench` "
                                                   "(`scripts/faults.py`); nothing here is asserted in CI (the small "
                                                   "configurations in `tests/faults/` are).\n\n")
    sections = re.split(r"(?m)^(?=## )", text)
    new = f"## {title}\n\n" + "\n".join(body).rstrip() + "\n\n"
    kept = [s.rstrip() + "\n\n" if not s.startswith(f"## {title}\n") else new for s in sections]
    if new not in kept:
        kept.append(new)
    path.write_text("".join(kept).rstrip() + "\n")


if __name__ == "__main__":
    sys.exit(main())
