"""The Exact config as typed settings: options are parsed by the shared helpers and errors name the option."""

from decimal import Decimal
from typing import Any

import pytest

from connector_common.errors import ConfigError

from .helpers import settings


def test_given_minimal_config_when_parsed_then_documented_defaults() -> None:
    parsed = settings()
    assert (parsed.document_type, parsed.refunds, parsed.error_policy, parsed.batch_size) == (
        "sales_invoice", "credit_note", "skip", 50)
    assert parsed.payment_statuses == ("paid",) and parsed.max_rounding == Decimal("0.05")
    assert parsed.credentials.base_url == "https://start.exactonline.nl" and parsed.oss_registered is True


def test_given_options_when_parsed_then_typed_and_normalised() -> None:
    parsed = settings(country="be", payment_statuses=["paid", "partially_refunded"], batch_size="200",
                      payment_conditions={"iDEAL": " 00 "}, revenue_gl_accounts_by_country={"de": "8300"},
                      dry_run=True, max_rounding="0.10")
    assert parsed.credentials.base_url == "https://start.exactonline.be"
    assert parsed.payment_statuses == ("paid", "partially_refunded") and parsed.batch_size == 200
    assert parsed.payment_conditions == {"ideal": "00"} and parsed.revenue_gl_for("DE") == "8300"
    assert parsed.dry_run is True and parsed.max_rounding == Decimal("0.10")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"document_type": "invoice"}, r"^document_type must be one of sales_invoice, sales_order, sales_entry, not 'invoice'$"),
    ({"country": "xx"}, r"^country must be one of nl, be, de, co\.uk, com, fr, es, not 'xx'$"),
    ({"payment_statuses": ["payed"]}, r"^payment_statuses may only list pending, .*, not 'payed'$"),
    ({"vat_codes": {"export": None}}, r"^vat_codes\.export must be a string, not None$"),
    ({"batch_size": 0}, r"^batch_size must be a whole number from 1 to 500, not 0$"),
    ({"dry_run": "false"}, r"^dry_run must be true or false, not 'false'$"),
    ({"max_rounding": "-1"}, r"^max_rounding must be at least 0, not -1$"),
])
def test_given_wrong_option_when_parsed_then_config_error_names_it(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(**overrides)
