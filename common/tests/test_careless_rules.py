"""The shared rules for careless input (issue 16): zero-quantity lines, implausible amounts, per-order notices."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from connector_common.model import AmountLimit, dropped_zero_lines, implausible_amount, zero_line_problem
from connector_common.notices import CHANGED_AFTER_BOOKING, ZERO_LINE_DROPPED, Notices
from connector_common.report import Recorder
from connector_common.testing import make_line, make_order

LIMIT = AmountLimit(D("99000000"), "a documented maximum")


def test_given_zero_quantity_lines_then_one_without_amount_is_dropped_and_one_with_an_amount_is_a_problem():
    free = make_line("GIFT", 0, "5.00", "21")
    order = make_order(lines=[make_line("A", 1, "12.10", "21"), free])

    assert zero_line_problem(free) is None and dropped_zero_lines(order) == [1]
    priced = replace(free, total_incl=D("12.10"), total_excl=D("10.00"), tax_amount=D("2.10"))
    assert zero_line_problem(priced) == ("quantity is 0 but the line amounts to 12.10 incl. VAT (10.00 excl.): a line "
                                         "of quantity 0 is only left out when its amount is 0 too")
    assert zero_line_problem(make_line("A", 1, "12.10", "21")) is None


def test_given_amounts_then_the_line_beyond_the_ledger_and_a_total_above_the_maximum_are_named():
    beyond = make_order(lines=[make_line("A", 1, "100000000.00", "21")])
    big = make_order(lines=[make_line("A", 1, "2000000.00", "21")])
    negative = make_order(lines=[make_line("A", 1, "50.00", "21"), make_line("B", 1, "-10.00", "21")])

    assert implausible_amount(beyond, max_order_total=None, limit=LIMIT) == (
        "lines.0.unit_price_incl", "100000000.00 EUR is beyond the largest amount the ledger holds (99000000: a "
                                   "documented maximum)")
    field, message = implausible_amount(big, max_order_total=D(1_000_000), limit=LIMIT) or ("", "")
    assert field == "totals.grand_total" and message.startswith("order total 2000000.00 EUR is above max_order_total")
    assert implausible_amount(big, max_order_total=None, limit=LIMIT) is None  # "0" in the config: no maximum
    assert implausible_amount(negative, max_order_total=D(1_000_000), limit=LIMIT) is None


def test_given_notices_then_counted_by_code_listed_and_noted_on_the_order_in_the_report():
    recorder = Recorder("unused")
    notices = Notices(recorder)
    recorder.begin("orders", {"source_id": "1", "reference": "#1"})
    notices.add(ZERO_LINE_DROPPED, "order #1: line 2 left out")
    refusal = notices.refusal(CHANGED_AFTER_BOOKING, "1", "totals.grand_total", "changed after booking")
    recorder.fail(str(refusal))

    assert notices.summary() == {"notices": {ZERO_LINE_DROPPED: 1, CHANGED_AFTER_BOOKING: 1},
                                 "notice_list": ["zero_line_dropped: order #1: line 2 left out"]}
    assert str(refusal).endswith("totals.grand_total: changed_after_booking: changed after booking")
    assert recorder.orders[0].notes == ["zero_line_dropped: order #1: line 2 left out"]
    assert Notices(Recorder()).summary() == {}
