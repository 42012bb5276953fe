"""The 2 x 2 matrix: every source piped into every destination through real processes, run twice."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import harness

BOOKABLE = {"paid", "partially_refunded", "refunded"}
PAIRS = [("shopify", "exact"), ("shopify", "eaccounting"), ("lightspeed_ecom", "exact"),
         ("lightspeed_retail", "eaccounting"), ("lightspeed_kseries", "exact"), ("lightspeed_xseries", "eaccounting")]


def bookable(order: dict) -> bool:
    return order["payment_status"] in BOOKABLE and not order["cancelled"] and not order.get("test", False)


@pytest.mark.parametrize(("source", "destination"), PAIRS, ids=[f"{s}-{d}" for s, d in PAIRS])
def test_given_a_shop_when_piped_twice_then_one_document_per_order_to_the_cent_and_rerun_adds_nothing(
        tmp_path: Path, source: str, destination: str) -> None:
    servers = harness.start_sandbox(seed="pipes", orders=40, names=[source, destination], **harness.FAST_LIMITS)
    try:
        harness.prepare(tmp_path, source, destination, servers)
        first = harness.run_pipe(tmp_path, source, destination)
        assert first.returncode == 0, first.errors or first.stderr[-2000:]
        orders = {o["source_id"]: o for o in first.source_records}
        expected = {o["reference"]: Decimal(o["totals"]["grand_total"]) for o in orders.values() if bookable(o)}
        assert len(expected) >= 20

        documents = [b for b in harness.ledger(destination, servers[destination]) if b.kind == "document"]
        per_reference = Counter(b.reference for b in documents)
        assert all(n == 1 for n in per_reference.values()), per_reference.most_common(3)
        booked = {harness.order_reference(b.reference): b.total for b in documents}
        assert booked == expected  # exactly the bookable orders, each to the cent
        assert first.state, "the destination echoed no state"

        second = harness.run_pipe(tmp_path, source, destination)  # state passed the way Airbyte passes it
        assert second.returncode == 0, second.errors or second.stderr[-2000:]
        assert len(second.source_records) < len(first.source_records)
        again = [b for b in harness.ledger(destination, servers[destination]) if b.kind == "document"]
        assert len(again) == len(documents)
    finally:
        for server in servers.values():
            server.stop()
