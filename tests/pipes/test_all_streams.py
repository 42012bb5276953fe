"""Customers, products and orders piped together: each customer once (by e-mail), each product once (by SKU), each
order once, and a second run creates nothing new."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import harness
from connector_common.wire import email_key

PAIRS = [("shopify", "exact"), ("lightspeed_retail", "eaccounting"), ("lightspeed_kseries", "exact"),
         ("lightspeed_xseries", "eaccounting")]
STREAMS = ("customers", "products", "orders")


def source_records(workdir: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in STREAMS}
    for line in harness.output_lines(workdir / "source_output.jsonl"):
        message = json.loads(line)
        if message["type"] == "RECORD":
            out[message["record"]["stream"]].append(message["record"]["data"])
    return out


def customer_emails(destination: str, vendor: Any) -> Counter[str]:
    rows = vendor.accounts() if destination == "exact" else vendor.customers()
    field = "Email" if destination == "exact" else "EmailAddress"
    return Counter(email_key(r.get(field)) for r in rows if email_key(r.get(field)))


def item_codes(destination: str, vendor: Any) -> Counter[str]:
    rows = vendor.items() if destination == "exact" else vendor.articles()
    field = "Code" if destination == "exact" else "Number"
    return Counter(str(r.get(field)).strip() for r in rows)


@pytest.mark.parametrize(("source", "destination"), PAIRS, ids=[f"{s}-{d}" for s, d in PAIRS])
def test_given_customers_products_and_orders_when_piped_twice_then_each_is_upserted_once(
        tmp_path: Path, source: str, destination: str) -> None:
    servers = harness.start_sandbox(seed="streams", orders=30, names=[source, destination], **harness.FAST_LIMITS)
    try:
        vendor: Any = servers[destination].vendor
        emails_before, codes_before = customer_emails(destination, vendor), item_codes(destination, vendor)
        harness.prepare(tmp_path, source, destination, servers, streams=STREAMS)

        first = harness.run_pipe(tmp_path, source, destination)
        assert first.returncode == 0, first.errors or first.stderr[-2000:]
        records = source_records(tmp_path)
        assert records["customers"] and records["products"] and records["orders"]

        emails = customer_emails(destination, vendor)
        wanted_emails = {email_key(c.get("email")) for c in records["customers"]} - {None}
        assert wanted_emails and wanted_emails <= set(emails)
        assert [e for e, n in emails.items() if n > 1 and e not in emails_before] == []  # no customer twice
        codes = item_codes(destination, vendor)
        skus = {str(p["sku"]).strip() for p in records["products"] if p.get("sku")}
        assert skus and skus <= set(codes)
        assert [c for c, n in codes.items() if n > 1 and c not in codes_before] == []  # no item twice
        documents = [b for b in harness.ledger(destination, servers[destination]) if b.kind == "document"]
        assert documents and max(Counter(b.reference for b in documents).values()) == 1
        customers, items = sum(emails.values()), sum(codes.values())

        second = harness.run_pipe(tmp_path, source, destination)  # from the echoed state of every stream
        assert second.returncode == 0, second.errors or second.stderr[-2000:]
        assert sum(customer_emails(destination, vendor).values()) == customers
        assert sum(item_codes(destination, vendor).values()) == items
        assert len([b for b in harness.ledger(destination, servers[destination]) if b.kind == "document"]) \
            == len(documents)
        assert {s["stream"]["stream_descriptor"]["name"] for s in second.state} == set(STREAMS)
    finally:
        for server in servers.values():
            server.stop()
