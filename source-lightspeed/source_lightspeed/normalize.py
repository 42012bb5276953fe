"""The ONE place where Lightspeed Retail's XML-born JSON becomes regular JSON (pure; no I/O)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

# wrapper element -> its repeated child: {"SaleLines": {"SaleLine": {...} | [...]}} becomes {"SaleLines": [...]}
COLLECTIONS: dict[str, str] = {
    "SaleLines": "SaleLine", "SalePayments": "SalePayment", "Emails": "ContactEmail", "Phones": "ContactPhone",
    "Addresses": "ContactAddress", "Prices": "ItemPrice", "TaxCategoryClasses": "TaxCategoryClass",
    "Websites": "ContactWebsite", "Tags": "tag", "ItemShops": "ItemShop", "SaleLineTaxes": "SaleLineTax",
}
BOOLEAN_FIELDS = frozenset({
    "completed", "archived", "voided", "isTaxInclusive", "tax", "isLayaway", "isWorkorder", "isSpecialOrder",
    "promotion", "isCompany", "noEmail", "noPhone", "noMail", "discountable", "serialized", "publishToEcom",
    "refundable", "nonPaymentTenders",
})
DECIMAL_FIELDS = frozenset({
    "unitQuantity", "unitPrice", "normalUnitPrice", "discountAmount", "discountPercent", "avgCost", "fifoCost",
    "tax1Rate", "tax2Rate", "calcLineDiscount", "calcTransactionDiscount", "calcSubtotal", "calcTotal", "calcTax1",
    "calcTax2", "calcDiscount", "calcTaxable", "calcNonTaxable", "calcPayments", "calcTips", "calcAvgCost",
    "calcFIFOCost", "total", "totalDue", "displayableTotal", "displayableSubtotal", "displayableUnitPrice", "balance",
    "taxTotal", "amount", "defaultCost", "tipAmount", "change", "rate", "taxRate",
})
ID_SUFFIX = "ID"


def normalize_retail(resource: str, body: Any) -> list[dict[str, Any]]:
    """A Retail list or single-resource body -> a list of regular records.

    - the top-level `{"@attributes": ..., "Sale": {...} | [...]}` becomes a list (one result is an object);
    - every known collection wrapper (`SaleLines`, `Emails`, `Prices`, ...) becomes a list of its children, and an
      empty relation (`""`, absent child) becomes `[]`;
    - booleans arrive as "true"/"false" and become bool; amounts, quantities and rates arrive as strings and become
      Decimal (never float); ids stay strings and the "no relation" id "0" becomes None.

    Raises:
        ValueError: when a known numeric field holds something that is not a number.
    """
    if not isinstance(body, dict):
        return []
    return [_clean(item) for item in _as_list(body.get(resource))]


def _as_list(value: Any) -> list[Any]:
    if value is None or isinstance(value, str):
        return []
    return list(value) if isinstance(value, list) else [value]


def _clean(node: Any) -> Any:
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in COLLECTIONS:
            child = value.get(COLLECTIONS[key]) if isinstance(value, dict) else value
            out[key] = [_clean(item) for item in _as_list(child)]
        elif isinstance(value, dict | list):
            out[key] = _clean(value)
        elif isinstance(value, str):
            out[key] = _scalar(key, value)
        else:
            out[key] = value
    return out


def _scalar(key: str, value: str) -> Any:
    if key in BOOLEAN_FIELDS and value in ("true", "false"):
        return value == "true"
    if key in DECIMAL_FIELDS:
        if value == "":
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{key}: {value!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{key}: {value!r} is not a finite number")
        return number
    if key.endswith(ID_SUFFIX) and value in ("0", ""):
        return None
    return value
