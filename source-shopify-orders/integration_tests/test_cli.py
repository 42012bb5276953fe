"""The real console script in a subprocess: every stdout line is a valid Airbyte message and no secret leaks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from airbyte_cdk.models import Type

from connector_common.protocol import validate_line

SECRET = "client-secret-that-must-never-print-42"


def test_given_the_console_script_when_reading_with_client_credentials_then_output_is_valid_and_secret_free(
        make_shop: Callable[..., Any], config: Callable[..., dict[str, Any]], tmp_path: Path) -> None:
    server = make_shop(orders=8, client_secret=SECRET, max_available=20000, restore_rate=1000,
                       clock=__import__("time").time)
    vendor: Any = server.vendor
    cfg = config(server, credentials={"auth_method": "client_credentials", "client_id": vendor.client_id,
                                      "client_secret": SECRET})
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    catalog = {"streams": [{"stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["incremental"]},
                            "sync_mode": "incremental", "destination_sync_mode": "append"}
                           for name in ("orders", "customers", "products")]}
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    script = shutil.which("source-shopify-orders") or str(Path(sys.executable).parent / "source-shopify-orders")

    done = subprocess.run([script, "read", "--config", str(tmp_path / "config.json"), "--catalog",
                           str(tmp_path / "catalog.json")], capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    messages = [validate_line(line) for line in done.stdout.splitlines() if line.strip()]
    records = [m for m in messages if m.type == Type.RECORD]
    assert {m.record.stream for m in records if m.record} == {"orders", "customers", "products"}
    assert sum(1 for m in messages if m.type == Type.STATE) >= 3
    issued = [r for r in server.requests() if r.path == "/admin/oauth/access_token"]
    assert issued and all(SECRET not in text for text in (done.stdout, done.stderr))
