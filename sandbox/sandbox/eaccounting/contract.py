"""Entity shapes and field validation from Visma's OpenAPI document (data/eaccounting_schemas.json), plus JSON I/O.

Validation follows what the ASP.NET model binder behind eAccounting does with the documented schema:
required properties, JSON types, uuid/date-time formats, maxLength, minimum/maximum and enums give a 400 with
ErrorCode 2000 and one `Errors[]` entry per field. Read-only properties in a request body are ignored, and so
are unknown properties: the reference documents no rejection of them (the generator's `additionalProperties:
false` describes responses), so the stand-in drops them silently, as the .NET JSON binder does by default.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import simplejson

from sandbox import core
from sandbox.core import parse_iso
from sandbox.odata import is_guid

SCHEMA_FILE = "eaccounting_schemas.json"
JSON_TYPE = "application/json; charset=utf-8"
SCOPE = "ea:api ea:sales ea:accounting_readonly offline_access"
VAT_NUMBER_FORMAT = r"^[A-Z]{2}[0-9A-Za-z]{8,12}$"

# error codes from Visma's catalogue
DATA_MODEL_VALIDATION = 2000
RESOURCE_NOT_FOUND = 3000
CONFLICT = 4000
CAN_NOT_BE_DELETED = 4001
CAN_NOT_BE_CREATED_OR_UPDATED = 4002
NOT_AUTHORIZED = 4005
TOO_MANY_REQUESTS = 4010
INVALID_VAT_NUMBER = 4025
INVALID_FORCE_BOOKKEEP_VAT = 4035
QUERY_PARAMETER_ERROR = 6000
INVALID_INPUT = 6001

# kind -> (collection path, document schema, row schema, Quantity decimals)
DOCUMENTS = {
    "draft": ("customerinvoicedrafts", "CustomerInvoiceDraftApi", "CustomerInvoiceDraftRowApi", 2),
    "invoice": ("customerinvoices", "CustomerInvoiceApi", "CustomerInvoiceRowApi", 4),
    "order": ("orders", "OrderApi", "OrderRowApi", 4),
}



@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of `Errors[]` in Visma's CommonExtendedBadRequest."""

    field: str
    code: str  # Required | InvalidType | InvalidFormat | MaxLength | Range | InvalidValue | NotFound | Conflict
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"Field": self.field, "ErrorCode": self.code, "Message": self.message, "Key": self.field}


@cache
def schemas() -> dict[str, Any]:
    """All extracted schemas by name (CustomerApi, ArticleApi, ...)."""
    text = (Path(__file__).resolve().parent.parent / "data" / SCHEMA_FILE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)["schemas"]
    return loaded


def properties(schema: str) -> dict[str, Any]:
    props: dict[str, Any] = schemas()[schema]["properties"]
    return props


def template(schema: str) -> dict[str, Any]:
    """A response-shaped entity with every documented property at its .NET default (null, false, 0, "")."""
    return {name: [] if default is _LIST else default for name, default in _defaults(schema)}


_LIST = object()
# a property's .NET default by its JSON types, first match wins: a nullable property is null
_JSON_DEFAULTS = (("null", None), ("boolean", False), ("integer", 0), ("number", Decimal("0")), ("array", _LIST),
                  ("string", ""))


@cache
def _defaults(schema: str) -> tuple[tuple[str, Any], ...]:
    out: list[tuple[str, Any]] = []
    for name, prop in properties(schema).items():
        default = next((value for kind, value in _JSON_DEFAULTS if kind in prop["type"]), None)
        out.append((name, "00000000-0000-0000-0000-000000000000" if default == "" and prop.get("format") == "uuid"
                    else default))
    return tuple(out)


def _type_ok(value: Any, types: list[str]) -> bool:
    checks = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | Decimal) and not isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }
    return any(checks.get(t, False) for t in types)


def validate(schema: str, body: Any, prefix: str = "") -> list[FieldError]:
    """Check a request object against a schema: required, types, formats, lengths, ranges, enums; rows recursively."""
    if not isinstance(body, dict):
        return [FieldError(prefix or "body", "InvalidType", "The request body must be a JSON object.")]
    errors: list[FieldError] = []
    props = properties(schema)
    for name in schemas()[schema]["required"]:
        if body.get(name) is None:
            errors.append(FieldError(prefix + name, "Required", f"The {name} field is required."))
    for name, value in body.items():
        prop = props.get(name)
        if prop is None or prop.get("readOnly") or value is None:
            if value is None and prop is not None and not prop.get("readOnly") and "null" not in prop["type"] \
                    and name not in schemas()[schema]["required"]:
                errors.append(FieldError(prefix + name, "InvalidType", f"Error converting value null for {name}."))
            continue
        errors.extend(_check(prefix + name, name, value, prop))
    return errors


def _check(path: str, name: str, value: Any, prop: dict[str, Any]) -> list[FieldError]:
    if not _type_ok(value, prop["type"]):
        want = "/".join(t for t in prop["type"] if t != "null")
        return [FieldError(path, "InvalidType", f"The value for {name} is not a valid {want}.")]
    errors: list[FieldError] = []
    fmt = prop.get("format")
    if isinstance(value, str) and fmt == "uuid" and not is_guid(value):
        errors.append(FieldError(path, "InvalidFormat", f"The value '{value}' is not a valid Guid for {name}."))
    if isinstance(value, str) and fmt == "date-time":
        try:
            parse_iso(value)
        except ValueError:
            errors.append(FieldError(path, "InvalidFormat",
                                     f"The value '{value}' is not a valid date for {name}. Expected YYYY-MM-DD."))
    max_length = prop.get("maxLength")
    if isinstance(value, str) and max_length is not None and len(value) > max_length:
        errors.append(FieldError(path, "MaxLength",
                                 f"The field {name} must be a string with a maximum length of {max_length}."))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        low, high = prop.get("minimum"), prop.get("maximum")
        if (low is not None and value < Decimal(str(low))) or (high is not None and value > Decimal(str(high))):
            errors.append(FieldError(path, "Range", f"The field {name} must be between {low} and {high}."))
    if "enum" in prop and value not in prop["enum"]:
        errors.append(FieldError(path, "InvalidValue", f"The value {value} is not valid for {name}."))
    item_schema = prop.get("items")
    if isinstance(value, list) and item_schema:
        for i, item in enumerate(value):
            errors.extend(validate(item_schema, item, f"{path}[{i}]."))
    return errors


def writable(schema: str, body: dict[str, Any]) -> dict[str, Any]:
    """The documented, writable properties of a request body (read-only and unknown ones dropped)."""
    props = properties(schema)
    return {k: v for k, v in body.items() if k in props and not props[k].get("readOnly")}


def accept(schema: str, body: Any) -> dict[str, Any]:
    """The writable properties of a request body that validates against `schema`; else 400 2000 (`validate`)."""
    errors = validate(schema, body)
    if errors:
        raise validation_error(errors)
    return writable(schema, body)


def new_id() -> str:
    """A fresh GUID as eAccounting renders it (lower-case, hyphenated)."""
    return str(uuid.uuid4())


def dumps(value: Any) -> str:
    """JSON text with Decimal written as a JSON number, exactly (no float round trip)."""
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":"))


def clone(value: Any) -> Any:
    """Deep copy of JSON-like data (dicts and lists; leaves are immutable), much cheaper than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


# -- errors and wire formats ------------------------------------------------------------------------------------
class ApiError(core.ApiError):
    """Raised inside a handler; becomes one Visma-shaped error response (`code`: Visma's ErrorCode)."""

    def __init__(self, status: int, code: int, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(status, message)
        self.code, self.errors = code, errors


def validation_error(errors: list[FieldError], code: int = DATA_MODEL_VALIDATION) -> ApiError:
    message = " ".join(f"{e.field}: {e.message}" for e in errors)
    return ApiError(400, code, message, errors)


def invalid(field: str, code: str, message: str, error_code: int = DATA_MODEL_VALIDATION) -> ApiError:
    """A 400 with one `Errors[]` entry."""
    return validation_error([FieldError(field, code, message)], error_code)


def find(table: dict[str, Any], field: str, ident: Any, what: str) -> Any:
    """The entity a body's `field` names (ids compare lower-case), else 400 3000 "<what> <ident> does not exist."."""
    found = table.get(str(ident).lower())
    if found is None:
        raise invalid(field, "NotFound", f"{what} {ident} does not exist.", RESOURCE_NOT_FOUND)
    return found


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, RESOURCE_NOT_FOUND, f"{what} with id {ident} was not found.")


def stamp(value: datetime) -> str:
    """eAccounting's UTC timestamps: milliseconds and a Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT00:00:00")
