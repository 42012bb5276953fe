"""`reconcile-bookings`: what the shop sold (a booking report's CSV, or the source's JSONL output) against what the
ledger holds, per VAT scenario and per document type, with every missing, doubled or differing document named.

    reconcile-bookings --destination exact-online --config exact.json --bookings report.csv [--from D --to D]
    python -m connector_common.reconcile ...   (the same)

The ledger is read through the destination's own client: each destination package registers a `Ledger` factory in
the `connector_common.ledgers` entry-point group (common imports no connector). Exit code 0 when everything agrees to
the cent, 1 when something differs, 2 on a usage or configuration error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from connector_common.errors import ConfigError, ConnectorError, RecordError
from connector_common.model import Order, PaymentStatus, booking_reference
from connector_common.records import from_record
from connector_common.report import ALREADY_BOOKED, FAILED, SKIPPED, VatPart, VatTotals

ENTRY_POINT_GROUP = "connector_common.ledgers"
ZERO = Decimal("0.00")
INVOICE, CREDIT_NOTE = "invoice", "credit_note"
UNSPLIT = "(not split)"  # source records carry no VAT scenario: reconcile a booking report's CSV for the split
PAID_LIKE = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})


@dataclass(frozen=True, slots=True)
class LedgerDocument:
    """A sales document as the ledger holds it (amounts signed: negative on credit notes)."""

    reference: str  # our booking reference (YourRef / YourReference)
    number: str  # the ledger's document number, else its ID
    date: str
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


class Ledger(Protocol):
    """What a destination's ledger adapter offers (registered under ENTRY_POINT_GROUP)."""

    name: str

    def documents(self, references: Sequence[str]) -> list[LedgerDocument]:
        """Every sales document (invoices and credit notes) carrying one of `references`, duplicates included."""
        ...

    def documents_dated(self, since: date, until: date) -> list[LedgerDocument]:
        """Every sales document of the booked type dated from `since` to `until` (inclusive), whatever its
        reference: the ledger's side of a period, so documents the shop's records do not know show up."""
        ...


@dataclass(slots=True)
class ShopDocument(VatTotals):
    """One document the shop's sales call for (from a booking report row group or a source record)."""

    reference: str
    order: str  # the shop's order reference
    date: str
    kind: str  # INVOICE | CREDIT_NOTE
    parts: tuple[VatPart, ...] = ()
    amounts_known: bool = True
    vat_known: bool = True  # False for source records: only the gross is compared


@dataclass(frozen=True, slots=True)
class NotBooked:
    order: str
    status: str  # SKIPPED | FAILED
    reason: str


@dataclass(slots=True)
class ShopSide:
    documents: dict[str, ShopDocument] = field(default_factory=dict)
    not_booked: list[NotBooked] = field(default_factory=list)
    source: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """Shop vs ledger figures of one group (a VAT scenario or a document type)."""

    name: str
    shop_documents: int
    ledger_documents: int
    shop_net: Decimal
    shop_vat: Decimal
    ledger_net: Decimal
    ledger_vat: Decimal

    @property
    def difference(self) -> Decimal:
        return (self.ledger_net + self.ledger_vat) - (self.shop_net + self.shop_vat)


@dataclass(frozen=True, slots=True)
class Finding:
    order: str
    reference: str
    numbers: tuple[str, ...]
    shop_gross: Decimal | None
    ledger_gross: Decimal | None


@dataclass(slots=True)
class Reconciliation:
    ledger: str
    period: tuple[str, str]
    by_scenario: list[Line]
    by_type: list[Line]
    missing: list[Finding]
    twice: list[Finding]
    differs: list[Finding]
    not_booked: list[NotBooked]
    unknown: list[Finding] = field(default_factory=list)  # in the ledger for the period, not in the shop's records
    period_listed: bool = False  # whether the ledger's documents of the period were listed (ledger_in_period)

    @property
    def difference(self) -> Decimal:
        return sum((line.difference for line in self.by_type), ZERO)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.twice or self.differs or self.unknown) and self.difference == ZERO


# -- the shop's side --------------------------------------------------------------------------------------------------
def shop_from_report_csv(paths: Iterable[Path]) -> ShopSide:
    """Documents from booking report CSVs (several runs: a document's amounts come from the run that made it)."""
    side = ShopSide(source=", ".join(str(p) for p in paths))
    for path in paths:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        grouped: dict[str, list[dict[str, str]]] = {}
        for n, row in enumerate(rows, start=2):
            status = row.get("status", "")
            if status in (SKIPPED, FAILED):
                side.not_booked.append(NotBooked(row.get("shop_reference") or row.get("order_id", ""), status,
                                                 row.get("reason", "")))
                continue
            reference = row.get("booking_reference") or ""
            if not reference:
                raise ConfigError(f"{path}: line {n} has no booking_reference (is this a booking report CSV?)")
            grouped.setdefault(reference, []).append(row)
        for reference, doc_rows in grouped.items():
            first = doc_rows[0]
            known = first.get("document_status") != ALREADY_BOOKED
            parts = tuple(VatPart(r["vat_scenario"], r["vat_code"], _decimal(r["vat_rate"] or "0", path, "vat_rate"),
                                  _decimal(r["net"], path, "net"), _decimal(r["vat"], path, "vat"))
                          for r in doc_rows if known and r.get("net"))
            kind = CREDIT_NOTE if "credit" in first.get("document_type", "") or sum(
                (p.gross for p in parts), ZERO) < 0 else INVOICE
            existing = side.documents.get(reference)
            if existing is None or not existing.amounts_known:
                side.documents[reference] = ShopDocument(reference, first.get("shop_reference", ""),
                                                         first.get("date", ""), kind, parts, known)
    # an order skipped in one run and booked in a later one is booked
    booked_orders = {d.order for d in side.documents.values()}
    side.not_booked = [n for n in dict.fromkeys(side.not_booked) if n.order not in booked_orders]
    return side


def shop_from_source_jsonl(paths: Iterable[Path]) -> ShopSide:
    """Documents the source's `orders` records call for: one per paid, uncancelled, non-test order, one credit note
    per refund (default booking rules of both destinations; amounts incl. VAT, not split per VAT scenario)."""
    side = ShopSide(source=", ".join(str(p) for p in paths))
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            message = json.loads(line)
            record = message.get("record") if message.get("type") == "RECORD" else None
            if not record or record.get("stream") != "orders":
                continue
            try:
                order = from_record("orders", record["data"])
            except RecordError as exc:
                raise ConfigError(f"{path}: line {n}: {exc}") from None
            _add_order(side, order)
    return side


def _add_order(side: ShopSide, order: Order) -> None:
    name = order.reference
    if order.cancelled or order.test or order.payment_status not in PAID_LIKE:
        why = ("cancelled" if order.cancelled else "a test order" if order.test
               else f"not paid: payment status {order.payment_status.value}")
        side.not_booked.append(NotBooked(name, SKIPPED, why))
        return
    day = order.created_at.date().isoformat()
    total = order.totals.grand_total
    side.documents[booking_reference(order)] = ShopDocument(
        booking_reference(order), name, day, CREDIT_NOTE if total < 0 else INVOICE,
        (VatPart(UNSPLIT, "", ZERO, total, ZERO),), vat_known=False)
    for refund in order.refunds:
        reference = booking_reference(order, refund)
        side.documents[reference] = ShopDocument(reference, name, refund.created_at.date().isoformat(), CREDIT_NOTE,
                                                 (VatPart(UNSPLIT, "", ZERO, -refund.total_incl, ZERO),),
                                                 vat_known=False)


def _decimal(text: str, path: Path, column: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"{path}: column {column} holds {text[:30]!r}, not an amount") from None


# -- the comparison (pure) --------------------------------------------------------------------------------------------
def reconcile(shop: ShopSide, ledger_documents: Sequence[LedgerDocument], *, ledger: str,
              period: tuple[date | None, date | None] = (None, None),
              ledger_in_period: Sequence[LedgerDocument] | None = None) -> Reconciliation:
    """Compare the shop's documents of `period` (by order date, inclusive) with the ledger's documents by reference.

    A ledger document's net and VAT are split over VAT scenarios as its order's booking was (in proportion, the last
    scenario taking the remainder), so a document that differs shows in its scenarios too. `ledger_in_period` (the
    ledger's documents dated in the period) adds every document whose reference has one of the shop's sources'
    prefixes ("shopify:") but is not in the shop's records: booked by a run whose report was not given, or by hand.
    """
    since, until = (d.isoformat() if d else None for d in period)
    wanted = {r: d for r, d in shop.documents.items()
              if (since is None or d.date >= since) and (until is None or d.date <= until)}
    found: dict[str, list[LedgerDocument]] = {}
    for document in ledger_documents:
        if document.reference in wanted:
            found.setdefault(document.reference, []).append(document)
    scenario: dict[str, list[Any]] = {}
    kinds: dict[str, list[Any]] = {}
    missing, twice, differs = [], [], []
    for reference, doc in sorted(wanted.items(), key=lambda kv: (kv[1].date, kv[0])):
        booked = found.get(reference, [])
        numbers = tuple(b.number for b in booked)
        if not booked:
            missing.append(Finding(doc.order, reference, (), doc.gross if doc.amounts_known else None, None))
        elif len(booked) > 1:
            twice.append(Finding(doc.order, reference, numbers, doc.gross if doc.amounts_known else None,
                                 sum((b.gross for b in booked), ZERO)))
        elif doc.amounts_known and (booked[0].net, booked[0].vat) != (doc.net, doc.vat) and (
                doc.vat_known or booked[0].gross != doc.gross):
            differs.append(Finding(doc.order, reference, numbers, doc.gross, booked[0].gross))
        if not doc.amounts_known:
            continue  # booked by a run whose report is not given: presence checked only
        _add(kinds, doc.kind, (1, len(booked), doc.net, doc.vat, sum((b.net for b in booked), ZERO),
                               sum((b.vat for b in booked), ZERO)))
        for part, (net, vat) in zip(doc.parts, _split(doc.parts, booked), strict=True):
            _add(scenario, part.scenario, (1, len(booked), part.net, part.vat, net, vat))
    dates = sorted(d.date for d in wanted.values() if d.date)
    shown = (since or (dates[0] if dates else ""), until or (dates[-1] if dates else ""))
    prefixes = tuple(sorted({r.split(":", 1)[0] + ":" for r in shop.documents if ":" in r}))
    unknown = [Finding(_order_of(d.reference), d.reference, (d.number,), None, d.gross)
               for d in sorted(ledger_in_period or (), key=lambda d: (d.date, d.reference, d.number))
               if d.reference not in shop.documents and prefixes and d.reference.startswith(prefixes)]
    return Reconciliation(ledger=ledger, period=shown, by_scenario=_lines(scenario), by_type=_lines(kinds),
                          missing=missing, twice=twice, differs=differs,
                          not_booked=list(shop.not_booked), unknown=unknown,
                          period_listed=bool(since and until and ledger_in_period is not None and prefixes))


def _order_of(reference: str) -> str:
    """'shopify:#1001/R1' -> '#1001': the shop's order reference inside a booking reference."""
    return reference.split(":", 1)[-1].split("/", 1)[0]


def _split(parts: tuple[VatPart, ...], booked: list[LedgerDocument]) -> list[tuple[Decimal, Decimal]]:
    """The ledger's net and VAT of these documents, split over the shop document's parts."""
    net, vat = sum((b.net for b in booked), ZERO), sum((b.vat for b in booked), ZERO)
    shop_net, shop_vat = sum((p.net for p in parts), ZERO), sum((p.vat for p in parts), ZERO)
    if len(booked) == 1 and (net, vat) == (shop_net, shop_vat):
        return [(p.net, p.vat) for p in parts]
    out = []
    left_net, left_vat = net, vat
    for i, part in enumerate(parts):
        if i == len(parts) - 1:
            out.append((left_net, left_vat))
            break
        n = (net * part.net / shop_net).quantize(ZERO) if shop_net else ZERO
        v = (vat * part.vat / shop_vat).quantize(ZERO) if shop_vat else ZERO
        out.append((n, v))
        left_net, left_vat = left_net - n, left_vat - v
    return out


def _add(groups: dict[str, list[Any]], name: str, figures: tuple[int, int, Decimal, Decimal, Decimal, Decimal],
         ) -> None:
    """Add (shop documents, ledger documents, shop net, shop VAT, ledger net, ledger VAT) to a group's row."""
    row = groups.setdefault(name, [0, 0, ZERO, ZERO, ZERO, ZERO])
    for i, value in enumerate(figures):
        row[i] += value


def _lines(groups: Mapping[str, list[Any]]) -> list[Line]:
    return [Line(name, *values) for name, values in sorted(groups.items())]


# -- output -----------------------------------------------------------------------------------------------------------
def render_text(result: Reconciliation) -> str:
    """The reconciliation as a bookkeeper reads it on a terminal."""
    out = [f"Reconciliation: shop vs {result.ledger}, order dates {result.period[0]} to {result.period[1]}"]
    for title, lines in (("VAT scenario", result.by_scenario), ("document type", result.by_type)):
        out.append(f"  {title:<22}{'docs':>5}{'shop net':>12}{'shop VAT':>11}{'ledger docs':>12}{'ledger net':>12}"
                   f"{'ledger VAT':>11}{'difference':>12}")
        for line in lines:
            out.append(f"  {line.name[:22]:<22}{line.shop_documents:>5}{line.shop_net:>12,.2f}{line.shop_vat:>11,.2f}"
                       f"{line.ledger_documents:>12}{line.ledger_net:>12,.2f}{line.ledger_vat:>11,.2f}"
                       f"{line.difference:>12,.2f}")
    checks = [("missing from the ledger", result.missing), ("booked more than once", result.twice),
              ("amounts differ", result.differs)]
    if result.period_listed:
        checks.append(("in the ledger for the period, not in these records", result.unknown))
    for title, findings in checks:
        out.append(f"  {title}: {len(findings)}")
        for f in findings:
            shop = ("-" if findings is result.unknown else "?") if f.shop_gross is None else f"{f.shop_gross:,.2f}"
            ledger = "-" if f.ledger_gross is None else f"{f.ledger_gross:,.2f}"
            numbers = ", ".join(f.numbers) or "none"
            out.append(f"    - {f.order} ({f.reference}): document(s) {numbers}; shop {shop}, ledger {ledger}")
    out.append(f"  not booked by rule or refused: {len(result.not_booked)}")
    out += [f"    - {n.order}: {n.status}, {n.reason}" for n in result.not_booked]
    out.append(f"  difference shop vs ledger: {result.difference:,.2f}"
               + ("" if result.clean else "  << check the lists above"))
    return "\n".join(out)


def open_ledger(destination: str, config: dict[str, Any], config_path: str | None) -> Ledger:
    """The ledger adapter a destination package registered under ENTRY_POINT_GROUP, e.g. 'exact-online'."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if destination not in found:
        names = ", ".join(sorted(found)) or "none installed"
        raise ConfigError(f"--destination {destination!r} is not an installed ledger (installed: {names})")
    factory = found[destination].load()
    ledger: Ledger = factory(config, config_path)
    return ledger


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="reconcile-bookings",
        description="Compare what the shop sold with what the ledger holds: totals per VAT scenario and per "
                    "document type, and every document missing, booked twice or differing by a cent.")
    parser.add_argument("--destination", required=True, help="the ledger: exact-online or eaccounting")
    parser.add_argument("--config", required=True, help="the destination's config file (rotated tokens are written "
                                                        "back to it)")
    parser.add_argument("--bookings", action="append", required=True, type=Path, metavar="FILE",
                        help="a booking report CSV (write --report), or the source's JSONL output; repeatable")
    parser.add_argument("--from", dest="since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="first order date")
    parser.add_argument("--to", dest="until", type=date.fromisoformat, metavar="YYYY-MM-DD", help="last order date")
    args = parser.parse_args(argv)
    try:
        result = run(args.destination, args.config, args.bookings, (args.since, args.until))
    except OSError as exc:
        sys.stderr.write(f"reconcile-bookings: {exc.filename}: {exc.strerror}\n")
        return 2
    except (ConnectorError, ValueError) as exc:
        sys.stderr.write(f"reconcile-bookings: {exc}\n")
        return 2
    sys.stdout.write(render_text(result) + "\n")
    return 0 if result.clean else 1


def run(destination: str, config_path: str, bookings: Sequence[Path],
        period: tuple[date | None, date | None] = (None, None)) -> Reconciliation:
    """Read the shop's side, ask the ledger for those references, compare."""
    csvs = [p for p in bookings if p.suffix.lower() == ".csv"]
    jsonl = [p for p in bookings if p.suffix.lower() != ".csv"]
    shop = shop_from_report_csv(csvs)
    if jsonl:
        from_source = shop_from_source_jsonl(jsonl)
        shop.documents.update({r: d for r, d in from_source.documents.items() if r not in shop.documents})
        shop.not_booked += from_source.not_booked
    try:
        config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{config_path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    ledger = open_ledger(destination, config, config_path)
    since, until = period
    dated = ledger.documents_dated(since, until) if since and until and hasattr(ledger, "documents_dated") else None
    return reconcile(shop, ledger.documents(sorted(shop.documents)), ledger=ledger.name, period=period,
                     ledger_in_period=dated)


if __name__ == "__main__":
    sys.exit(main())
