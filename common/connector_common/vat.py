"""VAT treatment of a sale: the one place that decides domestic / ICP / OSS / export / zero / exempt (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

# ISO 3166-1 alpha-2, officially assigned codes. "XX" and friends are refused.
COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
    GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE
    KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA
    SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)

# EU membership as a dated table: country -> (joined, left or None). Only the dates that matter since 2004.
EU_MEMBERSHIP: dict[str, tuple[date, date | None]] = {
    **{c: (date(1958, 1, 1), None) for c in ("BE", "DE", "FR", "IT", "LU", "NL")},
    **{c: (date(1973, 1, 1), None) for c in ("DK", "IE")},
    "GB": (date(1973, 1, 1), date(2021, 1, 1)),  # left the EU VAT area on 2021-01-01 (NI goods: see XI)
    "GR": (date(1981, 1, 1), None),
    **{c: (date(1986, 1, 1), None) for c in ("ES", "PT")},
    **{c: (date(1995, 1, 1), None) for c in ("AT", "FI", "SE")},
    **{c: (date(2004, 5, 1), None) for c in ("CY", "CZ", "EE", "HU", "LT", "LV", "MT", "PL", "SI", "SK")},
    **{c: (date(2007, 1, 1), None) for c in ("BG", "RO")},
    "HR": (date(2013, 7, 1), None),
}
BREXIT = date(2021, 1, 1)
NORTHERN_IRELAND = "XI"  # VAT prefix of Northern Ireland, in the EU VAT area for goods since 2021-01-01

# VAT-number prefix per country where it differs from the ISO code.
VAT_PREFIX = {"GR": "EL", NORTHERN_IRELAND: "XI"}
VAT_NUMBER_FORMATS: dict[str, re.Pattern[str]] = {
    prefix: re.compile(pattern)
    for prefix, pattern in {
        "AT": r"ATU\d{8}",
        "BE": r"BE[01]\d{9}",
        "BG": r"BG\d{9,10}",
        "CY": r"CY\d{8}[A-Z]",
        "CZ": r"CZ\d{8,10}",
        "DE": r"DE\d{9}",
        "DK": r"DK\d{8}",
        "EE": r"EE\d{9}",
        "EL": r"EL\d{9}",
        "ES": r"ES[A-Z0-9]\d{7}[A-Z0-9]",
        "FI": r"FI\d{8}",
        "FR": r"FR[A-HJ-NP-Z0-9]{2}\d{9}",
        "HR": r"HR\d{11}",
        "HU": r"HU\d{8}",
        "IE": r"IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])",
        "IT": r"IT\d{11}",
        "LT": r"LT(\d{9}|\d{12})",
        "LU": r"LU\d{8}",
        "LV": r"LV\d{11}",
        "MT": r"MT\d{8}",
        "NL": r"NL\d{9}B\d{2}",
        "PL": r"PL\d{10}",
        "PT": r"PT\d{9}",
        "RO": r"RO\d{2,10}",
        "SE": r"SE\d{10}01",
        "SI": r"SI\d{8}",
        "SK": r"SK\d{10}",
        "XI": r"XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})",
    }.items()
}
_PREFIX_TO_COUNTRY = {"EL": "GR", "XI": NORTHERN_IRELAND}


class Scenario(StrEnum):
    """The VAT scenarios a bookkeeping destination maps to its own VAT codes."""

    DOMESTIC = "domestic"  # seller's own VAT at a positive rate
    DOMESTIC_ZERO = "domestic_zero"  # seller's own country, 0 %
    EXEMPT = "exempt"  # outside the scope of VAT / exempt supply
    ICP_GOODS = "icp_goods"  # intra-EU B2B supply of goods, reverse charged (ICP)
    ICP_SERVICES = "icp_services"  # intra-EU B2B services, reverse charged
    OSS = "oss"  # intra-EU distance sale to a private person, destination VAT via OSS
    EXPORT = "export"  # goods leaving the EU VAT area


class Supply(StrEnum):
    GOODS = "goods"
    SERVICES = "services"


class VatError(ValueError):
    """The facts of a sale do not give a valid VAT treatment (the message says which fact)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VatTreatment:
    """The decided treatment of one line: scenario, charged rate (percent) and the country whose VAT applies."""

    scenario: Scenario
    rate: Decimal
    country: str  # seller country for domestic/ICP/export, destination country for OSS

    @property
    def key(self) -> str:
        """Stable lookup key for VAT-code tables, e.g. 'domestic_21', 'icp_goods', 'oss_DE_19', 'export'."""
        rate = format(self.rate.normalize(), "f")
        if self.scenario is Scenario.DOMESTIC:
            return f"domestic_{rate}"
        if self.scenario is Scenario.OSS:
            return f"oss_{self.country}_{rate}"
        return self.scenario.value


def normalize_vat_number(number: str) -> str:
    """Upper-case, without spaces, dots and dashes: ' nl 1234.56.782.b01 ' -> 'NL123456782B01'."""
    return re.sub(r"[\s.\-]", "", number).upper()


def vat_number_country(number: str | None) -> str | None:
    """The EU country (ISO code, or 'XI') of a valid EU VAT number (format and check digits); None when missing,
    malformed or failing its check digits."""
    if not number or vat_number_problem(number) is not None:
        return None
    return _PREFIX_TO_COUNTRY.get(normalize_vat_number(number)[:2], normalize_vat_number(number)[:2])


def vat_number_problem(number: str | None) -> str | None:
    """Why `number` cannot be a real EU VAT number ("has an invalid format", "fails its check digits", ...), or None
    when it is valid or missing. The format per country is ours; the check digits per country are python-stdnum's
    (the same rules the member states' VIES look-ups apply)."""
    if not number:
        return None
    normalized = normalize_vat_number(number)
    pattern = VAT_NUMBER_FORMATS.get(normalized[:2])
    if pattern is None:
        return f"does not start with an EU country prefix ({normalized[:2]!r})"
    if not pattern.fullmatch(normalized):
        return "has an invalid format for its country"
    try:
        eu_vat.validate(normalized)
    except ValidationError as exc:
        return f"fails its check digits ({str(exc).rstrip('.').lower()})"
    return None


def invalid_vat_number_note(number: str | None, *, is_company: bool) -> str | None:
    """The note for a booking report when a company's VAT number is given but invalid: the sale was not treated as
    reverse charge because of it, so the accountant should know which number it was."""
    problem = vat_number_problem(number) if is_company else None
    if problem is None:
        return None
    return (f"VAT number {normalize_vat_number(number or '')} {problem}: not a reverse-charge sale, booked at the"
            " charged (domestic or OSS) rate")


def is_eu_member(country: str, on: date) -> bool:
    """Whether `country` (ISO code, or 'XI' for Northern Ireland goods) was in the EU VAT area on `on`."""
    if country == NORTHERN_IRELAND:
        return on >= BREXIT
    span = EU_MEMBERSHIP.get(country)
    return span is not None and span[0] <= on and (span[1] is None or on < span[1])


def destination_country(country: str, postcode: str | None, on: date, supply: Supply = Supply.GOODS) -> str:
    """The VAT destination: Northern Ireland ('BT' postcodes in GB) counts as 'XI' for goods from 2021 on."""
    in_ni = (postcode or "").strip().upper().startswith("BT")
    if country == "GB" and supply is Supply.GOODS and on >= BREXIT and in_ni:
        return NORTHERN_IRELAND
    return country


def classify(
    *,
    seller_country: str,
    ship_to_country: str,
    rate: Decimal,
    on: date,
    ship_to_postcode: str | None = None,
    vat_number: str | None = None,
    is_company: bool = False,
    supply: Supply = Supply.GOODS,
    exempt: bool = False,
    oss_registered: bool = True,
) -> VatTreatment:
    """Decide the VAT treatment of one sold line.

    Args:
        seller_country: the seller's establishment; outside the EU (Norway) only domestic and export exist.
        ship_to_country: shipping country, or billing country when nothing is shipped.
        rate: the tax rate the shop charged on the line, in percent.
        on: the date of the sale (EU membership and Brexit are dated).
        vat_number: the customer's VAT number, checked per EU country (format and check digits).
        is_company: the customer is a business (reverse charge needs a company with a valid EU VAT number).
        oss_registered: whether the seller declares EU distance sales via OSS; if not, B2C sales stay domestic.

    Raises:
        VatError: when the charged rate cannot be right for the facts (e.g. a negative rate or an unknown country).
    """
    if rate < 0:
        raise VatError(f"tax rate {rate} is negative")
    for label, code in (("seller country", seller_country), ("ship-to country", ship_to_country)):
        if code not in COUNTRIES:
            raise VatError(f"{label} {code!r} is not an ISO 3166 country code")
    if exempt:
        return VatTreatment(scenario=Scenario.EXEMPT, rate=Decimal(0), country=seller_country)
    if not is_eu_member(seller_country, on):  # e.g. a Norwegian seller: its own VAT at home, exports abroad
        if ship_to_country == seller_country or rate > 0:
            scenario = Scenario.DOMESTIC if rate > 0 else Scenario.DOMESTIC_ZERO
            return VatTreatment(scenario=scenario, rate=rate, country=seller_country)
        return VatTreatment(scenario=Scenario.EXPORT, rate=Decimal(0), country=seller_country)
    dest = destination_country(ship_to_country, ship_to_postcode, on, supply)
    if dest == seller_country:
        scenario = Scenario.DOMESTIC if rate > 0 else Scenario.DOMESTIC_ZERO
        return VatTreatment(scenario=scenario, rate=rate, country=seller_country)
    if not is_eu_member(dest, on):
        if rate > 0:  # the shop charged VAT on an export: it is the seller's domestic VAT
            return VatTreatment(scenario=Scenario.DOMESTIC, rate=rate, country=seller_country)
        return VatTreatment(scenario=Scenario.EXPORT, rate=Decimal(0), country=seller_country)
    buyer_vat_country = vat_number_country(vat_number) if is_company else None
    if rate == 0 and buyer_vat_country is not None and buyer_vat_country != seller_country:
        scenario = Scenario.ICP_GOODS if supply is Supply.GOODS else Scenario.ICP_SERVICES
        return VatTreatment(scenario=scenario, rate=Decimal(0), country=seller_country)
    claims_eu = bool(vat_number) and normalize_vat_number(vat_number or "")[:2] in VAT_NUMBER_FORMATS
    problem = vat_number_problem(vat_number) if is_company and rate == 0 and claims_eu else None
    if problem is not None:
        raise VatError(f"VAT number {normalize_vat_number(vat_number or '')} {problem}: an invalid number is not a "
                       f"reverse-charge sale, but 0% was charged on this intra-EU sale to {dest}; book it at the "
                       "domestic or OSS rate by hand, or correct the number in the shop")
    if oss_registered:
        return VatTreatment(scenario=Scenario.OSS, rate=rate, country=dest)
    if rate == 0:
        raise VatError(
            f"0% charged on an intra-EU sale to {dest} without a valid EU VAT number of a company"
            " (reverse charge needs one) and the seller is not OSS-registered"
        )
    return VatTreatment(scenario=Scenario.DOMESTIC, rate=rate, country=seller_country)
