"""The generated restaurant (K-Series) booked in Exact: tips on their own VAT-free line, service charges at the VAT
rate of what they were charged on, split bills as one invoice, the refund as a credit of its own."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import harness

SOURCE, DESTINATION = "lightspeed_kseries", "exact"


def test_given_a_restaurant_when_piped_into_exact_then_tips_carry_no_vat_and_service_charges_the_line_rate(
        tmp_path: Path) -> None:
    servers = harness.start_sandbox(seed="restaurant", orders=40, names=[SOURCE, DESTINATION], **harness.FAST_LIMITS)
    try:
        harness.prepare(tmp_path, SOURCE, DESTINATION, servers)
        run = harness.run_pipe(tmp_path, SOURCE, DESTINATION)
        assert run.returncode == 0, run.errors or run.stderr[-2000:]
        orders = [o for o in run.source_records if harness.bookable(o)]
        vendor: Any = servers[DESTINATION].vendor
        documents = {str(d["YourRef"]): d for d in [*vendor.invoices(), *vendor.sales_entries(),
                                                   *vendor.sales_orders()]}
        no_vat = {str(c["Code"]) for c in vendor.vat_codes() if c["Type"] == "N"}

        tipped = [o for o in orders if any(line["sku"] == "TIP" for line in o["lines"])]
        serviced = [o for o in orders if any(line["sku"] == "SERVICE" for line in o["lines"])]
        split = [o for o in orders if len(o["payments"]) > 1]
        refunds = [o for o in orders if o["payment_status"] == "refunded"]
        assert tipped and serviced and split and refunds, "the generated restaurant lacks a case"
        rates = Counter(line["tax_rate"] for o in orders for line in o["lines"] if line["sku"] not in ("TIP",))
        assert {"9", "21"} <= set(rates), rates

        for order in tipped:
            lines = _lines(documents[f"{SOURCE}:{order['reference']}"])
            tip = sum(Decimal(line["total_incl"]) for line in order["lines"] if line["sku"] == "TIP")
            booked = [line for line in lines if line.get("ItemCode") == "TIP"]
            assert sum(Decimal(str(line["AmountFC"])) for line in booked) == tip
            assert all(Decimal(str(line["VATPercentage"])) == 0 and str(line["VATCode"]) in no_vat
                       for line in booked), booked
        for order in serviced:
            lines = _lines(documents[f"{SOURCE}:{order['reference']}"])
            wanted = sorted(Decimal(line["tax_rate"]) / 100 for line in order["lines"] if line["sku"] == "SERVICE")
            assert sorted(Decimal(str(line["VATPercentage"])) for line in lines
                          if line.get("ItemCode") == "SERVICE") == wanted
        for order in split:  # a bill paid by cash and card is still one invoice, to the cent
            document = documents[f"{SOURCE}:{order['reference']}"]
            assert Decimal(str(document["AmountFC"])) == Decimal(order["totals"]["grand_total"])
        for order in refunds:
            assert Decimal(str(documents[f"{SOURCE}:{order['reference']}"]["AmountFC"])) < 0
    finally:
        for server in servers.values():
            server.stop()


def _lines(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document.get("SalesInvoiceLines") or document.get("SalesEntryLines") or
                document.get("SalesOrderLines") or [])
