"""source-lightspeed against the Retail (R-Series) stand-in: sync, incremental, leaky bucket, token rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from airbyte_cdk.models import Status
from lightspeed_harness import retail_config, run_check, run_read

import sandbox
from connector_common.model import validate_order
from connector_common.protocol import validate_line
from connector_common.records import from_record
from sandbox.core import SandboxServer
from sandbox.lightspeed_retail import LightspeedRetail
from source_lightspeed import SourceLightspeed


def _completed_sales(vendor: LightspeedRetail) -> set[str]:
    return {str(rid) for rid, sale in vendor.tables["Sale"].records.items()
            if sale.get("completed") == "true" and sale.get("voided") != "true"}


def test_given_pos_sales_when_first_sync_then_completed_sales_arrive_with_lines_payments_and_walk_ins(retail, clock):
    run = run_read(retail_config(retail.base_url), clock, streams=("orders",))

    orders = run.records("orders")
    assert {o["source_id"] for o in orders} == _completed_sales(retail.vendor)
    assert len(orders) == len({o["source_id"] for o in orders})
    for record in orders:
        order = from_record("orders", record)
        assert validate_order(order).ok, record["reference"]
        assert order.channel == "pos" and order.lines
    assert any(o.get("customer") is None for o in orders)  # walk-in sale: a destination books the default debtor
    returns = [o for o in orders if o["totals"]["grand_total"].startswith("-")]
    assert returns and all(line["quantity"].startswith("-") for o in returns for line in o["lines"])
    assert run.warnings() == []


def test_given_pos_sales_when_read_then_the_store_is_the_place_of_supply_and_the_customer_the_billing_address(clock):
    server = sandbox.start("lightspeed_retail", seed="demo", orders=40, clock=clock, burst_limit=None,
                           channels=("pos", "web"))  # every order as a POS sale: walk-ins and known customers
    try:
        run = run_read(retail_config(server.base_url), clock, streams=("orders",))
    finally:
        server.stop()

    orders = [from_record("orders", r) for r in run.records("orders")]
    assert {o.shipping_address.country for o in orders} == {"NL"}  # over the counter in the Amsterdam store
    assert {o.ship_to.city for o in orders} == {"Amsterdam"}
    known = [o for o in orders if o.customer]
    assert known and all(o.billing_address and o.billing_address.country for o in known)
    assert all(o.billing_address is None for o in orders if o.customer is None)


def test_given_sales_when_read_then_one_list_call_per_page_carries_lines_and_payments(retail, clock):
    run_read(retail_config(retail.base_url, page_size=100), clock, streams=("orders",))

    paths = [r.path for r in retail.requests() if "/API/" in r.path]
    assert all("/SaleLine" not in p and "/SalePayment" not in p for p in paths)
    sales = len(retail.vendor.tables["Sale"].records)
    assert len([p for p in paths if p.endswith("Sale.json")]) <= sales // 100 + 2


def test_given_state_when_one_sale_changes_then_incremental_sync_reads_only_that_sale(retail, clock):
    config = retail_config(retail.base_url, lookback_window_minutes=0)
    first = run_read(config, clock, streams=("orders",))
    changed = sorted(int(s) for s in _completed_sales(retail.vendor))[2]
    clock.now += 60
    retail.vendor.touch_sale(changed)

    second = run_read(config, clock, state=first.state(), streams=("orders",), source=first.source)

    assert [o["source_id"] for o in second.records("orders")] == [str(changed)]


def test_given_a_small_bucket_when_syncing_then_the_limiter_waits_and_no_429_is_returned(clock):
    server = sandbox.start("lightspeed_retail", seed="demo", orders=300, clock=clock, bucket_size=6.0, drip_rate=1.0,
                           burst_limit=None)
    try:
        run = run_read(retail_config(server.base_url, page_size=10), clock)
        statuses = [r.status for r in server.requests()]
    finally:
        server.stop()
    assert run.records("orders") and run.records("products")
    assert 429 not in statuses
    assert clock.total_slept > 0


def test_given_rotating_refresh_token_when_syncing_then_control_message_and_config_file_hold_the_new_one(
        retail, clock, tmp_path, capsys):
    path = tmp_path / "config.json"
    config = retail_config(retail.base_url)
    path.write_text(json.dumps(config))

    run_read(config, clock, streams=("customers",), config_path=str(path))

    controls = [validate_line(line) for line in capsys.readouterr().out.splitlines() if '"CONTROL"' in line]
    assert len(controls) == 1
    rotated = controls[0].control.connectorConfig.config["platform"]["refresh_token"]
    assert rotated != LightspeedRetail.REFRESH_TOKEN
    assert json.loads(path.read_text())["platform"]["refresh_token"] == rotated
    # the next run works with the written-back token; the old one was invalidated by the rotation
    again = run_read(json.loads(path.read_text()), clock, streams=("customers",), config_path=str(path))
    assert again.records("customers")


def test_given_tokens_revoked_when_reading_then_the_sync_fails_as_config_error_asking_to_reauthorise(retail, clock):
    source = SourceLightspeed(sleep=clock.sleep, clock=clock, monotonic=clock)
    run_read(retail_config(retail.base_url), clock, streams=("customers",), source=source)
    retail.vendor.revoke_tokens()
    clock.now += 10

    run = run_read(retail_config(retail.base_url), clock, streams=("customers",), source=source, expect_error=True)

    errors = [m.trace.error for m in run.messages if m.trace and m.trace.error]
    assert errors and errors[0].failure_type.value == "config_error"  # revoked refresh token: re-authorise
    assert "re-authorise" in errors[0].message
    assert LightspeedRetail.CLIENT_SECRET not in json.dumps([e.message for e in errors])


def test_given_expired_access_token_when_reading_then_it_is_refreshed_once(retail, clock):
    source = SourceLightspeed(sleep=clock.sleep, clock=clock, monotonic=clock)
    first = run_read(retail_config(retail.base_url), clock, streams=("customers",), source=source)
    clock.now += 7200  # past expires_in

    run_read(retail_config(retail.base_url), clock, streams=("customers",), source=source, state=first.state())

    tokens = [r for r in retail.requests() if r.path == "/auth/oauth/token"]
    assert len(tokens) == 2 and all(r.status == 200 for r in tokens)


def test_given_wrong_client_secret_when_check_then_it_fails_naming_the_credentials(retail, tmp_path):
    config = retail_config(retail.base_url, platform={"client_secret": "not-the-secret-0000000000"})

    status, messages = run_check(config, tmp_path)

    assert status.status == Status.FAILED and "client id and secret" in status.message
    assert not any("not-the-secret-0000000000" in str(m) for m in messages)


def test_given_valid_credentials_when_check_then_it_succeeds(retail, tmp_path):
    status, _ = run_check(retail_config(retail.base_url), tmp_path)

    assert status.status == Status.SUCCEEDED


def test_given_customers_and_items_when_syncing_then_contacts_and_prices_are_mapped(retail, clock):
    run = run_read(retail_config(retail.base_url), clock, streams=("customers", "products"))

    customers = run.records("customers")
    assert len(customers) == len(retail.vendor.tables["Customer"].records)
    assert all(c["email"] for c in customers)
    products = run.records("products")
    assert len(products) == len(retail.vendor.tables["Item"].records)
    assert all(p["sku"] and p["price_incl"] for p in products)
    assert datetime.now(UTC) - timedelta(days=10000) < datetime.fromisoformat(products[0]["updated_at"])


def test_given_the_shops_tax_category_when_syncing_products_then_each_item_gets_its_tax_class_rate(retail, clock):
    run = run_read(retail_config(retail.base_url, platform={"default_tax_rate": "50"}), clock, streams=("products",))

    shop = retail.vendor.shop
    rates = {str(v.id): v.tax_rate for p in shop.products.values() for v in p.variants}
    products = run.records("products")
    assert products and {p["source_id"]: Decimal(p["tax_rate"]) for p in products} == {
        p["source_id"]: rates[p["source_id"]] for p in products}
    assert {Decimal(p["tax_rate"]) for p in products} == {Decimal(21), Decimal(9), Decimal(0)}
    assert run.warnings() == []
    paths = [r.path.rsplit("/", 1)[-1] for r in retail.requests()]
    assert paths.count("TaxCategory.json") == 1 and paths.count("Shop.json") == 1  # once per sync, not per item


def test_given_an_account_without_tax_categories_when_syncing_products_then_default_rate_with_a_warning(
        tmp_path, clock):
    item = {"itemID": "9", "description": "Mug", "tax": "true", "taxClassID": "1", "archived": "false",
            "timeStamp": "2024-01-01T00:00:00+00:00", "Prices": {"ItemPrice": {"amount": "12.10", "useType": "Default"}}}
    (tmp_path / "Item.json").write_text(json.dumps({"Item": item}), encoding="utf-8")
    server = SandboxServer(LightspeedRetail(seed=f"dir:{tmp_path}", clock=clock, burst_limit=None)).start()
    try:
        run = run_read(retail_config(server.base_url), clock, streams=("products",))
    finally:
        server.stop()

    [product] = run.records("products")
    prices = (Decimal(product["tax_rate"]), Decimal(product["price_excl"]), Decimal(product["price_incl"]))
    assert prices == (Decimal(21), Decimal("10.00"), Decimal("12.10"))
    assert len(run.warnings()) == 1 and "default rate 21%" in run.warnings()[0]
