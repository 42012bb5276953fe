"""The booking report as a person and a screen reader get it: rendered by headless Chromium where one is installed.

Chromium is driven over its DevTools protocol on a pipe (`--remote-debugging-pipe`: NUL-separated JSON on fds 3/4),
so no driver library is needed. Without Chromium (CI) the tests skip, saying so. Set REPORT_SCREENSHOT=path.png to
keep the screenshot for a look.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector_common.report import (
    CREATED,
    DocumentOutcome,
    Recorder,
    VatPart,
)

HOSTILE = '<script>alert("x")</script><b>Bold</b> & co'
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WAIT_SECONDS = 60.0  # how long to wait for one answer from the browser (not a measured limit)


def find_browser() -> str | None:
    explicit = os.environ.get("CHROMIUM")
    return explicit if explicit and Path(explicit).exists() else next(filter(None, map(shutil.which, BROWSERS)), None)


class Browser:
    """One headless Chromium page, spoken to over the DevTools pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"]
        # fd 3 is what Chromium reads, fd 4 what it writes: our stdin/stdout pipes, moved there by the shell
        self.process = subprocess.Popen(["bash", "-c", 'exec "$@" 3<&0 4>&1 </dev/null >/dev/null', "_", *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\0")
        self.process.stdin.flush()
        while True:
            answer = self._receive()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self.session, **params)

    def wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self.events):
            self.events.append(self._receive())

    def evaluate(self, expression: str) -> Any:
        return self.page("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def _receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + WAIT_SECONDS
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(fd, 1 << 20) if ready else b""
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe or did not answer")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # the browser may close the pipe before it answers
            self.call("Browser.close")
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def report_page(tmp_path: Path) -> Path:
    """A report of a booked order with two VAT rates and a credit note, a skipped and a failed order, a hostile
    title, and 40 more orders so the page is longer than one printed sheet."""
    recorder = Recorder(tmp_path / "booking", destination="Exact Online")
    orders: list[tuple[str, str, str]] = [("1", "#1001", "created"), ("2", "#1002", "skipped_unpaid"),
                                          ("3", HOSTILE, "failed")]
    orders += [(str(n), f"#{1000 + n}", "created") for n in range(10, 50)]
    for sid, reference, outcome in orders:
        recorder.begin("orders", {"source_id": sid, "reference": reference, "payment_status": "pending",
                                  "created_at": "2026-03-02T10:00:00+01:00"})
        if outcome == "failed":
            recorder.fail(f"orders/{sid}: lines[0].tax_rate: no VAT rate for country 'XX'")
            continue
        if outcome == "created":
            recorder.debtor("created debtor siobhan.visser-van-den-bergh.12@example-webshop-customers.com"
                            if sid == "1" else "matched debtor jan@example.com")
            recorder.document(DocumentOutcome("SalesInvoice", f"shopify:{reference}", CREATED, f"2470{sid:0>4}", (
                VatPart("domestic_21", "2", Decimal("21"), Decimal("100.00"), Decimal("21.00")),
                VatPart("domestic_9", "1", Decimal("9"), Decimal("10.00"), Decimal("0.90")))))
        if sid == "1":
            recorder.document(DocumentOutcome("credit_note", "shopify:#1001/R1", CREATED, "24709999", (
                VatPart("domestic_21", "2", Decimal("21"), Decimal("-10.00"), Decimal("-2.10")),)))
        recorder.finish(outcome)
    html_path, _ = recorder.save() or (None, None)
    assert html_path is not None
    return html_path


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    binary = find_browser()
    if binary is None:
        pytest.skip("no Chromium or Chrome installed (apt-get install chromium, or set CHROMIUM=path): the rendered "
                    "report is not checked here; test_report.py checks its HTML")
    opened = Browser(binary, tmp_path / "profile")
    try:
        opened.page("Page.enable")
        opened.page("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        yield opened
    finally:
        opened.close()


def open_report(browser: Browser, page: Path) -> None:
    browser.page("Page.navigate", url=page.as_uri())
    browser.wait_for("Page.loadEventFired")


def test_given_the_report_in_a_browser_then_a_person_sees_headings_totals_reasons_and_the_hostile_title_as_text(
        browser: Browser, tmp_path: Path) -> None:
    open_report(browser, report_page(tmp_path))

    text = browser.evaluate("document.body.innerText")
    for seen in ("Booking report: Exact Online", "What to check", "Totals per VAT scenario",
                 "Totals per document type", "not paid: payment status pending",
                 "orders/3: lines[0].tax_rate: no VAT rate for country 'XX'", HOSTILE):
        assert seen in text, seen
    assert browser.evaluate("document.querySelectorAll('script, b').length") == 0
    # the 'Total' row of the document-type table as printed: 41 invoices of 131.90 and a credit note of -12.10
    footer = browser.evaluate("document.querySelector('#totals-type ~ table tfoot').innerText")
    assert footer.split() == ["Total", "42", "4,500.00", "895.80", "5,395.80"]
    scenario_footer = browser.evaluate("document.querySelector('#totals-scenario ~ table tfoot').innerText")
    assert scenario_footer.split() == ["Total", "42", "4,500.00", "895.80", "5,395.80"]  # documents counted once
    date_cell = browser.evaluate("document.querySelector('#orders ~ table tbody td').getClientRects().length")
    assert date_cell == 1
    width = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways at 1280 px"
    layout = browser.page("Page.getLayoutMetrics")["cssContentSize"]
    shot = browser.page("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": min(layout["height"], 1400), "scale": 1})
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(png)


def ax_nodes(browser: Browser) -> list[tuple[str, str]]:
    """(role, accessible name) of every node a screen reader is given."""
    tree = browser.page("Accessibility.getFullAXTree")["nodes"]
    return [(n.get("role", {}).get("value", ""), str(n.get("name", {}).get("value", ""))) for n in tree
            if not n.get("ignored")]


def test_given_the_report_then_a_screen_reader_gets_named_tables_with_column_and_row_headers(
        browser: Browser, tmp_path: Path) -> None:
    open_report(browser, report_page(tmp_path))

    nodes = ax_nodes(browser)
    tables = [name for role, name in nodes if role == "table"]
    assert tables == ["Totals per VAT scenario (EUR; documents created or planned in this run)",
                      "Totals per document type (EUR; documents created or planned in this run)",
                      "Every order of this run: one row per document, or one row for an order that was not booked"]
    headings = [name for role, name in nodes if role == "heading"]
    assert headings[:4] == ["Booking report: Exact Online", "What to check", "Totals per VAT scenario",
                            "Totals per document type"]
    column_headers = {name for role, name in nodes if role == "columnheader"}
    assert {"VAT scenario", "Net", "VAT", "Gross", "Reason or note"} <= column_headers
    row_headers = {name for role, name in nodes if role == "rowheader"}
    assert {"domestic 21", "domestic 9", "credit note", "#1001", HOSTILE} <= row_headers
    assert browser.evaluate("document.documentElement.lang") == "en"


def test_given_the_report_printed_then_table_headers_repeat_rows_do_not_split_and_it_is_several_pages(
        browser: Browser, tmp_path: Path) -> None:
    open_report(browser, report_page(tmp_path))

    browser.page("Emulation.setEmulatedMedia", media="print")
    # the printable width of an A4 landscape page with 12 mm margins (the page's @page rule), in CSS pixels
    browser.page("Emulation.setDeviceMetricsOverride", width=1031, height=700, deviceScaleFactor=1, mobile=False)
    width = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the printed page would be cut off at the right"
    styles = browser.evaluate("[getComputedStyle(document.querySelector('thead')).display, "
                              "getComputedStyle(document.querySelector('tbody tr')).breakInside]")
    assert styles == ["table-header-group", "avoid"]
    pdf = base64.b64decode(browser.page("Page.printToPDF", preferCSSPageSize=True)["data"])
    pages = max(int(n) for n in re.findall(rb"/Count (\d+)", pdf))  # the page tree's page count
    assert pdf.startswith(b"%PDF") and pages >= 2
    keep = os.environ.get("REPORT_SCREENSHOT")
    if keep:
        Path(keep).with_suffix(".pdf").write_bytes(pdf)
