"""VAT scenario -> Exact VAT code: config table first, unique division defaults, clear gaps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector_common.errors import ConfigError
from connector_common.vat import Scenario, VatTreatment

from .helpers import table

D = Decimal


@pytest.mark.parametrize(("scenario", "rate", "country", "code"), [
    (Scenario.DOMESTIC, D(21), "NL", "2"),
    (Scenario.DOMESTIC, D(9), "NL", "1"),
    (Scenario.ICP_GOODS, D(0), "NL", "7"),
    (Scenario.ICP_SERVICES, D(0), "NL", "9"),
    (Scenario.EXEMPT, D(0), "NL", "0"),
    (Scenario.OSS, D(19), "DE", "D1"),
    (Scenario.OSS, D(21), "BE", "B1"),
    (Scenario.OSS, D(20), "FR", "F1"),
])
def test_given_division_codes_when_table_leaves_scenario_out_then_unique_default_is_used(
        scenario: Scenario, rate: Decimal, country: str, code: str) -> None:
    assert table({}).code_for(VatTreatment(scenario=scenario, rate=rate, country=country)) == code


@pytest.mark.parametrize("scenario", [Scenario.DOMESTIC_ZERO, Scenario.EXPORT])
def test_given_two_zero_rate_codes_when_no_config_then_domestic_zero_and_export_have_no_default(
        scenario: Scenario) -> None:
    assert table({}).code_for(VatTreatment(scenario=scenario, rate=D(0), country="NL")) is None


def test_given_an_oss_country_without_code_when_resolved_then_none() -> None:
    assert table({}).code_for(VatTreatment(scenario=Scenario.OSS, rate=D(22), country="IT")) is None


def test_given_config_table_when_resolved_then_it_wins_over_defaults() -> None:
    custom = table({"domestic_21": "4", "export": "6"})
    assert custom.code_for(VatTreatment(scenario=Scenario.DOMESTIC, rate=D(21), country="NL")) == "4"
    assert custom.code_for(VatTreatment(scenario=Scenario.EXPORT, rate=D(0), country="NL")) == "6"


def test_given_blocked_code_in_division_when_defaulting_then_it_is_never_chosen() -> None:
    codes = table({})
    assert codes.code_for(VatTreatment(scenario=Scenario.DOMESTIC, rate=D(21), country="NL")) != "X"


@pytest.mark.parametrize(("explicit", "message"), [
    ({"domestic_21": "X"}, "blocked"), ({"export": "ZZ"}, "does not exist")])
def test_given_bad_configured_code_when_checked_then_config_error_names_key_and_code(
        explicit: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        table(explicit).check_explicit()
    assert f"vat_codes.{next(iter(explicit))}" in str(err.value)
