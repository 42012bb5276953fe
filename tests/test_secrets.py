"""Secrets never leak: every connector runs as a real CLI process with recognisable credentials, right and wrong."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

import sandbox
from connector_common.model import Shipment, ShipmentLine, StockLevel
from connector_common.protocol import record, serialize, validate_line
from connector_common.records import to_record

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
import harness

BIN = Path(sys.executable).parent
# Long, recognisable values: the CDK masks every occurrence of a registered secret, so short ones would hide words.
SECRETS: dict[str, dict[str, str]] = {
    "shopify": {"access_token": "SECRET-shopify-access-token-7f3a9c51d2e84b6fa0c3"},
    "lightspeed_ecom": {"api_key": "SECRET-lightspeed-ecom-api-key-4b1e9d0c7a2f",
                        "api_secret": "SECRET-lightspeed-ecom-api-secret-e8c2a71f5b39"},
    "lightspeed_retail": {"client_id": "SECRET-lightspeed-retail-client-id-2d7f0b9e",
                          "client_secret": "SECRET-lightspeed-retail-client-secret-91ac3e6d",
                          "refresh_token": "SECRET-lightspeed-retail-refresh-token-5e0f8a27"},
    "lightspeed_kseries": {"client_id": "SECRET-lightspeed-kseries-client-id-8a1c4e7f",
                           "client_secret": "SECRET-lightspeed-kseries-client-secret-3f6b9d2a",
                           "refresh_token": "SECRET-lightspeed-kseries-refresh-token-c5e8a1b4"},
    "lightspeed_xseries": {"client_id": "SECRET-lightspeed-xseries-client-id-4d7a0c3e",
                           "client_secret": "SECRET-lightspeed-xseries-client-secret-9b2e5f8c",
                           "refresh_token": "SECRET-lightspeed-xseries-refresh-token-1e4b7d0a"},
    "exact": {"client_id": "SECRET-exact-client-id-c4a09e1b3d56",
              "client_secret": "SECRET-exact-client-secret-8d2f6b0a9e13",
              "refresh_token": "SECRET-exact-refresh-token-1a7c5e3f9b20"},
    "eaccounting": {"client_id": "SECRET-eaccounting-client-id-6b3e9f0d2a71",
                    "client_secret": "SECRET-eaccounting-client-secret-0f4c8a2e6d95",
                    "refresh_token": "SECRET-eaccounting-refresh-token-7e1b5d9c3a08"},
}
# The credential a failing check gets instead of the right one, itself a secret that must not be echoed.
WRONG = {"shopify": ("access_token", "SECRET-WRONG-shopify-access-token-0e4d8c2b9a7f"),
         "lightspeed_ecom": ("api_secret", "SECRET-WRONG-lightspeed-ecom-api-secret-3c9e1f7a"),
         "lightspeed_retail": ("client_secret", "SECRET-WRONG-lightspeed-retail-client-secret-b82d"),
         "lightspeed_kseries": ("client_secret", "SECRET-WRONG-lightspeed-kseries-client-secret-7c0e"),
         "lightspeed_xseries": ("client_secret", "SECRET-WRONG-lightspeed-xseries-client-secret-2a5d"),
         "exact": ("client_secret", "SECRET-WRONG-exact-client-secret-5f1a9d3c7e20"),
         "eaccounting": ("client_secret", "SECRET-WRONG-eaccounting-client-secret-a6e02c4b")}
CREDENTIALS_KEY = {"shopify": "credentials", "lightspeed_ecom": "platform", "lightspeed_retail": "platform",
                   "lightspeed_kseries": "platform", "lightspeed_xseries": "platform.credentials",
                   "exact": "credentials", "eaccounting": "credentials"}
# The only requests whose body may carry a secret: the OAuth token endpoint of each vendor.
TOKEN_PATHS = {"shopify": "/admin/oauth/access_token", "lightspeed_retail": "/auth/oauth/token",
               "lightspeed_kseries": "/oauth/token", "lightspeed_xseries": "/api/1.0/token",
               "exact": "/api/oauth2/token", "eaccounting": "/connect/token"}
PIPES = {"exact": "shopify", "eaccounting": "lightspeed_ecom"}  # destination -> the source feeding it


@dataclass
class CliRun:
    """One connector process: exit code, stdout lines (each a valid Airbyte message), stderr."""

    label: str
    returncode: int
    lines: list[str]
    stderr: str

    def of_type(self, kind: str) -> list[Any]:
        lines = [line for line in self.lines if json.loads(line).get("type") == kind]
        return [validate_line(line) for line in lines]

    def status(self) -> str:
        statuses = self.of_type("CONNECTION_STATUS")
        assert len(statuses) == 1, f"{self.label}: expected one CONNECTION_STATUS, got {self.lines[-5:]}"
        return str(statuses[0].connectionStatus.status.value)


def cli(name: str, args: list[str], cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None) -> CliRun:
    proc = subprocess.run([str(BIN / name), *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    for line in lines:
        if json.loads(line).get("type") != "DEBUG":  # `--debug` makes the CDK print non-protocol DEBUG lines
            validate_line(line)
    return CliRun(f"{name} {args[0]}", proc.returncode, lines, proc.stderr)


def output_leaks(secrets: Iterable[str], run: CliRun) -> list[str]:
    """Where a secret shows up in a run's stdout (CONTROL messages excepted: they carry the config) or stderr."""
    found = []
    for number, line in enumerate(run.lines, 1):
        kind = json.loads(line).get("type")
        if kind == "CONTROL":
            continue
        found += [f"{run.label}: stdout line {number} ({kind}) holds {s[:20]}…" for s in secrets if s in line]
    found += [f"{run.label}: stderr holds {s[:20]}…" for s in secrets if s in run.stderr]
    return found


def request_log_leaks(secrets: Iterable[str], server: sandbox.SandboxServer, token_path: str | None) -> list[str]:
    """Where a secret shows up in the stand-in's request log: path, query, or a body other than the token request's."""
    found = []
    for request in server.requests():
        parts = {"path": request.path, "query": json.dumps(request.query)}
        if request.path != token_path:
            parts["body"] = request.body
        found += [f"{server.vendor.name}: {request.method} {request.path} {part} holds {s[:20]}…"
                  for part, text in parts.items() for s in secrets if s in text]
    return found


def credentials_of(config: dict[str, Any], kind: str) -> dict[str, Any]:
    """The object of a config that holds the credentials (CREDENTIALS_KEY: a dotted path)."""
    node = config
    for part in CREDENTIALS_KEY[kind].split("."):
        node = node.get(part) or {}
    return node


def with_credentials(config: dict[str, Any], kind: str, values: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(config)
    credentials_of(out, kind).update(values)
    return out


def rotated_secrets(runs: Iterable[CliRun], config_file: Path, kind: str) -> set[str]:
    """Tokens the connector obtained or rotated: they are secrets too (from CONTROL messages and the rewritten file)."""
    configs = [m.control.connectorConfig.config for r in runs for m in r.of_type("CONTROL")]
    configs.append(json.loads(config_file.read_text()))
    found = set()
    for config in configs:
        credentials = credentials_of(config, kind)
        found |= {str(credentials[k]) for k in ("access_token", "refresh_token") if credentials.get(k)}
    return {s for s in found if len(s) >= 8}


def catalog_from(discover: CliRun) -> dict[str, Any]:
    streams = discover.of_type("CATALOG")[0].catalog.streams
    return {"streams": [{"stream": {"name": s.name, "json_schema": s.json_schema,
                                    "supported_sync_modes": [m.value for m in s.supported_sync_modes]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "append"} for s in streams]}


# What a stand-in needs to serve a source's streams (Exact as a source: items, stock and customers to read).
SOURCE_OPTIONS: dict[str, dict[str, Any]] = {"exact": {"catalogue": True}}
SOURCE_STREAMS = {"exact": ("stock_levels", "shipments", "products", "customers")}  # others: orders


class LazySandbox(dict[str, sandbox.SandboxServer]):
    """Starts a stand-in, accepting only the recognisable credentials above, the first time a test looks it up."""

    def __missing__(self, kind: str) -> sandbox.SandboxServer:
        return self.start(kind)

    def start(self, kind: str, **extra: Any) -> sandbox.SandboxServer:
        options = {kind: {**harness.FAST_LIMITS.get(kind, {}), **SECRETS[kind], **extra}}
        server = self[kind] = harness.start_sandbox(seed="secrets", orders=12, names=[kind], **options)[kind]
        return server


@pytest.fixture
def servers() -> Iterator[LazySandbox]:
    started = LazySandbox()
    yield started
    for server in started.values():
        server.stop()


def all_secrets() -> set[str]:
    return {v for values in SECRETS.values() for v in values.values()} | {v for _, v in WRONG.values()}


def test_given_a_leaked_secret_when_scanned_then_stdout_stderr_and_request_log_are_all_reported(
        servers: dict[str, sandbox.SandboxServer]) -> None:
    secret = SECRETS["shopify"]["access_token"]
    log = json.dumps({"type": "LOG", "log": {"level": "INFO", "message": f"token={secret}"}})
    control = json.dumps({"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG", "emitted_at": 1.0,
                                                         "connectorConfig": {"config": {"token": secret}}}})
    run = CliRun("fake read", 0, [control, log], f"Traceback: Bearer {secret}")
    assert output_leaks([secret], run) == [f"fake read: stdout line 2 (LOG) holds {secret[:20]}…",
                                           f"fake read: stderr holds {secret[:20]}…"]

    server = servers["exact"]
    token_url = f"{server.base_url}{TOKEN_PATHS['exact']}"
    requests.post(token_url, data={"refresh_token": secret}, timeout=5)  # allowed: the token request itself
    requests.get(f"{server.base_url}/api/v1/current/Me", params={"access_token": secret}, timeout=5)
    requests.post(f"{server.base_url}/api/v1/1234567/crm/Accounts", json={"Name": secret}, timeout=5)
    assert request_log_leaks([secret], server, TOKEN_PATHS["exact"]) == [
        f"exact: GET /api/v1/current/Me query holds {secret[:20]}…",
        f"exact: POST /api/v1/1234567/crm/Accounts body holds {secret[:20]}…"]


SOURCE_KINDS = ["shopify", "lightspeed_ecom", "lightspeed_retail", "lightspeed_kseries", "lightspeed_xseries"]


@pytest.mark.parametrize("kind", [*SOURCE_KINDS, "exact"])
def test_given_recognisable_secrets_when_a_source_runs_every_verb_then_no_secret_leaves_the_auth_channel(
        tmp_path: Path, servers: LazySandbox, kind: str) -> None:
    name = harness.SOURCES[kind]
    servers.start(kind, **SOURCE_OPTIONS.get(kind, {}))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(with_credentials(harness.source_config(kind, servers), kind, SECRETS[kind])))
    args = ["--config", config.name]

    runs = [cli(name, ["spec"], tmp_path), cli(name, ["check", *args], tmp_path)]
    assert runs[-1].status() == "SUCCEEDED", runs[-1].lines[-3:]
    runs.append(cli(name, ["discover", *args], tmp_path))
    (tmp_path / "catalog.json").write_text(json.dumps(catalog_from(runs[-1])))
    runs.append(cli(name, ["read", *args, "--catalog", "catalog.json", "--debug"], tmp_path))
    assert runs[-1].returncode == 0, runs[-1].stderr[-2000:]
    assert len(runs[-1].of_type("RECORD")) >= 12

    secrets = all_secrets() | rotated_secrets(runs, config, kind)
    assert [leak for run in runs for leak in output_leaks(secrets, run)] == []
    assert request_log_leaks(secrets, servers[kind], TOKEN_PATHS.get(kind)) == []


@pytest.mark.parametrize("kind", [*SOURCE_KINDS, "exact"])
def test_given_a_wrong_secret_when_a_source_checks_and_reads_then_it_fails_without_echoing_either_secret(
        tmp_path: Path, servers: LazySandbox, kind: str) -> None:
    name = harness.SOURCES[kind]
    servers.start(kind, **SOURCE_OPTIONS.get(kind, {}))
    key, wrong = WRONG[kind]
    good = with_credentials(harness.source_config(kind, servers), kind, SECRETS[kind])
    (tmp_path / "config.json").write_text(json.dumps(with_credentials(good, kind, {key: wrong})))
    (tmp_path / "catalog.json").write_text(json.dumps(harness.catalog(streams=SOURCE_STREAMS.get(kind, ("orders",)))))

    check = cli(name, ["check", "--config", "config.json"], tmp_path)
    read = cli(name, ["read", "--config", "config.json", "--catalog", "catalog.json"], tmp_path)

    assert check.status() == "FAILED"
    assert read.returncode != 0 or read.of_type("TRACE"), "a read with a wrong secret must fail loudly"
    assert read.of_type("RECORD") == []
    statuses = [r.status for r in servers[kind].requests()]
    assert 401 in statuses or 400 in statuses, statuses  # the stand-in really refused the credential
    assert output_leaks(all_secrets(), check) + output_leaks(all_secrets(), read) == []
    assert request_log_leaks(all_secrets(), servers[kind], TOKEN_PATHS.get(kind)) == []


def test_given_tokens_revoked_mid_read_when_the_retail_source_hits_a_401_then_no_secret_leaks(
        tmp_path: Path, servers: dict[str, sandbox.SandboxServer]) -> None:
    kind, name = "lightspeed_retail", harness.SOURCES["lightspeed_retail"]
    config = tmp_path / "config.json"
    config.write_text(json.dumps(with_credentials(harness.source_config(kind, servers), kind, SECRETS[kind])))
    (tmp_path / "catalog.json").write_text(json.dumps(harness.catalog()))
    servers[kind].add_fault("revoke_tokens", every=1, count=1, path=r"^/API/")

    read = cli(name, ["read", "--config", "config.json", "--catalog", "catalog.json"], tmp_path)

    assert 401 in [r.status for r in servers[kind].requests()]
    assert read.returncode != 0 or read.of_type("TRACE"), "revoked tokens must end the read with an error"
    secrets = all_secrets() | rotated_secrets([read], config, kind)
    assert output_leaks(secrets, read) == []
    assert request_log_leaks(secrets, servers[kind], TOKEN_PATHS[kind]) == []


@pytest.mark.parametrize("kind", ["exact", "eaccounting"])
def test_given_recognisable_secrets_when_a_destination_checks_writes_and_hits_a_401_then_no_secret_leaks(
        tmp_path: Path, servers: dict[str, sandbox.SandboxServer], kind: str) -> None:
    source, name = PIPES[kind], harness.DESTINATIONS[kind]
    harness.prepare(tmp_path, source, kind, servers)
    for role, vendor in (("source", source), ("destination", kind)):
        path = tmp_path / f"{role}_config.json"
        path.write_text(json.dumps(with_credentials(json.loads(path.read_text()), vendor, SECRETS[vendor])))
    key, wrong = WRONG[kind]
    bad = with_credentials(json.loads((tmp_path / "destination_config.json").read_text()), kind, {key: wrong})
    (tmp_path / "bad_config.json").write_text(json.dumps(bad))

    runs = [cli(name, ["spec"], tmp_path), cli(name, ["check", "--config", "bad_config.json"], tmp_path)]
    assert runs[-1].status() == "FAILED"
    runs.append(cli(name, ["check", "--config", "destination_config.json"], tmp_path))
    assert runs[-1].status() == "SUCCEEDED", runs[-1].lines[-3:]
    pipe = harness.run_pipe(tmp_path, source, kind)
    assert pipe.returncode == 0, pipe.errors or pipe.stderr[-2000:]
    assert harness.ledger(kind, servers[kind]), "the pipe booked nothing"
    runs += [CliRun(f"{role} (pipe)", 0, harness.output_lines(tmp_path / f"{role}_output.jsonl"),
                    (tmp_path / f"{role}.err").read_text()) for role in ("source", "destination")]

    # A second write after every token was revoked: the destination gets a 401, refreshes, and is refused.
    servers[kind].add_fault("revoke_tokens", every=2, count=1, path=r"^/(api/v1|v2)/")
    stdin = (tmp_path / "source_output.jsonl").read_text()
    runs.append(cli(name, ["write", "--config", "destination_config.json", "--catalog", "destination_catalog.json"],
                    tmp_path, stdin=stdin))
    assert 401 in [r.status for r in servers[kind].requests()]
    assert runs[-1].of_type("TRACE"), "a write with revoked tokens must end with an error trace"

    secrets = all_secrets() | rotated_secrets(runs, tmp_path / "destination_config.json", kind)
    secrets |= rotated_secrets([], tmp_path / "source_config.json", source)
    assert [leak for run in runs for leak in output_leaks(secrets, run)] == []
    assert request_log_leaks(secrets, servers[kind], TOKEN_PATHS[kind]) == []
    assert request_log_leaks(secrets, servers[source], TOKEN_PATHS.get(source)) == []


CONFIGS = {"shopify": harness.source_config, "lightspeed_ecom": harness.source_config,
           "lightspeed_retail": harness.source_config, "lightspeed_kseries": harness.source_config,
           "lightspeed_xseries": harness.source_config, "exact": harness.destination_config,
           "eaccounting": harness.destination_config}
CONNECTORS = {kind: (harness.SOURCES if config is harness.source_config else harness.DESTINATIONS)[kind]
              for kind, config in CONFIGS.items()}


@pytest.mark.parametrize("kind", [*SOURCE_KINDS, "exact", "eaccounting"])
def test_given_a_plain_http_url_to_a_remote_host_when_checking_then_the_connector_refuses_to_send_secrets_there(
        tmp_path: Path, servers: dict[str, sandbox.SandboxServer], kind: str) -> None:
    config = with_credentials(CONFIGS[kind](kind, servers), kind, SECRETS[kind])
    remote = json.dumps(config).replace(servers[kind].base_url, "http://books.example.invalid")
    (tmp_path / "config.json").write_text(remote)
    # The stand-in doubles as an HTTP proxy: whatever a connector sends to the "remote" host arrives there, logged.
    proxy = {"HTTP_PROXY": servers[kind].base_url, "http_proxy": servers[kind].base_url, "NO_PROXY": "", "no_proxy": ""}

    check = cli(CONNECTORS[kind], ["check", "--config", "config.json"], tmp_path, env=proxy)

    sent = [f"{r.method} {r.path}" for r in servers[kind].requests()]
    assert sent == [], f"{CONNECTORS[kind]} sent its credentials over plain http to a remote host: {sent}"
    assert check.status() == "FAILED"
    assert "https" in check.of_type("CONNECTION_STATUS")[0].connectionStatus.message
    assert output_leaks(all_secrets(), check) == []


def shop_records(shop: Any) -> str:
    """Protocol lines a ledger would send destination-shopify: one stock level and one shipment of an open order."""
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    sku = next(v.sku for p in shop.shop.products.values() for v in p.variants if v.active)
    order = next(o for o in shop.shop.orders.values() if o.cancelled_at is None
                 and o.fulfillment_status == "unfulfilled" and not o.refunds)
    level = StockLevel(source="exact_online", source_id=f"{sku}@1", sku=sku, location="1", available=Decimal(7),
                       on_hand=Decimal(7), reserved=Decimal(0), planned_in=Decimal(0), planned_out=Decimal(0),
                       updated_at=when)
    shipment = Shipment(source="exact_online", source_id="gd-1", order_source="shopify",
                        order_reference=f"#{order.number}", shipped_at=when, updated_at=when,
                        lines=tuple(ShipmentLine(sku=ln.sku, quantity=Decimal(ln.quantity)) for ln in order.lines),
                        tracking_number="3SSECRETS0001", carrier="PostNL")
    return "".join(serialize(record(stream, to_record(item))) + "\n"
                   for stream, item in (("stock_levels", level), ("shipments", shipment)))


def test_given_recognisable_secrets_when_destination_shopify_checks_writes_and_hits_a_401_then_no_secret_leaks(
        tmp_path: Path, servers: LazySandbox) -> None:
    name, server = harness.DESTINATIONS["shopify"], servers["shopify"]
    config = with_credentials(harness.destination_config("shopify", servers), "shopify", SECRETS["shopify"])
    (tmp_path / "config.json").write_text(json.dumps(config))
    key, wrong = WRONG["shopify"]
    (tmp_path / "bad_config.json").write_text(json.dumps(with_credentials(config, "shopify", {key: wrong})))
    (tmp_path / "catalog.json").write_text(json.dumps(harness.catalog(destination=True,
                                                                      streams=("stock_levels", "shipments"))))
    write = ["write", "--config", "config.json", "--catalog", "catalog.json"]
    stdin = shop_records(server.vendor)

    runs = [cli(name, ["spec"], tmp_path), cli(name, ["check", "--config", "bad_config.json"], tmp_path)]
    assert runs[-1].status() == "FAILED"
    runs.append(cli(name, ["check", "--config", "config.json"], tmp_path))
    assert runs[-1].status() == "SUCCEEDED", runs[-1].lines[-3:]
    runs.append(cli(name, write, tmp_path, stdin=stdin))
    assert runs[-1].returncode == 0, runs[-1].stderr[-2000:]
    summary = next(m.log.message for m in runs[-1].of_type("LOG") if m.log.message.startswith("SUMMARY "))
    assert json.loads(summary.removeprefix("SUMMARY "))["outcomes"] == {"stock_levels:updated": 1,
                                                                        "shipments:fulfilled": 1}, summary
    # A second write after every token was revoked: Shopify answers 401 and the write ends with an error.
    server.add_fault("revoke_tokens", every=1, count=1, path="graphql")
    runs.append(cli(name, write, tmp_path, stdin=stdin))
    assert 401 in [r.status for r in server.requests()]
    assert runs[-1].of_type("TRACE"), "a write with a revoked token must end with an error trace"

    assert [leak for run in runs for leak in output_leaks(all_secrets(), run)] == []
    assert request_log_leaks(all_secrets(), server, TOKEN_PATHS["shopify"]) == []
