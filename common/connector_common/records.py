"""The only converter between the canonical model and Airbyte records, plus the JSON-schema boundary check."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import jsonschema

from connector_common.errors import RecordError
from connector_common.model import Customer, Order, Product, Shipment, StockLevel
from connector_common.money import check_currency, format_money, to_decimal
from connector_common.vat import COUNTRIES

STREAM_MODELS: dict[str, type] = {
    "orders": Order, "customers": Customer, "products": Product, "stock_levels": StockLevel, "shipments": Shipment,
}
SCHEMA_FILES = {
    "orders": "order.json", "customers": "customer.json", "products": "product.json",
    "stock_levels": "stock_level.json", "shipments": "shipment.json",
}
PRIMARY_KEY = "source_id"
CURSOR_FIELD = "updated_at"
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"

T = TypeVar("T")


# --- model -> record --------------------------------------------------------------------------------------------
def to_record(obj: Any) -> Any:
    """Model object -> JSON-ready value: Decimal as a decimal string, datetimes as ISO 8601, tuples as lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_record(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Decimal):
        return format_money(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [to_record(v) for v in obj]
    return obj


# --- record -> model --------------------------------------------------------------------------------------------
def from_record(stream: str, data: dict[str, Any]) -> Any:
    """Validate a record of `stream` against the canonical schema and convert it to the model.

    Raises:
        RecordError: naming the stream, the record's key and the failing field path.
    """
    if stream not in STREAM_MODELS:
        raise RecordError(stream, None, None, f"unknown stream (expected one of {', '.join(STREAM_MODELS)})")
    key = _key_of(data)
    validator = _validator(stream)
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or None
        raise RecordError(stream, key, path, _short(error.message))
    return _convert(STREAM_MODELS[stream], data, stream, key, "")


def _key_of(data: Any) -> str | None:
    if isinstance(data, dict):
        ref = data.get("reference") or data.get("sku")
        sid = data.get(PRIMARY_KEY)
        if sid is not None:
            return f"{sid}" + (f" ({ref})" if isinstance(ref, str) and ref else "")
    return None


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[:limit] + "…"


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any, stream: str, key: str | None, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(inner, value, stream, key, path)
    if origin is tuple:
        item_tp = typing.get_args(tp)[0]
        return tuple(_convert(item_tp, v, stream, key, f"{path}.{i}") for i, v in enumerate(value))
    try:
        if dataclasses.is_dataclass(tp):
            hints = _hints(tp)  # type: ignore[arg-type]
            kwargs = {}
            for f in dataclasses.fields(tp):
                if f.name in value:
                    sub = f"{path}.{f.name}" if path else f.name
                    kwargs[f.name] = _convert(hints[f.name], value[f.name], stream, key, sub)
            return tp(**kwargs)  # type: ignore[operator]
        if tp is Decimal:
            return to_decimal(value, field=path)
        if tp is datetime:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError(f"{value!r} has no time zone")
            return parsed
        if isinstance(tp, type) and issubclass(tp, Enum):
            return tp(value)
        if path.endswith("country") and value not in COUNTRIES:
            raise ValueError(f"{value!r} is not an ISO 3166 country code")
        if path == "currency":
            return check_currency(value)
    except RecordError:
        raise
    except (ValueError, TypeError) as exc:
        raise RecordError(stream, key, path, str(exc)) from None
    return value


# --- schemas ----------------------------------------------------------------------------------------------------
def load_schema(stream: str) -> dict[str, Any]:
    """The shipped JSON schema (draft-07) of a canonical stream."""
    text = resources.files("connector_common").joinpath("schemas", SCHEMA_FILES[stream]).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(stream: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(load_schema(stream))


def schema_for(cls: type) -> dict[str, Any]:
    """Derive the draft-07 schema of a model class (used to write, and to check, the shipped schema files)."""
    schema = _object_schema(cls)
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": cls.__name__, **schema}


def _object_schema(cls: type) -> dict[str, Any]:
    hints = _hints(cls)
    props: dict[str, Any] = {}
    required = []
    for f in dataclasses.fields(cls):
        props[f.name] = _type_schema(hints[f.name], dict(f.metadata))
        no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if no_default:
            required.append(f.name)
    doc = (cls.__doc__ or "").strip().splitlines()
    out: dict[str, Any] = {"type": "object"}
    if doc and not doc[0].startswith(cls.__name__ + "("):
        out["description"] = doc[0]
    out["required"] = required
    out["properties"] = props
    return out


def _type_schema(tp: Any, meta: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        schema = _type_schema(inner, meta)
        if "$ref" not in schema and isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
        return schema
    if origin is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], {})}
    if dataclasses.is_dataclass(tp):
        return _object_schema(tp)  # type: ignore[arg-type]
    if tp is Decimal:
        return {"type": "string", "pattern": DECIMAL_PATTERN}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if tp is bool:
        return {"type": "boolean"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"type": "string", "enum": [m.value for m in tp]}
    if tp is str:
        return {"type": "string", **meta}
    raise TypeError(f"no schema for {tp!r}")


def write_schemas(folder: str) -> None:
    """Regenerate schemas/*.json from the model (run `python -m connector_common.records <folder>`)."""
    for stream, cls in STREAM_MODELS.items():
        text = json.dumps(schema_for(cls), indent=2, ensure_ascii=False) + "\n"
        Path(folder, SCHEMA_FILES[stream]).write_text(text, "utf-8")


if __name__ == "__main__":
    import sys

    write_schemas(sys.argv[1])
