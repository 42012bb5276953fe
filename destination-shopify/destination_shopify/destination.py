"""DestinationShopify: check() and write(); config -> Shopify client -> Booker, inside the common write loop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    DestinationSyncMode,
    FailureType,
    Status,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_common import protocol
from connector_common.errors import ConfigError, ConnectorError
from connector_common.exactly_once import CreateOnce
from connector_common.http import Redactor
from connector_common.protocol import ConfigPersister, to_traced
from connector_common.shopify import ShopifyClient, make_auth, rotation_writer
from connector_common.write_loop import BookingDestination, write_loop
from destination_shopify.booking import Booker, plan_locations
from destination_shopify.client import ShopifyAdmin
from destination_shopify.config import Settings, settings_from_config

STREAMS = frozenset({"stock_levels", "shipments"})


class DestinationShopify(BookingDestination):
    """Sets stock levels and creates fulfilments (with tracking) in a Shopify store from ledger records."""

    def __init__(self, config_path: str | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
                 emit: Callable[[AirbyteMessage], None] = protocol.emit) -> None:
        self.config_path = config_path
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._emit = emit
        self.last_admin: ShopifyAdmin | None = None  # benchmarks read its call and cost counters

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            settings = settings_from_config(config)
            admin = self._admin(settings, _shared(config))
            name = admin.shop_name()
            plan = plan_locations(admin.locations(), settings)
        except ConnectorError as exc:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(exc))
        return AirbyteConnectionStatus(status=Status.SUCCEEDED,
                                       message=f"shop {name!r}; stock is set at {plan.default.name!r}")

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        try:
            settings = settings_from_config(config)
        except ConfigError as exc:
            raise to_traced(exc) from None
        for stream in configured_catalog.streams:
            if stream.destination_sync_mode == DestinationSyncMode.overwrite:
                raise AirbyteTracedException(
                    message=f"stream {stream.stream.name!r}: overwrite is not supported; the shop's stock and "
                            "fulfilments are never deleted",
                    failure_type=FailureType.config_error)
        return self._write(settings, _shared(config), configured_catalog, input_messages)

    def _write(self, settings: Settings, config: dict[str, Any], catalog: ConfiguredAirbyteCatalog,
               input_messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        try:
            admin = self._admin(settings, config)
            locations = plan_locations(admin.locations(), settings)
        except ConnectorError as exc:
            raise to_traced(exc) from None
        booker = Booker(admin, settings, locations, create_once=CreateOnce.for_client(admin.client.http),
                        log=lambda text: self._emit(protocol.log(text)))
        streams = {s.stream.name for s in catalog.streams} & STREAMS
        yield from write_loop(input_messages, booker, streams=streams, batch_size=settings.batch_size,
                              error_policy=settings.error_policy)

    def _admin(self, settings: Settings, config: dict[str, Any]) -> ShopifyAdmin:
        redactor = Redactor()
        persister = ConfigPersister(config, self.config_path, emit_message=self._emit)
        auth = make_auth(settings.credentials, settings.base_url, redactor, on_rotate=rotation_writer(persister),
                         sleep=self._sleep, clock=self._wall_clock)
        client = ShopifyClient(settings.base_url, settings.api_version, auth, redactor=redactor, sleep=self._sleep,
                               clock=self._clock)
        self.last_admin = ShopifyAdmin(client)
        return self.last_admin


def _shared(config: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's config dict itself, so a rotated refresh token is visible to the next call in this process."""
    return config if isinstance(config, dict) else dict(config)
