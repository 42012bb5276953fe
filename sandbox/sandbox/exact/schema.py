"""Entity definitions of the Exact stand-in, read from data/exact_fields.json, plus wire <-> Python value coercion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from sandbox.exact.errors import ExactError, bad_request
from sandbox.exact.odata import format_datetime, is_guid, parse_datetime

FIELDS_FILE = Path(__file__).resolve().parent.parent / "data" / "exact_fields.json"
_INT_TYPES = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte"}
_CLR = {"Edm.Double": "System.Double", "Edm.Int16": "System.Int16", "Edm.Int32": "System.Int32",
        "Edm.Int64": "System.Int64", "Edm.Byte": "System.Byte", "Edm.Guid": "System.Guid",
        "Edm.DateTime": "System.DateTime", "Edm.Boolean": "System.Boolean", "Edm.String": "System.String"}
# type names in __metadata and in error texts, as Exact prints them
TYPE_NAMES = {"Me": "Exact.Web.Api.Models.System.Me", "VATCode": "Exact.Web.Api.Models.VATCode"}


@dataclass(frozen=True)
class EntitySpec:
    """One entity of exact_fields.json: its allowlist, Edm types and writability."""

    name: str
    endpoint: str
    key: str
    fields: tuple[str, ...]
    types: dict[str, str]
    methods: tuple[str, ...]
    mandatory: tuple[str, ...]
    writable_post: frozenset[str]
    writable_put: frozenset[str]

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.name, f"Exact.Web.Api.Models.{self.name}")

    def edm(self, field: str) -> str:
        return self.types.get(field, "Edm.String")


@cache
def load_specs() -> dict[str, EntitySpec]:
    """All entities of the fields file, keyed by entity name (Account, SalesInvoice, ...)."""
    text = FIELDS_FILE.read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    specs: dict[str, EntitySpec] = {}
    for name, entry in raw.items():
        if name.startswith("_"):
            continue
        fields = tuple(entry["fields"])
        types = dict.fromkeys(fields, "Edm.String") | dict(entry.get("types") or {})
        if entry["key"] not in types:
            types[entry["key"]] = "Edm.Guid"
        specs[name] = EntitySpec(
            name=name, endpoint=entry["endpoint"], key=entry["key"], fields=fields, types=types,
            methods=tuple(entry.get("methods") or ("GET",)), mandatory=tuple(entry.get("mandatory_on_post") or ()),
            writable_post=frozenset(entry.get("writable_on_post") or ()),
            writable_put=frozenset(entry.get("writable_on_put") or ()),
        )
    return specs


def coerce(spec: EntitySpec, field: str, value: Any) -> Any:
    """A JSON payload value -> the stored Python value (Decimal, int, bool, datetime, lower-case guid, str)."""
    if value is None:
        return None
    edm = spec.edm(field)
    try:
        if edm in ("Edm.Double", "Edm.Decimal", "Edm.Single"):
            if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
                raise ValueError(value)
            return Decimal(str(value))
        if edm in _INT_TYPES:
            if isinstance(value, bool):
                raise ValueError(value)
            number = Decimal(str(value))
            if number != number.to_integral_value():
                raise ValueError(value)
            return int(number)
        if edm == "Edm.Boolean":
            if not isinstance(value, bool):
                raise ValueError(value)
            return value
        if edm == "Edm.Guid":
            if not isinstance(value, str) or not is_guid(value):
                raise ValueError(value)
            return value.lower()
        if edm == "Edm.DateTime":
            if not isinstance(value, str):
                raise ValueError(value)
            return parse_datetime(value)
        if edm == "Collection":
            return value
        if isinstance(value, (dict, list)):
            raise ValueError(value)
        return value if isinstance(value, str) else str(value)
    except (ValueError, InvalidOperation, TypeError):
        raise conversion_error(field, edm) from None


def conversion_error(field: str, edm: str) -> ExactError:
    return bad_request("Error processing request stream. Error encountered in converting the value from request "
                       f"payload for property '{field}' to type '{_CLR.get(edm, edm)}', which is the property's "
                       "type. See inner exception for more detail.")


def unknown_property(field: str, spec: EntitySpec) -> ExactError:
    return bad_request(f"Error processing request stream. The property name '{field}' specified for type "
                       f"'{spec.type_name}' is not valid.")


def to_wire(value: Any) -> Any:
    """Stored value -> JSON value (Edm.Double as a JSON number, dates as /Date(ms)/)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


def to_plain(value: Any) -> Any:
    """Stored value -> dump() form (Decimal as string, dates ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value
