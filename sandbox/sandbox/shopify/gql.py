"""A small GraphQL reader for the Shopify stand-in: parse, compute Shopify's query cost, project node dicts.

Not a GraphQL engine. It parses one operation (``query``/``mutation``/anonymous, with variable definitions and
defaults), fields with aliases and arguments (strings, block strings, numbers, booleans, null, enums,
variables, lists, objects), inline fragments (``... on Type``) and named fragments. It has no schema: a field
with a sub-selection is an object (cost 1), one without is a scalar (cost 0), and a field that takes
``first``/``last`` or is listed in CONNECTION_FIELDS is a connection (cost 2 + first x node cost), as the
shopify.dev rate-limit page describes. Values are "node dicts": plain dicts carrying ``__typename``; a
`Connection` (a list subclass) marks a Relay connection, which projection serves as ``nodes``/``edges``/``pageInfo``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_PAGE_SIZE = 250
# Fields that are Relay connections on the Shopify Admin types we model (others with `first:` are detected too).
CONNECTION_FIELDS = frozenset({
    "orders", "customers", "products", "productVariants", "variants", "lineItems", "shippingLines",
    "discountApplications", "refundLineItems", "orderAdjustments", "addressesV2", "bulkOperations",
})
_TOKEN = re.compile(r'''
    (?P<ws>[\s,]+|\#[^\n]*)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<spread>\.\.\.)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<punct>[!$():=@\[\]{}|&])
''', re.VERBOSE)


class GraphQLError(Exception):
    """A query the stand-in rejects before execution (syntax, unknown variable, bad argument)."""

    def __init__(self, message: str, code: str = "GRAPHQL_PARSE_FAILED", **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        return {"message": str(self), "extensions": {"code": self.code, **self.extra}}


class Enum(str):
    """A bare enum value (UPDATED_AT), distinct from a quoted string."""


@dataclass
class Var:
    """A `$name` reference, resolved against the request's variables."""

    name: str


@dataclass
class Field:
    """One selected field. `type_condition` is set for fields that came from ``... on Type``."""

    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    selections: list[Field] = field(default_factory=list)
    type_condition: str | None = None

    @property
    def key(self) -> str:
        return self.alias or self.name

    def child(self, name: str) -> Field | None:
        return next((f for f in self.selections if f.name == name), None)


@dataclass
class Operation:
    """A parsed operation: kind is query or mutation; `fields` are the root selections."""

    kind: str
    name: str | None
    fields: list[Field]
    defaults: dict[str, Any]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m:
                raise GraphQLError(f"Parse error on \"{text[pos:pos + 10]}\" at position {pos}")
            kind = m.lastgroup or ""
            if kind != "ws":
                self.tokens.append((kind, m.group()))
            pos = m.end()
        self.i = 0
        self.fragments: dict[str, tuple[str, list[Field]]] = {}

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None) -> str:
        kind, tok = self.peek()
        if kind == "eof" or (value is not None and tok != value):
            raise GraphQLError(f"Parse error on \"{tok or 'end of query'}\" (expected {value or 'more input'})")
        self.i += 1
        return tok

    def parse(self) -> Operation:
        operations: list[Operation] = []
        while self.peek()[0] != "eof":
            if self.peek()[1] == "fragment":
                self.take()
                name = self.take()
                self.take("on")
                type_name = self.take()
                self.fragments[name] = (type_name, self.selection_set())
            else:
                operations.append(self.operation())
        if len(operations) != 1:
            raise GraphQLError("Expected exactly one operation in the document")
        op = operations[0]
        op.fields = self.resolve_spreads(op.fields)
        return op

    def operation(self) -> Operation:
        kind, name, defaults = "query", None, {}
        if self.peek()[1] in ("query", "mutation"):
            kind = self.take()
            if self.peek()[0] == "name":
                name = self.take()
            if self.peek()[1] == "(":
                self.take("(")
                while self.peek()[1] != ")":
                    self.take("$")
                    var = self.take()
                    self.take(":")
                    self.type_ref()
                    if self.peek()[1] == "=":
                        self.take("=")
                        defaults[var] = self.value()
                self.take(")")
        return Operation(kind=kind, name=name, fields=self.selection_set(), defaults=defaults)

    def type_ref(self) -> None:
        if self.peek()[1] == "[":
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take()
        if self.peek()[1] == "!":
            self.take("!")

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields: list[Field] = []
        while self.peek()[1] != "}":
            if self.peek()[0] == "spread":
                self.take()
                if self.peek()[1] == "on":
                    self.take("on")
                    type_name = self.take()
                    for f in self.selection_set():
                        f.type_condition = f.type_condition or type_name
                        fields.append(f)
                else:
                    fields.append(Field(name="...", alias=self.take()))  # named spread, resolved later
                continue
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        name = self.take()
        alias = None
        if self.peek()[1] == ":":
            self.take(":")
            alias, name = name, self.take()
        args: dict[str, Any] = {}
        if self.peek()[1] == "(":
            self.take("(")
            while self.peek()[1] != ")":
                arg = self.take()
                self.take(":")
                args[arg] = self.value()
            self.take(")")
        while self.peek()[1] == "@":  # directives are accepted and ignored
            self.take("@")
            self.take()
            if self.peek()[1] == "(":
                while self.take() != ")":
                    pass
        selections = self.selection_set() if self.peek()[1] == "{" else []
        return Field(name=name, alias=alias, args=args, selections=selections)

    def value(self) -> Any:
        kind, tok = self.peek()
        if tok == "$":
            self.take()
            return Var(self.take())
        if tok == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
            self.take("]")
            return items
        if tok == "{":
            self.take()
            obj = {}
            while self.peek()[1] != "}":
                key = self.take()
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        self.take()
        if kind == "block":
            return _dedent_block(tok[3:-3].replace('\\"""', '"""'))
        if kind == "str":
            return json.loads(tok)
        if kind == "num":
            return float(tok) if any(c in tok for c in ".eE") else int(tok)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(tok, Enum(tok))
        raise GraphQLError(f"Parse error on \"{tok}\"")

    def resolve_spreads(self, fields: list[Field], depth: int = 0) -> list[Field]:
        if depth > 20:
            raise GraphQLError("Fragment spreads nest too deeply")
        out: list[Field] = []
        for f in fields:
            if f.name == "...":
                if f.alias not in self.fragments:
                    raise GraphQLError(f"Fragment {f.alias} was used, but not defined", "undefinedFragment")
                type_name, selections = self.fragments[f.alias]
                for s in self.resolve_spreads(selections, depth + 1):
                    out.append(Field(name=s.name, alias=s.alias, args=s.args, selections=s.selections,
                                     type_condition=s.type_condition or type_name))
            else:
                f.selections = self.resolve_spreads(f.selections, depth + 1)
                out.append(f)
        return out


def _dedent_block(raw: str) -> str:
    lines = raw.splitlines()
    indents = [len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()]
    cut = min(indents, default=0)
    body = [lines[0], *[ln[cut:] for ln in lines[1:]]] if lines else []
    return "\n".join(body).strip("\n")


def parse(text: str) -> Operation:
    """Parse a GraphQL document holding one operation (fragments allowed)."""
    return _Parser(text).parse()


def bind(value: Any, variables: dict[str, Any]) -> Any:
    """Replace `Var` references in an argument value by the request's variables."""
    if isinstance(value, Var):
        if value.name not in variables:
            raise GraphQLError(f"Variable ${value.name} is used by the operation but not declared or given",
                               "variableNotProvided")
        return variables[value.name]
    if isinstance(value, list):
        return [bind(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: bind(v, variables) for k, v in value.items()}
    return value


def bind_fields(fields: list[Field], variables: dict[str, Any]) -> None:
    """Resolve variables in every argument of the tree, in place."""
    for f in fields:
        f.args = {k: bind(v, variables) for k, v in f.args.items()}
        bind_fields(f.selections, variables)


# ---------------------------------------------------------------------------------------------------------------
# Cost (requested, before execution)
# ---------------------------------------------------------------------------------------------------------------
def is_connection(f: Field) -> bool:
    return f.name in CONNECTION_FIELDS or "first" in f.args or "last" in f.args


def page_size(f: Field) -> int:
    """The requested page size of a connection; raises on values Shopify refuses."""
    size = f.args.get("first", f.args.get("last"))
    if size is None:
        raise GraphQLError(f"you must provide one of first or last (field '{f.name}')", "argumentMissing",
                           fieldName=f.name)
    if not isinstance(size, int) or size < 0 or size > MAX_PAGE_SIZE:
        raise GraphQLError(f"Argument 'first' on field '{f.name}' must be between 0 and {MAX_PAGE_SIZE} "
                           f"(got {size})", "BAD_REQUEST", fieldName=f.name)
    return size


def node_selection(f: Field) -> list[Field]:
    """The fields selected per node of a connection (from `nodes {}` or `edges { node {} }`)."""
    out: list[Field] = []
    for s in f.selections:
        if s.name == "nodes":
            out.extend(s.selections)
        elif s.name == "edges":
            node = s.child("node")
            if node is not None:
                out.extend(node.selections)
    return out


def requested_cost(fields: list[Field]) -> int:
    """Shopify's requested cost: scalars 0, objects 1, connections 2 + first x (cost of one node)."""
    total = 0
    for f in fields:
        if not f.selections:
            continue
        if is_connection(f):
            total += 2 + page_size(f) * (1 + requested_cost(node_selection(f)))
        else:
            total += 1 + requested_cost(f.selections)
    return total


# ---------------------------------------------------------------------------------------------------------------
# Projection (execution over node dicts)
# ---------------------------------------------------------------------------------------------------------------
class Connection(list[Any]):
    """A list served as a Relay connection (nodes / edges / pageInfo)."""


class Lazy:
    """A node field computed on first use (rendering only what a query selects keeps pages fast)."""

    __slots__ = ("_fn", "_value")
    _UNSET: Any = object()

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._value: Any = Lazy._UNSET

    def get(self) -> Any:
        if self._value is Lazy._UNSET:
            self._value = self._fn()
        return self._value


def resolve(value: Any) -> Any:
    """The value of a node field, computing it if it is `Lazy`."""
    return value.get() if isinstance(value, Lazy) else value


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}", "BAD_REQUEST") from exc
    if not isinstance(value, dict):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}", "BAD_REQUEST")
    return value


@dataclass
class Projector:
    """Projects node dicts onto selections; counts the actual cost and collects field errors.

    `denied` maps a typename to {field: message}: those fields come back null with an ACCESS_DENIED error
    (Shopify's protected-customer-data behaviour); a "*" key denies the whole object.
    """

    denied: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    actual_cost: int = 0

    def project(self, value: Any, selections: list[Field], path: list[Any]) -> Any:
        if value is None:
            return None
        if isinstance(value, list) and not isinstance(value, Connection):
            return [self.project(v, selections, [*path, i]) for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        typename = value.get("__typename", "")
        denied = self.denied.get(typename, {})
        if "*" in denied:
            self.errors.append(_denied(denied["*"], path))
            return None
        self.actual_cost += 1
        out: dict[str, Any] = {}
        for f in selections:
            if f.type_condition and f.type_condition not in (typename, *value.get("__implements", ())):
                continue
            if f.name == "__typename":
                out[f.key] = typename
                continue
            if f.name in denied:
                out[f.key] = None
                self.errors.append(_denied(denied[f.name], [*path, f.key]))
                continue
            if f.name not in value:
                raise GraphQLError(f"Field '{f.name}' doesn't exist on type '{typename}'", "undefinedField",
                                   typeName=typename, fieldName=f.name)
            raw = resolve(value[f.name])
            if isinstance(raw, Connection):
                out[f.key] = self.connection(raw, f, [*path, f.key])
            elif f.selections:
                out[f.key] = self.project(raw, f.selections, [*path, f.key])
            else:
                out[f.key] = raw
        return out

    def connection(self, items: list[Any], f: Field, path: list[Any], *, has_next: bool | None = None,
                   has_previous: bool = False, cursors: list[str] | None = None) -> dict[str, Any]:
        """Serve an in-memory list (or a prepared page, when `has_next` is given) as a Relay connection."""
        if has_next is None:
            size = page_size(f)
            start = int(decode_cursor(f.args["after"]).get("offset", -1)) + 1 if f.args.get("after") else 0
            page = items[start:start + size]
            has_next, has_previous = start + size < len(items), start > 0
            cursors = [encode_cursor({"offset": start + i}) for i in range(len(page))]
        else:
            page = items
        cursors = cursors or []
        self.actual_cost += 2
        out: dict[str, Any] = {}
        for s in f.selections:
            if s.name == "nodes":
                out[s.key] = [self.project(n, s.selections, [*path, s.key, i]) for i, n in enumerate(page)]
            elif s.name == "edges":
                edges = []
                for i, n in enumerate(page):
                    edge: dict[str, Any] = {}
                    for e in s.selections:
                        if e.name == "cursor":
                            edge[e.key] = cursors[i]
                        elif e.name == "node":
                            edge[e.key] = self.project(n, e.selections, [*path, s.key, i, e.key])
                    edges.append(edge)
                out[s.key] = edges
            elif s.name == "pageInfo":
                info = {"hasNextPage": has_next, "hasPreviousPage": has_previous,
                        "startCursor": cursors[0] if cursors else None,
                        "endCursor": cursors[-1] if cursors else None}
                out[s.key] = {p.key: info.get(p.name) for p in s.selections}
            elif s.name == "__typename":
                out[s.key] = "Connection"
            else:
                raise GraphQLError(f"Field '{s.name}' doesn't exist on type 'Connection'", "undefinedField",
                                   fieldName=s.name)
        return out


def _denied(message: str, path: list[Any]) -> dict[str, Any]:
    return {"message": message, "path": path,
            "extensions": {"code": "ACCESS_DENIED",
                           "documentation": "https://shopify.dev/docs/apps/launch/protected-customer-data"}}
