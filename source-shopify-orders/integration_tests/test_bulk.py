"""The bulk-operation back-fill against the stand-in: same records as paging, and every failure mode stops loudly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

Factory = Callable[..., Any]


def _without_emitted_at(records: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def test_given_a_back_fill_above_the_threshold_when_reading_then_a_bulk_job_yields_the_same_records_as_paging(
        make_shop: Factory, run: Factory, config: Factory) -> None:
    server = make_shop(orders=40)
    vendor: Any = server.vendor
    refundable = next(o for o in vendor.shop.orders.values() if o.financial_status == "paid" and not o.test)
    vendor.refund_order(refundable.id)

    paged = run("read", config(server, bulk_threshold=0), streams=("orders",))
    bulk = run("read", config(server, bulk_threshold=10), streams=("orders",))

    assert bulk.errors() == [] and paged.errors() == []
    assert any("bulk operation" in line for line in bulk.logs())
    assert vendor.dump()["bulk_operations"], "the bulk path was not taken"
    assert _without_emitted_at(bulk.records("orders")) == _without_emitted_at(paged.records("orders"))
    assert bulk.states("orders")[-1] == paged.states("orders")[-1]
    estimates = [m for m in bulk.messages if m.trace and m.trace.estimate]
    assert estimates and estimates[0].trace.estimate.row_estimate == len(vendor.shop.orders)


@pytest.mark.parametrize(("fault", "expected"), [
    ("failed", "ended FAILED"),
    ("no_url", "no result URL"),
    ("stuck", "still RUNNING"),
])
def test_given_a_bulk_job_that_does_not_deliver_when_reading_then_the_sync_fails_without_records_or_state(
        make_shop: Factory, run: Factory, config: Factory, fault: str, expected: str) -> None:
    server = make_shop(orders=20, bulk_fault=fault)
    result = run("read", config(server, bulk_threshold=5, bulk_timeout_minutes=0.2), streams=("orders",))

    assert result.records("orders") == []
    assert result.states("orders") == []  # the state never moves past the unread slice
    (error,) = [e for e in result.errors() if e.startswith("orders:")]
    assert expected in error
    if fault == "stuck":  # it cancelled its job instead of leaving it running
        assert any("bulkOperationCancel" in r.body for r in server.requests())
