"""Unit-test helpers: the NL division's VAT codes (fixture written from reference §7) and settings builders."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from destination_exact_online.settings import Settings, parse_settings
from destination_exact_online.vat_codes import VatCodeTable, vat_code_from_row

FIXTURES = Path(__file__).parent / "fixtures" / "exact"
FIELDS = json.loads((Path("/work/shared/reference/exact-fields.json")).read_text()) if Path(
    "/work/shared/reference/exact-fields.json").exists() else {}


def vat_rows() -> list[dict[str, Any]]:
    body = json.loads((FIXTURES / "vat_codes_nl_division.json").read_text(), parse_float=Decimal)
    return list(body["d"]["results"])


def table(explicit: dict[str, str] | None = None) -> VatCodeTable:
    return VatCodeTable(explicit if explicit is not None else {"domestic_zero": "5", "export": "6"},
                        [vat_code_from_row(r) for r in vat_rows()])


def settings(**overrides: Any) -> Settings:
    config: dict[str, Any] = {"credentials": {"client_id": "cid", "client_secret": "secret-value-1",
                                              "refresh_token": "refresh-value-1"},
                              "default_debtor_code": "999999", "vat_codes": {"domestic_zero": "5", "export": "6"}}
    config.update(overrides)
    return parse_settings(config)
