"""VAT in eAccounting terms (pure): scenario -> article account coding, and what eAccounting will charge.

eAccounting takes no VAT code on a sales row: the VAT rate comes from the article's account coding and the
treatment from the customer (country, private/company, VAT number). So a VAT scenario of the canonical model
(`connector_common.vat.classify`) maps to a *coding*, and the customer must be one that eAccounting taxes the same
way; both are checked here before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from connector_common.money import to_decimal
from connector_common.vat import Scenario, VatTreatment

GOODS = "Goods"
SERVICE = "Service"
HUNDRED = Decimal(100)
ZERO_SCENARIOS = frozenset({Scenario.DOMESTIC_ZERO, Scenario.EXEMPT})
REVERSE_CHARGE_SCENARIOS = frozenset({Scenario.ICP_GOODS, Scenario.ICP_SERVICES})


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


def rate_percent(value: Any) -> Decimal:
    """`VatRatePercent` as a percentage. Visma's spec says "percent"; values below 1 are read as fractions (0.25)."""
    rate = to_decimal(str(value) if not isinstance(value, Decimal | int | str) else value, field="VatRatePercent")
    return (rate * HUNDRED).normalize() if 0 < rate < 1 else rate.normalize()


def coding_from_api(data: Mapping[str, Any]) -> Coding:
    return Coding(id=str(data["Id"]), name=str(data.get("Name") or ""), type=str(data.get("Type") or GOODS),
                  rate=rate_percent(data.get("VatRatePercent") or 0), active=bool(data.get("IsActive", True)))


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
            hint = "map it in article_codings" + ("" if treatment.scenario is not Scenario.OSS
                                                  else " (OSS needs an OSS coding with the destination rate)")
            raise MissingCoding(f"no article account coding for VAT scenario {key!r}; {hint}")
        return default

    def _default(self, treatment: VatTreatment, service: bool) -> Coding | None:
        wanted = SERVICE if service else GOODS
        active = [c for c in self.codings if c.active]
        if treatment.scenario is Scenario.DOMESTIC:
            return _prefer_type([c for c in active if c.rate == treatment.rate], wanted)
        if treatment.scenario in ZERO_SCENARIOS:
            return _prefer_type([c for c in active if c.rate == 0], wanted)
        if treatment.scenario in REVERSE_CHARGE_SCENARIOS or treatment.scenario is Scenario.EXPORT:
            # The customer makes it 0 %; the coding only picks the EU / export sales account. Take the standard one.
            want = SERVICE if treatment.scenario is Scenario.ICP_SERVICES or service else GOODS
            taxed = sorted((c for c in active if c.rate > 0), key=lambda c: c.rate, reverse=True)
            return _prefer_type(taxed, want)
        return None  # OSS: destination rates need an explicitly mapped OSS coding


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
    if article_coding is None:
        return False
    if scenario in REVERSE_CHARGE_SCENARIOS or scenario is Scenario.EXPORT:
        return True
    return article_coding.rate == line_coding.rate
