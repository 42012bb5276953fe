"""Per-order notices of a destination's write: one reason code and message each, counted for the SUMMARY line and
written into the booking report's row of the order (connector_common.report), so nothing is decided silently."""

from __future__ import annotations

from collections import Counter
from typing import Any

from connector_common.errors import RecordError, quoted
from connector_common.model import Order, dropped_zero_lines
from connector_common.report import Recorder
from connector_common.vat import OwedVat, invalid_vat_number_note

# The reason codes (stable: the SUMMARY's `notices` counts them, scripts and the booking report rely on them).
INVALID_VAT_NUMBER = "invalid_vat_number"  # a company's EU VAT number fails its check digits: not reverse charge
CHANGED_AFTER_BOOKING = "changed_after_booking"  # the shop's order differs from the document booked for it
ZERO_LINE_DROPPED = "zero_line_dropped"  # a line of quantity 0 and amount 0 left out of the document

MAX_LISTED = 50  # notices listed by text in the SUMMARY (all of them are counted)


class Notices:
    """What a Booker tells about an order it booked (or refused) beyond its outcome."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.counts: Counter[str] = Counter()
        self.listed: list[str] = []

    def add(self, code: str, message: str) -> None:
        """One notice on the order the write loop is at: `message` names the order (reference) and what to check."""
        self.counts[code] += 1
        text = f"{code}: {message}"
        if len(self.listed) < MAX_LISTED:
            self.listed.append(text)
        self.recorder.note(text)

    def booked(self, order: Order, *, is_company: bool, owed: OwedVat | None = None) -> None:
        """The notices of an order just booked (or planned in a dry run): lines left out, an invalid VAT number (with
        `owed`, the 0 % order was booked at the VAT owed instead: `connector_common.vat.owed_vat`)."""
        for i in dropped_zero_lines(order):
            self.add(ZERO_LINE_DROPPED, f"order {order.reference}: line {i + 1} ({quoted(order.lines[i].title)}) has "
                                        "quantity 0 and amount 0: left out of the document")
        ref = order.customer
        note = owed.note if owed else invalid_vat_number_note(ref.vat_number if ref else None, is_company=is_company)
        if note:
            self.add(INVALID_VAT_NUMBER, f"order {order.reference}: {note}")

    def refusal(self, code: str, key: str | None, field: str | None, message: str) -> RecordError:
        """The error for an order refused for a reason with a code: counted here, and the write loop skips it (the
        booking report shows the message as the order's reason; the run fails like any other skip)."""
        self.counts[code] += 1
        return RecordError("orders", key, field, f"{code}: {message}")

    def summary(self) -> dict[str, Any]:
        """The SUMMARY keys: counts per reason code and the first notices by text (empty when there were none)."""
        return {"notices": dict(self.counts), "notice_list": list(self.listed)} if self.counts else {}
