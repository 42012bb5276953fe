"""Issue 16 point 7 and issue 19 point 3: what every connector's console script says about bad files at the edge.

Each case runs the real console script (`connector_common.entrypoint.run_connector` behind every run.py) with a
file a careless user could pass: it must end in ONE TRACE error with failure_type config_error naming the file and
the field, a non-zero exit code, and no traceback anywhere in the output. No sandbox is needed: nothing here gets as
far as a network call.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connector_common.protocol import validate_line
from harness import BIN

SOURCES = ("source-shopify-orders", "source-lightspeed", "source-exact-online")
DESTINATIONS = ("destination-exact-online", "destination-eaccounting", "destination-shopify")
PROGRAMS = (*SOURCES, *DESTINATIONS)
SHOPIFY = {"shop": "demo-shop", "start_date": "2026-01-01T00:00:00Z",
           "credentials": {"auth_method": "access_token", "access_token": "shpat_edge"}}
LIGHTSPEED = {"start_date": "2026-01-01T00:00:00Z",
              "platform": {"platform_type": "ecom", "cluster": "eu1", "language": "nl", "api_key": "k", "api_secret": "s"}}
EXACT = {"credentials": {"client_id": "c", "client_secret": "s", "refresh_token": "r"}}
EACC = {"credentials": {"client_id": "c", "client_secret": "s", "refresh_token": "r"}}
SHOPIFY_OUT = {"shop": "demo-shop", "credentials": {"auth_method": "access_token", "access_token": "shpat_edge"}}
GOOD = {"source-shopify-orders": SHOPIFY, "source-lightspeed": LIGHTSPEED, "destination-exact-online": EXACT,
        "destination-eaccounting": EACC, "source-exact-online": EXACT, "destination-shopify": SHOPIFY_OUT}
WRONG_TYPE = {"source-shopify-orders": ("page_size", "abc"), "source-lightspeed": ("page_size", "abc"),
              "destination-exact-online": ("batch_size", "many"), "destination-eaccounting": ("batch_size", "many"),
              "source-exact-online": ("division", "abc"), "destination-shopify": ("batch_size", "many")}
TYPO = {"source-shopify-orders": ("api_base_urll", "api_base_url"), "source-lightspeed": ("start_datee", "start_date"),
        "destination-exact-online": ("api_urll", "api_url"),
        "destination-eaccounting": ("api_base_urll", "api_base_url"),
        "source-exact-online": ("api_urll", "api_url"), "destination-shopify": ("api_base_urll", "api_base_url")}


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[Any]:
        return [validate_line(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def errors(self) -> list[Any]:
        return [m.trace.error for m in self.messages if m.type.value == "TRACE" and m.trace.error is not None]

    @property
    def warnings(self) -> list[str]:
        return [m.log.message for m in self.messages if m.type.value == "LOG" and m.log.level.value == "WARN"]


def _command(program: str, case: str, tmp: Path) -> list[str]:
    command = "read" if program in SOURCES else "write"
    config = tmp / f"{program}-{case}.json"
    catalog = tmp / "catalog.json"
    catalog.write_text(json.dumps({"streams": []}))
    data = dict(GOOD[program])
    state: Path | None = None
    if case == "missing_config":
        return [command, "--config", str(tmp / "no-such-config.json"), "--catalog", str(catalog)]
    if case == "config_not_json":
        config.write_text('{"shop": "demo-shop",')
        return [command, "--config", str(config), "--catalog", str(catalog)]
    if case == "config_is_folder":
        config.mkdir()
        return [command, "--config", str(config), "--catalog", str(catalog)]
    if case == "wrong_type":
        key, value = WRONG_TYPE[program]
        data[key] = value
        typo, _ = TYPO[program]
        data[typo] = "x"
    if case == "state_not_json":
        state = tmp / f"{program}-{case}-state.json"
        state.write_text("updated_at=yesterday")
    if case == "state_is_whole_message":  # a STATE line of a read's output pasted as it is
        state = tmp / f"{program}-{case}-state.json"
        state.write_text(json.dumps([{"type": "STATE", "state": {"type": "STREAM", "stream": {
            "stream_descriptor": {"name": "orders"}, "stream_state": {"updated_at": "2026-01-01T00:00:00Z"}}}}]))
    if case == "garbage_cursor":
        state = tmp / f"{program}-{case}-state.json"
        state.write_text(json.dumps([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "orders"},
                                                                   "stream_state": {"updated_at": "last tuesday"}}}]))
    config.write_text(json.dumps(data))
    return [command, "--config", str(config), "--catalog", str(catalog), *(["--state", str(state)] if state else [])]


CASES = ["missing_config", "config_not_json", "config_is_folder", "wrong_type"]
SOURCE_CASES = ["state_not_json", "garbage_cursor", "state_is_whole_message"]
ALL = [(p, c) for p in PROGRAMS for c in CASES] + [(p, c) for p in SOURCES for c in SOURCE_CASES]


def _run(args: list[str], program: str) -> Outcome:
    proc = subprocess.run([str(BIN / program), *args], capture_output=True, text=True, timeout=300, check=False)
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Outcome]]:
    tmp = tmp_path_factory.mktemp("edge")
    commands = {(p, c): _command(p, c, tmp) for p, c in ALL}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(_run, args, key[0]) for key, args in commands.items()}
        yield {key: future.result() for key, future in futures.items()}


EXPECTED = {
    "missing_config": "config file '{tmp}/no-such-config.json' does not exist",
    "config_not_json": "config file '{tmp}/{program}-config_not_json.json' is not JSON (line 1 column 22: ",
    "config_is_folder": "config file '{tmp}/{program}-config_is_folder.json' is a folder, not a file",
    "wrong_type": "config file '{tmp}/{program}-wrong_type.json': {field}: {value!r} is not of type 'integer'",
    "state_not_json": "state file '{tmp}/{program}-state_not_json-state.json' is not JSON (line 1 column 1: Expecting value)",
    "state_is_whole_message": "state file: item [0]: type 'STATE' is not a state type (STREAM, GLOBAL or LEGACY): "
                              "give the \"state\" object of the STATE message a read printed, not the whole message",
    "garbage_cursor": "state file '{tmp}/{program}-garbage_cursor-state.json': orders.updated_at: 'last tuesday' is not an ISO 8601 "
                      "timestamp with a time zone",
}


@pytest.mark.parametrize(("program", "case"), ALL)
def test_given_a_bad_file_when_the_connector_starts_then_one_config_error_names_the_file_and_the_field(
        outcomes: dict[tuple[str, str], Outcome], program: str, case: str) -> None:
    run = outcomes[(program, case)]
    field, value = WRONG_TYPE[program]

    assert run.returncode != 0
    assert len(run.errors) == 1, run.stdout[-2000:]
    error = run.errors[0]
    assert error.failure_type.value == "config_error"
    folder = _folder(run)
    assert error.message.startswith(EXPECTED[case].format(tmp=folder, program=program, field=field, value=value)), \
        error.message
    assert "Traceback" not in run.stdout + run.stderr
    assert "\n" not in error.message


def _folder(run: Outcome) -> str:
    """The temporary folder the message names (the test does not know pytest's numbering in advance)."""
    message = run.errors[0].message
    return message.split("'", 2)[1].rsplit("/", 1)[0]


@pytest.mark.parametrize("program", PROGRAMS)
def test_given_a_typo_in_a_config_key_when_the_connector_starts_then_a_warning_names_it_and_the_closest_key(
        outcomes: dict[tuple[str, str], Outcome], program: str) -> None:
    run = outcomes[(program, "wrong_type")]
    typo, known = TYPO[program]

    assert [w for w in run.warnings if f"unknown option {typo!r} (did you mean {known!r}?)" in w], run.warnings


@pytest.mark.parametrize("program", PROGRAMS)
def test_given_help_when_asked_then_the_commands_and_the_config_options_are_described(program: str) -> None:
    run = _run(["--help"], program)
    commands = ("spec", "check", "discover", "read") if program in SOURCES else ("spec", "check", "write")

    assert run.returncode == 0 and run.stderr == ""
    for command in commands:
        assert f"{program} {command}" in run.stdout
    assert "--config CONFIG" in run.stdout and "Config options" in run.stdout
    assert f"{next(iter(WRONG_TYPE[program][:1]))} (integer" in run.stdout  # an option with its type


@pytest.mark.parametrize("program", PROGRAMS)
def test_given_a_closed_stdout_when_the_connector_writes_then_it_ends_quietly(program: str) -> None:
    proc = subprocess.Popen([str(BIN / program), "spec"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader went away before the first line, as `| head -0` does
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=300)

    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert proc.returncode != 0


def _closed_port() -> int:
    """A local port nobody listens on (bound, then released): a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


UNREACHABLE_SETTING = {"source-shopify-orders": ("api_base_url", "shop (or api_base_url)"),
                       "source-lightspeed": ("platform.base_url", "platform.cluster (or platform.base_url)"),
                       "destination-exact-online": ("api_url", "api_url (or country)"),
                       "destination-eaccounting": ("identity_base_url", "identity_base_url"),
                       "source-exact-online": ("api_url", "api_url (or country)"),
                       "destination-shopify": ("api_base_url", "shop (or api_base_url)")}


@pytest.mark.parametrize("program", PROGRAMS)
def test_given_an_unreachable_host_when_checked_then_it_fails_at_once_naming_the_host_and_its_setting(
        program: str, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    config = json.loads(json.dumps(GOOD[program]))
    key, named = UNREACHABLE_SETTING[program]
    if program == "source-lightspeed":
        config["platform"]["base_url"] = url
    else:
        config[key] = url
        if program == "destination-eaccounting":
            config["api_base_url"] = url + "/v2"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))

    run = _run(["check", "--config", str(path)], program)

    statuses = [m.connectionStatus for m in run.messages if m.type.value == "CONNECTION_STATUS"]
    assert len(statuses) == 1 and statuses[0].status.value == "FAILED", run.stdout[-2000:]
    message = statuses[0].message
    host = url.removeprefix("http://")
    assert message == f"cannot reach {host}: the connection was refused; check the {named} setting"
    assert "Traceback" not in run.stdout + run.stderr
