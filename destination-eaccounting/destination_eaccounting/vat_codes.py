"""VAT in eAccounting terms (pure): scenario -> article account coding, and what eAccounting will charge.

eAccounting takes no VAT code on a sales row: the VAT rate comes from the article's account coding and the
treatment from the customer (country, private/company, VAT number). So a VAT scenario of the canonical model
(`connector_common.vat.classify`) maps to a *coding*, and the customer must be one that eAccounting taxes the same
way; both are checked here before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from connector_common.money import to_decimal
from connector_common.vat import EU_MEMBERSHIP, Scenario, VatTreatment

GOODS = "Goods"
SERVICE = "Service"
HUNDRED = Decimal(100)
ZERO_SCENARIOS = frozenset({Scenario.DOMESTIC_ZERO, Scenario.EXEMPT})
REVERSE_CHARGE_SCENARIOS = frozenset({Scenario.ICP_GOODS, Scenario.ICP_SERVICES})
EU_CODES = frozenset(EU_MEMBERSHIP) | {"EL"}  # "EL" is Greece in VAT texts


class MissingCoding(ValueError):
    """No article account coding is configured or derivable for a VAT scenario."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Coding:
    """One article account coding (`/articleaccountcodings`), with its VAT rate as a percentage."""

    id: str
    name: str
    type: str  # "Goods" | "Service"
    rate: Decimal  # percent, e.g. Decimal("25")
    active: bool = True
    oss: bool = False  # books EU distance sales (it has a `ForeignSalesSubjectToMossAccountNumber`)
    oss_country: str | None = None  # the destination country its name gives, e.g. "DE" for "OSS Germany 19%"


def rate_percent(value: Any) -> Decimal:
    """`VatRatePercent` as a percentage. Visma's spec says "percent"; values below 1 are read as fractions (0.25)."""
    rate = to_decimal(str(value) if not isinstance(value, Decimal | int | str) else value, field="VatRatePercent")
    return (rate * HUNDRED).normalize() if 0 < rate < 1 else rate.normalize()


def coding_from_api(data: Mapping[str, Any], country_names: Mapping[str, str] | None = None) -> Coding:
    """A coding from `/articleaccountcodings`; an OSS coding gets its country from its name (see `oss_country`)."""
    oss = data.get("ForeignSalesSubjectToMossAccountNumber") is not None
    names = [str(data.get(f) or "") for f in ("Name", "NameEnglish")]
    return Coding(id=str(data["Id"]), name=names[0], type=str(data.get("Type") or GOODS),
                  rate=rate_percent(data.get("VatRatePercent") or 0), active=bool(data.get("IsActive", True)),
                  oss=oss, oss_country=oss_country(names, country_names or {}) if oss else None)


def oss_country(names: Iterable[str], country_names: Mapping[str, str]) -> str | None:
    """The one EU country an OSS coding's names point at: an ISO code as a word ("OSS DE 19%") or a country name
    from `/countries` ("OSS Germany 19%"). The API has no country field on codings, so the name is all there is."""
    found: set[str] = set()
    for name in names:
        words = re.findall(r"[^\W\d_]+", name)
        found.update("GR" if w == "EL" else w for w in words if w in EU_CODES)
        folded = f" {' '.join(words).casefold()} "
        found.update(code for label, code in country_names.items() if f" {label.casefold()} " in folded)
    return found.pop() if len(found) == 1 else None


class CustomerTreatment(StrEnum):
    """How eAccounting taxes every row of a document for a given customer."""

    DOMESTIC = "domestic"
    EU_REVERSE_CHARGE = "eu_reverse_charge"
    EU_PRIVATE = "eu_private"  # an EU consumer: the coding's rate (OSS codings carry the destination rate)
    EXPORT = "export"
    EXPORT_FORCED_VAT = "export_forced_vat"


def customer_treatment(*, company_country: str, customer_country: str | None, is_private: bool,
                       vat_number: str | None, force_vat: bool, eu_member: bool) -> CustomerTreatment:
    """The treatment eAccounting applies to a customer (reference §11: country, private flag, VAT number)."""
    country = (customer_country or company_country).upper()
    if country == company_country:
        return CustomerTreatment.DOMESTIC
    if eu_member:
        if not is_private and vat_number:
            return CustomerTreatment.EU_REVERSE_CHARGE
        return CustomerTreatment.EU_PRIVATE
    return CustomerTreatment.EXPORT_FORCED_VAT if force_vat else CustomerTreatment.EXPORT


def charged_rate(coding: Coding, treatment: CustomerTreatment) -> Decimal:
    """The VAT percentage eAccounting will charge on a row with this coding for this customer."""
    if treatment in (CustomerTreatment.EU_REVERSE_CHARGE, CustomerTreatment.EXPORT):
        return Decimal(0)
    return coding.rate


def treatment_fits(scenario: Scenario, treatment: CustomerTreatment) -> bool:
    """Whether a line of `scenario` can be booked on a document for a customer eAccounting treats as `treatment`."""
    if scenario in ZERO_SCENARIOS:
        return True  # a 0 % coding gives 0 % for every customer
    if scenario in REVERSE_CHARGE_SCENARIOS:
        return treatment is CustomerTreatment.EU_REVERSE_CHARGE
    if scenario is Scenario.EXPORT:
        return treatment is CustomerTreatment.EXPORT
    if scenario is Scenario.OSS:
        return treatment is CustomerTreatment.EU_PRIVATE
    return treatment in (CustomerTreatment.DOMESTIC, CustomerTreatment.EU_PRIVATE,
                         CustomerTreatment.EXPORT_FORCED_VAT)


@dataclass(frozen=True, slots=True)
class CodingTable:
    """Scenario key -> coding: the configured table first, then defaults derived from the company's codings."""

    configured: Mapping[str, Coding]
    codings: tuple[Coding, ...]

    def coding_for(self, treatment: VatTreatment, service: bool = False) -> Coding:
        """The coding to book a line of `treatment` on.

        Raises:
            MissingCoding: naming the scenario key when neither the table nor the company's codings give one.
        """
        key = treatment.key
        for candidate in ((f"{key}_service",) if service else ()) + (key,):
            if candidate in self.configured:
                return self.configured[candidate]
        default = self._default(treatment, service)
        if default is None:
            hint = "map it in article_codings" + ("" if treatment.scenario is not Scenario.OSS else
                                                  f" (or add an OSS coding for {treatment.country} at "
                                                  f"{format(treatment.rate.normalize(), 'f')}% in eAccounting)")
            raise MissingCoding(f"no article account coding for VAT scenario {key!r}; {hint}")
        return default

    def _default(self, treatment: VatTreatment, service: bool) -> Coding | None:
        wanted = SERVICE if service else GOODS
        if treatment.scenario is Scenario.OSS:  # the company's OSS coding for the destination country and rate
            return _prefer_type([c for c in self.codings if c.active and c.oss and c.oss_country == treatment.country
                                 and c.rate == treatment.rate], wanted)
        active = [c for c in self.codings if c.active and not c.oss]
        if treatment.scenario is Scenario.DOMESTIC:
            return _prefer_type([c for c in active if c.rate == treatment.rate], wanted)
        if treatment.scenario in ZERO_SCENARIOS:
            return _prefer_type([c for c in active if c.rate == 0], wanted)
        if treatment.scenario in REVERSE_CHARGE_SCENARIOS or treatment.scenario is Scenario.EXPORT:
            # The customer makes it 0 %; the coding only picks the EU / export sales account. Take the standard one.
            want = SERVICE if treatment.scenario is Scenario.ICP_SERVICES or service else GOODS
            taxed = sorted((c for c in active if c.rate > 0), key=lambda c: c.rate, reverse=True)
            return _prefer_type(taxed, want)
        return None


def _prefer_type(candidates: list[Coding], wanted: str) -> Coding | None:
    for coding in candidates:
        if coding.type == wanted:
            return coding
    return candidates[0] if candidates else None


def build_coding_table(mapping: Iterable[tuple[str, str]], codings: Iterable[Coding]) -> CodingTable:
    """Resolve the configured `(scenario key, coding id or name)` pairs against the company's codings.

    Raises:
        MissingCoding: when a configured coding does not exist (named, with the scenario).
    """
    all_codings = tuple(codings)
    by_id = {c.id.lower(): c for c in all_codings}
    by_name = {c.name.strip().lower(): c for c in all_codings}
    configured: dict[str, Coding] = {}
    for key, ref in mapping:
        coding = by_id.get(ref.strip().lower()) or by_name.get(ref.strip().lower())
        if coding is None:
            raise MissingCoding(f"article_codings: {key!r} names coding {ref!r}, which the company does not have")
        configured[key] = coding
    return CodingTable(configured=configured, codings=all_codings)


def article_fits(article_coding: Coding | None, line_coding: Coding, scenario: Scenario) -> bool:
    """Whether an existing article (booked with `article_coding`) gives the VAT the line needs.

    Taxed scenarios need the same rate; 0 % domestic/exempt need a 0 % coding; reverse charge and export are
    decided by the customer, so any coding fits.
    """
    if article_coding is None or article_coding.oss_country != line_coding.oss_country:
        return False  # an OSS sale needs the destination's OSS coding; other sales never book on one
    if scenario in REVERSE_CHARGE_SCENARIOS or scenario is Scenario.EXPORT:
        return True
    return article_coding.rate == line_coding.rate
