"""The destination write loop: buffer, flush, and echo a STATE only after every record before it is committed."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import AirbyteMessage, FailureType, Level, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common import protocol
from connector_common.errors import ConfigError, ConnectorError, InputError, QuotaExhausted, RecordError
from connector_common.protocol import to_traced
from connector_common.report import STOPPED, Recorder

MAX_REPORTED_SKIPS = 50
SUMMARY_PREFIX = "SUMMARY "


@dataclass(frozen=True)
class Pending:
    """One record waiting in the buffer."""

    stream: str
    data: dict[str, Any]


class Sink(Protocol):
    """What a destination plugs into the loop (its Booker)."""

    def prepare(self, batch: Sequence[Pending]) -> None:
        """Bulk lookups for a whole batch before it is written (e.g. which references already exist)."""

    def write(self, item: Pending) -> str:
        """Commit one record and return its outcome label ("created", "exists", "skipped_unpaid", ...).

        Raises RecordError for a record that cannot be booked; any other ConnectorError aborts the sync.
        """
        ...

    def summary(self) -> dict[str, Any]:
        """Extra figures for the final summary (customers created/matched/defaulted, per VAT scenario ...)."""
        ...


@dataclass
class WriteReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    skipped_count: int = 0
    ignored_streams: Counter[str] = field(default_factory=Counter)
    states_echoed: int = 0
    bad_input: InputError | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"outcomes": dict(self.outcomes), "skipped_count": self.skipped_count, "skipped": self.skipped,
                "ignored_streams": dict(self.ignored_streams), "states_echoed": self.states_echoed,
                **({"bad_input_line": self.bad_input.line_number} if self.bad_input else {})}


class BookingDestination(Destination):
    """The base of our destinations: the CDK's Destination with stdin read strictly (`protocol.read_messages`: a
    line that is not an Airbyte message stops the sync instead of being dropped), and `write --report PATH`, which
    sets the `report_path` option for this run (without writing it into the config file)."""

    cli_report_path: str | None = None

    def _parse_input_stream(self, input_stream: IO[str]) -> Iterator[AirbyteMessage]:
        return protocol.read_messages(input_stream)

    def parse_args(self, args: list[str]) -> argparse.Namespace:
        try:
            rest, report_path = split_report_flag(args)
        except ConfigError as exc:
            argparse.ArgumentParser().error(str(exc))
        parsed = super().parse_args(rest)
        if report_path is not None and parsed.command != "write":
            argparse.ArgumentParser().error(f"{REPORT_FLAG} is an option of the write command only")
        self.cli_report_path = report_path
        return parsed

    def report_path(self, config: Mapping[str, Any]) -> str | None:
        """Where this run's booking report goes: `write --report PATH`, else the `report_path` option, else none."""
        value = self.cli_report_path or config.get("report_path")
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError("report_path must be a file path (e.g. 'reports/booking'), not " + repr(value)[:60])
        return value or None


REPORT_FLAG = "--report"


def split_report_flag(args: Sequence[str]) -> tuple[list[str], str | None]:
    """`[..., "--report", "x"]` or `[..., "--report=x"]` -> (the other arguments, "x")."""
    rest: list[str] = []
    found: str | None = None
    items = iter(args)
    for arg in items:
        if arg == REPORT_FLAG:
            found = next(items, None)
            if found is None:
                raise ConfigError(f"{REPORT_FLAG} needs a path, e.g. {REPORT_FLAG} reports/booking")
        elif arg.startswith(REPORT_FLAG + "="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, found


def write_loop(
    messages: Iterable[AirbyteMessage],
    sink: Sink,
    *,
    streams: set[str],
    batch_size: int = 100,
    error_policy: str = "skip",
    fail_on_skip: bool = True,
    report: WriteReport | None = None,
    recorder: Recorder | None = None,
) -> Iterator[AirbyteMessage]:
    """Run a destination's `write`: yields the echoed STATE messages, progress logs and the final summary.

    Args:
        streams: the configured streams; records of other streams are counted and ignored.
        error_policy: "skip" (count and report bad records, go on) or "stop" (fail at the first bad record).
        fail_on_skip: end with a failure after the summary when anything was skipped, so a scheduler notices.
        recorder: collects each order's outcome (the sink adds debtor and documents to it); with a report_path it
            writes the booking report (HTML + CSV) at the end, whatever the end is.
    Raises:
        AirbyteTracedException: a fatal error (after every state that could be echoed was echoed).
    """
    if error_policy not in ("skip", "stop"):
        raise ValueError(f"error_policy must be 'skip' or 'stop', not {error_policy!r}")
    report = report or WriteReport()
    recorder = recorder or Recorder()
    buffer: list[Pending] = []

    def flush() -> Iterator[AirbyteMessage]:
        if not buffer:
            return
        sink.prepare(buffer)
        for item in buffer:
            recorder.begin(item.stream, item.data)
            try:
                outcome = sink.write(item)
            except RecordError as exc:
                recorder.fail(str(exc))
                if error_policy == "stop":
                    raise
                report.skipped_count += 1
                if len(report.skipped) < MAX_REPORTED_SKIPS:
                    report.skipped.append(str(exc))
                report.outcomes[f"{item.stream}:skipped_error"] += 1
                yield protocol.log(f"skipped {exc}", Level.ERROR)
                continue
            except ConnectorError as exc:
                recorder.fail(f"{STOPPED}: {exc}")
                raise
            recorder.finish(outcome)
            report.outcomes[f"{item.stream}:{outcome}"] += 1
        buffer.clear()

    try:
        for message in _until_bad_input(messages, report):
            if message.type == Type.RECORD and message.record is not None:
                if message.record.stream not in streams:
                    report.ignored_streams[message.record.stream] += 1
                    continue
                buffer.append(Pending(message.record.stream, message.record.data))
                if len(buffer) >= batch_size:
                    yield from flush()
            elif message.type == Type.STATE:
                yield from flush()
                report.states_echoed += 1
                yield message
        yield from flush()
        if report.bad_input is not None:
            raise report.bad_input
    except QuotaExhausted as exc:
        yield from _summary(sink, report, recorder)
        when = f" It can resume after {exc.resets_at.isoformat()}." if exc.resets_at else ""
        raise AirbyteTracedException(
            message=f"Stopped cleanly: the API's daily limit is used up.{when} Everything up to the last echoed state "
                    "is booked; the next run continues from there.",
            internal_message=str(exc), failure_type=FailureType.transient_error) from None
    except ConnectorError as exc:
        yield from _summary(sink, report, recorder)
        raise to_traced(exc) from None
    yield from _summary(sink, report, recorder)
    if report.skipped_count and fail_on_skip:
        raise AirbyteTracedException(
            message=f"{report.skipped_count} record(s) were skipped and not booked; first: {report.skipped[0]}",
            failure_type=FailureType.config_error)


def _until_bad_input(messages: Iterable[AirbyteMessage], report: WriteReport) -> Iterator[AirbyteMessage]:
    """The messages up to a bad stdin line; the InputError is kept in the report, so what came before is booked
    (and its states echoed) before the loop stops on it."""
    try:
        yield from messages
    except InputError as exc:
        report.bad_input = exc


def _summary(sink: Sink, report: WriteReport, recorder: Recorder) -> Iterator[AirbyteMessage]:
    """The booking report's files (when asked for) and the final SUMMARY line, which names them."""
    try:
        files = recorder.save()
    except OSError as exc:  # checked writable at the start; the bookings stand, the report is what is missing
        files = None
        yield protocol.log(f"booking report not written to {recorder.report_path}: {exc.strerror or exc}",
                           Level.ERROR)
    paths = {"report": {"html": str(files[0]), "csv": str(files[1])}} if files else {}
    if files:
        yield protocol.log(f"booking report: {files[0]} and {files[1]}")
    body = {**report.as_dict(), **sink.summary(), **paths}
    yield protocol.log(SUMMARY_PREFIX + json.dumps(body, default=str, sort_keys=True))
