"""Tests of the neutral generated shop: determinism, money identities, business cases, mutations."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from stdnum.eu import vat as eu_vat

from sandbox import seed as shopgen
from sandbox.seed import Order, Shop, generate_shop

VAT_FORMATS = {
    "NL": r"NL\d{9}B\d{2}", "BE": r"BE0\d{9}", "DE": r"DE\d{9}", "FR": r"FR\d{11}", "SE": r"SE\d{10}01",
}


@pytest.fixture(scope="module")
def shop() -> Shop:
    return generate_shop("demo", 600)


def test_given_same_seed_and_count_when_generated_twice_then_identical() -> None:
    a, b = generate_shop("demo", 40), generate_shop("demo", 40)
    assert a.orders == b.orders and a.customers == b.customers and a.products == b.products


def test_given_other_seed_then_other_data() -> None:
    assert generate_shop("demo", 20).orders != generate_shop("other", 20).orders


def test_given_no_seed_then_empty_shop() -> None:
    empty = generate_shop(None, 50)
    assert (empty.orders, empty.customers, empty.products) == ({}, {}, {})


def test_given_dir_seed_then_generator_leaves_loading_to_the_vendor(tmp_path: object) -> None:
    assert shopgen.dir_seed_path(f"dir:{tmp_path}") is not None
    assert generate_shop(f"dir:{tmp_path}", 10).orders == {}
    assert shopgen.dir_seed_path("demo") is None


def test_every_order_adds_up_to_the_cent(shop: Shop) -> None:
    for o in shop.orders.values():
        assert o.lines_total_incl - o.discount_total_incl + o.shipping_total_incl == o.grand_total, o.id
        assert o.lines_total_excl - o.discount_total_excl + o.shipping_total_excl == o.total_excl, o.id
        assert sum(t.tax for t in o.tax_lines) == o.total_tax == o.grand_total - o.total_excl, o.id
        for line in o.lines:
            assert line.total_incl - line.total_excl == line.tax_amount
            assert line.gross_incl - line.discount_incl == line.total_incl
            assert line.gross_excl - line.discount_excl == line.total_excl
            assert line.discount_incl >= 0 and line.discount_excl >= 0
        amounts = [o.grand_total, o.total_tax, *[ln.total_incl for ln in o.lines]]
        assert all(a == a.quantize(Decimal("0.01")) for a in amounts)


def test_discount_codes_are_allocated_to_lines(shop: Shop) -> None:
    coded = [o for o in shop.orders.values() if o.discount_codes]
    assert {c.kind for o in coded for c in o.discount_codes} == {"percentage", "fixed_amount"}
    for o in coded:
        code = o.discount_codes[0]
        assert code.amount_incl == o.discount_total_incl
        if code.kind == "fixed_amount":
            assert code.amount == code.value  # a fixed amount is spread exactly over the lines
        assert any(ln.discount_code == code.code for ln in o.lines)


def test_business_cases_are_all_present(shop: Shop) -> None:
    kinds = Counter(o.kind for o in shop.orders.values())
    assert set(kinds) == {"domestic", "icp", "oss", "export"}
    assert kinds["domestic"] > len(shop.orders) / 2
    rates = {ln.tax_rate for o in shop.orders.values() for ln in o.lines}
    assert {Decimal(21), Decimal(9), Decimal(0), Decimal(19), Decimal("5.5")} <= rates
    assert any(len({ln.tax_rate for ln in o.lines}) > 1 for o in shop.orders.values())  # multi-rate orders
    assert any(not o.prices_include_tax for o in shop.orders.values())
    pos = [o for o in shop.orders.values() if o.channel == "pos"]
    assert pos and any(o.customer_id is None for o in pos)
    assert {o.financial_status for o in shop.orders.values()} >= {"paid", "pending", "refunded",
                                                                  "partially_refunded"}
    assert any(o.cancelled_at for o in shop.orders.values())
    gateways = {p.gateway for o in shop.orders.values() for p in o.payments}
    assert gateways >= {"ideal", "creditcard", "paypal", "cash", "pin"}


def test_icp_orders_are_zero_rated_b2b_with_vat_numbers(shop: Shop) -> None:
    icp = [o for o in shop.orders.values() if o.kind == "icp"]
    assert icp
    for o in icp:
        assert o.vat_number and o.billing_address and o.billing_address.country != "NL"
        assert o.total_tax == 0


def test_oss_orders_charge_destination_rates(shop: Shop) -> None:
    expected = {"DE": {Decimal(19), Decimal(7)}, "BE": {Decimal(21), Decimal(6)},
                "FR": {Decimal(20), Decimal("5.5")}}
    for o in shop.orders.values():
        if o.kind == "oss" and o.billing_address and o.billing_address.country in expected:
            assert {ln.tax_rate for ln in o.lines} <= expected[o.billing_address.country] | {Decimal(0)}


def test_customers_have_unicode_apostrophes_and_valid_vat_numbers(shop: Shop) -> None:
    customers = list(shop.customers.values())
    assert any("'" in c.email for c in customers)
    assert any(c.email != c.email.lower() for c in customers)
    names = "".join(c.first_name + c.last_name for c in customers)
    assert set("ëüåç") & set(names.lower())
    for c in customers:
        if c.vat_number:
            assert re.fullmatch(VAT_FORMATS[c.address.country], c.vat_number), c.vat_number
            assert eu_vat.is_valid(c.vat_number), f"{c.vat_number}: check digits"
    countries = {c.address.country for c in customers}
    assert countries >= {"NL", "BE", "DE", "FR", "GB", "US"}


def test_products_have_valid_ean13_and_odd_skus(shop: Shop) -> None:
    variants = [v for p in shop.products.values() for v in p.variants]
    for v in variants:
        digits = [int(d) for d in v.barcode]
        assert len(digits) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    assert any("'" in v.sku for v in variants) and any(" " in v.sku for v in variants)
    assert {v.tax_rate for v in variants} == {Decimal(21), Decimal(9), Decimal(0)}


def test_updated_at_is_non_decreasing_with_id_and_has_ties(shop: Shop) -> None:
    orders = list(shop.orders.values())
    pairs = list(itertools.pairwise(orders))
    assert all(a.updated_at <= b.updated_at for a, b in pairs)
    assert any(a.updated_at == b.updated_at for a, b in pairs)
    assert all(o.created_at <= o.updated_at and o.updated_at.tzinfo is UTC for o in orders)


def _first(shop: Shop, status: str) -> Order:
    return next(o for o in shop.orders.values() if o.financial_status == status and not o.cancelled_at)


def test_mutations_bump_updated_at_and_keep_totals() -> None:
    shop = generate_shop("demo", 80)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    pending = _first(shop, "pending")
    paid = shopgen.mark_paid(shop, pending.id, now)
    assert (paid.financial_status, paid.paid_at, paid.updated_at) == ("paid", now, now)
    assert paid.payments[0].status == "success" and paid.payments[0].amount == paid.grand_total

    target = _first(shop, "paid")
    line = target.lines[0]
    part = shopgen.refund(shop, target.id, now + timedelta(seconds=1), {line.id: 1}, note="broken")
    assert part.financial_status == ("refunded" if len(target.lines) == 1 and line.quantity == 1 and
                                     not target.shipping_total_incl else "partially_refunded")
    assert part.refunds[-1].lines[0].quantity == 1
    full = shopgen.refund(shop, target.id, now + timedelta(seconds=2))
    assert full.financial_status == "refunded"
    assert full.refunded_total == full.grand_total and full.current_total == 0
    assert shop.orders[target.id] is full

    cancelled = shopgen.cancel(shop, _first(shop, "paid").id, now + timedelta(seconds=3))
    assert cancelled.cancelled_at and cancelled.financial_status == "refunded"
    version = shop.version
    touched = shopgen.touch(shop, 1, now + timedelta(seconds=4))
    assert touched.updated_at == now + timedelta(seconds=4) and shop.version == version + 1
    assert shop.orders_by_updated()[-1].id == 1


def test_add_orders_appends_new_ids_at_the_given_time() -> None:
    shop = generate_shop("demo", 10)
    at = datetime(2030, 5, 1, tzinfo=UTC)
    new = shopgen.add_orders(shop, 3, at)
    assert [o.id for o in new] == [11, 12, 13]
    assert [o.updated_at for o in new] == [at, at + timedelta(seconds=1), at + timedelta(seconds=2)]
    assert len(shop.orders) == 13


def test_customer_mutation() -> None:
    shop = generate_shop("demo", 10)
    at = datetime(2030, 5, 1, tzinfo=UTC)
    c = shopgen.touch_customer(shop, 1, at, email="new'mail@example.com")
    assert (c.email, c.updated_at) == ("new'mail@example.com", at)

