"""Lightspeed Retail's documented API V3 shapes: resources, id and sort fields, query operators, XML-born values."""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.core import ApiError, Request, parse_iso

API_PREFIX = "/API/V3/Account"
MAX_LIMIT = 100
MAX_IN_VALUES = 100
OPERATORS = (">=", "<=", "!=", "><", ">", "<", "=", "~", "IN")
ORDERED = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
CONTROL_PARAMS = frozenset({"limit", "after", "before", "sort", "load_relations", "count", "archived", "offset",
                            "orderby", "orderby_desc"})
# relation name -> (to_many, child element name)
RELATIONS: dict[str, dict[str, tuple[bool, str]]] = {
    "Sale": {"SaleLines": (True, "SaleLine"), "SaleLines.Item": (False, "Item"),
             "SalePayments": (True, "SalePayment"), "SalePayments.PaymentType": (False, "PaymentType"),
             "Customer": (False, "Customer"), "Customer.Contact": (False, "Contact")},
    "Customer": {"Contact": (False, "Contact")},
    "Item": {},
    "TaxCategory": {"TaxCategoryClasses": (True, "TaxCategoryClass")},
    "Shop": {"Contact": (False, "Contact")},
}
# the lists a record keeps, per resource (and Contact) -> the XML element of their children, and what an empty list
# renders as (None: the key is left out)
LISTS: dict[str, dict[str, tuple[str, Any]]] = {
    "Item": {"Prices": ("ItemPrice", {"ItemPrice": []})},
    "TaxCategory": {"TaxCategoryClasses": ("TaxCategoryClass", None)},
    "Sale": {"SaleLines": ("SaleLine", None), "SalePayments": ("SalePayment", None)},
    "Contact": {"Addresses": ("ContactAddress", ""), "Phones": ("ContactPhone", ""), "Emails": ("ContactEmail", "")},
}
ID_FIELDS = {"Sale": "saleID", "Customer": "customerID", "Item": "itemID", "TaxCategory": "taxCategoryID",
             "Shop": "shopID"}
SORTABLE = {"Sale": {"saleID": "saleID", "timeStamp": "timeStamp", "completeTime": "completeTime",
                     "updatetime": "updateTime", "updateTime": "updateTime"},
            "Customer": {"customerID": "customerID", "timeStamp": "timeStamp", "createTime": "createTime"},
            "Item": {"itemID": "itemID", "timeStamp": "timeStamp", "createTime": "createTime"},
            "TaxCategory": {"taxCategoryID": "taxCategoryID", "timeStamp": "timeStamp"},
            "Shop": {"shopID": "shopID", "timeStamp": "timeStamp"}}


class RetailError(ApiError):
    """An API error, rendered in Lightspeed Retail's `{"httpCode": ..., "message": ...}` shape."""

    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 429: "Too Many Requests"}
    CLASSES = {400: "InvalidArgumentException", 401: "AuthenticationException", 403: "InsufficientRightsException",
               404: "NotFoundException", 405: "MethodNotAllowedException", 429: "RateLimitExceededException"}

    def body(self) -> dict[str, str]:
        return {"httpCode": str(self.status), "httpMessage": self.REASONS.get(self.status, "Error"),
                "message": self.message, "errorClass": self.CLASSES.get(self.status, "Exception")}


def to_iso(ts: float) -> str:
    """Epoch seconds -> the API's timestamp format, `2024-01-02T08:00:00+00:00`."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def is_time_field(name: str) -> bool:
    return name == "timeStamp" or name.endswith("Time")


def typed(name: str, raw: Any) -> tuple[int, Any]:
    """A sortable, comparable key for a stored string value: times as epoch, ids/numbers as Decimal."""
    if raw in (None, ""):
        return (0, 0)
    text = str(raw)
    if is_time_field(name):
        try:
            return (1, parse_iso(text).timestamp())
        except ValueError:
            return (2, text)
    try:
        return (1, Decimal(text))
    except InvalidOperation:
        return (2, text)


def quirk(children: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """XML->JSON: one child is an object, several a list."""
    return children[0] if len(children) == 1 else children


def as_list(value: Any) -> list[dict[str, Any]]:
    """Undo the quirk when loading payloads: object -> [object], "" / None -> []."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def unwrap(resource: str, record: dict[str, Any]) -> dict[str, Any]:
    """A payload in stored form: its scalars, and each of the resource's `LISTS` as a plain list (quirk undone)."""
    stored = {k: v for k, v in record.items() if not isinstance(v, dict | list)}
    for key, (child, _) in LISTS.get(resource, {}).items():
        value = record.get(key)
        stored[key] = as_list(value.get(child)) if isinstance(value, dict) else []
    return stored


def money(value: Decimal) -> str:
    return str(value)


@dataclass
class Condition:
    """One parsed `field=op,value` filter."""

    name: str
    op: str
    values: list[str]

    def matches(self, record: dict[str, Any]) -> bool:
        if "." in self.name:
            relation, _, child_field = self.name.partition(".")
            return any(Condition(child_field, self.op, self.values).matches(child)
                       for child in as_list(record.get(relation)) if isinstance(child, dict))
        have = typed(self.name, record.get(self.name, "false" if self.name == "archived" else None))
        wants = [typed(self.name, v) for v in self.values]
        try:
            if self.op == "=":
                return have == wants[0]
            if self.op == "!=":
                return have != wants[0]
            if self.op in ORDERED:  # an empty value is in no range
                return have[0] != 0 and ORDERED[self.op](have, wants[0])
            if self.op == "><":
                return have[0] != 0 and wants[0] <= have <= wants[1]
            if self.op == "IN":
                return have in wants
        except TypeError:
            return False
        pattern = "^" + ".*".join(re.escape(part) for part in self.values[0].split("%")) + "$"
        return re.match(pattern, str(record.get(self.name, "")), re.IGNORECASE | re.DOTALL) is not None


def _relations(resource: str, raw: str | None) -> list[str]:
    if not raw:
        return []
    known = RELATIONS[resource]
    if raw == "all":
        return list(known)
    try:
        names = json.loads(raw)
    except ValueError:
        raise RetailError(400, "load_relations must be a JSON array of relation names") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RetailError(400, "load_relations must be a JSON array of relation names")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RetailError(400, f"Invalid relation(s) for {resource}: {', '.join(unknown)}")
    return names


def _conditions(req: Request) -> list[Condition]:
    out = []
    for name, values in req.query.items():
        if name == "or":
            raise RetailError(400, "or= is not supported by this stand-in")
        if name in CONTROL_PARAMS:
            continue
        raw = values[0]
        head, sep, rest = raw.partition(",")
        if sep and head in OPERATORS:
            op = head
            args = [rest]
            if op == "><":
                args = rest.split(",", 1)
                if len(args) != 2:
                    raise RetailError(400, f"{name}: between needs two values")
            elif op == "IN":
                args = [a.strip() for a in rest.strip("[]").split(",") if a.strip()]
                if len(args) > MAX_IN_VALUES:
                    raise RetailError(400, f"{name}: IN takes at most {MAX_IN_VALUES} values")
        else:
            op, args = "=", [raw]
        if is_time_field(name.rpartition(".")[2]):
            for arg in args:
                try:
                    parse_iso(arg)
                except ValueError:
                    raise RetailError(400, f"{name}: invalid timestamp {arg!r}") from None
        out.append(Condition(name, op, args))
    return out
