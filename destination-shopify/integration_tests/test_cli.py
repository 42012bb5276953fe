"""Real processes: `destination-shopify write --config FILE --catalog FILE < records` against the stand-in, twice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer, Type
from shopify_dest_builders import stock_record
from shopify_harness import (
    available,
    catalog,
    config_for,
    graphql_operations,
    open_orders,
    tracking_numbers,
    variants,
    with_states,
)
from test_write import shipment_for

import sandbox
from connector_common.protocol import serialize, validate_line


@pytest.fixture
def live_server() -> Iterator[sandbox.SandboxServer]:
    """On the real clock: a subprocess cannot share a simulated one."""
    srv = sandbox.start("shopify", seed="demo", orders=200)
    yield srv
    srv.stop()


def write(config_path: Path, catalog_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("destination-shopify") or str(Path(sys.executable).parent / "destination-shopify")
    return subprocess.run([exe, "write", "--config", str(config_path), "--catalog", str(catalog_path)],
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_given_a_cli_pipe_when_written_twice_then_stock_and_fulfilments_land_once_and_states_are_echoed(
        live_server: sandbox.SandboxServer, tmp_path: Path) -> None:
    config = config_for(live_server, carrier_mapping=[{"shipping_method": "PNL", "tracking_company": "PostNL"}])
    config_path, catalog_path = tmp_path / "config.json", tmp_path / "catalog.json"
    config_path.write_text(json.dumps(config))
    catalog_path.write_text(json.dumps(ConfiguredAirbyteCatalogSerializer.dump(catalog("stock_levels",
                                                                                      "shipments"))))
    skus = [v.sku for v in variants(live_server)][:12]
    figures = {sku: available(live_server, sku) + 3 for sku in skus}
    shop_orders = open_orders(live_server)[:3]
    messages = with_states("stock_levels", [stock_record(s, q) for s, q in figures.items()], every=6) + \
        with_states("shipments", [shipment_for(o, n) for n, o in enumerate(shop_orders)], every=3)
    stdin = "".join(serialize(m) + "\n" for m in messages)

    first = write(config_path, catalog_path, stdin)
    assert first.returncode == 0, first.stderr[-2000:]
    out = [validate_line(line) for line in first.stdout.splitlines() if line.strip()]
    assert [m.type for m in out].count(Type.STATE) == 3
    assert {sku: available(live_server, sku) for sku in skus} == figures
    for n, order in enumerate(shop_orders):
        assert tracking_numbers(live_server, f"#{order.number}") == [f"3STRK{n:05d}"]

    live_server.clear_log()
    second = write(config_path, catalog_path, stdin)
    assert second.returncode == 0, second.stderr[-2000:]
    ops = graphql_operations(live_server)
    assert "SetStock" not in ops and "FulfillShipment" not in ops  # a second run changes nothing
    for n, order in enumerate(shop_orders):
        assert tracking_numbers(live_server, f"#{order.number}") == [f"3STRK{n:05d}"]
    token = str(config["credentials"]["access_token"])
    assert token not in first.stdout + first.stderr + second.stdout + second.stderr
