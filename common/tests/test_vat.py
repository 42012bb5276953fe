"""Every branch of the VAT classifier, with real rates."""

from datetime import date
from decimal import Decimal

import pytest

from connector_common.vat import (
    Scenario,
    Supply,
    VatError,
    classify,
    invalid_vat_number_note,
    is_eu_member,
    normalize_vat_number,
    vat_number_country,
    vat_number_problem,
)

D = Decimal
ON = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("seller", "ship_to", "rate", "vat", "company", "expected_scenario", "expected_key"),
    [
        ("NL", "NL", "21", None, False, Scenario.DOMESTIC, "domestic_21"),
        ("NL", "NL", "9", None, False, Scenario.DOMESTIC, "domestic_9"),
        ("NL", "NL", "0", None, False, Scenario.DOMESTIC_ZERO, "domestic_zero"),
        ("BE", "BE", "21", None, False, Scenario.DOMESTIC, "domestic_21"),
        ("BE", "BE", "12", None, False, Scenario.DOMESTIC, "domestic_12"),
        ("BE", "BE", "6", None, False, Scenario.DOMESTIC, "domestic_6"),
        ("DE", "DE", "19", None, False, Scenario.DOMESTIC, "domestic_19"),
        ("DE", "DE", "7", None, False, Scenario.DOMESTIC, "domestic_7"),
        ("FR", "FR", "20", None, False, Scenario.DOMESTIC, "domestic_20"),
        ("FR", "FR", "10", None, False, Scenario.DOMESTIC, "domestic_10"),
        ("FR", "FR", "5.5", None, False, Scenario.DOMESTIC, "domestic_5.5"),
        ("SE", "SE", "25", None, False, Scenario.DOMESTIC, "domestic_25"),
        ("SE", "SE", "12", None, False, Scenario.DOMESTIC, "domestic_12"),
        ("SE", "SE", "6", None, False, Scenario.DOMESTIC, "domestic_6"),
        # intra-EU B2B with a valid-format VAT number, 0 % charged: reverse charge (ICP)
        ("NL", "BE", "0", "BE0123456749", True, Scenario.ICP_GOODS, "icp_goods"),
        ("NL", "DE", "0", "DE 123 456 788", True, Scenario.ICP_GOODS, "icp_goods"),
        ("NL", "FR", "0", "FR11123456782", True, Scenario.ICP_GOODS, "icp_goods"),
        ("SE", "NL", "0", "NL123456782B01", True, Scenario.ICP_GOODS, "icp_goods"),
        # intra-EU B2C: OSS with destination country and rate
        ("NL", "DE", "19", None, False, Scenario.OSS, "oss_DE_19"),
        ("NL", "DE", "7", None, False, Scenario.OSS, "oss_DE_7"),
        ("NL", "BE", "21", None, False, Scenario.OSS, "oss_BE_21"),
        ("NL", "BE", "6", None, False, Scenario.OSS, "oss_BE_6"),
        ("NL", "FR", "5.5", None, False, Scenario.OSS, "oss_FR_5.5"),
        # a company whose VAT number is malformed is charged VAT like a consumer
        ("NL", "DE", "19", "DE12", True, Scenario.OSS, "oss_DE_19"),
        # exports leave the EU VAT area
        ("NL", "US", "0", None, False, Scenario.EXPORT, "export"),
        ("NL", "GB", "0", None, False, Scenario.EXPORT, "export"),
        ("NL", "NO", "0", "NO123456789MVA", True, Scenario.EXPORT, "export"),
        # VAT charged on an export is the seller's own VAT
        ("NL", "US", "21", None, False, Scenario.DOMESTIC, "domestic_21"),
    ],
)
def test_given_sale_facts_when_classified_then_scenario_and_key(seller, ship_to, rate, vat, company,
                                                                  expected_scenario, expected_key):
    treatment = classify(seller_country=seller, ship_to_country=ship_to, rate=D(rate), on=ON, vat_number=vat,
                         is_company=company)
    assert treatment.scenario is expected_scenario
    assert treatment.key == expected_key


def test_given_oss_sale_then_country_is_destination():
    t = classify(seller_country="NL", ship_to_country="FR", rate=D("20"), on=ON)
    assert (t.country, t.rate) == ("FR", D("20"))


def test_given_services_b2b_then_icp_services():
    t = classify(seller_country="NL", ship_to_country="DE", rate=D(0), on=ON, vat_number="DE123456788",
                 is_company=True, supply=Supply.SERVICES)
    assert t.scenario is Scenario.ICP_SERVICES


def test_given_exempt_line_then_exempt_whatever_the_destination():
    t = classify(seller_country="NL", ship_to_country="DE", rate=D(0), on=ON, exempt=True)
    assert t.key == "exempt"


def test_given_not_oss_registered_when_b2c_to_eu_then_domestic_vat():
    t = classify(seller_country="NL", ship_to_country="BE", rate=D(21), on=ON, oss_registered=False)
    assert t.key == "domestic_21"


def test_given_not_oss_registered_when_zero_rate_b2c_to_eu_then_error():
    with pytest.raises(VatError, match="0% charged on an intra-EU sale to BE"):
        classify(seller_country="NL", ship_to_country="BE", rate=D(0), on=ON, oss_registered=False)


def test_given_gb_before_brexit_then_intra_eu_and_after_then_export():
    before = classify(seller_country="NL", ship_to_country="GB", rate=D(0), on=date(2020, 12, 31),
                      vat_number="GB123456789", is_company=True)
    after = classify(seller_country="NL", ship_to_country="GB", rate=D(0), on=date(2021, 1, 1),
                     vat_number="GB123456789", is_company=True)
    # GB numbers have no EU format after Brexit; before it, the goods stayed in the EU: OSS did not exist yet,
    # but the classifier still sees an intra-EU destination.
    assert before.scenario is Scenario.OSS
    assert after.scenario is Scenario.EXPORT


def test_given_northern_ireland_goods_with_xi_number_then_icp():
    t = classify(seller_country="NL", ship_to_country="GB", ship_to_postcode="BT1 1AA", rate=D(0), on=ON,
                 vat_number="XI123456782", is_company=True)
    assert t.scenario is Scenario.ICP_GOODS


def test_given_northern_ireland_consumer_then_oss_to_xi():
    t = classify(seller_country="NL", ship_to_country="GB", ship_to_postcode="BT7 1NN", rate=D(20), on=ON)
    assert t.key == "oss_XI_20"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ship_to_country": "XX"}, "ship-to country 'XX' is not an ISO 3166 country code"),
        ({"rate": D(-1)}, "negative"),
    ],
)
def test_given_impossible_facts_then_vat_error_names_them(kwargs, message):
    args = {"seller_country": "NL", "ship_to_country": "DE", "rate": D(19), "on": ON, **kwargs}
    with pytest.raises(VatError, match=message):
        classify(**args)


@pytest.mark.parametrize(
    ("number", "country"),
    [("NL123456782B01", "NL"), ("nl 1234.56.782.b01", "NL"), ("BE0123456749", "BE"), ("EL123456783", "GR"),
     ("ATU12345675", "AT"), ("SE123456789701", "SE"), ("FR11123456782", "FR"), ("XI123456782", "XI"),
     ("NL123456789", None), ("DE12345678", None), ("US123", None), ("", None), (None, None)],
)
def test_vat_number_format_per_country(number, country):
    assert vat_number_country(number) == country


def test_normalize_vat_number():
    assert normalize_vat_number(" be 0123.456.789 ") == "BE0123456789"


def test_eu_membership_is_dated():
    assert is_eu_member("HR", date(2013, 7, 1)) and not is_eu_member("HR", date(2013, 6, 30))
    assert is_eu_member("GB", date(2020, 12, 31)) and not is_eu_member("GB", date(2021, 1, 1))
    assert not is_eu_member("CH", ON)


@pytest.mark.parametrize(("ship_to", "rate", "key"), [("NO", "25", "domestic_25"), ("NO", "15", "domestic_15"),
                                                     ("NO", "0", "domestic_zero"), ("SE", "0", "export"),
                                                     ("DE", "0", "export")])
def test_given_norwegian_seller_then_domestic_or_export(ship_to, rate, key):
    t = classify(seller_country="NO", ship_to_country=ship_to, rate=D(rate), on=ON)
    assert t.key == key


@pytest.mark.parametrize(
    ("number", "problem"),
    [("NL000000000B00", "fails its check digits"), ("NL123456789B01", "fails its check digits"),
     ("DE123456789", "fails its check digits"), ("NL12345678B01", "invalid format"),
     ("US123", "EU country prefix"), ("NL123456782B01", None), (None, None)],
)
def test_vat_number_problem_checks_format_and_check_digits(number, problem):
    found = vat_number_problem(number)
    assert (found is None) if problem is None else (problem in found)


def test_given_zero_rate_and_invalid_vat_number_then_not_reverse_charge_and_error_names_the_number():
    with pytest.raises(VatError, match=r"VAT number NL000000000B00 fails its check digits.*not a reverse-charge"):
        classify(seller_country="BE", ship_to_country="NL", rate=D(0), on=ON, vat_number="NL000000000B00",
                 is_company=True)
    assert vat_number_country("NL000000000B00") is None


def test_given_charged_rate_and_invalid_vat_number_then_oss_and_a_note_names_the_number():
    t = classify(seller_country="BE", ship_to_country="NL", rate=D(21), on=ON, vat_number="NL123456789B01",
                 is_company=True)
    assert t.scenario is Scenario.OSS
    note = invalid_vat_number_note("NL123456789B01", is_company=True)
    assert note is not None and "NL123456789B01" in note and "not a reverse-charge" in note
    assert invalid_vat_number_note("NL123456789B01", is_company=False) is None
    assert invalid_vat_number_note("NL123456782B01", is_company=True) is None
