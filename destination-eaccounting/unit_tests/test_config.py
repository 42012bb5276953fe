"""The eAccounting config as typed settings: options are parsed by the shared helpers and errors name the option."""

from decimal import Decimal
from typing import Any

import pytest

from connector_common.errors import ConfigError
from connector_common.model import PaymentStatus
from destination_eaccounting.config import settings_from_config

CREDENTIALS = {"client_id": "i", "client_secret": "s", "refresh_token": "r"}


def parse(**options: Any):
    return settings_from_config({"credentials": CREDENTIALS, **options})


def test_given_minimal_config_when_parsed_then_documented_defaults() -> None:
    settings = parse()
    assert (settings.document_type, settings.customer_matching, settings.refunds, settings.batch_size) == (
        "customer_invoice_draft", "email", "credit_invoice", 100)
    assert settings.book_payment_statuses == frozenset({PaymentStatus.PAID})
    assert settings.token_url == "https://identity.vismaonline.com/connect/token"


def test_given_options_when_parsed_then_typed_and_normalised() -> None:
    settings = parse(environment="sandbox", book_payment_statuses=["paid", "authorized"], batch_size=1000,
                     terms_of_payment_mapping=[{"payment_method": " Klarna ", "terms_of_payment": "t-14"}],
                     article_codings=[{"scenario": "domestic_25", "coding": "c-25"}], max_rounding_difference="0")
    assert settings.api_base_url.startswith("https://eaccountingapi-sandbox.")
    assert settings.book_payment_statuses == frozenset({PaymentStatus.PAID, PaymentStatus.AUTHORIZED})
    assert settings.terms_by_payment_method == (("klarna", "t-14"),)
    assert settings.article_codings == (("domestic_25", "c-25"),)
    assert settings.batch_size == 1000 and settings.max_rounding_difference == Decimal(0)


@pytest.mark.parametrize(("options", "message"), [
    ({"environment": "test"}, r"^environment must be one of production, sandbox, not 'test'$"),
    ({"refunds": "credit_note"}, r"^refunds must be one of credit_invoice, ignore, not 'credit_note'$"),
    ({"book_payment_statuses": ["payed"]}, r"^book_payment_statuses may only list pending, .*, not 'payed'$"),
    ({"terms_of_payment_mapping": [{"payment_method": "klarna"}]},
     r"^terms_of_payment_mapping\[0\]\.terms_of_payment is required$"),
    ({"batch_size": 1001}, r"^batch_size must be a whole number from 1 to 1000, not 1001$"),
    ({"max_rounding_difference": "-0.01"}, r"^max_rounding_difference must be at least 0, not -0.01$"),
    ({"skip_cancelled": "yes"}, r"^skip_cancelled must be true or false, not 'yes'$"),
])
def test_given_wrong_option_when_parsed_then_config_error_names_it(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse(**options)
