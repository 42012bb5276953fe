"""Shopify's documented example orders replayed through the stand-in (`serve --shopify-orders`) and read by
`source-shopify-orders`: every order comes out with Shopify's own grand total and tax total to the cent, its
discounts and its shipping; the stand-in's REST endpoint serves the payload back as loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

import harness
from sandbox.shopify import Shopify
from sandbox.shopify.replay import iter_orders

FIXTURES = Path(__file__).parents[2] / "sandbox" / "tests" / "fixtures" / "shopify_rest"
CENT = Decimal("0.01")
TOKEN = {"X-Shopify-Access-Token": Shopify.ACCESS_TOKEN}


@pytest.fixture
def replayed() -> Iterator[str]:
    """`python -m sandbox serve --only shopify --shopify-orders FIXTURES` (no generated orders): its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "serve", "--only", "shopify", "--orders", "0",
                             "--shopify-orders", str(FIXTURES), "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "serve printed nothing"
        yield json.loads(line)["shopify"]["base_url"]  # serve --json: {name: {"base_url", "credentials"}}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def read_orders(base_url: str, workdir: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    config = {"shop": "demo-shop", "api_base_url": base_url, "start_date": "2000-01-01T00:00:00Z",
              "credentials": {"auth_method": "access_token", "access_token": Shopify.ACCESS_TOKEN}}
    (workdir / "config.json").write_text(json.dumps(config))
    (workdir / "catalog.json").write_text(json.dumps(harness.catalog()))
    proc = subprocess.run([str(harness.BIN / "source-shopify-orders"), "read", "--config",
                           str(workdir / "config.json"), "--catalog", str(workdir / "catalog.json")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    records = {m["record"]["data"]["source_id"]: m["record"]["data"] for m in messages if m["type"] == "RECORD"}
    warnings = [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN"]
    assert not [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    return records, warnings


def test_documented_orders_read_with_shopifys_totals_discounts_and_shipping(replayed: str, tmp_path: Path) -> None:
    payloads = {str(o["id"]): o for o in iter_orders(FIXTURES)}
    assert {o["name"] for o in payloads.values()} == {"#1001", "#2101", "#2102", "#2103"}
    records, warnings = read_orders(replayed, tmp_path)
    assert set(records) == set(payloads)  # 9007199254740993 (beyond 2**53) stays exact
    for source_id, raw in payloads.items():
        record, totals = records[source_id], records[source_id]["totals"]
        assert record["reference"] == raw["name"]
        assert money(totals["grand_total"]) == money(raw["total_price"]), raw["name"]
        assert money(totals["tax_total"]) == money(raw["total_tax"]), raw["name"]
        assert money(totals["discount_incl"]) == money(raw["total_discounts"]), raw["name"]
        applied = {a["code"] for a in raw["discount_applications"] if a.get("code")} if "discount_applications" \
            in raw else set()
        assert {d["code"] for d in record["discounts"]} == applied, raw["name"]
        shipping_field = "amount_incl" if raw["taxes_included"] else "amount_excl"
        assert [(s["title"], money(s[shipping_field])) for s in record["shipping_lines"]] == \
            [(s["title"], money(s.get("discounted_price", s["price"]))) for s in raw["shipping_lines"]], raw["name"]
        assert [line["sku"] for line in record["lines"]] == [li["sku"] for li in raw["line_items"]]
    # Multi-rate VAT per rate as Shopify reported it, the refund with its amount, B2B's VAT-exclusive shipping tax.
    assert {t["rate"]: money(t["amount"]) for t in records["5810231001"]["totals"]["tax_lines"]} == \
        {"9": Decimal("3.24"), "21": Decimal("10.31")}
    assert money(records["5810231002"]["totals"]["refunded_total"]) == Decimal("30.25")
    assert [money(r["total_incl"]) for r in records["5810231002"]["refunds"]] == [Decimal("30.25")]
    assert money(records["9007199254740993"]["shipping_lines"][0]["tax_amount"]) == Decimal("3.15")
    # Shopify's own #1001 does not add up (3 lines of 199.00 against total_line_items_price 398.00, tax only on the
    # order): the source says so instead of bending its totals.
    assert any(w.startswith("orders/450789469 (#1001): totals do not reconcile") for w in warnings)
    assert not [w for w in warnings if "#1001" not in w]


def test_rest_serves_the_replayed_payload_back_as_loaded(replayed: str) -> None:
    resp = requests.get(f"{replayed}/admin/api/2026-10/orders.json?status=any&limit=250", headers=TOKEN,
                        timeout=10)
    assert resp.status_code == 200
    served = {o["id"]: o for o in json.loads(resp.text, parse_float=Decimal)["orders"]}
    for raw in iter_orders(FIXTURES):
        assert served[raw["id"]] == raw  # unknown fields (payment_details, total_price_usd ...) included
    single = requests.get(f"{replayed}/admin/api/2026-10/orders/9007199254740993.json", headers=TOKEN, timeout=10)
    assert '"id": 9007199254740993' in single.text or '"id":9007199254740993' in single.text
    assert json.loads(single.text, parse_float=Decimal)["order"]["total_price"] == Decimal("1228.15")


def test_a_file_that_is_not_an_order_is_named_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text((FIXTURES / "order_1001_shopify_python_api.json").read_text())
    (tmp_path / "customers.json").write_text(json.dumps({"customers": [{"id": 1, "email": "a@example.com"}]}))
    proc = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--only", "shopify", "--shopify-orders",
                           str(tmp_path)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path / 'customers.json'}: not a Shopify order: no 'id' and no " \
                                  "'line_items' field (keys: customers)"
