"""Airbyte's own airbyte-source-shopify 4.3.0 against the Shopify stand-in (scripts/airbyte_shopify.py).

The full read needs `.venv-airbyte-shopify` (350 MB from PyPI), so it is marked `airbyte_shopify` and left out of
the default run: `make airbyte-shopify` or `pytest -m airbyte_shopify tests/side_by_side`. The redirect itself is
checked in the default run, with this repository's own requests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import airbyte_shopify
import pytest

import sandbox

FIXTURES = Path(__file__).parents[2] / "sandbox" / "tests" / "fixtures" / "shopify_rest"
PROBE = """
import json, requests
r = requests.get("https://anyshop.myshopify.com/admin/api/2026-10/shop.json?fields=id",
                 headers={"X-Shopify-Access-Token": %r}, timeout=10)
print(json.dumps({"status": r.status_code, "url": r.url, "body": r.json(),
                  "limit": r.headers.get("X-Shopify-Shop-Api-Call-Limit")}))
"""


def test_sitecustomize_sends_myshopify_requests_to_the_standin_and_keeps_the_url() -> None:
    server = sandbox.start("shopify", seed="demo", orders=3)
    try:
        vendor: Any = server.vendor
        env = {**os.environ, "SHOPIFY_STANDIN_URL": server.base_url, "PYTHONPATH": str(airbyte_shopify.SITE)}
        out = subprocess.run([sys.executable, "-c", PROBE % vendor.access_token], env=env, capture_output=True,
                             text=True, timeout=60, check=True)
        answer = json.loads(out.stdout)
        assert answer["status"] == 200
        assert answer["url"] == "https://anyshop.myshopify.com/admin/api/2026-10/shop.json?fields=id"
        assert answer["body"]["shop"]["id"]
        assert answer["limit"].endswith("/40")
        assert [r.path for r in server.requests()] == ["/admin/api/2026-10/shop.json"]
    finally:
        server.stop()


def test_benchmarks_section_is_replaced_not_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(f"# Benchmarks\n\n## Before\n\nx\n\n{airbyte_shopify.HEADING}\n\nold text\n\n## After\n\ny\n")
    result = airbyte_shopify.Result(orders=10, expected=dict.fromkeys(airbyte_shopify.STREAMS, 1))
    airbyte_shopify.write_section(airbyte_shopify.section(result), path)
    airbyte_shopify.write_section(airbyte_shopify.section(result), path)
    text = path.read_text()
    assert text.count(airbyte_shopify.HEADING) == 1
    assert "old text" not in text
    assert text.index("## Before") < text.index(airbyte_shopify.HEADING) < text.index("## After")
    assert "orders: 0 records, the store holds 1" in text


@pytest.mark.slow
@pytest.mark.airbyte_shopify
def test_airbyte_source_shopify_reads_every_stream_the_store_holds() -> None:
    result = airbyte_shopify.run(orders=40, shopify_orders=str(FIXTURES))
    assert result.failures == []
    for stream in airbyte_shopify.STREAMS:
        assert result.records[stream] == result.expected[stream] > 0, stream
    assert result.calls["graphql.json"] > 0 and result.calls["orders.json"] > 0
    assert result.read_totals == result.store_totals  # Airbyte's floats, to the cent, against the store's strings
    assert result.read_totals[9007199254740993] == (Decimal("1228.15"), Decimal("213.15"))
