"""The OData subset eAccounting documents for `$filter`, `$orderby` and `$select`: tokenizer, recursive descent, eval.

Grammar (keywords case-sensitive, as OData v4):

    expr    := and_ ('or' and_)*
    and_    := unary ('and' unary)*
    unary   := 'not' unary | '(' expr ')' | compare
    compare := operand [('eq'|'ne'|'gt'|'ge'|'lt'|'le') operand]
    operand := literal | Path | func '(' args ')'
    literal := 'str' ('' escapes a quote) | 123 | 1.5 | true | false | null | 2016-12-31T23:59:59.00Z | <guid>
    func    := contains | startswith | endswith | tolower | toupper | length

String comparison is case-insensitive (eAccounting runs on SQL Server with a case-insensitive collation: an
interpretation, not documented). Lambda operators (`Rows/any(...)`) are not supported and give a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Entity = dict[str, Any]
Getter = Callable[[Entity], Any]
Predicate = Callable[[Entity], bool]

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
BOOL_FUNCTIONS = ("contains", "startswith", "endswith")
VALUE_FUNCTIONS = ("tolower", "toupper", "length")
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
_TOKEN = re.compile(
    rf"(?P<ws>\s+)|(?P<guid>{_GUID})(?![\w-])|(?P<datetime>{_DATETIME})(?![\w.:-])|(?P<number>-?\d+(?:\.\d+)?)(?![\w.])"
    r"|(?P<string>'(?:[^']|'')*')|(?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)|(?P<punct>[(),])"
)


class QueryError(ValueError):
    """A `$filter`/`$orderby`/`$select` the API cannot parse or evaluate (ErrorCode 6000, HTTP 400)."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # guid | datetime | number | string | name | punct | end
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Literal:
    """A typed literal: `kind` is one of string, number, bool, null, datetime, guid."""

    kind: str
    value: Any


def tokenize(text: str) -> list[Token]:
    """Split a filter into tokens; anything the grammar does not know (e.g. an unterminated quote) is an error."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            snippet = text[pos:pos + 10]
            raise QueryError(f"Syntax error at position {pos} in '{text}': unexpected '{snippet}'")
        if match.lastgroup != "ws":
            tokens.append(Token(match.lastgroup, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _parse_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _literal(token: Token) -> Literal:
    if token.kind == "string":
        return Literal("string", token.text[1:-1].replace("''", "'"))
    if token.kind == "number":
        return Literal("number", Decimal(token.text))
    if token.kind == "guid":
        return Literal("guid", token.text.lower())
    if token.kind == "datetime":
        try:
            return Literal("datetime", _parse_datetime(token.text))
        except ValueError as exc:
            raise QueryError(f"Invalid datetime literal '{token.text}'") from exc
    raise AssertionError(token.kind)


def _resolve(entity: Entity, path: str) -> Any:
    value: Any = entity
    for part in path.split("/"):
        if not isinstance(value, dict):
            return None
        if part not in value:
            raise QueryError(f"Could not find a property named '{part}'")
        value = value[part]
    return value


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    """Bring a field value and a literal to comparable Python values (case-insensitive strings)."""
    if isinstance(right, Literal):
        left, right = _coerce_literal(left, right)
        return left, right
    if isinstance(left, Literal):
        right, left = _coerce_literal(right, left)
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    return left, right


def _coerce_literal(value: Any, lit: Literal) -> tuple[Any, Any]:
    if lit.kind == "null" or value is None:
        return value, lit.value
    if lit.kind in ("string", "guid"):
        if not isinstance(value, str):
            raise QueryError(f"A binary operator with incompatible types was detected: '{type(value).__name__}' "
                             f"and 'Edm.String' ('{lit.value}')")
        return value.casefold(), str(lit.value).casefold()
    if lit.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise QueryError(f"A binary operator with incompatible types was detected: '{type(value).__name__}' "
                             f"and 'Edm.Decimal' ({lit.value})")
        return Decimal(value), lit.value
    if lit.kind == "bool":
        if not isinstance(value, bool):
            raise QueryError(f"A binary operator with incompatible types was detected: '{type(value).__name__}' "
                             "and 'Edm.Boolean'")
        return value, lit.value
    if lit.kind == "datetime":
        if not isinstance(value, str):
            raise QueryError("A binary operator with incompatible types was detected: 'Edm.DateTimeOffset'")
        try:
            return _parse_datetime(value), lit.value
        except ValueError as exc:
            raise QueryError(f"Value '{value}' is not a datetime") from exc
    raise AssertionError(lit.kind)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False  # SQL semantics: an ordering comparison with NULL is never true
    try:
        if op == "gt":
            return bool(left > right)
        if op == "ge":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        return bool(left <= right)
    except TypeError as exc:
        raise QueryError(f"Operator '{op}' cannot compare these values") from exc


class _Parser:
    """Recursive descent over the token list; builds closures so a filter is parsed once per request."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise QueryError(f"Syntax error at position {token.pos} in '{self.text}': expected '{text}'")

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "name" and token.text in words

    def parse(self) -> Predicate:
        predicate = self.or_()
        if self.peek().kind != "end":
            token = self.peek()
            raise QueryError(f"Syntax error at position {token.pos} in '{self.text}': unexpected '{token.text}'")
        return predicate

    def or_(self) -> Predicate:
        parts = [self.and_()]
        while self.is_word("or"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else (lambda e: any(p(e) for p in parts))

    def and_(self) -> Predicate:
        parts = [self.unary()]
        while self.is_word("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda e: all(p(e) for p in parts))

    def unary(self) -> Predicate:
        if self.is_word("not"):
            self.take()
            inner = self.unary()
            return lambda e: not inner(e)
        if self.peek().text == "(":
            self.take()
            inner = self.or_()
            self.expect(")")
            return inner
        return self.compare()

    def compare(self) -> Predicate:
        left = self.operand()
        if self.is_word(*COMPARISONS):
            op = self.take().text
            right = self.operand()
            fast = _string_equality(left, op, right)
            if fast is not None:
                return fast
            return lambda e: _compare(op, *_coerce(_value(left, e), _value(right, e)))
        if isinstance(left, Literal):
            raise QueryError(f"Syntax error in '{self.text}': a literal is not a condition")

        def truthy(e: Entity) -> bool:
            value = _value(left, e)
            if not isinstance(value, bool):
                raise QueryError(f"Syntax error in '{self.text}': the expression is not a boolean")
            return value

        return truthy

    def operand(self) -> Literal | Getter:
        token = self.take()
        if token.kind in ("string", "number", "guid", "datetime"):
            return _literal(token)
        if token.kind != "name":
            raise QueryError(f"Syntax error at position {token.pos} in '{self.text}': unexpected '{token.text}'")
        if token.text in ("true", "false"):
            return Literal("bool", token.text == "true")
        if token.text == "null":
            return Literal("null", None)
        if token.text in COMPARISONS or token.text in ("and", "or", "not"):
            raise QueryError(f"Syntax error at position {token.pos} in '{self.text}': unexpected '{token.text}'")
        if self.peek().text == "(":
            return self.function(token)
        if token.text.endswith(("/any", "/all")):
            raise QueryError(f"Lambda operators are not supported: '{token.text}'")
        return _PathGetter(token.text)

    def function(self, name: Token) -> Getter:
        fn = name.text
        if fn.endswith(("/any", "/all")):
            raise QueryError(f"Lambda operators are not supported by this sandbox: '{fn}'")
        if fn not in BOOL_FUNCTIONS + VALUE_FUNCTIONS:
            raise QueryError(f"Unknown function '{fn}'")
        self.expect("(")
        args = [self.operand()]
        while self.peek().text == ",":
            self.take()
            args.append(self.operand())
        self.expect(")")
        want = 2 if fn in BOOL_FUNCTIONS else 1
        if len(args) != want:
            raise QueryError(f"Function '{fn}' takes {want} argument(s), got {len(args)}")
        if fn in BOOL_FUNCTIONS:
            haystack, needle = args

            def search(e: Entity) -> bool:
                h, n = _value(haystack, e), _value(needle, e)
                if isinstance(h, Literal) or isinstance(n, Literal):
                    h = h.value if isinstance(h, Literal) else h
                    n = n.value if isinstance(n, Literal) else n
                if h is None or n is None:
                    return False
                if not isinstance(h, str) or not isinstance(n, str):
                    raise QueryError(f"Function '{fn}' needs string arguments")
                h, n = h.casefold(), n.casefold()
                return n in h if fn == "contains" else h.startswith(n) if fn == "startswith" else h.endswith(n)

            return search
        (arg,) = args

        def transform(e: Entity) -> Any:
            v = _value(arg, e)
            v = v.value if isinstance(v, Literal) else v
            if v is None:
                return None
            if not isinstance(v, str):
                raise QueryError(f"Function '{fn}' needs a string argument")
            return Decimal(len(v)) if fn == "length" else v.lower() if fn == "tolower" else v.upper()

        return transform


def _string_equality(left: Literal | Getter, op: str, right: Literal | Getter) -> Predicate | None:
    """Fast path for the lookups connectors make (`Field eq 'value'`): same semantics, no per-row coercion."""
    if op not in ("eq", "ne") or isinstance(left, Literal) or not isinstance(right, Literal):
        return None
    if right.kind not in ("string", "guid"):
        return None
    path = getattr(left, "path", None)
    if path is None or "/" in path:
        return None
    wanted = str(right.value).casefold()
    equal = op == "eq"

    def predicate(e: Entity) -> bool:
        try:
            value = e[path]
        except KeyError as exc:
            raise QueryError(f"Could not find a property named '{path}'") from exc
        if value is None:
            return not equal
        if not isinstance(value, str):
            raise QueryError(f"A binary operator with incompatible types was detected: '{type(value).__name__}' "
                             f"and 'Edm.String' ('{right.value}')")
        return (value.casefold() == wanted) == equal

    return predicate


class _PathGetter:
    """Reads a property path of an entity; callable like any other Getter, and exposes `path`."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, entity: Entity) -> Any:
        return _resolve(entity, self.path)


def _value(operand: Literal | Getter, entity: Entity) -> Any:
    return operand if isinstance(operand, Literal) else operand(entity)


def compile_filter(text: str) -> Predicate:
    """Parse a `$filter` expression once and return a predicate over entity dicts."""
    if not text.strip():
        raise QueryError("The $filter parameter is empty")
    return _Parser(text).parse()


def parse_orderby(text: str) -> list[tuple[str, bool]]:
    """`"Name desc, CustomerNumber"` -> [("Name", True), ("CustomerNumber", False)] (True = descending)."""
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or not re.fullmatch(r"[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*", words[0]):
            raise QueryError(f"Invalid $orderby clause '{part.strip()}'")
        if len(words) == 2 and words[1] not in ("asc", "desc"):
            raise QueryError(f"Invalid sort direction '{words[1]}' in $orderby")
        keys.append((words[0], len(words) == 2 and words[1] == "desc"))
    return keys


def sort_entities(items: list[Entity], keys: list[tuple[str, bool]]) -> list[Entity]:
    """Stable multi-key sort; NULL sorts first ascending (SQL Server), strings case-insensitively."""
    result = list(items)
    for path, descending in reversed(keys):
        def key(e: Entity, path: str = path) -> tuple[int, Any]:
            value = _resolve(e, path)
            if value is None:
                return (0, 0)
            if isinstance(value, str):
                return (1, value.casefold())
            if isinstance(value, bool | int | Decimal):
                return (2, Decimal(value))
            raise QueryError(f"Cannot order by '{path}'")

        try:
            result.sort(key=key, reverse=descending)
        except (TypeError, InvalidOperation) as exc:
            raise QueryError(f"Cannot order by '{path}'") from exc
    return result


def parse_select(text: str) -> list[str]:
    """`"Id,Name"` -> ["Id", "Name"]."""
    names = [n.strip() for n in text.split(",")]
    if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
        raise QueryError(f"Invalid $select '{text}'")
    return names
