"""Airbyte message helpers: records, state, logs, traces, stream status, estimates, CONTROL and config write-back."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

import orjson
import serpyco_rs
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteControlConnectorConfigMessage,
    AirbyteControlMessage,
    AirbyteErrorTraceMessage,
    AirbyteEstimateTraceMessage,
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteRecordMessage,
    AirbyteStreamStatus,
    AirbyteStreamStatusTraceMessage,
    AirbyteTraceMessage,
    EstimateType,
    FailureType,
    Level,
    OrchestratorType,
    Status,
    StreamDescriptor,
    TraceType,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common.errors import ConfigError, ConnectorError, InputError, TransientApiError


def to_traced(exc: ConnectorError, prefix: str = "") -> AirbyteTracedException:
    """Map our error hierarchy onto Airbyte failure types: config (fix the settings), transient (retry later),
    system (a bug or an unexpected answer)."""
    if isinstance(exc, ConfigError):
        failure = FailureType.config_error
    elif isinstance(exc, TransientApiError):
        failure = FailureType.transient_error
    else:
        failure = FailureType.system_error
    return AirbyteTracedException(message=f"{prefix}{exc}", internal_message=type(exc).__name__, failure_type=failure)


# Which field of a message must be set for each message type (the protocol models alone accept {"type":"RECORD"}).
FIELD_FOR_TYPE = {
    Type.RECORD: "record", Type.STATE: "state", Type.LOG: "log", Type.SPEC: "spec", Type.TRACE: "trace",
    Type.CONNECTION_STATUS: "connectionStatus", Type.CATALOG: "catalog", Type.CONTROL: "control",
}


def now_ms() -> float:
    return time.time() * 1000


def record(stream: str, data: dict[str, Any]) -> AirbyteMessage:
    message = AirbyteRecordMessage(stream=stream, data=data, emitted_at=int(now_ms()))
    return AirbyteMessage(type=Type.RECORD, record=message)


def log(message: str, level: Level = Level.INFO) -> AirbyteMessage:
    return AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=level, message=message))


def trace_error(message: str, failure_type: FailureType = FailureType.system_error,
                internal: str | None = None, stream: str | None = None) -> AirbyteMessage:
    error = AirbyteErrorTraceMessage(message=message, internal_message=internal, failure_type=failure_type,
                                     stream_descriptor=StreamDescriptor(name=stream) if stream else None)
    trace = AirbyteTraceMessage(type=TraceType.ERROR, emitted_at=now_ms(), error=error)
    return AirbyteMessage(type=Type.TRACE, trace=trace)


def stream_status(stream: str, status: AirbyteStreamStatus) -> AirbyteMessage:
    trace = AirbyteTraceMessage(type=TraceType.STREAM_STATUS, emitted_at=now_ms(),
                                stream_status=AirbyteStreamStatusTraceMessage(
                                    stream_descriptor=StreamDescriptor(name=stream), status=status))
    return AirbyteMessage(type=Type.TRACE, trace=trace)


def connection_status(ok: bool, message: object = None) -> AirbyteConnectionStatus:
    """A source's `check` answer from `check_connection`'s (ok, message), the message as written: the CDK's own
    `AbstractSource.check` quotes it with repr()."""
    if ok:
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)
    return AirbyteConnectionStatus(status=Status.FAILED, message=str(message))


def estimate(stream: str, row_estimate: int) -> AirbyteMessage:
    trace = AirbyteTraceMessage(type=TraceType.ESTIMATE, emitted_at=now_ms(),
                                estimate=AirbyteEstimateTraceMessage(name=stream, type=EstimateType.STREAM,
                                                                     row_estimate=row_estimate))
    return AirbyteMessage(type=Type.TRACE, trace=trace)


def control_config(config: dict[str, Any]) -> AirbyteMessage:
    control = AirbyteControlMessage(type=OrchestratorType.CONNECTOR_CONFIG, emitted_at=now_ms(),
                                    connectorConfig=AirbyteControlConnectorConfigMessage(config=config))
    return AirbyteMessage(type=Type.CONTROL, control=control)


def serialize(message: AirbyteMessage) -> str:
    return orjson.dumps(AirbyteMessageSerializer.dump(message)).decode()


def emit(message: AirbyteMessage, out: TextIO | None = None) -> None:
    """Print one message now (used for CONTROL, which must not wait for the record it precedes)."""
    stream = out or sys.stdout
    stream.write(serialize(message) + "\n")
    stream.flush()


def validate_line(line: str | bytes) -> AirbyteMessage:
    """Parse one line as an Airbyte message and check its type-specific field is set.

    Raises:
        ValueError: not JSON, not a message, or a message without its payload (`{"type": "RECORD"}`).
    """
    message = AirbyteMessageSerializer.load(orjson.loads(line))
    field = FIELD_FOR_TYPE[message.type]
    if getattr(message, field) is None:
        raise ValueError(f"{message.type.value} message without its {field!r} field")
    return message


def read_messages(input_stream: IO[str] | IO[bytes]) -> Iterator[AirbyteMessage]:
    """A destination's stdin, message by message (the destinations' `_parse_input_stream`).

    The CDK's own parser logs and drops a line it cannot parse: a RECORD cut in half would be lost and the STATE
    after it echoed, so that booking would never happen. Here a bad line raises `InputError` naming the line; the
    write loop books what came before it and stops. Blank lines are ignored. The line's content is never quoted
    (it may hold customer data).
    """
    lines: IO[Any] = getattr(input_stream, "buffer", input_stream)  # bytes: a bad byte is one line's error
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            raise InputError(number, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
        try:
            yield validate_line(text)
        except serpyco_rs.SchemaValidationError as exc:  # wrong shape: name the places, never the values
            where = ", ".join(sorted({e.instance_path or "top level" for e in exc.errors}))
            raise InputError(number, f"wrong shape (at {where})") from None
        except (ValueError, KeyError) as exc:
            reason = str(exc).strip().splitlines()
            raise InputError(number, " ".join(r.strip("- ") for r in reason)[:300] or type(exc).__name__) from None


def config_path_from_argv(argv: Sequence[str]) -> str | None:
    """The value of `--config FILE` in a CLI invocation, if any."""
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def write_json_atomic(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    """Replace `path` with `data` atomically (temp file in the same folder, fsync, rename), keeping its mode."""
    target = Path(path)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ConfigPersister:
    """Keeps a rotated credential: updates the config, emits a CONTROL message, writes the CLI config file back.

    Airbyte OSS persists CONTROL messages itself; a local `--config file.json` run would otherwise lose a
    single-use refresh token, so the file is rewritten atomically too.
    """

    def __init__(self, config: dict[str, Any], config_path: str | None,
                 emit_message: Callable[[AirbyteMessage], None] = emit) -> None:
        self.config = config
        self.config_path = config_path
        self._emit = emit_message

    def update(self, path: Sequence[str], value: Any) -> None:
        node = self.config
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        self._emit(control_config(self.config))
        if self.config_path:
            try:
                write_json_atomic(self.config_path, self.config)
            except OSError as exc:  # a read-only config (e.g. mounted by a platform that persists CONTROL itself)
                self._emit(log(f"could not write the rotated credentials back to the config file: {exc.strerror}",
                               Level.WARN))
