"""Exact's contract: the entities of data/exact_fields.json (allowlists, Edm types, writability), payload
validation and wire <-> Python coercion, Exact's error envelope and its texts, and the Atom XML answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from sandbox.core import ApiError, Request, Response, json_response
from sandbox.exact.odata import format_datetime, is_guid, parse_datetime

FIELDS_FILE = Path(__file__).resolve().parent.parent / "data" / "exact_fields.json"
_INT_TYPES = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte"}
_CLR = {"Edm.Double": "System.Double", "Edm.Int16": "System.Int16", "Edm.Int32": "System.Int32",
        "Edm.Int64": "System.Int64", "Edm.Byte": "System.Byte", "Edm.Guid": "System.Guid",
        "Edm.DateTime": "System.DateTime", "Edm.Boolean": "System.Boolean", "Edm.String": "System.String"}
# type names in __metadata and in error texts, as Exact prints them
TYPE_NAMES = {"Me": "Exact.Web.Api.Models.System.Me", "VATCode": "Exact.Web.Api.Models.VATCode"}
LABELS = {"Name": "Naam", "Description": "Omschrijving", "Journal": "Dagboek", "OrderedBy": "Besteld door",
          "Customer": "Klant", "Item": "Artikel", "GLAccount": "Grootboekrekening", "AmountFC": "Bedrag",
          "Account": "Relatie", "SalesInvoiceLines": "Regels", "SalesOrderLines": "Regels",
          "SalesEntryLines": "Regels", "InvoiceID": "Factuur", "OrderID": "Order", "EntryID": "Boeking",
          "DeliveryDate": "Leverdatum", "GoodsDeliveryLines": "Regels", "SalesOrderLineID": "Verkooporderregel",
          "QuantityDelivered": "Geleverd"}
TOP_LEVEL_ERROR = "Error processing request stream. The request should be a valid top-level resource object."


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


# -- errors: the envelope and the texts ----------------------------------------------------------------------------


def exact_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """{"error":{"code":"","message":{"lang":"","value":"…"}}} with the given status (reference §3 Errors)."""
    return json_response({"error": {"code": "", "message": {"lang": "", "value": message}}}, status, headers)


class ExactError(ApiError):
    """Raised inside a handler; becomes `exact_error(status, message)`.

    Status 400 is for requests Exact cannot parse (unknown property, bad $filter, bad JSON); business validation
    (mandatory field, unknown reference, duplicate code) comes back as 500, as Exact does (reference §3).
    """

    def response(self) -> Response:
        return exact_error(self.status, self.message, self.headers)


def bad_request(message: str) -> ExactError:
    return ExactError(400, message)


def business(message: str) -> ExactError:
    return ExactError(500, message)


def mandatory(field: str) -> ExactError:
    return business(f"Verplicht: {LABELS.get(field, field)}")


def require(values: dict[str, Any], fields: Iterable[str]) -> None:
    """Exact's "Verplicht: <veld>" for the first of `fields` a payload leaves out or empty."""
    for field in fields:
        if values.get(field) in (None, "", []):
            raise mandatory(field)


def invalid_reference(what: str) -> ExactError:
    return business(f"Ongeldige referentie: {what}")


def not_allowed(method: str) -> Response:
    return exact_error(405, f"The requested resource does not support http method '{method}'.")


# -- payloads and values ---------------------------------------------------------------------------------------


def _integer(value: Any) -> int:
    number = Decimal(str(value))
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _flat(value: Any) -> bool:
    return not isinstance(value, dict | list)


# Edm type -> (which JSON values a payload may send, the stored Python value); a bool is never a number
_COERCE: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    **dict.fromkeys(("Edm.Double", "Edm.Decimal", "Edm.Single"), (
        lambda v: isinstance(v, int | Decimal | str) and not isinstance(v, bool), lambda v: Decimal(str(v)))),
    **dict.fromkeys(_INT_TYPES, (lambda v: not isinstance(v, bool), _integer)),
    "Edm.Boolean": (lambda v: isinstance(v, bool), lambda v: v),
    "Edm.Guid": (is_guid, str.lower),
    "Edm.DateTime": (lambda v: isinstance(v, str), parse_datetime),
    "Collection": (lambda v: True, lambda v: v),
}


def coerce(spec: EntitySpec, field: str, value: Any) -> Any:
    """A JSON payload value -> the stored Python value (Decimal, int, bool, datetime, lower-case guid, str)."""
    if value is None:
        return None
    edm = spec.edm(field)
    accepts, convert = _COERCE.get(edm, (_flat, str))
    try:
        if not accepts(value):
            raise ValueError(value)
        return convert(value)
    except (ValueError, InvalidOperation, TypeError):
        raise conversion_error(field, edm) from None


def conversion_error(field: str, edm: str) -> ExactError:
    return bad_request("Error processing request stream. Error encountered in converting the value from request "
                       f"payload for property '{field}' to type '{_CLR.get(edm, edm)}', which is the property's "
                       "type. See inner exception for more detail.")


def unknown_property(field: str, spec: EntitySpec) -> ExactError:
    return bad_request(f"Error processing request stream. The property name '{field}' specified for type "
                       f"'{spec.type_name}' is not valid.")


def accept(spec: EntitySpec, body: Any, *, post: bool) -> dict[str, Any]:
    """Payload -> stored values. Unknown property -> 400; read-only properties are ignored (not applied)."""
    if not isinstance(body, dict):
        raise bad_request(TOP_LEVEL_ERROR)
    writable = spec.writable_post if post else spec.writable_put
    if spec.name == "PrintedSalesInvoice":
        writable = writable | {spec.key}  # its key is the invoice to print
    out: dict[str, Any] = {}
    for field, value in body.items():
        if field == "__metadata":
            continue
        if field not in spec.types:
            raise unknown_property(field, spec)
        if field not in writable:
            continue
        if spec.edm(field) == "Collection" and value is not None and not (
                isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            raise bad_request(TOP_LEVEL_ERROR)
        out[field] = coerce(spec, field, value)
    return out


def to_wire(value: Any) -> Any:
    """Stored value -> JSON value (Edm.Double as a JSON number, dates as /Date(ms)/)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


# -- content negotiation: Atom XML unless JSON is asked for ------------------------------------------------------


def negotiate(req: Request, resp: Response) -> Response:
    """Exact answers XML unless the client asks for JSON (reference §3): a GET without
    `Accept: application/json` gets an Atom feed of the same data."""
    if req.method != "GET" or resp.status != 200 or not isinstance(resp.body, dict):
        return resp
    if "json" in (req.header("accept") or "").lower():
        return resp
    d = resp.body.get("d", {})
    rows = d.get("results", [d]) if isinstance(d, dict) else []
    entries = "".join(f"<entry><content type=\"application/xml\"><m:properties>{_xml_props(row)}</m:properties>"
                      "</content></entry>" for row in rows)
    text = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" '
            f'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">{entries}</feed>')
    return Response(200, text, {**resp.headers, "Content-Type": "application/atom+xml;type=feed;charset=utf-8"})


def _xml_props(row: dict[str, Any]) -> str:
    parts = []
    for name, value in row.items():
        if name == "__metadata" or isinstance(value, dict):
            continue
        if value is None:
            parts.append(f'<d:{name} m:null="true" />')
        else:
            parts.append(f"<d:{name}>{xml_escape(str(value))}</d:{name}>")
    return "".join(parts)
