"""VAT treatment -> Exact VAT code: the config table, else a default from the division's VATCodes (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connector_common.errors import ConfigError
from connector_common.money import HUNDRED, to_decimal
from connector_common.vat import Scenario, VatTreatment

SALES_TRANSACTION_TYPES = ("S", "B")  # sales only, or both
NO_LISTING = ("", "N")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExactVatCode:
    """One row of the division's `vat/VATCodes`, trimmed (Exact pads codes to 3 characters)."""

    code: str
    description: str
    percentage: Decimal  # a fraction, as Exact stores it: 0.21
    type: str  # B 0 % base only, E excluding, I including, N no VAT
    transaction_type: str  # S sales, P purchase, B both
    blocked: bool
    eu_sales_listing: str  # L goods, S services, T triangulation, N none
    oss_country: str
    charged: bool

    @property
    def usable_for_sales(self) -> bool:
        return not self.blocked and self.transaction_type in SALES_TRANSACTION_TYPES


def vat_code_from_row(row: Mapping[str, Any]) -> ExactVatCode:
    """Build an ExactVatCode from an API row (Percentage arrives as a decimal, never a float)."""
    pct = row.get("Percentage")
    return ExactVatCode(
        code=str(row.get("Code") or "").strip(),
        description=str(row.get("Description") or "").strip(),
        percentage=to_decimal(pct if pct is not None else 0, field="Percentage"),
        type=str(row.get("Type") or "").strip(),
        transaction_type=str(row.get("VATTransactionType") or "B").strip(),
        blocked=bool(row.get("IsBlocked")),
        eu_sales_listing=str(row.get("EUSalesListing") or "").strip(),
        oss_country=str(row.get("OssCountry") or "").strip(),
        charged=bool(row.get("Charged")),
    )


def _fraction(rate_percent: Decimal) -> Decimal:
    return rate_percent / HUNDRED


def _candidates(treatment: VatTreatment, codes: Iterable[ExactVatCode]) -> list[ExactVatCode]:
    rate = _fraction(treatment.rate)
    usable = [c for c in codes if c.usable_for_sales and c.percentage == rate and not c.charged]
    scenario = treatment.scenario
    if scenario is Scenario.DOMESTIC:
        return [c for c in usable if c.type == "E" and not c.oss_country and c.eu_sales_listing in NO_LISTING]
    if scenario is Scenario.OSS:
        return [c for c in usable if c.type == "E" and c.oss_country == treatment.country]
    if scenario is Scenario.ICP_GOODS:
        return [c for c in usable if c.eu_sales_listing == "L" and not c.oss_country]
    if scenario is Scenario.ICP_SERVICES:
        return [c for c in usable if c.eu_sales_listing == "S" and not c.oss_country]
    if scenario is Scenario.EXEMPT:
        return [c for c in usable if c.type == "N" and not c.oss_country and c.eu_sales_listing in NO_LISTING]
    # DOMESTIC_ZERO and EXPORT: 0 % codes with no EU listing cannot be told apart by their fields (reference §7).
    return [c for c in usable if c.type in ("B", "E") and not c.oss_country and c.eu_sales_listing in NO_LISTING]


class VatCodeTable:
    """Maps a VatTreatment to an Exact VAT code.

    Order of resolution: the config table (`vat_codes`, keyed by `VatTreatment.key`, e.g. "domestic_21",
    "oss_DE_19", "icp_goods", "export"), then exactly one matching division code (sales, not blocked, same
    percentage; type E for domestic/OSS, EU listing L/S for ICP, OssCountry for OSS, type N for exempt).
    Domestic 0 % and export have no default when more than one 0 % code matches: configure them.
    """

    def __init__(self, explicit: Mapping[str, str], division_codes: Iterable[ExactVatCode]) -> None:
        self._explicit = {k: v.strip() for k, v in explicit.items()}
        self._codes = list(division_codes)
        self._by_code = {c.code: c for c in self._codes}

    def check_explicit(self) -> None:
        """Every configured code must exist in the division and be usable for sales.

        Raises:
            ConfigError: naming the key and the code.
        """
        for key, code in sorted(self._explicit.items()):
            found = self._by_code.get(code)
            if found is None:
                raise ConfigError(f"vat_codes.{key}: VAT code {code!r} does not exist in this Exact division")
            if not found.usable_for_sales:
                raise ConfigError(f"vat_codes.{key}: VAT code {code!r} is blocked or not a sales code")

    def code_for(self, treatment: VatTreatment) -> str | None:
        """The Exact VAT code for a treatment, or None when neither the table nor a unique default gives one."""
        explicit = self._explicit.get(treatment.key)
        if explicit:
            return explicit
        candidates = _candidates(treatment, self._codes)
        return candidates[0].code if len(candidates) == 1 else None

    def percentage_of(self, code: str) -> Decimal | None:
        """The code's percentage (a fraction), when the division has it."""
        found = self._by_code.get(code)
        return found.percentage if found else None
