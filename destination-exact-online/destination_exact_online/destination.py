"""DestinationExactOnline: check() and write() wiring (config -> client -> Booker inside the common write loop)."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    DestinationSyncMode,
    FailureType,
    Level,
    Status,
    Type,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common import protocol
from connector_common.errors import ConfigError, ConnectorError
from connector_common.exact import rotation_writer
from connector_common.exactly_once import CreateOnce, FirstSeen
from connector_common.http import RetryPolicy
from connector_common.protocol import ConfigPersister, to_traced
from connector_common.report import Recorder
from connector_common.write_loop import BookingDestination, write_loop
from destination_exact_online.booking import Booker
from destination_exact_online.client import ExactClient, api_calls, build_client
from destination_exact_online.settings import Settings, parse_settings
from destination_exact_online.vat_codes import VatCodeTable, vat_code_from_row

SUPPORTED_STREAMS = ("orders", "customers", "products")


@dataclass
class Division:
    """What is read once per run: the client, the VAT-code table and the GL account IDs the config names."""

    client: ExactClient
    vat: VatCodeTable
    gl_ids: dict[str, str]


class DestinationExactOnline(BookingDestination):
    """Books canonical `orders` (and optionally `customers`, `products`) in Exact Online exactly once."""

    def __init__(self, config_path: str | None = None, *, emit: Callable[[AirbyteMessage], None] = protocol.emit,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 retry: RetryPolicy | None = None) -> None:
        self.config_path = config_path
        self._emit = emit
        self._sleep = sleep
        self._clock = clock
        self._retry = retry

    # -- wiring -------------------------------------------------------------------------------------------------
    def _connect(self, config: Mapping[str, Any], settings: Settings) -> Division:
        persister = ConfigPersister(copy.deepcopy(dict(config)), self.config_path, emit_message=self._emit)
        on_rotate = rotation_writer(persister)
        creds = settings.credentials
        client, _ = build_client(
            base_url=creds.base_url, client_id=creds.client_id, client_secret=creds.client_secret,
            refresh_token=creds.refresh_token, access_token=creds.access_token,
            expires_at=creds.token_expires_at, on_rotate=on_rotate, division=creds.division,
            read_only=settings.dry_run, sleep=self._sleep, clock=self._clock, retry=self._retry)
        client.resolve_division()
        table = VatCodeTable(settings.vat_codes, [vat_code_from_row(r) for r in client.vat_codes()])
        table.check_explicit()
        gl_ids = client.gl_account_ids(settings.gl_codes) if settings.gl_codes else {}
        missing = sorted(settings.gl_codes - set(gl_ids))
        if missing:
            raise ConfigError(f"GL account(s) {', '.join(missing)} do not exist in this Exact division")
        return Division(client=client, vat=table, gl_ids=gl_ids)

    # -- Destination --------------------------------------------------------------------------------------------
    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Refresh the token, find the division, read its VAT codes and check journal, GL accounts, default debtor."""
        try:
            settings = parse_settings(config)
            division = self._connect(config, settings)
            if not division.client.journal_exists(settings.journal_code):
                raise ConfigError(f"journal {settings.journal_code!r} does not exist in this Exact division")
            _check_default_debtor(division.client, settings)
        except ConnectorError as exc:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(exc))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        """Book every record; echo each STATE only after everything before it is booked or deliberately skipped."""
        streams = {s.stream.name for s in configured_catalog.streams}
        overwrite = sorted(s.stream.name for s in configured_catalog.streams
                           if s.destination_sync_mode == DestinationSyncMode.overwrite)
        if overwrite:
            raise AirbyteTracedException(message=f"overwrite is not supported (bookings are never deleted): "
                                         f"{', '.join(overwrite)}", failure_type=FailureType.config_error)
        unknown = sorted(streams - set(SUPPORTED_STREAMS))
        try:
            settings = parse_settings(config)
            recorder = Recorder(self.report_path(config), destination="Exact Online", dry_run=settings.dry_run)
            division = self._connect(config, settings)
            _check_default_debtor(division.client, settings)  # refuse as `check` does, before anything is booked
        except ConnectorError as exc:
            raise to_traced(exc) from None
        plan_lines: list[str] = []
        create_once = CreateOnce.for_client(division.client.http)
        client = division.client

        def first_seen(entity: str) -> FirstSeen:
            return FirstSeen(lambda: client.newest_created(entity), client.server_now,
                             settle=create_once.settle_cap, clock=client.http.clock)

        booker = Booker(division.client, settings, division.vat, gl_ids=division.gl_ids, emit=plan_lines.append,
                        call_counter=lambda: api_calls(division.client),
                        create_once=create_once, first_seen=first_seen, recorder=recorder)
        if unknown:
            yield protocol.log(f"ignoring streams this destination does not book: {', '.join(unknown)}", Level.WARN)
        if settings.dry_run:
            yield protocol.log("DRY RUN: customers, items and VAT codes are resolved read-only; nothing is written")
        for name in sorted(streams & set(SUPPORTED_STREAMS)):
            yield protocol.stream_status(name, AirbyteStreamStatus.RUNNING)
        loop = write_loop(input_messages, booker, streams=set(SUPPORTED_STREAMS) & streams,
                          batch_size=settings.batch_size, error_policy=settings.error_policy, fail_on_skip=True,
                          recorder=recorder)
        yield from self._relay(loop, booker, plan_lines)
        for name in sorted(streams & set(SUPPORTED_STREAMS)):
            yield protocol.stream_status(name, AirbyteStreamStatus.COMPLETE)

    @staticmethod
    def _relay(loop: Iterator[AirbyteMessage], booker: Booker, plan_lines: list[str]) -> Iterator[AirbyteMessage]:
        """Pass the loop's messages through, with dry-run plans before them and a progress line after each state."""
        for message in loop:
            while plan_lines:
                yield protocol.log(plan_lines.pop(0))
            yield message
            if message.type == Type.STATE:
                docs = ", ".join(f"{k} {v}" for k, v in sorted(booker.stats.documents.items())) or "none yet"
                yield protocol.log(f"progress: documents {docs}; customers {dict(booker.stats.customers)}")
        while plan_lines:
            yield protocol.log(plan_lines.pop(0))


def _check_default_debtor(client: ExactClient, settings: Settings) -> None:
    """Raises ConfigError when the configured default debtor is not an account of the division."""
    if settings.default_debtor_code and client.account_by_code(settings.default_debtor_code) is None:
        raise ConfigError(f"default_debtor_code {settings.default_debtor_code!r} is not an account in this Exact "
                          f"division")
