"""`python -m sandbox serve`: what it prints at start is enough to connect (base URLs and accepted credentials)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from sandbox import VENDORS
from sandbox.__main__ import READY

WAIT_SECONDS = 60


@contextmanager
def serve(*args: str) -> Iterator[list[str]]:
    """Start `python -m sandbox serve ARGS`; yields what it printed up to its ready line (or its one JSON line)."""
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "serve", *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while True:
            line = process.stdout.readline()
            if not line or line.rstrip("\n") == READY or "--json" in args:
                lines += [line.rstrip("\n")] if "--json" in args else []
                break
            lines.append(line.rstrip("\n"))
        assert lines, "sandbox serve printed nothing"
        yield lines
    finally:
        process.terminate()
        process.wait(timeout=WAIT_SECONDS)


def parse(lines: list[str]) -> dict[str, dict[str, str]]:
    """{vendor: {"base_url": ..., setting: value}} from `<name> <url>` lines and indented `  <setting> <value>`."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in filter(None, lines):
        if line.startswith("  "):
            setting, value = line.split()
            current[setting] = value
        else:
            name, url = line.split()
            current = out.setdefault(name, {"base_url": url})
    return out


@pytest.fixture
def printed() -> Iterator[dict[str, dict[str, str]]]:
    with serve() as lines:
        yield parse(lines)


def test_given_serve_when_it_starts_then_it_prints_each_stand_ins_url_and_credentials(
        printed: dict[str, dict[str, str]]) -> None:
    assert set(printed) == set(VENDORS)
    assert printed["shopify"]["access_token"].startswith("shpat_")
    assert {"client_id", "client_secret", "refresh_token"} <= set(printed["exact"])
    assert {"client_id", "client_secret", "refresh_token", "account_id"} <= set(printed["lightspeed_retail"])
    assert {"api_key", "api_secret"} <= set(printed["lightspeed_ecom"])
    assert {"client_id", "client_secret", "refresh_token"} <= set(printed["eaccounting"])


def test_given_the_printed_exact_credentials_then_the_stand_in_accepts_them(
        printed: dict[str, dict[str, str]]) -> None:
    exact = printed["exact"]
    answer = requests.post(f"{exact['base_url']}/api/oauth2/token", timeout=WAIT_SECONDS, data={
        "grant_type": "refresh_token", "refresh_token": exact["refresh_token"], "client_id": exact["client_id"],
        "client_secret": exact["client_secret"]})
    assert answer.status_code == 200 and answer.json()["access_token"]
    shopify = printed["shopify"]
    shop = requests.post(f"{shopify['base_url']}/admin/api/2026-10/graphql.json", timeout=WAIT_SECONDS,
                         headers={"X-Shopify-Access-Token": shopify["access_token"]},
                         json={"query": "{ shop { name } }"})
    assert shop.status_code == 200, shop.text


def test_given_json_then_one_object_holds_urls_and_credentials() -> None:
    with serve("--json", "--only", "exact") as (line,):
        document = json.loads(line)
    assert list(document) == ["exact"]
    assert document["exact"]["base_url"].startswith("http://127.0.0.1:")
    assert document["exact"]["credentials"]["client_id"] == "exact-sandbox-client-id"
