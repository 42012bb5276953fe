"""PURE mapping helpers shared by every Lightspeed platform (eCom, Retail R-Series, K-Series, X-Series): amounts,
rates, texts, ids, timestamps, VAT per rate. No I/O. The platforms' mappings are ecom.py, retail.py, kseries.py and
xseries.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector_common.cursor import parse_timestamp
from connector_common.errors import RecordError
from connector_common.model import (
    Discount,
    DiscountAllocation,
    OrderLine,
    ShippingLine,
    TaxLine,
)
from connector_common.money import CENT, HUNDRED, to_decimal

ZERO = Decimal(0)


def money(value: Any, field: str) -> Decimal:
    """eCom/Retail amount -> Decimal. eCom sends `false` or "" for empty values; those are 0. Floats are refused."""
    if value is None or value is False or value == "":
        return ZERO
    amount = to_decimal(value, field=field)
    exponent = amount.as_tuple().exponent
    return amount.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else amount  # 97.9 -> 97.90


def percent(fraction: Any, field: str = "taxRate") -> Decimal:
    """Lightspeed's fraction (0.21, "0.055") -> the canonical percentage (21, 5.5) without exponent noise."""
    value = to_decimal(fraction, field=field) * HUNDRED if fraction not in (None, False, "") else ZERO
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def text(value: Any) -> str | None:
    """eCom's empty markers (`false`, "", None) -> None; anything else as a stripped string."""
    if value is None or value is False or value == "":
        return None
    result = str(value).strip()
    return result or None


def resource_id(value: Any) -> str | None:
    """`{"resource": {"id": 123, ...}}` -> "123"; `id: false` (a collection or no link) -> None."""
    if isinstance(value, Mapping):
        ref = value.get("resource")
        if isinstance(ref, Mapping):
            rid = ref.get("id")
            return None if rid is False or rid is None or rid == "" else str(rid)
    return None


def timestamp(value: Any, field: str, stream: str, key: str | None) -> datetime:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise RecordError(stream, key, field, f"{value!r} is not an ISO 8601 timestamp with a time zone") from None


def computed_tax_lines(lines: Iterable[OrderLine], fees: Iterable[ShippingLine],
                       discounts: Iterable[Discount]) -> tuple[TaxLine, ...]:
    per_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        per_rate[line.tax_rate] = per_rate.get(line.tax_rate, ZERO) + line.tax_amount
    for fee in fees:
        per_rate[fee.tax_rate] = per_rate.get(fee.tax_rate, ZERO) + fee.tax_amount
    for disc in discounts:
        if disc.allocation is DiscountAllocation.ORDER and disc.tax_rate is not None:
            per_rate[disc.tax_rate] = per_rate.get(disc.tax_rate, ZERO) - disc.tax_amount
    return tuple(TaxLine(rate=r, amount=a) for r, a in sorted(per_rate.items()))
