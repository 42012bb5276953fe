"""Regression tests for the gaps the fault campaign found.

Gap 1: a token revoked while the destination creates an item/article. The refresh then fails with HTTP 400
invalid_grant -> `AuthFailed(status=400)`; the destinations' `is_refusal` counted a 4xx outside {401, 403, 404, 429}
as a refusal of the record, so every remaining order of the batch was skipped as a RecordError, the STATE after them
was echoed, and after re-authorising the operator's next run started behind them: those orders were never booked.
Fixed: a rejected token is never a record refusal.

Gap 2: a document POST answered after the client's read timeout, and committed by the server later still. The
destination looked the reference up at once (not there yet), posted again, and the late original landed too: two
documents for one order, on all four pipes. Fixed: `connector_common.exactly_once.CreateOnce` keeps looking for as
long again as the failed request was in flight before it posts again.
"""

from __future__ import annotations

from pathlib import Path

import faults
import pytest

import harness

ORDERS = 12
ITEM_POSTS = {"exact": r"/logistics/Items$", "eaccounting": r"/v2/articles$"}


@pytest.mark.parametrize("destination", ["exact", "eaccounting"])
def test_given_the_token_is_revoked_while_an_item_is_created_when_reauthorised_and_resumed_then_no_order_is_missing(
        tmp_path: Path, destination: str) -> None:
    servers = faults.start("shopify", destination, ORDERS)
    try:
        servers[destination].add_fault("revoke_tokens", every=1, count=1, method="POST",
                                       path=ITEM_POSTS[destination])
        harness.prepare(tmp_path, "shopify", destination, servers)

        first = harness.RunningPipe(tmp_path, "shopify", destination).wait()
        expected = {o["reference"] for o in first.source_records if harness.bookable(o)}
        progress = faults.resume_until_done(tmp_path, "shopify", destination, servers, max_runs=4)

        assert harness.injected_faults(servers[destination])["revoke_tokens"] == 1
        assert progress.done, progress.failures
        booked = {harness.order_reference(b.reference) for b in harness.ledger(destination, servers[destination])
                  if b.kind == "document"}
        assert sorted(expected - booked) == []
    finally:
        for server in servers.values():
            server.stop()


# one pipe per destination here; `scripts/faults.py --repro-slow-write` (and every campaign of `make bench`) runs all 4
SLOW_PAIRS = [("shopify", "exact"), ("lightspeed_retail", "eaccounting")]


@pytest.mark.parametrize(("source", "destination"), SLOW_PAIRS, ids=[f"{s}-{d}" for s, d in SLOW_PAIRS])
def test_given_a_document_post_committed_after_the_read_timeout_when_written_then_it_is_not_posted_twice(
        source: str, destination: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(faults.READ_TIMEOUT, "seconds", 1.0)  # the connectors' read timeout for this pipe
    base = faults.baseline(source, destination, ORDERS)

    outcome = faults.slow_document_write(source, destination, base, orders=ORDERS)

    assert outcome.injected["slow"] == 1
    assert outcome.progress.done and outcome.progress.runs == 1, outcome.progress.failures
    assert outcome.duplicates == 0
    assert outcome.missing == []
    assert outcome.booked_once == len(base.documents)
