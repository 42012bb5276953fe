"""The one OData query engine of the stand-ins: `$filter` tokenizer, parser to a typed AST and evaluator, `$orderby`
and `$select`, with a `Dialect` per vendor (Exact's OData v2 in `sandbox.exact.odata`, eAccounting's v4 subset in
`sandbox.eaccounting.odata`).

Grammar (keywords lower case and case-sensitive, as in both OData versions):

    expr    := and_ ('or' and_)*
    and_    := unary ('and' unary)*
    unary   := 'not' unary | compare
    compare := primary [('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary]
    primary := '(' expr ')' | literal | function '(' expr (',' expr)* ')' | property path

Literals: 'text' ('' escapes a quote), numbers, true, false, null, and per dialect v2's typed literals
(guid'...', datetime'...', X'...', 1L, 1.5M) or v4's bare GUIDs and ISO date-times. What a dialect decides: the
literal forms and their values, the functions, how a property is read and checked, how two values compare, and
the error texts (each vendor's own 400 message).

Why hand-written: `odata-query` 0.10 (PyPI) parses only OData v4 and refuses Exact's v2 forms (substringof,
datetime'...', guid'...', 1L), measured; both dialects here share one tokenizer, parser and evaluator instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
KEYWORDS = (*COMPARISONS, "and", "or", "not")
Row = Mapping[str, Any]


# -- AST --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # string | typed | number | guid | datetime | name | ( | ) | , | end
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # str | num | bool | null | datetime | guid
    value: Any


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # a property path; '/' separates the parts


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # 'and' | 'or'
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


Node = Literal | Field | Call | Compare | BoolOp | Not


@dataclass(frozen=True, slots=True)
class Function:
    """A filter function: its arity, the kind it returns, and what it does on string arguments.
    A null argument gives null (value functions) or false (boolean functions), as SQL does."""

    arity: int
    kind: str  # 'bool' | 'str' | 'num'
    apply: Callable[..., Any]


STRING_FUNCTIONS: dict[str, Function] = {
    "startswith": Function(2, "bool", lambda s, p: s.casefold().startswith(p.casefold())),
    "endswith": Function(2, "bool", lambda s, p: s.casefold().endswith(p.casefold())),
    "tolower": Function(1, "str", str.lower),
    "toupper": Function(1, "str", str.upper),
    "trim": Function(1, "str", str.strip),
    "length": Function(1, "num", lambda s: Decimal(len(s))),
    "substringof": Function(2, "bool", lambda needle, s: needle.casefold() in s.casefold()),  # v2 argument order
    "contains": Function(2, "bool", lambda s, needle: needle.casefold() in s.casefold()),  # v4 argument order
}


# -- dialect ----------------------------------------------------------------------------------------------------


class Dialect:
    """The vendor-specific half of the engine. Subclasses set `error`, `token_re` and `functions`, and override
    the hooks whose behaviour differs; the defaults are the common ground of OData v2 and v4."""

    error: type[ValueError] = ValueError
    token_re: re.Pattern[str]
    functions: Mapping[str, Function] = {}

    # literal tokens -> values
    def literal(self, token: Token, text: str) -> Literal:
        if token.kind == "string":
            return Literal("str", token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            return Literal("num", Decimal(token.text))
        raise self.fail(f"Syntax error at position {token.pos} in '{text}'.")

    # properties
    def field(self, name: str, pos: int) -> Field:
        return Field(name)

    def read(self, row: Row, path: str) -> Any:
        return row.get(path)

    # static checks once the whole expression is parsed (v2 types it; v4 only refuses what cannot be a condition)
    def check(self, node: Node, text: str) -> None:
        return None

    # evaluation
    def compare(self, op: str, left: Any, right: Any) -> bool:
        if left is None or right is None:
            if op == "eq":
                return left is None and right is None
            if op == "ne":
                return not (left is None and right is None)
            return False  # SQL: an ordering comparison with NULL is never true
        if isinstance(left, str) and isinstance(right, str):
            left, right = left.casefold(), right.casefold()  # SQL Server's case-insensitive collation
        try:
            return bool(_OPS[op](left, right))
        except TypeError:
            raise self.fail(f"Operator '{op}' cannot compare these values") from None

    def coerce(self, value: Any, literal: Literal) -> tuple[Any, Any]:
        """A property value and the literal it is compared with, as comparable Python values."""
        return value, literal.value

    def condition(self, value: Any, text: str) -> bool:
        return value is True

    # error texts
    def fail(self, message: str) -> ValueError:
        return self.error(message)

    def syntax(self, pos: int, text: str) -> ValueError:
        return self.fail(f"Syntax error at position {pos} in '{text}'.")

    def expected(self, pos: int, text: str) -> ValueError:
        return self.fail(f"Expression expected at position {pos} in '{text}'.")

    def unknown_function(self, name: str, pos: int, text: str) -> ValueError:
        return self.fail(f"Unknown function '{name}' at position {pos} in '{text}'.")

    def arity(self, name: str, want: int, got: int) -> ValueError:
        return self.fail(f"Function '{name}' takes {want} argument(s), got {got}")

    def unterminated(self, pos: int, text: str) -> ValueError:
        return self.syntax(pos, text)

    # -- $orderby and $select ---------------------------------------------------------------------------------
    def order_field(self, name: str) -> None:
        """Raise when `name` cannot be sorted on (v2 checks the entity's properties; v4 checks the row)."""

    def parse_orderby(self, text: str | None) -> list[tuple[str, bool]]:
        """`"Name desc, Code"` -> [("Name", True), ("Code", False)] (True = descending)."""
        keys: list[tuple[str, bool]] = []
        for part in (text or "").split(","):
            words = part.split()
            if not words:
                continue
            if len(words) > 2 or not _PATH_RE.fullmatch(words[0]) or (
                    len(words) == 2 and words[1] not in ("asc", "desc")):
                raise self.fail(self.bad_orderby(part.strip(), words))
            self.order_field(words[0])
            keys.append((words[0], len(words) == 2 and words[1] == "desc"))
        return keys

    def bad_orderby(self, clause: str, words: list[str]) -> str:
        return f"Invalid $orderby clause '{clause}'"

    def sort(self, rows: Iterable[Row], keys: list[tuple[str, bool]]) -> list[Any]:
        """Stable multi-key sort: NULL first ascending (SQL Server), strings case-insensitively."""
        result = list(rows)
        for path, descending in reversed(keys):
            def key(row: Row, path: str = path) -> tuple[int, Any]:
                value = self.read(row, path)
                if value is None:
                    return (0, 0)
                return (1, value.casefold() if isinstance(value, str) else value)

            try:
                result.sort(key=key, reverse=descending)
            except TypeError:
                raise self.fail(f"Cannot order by '{path}'") from None
        return result


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}
_PATH_RE = re.compile(r"[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*")
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_GUID_RE = re.compile(rf"^{GUID}$")


def is_guid(value: Any) -> bool:
    """A hyphenated GUID in either case (both vendors' key and uuid format)."""
    return isinstance(value, str) and bool(_GUID_RE.match(value))


# -- tokenizer + parser -----------------------------------------------------------------------------------------


def tokenize(text: str, dialect: Dialect) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = dialect.token_re.match(text, pos)
        if match is None or match.lastgroup is None:
            if text[pos] == "'":
                raise dialect.unterminated(pos, text)
            raise dialect.syntax(pos, text)
        if match.lastgroup != "ws":
            kind = match.lastgroup if match.lastgroup != "punct" else match.group()
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class Parser:
    """Recursive descent over the tokens of one `$filter`; the dialect types literals and properties."""

    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.dialect = dialect
        self.tokens = tokenize(text, dialect)
        self.i = 0

    def parse(self) -> Node:
        if self.tokens[0].kind == "end":
            raise self.dialect.expected(0, self.text)
        node = self._or()
        if self.tokens[self.i].kind != "end":
            raise self.dialect.syntax(self.tokens[self.i].pos, self.text)
        self.dialect.check(node, self.text)
        return node

    def _word(self) -> str | None:
        token = self.tokens[self.i]
        return token.text if token.kind == "name" else None

    def _expect(self, kind: str) -> None:
        token = self.tokens[self.i]
        if token.kind != kind:
            raise self.dialect.syntax(token.pos, self.text)
        self.i += 1

    def _or(self) -> Node:
        parts = [self._and()]
        while self._word() == "or":
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def _and(self) -> Node:
        parts = [self._unary()]
        while self._word() == "and":
            self.i += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def _unary(self) -> Node:
        if self._word() == "not":
            self.i += 1
            return Not(self._unary())
        left = self._primary()
        word = self._word()
        if word in COMPARISONS:
            pos = self.tokens[self.i].pos
            self.i += 1
            return Compare(word, left, self._primary(), pos)
        return left

    def _primary(self) -> Node:
        token = self.tokens[self.i]
        if token.kind == "end":
            raise self.dialect.expected(token.pos, self.text)
        self.i += 1
        if token.kind == "(":
            node = self._or()
            self._expect(")")
            return node
        if token.kind != "name":
            if token.kind in (")", ","):
                raise self.dialect.syntax(token.pos, self.text)
            return self.dialect.literal(token, self.text)
        word = token.text
        if word in ("true", "false"):
            return Literal("bool", word == "true")
        if word == "null":
            return Literal("null", None)
        if word in KEYWORDS:
            raise self.dialect.expected(token.pos, self.text)
        if self.tokens[self.i].kind == "(":
            return self._call(word, token.pos)
        return self.dialect.field(word, token.pos)

    def _call(self, name: str, pos: int) -> Call:
        function = self.dialect.functions.get(name)
        if function is None:
            raise self.dialect.unknown_function(name, pos, self.text)
        self.i += 1
        args = [self._or()]
        while self.tokens[self.i].kind == ",":
            self.i += 1
            args.append(self._or())
        self._expect(")")
        if len(args) != function.arity:
            raise self.dialect.arity(name, function.arity, len(args))
        return Call(name, tuple(args))


def parse_filter(text: str, dialect: Dialect) -> Node:
    """Parse one `$filter` value; raises the dialect's error with the vendor's 400 text."""
    return Parser(text, dialect).parse()


# -- evaluation -------------------------------------------------------------------------------------------------


def matches(node: Node, row: Row, dialect: Dialect, text: str = "") -> bool:
    """Whether `row` satisfies the parsed filter."""
    return dialect.condition(_eval(node, row, dialect, text), text)


def _eval(node: Node, row: Row, dialect: Dialect, text: str) -> Any:
    if isinstance(node, Literal):
        return node
    if isinstance(node, Field):
        return dialect.read(row, node.name)
    if isinstance(node, BoolOp):
        parts = (dialect.condition(_eval(p, row, dialect, text), text) for p in node.parts)
        return all(parts) if node.op == "and" else any(parts)
    if isinstance(node, Not):
        return not dialect.condition(_eval(node.operand, row, dialect, text), text)
    if isinstance(node, Compare):
        left, right = _eval(node.left, row, dialect, text), _eval(node.right, row, dialect, text)
        if isinstance(right, Literal):
            left, right = (left.value, right.value) if isinstance(left, Literal) else dialect.coerce(left, right)
        elif isinstance(left, Literal):
            right, left = dialect.coerce(right, left)
        return dialect.compare(node.op, left, right)
    function = dialect.functions[node.name]
    args = [_plain(_eval(a, row, dialect, text)) for a in node.args]
    if any(a is None for a in args):
        return False if function.kind == "bool" else None
    if not all(isinstance(a, str) for a in args):
        raise dialect.fail(f"Function '{node.name}' needs string arguments")
    return function.apply(*args)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Literal) else value


def leaves(node: Node) -> Iterator[Node]:
    """The conditions joined by `and`/`or`/`not`, left to right: what a dialect types or refuses one by one."""
    if isinstance(node, BoolOp):
        for part in node.parts:
            yield from leaves(part)
    elif isinstance(node, Not):
        yield from leaves(node.operand)
    else:
        yield node


def fields_in(node: Node) -> set[str]:
    """Every property path the filter reads."""
    if isinstance(node, Field):
        return {node.name}
    if isinstance(node, Compare):
        return fields_in(node.left) | fields_in(node.right)
    if isinstance(node, BoolOp):
        return set().union(*(fields_in(p) for p in node.parts))
    if isinstance(node, Not):
        return fields_in(node.operand)
    if isinstance(node, Call):
        return set().union(*(fields_in(a) for a in node.args))
    return set()


def equality_terms(node: Node) -> list[tuple[str, Any]] | None:
    """Index hint: the (property, value) pairs whose union contains every match, or None when a scan is needed.

    `A eq x` gives [(A, x)]; `or` of such terms unions them; `and` picks its most selective indexable part.
    """
    if isinstance(node, Compare) and node.op == "eq":
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if isinstance(a, Field) and isinstance(b, Literal) and b.kind != "null":
                return [(a.name, b.value)]
        return None
    if isinstance(node, BoolOp) and node.op == "or":
        terms: list[tuple[str, Any]] = []
        for part in node.parts:
            sub = equality_terms(part)
            if sub is None:
                return None
            terms.extend(sub)
        return terms
    if isinstance(node, BoolOp) and node.op == "and":
        options = [t for t in (equality_terms(p) for p in node.parts) if t is not None]
        return min(options, key=len) if options else None
    return None
