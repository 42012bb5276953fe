"""The destination's settings: the validated, typed form of the Airbyte config (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connector_common.config import base_url, require
from connector_common.errors import ConfigError
from connector_common.model import PaymentStatus
from connector_common.money import to_decimal

PRODUCTION_API = "https://eaccountingapi.vismaonline.com/v2"
PRODUCTION_IDENTITY = "https://identity.vismaonline.com"
LEGACY_SANDBOX_API = "https://eaccountingapi-sandbox.test.vismaonline.com/v2"
LEGACY_SANDBOX_IDENTITY = "https://identity-sandbox.test.vismaonline.com"

DOCUMENT_TYPES = ("customer_invoice_draft", "customer_invoice", "order")
CUSTOMER_MATCHING = ("email", "customer_number")
REFUND_MODES = ("credit_invoice", "ignore")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the Booker and the mapping need to know from the config."""

    api_base_url: str
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    document_type: str = "customer_invoice_draft"
    customer_matching: str = "email"
    update_existing_customers: bool = False
    default_customer_number: str | None = None
    default_terms_of_payment: str | None = None
    terms_by_payment_method: tuple[tuple[str, str], ...] = ()
    create_missing_articles: bool = True
    update_existing_articles: bool = False
    shipping_article_number: str = "SHIPPING"
    discount_article_number: str = "DISCOUNT"
    generic_article_number: str = "WEBSHOP"
    rounding_article_number: str = "ROUNDING"
    unit: str | None = None
    article_codings: tuple[tuple[str, str], ...] = ()
    seller_country: str | None = None
    oss_registered: bool = False
    max_rounding_difference: Decimal = Decimal("0.05")
    book_payment_statuses: frozenset[PaymentStatus] = frozenset({PaymentStatus.PAID})
    skip_cancelled: bool = True
    skip_test_orders: bool = True
    refunds: str = "credit_invoice"
    dry_run: bool = False
    error_policy: str = "skip"
    batch_size: int = 100


def settings_from_config(config: dict[str, Any]) -> Settings:
    """Validate and type the config (the spec already checked shapes; this checks meaning).

    Raises:
        ConfigError: naming the option that is wrong.
    """
    creds = require(config, "credentials", ("client_id", "client_secret", "refresh_token"))
    environment = config.get("environment", "production")
    if environment not in ("production", "sandbox"):
        raise ConfigError(f"environment must be 'production' or 'sandbox', not {environment!r}")
    api = base_url(config.get("api_base_url"), "api_base_url",
                   PRODUCTION_API if environment == "production" else LEGACY_SANDBOX_API)
    identity = base_url(config.get("identity_base_url"), "identity_base_url",
                        PRODUCTION_IDENTITY if environment == "production" else LEGACY_SANDBOX_IDENTITY)
    _one_of(config, "document_type", DOCUMENT_TYPES)
    _one_of(config, "customer_matching", CUSTOMER_MATCHING)
    _one_of(config, "refunds", REFUND_MODES)
    _one_of(config, "error_policy", ("skip", "stop"))
    try:
        statuses = frozenset(PaymentStatus(s) for s in config.get("book_payment_statuses") or ["paid"])
    except ValueError as exc:
        raise ConfigError(f"book_payment_statuses: {exc}") from None
    try:
        max_rounding = to_decimal(str(config.get("max_rounding_difference", "0.05")), field="max_rounding_difference")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if max_rounding < 0:
        raise ConfigError("max_rounding_difference must not be negative")
    batch_size = int(config.get("batch_size", 100))
    if not 1 <= batch_size <= 1000:
        raise ConfigError("batch_size must be between 1 and 1000")
    seller = config.get("seller_country")
    return Settings(
        api_base_url=api.rstrip("/"),
        token_url=identity.rstrip("/") + "/connect/token",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
        document_type=config.get("document_type", "customer_invoice_draft"),
        customer_matching=config.get("customer_matching", "email"),
        update_existing_customers=bool(config.get("update_existing_customers", False)),
        default_customer_number=config.get("default_customer_number") or None,
        default_terms_of_payment=config.get("default_terms_of_payment") or None,
        terms_by_payment_method=tuple(
            (str(m["payment_method"]).strip().lower(), str(m["terms_of_payment"]))
            for m in config.get("terms_of_payment_mapping") or []
        ),
        create_missing_articles=bool(config.get("create_missing_articles", True)),
        update_existing_articles=bool(config.get("update_existing_articles", False)),
        shipping_article_number=config.get("shipping_article_number") or "SHIPPING",
        discount_article_number=config.get("discount_article_number") or "DISCOUNT",
        generic_article_number=config.get("generic_article_number") or "WEBSHOP",
        rounding_article_number=config.get("rounding_article_number") or "ROUNDING",
        unit=config.get("unit") or None,
        article_codings=tuple((str(m["scenario"]), str(m["coding"])) for m in config.get("article_codings") or []),
        seller_country=seller.upper() if seller else None,
        oss_registered=bool(config.get("oss_registered", False)),
        max_rounding_difference=max_rounding,
        book_payment_statuses=statuses,
        skip_cancelled=bool(config.get("skip_cancelled", True)),
        skip_test_orders=bool(config.get("skip_test_orders", True)),
        refunds=config.get("refunds", "credit_invoice"),
        dry_run=bool(config.get("dry_run", False)),
        error_policy=config.get("error_policy", "skip"),
        batch_size=batch_size,
    )


def _one_of(config: dict[str, Any], key: str, allowed: tuple[str, ...]) -> None:
    value = config.get(key)
    if value is not None and value not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
