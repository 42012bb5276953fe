"""The booking report: one row per booked document (or per skipped/failed order) as an HTML page and a CSV.

The write loop opens and closes each record on a `Recorder`; between those, the destination's booker says which
debtor it used, which documents it created (or would create) and any note. `write_report` turns the outcomes into
`<stem>.html` (semantic, printable, no script) and `<stem>.csv` (one row per document and VAT part, so the net, VAT
and gross columns sum to the totals). Every shop text is escaped.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from connector_common.errors import ConfigError

ZERO = Decimal("0.00")
CREATED, WOULD_CREATE, ALREADY_BOOKED = "created", "would create", "already booked"
BOOKED, DRY_RUN, EXISTS, SKIPPED, FAILED = "booked", "dry run", "already booked", "skipped", "failed"
SKIP_REASONS = {
    "skipped_cancelled": "cancelled in the shop (skip_cancelled is on)",
    "skipped_unpaid": "not paid: payment status {payment_status}",
    "skipped_test": "a test order (skip_test_orders is on)",
}
STOPPED = "not booked: the sync stopped here"  # the reason's start when an API or config error ends the write
CSV_COLUMNS = ("shop_reference", "order_id", "date", "status", "document_type", "document_status", "document_number",
               "booking_reference", "debtor", "vat_scenario", "vat_code", "vat_rate", "net", "vat", "gross", "reason")


@dataclass(frozen=True, slots=True)
class VatPart:
    """The amounts of one document booked under one VAT scenario and code (signed: negative on credit notes)."""

    scenario: str
    code: str
    rate: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


class VatTotals:
    """Net, VAT and gross of a document, summed from its parts (one per VAT scenario and rate)."""

    __slots__ = ()
    parts: tuple[VatPart, ...]

    @property
    def net(self) -> Decimal:
        return sum((p.net for p in self.parts), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((p.vat for p in self.parts), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True, slots=True)
class DocumentOutcome(VatTotals):
    """One document of an order: created, would be created (dry run), or found booked by an earlier run."""

    kind: str  # the destination's document type, e.g. "sales_invoice", "credit_note", "customer_invoice_draft"
    reference: str  # our booking reference on the document
    status: str  # CREATED | WOULD_CREATE | ALREADY_BOOKED
    number: str = ""  # the ledger's document number (or ID when it has none yet)
    parts: tuple[VatPart, ...] = ()


@dataclass(slots=True)
class OrderOutcome:
    """What happened to one order record."""

    key: str  # the shop's order id (source_id)
    reference: str  # the shop's order number as the merchant sees it
    date: str
    status: str = ""  # BOOKED | DRY_RUN | EXISTS | SKIPPED | FAILED
    debtor: str = ""
    documents: list[DocumentOutcome] = field(default_factory=list)
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        """The reason (for a skipped or failed order) and every note, as one cell."""
        return "; ".join(t for t in (self.reason, *self.notes) if t)


class Recorder:
    """Collects per-order outcomes during one write. Only `orders` records are reported; without a report_path,
    outcomes are dropped as soon as they are complete, so memory stays flat."""

    def __init__(self, report_path: str | Path | None = None, *, destination: str = "", dry_run: bool = False) -> None:
        if report_path is not None:
            check_writable(report_path)
        self.report_path = report_path
        self.destination = destination
        self.dry_run = dry_run
        self.keep = report_path is not None
        self.orders: list[OrderOutcome] = []
        self._current: OrderOutcome | None = None
        self._data: Mapping[str, Any] = {}

    def save(self) -> tuple[Path, Path] | None:
        """Write the report files when a report_path was given; returns (html, csv)."""
        if self.report_path is None:
            return None
        return write_report(self.report_path, self.orders, destination=self.destination, dry_run=self.dry_run)

    def begin(self, stream: str, data: Mapping[str, Any]) -> None:
        self._current = None
        if stream == "orders":
            self._current = OrderOutcome(key=_text(data.get("source_id")), reference=_text(data.get("reference")),
                                         date=_text(data.get("created_at"))[:10])
            self._data = data

    def debtor(self, text: str) -> None:
        if self._current is not None:
            self._current.debtor = text

    def document(self, document: DocumentOutcome) -> None:
        if self._current is not None:
            self._current.documents.append(document)

    def note(self, text: str) -> None:
        """A remark on the current order (e.g. something changed after booking); shown in the reason column."""
        if self._current is not None:
            self._current.notes.append(text)

    def finish(self, outcome: str) -> None:
        """Close the current order with the booker's outcome label ("created", "exists", "skipped_unpaid", ...)."""
        current = self._current
        if current is None:
            return
        if outcome.startswith("skipped"):
            current.status = SKIPPED
            template = SKIP_REASONS.get(outcome, outcome.removeprefix("skipped_").replace("_", " "))
            current.reason = template.format(payment_status=_text(self._data.get("payment_status")) or "unknown")
        elif any(d.status == CREATED for d in current.documents):
            current.status = BOOKED
        elif any(d.status == WOULD_CREATE for d in current.documents) or outcome == "dry_run":
            current.status = DRY_RUN
        else:
            current.status = EXISTS
        self._close()

    def fail(self, reason: str) -> None:
        """Close the current order as not booked, with the one-line error naming record and field."""
        if self._current is not None:
            self._current.status = FAILED
            self._current.reason = reason
            self._close()

    def _close(self) -> None:
        if self.keep and self._current is not None:
            self.orders.append(self._current)
        self._current = None


@dataclass(frozen=True, slots=True)
class Totals:
    documents: int = 0
    net: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    def plus(self, net: Decimal, vat: Decimal, documents: int = 0) -> Totals:
        return Totals(self.documents + documents, self.net + net, self.vat + vat)


def totals_by_scenario(orders: Iterable[OrderOutcome]) -> dict[str, Totals]:
    """Net and VAT per VAT scenario over every created or planned document (documents counted per scenario)."""
    out: dict[str, Totals] = {}
    for document in _counted(orders):
        for part in document.parts:
            out[part.scenario] = out.get(part.scenario, Totals()).plus(part.net, part.vat, 1)
    return dict(sorted(out.items()))


def totals_by_document_type(orders: Iterable[OrderOutcome]) -> dict[str, Totals]:
    out: dict[str, Totals] = {}
    for document in _counted(orders):
        out[document.kind] = out.get(document.kind, Totals()).plus(document.net, document.vat, 1)
    return dict(sorted(out.items()))


def _counted(orders: Iterable[OrderOutcome]) -> Iterable[DocumentOutcome]:
    for order in orders:
        yield from (d for d in order.documents if d.status in (CREATED, WOULD_CREATE))


def check_writable(report_path: str | Path) -> None:
    """Before anything is booked: the report's folder exists (it is created) and both files can be written there.

    Raises:
        ConfigError: naming report_path and why not.
    """
    for path in report_paths(report_path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            with path.open("a", encoding="utf-8"):
                pass
            if not existed:
                path.unlink()  # no empty report is left behind should the sync never get to write it
        except (FileExistsError, NotADirectoryError):
            raise ConfigError(f"report_path {str(report_path)!r}: cannot write {path}: part of its folder path is "
                              "a file, not a folder") from None
        except OSError as exc:
            raise ConfigError(f"report_path {str(report_path)!r}: cannot write {path}: "
                              f"{exc.strerror or type(exc).__name__}") from None


def report_paths(report_path: str | Path) -> tuple[Path, Path]:
    """`reports/booking` or `reports/booking.html` -> (reports/booking.html, reports/booking.csv)."""
    path = Path(report_path)
    stem = path.with_suffix("") if path.suffix.lower() in (".html", ".csv", ".htm") else path
    return stem.with_name(stem.name + ".html"), stem.with_name(stem.name + ".csv")


def write_report(report_path: str | Path, orders: list[OrderOutcome], *, destination: str,
                 dry_run: bool) -> tuple[Path, Path]:
    """Write the HTML page and the CSV; returns their paths."""
    html_path, csv_path = report_paths(report_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_html(orders, destination=destination, dry_run=dry_run), encoding="utf-8")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(orders))
    return html_path, csv_path


def csv_rows(orders: Iterable[OrderOutcome]) -> Iterable[list[str]]:
    """One row per document and VAT part (an order with one rate is one row); one row per order without documents."""
    for order in orders:
        head = [order.reference, order.key, order.date, order.status]
        if not order.documents:
            yield [*head, "", "", "", "", order.debtor, "", "", "", "", "", "", order.explanation]
        for document in order.documents:
            doc = [document.kind, document.status, document.number, document.reference, order.debtor]
            for part in document.parts or (None,):
                if part is None:
                    yield [*head, *doc, "", "", "", "", "", "", order.explanation]
                else:
                    yield [*head, *doc, part.scenario, part.code, _rate(part.rate), str(part.net), str(part.vat),
                           str(part.gross), order.explanation]


# -- HTML -------------------------------------------------------------------------------------------------------------
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;color:#111;background:#fff;margin:1.5rem auto;max-width:80rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}td.date{white-space:nowrap}
thead th{background:#e8e8e8}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tfoot th,tfoot td{font-weight:700;background:#f4f4f4}
tr.skipped td,tr.failed td,tr.skipped th,tr.failed th{background:#fff4e5}
.status-failed{color:#8a1c00;font-weight:700}.status-skipped{color:#7a4a00;font-weight:700}
ul.check li{margin:.25rem 0}.meta{color:#333}
td{overflow-wrap:anywhere}td.docno{overflow-wrap:normal}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:8pt}thead{display:table-header-group}th,td{padding:.15rem .3rem}
tr{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}}
"""


def render_html(orders: list[OrderOutcome], *, destination: str, dry_run: bool) -> str:
    """The report page: what to check, totals per VAT scenario and per document type, then every order."""
    e = html.escape
    title = f"Booking report: {destination}{' (dry run: nothing was written)' if dry_run else ''}"
    dates = sorted(o.date for o in orders if o.date)
    period = f"{dates[0]} to {dates[-1]}" if dates else "no orders"
    by_scenario = totals_by_scenario(orders)
    by_type = totals_by_document_type(orders)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{e(title)}</title>",
             f"<style>{STYLE}</style>", "</head>", "<body>", "<header>", f"<h1>{e(title)}</h1>",
             f'<p class="meta">{len(orders)} order(s), order dates {e(period)}.</p>', "</header>", "<main>"]
    parts += _check_block(orders, dry_run)
    parts += _totals_table("totals-scenario", "Totals per VAT scenario", "VAT scenario", by_scenario,
                           documents=sum(1 for _ in _counted(orders)))
    parts += _totals_table("totals-type", "Totals per document type", "Document type", by_type)
    parts += _orders_table(orders)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _check_block(orders: list[OrderOutcome], dry_run: bool) -> list[str]:
    e = html.escape
    problems = [o for o in orders if o.status in (SKIPPED, FAILED)]
    defaulted = sum(1 for o in orders if o.debtor.startswith("default") and o.documents)
    credit_notes = sum(1 for o in orders for d in o.documents if "credit" in d.kind and d.status != ALREADY_BOOKED)
    items = []
    if dry_run:
        items.append("This was a dry run: the documents below marked “would create” are not in the ledger.")
    if problems:
        names = ", ".join(e(o.reference or o.key) for o in problems)
        items.append(f"{len(problems)} order(s) were not booked: {names}. Their reasons are in the order table; "
                     "book them by hand or fix the cause and sync again.")
    else:
        items.append("Every order read was booked (or was booked already by an earlier run).")
    stopped = [o for o in problems if o.reason.startswith(STOPPED)]
    if stopped:
        items.append(f"The sync stopped at order {e(stopped[0].reference or stopped[0].key)}: orders after it were not "
                     "processed in this run and are not listed; the next sync continues from the last confirmed "
                     "state.")
    items.append(f"{defaulted} document(s) went to the default debtor (walk-in or anonymous sales): check that "
                 "this is the intended account.")
    items.append(f"{credit_notes} credit note(s) for refunds or returns: they are negative amounts in the totals.")
    items.append("Compare the totals per VAT scenario with the shop's own sales report for the same period, and "
                 "the VAT per scenario with the VAT return (intra-EU and OSS sales are reported separately).")
    items.append("Run <code>reconcile-bookings</code> with this report's CSV to compare it with what the ledger "
                 "holds now (missing, duplicate or differing documents).")
    return ['<section aria-labelledby="check">', '<h2 id="check">What to check</h2>', '<ul class="check">',
            *(f"<li>{item}</li>" for item in items), "</ul>", "</section>"]


def _totals_table(anchor: str, caption: str, first: str, rows: Mapping[str, Totals], *,
                  documents: int | None = None) -> list[str]:
    """A totals table; `documents` is the footer's count when a document can sit in several rows (VAT scenarios)."""
    e = html.escape
    out = [f'<section aria-labelledby="{anchor}">', f'<h2 id="{anchor}">{e(caption)}</h2>', "<table>",
           f"<caption>{e(caption)} (EUR; documents created or planned in this run)</caption>",
           f'<thead><tr><th scope="col">{e(first)}</th><th scope="col" class="num">Documents</th>'
           '<th scope="col" class="num">Net</th><th scope="col" class="num">VAT</th>'
           '<th scope="col" class="num">Gross</th></tr></thead>', "<tbody>"]
    total = Totals()
    for name, figures in rows.items():
        total = total.plus(figures.net, figures.vat, figures.documents)
        out.append(f'<tr><th scope="row">{e(_label(name))}</th><td class="num">{figures.documents}</td>'
                   f"{_money_cells(figures)}</tr>")
    shown = total.documents if documents is None else documents
    out += ["</tbody>", f'<tfoot><tr><th scope="row">Total</th><td class="num">{shown}</td>'
            f"{_money_cells(total)}</tr></tfoot>", "</table>", "</section>"]
    return out


NUM_CLASS = ' class="num"'


def _orders_table(orders: list[OrderOutcome]) -> list[str]:
    e = html.escape
    heads = ("Shop reference", "Date", "Status", "Document", "Number", "Debtor", "VAT scenario, code and rate",
             "Net", "VAT", "Gross", "Reason or note")
    numeric = {"Net", "VAT", "Gross"}
    out = ['<section aria-labelledby="orders">', '<h2 id="orders">Orders</h2>', "<table>",
           "<caption>Every order of this run: one row per document, or one row for an order that was not "
           "booked</caption>", "<thead><tr>" + "".join(
               f'<th scope="col"{NUM_CLASS if h in numeric else ""}>{e(h)}</th>' for h in heads)
           + "</tr></thead>", "<tbody>"]
    for order in orders:
        status = f'<span class="status-{e(order.status)}">{e(order.status)}</span>'
        row_class = f' class="{e(order.status)}"' if order.status in (SKIPPED, FAILED) else ""
        head = (f'<th scope="row">{e(order.reference or order.key)}</th><td class="date">{e(order.date)}</td>'
                f"<td>{status}</td>")
        if not order.documents:
            out.append(f"<tr{row_class}>{head}<td>none</td><td></td><td>{e(order.debtor)}</td><td></td>"
                       f'<td class="num"></td><td class="num"></td><td class="num"></td>'
                       f"<td>{e(order.explanation)}</td></tr>")
        for document in order.documents:
            number = document.number if document.status != WOULD_CREATE else "would create"
            vat = "<br>".join(e(f"{_label(p.scenario)}, code {p.code}, {_rate(p.rate)}\u00a0%") for p in document.parts)
            out.append(f"<tr{row_class}>{head}<td>{e(_label(document.kind))} ({e(document.status)})</td>"
                       f'<td class="docno">{e(number)}</td><td>{e(order.debtor)}</td><td>{vat}</td>'
                       f"{_money_cells(document) if document.parts else '<td></td><td></td><td></td>'}"
                       f"<td>{e(order.explanation)}</td></tr>")
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _money_cells(figures: Totals | DocumentOutcome) -> str:
    return "".join(f'<td class="num">{_money(v)}</td>' for v in (figures.net, figures.vat, figures.gross))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _rate(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def _label(name: str) -> str:
    return name.replace("_", " ")


def _text(value: object) -> str:
    return "" if value is None else str(value)
