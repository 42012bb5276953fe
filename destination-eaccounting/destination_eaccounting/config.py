"""The destination's settings: the validated, typed form of the Airbyte config (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connector_common.config import amount, base_url, choice, choices, flag, integer, require, string_pairs
from connector_common.model import DEFAULT_MAX_ORDER_TOTAL, PaymentStatus
from connector_common.vat import BOOK_WITH_VAT, INVALID_VAT_NUMBER_OPTIONS

PRODUCTION_API = "https://eaccountingapi.vismaonline.com/v2"
PRODUCTION_IDENTITY = "https://identity.vismaonline.com"
LEGACY_SANDBOX_API = "https://eaccountingapi-sandbox.test.vismaonline.com/v2"
LEGACY_SANDBOX_IDENTITY = "https://identity-sandbox.test.vismaonline.com"

DOCUMENT_TYPES = ("customer_invoice_draft", "customer_invoice", "order")
CUSTOMER_MATCHING = ("email", "customer_number")
REFUND_MODES = ("credit_invoice", "ignore")
STATUSES = tuple(status.value for status in PaymentStatus)
MAX_BATCH_SIZE = 1000  # the spec's maximum


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
    invalid_vat_number: str = BOOK_WITH_VAT
    max_rounding_difference: Decimal = Decimal("0.05")
    max_order_total: Decimal | None = DEFAULT_MAX_ORDER_TOTAL  # None: no maximum ("0" in the config)
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
    environment = choice(config, "environment", "production", ("production", "sandbox"))
    api = base_url(config.get("api_base_url"), "api_base_url",
                   PRODUCTION_API if environment == "production" else LEGACY_SANDBOX_API)
    identity = base_url(config.get("identity_base_url"), "identity_base_url",
                        PRODUCTION_IDENTITY if environment == "production" else LEGACY_SANDBOX_IDENTITY)
    seller = config.get("seller_country")
    return Settings(
        api_base_url=api.rstrip("/"),
        token_url=identity.rstrip("/") + "/connect/token",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
        document_type=choice(config, "document_type", "customer_invoice_draft", DOCUMENT_TYPES),
        customer_matching=choice(config, "customer_matching", "email", CUSTOMER_MATCHING),
        update_existing_customers=flag(config, "update_existing_customers", False),
        default_customer_number=config.get("default_customer_number") or None,
        default_terms_of_payment=config.get("default_terms_of_payment") or None,
        terms_by_payment_method=tuple(
            (method.lower(), terms)
            for method, terms in string_pairs(config, "terms_of_payment_mapping", "payment_method", "terms_of_payment")
        ),
        create_missing_articles=flag(config, "create_missing_articles", True),
        update_existing_articles=flag(config, "update_existing_articles", False),
        shipping_article_number=config.get("shipping_article_number") or "SHIPPING",
        discount_article_number=config.get("discount_article_number") or "DISCOUNT",
        generic_article_number=config.get("generic_article_number") or "WEBSHOP",
        rounding_article_number=config.get("rounding_article_number") or "ROUNDING",
        unit=config.get("unit") or None,
        article_codings=string_pairs(config, "article_codings", "scenario", "coding"),
        seller_country=seller.upper() if seller else None,
        oss_registered=flag(config, "oss_registered", False),
        invalid_vat_number=choice(config, "invalid_vat_number", BOOK_WITH_VAT, INVALID_VAT_NUMBER_OPTIONS),
        max_rounding_difference=amount(config, "max_rounding_difference", "0.05", minimum=Decimal(0)),
        max_order_total=amount(config, "max_order_total", str(DEFAULT_MAX_ORDER_TOTAL), minimum=Decimal(0)) or None,
        book_payment_statuses=frozenset(
            PaymentStatus(s) for s in choices(config, "book_payment_statuses", ("paid",), STATUSES)),
        skip_cancelled=flag(config, "skip_cancelled", True),
        skip_test_orders=flag(config, "skip_test_orders", True),
        refunds=choice(config, "refunds", "credit_invoice", REFUND_MODES),
        dry_run=flag(config, "dry_run", False),
        error_policy=choice(config, "error_policy", "skip", ("skip", "stop")),
        batch_size=integer(config, "batch_size", 100, minimum=1, maximum=MAX_BATCH_SIZE),
    )

