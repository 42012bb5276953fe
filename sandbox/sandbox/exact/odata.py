"""Exact's OData v2 dialect of the one query engine (`sandbox.odata`): typed literals, Edm typing, values, dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import odata
from sandbox.odata import Call, Compare, Dialect, Field, Literal, Node, Token, equality_terms, fields_in, is_guid

__all__ = ["EXACT_TZ", "ExactDialect", "ODataError", "equality_terms", "evaluate", "fields_in", "format_datetime",
           "is_guid", "local_now", "norm_key", "parse_datetime", "parse_filter"]

EXACT_TZ = ZoneInfo("Europe/Amsterdam")
EPOCH = datetime(1970, 1, 1)  # naive: Exact's /Date(ms)/ counts local (CET) wall-clock time as if it were UTC
NUMERIC_TYPES = {"Edm.Double", "Edm.Decimal", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.Single"}
_DATE_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_TOKEN_RE = re.compile(
    r"(?P<ws>\s+)|(?P<string>'(?:[^']|'')*')|(?P<typed>[A-Za-z_]\w*'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[LlMmDdFf]?)|(?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)"
    r"|(?P<punct>[(),])"
)
_EDM_KINDS = {"Edm.String": "str", "Edm.Guid": "guid", "Edm.DateTime": "datetime", "Edm.Boolean": "bool"}
_FUNCTION_NAMES = ("substringof", "startswith", "endswith", "tolower", "toupper", "trim", "length")


class ODataError(ValueError):
    """A query option Exact would refuse with 400; the message is what Exact puts in error.message.value."""


# -- values -----------------------------------------------------------------------------------


def parse_datetime(text: str) -> datetime:
    """ISO-8601 date/datetime or /Date(ms)/ -> naive Exact-local (Europe/Amsterdam) datetime."""
    match = _DATE_RE.match(text)
    if match:
        return EPOCH + timedelta(milliseconds=int(match.group(1)))
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(EXACT_TZ).replace(tzinfo=None)
    return value


def format_datetime(value: datetime) -> str:
    """Exact's wire form: /Date(ms)/ of the local wall-clock time."""
    return f"/Date({int((value - EPOCH) / timedelta(milliseconds=1))})/"


def local_now(epoch_seconds: float) -> datetime:
    """The Exact-local (CET/CEST) wall-clock time for an epoch instant, naive and truncated to ms."""
    value = datetime.fromtimestamp(epoch_seconds, UTC).astimezone(EXACT_TZ).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def norm_key(value: Any) -> Any:
    """Index/equality key: strings compare case-insensitively (SQL Server's default collation)."""
    return value.lower() if isinstance(value, str) else value


# -- the dialect ------------------------------------------------------------------------------


class ExactDialect(Dialect):
    """OData v2 as Exact's WCF Data Services parse it: typed literals (guid'..', datetime'..', 1L), v2 functions,
    and static Edm typing of every comparison before the query runs, with WCF's error texts."""

    error = ODataError
    token_re = _TOKEN_RE
    functions = {name: odata.STRING_FUNCTIONS[name] for name in _FUNCTION_NAMES}

    def __init__(self, types: Mapping[str, str], type_name: str) -> None:
        self.types = types
        self.type_name = type_name

    def literal(self, token: Token, text: str) -> Literal:
        if token.kind == "number":
            return Literal("num", _to_number(token.text, token.pos, text))
        if token.kind == "typed":
            prefix, _, raw = token.text.partition("'")
            raw = raw[:-1].replace("''", "'")
            if prefix == "guid":
                if not is_guid(raw):
                    raise ODataError(f"Unrecognized 'Edm.Guid' literal 'guid'{raw}'' at '{token.pos}' in '{text}'.")
                return Literal("guid", raw.lower())
            if prefix == "datetime":
                try:
                    return Literal("datetime", parse_datetime(raw))
                except ValueError:
                    raise ODataError(f"Unrecognized 'Edm.DateTime' literal 'datetime'{raw}'' at '{token.pos}' in "
                                     f"'{text}'.") from None
            if prefix == "X":
                return Literal("str", raw)
            raise self.syntax(token.pos, text)
        return super().literal(token, text)

    def field(self, name: str, pos: int) -> Field:
        if name not in self.types:
            raise ODataError(f"No property '{name}' exists in type '{self.type_name}' at position {pos}.")
        return Field(name)

    def compare(self, op: str, left: Any, right: Any) -> bool:
        return super().compare(op, norm_key(left), norm_key(right))

    def unterminated(self, pos: int, text: str) -> ValueError:
        return ODataError(f"Unterminated string literal at position {pos} in '{text}'.")

    def arity(self, name: str, want: int, got: int) -> ValueError:
        return ODataError(f"No function signature for the function with name '{name}' matches the specified "
                          f"arguments. The function signatures considered are: {name}().")

    def order_field(self, name: str) -> None:
        if name not in self.types:
            raise ODataError(f"No property '{name}' exists in type '{self.type_name}'.")

    def bad_orderby(self, clause: str, words: list[str]) -> str:
        return f"No property '{words[0] if words else clause}' exists in type '{self.type_name}'."

    # -- static typing, as WCF Data Services does before running the query ----------------------
    def _kind(self, node: Node) -> str:
        if isinstance(node, Literal):
            return node.kind
        if isinstance(node, Field):
            edm = self.types[node.name]
            return "num" if edm in NUMERIC_TYPES else _EDM_KINDS.get(edm, "other")
        if isinstance(node, Call):
            return self.functions[node.name].kind
        return "bool"

    def _edm(self, node: Node) -> str:
        if isinstance(node, Field):
            return self.types[node.name]
        return {"str": "Edm.String", "guid": "Edm.Guid", "datetime": "Edm.DateTime", "num": "Edm.Int32",
                "bool": "Edm.Boolean", "null": "<null>"}.get(self._kind(node), "Edm.Object")

    def check(self, node: Node, text: str) -> None:
        conditions = list(odata.leaves(node))
        for leaf in conditions:
            if not isinstance(leaf, Compare):
                continue
            lk, rk = self._kind(leaf.left), self._kind(leaf.right)
            if "null" in (lk, rk) and leaf.op in ("eq", "ne"):
                continue
            if lk != rk or (lk == "bool" and leaf.op not in ("eq", "ne")) or lk == "other":
                raise ODataError(f"Operator '{leaf.op}' incompatible with operand types '{self._edm(leaf.left)}' "
                                 f"and '{self._edm(leaf.right)}' at position {leaf.pos}.")
        if any(self._kind(leaf) != "bool" for leaf in conditions):
            raise ODataError("Expression of type 'System.Boolean' expected at position 0.")


def _to_number(literal: str, pos: int, text: str) -> int | Decimal:
    body = literal.rstrip("LlMmDdFf")
    try:
        return int(body) if re.fullmatch(r"-?\d+", body) else Decimal(body)
    except (InvalidOperation, ValueError):
        raise ODataError(f"Syntax error at position {pos} in '{text}'.") from None


_EVALUATOR = ExactDialect({}, "")


def parse_filter(text: str, types: Mapping[str, str], type_name: str) -> Node:
    """Parse a $filter value against an entity's Edm types; raises ODataError as Exact's 400 would."""
    return odata.parse_filter(text, ExactDialect(types, type_name))


def evaluate(node: Node, row: Mapping[str, Any]) -> bool:
    """Whether an Exact row satisfies a parsed filter."""
    return odata.matches(node, row, _EVALUATOR)
