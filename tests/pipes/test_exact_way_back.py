"""The way back, ledger to ledger: `source-exact-online read | destination-eaccounting write` for products and
customers. Exact items arrive as eAccounting articles (by SKU = article number) and Exact customer accounts as
eAccounting customers (by e-mail), the "update existing" switches are respected, and a second run changes nothing."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

import harness
from connector_common.wire import email_key

STREAMS = ("products", "customers")


def source_records(workdir: Path, stream: str) -> list[dict[str, Any]]:
    return [m["record"]["data"] for m in map(json.loads, harness.output_lines(workdir / "source_output.jsonl"))
            if m["type"] == "RECORD" and m["record"]["stream"] == stream]


def writes(server: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests() if r.method in ("POST", "PUT", "DELETE")
            and "/connect/" not in r.path]


def exact_user(server: Any) -> tuple[requests.Session, str]:
    """An Exact user editing in the web app, on their own token chain (consent -> code -> token)."""
    vendor = server.vendor
    code = parse_qs(urlsplit(requests.get(
        f"{server.base_url}/api/oauth2/auth", allow_redirects=False, timeout=10,
        params={"client_id": vendor.CLIENT_ID, "redirect_uri": vendor.REDIRECT_URI, "response_type": "code"},
    ).headers["Location"]).query)["code"][0]
    token = requests.post(f"{server.base_url}/api/oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": vendor.REDIRECT_URI,
        "client_id": vendor.CLIENT_ID, "client_secret": vendor.CLIENT_SECRET}).json()
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"})
    return session, f"{server.base_url}/api/v1/{vendor.DIVISION}"


def set_destination_option(workdir: Path, **options: Any) -> None:
    path = workdir / "destination_config.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | options))


def test_given_exact_items_and_customers_when_piped_twice_then_articles_and_customers_once_and_nothing_changes(
        tmp_path: Path) -> None:
    servers = harness.start_sandbox(seed="way-back", orders=30, names=["exact", "eaccounting"],
                                    exact={"catalogue": True, "minutely_limit": None})
    try:
        exact, eaccounting = servers["exact"].vendor, servers["eaccounting"].vendor
        harness.prepare(tmp_path, "exact", "eaccounting", servers, streams=STREAMS)

        first = harness.run_pipe(tmp_path, "exact", "eaccounting")

        assert first.returncode == 0, first.errors or first.stderr[-2000:]
        products, customers = source_records(tmp_path, "products"), source_records(tmp_path, "customers")
        items = {str(i["Code"]).strip(): i for i in exact.items()}
        assert {p["sku"] for p in products} == set(items)
        articles = {a["Number"]: a for a in eaccounting.articles()}
        assert set(items) <= set(articles)
        assert max(Counter(a["Number"] for a in eaccounting.articles()).values()) == 1
        for product in products:  # the Exact sales price excl. VAT arrives as the article's net price
            assert Decimal(str(articles[product["sku"]]["NetPrice"])) == Decimal(product["price_excl"])
        wanted = {email_key(c.get("email")) for c in customers} - {None}
        booked = Counter(email_key(c.get("EmailAddress")) for c in eaccounting.customers())
        assert wanted and wanted <= set(booked) and max(booked[e] for e in wanted) == 1

        servers["eaccounting"].clear_log()
        second = harness.run_pipe(tmp_path, "exact", "eaccounting")  # from the echoed state: nothing new in Exact

        assert second.returncode == 0, second.errors or second.stderr[-2000:]
        assert source_records(tmp_path, "products") == source_records(tmp_path, "customers") == []
        assert writes(servers["eaccounting"]) == []
        assert {s["stream"]["stream_descriptor"]["name"] for s in second.state} == set(STREAMS)

        # A price changed in Exact: with update_existing_articles off (the default) the article is left alone ...
        code = next(c for c, i in items.items() if i.get("IsStockItem"))
        exact.add_stock_item("NIEUW-ARTIKEL", "Nieuw in Exact", price="12.50")
        exact.set_price(code, "99.00")
        before = articles[code]["NetPrice"]
        third = harness.run_pipe(tmp_path, "exact", "eaccounting")
        assert third.returncode == 0, third.errors or third.stderr[-2000:]
        assert sorted(p["sku"] for p in source_records(tmp_path, "products")) == sorted([code, "NIEUW-ARTIKEL"])
        now = {a["Number"]: a for a in eaccounting.articles()}
        assert now[code]["NetPrice"] == before and Decimal(str(now["NIEUW-ARTIKEL"]["NetPrice"])) == Decimal("12.50")

        # ... and with it on, the next change updates it. The same for a customer's address and
        # update_existing_customers.
        account = next(c for c in customers if c.get("email"))
        session, api = exact_user(servers["exact"])
        moved = session.put(f"{api}/crm/Accounts(guid'{account['source_id']}')", json={"City": "Zwolle"})
        assert moved.status_code == 204, moved.text
        fourth = harness.run_pipe(tmp_path, "exact", "eaccounting")
        assert fourth.returncode == 0, fourth.errors or fourth.stderr[-2000:]
        assert [c["source_id"] for c in source_records(tmp_path, "customers")] == [account["source_id"]]
        customer = next(c for c in eaccounting.customers()
                        if email_key(c.get("EmailAddress")) == email_key(account["email"]))
        assert customer["InvoiceCity"] != "Zwolle"

        set_destination_option(tmp_path, update_existing_articles=True, update_existing_customers=True)
        exact.set_price(code, "98.00")
        assert session.put(f"{api}/crm/Accounts(guid'{account['source_id']}')",
                           json={"City": "Kampen"}).status_code == 204
        fifth = harness.run_pipe(tmp_path, "exact", "eaccounting")
        assert fifth.returncode == 0, fifth.errors or fifth.stderr[-2000:]
        assert Decimal(str({a["Number"]: a for a in eaccounting.articles()}[code]["NetPrice"])) == Decimal("98.00")
        customer = next(c for c in eaccounting.customers()
                        if email_key(c.get("EmailAddress")) == email_key(account["email"]))
        assert customer["InvoiceCity"] == "Kampen"
        assert len(eaccounting.customers()) == sum(booked.values())  # updated in place, never created twice
    finally:
        for server in servers.values():
            server.stop()
