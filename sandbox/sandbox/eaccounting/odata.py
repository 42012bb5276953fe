"""eAccounting's OData v4 subset of the one query engine (`sandbox.odata`) for `$filter`, `$orderby`, `$select`.

Literals as OData v4 writes them: 'text', 123, 1.5, true, false, null, bare ISO date-times
(2016-12-31T23:59:59.00Z) and bare GUIDs. Functions: contains, startswith, endswith, tolower, toupper, length.
String comparison is case-insensitive (eAccounting runs on SQL Server with a case-insensitive collation: an
interpretation, not documented). Types are checked against the values of the entity being compared, property
paths (`a/b`) are followed, and lambda operators (`Rows/any(...)`) are not supported: each gives a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox import odata
from sandbox.core import parse_iso as _parse_datetime  # the name the dialect tests read
from sandbox.odata import Compare, Dialect, Literal, Node, Token

Entity = dict[str, Any]
Predicate = Callable[[Entity], bool]

_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
_TOKEN_RE = re.compile(
    rf"(?P<ws>\s+)|(?P<guid>{odata.GUID})(?![\w-])|(?P<datetime>{_DATETIME})(?![\w.:-])|(?P<number>-?\d+(?:\.\d+)?)(?![\w.])"
    r"|(?P<string>'(?:[^']|'')*')|(?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)|(?P<punct>[(),])"
)
_FUNCTION_NAMES = ("contains", "startswith", "endswith", "tolower", "toupper", "length")


class QueryError(ValueError):
    """A `$filter`/`$orderby`/`$select` the API cannot parse or evaluate (ErrorCode 6000, HTTP 400)."""


def _incompatible(value: Any, edm: str) -> QueryError:
    return QueryError(f"A binary operator with incompatible types was detected: '{type(value).__name__}' and '{edm}'")


class EaccountingDialect(Dialect):
    error = QueryError
    token_re = _TOKEN_RE
    functions = {name: odata.STRING_FUNCTIONS[name] for name in _FUNCTION_NAMES}

    def literal(self, token: Token, text: str) -> Literal:
        if token.kind == "guid":
            return Literal("guid", token.text.lower())
        if token.kind == "datetime":
            try:
                return Literal("datetime", _parse_datetime(token.text))
            except ValueError as exc:
                raise QueryError(f"Invalid datetime literal '{token.text}'") from exc
        return super().literal(token, text)

    def read(self, row: odata.Row, path: str) -> Any:
        value: Any = row
        for part in path.split("/"):
            if not isinstance(value, dict):
                return None
            if part not in value:
                raise QueryError(f"Could not find a property named '{part}'")
            value = value[part]
        return value

    def coerce(self, value: Any, literal: Literal) -> tuple[Any, Any]:
        if literal.kind == "null" or value is None:
            return value, literal.value
        if literal.kind in ("str", "guid"):
            if not isinstance(value, str):
                raise _incompatible(value, "Edm.String")
            return value, str(literal.value)
        if literal.kind == "num":
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise _incompatible(value, "Edm.Decimal")
            return Decimal(value), literal.value
        if literal.kind == "bool":
            if not isinstance(value, bool):
                raise _incompatible(value, "Edm.Boolean")
            return value, literal.value
        if not isinstance(value, str):  # datetime
            raise _incompatible(value, "Edm.DateTimeOffset")
        try:
            return _parse_datetime(value), literal.value
        except ValueError as exc:
            raise QueryError(f"Value '{value}' is not a datetime") from exc

    def condition(self, value: Any, text: str) -> bool:
        if not isinstance(value, bool):
            raise QueryError(f"Syntax error in '{text}': the expression is not a boolean")
        return value

    def check(self, node: Node, text: str) -> None:
        """A literal is not a condition, and neither is a comparison of two literals (`'a' eq 'a'`)."""
        for leaf in odata.leaves(node):
            if isinstance(leaf, Literal) or (
                    isinstance(leaf, Compare) and isinstance(leaf.left, Literal) and isinstance(leaf.right, Literal)):
                raise QueryError(f"Syntax error in '{text}': a literal is not a condition")

    def unknown_function(self, name: str, pos: int, text: str) -> ValueError:
        if name.endswith(("/any", "/all")):
            return QueryError(f"Lambda operators are not supported: '{name}'")
        return QueryError(f"Unknown function '{name}'")

    def sort(self, rows: Any, keys: list[tuple[str, bool]]) -> list[Any]:
        for row in rows:
            for path, _ in keys:
                if not isinstance(self.read(row, path), str | bool | int | Decimal | None):
                    raise QueryError(f"Cannot order by '{path}'")
        return super().sort(rows, keys)


DIALECT = EaccountingDialect()


def compile_filter(text: str) -> Predicate:
    """Parse a `$filter` expression once and return a predicate over entity dicts."""
    if not text.strip():
        raise QueryError("The $filter parameter is empty")
    node = odata.parse_filter(text, DIALECT)
    return lambda entity: odata.matches(node, entity, DIALECT, text)


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    """`"Name desc, CustomerNumber"` -> [("Name", True), ("CustomerNumber", False)] (True = descending)."""
    blank = next((part for part in text.split(",") if not part.strip()), None)
    if blank is not None:
        raise QueryError(f"Invalid $orderby clause '{blank.strip()}'")
    return DIALECT.parse_orderby(text)


def sort_entities(items: list[Entity], keys: list[tuple[str, bool]]) -> list[Entity]:
    """Stable multi-key sort; NULL sorts first ascending (SQL Server), strings case-insensitively."""
    return DIALECT.sort(items, keys)


def parse_select(text: str) -> list[str]:
    """`"Id,Name"` -> ["Id", "Name"]."""
    names = [n.strip() for n in text.split(",")]
    if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
        raise QueryError(f"Invalid $select '{text}'")
    return names
