"""THE console entrypoint of every connector: `--help`, config/state/catalog files checked at the edge, quiet `| head`.

Every `run.py` calls `run_connector(...)`. Before the CDK sees the command line, the files it names are read here,
so that a missing or unreadable file, a file that is not JSON, an option of the wrong type, a state that is not
JSON or a cursor that is not a timestamp ends in ONE line naming the file and the field: an Airbyte TRACE error with
`failure_type: config_error`, a non-zero exit code, no traceback. An unknown config key (`api_urll`) is a WARN
naming the key and the closest known one. A closed stdout (`| head`) ends the process quietly.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from airbyte_cdk.destinations import Destination
from airbyte_cdk.entrypoint import launch
from airbyte_cdk.models import FailureType, Level
from airbyte_cdk.sources import Source

from connector_common import protocol
from connector_common.cursor import parse_timestamp
from connector_common.errors import ConfigError, quoted

SOURCE_COMMANDS = {
    "spec": ("", "print the connector's specification (every config option, as JSON Schema)"),
    "check": ("--config CONFIG", "test the credentials and settings in CONFIG"),
    "discover": ("--config CONFIG", "list the streams this source can read"),
    "read": ("--config CONFIG --catalog CATALOG [--state STATE]",
             "read the catalog's streams as Airbyte messages on stdout; STATE continues an earlier run"),
}
DESTINATION_COMMANDS = {
    "spec": SOURCE_COMMANDS["spec"],
    "check": SOURCE_COMMANDS["check"],
    "write": ("--config CONFIG --catalog CATALOG",
              "book the Airbyte messages read from stdin; each STATE is echoed once everything before it is booked"),
}
FILE_OPTIONS = ("config", "catalog", "state")
HELP_FLAGS = frozenset(("-h", "--help", "help"))
CURSOR_KEYS = ("updated_at",)  # connector_common.cursor.Cursor's state fields holding a timestamp
EXIT_CONFIG_ERROR = 1


class EdgeError(ConfigError):
    """A file named on the command line cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Files:
    """The parsed `--config`, `--catalog` and `--state` files of a command line (None when not given)."""

    config: Any = None
    catalog: Any = None
    state: Any = None


def run_connector(connector: Source | Destination, argv: Sequence[str], *, program: str, summary: str,
                  out: Callable[[str], None] | None = None) -> None:
    """Run `program` (`connector` is a Source or a Destination) with `argv` (without the program name).

    Args:
        summary: one sentence saying what the connector does, the first line of `--help`.
        out: where help and error lines go (stdout by default; tests pass a list's append).
    Exits with 1 after a config error found at the edge; with the CDK's own code otherwise.
    """
    write = out or _print
    _die_quietly_on_closed_stdout()
    args = list(argv)
    commands = DESTINATION_COMMANDS if isinstance(connector, Destination) else SOURCE_COMMANDS
    try:
        if not args or HELP_FLAGS & set(args) or args[0] not in commands:
            if args and args[0] not in commands and not HELP_FLAGS & set(args):
                write(f"{program}: unknown command {args[0]!r}; one of {', '.join(commands)}")
                write("")
            write(help_text(program, summary, commands, _spec_of(connector)))
            if args and args[0] not in commands and not HELP_FLAGS & set(args):
                sys.exit(2)
            return
        try:
            files = read_files(args)
            if files.config is not None:
                spec, path = _spec_of(connector), _option(args, "config") or ""
                for warning in config_warnings(files.config, spec, path):  # before an error: both may help
                    write(protocol.serialize(protocol.log(warning, Level.WARN)))
                check_config(files.config, spec, path)
        except EdgeError as exc:
            write(protocol.serialize(protocol.trace_error(str(exc), FailureType.config_error,
                                                          internal=type(exc).__name__)))
            sys.exit(EXIT_CONFIG_ERROR)
        if isinstance(connector, Destination):
            connector.run(args)
        else:
            launch(connector, args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_CONFIG_ERROR)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _die_quietly_on_closed_stdout() -> None:
    """`| head`: end the process as `cat` does when its reader goes away (SIGPIPE's default action), instead of a
    BrokenPipeError traceback from whichever of the CDK's print buffer, its logging handler or our code writes next.
    Nothing is lost: a source's reader decided to stop reading, and a destination echoes no STATE it cannot print."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _quiet_stdout() -> None:
    """Fallback where there is no SIGPIPE: point stdout at /dev/null so the interpreter's final flush does not print
    a BrokenPipeError either (the recipe of the Python docs, 'Note on SIGPIPE')."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)


def _spec_of(connector: Source | Destination) -> Mapping[str, Any]:
    """The connector's connection spec; the parsed spec is kept on the instance, so the CDK's own `spec()` call of
    the same run does not parse spec.yaml again (about 7 ms a run)."""
    spec = connector.spec(logging.getLogger("airbyte"))
    connector.spec = lambda *_args, **_kwargs: spec  # type: ignore[method-assign]
    return dict(spec.connectionSpecification)


def _option(args: Sequence[str], name: str) -> str | None:
    flag = f"--{name}"
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


# -- files ------------------------------------------------------------------------------------------------------
def read_files(args: Sequence[str]) -> Files:
    """Read every file option the command line names.

    Raises:
        EdgeError: e.g. "config file 'conf.json' does not exist", "state file 's.json' is not JSON (line 1
            column 2: Expecting value)", "state file 's.json': orders.updated_at: 'yesterday' is not an ISO 8601
            timestamp with a time zone".
    """
    found: dict[str, Any] = {}
    for name in FILE_OPTIONS:
        path = _option(args, name)
        if path is not None:
            found[name] = load_json(path, name)
    if "config" in found and not isinstance(found["config"], dict):
        raise EdgeError(f"config file {_option(args, 'config')!r} must hold a JSON object, not "
                        f"{_json_type(found['config'])}")
    if "catalog" in found and not isinstance(found["catalog"], dict):
        raise EdgeError(f"catalog file {_option(args, 'catalog')!r} must hold a JSON object, not "
                        f"{_json_type(found['catalog'])}")
    if "state" in found:
        check_state(found["state"], _option(args, "state") or "")
    return Files(**found)


def load_json(path: str, what: str) -> Any:
    """The JSON content of `path`; raises EdgeError naming the file (`what` file '...') and the problem."""
    label = f"{what} file {path!r}"
    file = Path(path)
    if not file.exists():
        raise EdgeError(f"{label} does not exist")
    if file.is_dir():
        raise EdgeError(f"{label} is a folder, not a file")
    try:
        text = file.read_text(encoding="utf-8")
    except PermissionError:
        raise EdgeError(f"{label} cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise EdgeError(f"{label} is not UTF-8 text") from None
    except OSError as exc:
        raise EdgeError(f"{label} cannot be read ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EdgeError(f"{label} is not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None


def check_state(state: Any, path: str) -> None:
    """A state file as the CDK reads it (a list of state messages, or a legacy object), every cursor a timestamp."""
    label = f"state file {path!r}"
    if not isinstance(state, list | dict):
        raise EdgeError(f"{label} must hold a JSON list of state messages, not {_json_type(state)}")
    for position, (stream, stream_state) in enumerate(_stream_states(state)):
        where = stream or f"[{position}]"
        if not isinstance(stream_state, dict):
            raise EdgeError(f"{label}: {where}.stream_state must be an object, not {_json_type(stream_state)}")
        for key in CURSOR_KEYS:
            value = stream_state.get(key)
            if value in (None, ""):
                continue
            try:
                if not isinstance(value, str):
                    raise TypeError
                parse_timestamp(value)
            except (TypeError, ValueError):
                raise EdgeError(f"{label}: {where}.{key}: {str(value)[:60]!r} is not an ISO 8601 timestamp with a "
                                f"time zone (e.g. 2026-11-02T10:00:00Z)") from None


def _stream_states(state: list[Any] | dict[str, Any]) -> Iterator[tuple[str | None, Any]]:
    if isinstance(state, dict):  # legacy form {"orders": {...}}
        yield from state.items()
        return
    for i, message in enumerate(state):
        if not isinstance(message, dict):
            raise EdgeError(f"state file: item [{i}] must be a state message object, not {_json_type(message)}")
        if message.get("type") not in (None, "STREAM", "GLOBAL", "LEGACY"):
            hint = (": give the \"state\" object of the STATE message a read printed, not the whole message"
                    if message.get("type") == "STATE" and isinstance(message.get("state"), dict) else "")
            raise EdgeError(f"state file: item [{i}]: type {quoted(str(message.get('type')))} is not a state type "
                            f"(STREAM, GLOBAL or LEGACY){hint}")
        stream = message.get("stream") if message.get("type") in (None, "STREAM") else None
        if isinstance(stream, dict):
            descriptor = stream.get("stream_descriptor") or {}
            yield str(descriptor.get("name") or f"[{i}]"), stream.get("stream_state") or {}


# -- config -----------------------------------------------------------------------------------------------------
def check_config(config: Mapping[str, Any], spec: Mapping[str, Any], path: str) -> None:
    """Validate `config` against the spec's JSON Schema (the CDK validates the same, but names neither file nor field).

    Raises:
        EdgeError: naming the file and the field, e.g. "config file 'c.json': batch_size: 'abc' is not of type
            'integer'".
    """
    label = f"config file {path!r}"
    validator = jsonschema.Draft7Validator(spec)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.path))))
    if errors:
        raise EdgeError(f"{label}: {_describe(errors[0])}")


def config_warnings(config: Mapping[str, Any], spec: Mapping[str, Any], path: str) -> list[str]:
    """One WARN text per config key the spec does not know, naming the closest known key."""
    return [f"config file {path!r}: unknown option {key!r}{hint}; it is ignored"
            for key, hint in unknown_keys(config, spec)]


def _describe(error: jsonschema.ValidationError) -> str:
    field = ".".join(str(p) for p in error.absolute_path) or "top level"
    if error.validator == "required":
        return f"{error.message.split(' is a required')[0].strip(chr(39))} is required" if not error.absolute_path \
            else f"{field}: {error.message}"
    if error.validator == "oneOf":  # e.g. the platform object: name the nearest branch's problem
        best = jsonschema.exceptions.best_match(error.context or [])
        if best is not None:
            inner = ".".join(str(p) for p in best.absolute_path) or field
            return f"{inner}: {_short(best)}"
    return f"{field}: {_short(error)}"


def _short(error: jsonschema.ValidationError) -> str:
    if error.validator in ("type", "enum", "const", "pattern", "minimum", "maximum", "format"):
        shown = repr(error.instance) if not isinstance(error.instance, dict | list) else _json_type(error.instance)
        return f"{shown[:60]} {error.message.split(' ', 1)[1] if ' is ' in error.message else error.message}"
    if error.validator in ("required", "additionalProperties", "minItems", "maxItems", "minLength", "maxLength"):
        return error.message[:200]
    return error.message[:200]


def unknown_keys(config: Mapping[str, Any], spec: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, " (did you mean 'x'?)") for every key of `config` the spec's properties do not name."""
    known = _properties(spec)
    if not known:
        return []
    found: list[tuple[str, str]] = []
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            found.append((dotted, f" (did you mean {close[0]!r}?)" if close else ""))
        elif isinstance(value, Mapping):
            found.extend(unknown_keys(value, known[key], prefix=f"{dotted}."))
    return found


def _properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a schema names, with every oneOf/anyOf branch's properties (a union: only for the warning)."""
    merged: dict[str, Any] = {}
    for branch in (*schema.get("oneOf", ()), *schema.get("anyOf", ())):
        if isinstance(branch, Mapping):
            for key, sub in _properties(branch).items():
                merged.setdefault(key, sub)
    merged.update(schema.get("properties") or {})
    return merged


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


# -- help -------------------------------------------------------------------------------------------------------
def help_text(program: str, summary: str, commands: Mapping[str, tuple[str, str]], spec: Mapping[str, Any]) -> str:
    """What `--help` prints: the commands with their options, then every config option of the spec."""
    lines = [f"{program}: {summary}", "", "Usage:"]
    for name, (args, text) in commands.items():
        lines += [f"  {program} {f'{name} {args}'.strip()}", f"      {text}"]
    lines += ["", "CONFIG, CATALOG and STATE are JSON files: CONFIG holds the options below, CATALOG the configured "
              "streams, STATE the last state messages of an earlier run (a JSON list).", "", "Config options "
              "(* = required):"]
    lines += _option_lines(spec, indent="  ")
    lines += ["", "Errors in these files end the command with one line naming the file and the field (an Airbyte "
              "TRACE error, failure_type config_error) and exit code 1."]
    return "\n".join(lines)


def _option_lines(schema: Mapping[str, Any], indent: str) -> list[str]:
    required = set(schema.get("required") or ())
    out: list[str] = []
    props = schema.get("properties") or {}
    ordered = sorted(props.items(), key=lambda kv: (kv[1].get("order", 999), kv[0]))
    for key, sub in ordered:
        kind = sub.get("type", "object" if "oneOf" in sub else "")
        kind = "/".join(kind) if isinstance(kind, list) else kind
        secret = ", secret" if sub.get("airbyte_secret") else ""
        default = f", default {json.dumps(sub['default'])}" if "default" in sub else ""
        text = " ".join(str(sub.get("description") or sub.get("title") or "").split())
        out.append(f"{indent}{key}{'*' if key in required else ''} ({kind}{secret}{default}): {text[:160]}")
        if sub.get("properties"):
            out += _option_lines(sub, indent + "  ")
        for branch in sub.get("oneOf", ()):
            out.append(f"{indent}  - {branch.get('title', 'one of')}:")
            out += _option_lines(branch, indent + "    ")
    return out
