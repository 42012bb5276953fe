"""VAT treatment of a sale: the one place that decides domestic / ICP / OSS / export / zero / exempt (pure)."""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from connector_common.model import DiscountAllocation, Order, TaxLine
from connector_common.money import cents, net_from_gross, quantize

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

# Standard VAT rate (percent) per EU VAT area country, dated: country -> ((valid from, rate), ...), oldest first.
# The rates as published (the European Commission's "VAT rates applied in the Member States"), with the changes
# through 2025: IE's 2020-21 cut, LU 2023, EE 2024/2025, FI 2024, SK 2025, RO 2025; dated from 2021-01-01. A later
# change is one new tuple here. Used for one case only: the VAT a seller owes when a 0 % "reverse charge" rested on an
# invalid VAT number (`owed_vat`); every other sale is booked at the rate the shop charged.
RATES_FROM = date(2021, 1, 1)
STANDARD_RATES: dict[str, tuple[tuple[date, Decimal], ...]] = {
    **{c: ((RATES_FROM, Decimal(r)),) for c, r in (
        ("AT", "20"), ("BE", "21"), ("BG", "20"), ("CY", "19"), ("CZ", "21"), ("DE", "19"), ("DK", "25"),
        ("ES", "21"), ("FR", "20"), ("GR", "24"), ("HR", "25"), ("HU", "27"), ("IT", "22"), ("LT", "21"),
        ("LV", "21"), ("MT", "18"), ("NL", "21"), ("PL", "23"), ("PT", "23"), ("SE", "25"), ("SI", "22"),
        (NORTHERN_IRELAND, "20"))},
    "EE": ((RATES_FROM, Decimal(20)), (date(2024, 1, 1), Decimal(22)), (date(2025, 7, 1), Decimal(24))),
    "FI": ((RATES_FROM, Decimal(24)), (date(2024, 9, 1), Decimal("25.5"))),
    "IE": ((RATES_FROM, Decimal(21)), (date(2021, 3, 1), Decimal(23))),
    "LU": ((RATES_FROM, Decimal(17)), (date(2023, 1, 1), Decimal(16)), (date(2024, 1, 1), Decimal(17))),
    "RO": ((RATES_FROM, Decimal(19)), (date(2025, 8, 1), Decimal(21))),
    "SK": ((RATES_FROM, Decimal(20)), (date(2025, 1, 1), Decimal(23))),
}

# The destinations' `invalid_vat_number` option: what to do with a 0 % sale whose reverse charge rests on an invalid
# VAT number. "book_with_vat" (the default): book it at the VAT the seller owes, contained in what the customer paid,
# and note it; "refuse": skip it with the reason, to be corrected in the shop or booked by hand.
BOOK_WITH_VAT = "book_with_vat"
REFUSE = "refuse"
INVALID_VAT_NUMBER_OPTIONS = (BOOK_WITH_VAT, REFUSE)


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
    prefix = normalize_vat_number(number)[:2]
    return _PREFIX_TO_COUNTRY.get(prefix, prefix)


@functools.lru_cache(maxsize=4096)  # asked per order line for the same few numbers; the answer never changes
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
    problem = _reverse_charge_problem(vat_number, is_company=is_company) if rate == 0 else None
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


def _reverse_charge_problem(vat_number: str | None, *, is_company: bool) -> str | None:
    """Why a company's EU VAT number cannot carry a reverse charge (its `vat_number_problem`), or None when it is
    valid, missing, not an EU number or not a company's."""
    claims_eu = bool(vat_number) and normalize_vat_number(vat_number or "")[:2] in VAT_NUMBER_FORMATS
    return vat_number_problem(vat_number) if is_company and claims_eu else None


def standard_rate(country: str, on: date) -> Decimal | None:
    """The standard VAT rate (percent) of an EU VAT area country on `on`, from `STANDARD_RATES`; None for a country
    or a date (before 2021) the table does not cover."""
    dated = STANDARD_RATES.get(country)
    if dated is None or on < dated[0][0]:
        return None
    return [rate for since, rate in dated if since <= on][-1]


def owed_treatment(*, seller_country: str, ship_to_country: str, on: date, ship_to_postcode: str | None = None,
                   vat_number: str | None = None, is_company: bool = False, oss_registered: bool = True
                   ) -> VatTreatment | None:
    """The VAT a seller owes on an intra-EU sale the shop charged at 0 % as reverse charge to a company whose EU VAT
    number is invalid (the sale `classify` refuses at 0 %): a B2C sale then, at the standard rate of the customer's
    country via OSS when the seller is OSS-registered, else at the seller's own standard rate (domestic). None
    when the facts are not that case (a valid number, a private customer, a domestic sale, an export, ...) or
    `STANDARD_RATES` has no rate for them (a sale before 2021: refused by `classify` as before).
    """
    if seller_country not in COUNTRIES or ship_to_country not in COUNTRIES or not is_eu_member(seller_country, on):
        return None
    dest = destination_country(ship_to_country, ship_to_postcode, on)
    if dest == seller_country or not is_eu_member(dest, on):
        return None
    if _reverse_charge_problem(vat_number, is_company=is_company) is None:
        return None
    country = dest if oss_registered else seller_country
    rate = standard_rate(country, on)
    if rate is None:
        return None
    return VatTreatment(scenario=Scenario.OSS if oss_registered else Scenario.DOMESTIC, rate=rate, country=country)


@dataclass(frozen=True, slots=True, kw_only=True)
class OwedVat:
    """An order re-rated by `owed_vat`: what to book instead of the shop's order, and the report's note on it."""

    order: Order  # the shop's order with the owed VAT contained in every amount it charged at 0 %
    treatment: VatTreatment  # the rate used: OSS at the customer's country's rate, or the seller's domestic rate
    vat_number: str  # normalized
    problem: str  # what is wrong with the number (`vat_number_problem`)

    @property
    def note(self) -> str:
        """The booking report's note: the number, why it is invalid, and the rate the order was booked at."""
        rate = format(self.treatment.rate.normalize(), "f")
        how = "OSS" if self.treatment.scenario is Scenario.OSS else "domestic"
        return (f"VAT number {self.vat_number} {self.problem}: not a reverse-charge sale; the shop charged 0%, "
                f"booked with {rate}% VAT ({how}, {self.treatment.country}) contained in the "
                f"{self.order.totals.grand_total} {self.order.currency} the customer paid")


def _split(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, VAT) of an amount incl. VAT: the net rounded to cents once, the VAT what remains of the gross."""
    net = cents(net_from_gross(gross, rate))
    return net, gross - net


def owed_vat(order: Order, *, option: str, seller_country: str, oss_registered: bool) -> OwedVat | None:
    """The one rule for a 0 % sale whose reverse charge rests on an invalid VAT number, in every destination.

    With `option` "book_with_vat": the order to book instead, every amount the shop charged at 0 % (taxable lines,
    shipping, order discounts, refunds) carrying the owed rate (`owed_treatment`) with its gross unchanged, so the
    document totals what the customer paid and the VAT is contained in it: net = gross / (1 + rate) in cents, VAT =
    gross - net (the ledger's own rounding rule settles a cent's difference on the document). None with "refuse"
    (the destination's `classify` then refuses the order, naming the number) or when the order is not that case.
    """
    ref = order.customer
    ship_to = order.ship_to
    if option != BOOK_WITH_VAT or ref is None or not ref.vat_number:
        return None
    is_company = ref.is_company or bool(ref.company_name)
    on = order.created_at.date()
    treatment = owed_treatment(seller_country=seller_country,
                               ship_to_country=(ship_to.country if ship_to and ship_to.country else seller_country),
                               on=on, ship_to_postcode=ship_to.postcode if ship_to else None,
                               vat_number=ref.vat_number, is_company=is_company, oss_registered=oss_registered)
    charged_zero = any(line.tax_rate == 0 and line.taxable for line in order.lines)
    if treatment is None or not charged_zero:
        return None  # charged at a rate: booked at that rate (and noted, `invalid_vat_number_note`)
    rate = treatment.rate
    lines = []
    for line in order.lines:
        if line.tax_rate != 0 or not line.taxable:
            lines.append(line)
            continue
        net, tax = _split(line.total_incl, rate)
        lines.append(dataclasses.replace(line, tax_rate=rate, tax_amount=tax, total_excl=net,
                                         unit_price_excl=quantize(net_from_gross(line.unit_price_incl, rate), 4),
                                         discount_excl=cents(net_from_gross(line.discount_incl, rate))))
    shipping = [dataclasses.replace(s, tax_rate=rate, amount_excl=_split(s.amount_incl, rate)[0],
                                    tax_amount=_split(s.amount_incl, rate)[1]) if s.tax_rate == 0 else s
                for s in order.shipping_lines]
    discounts = [dataclasses.replace(d, tax_rate=rate, amount_excl=_split(d.amount_incl, rate)[0],
                                     tax_amount=_split(d.amount_incl, rate)[1]) if not d.tax_rate else d
                 for d in order.discounts]
    refunds = [dataclasses.replace(r, lines=tuple(
        dataclasses.replace(rl, tax_rate=rate, amount_excl=_split(rl.amount_incl, rate)[0],
                            tax_amount=_split(rl.amount_incl, rate)[1]) if rl.tax_rate == 0 else rl
        for rl in r.lines)) for r in order.refunds]
    per_rate: dict[Decimal, Decimal] = {}
    for rate_of, tax in ([(ln.tax_rate, ln.tax_amount) for ln in lines] + [(s.tax_rate, s.tax_amount) for s in shipping]
                         + [(d.tax_rate, -d.tax_amount) for d in discounts
                            if d.allocation is DiscountAllocation.ORDER and d.tax_rate is not None]):
        per_rate[rate_of] = per_rate.get(rate_of, Decimal(0)) + tax
    tax_lines = tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()) if a or r)
    totals = dataclasses.replace(order.totals, tax_lines=tax_lines, tax_total=sum(per_rate.values(), Decimal(0)))
    rerated = dataclasses.replace(order, lines=tuple(lines), shipping_lines=tuple(shipping),
                                  discounts=tuple(discounts), refunds=tuple(refunds), totals=totals)
    return OwedVat(order=rerated, treatment=treatment, vat_number=normalize_vat_number(ref.vat_number),
                   problem=_reverse_charge_problem(ref.vat_number, is_company=is_company) or "")
