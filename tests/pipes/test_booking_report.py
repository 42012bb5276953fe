"""The booking report of both destinations through real processes: `report_path` in the config on a dry run (every
document "would create", the ledger untouched), then `write --report` on the real run (every document created with
the ledger's number), and reconcile-bookings over that report at 0.00."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import harness
from connector_common import reconcile

PAIRS = [("shopify", "exact"), ("lightspeed_retail", "eaccounting")]
LEDGERS = {"exact": "exact-online", "eaccounting": "eaccounting"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("source", "destination"), PAIRS, ids=[f"{s}-{d}" for s, d in PAIRS])
def test_given_report_path_when_dry_run_then_real_run_then_each_report_says_what_the_ledger_got(
        tmp_path: Path, source: str, destination: str) -> None:
    servers = harness.start_sandbox(seed="report", orders=25, names=[source, destination], **harness.FAST_LIMITS)
    try:
        harness.prepare(tmp_path, source, destination, servers)
        config_path = tmp_path / "destination_config.json"
        config = json.loads(config_path.read_text())
        config_path.write_text(json.dumps({**config, "dry_run": True, "report_path": str(tmp_path / "dry")}))

        dry = harness.run_pipe(tmp_path, source, destination)

        assert dry.returncode == 0, dry.errors or dry.stderr[-2000:]
        planned = rows(tmp_path / "dry.csv")
        assert harness.ledger(destination, servers[destination]) == []
        assert {r["document_status"] for r in planned if r["document_type"]} == {"would create"}
        assert all(r["document_number"] == "" for r in planned if r["document_type"])
        assert "would create" in (tmp_path / "dry.html").read_text(encoding="utf-8")

        config = json.loads(config_path.read_text())  # rotated tokens were written back
        config_path.write_text(json.dumps({k: v for k, v in config.items() if k not in ("dry_run", "report_path")}))
        (tmp_path / "state.json").unlink(missing_ok=True)  # a dry run's state must not skip the real booking
        real = harness.run_pipe(tmp_path, source, destination, report=tmp_path / "real")

        assert real.returncode == 0, real.errors or real.stderr[-2000:]
        booked = rows(tmp_path / "real.csv")
        ledger = harness.ledger(destination, servers[destination])
        documents = {r["booking_reference"] for r in booked if r["document_status"] == "created"}
        assert documents == {b.reference for b in ledger} and len(documents) >= 15
        assert all(r["document_number"] for r in booked if r["document_status"] == "created")
        per_document: dict[str, Decimal] = {}
        for r in booked:
            if r["gross"]:
                per_document[r["booking_reference"]] = per_document.get(r["booking_reference"], Decimal(0)) + Decimal(
                    r["gross"])
        assert {b.reference: b.total for b in ledger} == dict(per_document)  # each document to the cent
        planned_orders = {r["shop_reference"] for r in planned if r["document_type"]}
        assert planned_orders == {r["shop_reference"] for r in booked if r["document_type"]}
        result = reconcile.run(LEDGERS[destination], str(config_path), [tmp_path / "real.csv"])
        assert result.clean and result.difference == 0

        # a period: the ledger's documents dated in it are listed too; one the given report does not know is named
        days = sorted(r["date"] for r in booked if r["date"])
        period = (date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
        dated = reconcile.run(LEDGERS[destination], str(config_path), [tmp_path / "real.csv"], period)
        assert dated.clean and dated.period_listed
        invoice = next(b for b in ledger if "/" not in b.reference.split(":", 1)[1])
        partial = tmp_path / "partial.csv"
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(booked[0]))
            writer.writeheader()
            writer.writerows(r for r in booked if r["booking_reference"] != invoice.reference)
        result = reconcile.run(LEDGERS[destination], str(config_path), [partial], period)
        assert not result.clean
        assert [(f.reference, f.ledger_gross) for f in result.unknown] == [(invoice.reference, invoice.total)]
        assert "in the ledger for the period, not in these records: 1" in reconcile.render_text(result)
    finally:
        for server in servers.values():
            server.stop()
