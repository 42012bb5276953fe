"""OData v2 subset of the Exact stand-in: $filter tokenizer + recursive-descent parser + evaluator, values, dates."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

EXACT_TZ = ZoneInfo("Europe/Amsterdam")
EPOCH = datetime(1970, 1, 1)  # naive: Exact's /Date(ms)/ counts local (CET) wall-clock time as if it were UTC
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
NUMERIC_TYPES = {"Edm.Double", "Edm.Decimal", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.Single"}
_DATE_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?[LlMmDdFf]?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*")
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
FUNCTIONS = {"substringof": 2, "startswith": 2, "endswith": 2, "tolower": 1, "toupper": 1, "trim": 1, "length": 1}


class ODataError(ValueError):
    """A query option Exact would refuse with 400; the message is what Exact puts in error.message.value."""


# -- values -----------------------------------------------------------------------------------


def is_guid(text: str) -> bool:
    return bool(_GUID_RE.match(text))


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


# -- tokenizer --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # 'str', 'guid', 'datetime', 'num', 'ident', '(', ')', ','
    value: Any
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch == "'":
            start = i
            value, i = _read_string(text, i)
            tokens.append(Token("str", value, start))
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            match = _NUMBER_RE.match(text, i)
            assert match is not None
            tokens.append(Token("num", _to_number(match.group(0), i), i))
            i = match.end()
        else:
            match = _IDENT_RE.match(text, i)
            if not match:
                raise ODataError(f"Syntax error: character '{ch}' is not valid at position {i} in '{text}'.")
            word, start, i = match.group(0), i, match.end()
            if i < n and text[i] == "'":
                raw, i = _read_string(text, i)
                tokens.append(_typed_literal(word, raw, start, text))
            else:
                tokens.append(Token("ident", word, start))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Read a '...' literal starting at the quote; '' is an escaped quote. Returns (value, index after)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        if text[i] == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    raise ODataError(f"Unterminated string literal at position {start} in '{text}'.")


def _typed_literal(prefix: str, raw: str, pos: int, text: str) -> Token:
    if prefix == "guid":
        if not is_guid(raw):
            raise ODataError(f"Unrecognized 'Edm.Guid' literal 'guid'{raw}'' at '{pos}' in '{text}'.")
        return Token("guid", raw.lower(), pos)
    if prefix == "datetime":
        try:
            return Token("datetime", parse_datetime(raw), pos)
        except ValueError:
            raise ODataError(f"Unrecognized 'Edm.DateTime' literal 'datetime'{raw}'' at '{pos}' in '{text}'.") from None
    if prefix == "X":
        return Token("str", raw, pos)
    raise ODataError(f"Syntax error at position {pos} in '{text}'.")


def _to_number(literal: str, pos: int) -> int | Decimal:
    body = literal.rstrip("LlMmDdFf")
    try:
        if re.fullmatch(r"-?\d+", body):
            return int(body)
        return Decimal(body)
    except (InvalidOperation, ValueError):
        raise ODataError(f"Syntax error at position {pos}.") from None


# -- AST + parser -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # 'str', 'guid', 'datetime', 'num', 'bool', 'null'
    value: Any


@dataclass(frozen=True, slots=True)
class Field:
    name: str


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


class Parser:
    """expr := and ('or' and)* ; and := unary ('and' unary)* ; unary := 'not' unary | cmp ;
    cmp := primary (op primary)? ; primary := '(' expr ')' | literal | func '(' args ')' | field."""

    def __init__(self, text: str, types: Mapping[str, str], type_name: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.types = types
        self.type_name = type_name

    def parse(self) -> Node:
        if not self.tokens:
            raise ODataError("Expression expected at position 0 in ''.")
        node = self._or()
        if self.i < len(self.tokens):
            raise ODataError(f"Syntax error at position {self.tokens[self.i].pos} in '{self.text}'.")
        self._check_boolean(node)
        return node

    def _peek_word(self) -> str | None:
        if self.i < len(self.tokens) and self.tokens[self.i].kind == "ident":
            return str(self.tokens[self.i].value)
        return None

    def _expect(self, kind: str) -> Token:
        if self.i >= len(self.tokens) or self.tokens[self.i].kind != kind:
            pos = self.tokens[self.i].pos if self.i < len(self.tokens) else len(self.text)
            raise ODataError(f"Syntax error at position {pos} in '{self.text}'.")
        self.i += 1
        return self.tokens[self.i - 1]

    def _or(self) -> Node:
        parts = [self._and()]
        while self._peek_word() == "or":
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def _and(self) -> Node:
        parts = [self._unary()]
        while self._peek_word() == "and":
            self.i += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def _unary(self) -> Node:
        if self._peek_word() == "not":
            self.i += 1
            return Not(self._unary())
        return self._compare()

    def _compare(self) -> Node:
        left = self._primary()
        word = self._peek_word()
        if word in COMPARISONS:
            pos = self.tokens[self.i].pos
            self.i += 1
            right = self._primary()
            self._check_types(word, left, right, pos)
            return Compare(word, left, right, pos)
        return left

    def _primary(self) -> Node:
        if self.i >= len(self.tokens):
            raise ODataError(f"Expression expected at position {len(self.text)} in '{self.text}'.")
        tok = self.tokens[self.i]
        if tok.kind == "(":
            self.i += 1
            node = self._or()
            self._expect(")")
            return node
        if tok.kind in ("str", "guid", "datetime", "num"):
            self.i += 1
            return Literal(tok.kind, tok.value)
        if tok.kind != "ident":
            raise ODataError(f"Syntax error at position {tok.pos} in '{self.text}'.")
        self.i += 1
        word = str(tok.value)
        if word in ("true", "false"):
            return Literal("bool", word == "true")
        if word == "null":
            return Literal("null", None)
        if word in COMPARISONS or word in ("and", "or", "not"):
            raise ODataError(f"Expression expected at position {tok.pos} in '{self.text}'.")
        if self.i < len(self.tokens) and self.tokens[self.i].kind == "(":
            if word not in FUNCTIONS:
                raise ODataError(f"Unknown function '{word}' at position {tok.pos} in '{self.text}'.")
            self.i += 1
            args = [self._or()]
            while self.i < len(self.tokens) and self.tokens[self.i].kind == ",":
                self.i += 1
                args.append(self._or())
            self._expect(")")
            if len(args) != FUNCTIONS[word]:
                raise ODataError(f"No function signature for the function with name '{word}' matches the "
                                 f"specified arguments. The function signatures considered are: {word}().")
            return Call(word, tuple(args))
        if word not in self.types:
            raise ODataError(f"No property '{word}' exists in type '{self.type_name}' at position {tok.pos}.")
        return Field(word)

    # -- static typing, as WCF Data Services does before running the query ----------------------
    def _kind(self, node: Node) -> str:
        if isinstance(node, Literal):
            return node.kind
        if isinstance(node, Field):
            edm = self.types[node.name]
            if edm in NUMERIC_TYPES:
                return "num"
            return {"Edm.String": "str", "Edm.Guid": "guid", "Edm.DateTime": "datetime",
                    "Edm.Boolean": "bool"}.get(edm, "other")
        if isinstance(node, Call):
            return {"tolower": "str", "toupper": "str", "trim": "str", "length": "num"}.get(node.name, "bool")
        return "bool"

    def _edm(self, node: Node) -> str:
        if isinstance(node, Field):
            return self.types[node.name]
        return {"str": "Edm.String", "guid": "Edm.Guid", "datetime": "Edm.DateTime", "num": "Edm.Int32",
                "bool": "Edm.Boolean", "null": "<null>"}.get(self._kind(node), "Edm.Object")

    def _check_types(self, op: str, left: Node, right: Node, pos: int) -> None:
        lk, rk = self._kind(left), self._kind(right)
        if "null" in (lk, rk) and op in ("eq", "ne"):
            return
        if lk != rk or (lk == "bool" and op not in ("eq", "ne")) or lk == "other":
            raise ODataError(f"Operator '{op}' incompatible with operand types '{self._edm(left)}' and "
                             f"'{self._edm(right)}' at position {pos}.")

    def _check_boolean(self, node: Node) -> None:
        if isinstance(node, BoolOp):
            for part in node.parts:
                self._check_boolean(part)
        elif isinstance(node, Not):
            self._check_boolean(node.operand)
        elif self._kind(node) != "bool":
            raise ODataError("Expression of type 'System.Boolean' expected at position 0.")


def parse_filter(text: str, types: Mapping[str, str], type_name: str) -> Node:
    """Parse a $filter value against an entity's Edm types; raises ODataError as Exact's 400 would."""
    return Parser(text, types, type_name).parse()


# -- evaluation -------------------------------------------------------------------------------


def evaluate(node: Node, row: Mapping[str, Any]) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Field):
        return row.get(node.name)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(evaluate(p, row) is True for p in node.parts)
        return any(evaluate(p, row) is True for p in node.parts)
    if isinstance(node, Not):
        return not evaluate(node.operand, row)
    if isinstance(node, Compare):
        return _compare(node.op, evaluate(node.left, row), evaluate(node.right, row))
    return _call(node.name, [evaluate(a, row) for a in node.args])


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        if op == "eq":
            return left is None and right is None
        if op == "ne":
            return not (left is None and right is None)
        return False
    left, right = norm_key(left), norm_key(right)
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda a, b: bool(a == b), "ne": lambda a, b: bool(a != b), "gt": lambda a, b: bool(a > b),
        "ge": lambda a, b: bool(a >= b), "lt": lambda a, b: bool(a < b), "le": lambda a, b: bool(a <= b),
    }
    return ops[op](left, right)


def _call(name: str, args: list[Any]) -> Any:
    if any(a is None for a in args):
        return None if name in ("tolower", "toupper", "trim", "length") else False
    if name == "substringof":  # OData v2 argument order: substringof(needle, haystack)
        return str(args[0]).lower() in str(args[1]).lower()
    if name == "startswith":
        return str(args[0]).lower().startswith(str(args[1]).lower())
    if name == "endswith":
        return str(args[0]).lower().endswith(str(args[1]).lower())
    if name == "tolower":
        return str(args[0]).lower()
    if name == "toupper":
        return str(args[0]).upper()
    if name == "trim":
        return str(args[0]).strip()
    return len(str(args[0]))


def equality_terms(node: Node) -> list[tuple[str, Any]] | None:
    """Index hint: the (field, value) pairs whose union contains every match, or None when a scan is needed.

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
