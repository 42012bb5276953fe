"""source-exact-online against the Exact stand-in: first and incremental reads, state, deletions, shipments of our
orders, warehouses and stock figures, Exact's limits (calls per 10,000 stock positions), check, secrets."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from airbyte_cdk.models import Status
from airbyte_cdk.test.entrypoint_wrapper import _run_command
from exact_harness import START, TICK, exact_config, run_read, user_session

import sandbox
from connector_common.protocol import serialize
from connector_common.testing import SimulatedClock
from sandbox.core import SandboxServer
from sandbox.exact import ExactOnline
from source_exact_online import SourceExactOnline


def vendor(server: SandboxServer) -> ExactOnline:
    assert isinstance(server.vendor, ExactOnline)
    return server.vendor


def by_sku(records: list[dict[str, Any]], location: str = "1") -> dict[str, dict[str, Any]]:
    return {r["sku"]: r for r in records if r["location"] == location}


def test_given_catalogue_when_first_read_then_every_stock_position_item_and_customer_arrives(exact, clock):
    run = run_read(exact_config(exact.base_url), clock)

    positions = vendor(exact).stock_positions()
    levels = run.records("stock_levels")
    assert len(levels) == len(positions) and len({r["source_id"] for r in levels}) == len(positions)
    for row in positions:
        level = by_sku(levels, row["WarehouseCode"])[row["ItemCode"]]
        assert (Decimal(level["available"]), Decimal(level["on_hand"])) == (row["FreeStock"], row["CurrentStock"])
    assert {r["sku"] for r in run.records("products")} == {i["Code"].strip() for i in vendor(exact).items()}
    customers = [a for a in vendor(exact).accounts() if a.get("Status") == "C"]
    assert {r["source_id"] for r in run.records("customers")} == {a["ID"] for a in customers}
    assert {r.get("email") for r in run.records("customers")} == {a.get("Email") or None for a in customers}
    assert run.records("shipments") == []  # nothing delivered yet
    assert set(run.stream_state("stock_levels")) == {"sync/Inventory/StockPositions", "sync/Deleted"}


def test_given_a_read_when_read_again_with_its_state_then_nothing_new_and_same_state(exact, clock):
    first = run_read(exact_config(exact.base_url), clock)

    second = run_read(first.config, clock, first.state())

    assert Counter(m.record.stream for m in second.output.records) == Counter()
    for stream in ("stock_levels", "shipments", "products", "customers"):
        assert second.stream_state(stream) == first.stream_state(stream)


def test_given_stock_changes_when_read_incrementally_then_only_changed_positions_with_free_stock(exact, clock):
    first = run_read(exact_config(exact.base_url), clock, streams=("stock_levels",))
    sku_a, sku_b = sorted(by_sku(first.records("stock_levels")))[:2]
    exact_vendor = vendor(exact)
    exact_vendor.set_stock(sku_a, "1", 30)  # a stock count
    exact_vendor.book_order("shopify:#1001", {sku_a: 4})  # reserves 4: free stock 26

    second = run_read(first.config, clock, first.state(), streams=("stock_levels",))

    levels = second.records("stock_levels")
    assert [(r["sku"], r["location"]) for r in levels] == [(sku_a, "1")]  # one row per change, latest last
    assert (levels[-1]["available"], levels[-1]["on_hand"], levels[-1]["reserved"]) == ("26", "30", "4")
    assert sku_b not in {r["sku"] for r in levels}


def test_given_configured_warehouse_and_current_figure_when_read_then_only_that_warehouse_in_stock(exact, clock):
    exact_vendor = vendor(exact)
    sku = exact_vendor.stock_positions()[0]["ItemCode"]
    exact_vendor.book_order("shopify:#1002", {sku: 1}, warehouse="2")

    run = run_read(exact_config(exact.base_url, warehouses=["2"], stock_figure="current"), clock,
                   streams=("stock_levels",))

    levels = run.records("stock_levels")
    assert levels and {r["location"] for r in levels} == {"2"}
    row = next(p for p in exact_vendor.stock_positions() if p["ItemCode"] == sku and p["WarehouseCode"] == "2")
    assert by_sku(levels, "2")[sku]["available"] == str(row["CurrentStock"])  # not the free stock
    assert any("warehouses not configured were left out" in m for m in run.logs())


def test_given_delivered_orders_when_read_then_shipments_of_our_orders_and_others_counted(exact, clock):
    first = run_read(exact_config(exact.base_url), clock, streams=("shipments",))
    exact_vendor = vendor(exact)
    sku_a, sku_b = (p["ItemCode"] for p in exact_vendor.stock_positions()[:2])
    ours = exact_vendor.book_order("shopify:#1001", {sku_a: 2, sku_b: 1})
    typed = exact_vendor.book_order("PO-2024-17", {sku_a: 1})  # entered by a user, not booked by us
    exact_vendor.deliver(ours["OrderNumber"], tracking_number="3SABC123", shipping_method="POSTNL",
                         quantities={sku_a: 2})
    exact_vendor.deliver(typed["OrderNumber"])

    second = run_read(first.config, clock, first.state(), streams=("shipments",))

    [shipment] = second.records("shipments")
    assert (shipment["order_source"], shipment["order_reference"]) == ("shopify", "#1001")
    assert [(line["sku"], line["quantity"]) for line in shipment["lines"]] == [(sku_a, "2")]
    assert (shipment["tracking_number"], shipment["carrier"]) == ("3SABC123", "PostNL")
    assert shipment["tracking_url"] == "https://postnl.example/track?code=3SABC123"
    [warning] = [m for m in second.logs("WARN") if m.startswith("shipments:")]
    assert "1 goods deliveries skipped" in warning and f"sales order {typed['OrderNumber']}" in warning
    third = run_read(second.config, clock, second.state(), streams=("shipments",))
    assert third.records("shipments") == []


def test_given_price_and_contact_changes_when_read_then_the_product_and_customer_again(exact, clock):
    first = run_read(exact_config(exact.base_url), clock, streams=("products", "customers"))
    exact_vendor = vendor(exact)
    item = next(i for i in exact_vendor.items() if i.get("IsStockItem"))
    account = next(a for a in exact_vendor.accounts() if a.get("Status") == "C" and a.get("MainContact"))
    session, api = user_session(exact.base_url)
    assert session.post(f"{api}/logistics/SalesItemPrices", json={
        "Item": item["ID"], "Price": 99.0, "Currency": "EUR", "Quantity": 1.0, "StartDate": "2024-05-01T00:00:00"}).status_code == 201
    assert session.put(f"{api}/crm/Contacts(guid'{account['MainContact']}')",
                       json={"FirstName": "Gewijzigd"}).status_code == 204

    second = run_read(first.config, clock, first.state(), streams=("products", "customers"))

    [product] = second.records("products")
    assert (product["sku"], product["price_excl"]) == (item["Code"].strip(), "99.00")
    [customer] = second.records("customers")
    assert (customer["source_id"], customer["first_name"]) == (account["ID"], "Gewijzigd")


def test_given_deleted_item_when_read_again_then_deletion_reported_not_propagated(exact, clock):
    first = run_read(exact_config(exact.base_url), clock, streams=("products",))
    item = next(i for i in vendor(exact).items() if i.get("IsStockItem"))
    session, api = user_session(exact.base_url)
    response = session.delete(f"{api}/logistics/Items(guid'{item['ID']}')")
    assert response.status_code == 204, response.text

    second = run_read(first.config, clock, first.state(), streams=("products",))

    assert second.records("products") == []
    [warning] = [m for m in second.logs("WARN") if m.startswith("products:")]
    assert "1 record(s) were deleted in Exact" in warning and item["ID"] in warning
    assert second.stream_state("products")["sync/Deleted"] > first.stream_state("products")["sync/Deleted"]


def test_given_start_date_after_the_seed_when_first_read_then_only_later_products(exact, clock):
    config = exact_config(exact.base_url, start_date="2024-05-01T09:00:00Z")  # the seed is from 08:00
    clock.now = START + 7200  # 10:00Z
    vendor(exact).add_stock_item("NIEUW-1", "Nieuw artikel", price="10.00", stock={"1": 3})

    run = run_read(config, clock, streams=("products", "stock_levels"))

    assert [r["sku"] for r in run.records("products")] == ["NIEUW-1"]
    assert len(run.records("stock_levels")) == len(vendor(exact).stock_positions())  # stock: always the full picture


def test_given_10000_stock_positions_when_read_then_ten_sync_pages_within_the_minutely_limit():
    clock = SimulatedClock(now=START, tick=TICK)
    server = sandbox.start("exact", clock=clock, daily_limit=None, minutely_limit=5)
    try:
        exact_vendor = vendor(server)
        for n in range(5000):
            exact_vendor.add_stock_item(f"SKU-{n:05d}", f"Artikel {n}", stock={"1": n % 40, "2": n % 7})
        server.clear_log()

        run = run_read(exact_config(server.base_url), clock, streams=("stock_levels",))

        assert len(run.records("stock_levels")) == 10_000
        calls = Counter(r.path.split("/api/v1/")[-1].split("/", 1)[-1] for r in server.requests()
                        if "/oauth2/" not in r.path)
        assert calls["sync/Inventory/StockPositions"] == 10
        assert sum(calls.values()) <= 12  # + sync/Deleted and current/Me
        assert [r for r in server.requests() if r.status == 429] == []  # paced by X-RateLimit-Minutely-*
        assert clock.total_slept > 0
    finally:
        server.stop()


def test_given_wrong_client_secret_when_check_then_failed_with_one_line_and_no_secret(exact, tmp_path: Path):
    good = exact_config(exact.base_url)
    bad = exact_config(exact.base_url)
    bad["credentials"] = good["credentials"] | {"client_secret": "not-the-secret-4f1b9c"}
    statuses = []
    for config in (good, bad):
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        output = _run_command(SourceExactOnline(str(path)), ["check", "--config", str(path)])
        statuses.append(output.connection_status_messages[0].connectionStatus)
        assert "not-the-secret-4f1b9c" not in "\n".join(serialize(m) for m in output.get_message_iterator())

    assert [s.status for s in statuses] == [Status.SUCCEEDED, Status.FAILED]
    assert statuses[1].message and "\n" not in statuses[1].message


def test_given_reads_with_rotating_tokens_when_printed_then_no_secret_outside_the_control_message(exact, clock):
    first = run_read(exact_config(exact.base_url), clock)
    clock.now += 700  # the access token (600 s) has expired: the second read rotates again
    second = run_read(first.config, clock, first.state())

    secrets = {ExactOnline.CLIENT_SECRET, ExactOnline.REFRESH_TOKEN, first.config["credentials"]["refresh_token"],
               first.config["credentials"]["access_token"], second.config["credentials"]["refresh_token"]}
    assert first.controls and second.controls  # each rotation is handed to the platform
    for run in (first, second):
        printed = "\n".join(serialize(m) for m in run.messages) + (run.output.stderr or "")
        assert not [s for s in secrets if s in printed]


def _without_read_time(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in r.items() if k != "updated_at"} for r in records), key=lambda r: r["source_id"])


def test_given_429s_5xx_and_dropped_connections_when_read_then_the_same_records_as_a_clean_read(exact, clock):
    exact_vendor = vendor(exact)
    sku = exact_vendor.stock_positions()[0]["ItemCode"]
    order = exact_vendor.book_order("shopify:#1001", {sku: 1})
    exact_vendor.deliver(order["OrderNumber"], tracking_number="3SFAULT1", shipping_method="DHL")
    clean = run_read(exact_config(exact.base_url), clock)
    for kind in ("429", "500", "503", "drop"):  # seeded: the same calls fail on every run
        exact.add_fault(kind, rate=0.2, count=3, path=r"^/api/v1/\d+/")

    faulty = run_read(clean.config, clock)

    assert len({r.fault for r in exact.requests() if r.fault}) >= 3  # several kinds, each survived
    for stream in ("stock_levels", "shipments", "products", "customers"):
        assert _without_read_time(faulty.records(stream)) == _without_read_time(clean.records(stream)), stream


def test_given_the_daily_limit_used_up_when_read_then_a_clear_error_and_the_next_day_resumes(clock):
    server = sandbox.start("exact", seed="demo", orders=10, catalogue=True, clock=clock)  # 5,000 calls a day
    try:
        first = run_read(exact_config(server.base_url), clock, streams=("stock_levels",))
        level = first.records("stock_levels")[0]
        vendor(server).set_stock(level["sku"], level["location"], 3)
        server.add_fault("daily_limit", every=1, count=1, path=r"/sync/Inventory/")

        refused = run_read(first.config, clock, first.state(), streams=("stock_levels",), expect_error=True)

        errors = [m.trace.error.message for m in refused.messages if m.trace and m.trace.error]
        assert errors[0] == "stock_levels: Exact Online's daily API limit for this division is used up", errors
        assert [r.status for r in server.requests() if "/sync/Inventory/" in r.path][-1:] == [429]
        assert len([r for r in server.requests() if "/sync/Inventory/" in r.path]) == 2  # the 429 never retried
        harness_roll_day(server)
        resumed = run_read(refused.config, clock, first.state(), streams=("stock_levels",))
        assert [(r["sku"], r["on_hand"]) for r in resumed.records("stock_levels")] == [(level["sku"], "3")]
    finally:
        server.stop()


def harness_roll_day(server: SandboxServer) -> None:
    """Midnight: the used-up daily quota is available again."""
    for counter in vendor(server).limits.counters.values():
        counter.day_exhausted, counter.day_used = "", 0
