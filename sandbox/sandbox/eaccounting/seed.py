"""Seed data of the eAccounting stand-in: a Swedish (default) or Dutch company with its reference data.

Every id below is fixed, so tests and the demo can hard-wire them. The Swedish VAT codes are the box numbers of
the Swedish VAT return and the Dutch ones the rubrieken of the Dutch return; the real per-company codes and
coding names are not published (reference §11: read them from the API, never hard-code names), so treat the
names as plausible examples, the structure (ids, rates, Type, accounts) as the contract.

Sweden (`country="SE"`, default) - company "Sandbox Handel AB", SEK, DomesticCurrencyRounding 1 (whole kronor),
ShowPricesExclVatPC false, ProductVariant 1 (Standard: orders allowed), next invoice number 1001:

  terms of payment  0a000000-0000-4000-8000-000000000030  "30 dagar"   30 days, type 0 Normal
                    0a000000-0000-4000-8000-000000000014  "14 dagar"   14 days, type 0 Normal
                    0a000000-0000-4000-8000-000000000000  "Kontant"     0 days, type 2 Cash (direct payment)
  units             0b000000-0000-4000-8000-000000000001  "Styck"  Code "st",  Abbreviation "st" / English "pcs"
                    0b000000-0000-4000-8000-000000000002  "Timme"  Code "h",   Abbreviation "tim" / English "h"
  codings (Type, VatRatePercent, domestic / EU exempt / outside-EU account)
                    0c000000-0000-4000-8000-000000002500  "Varor 25%"        Goods   0.25  3001 / 3108 / 3105
                    0c000000-0000-4000-8000-000000001200  "Varor 12%"        Goods   0.12  3002 / 3108 / 3105
                    0c000000-0000-4000-8000-000000000600  "Varor 6%"         Goods   0.06  3003 / 3108 / 3105
                    0c000000-0000-4000-8000-000000000000  "Momsfri försälj." Goods   0.00  3004 / 3108 / 3105
                    0c000000-0000-4000-8000-000000012500  "Tjänster 25%"     Service 0.25  3041 / 3308 / 3305
  VAT codes         0d000000-0000-4000-8000-000000000010  "10" Utgående moms 25 %            VatRate 25
                    0d000000-0000-4000-8000-000000000011  "11" Utgående moms 12 %            VatRate 12
                    0d000000-0000-4000-8000-000000000012  "12" Utgående moms 6 %             VatRate 6
                    0d000000-0000-4000-8000-000000000042  "42" Momsfri försäljning           VatRate 0
                    0d000000-0000-4000-8000-000000000035  "35" Varor till annat EU-land (reverse charge goods)
                    0d000000-0000-4000-8000-000000000039  "39" Tjänster till annat EU-land (reverse charge services)
                    0d000000-0000-4000-8000-000000000036  "36" Varor utanför EU (export goods)
                    0d000000-0000-4000-8000-000000000040  "40" Tjänster utanför EU (export services)
  default customer  0e000000-0000-4000-8000-000000000001  CustomerNumber "1" "Kontantkund", private, Stockholm,
                    terms "Kontant"

Netherlands (`country="NL"`) - company "Sandbox Handel B.V.", EUR, DomesticCurrencyRounding 0,
ShowPricesExclVatPC false, ProductVariant 1, next invoice number 1001:

  terms of payment  0a000000-0000-4000-8000-000000000030 "30 dagen", ...014 "14 dagen", ...000 "Contant" (Cash)
  units             0b000000-0000-4000-8000-000000000001 "Stuk" Code "st" Abbreviation "st" / "pcs"
                    0b000000-0000-4000-8000-000000000002 "Uur"  Code "h"  Abbreviation "u" / "h"
  codings           0c000000-0000-4000-8000-000000002100  "Omzet hoog 21%"    Goods   0.21  8000 / 8100 / 8200
                    0c000000-0000-4000-8000-000000000900  "Omzet laag 9%"     Goods   0.09  8010 / 8100 / 8200
                    0c000000-0000-4000-8000-000000000000  "Omzet 0%"          Goods   0.00  8020 / 8100 / 8200
                    0c000000-0000-4000-8000-000000012100  "Diensten 21%"      Service 0.21  8005 / 8110 / 8210
  VAT codes         0d000000-0000-4000-8000-000000000101  "1a" Leveringen/diensten hoog tarief  VatRate 21
                    0d000000-0000-4000-8000-000000000102  "1b" Leveringen/diensten laag tarief  VatRate 9
                    0d000000-0000-4000-8000-000000000105  "1e" Leveringen/diensten 0% of niet bij u belast  0
                    0d000000-0000-4000-8000-000000000302  "3b" Leveringen/diensten binnen de EU (ICP)       0
                    0d000000-0000-4000-8000-000000000301  "3a" Leveringen naar landen buiten de EU (export) 0
  default customer  0e000000-0000-4000-8000-000000000001  CustomerNumber "1" "Kassaverkopen", private, Amsterdam,
                    terms "Contant"

  OSS               company setting UsesMoss true ("Apply rules for One Stop Shop"); EU distance-sale codings, one
                    per destination country and rate, booked on 8170 "Omzet OSS leveringen binnen de EU" (goods) /
                    8175 "Omzet OSS diensten binnen de EU" (services) as ForeignSalesSubjectToMossAccountNumber:
                    "OSS Duitsland 19%" / "OSS Germany 19%" (DE 19, 7), BE 21, 6, FR 20, 5.5 (goods) and
                    "OSS Duitsland diensten 19%" (DE 19, service); ids from oss_coding_id("DE", "19")
                    0d000000-0000-4000-8000-000000001658  "OSS" Btw OSS leveringen/diensten binnen de EU (OssCodeType 2)

  What is documented (Visma NL help "Met OSS werken", community post "OSS-regeling en Visma eAccounting" of
  2021-07, API changelog 2022-03-22): the company setting, the ledger accounts 8170/8175/1658 offered for the
  sales categories (= article account codings) of type goods/services, `OssCodeType` (1 Sales, 2 Vat) on
  /vatcodes only with the setting on, `UsesMoss` on articles only with the setting on. Unverified: how the
  destination rate reaches a row. The stand-in assumes one coding per (country, rate) whose VatRatePercent is
  the destination rate and whose name says the country (the API has no country field on codings), and books a
  private EU customer at that rate like any other coding (totals.py: "eu_private").

Both: one fiscal year (0f000000-0000-4000-8000-00000000YYYY) covering the calendar year of the clock, and
/countries with SE, NL, NO, DK, FI, DE, BE, FR, GB, US (IsEuMember as of 2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

EU_MEMBERS = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
                        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
COUNTRIES = (("SE", "Sverige", "Sweden"), ("NL", "Nederland", "Netherlands"), ("NO", "Norge", "Norway"),
             ("DK", "Danmark", "Denmark"), ("FI", "Suomi", "Finland"), ("DE", "Deutschland", "Germany"),
             ("BE", "België", "Belgium"), ("FR", "France", "France"), ("GB", "United Kingdom", "United Kingdom"),
             ("US", "United States", "United States"))

TERMS_30 = "0a000000-0000-4000-8000-000000000030"
TERMS_14 = "0a000000-0000-4000-8000-000000000014"
TERMS_CASH = "0a000000-0000-4000-8000-000000000000"
UNIT_PIECE = "0b000000-0000-4000-8000-000000000001"
UNIT_HOUR = "0b000000-0000-4000-8000-000000000002"
DEFAULT_CUSTOMER_ID = "0e000000-0000-4000-8000-000000000001"
DEFAULT_CUSTOMER_NUMBER = "1"
CODING_ZERO = "0c000000-0000-4000-8000-000000000000"


def coding_id(percent: int, service: bool = False) -> str:
    """Seeded coding id for a VAT percent, e.g. coding_id(25) (goods) or coding_id(25, service=True)."""
    return f"0c000000-0000-4000-8000-{(10000 if service else 0) + percent * 100:012d}"


def oss_coding_id(country: str, percent: str, service: bool = False) -> str:
    """Seeded id of an OSS coding, e.g. oss_coding_id("DE", "19") or oss_coding_id("FR", "5.5")."""
    digits = f"{ord(country[0]):03d}{ord(country[1]):03d}{int(Decimal(percent) * 10):04d}{int(service):02d}"
    return f"0c000000-0000-4000-8000-{digits}"


OSS_NAMES = {"DE": ("Duitsland", "Germany"), "BE": ("België", "Belgium"), "FR": ("Frankrijk", "France")}
OSS_RATES = (("DE", "19"), ("DE", "7"), ("BE", "21"), ("BE", "6"), ("FR", "20"), ("FR", "5.5"))
OSS_GOODS_ACCOUNT, OSS_SERVICES_ACCOUNT, OSS_VAT_ACCOUNT = 8170, 8175, 1658
Coding = tuple[tuple[str, str, str, str, Decimal], dict[str, Any]]  # (id, names, type, rate), its accounts
CODING_ACCOUNTS = ("DomesticSalesSubjectToReversedConstructionVatAccountNumber",
                   "DomesticSalesSubjectToVatAccountNumber", "DomesticSalesVatExemptAccountNumber",
                   "ForeignSalesSubjectToMossAccountNumber", "ForeignSalesSubjectToThirdPartySalesAccountNumber",
                   "ForeignSalesSubjectToVatWithinEuAccountNumber", "ForeignSalesVatExemptOutsideEuAccountNumber",
                   "ForeignSalesVatExemptWithinEuAccountNumber", "DomesticSalesVatCodeExemptAccountNumber")


def _oss_codings() -> tuple[tuple[str, str, str, str, Decimal, int], ...]:
    """(id, name, english name, type, rate fraction, OSS account) of the Dutch company's OSS codings."""
    goods = tuple((oss_coding_id(c, p), f"OSS {OSS_NAMES[c][0]} {p}%", f"OSS {OSS_NAMES[c][1]} {p}%", "Goods",
                   Decimal(p) / 100, OSS_GOODS_ACCOUNT) for c, p in OSS_RATES)
    service = (oss_coding_id("DE", "19", True), "OSS Duitsland diensten 19%", "OSS Germany services 19%", "Service",
               Decimal("0.19"), OSS_SERVICES_ACCOUNT)
    return (*goods, service)


@dataclass(frozen=True, slots=True)
class CountrySeed:
    """Everything that differs between the Swedish and the Dutch company."""

    company: dict[str, Any]
    terms: tuple[tuple[str, str, str, int, int], ...]  # id, name, english, days, type
    units: tuple[tuple[str, str, str, str, str], ...]  # id, name, code, abbreviation, english abbreviation
    codings: tuple[tuple[str, str, str, str, Decimal, int, int, int], ...]  # id, name, en, type, rate, dom, eu, ext
    vat_codes: tuple[tuple[str, str, str, int, int | None], ...]  # id, code, description, rate, account
    default_customer: dict[str, Any] = field(default_factory=dict)
    uses_moss: bool = False  # company setting "Apply rules for One Stop Shop (OSS)"
    oss_codings: tuple[tuple[str, str, str, str, Decimal, int], ...] = ()  # id, name, en, type, rate, OSS account
    oss_vat_codes: tuple[tuple[str, str, str, int], ...] = ()  # id, code, description, OssCodeType


SWEDEN = CountrySeed(
    company={"Name": "Sandbox Handel AB", "Address1": "Kungsgatan 1", "PostalCode": "111 43", "City": "Stockholm",
             "CountryCode": "SE", "CurrencyCode": "SEK", "CorporateIdentityNumber": "559999-0001",
             "VatCode": "SE559999000101", "Email": "info@sandbox-handel.se", "Phone": None,
             "DomesticCurrencyRounding": 1},
    terms=((TERMS_30, "30 dagar", "30 days", 30, 0), (TERMS_14, "14 dagar", "14 days", 14, 0),
           (TERMS_CASH, "Kontant", "Cash", 0, 2)),
    units=((UNIT_PIECE, "Styck", "st", "st", "pcs"), (UNIT_HOUR, "Timme", "h", "tim", "h")),
    codings=((coding_id(25), "Varor 25%", "Goods 25%", "Goods", Decimal("0.25"), 3001, 3108, 3105),
             (coding_id(12), "Varor 12%", "Goods 12%", "Goods", Decimal("0.12"), 3002, 3108, 3105),
             (coding_id(6), "Varor 6%", "Goods 6%", "Goods", Decimal("0.06"), 3003, 3108, 3105),
             (CODING_ZERO, "Momsfri försäljning", "VAT exempt sales", "Goods", Decimal("0"), 3004, 3108, 3105),
             (coding_id(25, True), "Tjänster 25%", "Services 25%", "Service", Decimal("0.25"), 3041, 3308, 3305)),
    vat_codes=(("0d000000-0000-4000-8000-000000000010", "10", "Utgående moms 25 %", 25, 2611),
               ("0d000000-0000-4000-8000-000000000011", "11", "Utgående moms 12 %", 12, 2621),
               ("0d000000-0000-4000-8000-000000000012", "12", "Utgående moms 6 %", 6, 2631),
               ("0d000000-0000-4000-8000-000000000042", "42", "Momsfri försäljning", 0, None),
               ("0d000000-0000-4000-8000-000000000035", "35", "Försäljning av varor till annat EU-land", 0, None),
               ("0d000000-0000-4000-8000-000000000039", "39", "Försäljning av tjänster till annat EU-land", 0, None),
               ("0d000000-0000-4000-8000-000000000036", "36", "Försäljning av varor utanför EU", 0, None),
               ("0d000000-0000-4000-8000-000000000040", "40", "Övrig försäljning av tjänster utanför EU", 0, None)),
    default_customer={"Name": "Kontantkund", "InvoiceAddress1": "Kungsgatan 1", "InvoicePostalCode": "111 43",
                      "InvoiceCity": "Stockholm", "InvoiceCountryCode": "SE", "CurrencyCode": "SEK"},
)

NETHERLANDS = CountrySeed(
    company={"Name": "Sandbox Handel B.V.", "Address1": "Damrak 1", "PostalCode": "1012 LG", "City": "Amsterdam",
             "CountryCode": "NL", "CurrencyCode": "EUR", "CorporateIdentityNumber": "99999999",
             "VatCode": "NL999999999B01", "Email": "info@sandbox-handel.nl", "Phone": "+31 20 000 0000",
             "DomesticCurrencyRounding": 0},
    terms=((TERMS_30, "30 dagen", "30 days", 30, 0), (TERMS_14, "14 dagen", "14 days", 14, 0),
           (TERMS_CASH, "Contant", "Cash", 0, 2)),
    units=((UNIT_PIECE, "Stuk", "st", "st", "pcs"), (UNIT_HOUR, "Uur", "h", "u", "h")),
    codings=((coding_id(21), "Omzet hoog 21%", "Sales high 21%", "Goods", Decimal("0.21"), 8000, 8100, 8200),
             (coding_id(9), "Omzet laag 9%", "Sales low 9%", "Goods", Decimal("0.09"), 8010, 8100, 8200),
             (CODING_ZERO, "Omzet 0%", "Sales 0%", "Goods", Decimal("0"), 8020, 8100, 8200),
             (coding_id(21, True), "Diensten 21%", "Services 21%", "Service", Decimal("0.21"), 8005, 8110, 8210)),
    vat_codes=(("0d000000-0000-4000-8000-000000000101", "1a", "Leveringen/diensten belast met hoog tarief", 21, 1500),
               ("0d000000-0000-4000-8000-000000000102", "1b", "Leveringen/diensten belast met laag tarief", 9, 1510),
               ("0d000000-0000-4000-8000-000000000105", "1e", "Leveringen/diensten belast met 0% of niet bij u belast",
                0, None),
               ("0d000000-0000-4000-8000-000000000302", "3b", "Leveringen naar of diensten in landen binnen de EU",
                0, None),
               ("0d000000-0000-4000-8000-000000000301", "3a", "Leveringen naar landen buiten de EU", 0, None)),
    default_customer={"Name": "Kassaverkopen", "InvoiceAddress1": "Damrak 1", "InvoicePostalCode": "1012 LG",
                      "InvoiceCity": "Amsterdam", "InvoiceCountryCode": "NL", "CurrencyCode": "EUR"},
    uses_moss=True,
    oss_codings=_oss_codings(),
    oss_vat_codes=(("0d000000-0000-4000-8000-000000001658", "OSS", "Btw OSS leveringen/diensten binnen de EU", 2),),
)

SEEDS = {"SE": SWEDEN, "NL": NETHERLANDS}


def terms_of_payment(seed: CountrySeed) -> list[dict[str, Any]]:
    return [{"Id": i, "Name": name, "NameEnglish": en, "NumberOfDays": days, "TermsOfPaymentTypeId": kind,
             "TermsOfPaymentTypeText": ("Normal", "CurrentMonth", "Cash")[kind], "AvailableForSales": True,
             "AvailableForPurchase": True} for i, name, en, days, kind in seed.terms]


def units(seed: CountrySeed) -> list[dict[str, Any]]:
    return [{"Id": i, "Name": name, "Code": code, "Abbreviation": abbr, "AbbreviationEnglish": en}
            for i, name, code, abbr, en in seed.units]


def _vat_rate_text(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def codings(seed: CountrySeed, changed: str) -> list[dict[str, Any]]:
    """The article account codings: the domestic ones, then the OSS ones (booked on their OSS account only)."""
    domestic: list[Coding] = [((i, name, en, kind, rate), {
        "DomesticSalesSubjectToVatAccountNumber": dom if rate else None,
        "DomesticSalesVatExemptAccountNumber": None if rate else dom,
        "ForeignSalesSubjectToVatWithinEuAccountNumber": dom, "ForeignSalesVatExemptOutsideEuAccountNumber": ext,
        "ForeignSalesVatExemptWithinEuAccountNumber": eu})
        for i, name, en, kind, rate, dom, eu, ext in seed.codings]
    oss: list[Coding] = [((i, name, en, kind, rate), {"ForeignSalesSubjectToMossAccountNumber": account})
                         for i, name, en, kind, rate, account in seed.oss_codings]
    return [{"Id": i, "Name": name, "NameEnglish": en, "Type": kind, "VatRate": _vat_rate_text(rate), "IsActive": True,
             "VatRatePercent": rate, **dict.fromkeys(CODING_ACCOUNTS), **booked, "ChangedUtc": changed}
            for (i, name, en, kind, rate), booked in (*domestic, *oss)]


def vat_codes(seed: CountrySeed) -> list[dict[str, Any]]:
    return [{"Id": i, "Code": code, "Description": desc, "VatRate": Decimal(rate), "OssCodeType": 0,
             "RelatedAccounts": {"AccountNumber1": account, "AccountNumber2": None, "AccountNumber3": None}}
            for i, code, desc, rate, account in seed.vat_codes] + [
        {"Id": i, "Code": code, "Description": desc, "VatRate": Decimal(0), "OssCodeType": kind,
         "RelatedAccounts": {"AccountNumber1": OSS_VAT_ACCOUNT, "AccountNumber2": None, "AccountNumber3": None}}
        for i, code, desc, kind in seed.oss_vat_codes]


def countries(seed: CountrySeed) -> list[dict[str, Any]]:
    local = seed.company["CountryCode"]
    return [{"Name": name if local == "SE" or code == "NL" else en, "NameEnglish": en, "Code": code,
             "IsEuMember": code in EU_MEMBERS} for code, name, en in COUNTRIES]


def fiscal_years(year: int) -> list[dict[str, Any]]:
    return [{"Id": f"0f000000-0000-4000-8000-{year:012d}", "StartDate": f"{year}-01-01T00:00:00",
             "EndDate": f"{year}-12-31T00:00:00", "IsLockedForAccounting": False, "BookkeepingMethod": 0}]
