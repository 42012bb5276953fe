"""Seed of the Exact stand-in: a standard Dutch division (VAT codes, GL accounts, journals, payment terms, debtor)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

DIVISION = 1234567
USER_ID = "5f0c1a6e-3f7e-4d1b-9a40-1b2d3c4e5f60"
_NS = uuid.UUID("0b5e2c1a-7c55-4a8e-9f4a-2f1de0c0e111")


def seed_id(kind: str, code: str) -> str:
    """Stable ID of a seeded record, so configs and tests can name it: seed_id('GLAccount', '8000')."""
    return str(uuid.uuid5(_NS, f"{kind}:{code}"))


# Code, Description, Percentage, Type (E excl / I incl / B 0%-base / N none), VATTransactionType, EUSalesListing,
# OssCountry, Charged. Reference §7: 0 = no VAT, 2 = high 21 %, 6 = export, 7 = ICP are attested; the rest is ours.
VAT_CODES: list[tuple[str, str, str, str, str, str, str | None, bool]] = [
    ("0", "Geen BTW", "0", "N", "B", "N", None, False),
    ("1", "BTW laag 9% exclusief", "0.09", "E", "B", "N", None, False),
    ("2", "BTW hoog 21% exclusief", "0.21", "E", "B", "N", None, False),
    ("3", "BTW laag 9% inclusief", "0.09", "I", "S", "N", None, False),
    ("4", "BTW hoog 21% inclusief", "0.21", "I", "S", "N", None, False),
    ("5", "BTW 0% nultarief", "0", "B", "S", "N", None, False),
    ("6", "Export buiten de EU 0%", "0", "B", "S", "N", None, False),
    ("7", "ICP levering binnen de EU 0%", "0", "B", "S", "L", None, False),
    ("8", "BTW verlegd 0%", "0", "B", "S", "N", None, True),
    ("9", "ICP diensten binnen de EU 0%", "0", "B", "S", "S", None, False),
    ("D1", "OSS Duitsland 19%", "0.19", "E", "S", "N", "DE", False),
    ("D2", "OSS Duitsland 7%", "0.07", "E", "S", "N", "DE", False),
    ("B1", "OSS Belgie 21%", "0.21", "E", "S", "N", "BE", False),
    ("B2", "OSS Belgie 6%", "0.06", "E", "S", "N", "BE", False),
    ("F1", "OSS Frankrijk 20%", "0.20", "E", "S", "N", "FR", False),
    ("F2", "OSS Frankrijk 5,5%", "0.055", "E", "S", "N", "FR", False),
    ("A1", "OSS Oostenrijk 20%", "0.20", "E", "S", "N", "AT", False),
    ("E1", "OSS Spanje 21%", "0.21", "E", "S", "N", "ES", False),
    ("I1", "OSS Italie 22%", "0.22", "E", "S", "N", "IT", False),
    ("X", "Geblokkeerde code 21%", "0.21", "E", "S", "N", None, False),
]
BLOCKED_VAT_CODES = {"X"}

# Code, Description, Type (20 debtors, 24 VAT, 110 revenue), BalanceType, VATCode
GL_ACCOUNTS: list[tuple[str, str, int, str, str | None]] = [
    ("1300", "Debiteuren", 20, "B", None),
    ("1500", "Af te dragen BTW hoog", 24, "B", None),
    ("1510", "Af te dragen BTW laag", 24, "B", None),
    ("8000", "Omzet binnenland hoog tarief", 110, "W", "2"),
    ("8010", "Omzet binnenland laag tarief", 110, "W", "1"),
    ("8020", "Omzet binnenland nultarief", 110, "W", "5"),
    ("8050", "Omzet verzendkosten", 110, "W", "2"),
    ("8100", "Omzet ICP binnen de EU", 110, "W", "7"),
    ("8200", "Omzet export buiten de EU", 110, "W", "6"),
    ("8300", "Omzet OSS afstandsverkopen", 110, "W", None),
    ("8400", "Kortingen", 110, "W", "2"),
    ("8900", "Afrondingsverschillen", 110, "W", "0"),
]

# Code, Description, Type (10 cash, 20 sales, 90 general)
JOURNALS: list[tuple[str, str, int]] = [("70", "Verkoopboek", 20), ("20", "Kas", 10), ("90", "Memoriaal", 90)]

# Code, Description, PaymentDays, PaymentMethod
PAYMENT_CONDITIONS: list[tuple[str, str, int, str]] = [
    ("00", "Direct", 0, "K"), ("14", "Binnen 14 dagen", 14, "B"), ("30", "Binnen 30 dagen", 30, "B"),
]

DEFAULT_DEBTOR_CODE = "999999"
DEFAULT_DEBTOR_NAME = "Kassaverkopen"
ITEM_GROUP_CODE = "001"

# Code, Description, GL revenue code, SalesVatCode, IsSalesItem
ITEMS: list[tuple[str, str, str, str, bool]] = [
    ("VERZENDKOSTEN", "Verzendkosten", "8050", "2", True),
    ("KORTING", "Korting", "8400", "2", True),
    ("INKOOP", "Inkoopartikel (geen verkoopartikel)", "8000", "2", False),
]


def seed_records() -> list[tuple[str, dict[str, Any]]]:
    """(entity name, stored values) in insertion order; ids are stable (seed_id)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for code, desc, pct, vtype, trans, listing, oss, charged in VAT_CODES:
        out.append(("VATCode", {
            "ID": seed_id("VATCode", code), "Code": code.ljust(3), "Description": desc, "Percentage": Decimal(pct),
            "Type": vtype, "VATTransactionType": trans, "EUSalesListing": listing, "OssCountry": oss,
            "Charged": charged, "IsBlocked": code in BLOCKED_VAT_CODES, "IntraStat": listing == "L",
        }))
    for code, desc, gl_type, balance, vat in GL_ACCOUNTS:
        out.append(("GLAccount", {
            "ID": seed_id("GLAccount", code), "Code": code, "Description": desc, "Type": gl_type,
            "BalanceType": balance, "BalanceSide": "C" if balance == "W" else "D",
            "VATCode": vat.ljust(3) if vat else None,
            "IsBlocked": False, "UseCostcenter": 0, "UseCostunit": 0,
        }))
    for code, desc, j_type in JOURNALS:
        out.append(("Journal", {
            "ID": seed_id("Journal", code), "Code": code, "Description": desc, "Type": j_type, "Currency": "EUR",
            "AllowVariableCurrency": False, "IsBlocked": False,
        }))
    for code, desc, days, method in PAYMENT_CONDITIONS:
        out.append(("PaymentCondition", {
            "ID": seed_id("PaymentCondition", code), "Code": code, "Description": desc, "PaymentDays": days,
            "PaymentEndOfMonths": 0, "PaymentMethod": method, "DiscountPercentage": Decimal(0),
            "DiscountPaymentDays": 0,
        }))
    out.append(("ItemGroup", {
        "ID": seed_id("ItemGroup", ITEM_GROUP_CODE), "Code": ITEM_GROUP_CODE, "Description": "Standaard artikelgroep",
        "IsDefault": 1, "GLRevenue": seed_id("GLAccount", "8000"),
    }))
    for code, desc, gl, vat, is_sales in ITEMS:
        out.append(("Item", {
            "ID": seed_id("Item", code), "Code": code, "Description": desc, "GLRevenue": seed_id("GLAccount", gl),
            "SalesVatCode": vat.ljust(3), "IsSalesItem": is_sales, "IsStockItem": False, "IsPurchaseItem": not is_sales,
            "ItemGroup": seed_id("ItemGroup", ITEM_GROUP_CODE), "Unit": "stuk", "StandardSalesPrice": Decimal(0),
        }))
    out.append(("Account", {
        "ID": seed_id("Account", DEFAULT_DEBTOR_CODE), "Code": DEFAULT_DEBTOR_CODE.rjust(18),
        "Name": DEFAULT_DEBTOR_NAME,
        "Status": "C", "Country": "NL", "City": "Amsterdam", "SalesVATCode": "2  ", "PaymentConditionSales": "00",
        "Language": "NL", "Blocked": False, "IsSupplier": False,
    }))
    return out
