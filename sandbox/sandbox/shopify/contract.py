"""Shopify's published Admin GraphQL schema (2026-10 introspection, package data) and document checking.

`schema()` loads ``data/shopify_admin_2026-10.json.gz`` once. `check(text)` parses and validates a document once per
distinct text (cached) and answers invalid ones as Shopify does: HTTP 200, ``errors`` with ``message`` and
``locations``, no ``data``. The most common graphql-core messages are reworded to the texts and extension codes
Shopify's (graphql-ruby) server sends: undefinedField, argumentNotAccepted, missingRequiredArguments,
argumentLiteralsIncompatible. Syntax errors keep graphql-core's text with code GRAPHQL_PARSE_FAILED (Shopify's exact
parser wording is not on a stored page).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    Visitor,
    build_client_schema,
    parse,
    print_ast,
    validate,
    visit,
)

SCHEMA_FILE = "shopify_admin_2026-10.json.gz"
_UNDEFINED_FIELD = re.compile(r"Cannot query field '(\w+)' on type '(\w+)'")
_UNKNOWN_ARG = re.compile(r"Unknown argument '(\w+)' on field '(\w+)\.(\w+)'")
_MISSING_ARG = re.compile(r"Field '(\w+)' argument '(\w+)' of type '.+' is required, but it was not provided")


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    """The 2026-10 Admin schema. Its few inconsistent deprecated interface fields are accepted, as Shopify does."""
    with files("sandbox").joinpath("data", SCHEMA_FILE).open("rb") as raw, gzip.open(raw) as text:
        loaded = build_client_schema(json.load(text)["data"])
    loaded._validation_errors = []
    return loaded


@dataclass(frozen=True)
class Checked:
    """A parsed document: `errors` is the Shopify-style error list when it is invalid, else None."""

    document: DocumentNode | None
    errors: list[dict[str, Any]] | None
    kind: str = "query"  # the first operation's kind: query | mutation


@lru_cache(maxsize=512)
def check(text: str) -> Checked:
    """Parse and validate `text` against the schema (cached by text: clients repeat the same documents)."""
    try:
        document = parse(text)
    except GraphQLError as exc:
        return Checked(None, [{**exc.formatted, "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}])
    errors = validate(schema(), document)
    if errors:
        return Checked(document, [_shopify_error(e, document) for e in errors])
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return Checked(document, None, ops[0].operation.value if ops else "query")


def variable_errors(errors: list[GraphQLError], op: OperationDefinitionNode, given: dict[str, Any]
                    ) -> list[dict[str, Any]]:
    """Bad variables as graphql-ruby words them: one error per variable with its value and the problems (the
    explanation texts are graphql-core's)."""
    types = {d.variable.name.value: print_ast(d.type) for d in op.variable_definitions or ()}
    out: dict[str, dict[str, Any]] = {}
    for error in errors:
        node = error.nodes[0] if error.nodes else None
        name = node.variable.name.value if isinstance(node, VariableDefinitionNode) else "?"
        entry = out.setdefault(name, {"message": f"Variable ${name} of type {types.get(name)} was provided invalid "
                                                 "value", "locations": error.formatted.get("locations", []),
                                      "extensions": {"value": given.get(name), "problems": []}})
        explanation = error.message.split("; ", 1)[1] if "; " in error.message else "Expected value to not be null"
        entry["extensions"]["problems"].append({"path": [], "explanation": explanation})
    return list(out.values())


def _shopify_error(error: GraphQLError, document: DocumentNode) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message, "locations": error.formatted.get("locations", [])}
    if m := _UNDEFINED_FIELD.match(error.message):
        field, type_name = m.groups()
        out["message"] = f"Field '{field}' doesn't exist on type '{type_name}'"
        out["extensions"] = {"code": "undefinedField", "typeName": type_name, "fieldName": field}
    elif m := _UNKNOWN_ARG.match(error.message):
        arg, _, field = m.groups()
        out["message"] = f"Field '{field}' doesn't accept argument '{arg}'"
        out["extensions"] = {"code": "argumentNotAccepted", "name": field, "typeName": "Field", "argumentName": arg}
    elif m := _MISSING_ARG.match(error.message):
        field, arg = m.groups()
        out["message"] = f"Field '{field}' is missing required arguments: {arg}"
        out["extensions"] = {"code": "missingRequiredArguments", "className": "Field", "name": field,
                             "arguments": arg}
    elif error.nodes and (where := _argument_at(document, error.nodes[0].loc.start if error.nodes[0].loc else -1)):
        field, arg, expected, shown = where
        out["message"] = (f"Argument '{arg}' on Field '{field}' has an invalid value ({shown}). "
                          f"Expected type '{expected}'.")
        out["extensions"] = {"code": "argumentLiteralsIncompatible", "typeName": "Field", "argumentName": arg}
    return out


def _argument_at(document: DocumentNode, pos: int) -> tuple[str, str, str, str] | None:
    """(field, argument, expected type, value as written) of the argument whose value spans `pos`."""
    info = TypeInfo(schema())
    found: list[tuple[str, str, str, str]] = []
    source = document.loc.source.body if document.loc else ""

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: Any) -> None:
            loc, arg = node.value.loc, info.get_argument()
            field = next((a for a in reversed(ancestors) if isinstance(a, FieldNode)), None)
            if loc and loc.start <= pos < loc.end and arg is not None and field is not None:
                found.append((field.name.value, node.name.value, str(arg.type), source[loc.start:loc.end]))

    visit(document, TypeInfoVisitor(info, Finder()))
    return found[-1] if found else None
