"""The only converter between the canonical model and Airbyte records, plus the JSON-schema boundary check."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import fastjsonschema
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
    """Model object -> JSON-ready value: Decimal as a decimal string, datetimes as ISO 8601, tuples as lists.

    A model object goes through the encoder compiled once for its class (`_encoder`); any other value through the
    generic walk.
    """
    cls = obj.__class__
    if cls in _ENCODERS or (dataclasses.is_dataclass(cls) and isinstance(cls, type)):
        return _encoder(cls)(obj)
    return _to_value(obj)


def _to_value(obj: Any) -> Any:
    """The generic walk (values that are not of their declared type, and values outside the model)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _encoder(type(obj))(obj)
    if isinstance(obj, Decimal):
        return format_money(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, tuple | list):
        return [_to_value(v) for v in obj]
    return obj


_ENCODERS: dict[type, Callable[[Any], dict[str, Any]]] = {}
_DECODERS: dict[type, Callable[[dict[str, Any]], Any]] = {}


def _encoder(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The record encoder of a model class: Python source generated once from its fields and type hints, so a record
    costs attribute reads, class checks and one dict, no reflection and no helper call for a value of its declared
    type. A value not of its declared type takes the generic walk."""
    found = _ENCODERS.get(cls)
    if found is not None:
        return found
    _COMPILING.add(cls)
    try:
        env: dict[str, Any] = {"_money": _money, "_iso": _iso, "_enum": _enum, "_any": _to_value,
                               "_Decimal": Decimal, "_datetime": datetime}
        items = [f"{f.name!r}: {_encode_expr(_hints(cls)[f.name], f'o.{f.name}', env)}"
                 for f in dataclasses.fields(cls)]
        source = f"def encode(o):\n    return {{{', '.join(items)}}}\n"
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<record encoder {cls.__name__}>", "exec"), env, namespace)  # noqa: S102 - our source
    finally:
        _COMPILING.discard(cls)
    _ENCODERS[cls] = namespace["encode"]
    return _ENCODERS[cls]


_COMPILING: set[type] = set()  # classes whose encoder is being generated (a self-referencing model stays lazy)


def _encode_expr(tp: Any, expr: str, env: dict[str, Any]) -> str:
    """A Python expression turning `expr` (a value declared as `tp`) into its record form: inline for a value of the
    declared type, None for None where the type is optional, the helper (the generic walk) for anything else."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        encoded = _encode_expr(inner, expr, env)
        return encoded if encoded == expr else f"(None if {expr} is None else {encoded})"
    if origin is tuple:
        item = _encode_expr(typing.get_args(tp)[0], "v", env)
        return f"[{item} for v in {expr}]" if item != "v" else f"list({expr})"
    if dataclasses.is_dataclass(tp):
        name = tp.__name__  # type: ignore[union-attr]
        env[f"_cls_{name}"] = tp
        env[f"_enc_{name}"] = _nested_encoder(tp) if tp in _COMPILING else _encoder(tp)  # type: ignore[arg-type]
        return f"(_enc_{name}({expr}) if {expr}.__class__ is _cls_{name} else _any({expr}))"
    if tp is Decimal:
        return f"(format({expr}, 'f') if {expr}.__class__ is _Decimal else _money({expr}))"
    if tp is datetime:
        return f"({expr}.isoformat() if {expr}.__class__ is _datetime else _iso({expr}))"
    if isinstance(tp, type) and issubclass(tp, Enum):
        env[f"_enum_{tp.__name__}"] = tp
        return f"({expr}._value_ if {expr}.__class__ is _enum_{tp.__name__} else _enum({expr}))"
    return expr


def _nested_encoder(cls: type) -> Callable[[Any], Any]:
    def encode(value: Any) -> Any:
        return _encoder(cls)(value) if value.__class__ is cls else _to_value(value)

    return encode


def _money(value: Any) -> Any:
    return format(value, "f") if value.__class__ is Decimal else _to_value(value)


def _enum(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else _to_value(value)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else _to_value(value)


# --- record -> model --------------------------------------------------------------------------------------------
def from_record(stream: str, data: dict[str, Any]) -> Any:
    """Validate a record of `stream` against the canonical schema and convert it to the model.

    The fast path: the shipped schema compiled once (fastjsonschema), then the model's decoder compiled once. Any
    failure re-runs the record through jsonschema and the checked conversion, which name what is wrong exactly.

    Raises:
        RecordError: naming the stream, the record's key and the failing field path.
    """
    if stream not in STREAM_MODELS:
        raise RecordError(stream, None, None, f"unknown stream (expected one of {', '.join(STREAM_MODELS)})")
    try:
        _fast_validator(stream)(data)
        return _decoder(STREAM_MODELS[stream])(data)
    except Exception:  # anything odd: the checked path below decides, and names the field
        return _checked_from_record(stream, data)


def _checked_from_record(stream: str, data: dict[str, Any]) -> Any:
    key = _key_of(data)
    validator = _validator(stream)
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path) or None
        raise RecordError(stream, key, path, _short(error.message))
    return _convert(STREAM_MODELS[stream], data, stream, key, "")


def _decoder(cls: type, path: str = "") -> Callable[[dict[str, Any]], Any]:
    """The model decoder of a class, for records the schema has accepted: source generated once from the model,
    doing exactly what `_convert` does (Decimal, aware datetimes, enums, tuples, country and currency codes)."""
    found = _DECODERS.get(cls)
    if found is not None:
        return found
    env: dict[str, Any] = {"cls": cls, "_dec": _fast_decimal, "_dt": _fast_datetime, "_country": _fast_country,
                           "_currency": check_currency}
    lines = ["def decode(v):", "    kw = {}"]
    for f in dataclasses.fields(cls):
        expr = _decode_expr(_hints(cls)[f.name], "x", env, f.name, top=not path)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required:
            lines.append(f"    x = v[{f.name!r}]; kw[{f.name!r}] = {expr}")
        else:
            lines.append(f"    if {f.name!r} in v: x = v[{f.name!r}]; kw[{f.name!r}] = {expr}")
    lines.append("    return cls(**kw)")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines) + "\n", f"<record decoder {cls.__name__}>", "exec"), env, namespace)  # noqa: S102
    _DECODERS[cls] = namespace["decode"]
    return _DECODERS[cls]


def _decode_expr(tp: Any, expr: str, env: dict[str, Any], name: str, *, top: bool) -> str:
    """A Python expression turning `expr` (schema-valid JSON of type `tp`; helpers pass None through) into the model."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode_expr(inner, expr, env, name, top=top)
    if origin is tuple:
        item = _decode_expr(typing.get_args(tp)[0], "i", env, "", top=False)
        return f"tuple([{item} for i in {expr}])" if item != "i" else f"tuple({expr})"
    if dataclasses.is_dataclass(tp):
        fn = f"_dec_{tp.__name__}"  # type: ignore[union-attr]
        env[fn] = _none_or(_decoder(tp, path="nested"))  # type: ignore[arg-type]
        return f"{fn}({expr})"
    if tp is Decimal:
        return f"_dec({expr})"
    if tp is datetime:
        return f"_dt({expr})"
    if isinstance(tp, type) and issubclass(tp, Enum):
        env[f"_enum_{tp.__name__}"] = _none_or(tp)
        return f"_enum_{tp.__name__}({expr})"
    if name.endswith("country"):
        return f"_country({expr})"
    if top and name == "currency":
        return f"_currency({expr})"
    return expr


def _none_or(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else fn(value)

    return convert


def _fast_decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    result = Decimal(value.strip())
    if not result.is_finite():
        raise ValueError(value)
    return result


def _fast_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def _fast_country(value: str | None) -> str | None:
    if value is not None and value not in COUNTRIES:
        raise ValueError(value)
    return value


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


@cache
def _fast_validator(stream: str) -> Callable[[Any], Any]:
    """The shipped schema compiled to Python once (fastjsonschema): about 20x faster than jsonschema on an order;
    it only says yes or no here, jsonschema words the error (see `from_record`)."""
    return fastjsonschema.compile(load_schema(stream))


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
