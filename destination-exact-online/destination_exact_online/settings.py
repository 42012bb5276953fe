"""The destination's configuration as a typed, validated value (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connector_common.config import amount, choice, choices, flag, integer, string_map
from connector_common.errors import ConfigError
from connector_common.exact import ExactCredentials, parse_credentials
from connector_common.model import DEFAULT_MAX_ORDER_TOTAL, PaymentStatus
from connector_common.vat import BOOK_WITH_VAT, COUNTRIES, INVALID_VAT_NUMBER_OPTIONS

DOCUMENT_TYPES = ("sales_invoice", "sales_order", "sales_entry")
STATUSES = tuple(status.value for status in PaymentStatus)
MAX_BATCH_SIZE = 500  # the spec's maximum


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the booking logic needs to know from the config; defaults are the documented ones."""

    credentials: ExactCredentials  # host, OAuth2 client and tokens, division: as source-exact-online reads them
    document_type: str = "sales_invoice"
    journal_code: str = "70"
    revenue_gl_account: str | None = None
    revenue_gl_accounts_by_country: Mapping[str, str] = field(default_factory=dict)
    shipping_gl_account: str | None = None
    rounding_gl_account: str | None = None
    cost_center: str | None = None
    cost_unit: str | None = None
    payment_conditions: Mapping[str, str] = field(default_factory=dict)
    default_payment_condition: str | None = None
    customer_matching: str = "email"
    update_customers: bool = False
    default_debtor_code: str | None = None
    create_items: bool = True
    update_items: bool = False
    shipping_item_code: str = "SHIPMENT"
    discount_item_code: str = "DISCOUNT"
    rounding_item_code: str = "ROUNDING"
    discount_booking: str = "discount_lines"
    seller_country: str = "NL"
    oss_registered: bool = True
    invalid_vat_number: str = BOOK_WITH_VAT
    vat_codes: Mapping[str, str] = field(default_factory=dict)
    payment_statuses: tuple[str, ...] = ("paid",)
    skip_cancelled: bool = True
    refunds: str = "credit_note"
    rounding: str = "rounding_line"
    max_rounding: Decimal = Decimal("0.05")
    max_order_total: Decimal | None = DEFAULT_MAX_ORDER_TOTAL  # None: no maximum ("0" in the config)
    dry_run: bool = False
    error_policy: str = "skip"
    batch_size: int = 50

    @property
    def gl_codes(self) -> set[str]:
        """Every GL account code the config names (resolved to IDs once per run)."""
        codes = {self.revenue_gl_account, self.shipping_gl_account, self.rounding_gl_account,
                 *self.revenue_gl_accounts_by_country.values()}
        return {c for c in codes if c}

    def revenue_gl_for(self, country: str | None) -> str | None:
        """The revenue GL account code for a ship-to country (per-country override, else the default)."""
        return self.revenue_gl_accounts_by_country.get(country or "", self.revenue_gl_account)


def parse_settings(config: Mapping[str, Any]) -> Settings:
    """Validate the raw Airbyte config and return Settings.

    Raises:
        ConfigError: naming the option that is wrong.
    """
    credentials = parse_credentials(config)
    seller = str(config.get("seller_country", "NL")).upper()
    if seller not in COUNTRIES:
        raise ConfigError(f"seller_country {seller!r} is not an ISO 3166 country code")
    by_country = {k.upper(): v for k, v in string_map(config, "revenue_gl_accounts_by_country").items()}
    unknown = sorted(c for c in by_country if c not in COUNTRIES)
    if unknown:
        raise ConfigError(f"revenue_gl_accounts_by_country has unknown countries: {', '.join(unknown)}")
    document_type = choice(config, "document_type", "sales_invoice", DOCUMENT_TYPES)
    settings = Settings(
        credentials=credentials,
        document_type=document_type,
        journal_code=str(config.get("journal_code", "70")).strip(),
        revenue_gl_account=config.get("revenue_gl_account") or None,
        revenue_gl_accounts_by_country=by_country,
        shipping_gl_account=config.get("shipping_gl_account") or None,
        rounding_gl_account=config.get("rounding_gl_account") or None,
        cost_center=config.get("cost_center") or None,
        cost_unit=config.get("cost_unit") or None,
        payment_conditions={k.lower(): v for k, v in string_map(config, "payment_conditions").items()},
        default_payment_condition=config.get("default_payment_condition") or None,
        customer_matching=choice(config, "customer_matching", "email", ("email", "none")),
        update_customers=flag(config, "update_customers", False),
        default_debtor_code=str(config["default_debtor_code"]).strip() if config.get("default_debtor_code") else None,
        create_items=flag(config, "create_items", True),
        update_items=flag(config, "update_items", False),
        shipping_item_code=str(config.get("shipping_item_code") or "SHIPMENT"),
        discount_item_code=str(config.get("discount_item_code") or "DISCOUNT"),
        rounding_item_code=str(config.get("rounding_item_code") or "ROUNDING"),
        discount_booking=choice(config, "discount_booking", "discount_lines", ("discount_lines", "line_discounts")),
        seller_country=seller,
        oss_registered=flag(config, "oss_registered", True),
        invalid_vat_number=choice(config, "invalid_vat_number", BOOK_WITH_VAT, INVALID_VAT_NUMBER_OPTIONS),
        vat_codes=string_map(config, "vat_codes"),
        payment_statuses=choices(config, "payment_statuses", ("paid",), STATUSES),
        skip_cancelled=flag(config, "skip_cancelled", True),
        refunds=choice(config, "refunds", "credit_note", ("credit_note", "ignore")),
        rounding=choice(config, "rounding", "rounding_line", ("rounding_line", "reject")),
        max_rounding=amount(config, "max_rounding", "0.05", minimum=Decimal(0)),
        max_order_total=amount(config, "max_order_total", str(DEFAULT_MAX_ORDER_TOTAL), minimum=Decimal(0)) or None,
        dry_run=flag(config, "dry_run", False),
        error_policy=choice(config, "error_policy", "skip", ("skip", "stop")),
        batch_size=integer(config, "batch_size", 50, minimum=1, maximum=MAX_BATCH_SIZE),
    )
    if document_type == "sales_entry" and not settings.revenue_gl_account:
        raise ConfigError("revenue_gl_account is required when document_type is sales_entry")
    if settings.rounding == "rounding_line" and document_type == "sales_entry" and not settings.rounding_gl_account:
        raise ConfigError("rounding_gl_account is required for rounding lines on sales entries")
    return settings
