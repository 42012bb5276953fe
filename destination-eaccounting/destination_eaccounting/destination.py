"""DestinationEaccounting: check() and write(); config -> client -> Booker, inside the common write loop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
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
from connector_common.auth import OAuth2Auth, TokenSet
from connector_common.errors import ConfigError, ConnectorError
from connector_common.exactly_once import CreateOnce, FirstSeen
from connector_common.http import HttpClient, Redactor
from connector_common.protocol import to_traced
from connector_common.report import Recorder
from connector_common.vat import is_eu_member
from connector_common.write_loop import BookingDestination, write_loop
from destination_eaccounting.booking import Booker
from destination_eaccounting.booking_customers import resolve_terms
from destination_eaccounting.client import EaccountingClient, EaccountingRateLimiter, classify_error, error_message
from destination_eaccounting.config import Settings, settings_from_config
from destination_eaccounting.plan import PlanContext, ReferenceData, credit_kind
from destination_eaccounting.vat_codes import MissingCoding, build_coding_table, coding_from_api

STREAMS = frozenset({"orders", "customers", "products"})
UNIT_CODES = ("st", "pcs", "stk", "styck", "stuk")


class DestinationEaccounting(BookingDestination):
    """Books canonical orders (and optionally customers and products) in Visma eAccounting."""

    def __init__(self, config_path: str | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 emit: Callable[[AirbyteMessage], None] = protocol.emit) -> None:
        self.config_path = config_path
        self._sleep = sleep
        self._clock = clock
        self._emit = emit
        self.last_client: EaccountingClient | None = None  # benchmarks read its call counters

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        try:
            settings = settings_from_config(dict(config))
            client = self._client(settings, _shared(config))
            ref = load_reference_data(client, settings)
        except ConnectorError as exc:
            return AirbyteConnectionStatus(status=Status.FAILED, message=str(exc))
        ctx = ref.context
        return AirbyteConnectionStatus(
            status=Status.SUCCEEDED,
            message=f"company country {ctx.company_country}, currency {ctx.company_currency}, "
                    f"{len(ref.codings_by_id)} article codings")

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        try:
            settings = settings_from_config(dict(config))
            recorder = Recorder(self.report_path(config), destination="Visma eAccounting", dry_run=settings.dry_run)
        except ConfigError as exc:
            raise to_traced(exc) from None
        for stream in configured_catalog.streams:
            if stream.destination_sync_mode == DestinationSyncMode.overwrite:
                raise AirbyteTracedException(
                    message=f"stream {stream.stream.name!r}: overwrite is not supported, bookings are never deleted",
                    failure_type=FailureType.config_error)
        return self._write(settings, _shared(config), configured_catalog, input_messages, recorder)

    def _write(self, settings: Settings, config: dict[str, Any], catalog: ConfiguredAirbyteCatalog,
               input_messages: Iterable[AirbyteMessage], recorder: Recorder) -> Iterator[AirbyteMessage]:
        try:
            client = self._client(settings, config)
            ref = load_reference_data(client, settings)
        except ConnectorError as exc:
            raise to_traced(exc) from None
        create_once = CreateOnce.for_client(client.http)
        kinds = {settings.document_type, credit_kind(settings.document_type)}
        first_seen = FirstSeen(lambda: client.newest_created(kinds),
                               lambda: datetime.fromtimestamp(client.http.clock(), UTC),  # no server clock to ask
                               settle=create_once.settle_cap, clock=client.http.clock)
        booker = Booker(client, settings, ref, log=lambda text: self._emit(protocol.log(text)),
                        create_once=create_once, first_seen=first_seen, recorder=recorder)
        streams = {s.stream.name for s in catalog.streams} & STREAMS
        if settings.dry_run:
            yield protocol.log("DRY RUN: nothing is written to eAccounting; the booking plan follows")
        yield from write_loop(input_messages, booker, streams=streams, batch_size=settings.batch_size,
                              error_policy=settings.error_policy, recorder=recorder)

    def _client(self, settings: Settings, config: dict[str, Any]) -> EaccountingClient:
        redactor = Redactor((settings.client_secret, settings.refresh_token))
        token_http = HttpClient(base_url=settings.token_url, redactor=redactor, sleep=self._sleep, clock=self._clock,
                                host_setting="identity_base_url")
        persister = protocol.ConfigPersister(config, self.config_path, emit_message=self._emit)

        def rotated(tokens: TokenSet) -> None:
            persister.update(["credentials", "refresh_token"], tokens.refresh_token)

        auth = OAuth2Auth(token_url=settings.token_url, client_id=settings.client_id,
                          client_secret=settings.client_secret, http=token_http, refresh_token=settings.refresh_token,
                          on_rotate=rotated, clock=self._clock)
        http = HttpClient(base_url=settings.api_base_url, auth=auth,
                          rate_limiter=EaccountingRateLimiter(clock=self._clock), classify_error=classify_error,
                          error_message=error_message, redactor=redactor, sleep=self._sleep, clock=self._clock,
                          host_setting="api_base_url")
        self.last_client = EaccountingClient(http)
        return self.last_client


def _shared(config: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's config dict itself, so a rotated refresh token is visible to the next call in this process."""
    return config if isinstance(config, dict) else dict(config)


def load_reference_data(client: EaccountingClient, settings: Settings) -> ReferenceData:
    """Company settings, codings, unit, terms and the default customer, read once per sync.

    Raises:
        ConfigError: when the config names something the company does not have.
    """
    company = client.company_settings()
    country = str(company.get("CountryCode") or "").upper()
    currency = str(company.get("CurrencyCode") or "")
    if not country or not currency:
        raise ConfigError("eAccounting company settings have no CountryCode/CurrencyCode; finish the start-up guide")
    raw_codings = client.codings()
    country_names: dict[str, str] = {}
    if any(c.get("ForeignSalesSubjectToMossAccountNumber") is not None for c in raw_codings):
        for row in client.countries():  # OSS codings name their country; /countries gives the names to read
            country_names.update({str(row[f]): str(row["Code"]) for f in ("Name", "NameEnglish") if row.get(f)})
    codings = [coding_from_api(c, country_names) for c in raw_codings]
    try:
        table = build_coding_table(settings.article_codings, codings)
    except MissingCoding as exc:
        raise ConfigError(str(exc)) from None
    unit_id = pick_unit(client.units(), settings.unit)
    terms = client.terms_of_payment()
    resolve_terms(terms, settings.default_terms_of_payment)
    for _method, name in settings.terms_by_payment_method:
        resolve_terms(terms, name)
    default_customer = None
    if settings.default_customer_number:
        found = client.find_customers("CustomerNumber", [settings.default_customer_number])
        matches = [c for c in found if c.get("CustomerNumber") == settings.default_customer_number]
        if not matches:
            raise ConfigError(f"default customer number {settings.default_customer_number!r} does not exist")
        default_customer = matches[0]
    context = PlanContext(
        company_country=country, company_currency=currency, seller_country=settings.seller_country or country,
        show_prices_excl_vat_pc=bool(company.get("ShowPricesExclVatPC")),
        whole_unit_rounding=company.get("DomesticCurrencyRounding") == 1, codings=table, articles={},
        is_eu_member=is_eu_member, create_missing_articles=settings.create_missing_articles,
        oss_registered=settings.oss_registered, shipping_article_number=settings.shipping_article_number,
        discount_article_number=settings.discount_article_number,
        generic_article_number=settings.generic_article_number,
        rounding_article_number=settings.rounding_article_number,
        max_rounding_difference=settings.max_rounding_difference)
    return ReferenceData(context=context, codings_by_id={c.id: c for c in codings}, unit_id=unit_id, terms=terms,
                         default_customer=default_customer)


def pick_unit(units: list[dict[str, Any]], wanted: str | None) -> str:
    """The unit for new articles: by id, code, name or abbreviation; default a piece unit, else the first."""
    if not units:
        raise ConfigError("eAccounting has no units; create one (e.g. 'st') first")
    fields = ("Id", "Code", "Name", "Abbreviation", "AbbreviationEnglish")
    if wanted:
        for unit in units:
            if wanted.strip().lower() in {str(unit.get(f) or "").lower() for f in fields}:
                return str(unit["Id"])
        raise ConfigError(f"unit {wanted!r} does not exist in eAccounting")
    for unit in units:
        if str(unit.get("Code") or "").lower() in UNIT_CODES:
            return str(unit["Id"])
    return str(units[0]["Id"])
