"""The Exact Online stand-in: what a request does (OAuth, division check, rate limit, routing, OData listing,
POST/PUT/DELETE dispatch to the store's rules, JSON or Atom answers). See the package docstring for the contract."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote, urlencode

from sandbox import odata
from sandbox.core import BodyError, Request, Response, Vendor, json_response, to_plain
from sandbox.exact import seed as seeddata
from sandbox.exact import store_logistics
from sandbox.exact.auth import TokenStore
from sandbox.exact.contract import (
    TOP_LEVEL_ERROR,
    EntitySpec,
    ExactError,
    accept,
    bad_request,
    exact_error,
    load_specs,
    negotiate,
    not_allowed,
    to_wire,
)
from sandbox.exact.limits import RateLimits
from sandbox.exact.odata import (
    EXACT_TZ,
    ExactDialect,
    Node,
    ODataError,
    equality_terms,
    evaluate,
    fields_in,
    is_guid,
    local_now,
)
from sandbox.exact.store import LINES, Row, Table
from sandbox.exact.store_logistics import StockMixin
from sandbox.exact.store_sales import SalesMixin

CRUD_PAGE = 60
BULK_PAGE = 1000
ENTITIES = ("Account", "Contact", "Address", "Item", "ItemGroup", "SalesItemPrice", "SalesInvoice",
            "SalesInvoiceLine", "PrintedSalesInvoice", "SalesOrder", "SalesOrderLine", "SalesEntry", "SalesEntryLine",
            "VATCode", "GLAccount", "Journal", "PaymentCondition", *store_logistics.ENTITIES)
BULK = {"bulk/CRM/Accounts": "Account", "bulk/CRM/Contacts": "Contact", "bulk/CRM/Addresses": "Address",
        "bulk/Logistics/Items": "Item", "bulk/Logistics/SalesItemPrices": "SalesItemPrice",
        "bulk/SalesInvoice/SalesInvoices": "SalesInvoice", "bulk/SalesInvoice/SalesInvoiceLines": "SalesInvoiceLine",
        "bulk/SalesOrder/SalesOrders": "SalesOrder", "bulk/SalesOrder/SalesOrderLines": "SalesOrderLine",
        "bulk/Financial/GLAccounts": "GLAccount"}
# sync path -> (table, spec describing the rows)
SYNC = {"sync/CRM/Accounts": ("Account", "SyncAccount"), "sync/CRM/Contacts": ("Contact", "SyncContact"),
        "sync/Logistics/Items": ("Item", "SyncItem"), "sync/Deleted": ("Deleted", "SyncDeleted"),
        **store_logistics.SYNC}
_PATH_RE = re.compile(r"^(?P<set>[A-Za-z]+(?:/[A-Za-z]+){1,3}?)(?:\((?P<key>[^)]*)\))?(?P<count>/\$count)?$")


class ExactOnline(SalesMixin, StockMixin, Vendor):
    """Exact Online REST stand-in for one Dutch division; see the package docstring for credentials and seed."""

    name = "exact"
    CLIENT_ID = "exact-sandbox-client-id"
    CLIENT_SECRET = "exact-sandbox-client-secret"
    REFRESH_TOKEN = "exact-sandbox-refresh-token"
    AUTHORIZATION_CODE = "exact-sandbox-authorization-code"
    REDIRECT_URI = "http://127.0.0.1/exact/callback"
    DIVISION = seeddata.DIVISION

    def __init__(self, *, seed: str | None = None, orders: int = 50, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 authorization_code: str = AUTHORIZATION_CODE, redirect_uri: str = REDIRECT_URI,
                 division: int = DIVISION, access_token_ttl: float = 600.0, refresh_token_ttl: float = 30 * 86400.0,
                 min_refresh_interval: float | None = None, minutely_limit: int | None = 60,
                 daily_limit: int | None = 5000, clock: Callable[[], float] = time.time,
                 catalogue: bool = False) -> None:
        self.seed = seed  # with catalogue=True: items, stock and customers from the generated shop of this seed
        self.orders = orders
        self.catalogue = catalogue  # off: an empty division as before (sandbox.exact.store_logistics)
        self.division = division
        self.clock = clock
        self.specs = load_specs()
        self.tokens = TokenStore(client_id=client_id, client_secret=client_secret, refresh_token=refresh_token,
                                 authorization_code=authorization_code, redirect_uri=redirect_uri,
                                 access_ttl=access_token_ttl, refresh_ttl=refresh_token_ttl,
                                 min_refresh_interval=min_refresh_interval, clock=clock)
        self.limits = RateLimits(minutely_limit, daily_limit, clock)
        self.reset()

    # -- Vendor hooks ---------------------------------------------------------------------------
    def reset(self) -> None:
        self.tables: dict[str, Table] = {name: Table(name, self.specs[name].key) for name in ENTITIES}
        self.tables["Deleted"] = Table("Deleted", "ID")
        self.timestamp = 0
        self.numbers: dict[str, int] = {}
        self.tokens.reset()
        self.limits.reset()
        for entity, values in seeddata.seed_records():
            self._insert(entity, values)
        self._reset_stock()

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    def exhaust_daily_limit(self) -> Response:
        return self.limits.exhaust(self.division)

    def dump(self) -> dict[str, Any]:
        return {name: [to_plain(row) for row in table.scan()] for name, table in self.tables.items()}

    # -- Python helpers for tests ---------------------------------------------------------------
    def rows(self, entity: str) -> list[Row]:
        """Stored rows of one entity (Decimal amounts, naive local datetimes), in creation order."""
        return list(self.tables[entity].scan())

    def accounts(self) -> list[Row]:
        return self.rows("Account")

    def items(self) -> list[Row]:
        return self.rows("Item")

    def invoices(self) -> list[Row]:
        """Sales invoices, each with its lines under 'SalesInvoiceLines'."""
        return [self._with_lines("SalesInvoice", r) for r in self.rows("SalesInvoice")]

    def sales_orders(self) -> list[Row]:
        return [self._with_lines("SalesOrder", r) for r in self.rows("SalesOrder")]

    def sales_entries(self) -> list[Row]:
        return [self._with_lines("SalesEntry", r) for r in self.rows("SalesEntry")]

    def vat_codes(self) -> list[Row]:
        return self.rows("VATCode")

    def _with_lines(self, entity: str, row: Row) -> Row:
        field, line_entity, parent_key = LINES[entity]
        return row | {field: self.tables[line_entity].lookup(parent_key, row[self.specs[entity].key])}

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == "/api/oauth2/token" and req.method == "POST":
            return self.tokens.token(req)
        if req.path == "/api/oauth2/auth" and req.method == "GET":
            return self.tokens.authorize(req)
        if not req.path.startswith("/api/v1/"):
            return exact_error(404, "Not found")
        denied = self.tokens.check(req)
        if denied is not None:
            return denied
        rest = req.path[len("/api/v1/"):]
        base = f"http://{req.header('host') or '127.0.0.1'}/api/v1"
        if rest == "current/Me":
            return negotiate(req, self._me(req, base) if req.method == "GET" else not_allowed(req.method))
        division_text, _, sub = rest.partition("/")
        if not division_text.isdigit() or int(division_text) != self.division:
            return exact_error(403, "Forbidden", {"Reason": "NoDivisionAccess"})
        limited, headers = self.limits.take(self.division)
        if limited is not None:
            return limited
        try:
            resp = self._dispatch(req, sub, f"{base}/{self.division}")
        except ExactError as exc:
            resp = exc.response()
        except ODataError as exc:
            resp = exact_error(400, str(exc))
        except BodyError:
            resp = exact_error(400, TOP_LEVEL_ERROR)
        resp.headers.update(headers)
        return negotiate(req, resp)

    def _dispatch(self, req: Request, sub: str, base: str) -> Response:
        match = _PATH_RE.match(sub)
        if not match:
            return exact_error(404, f"Resource not found for the segment '{sub}'.")
        set_path, key_text, count = match.group("set"), match.group("key"), match.group("count")
        if set_path == "system/Divisions" and req.method == "GET":
            return self._divisions(base)
        if set_path == "read/sync/Sync/SyncTimestamp" and req.method == "GET":
            return self._sync_timestamp(req.arg("endPoint"), req.arg("modified"))
        if set_path in SYNC or set_path in BULK:
            if req.method != "GET":
                return not_allowed(req.method)
            table_name, view = SYNC.get(set_path) or (BULK[set_path], BULK[set_path])
            return self._list(req, self.specs[view], self.tables[table_name], base=base, set_path=set_path,
                              mode="sync" if set_path in SYNC else "bulk")
        spec = next((self.specs[n] for n in ENTITIES if self.specs[n].endpoint.endswith("/" + set_path)), None)
        if spec is None:
            return exact_error(404, f"Resource not found for the segment '{set_path.split('/')[-1]}'.")
        if req.method not in spec.methods:
            return not_allowed(req.method)
        table = self.tables[spec.name]
        if key_text is None:
            if req.method == "GET":
                return self._list(req, spec, table, base=base, set_path=set_path, mode="count" if count else "crud")
            if req.method == "POST":
                return self._post(req, spec, base, set_path)
            return not_allowed(req.method)
        key = _parse_key(key_text)
        row = table.get(key)
        if row is None:
            return exact_error(404, "Not found")
        if req.method == "GET":
            expand = self._expand(spec, req.arg("$expand"))
            select = self._select(spec, req.arg("$select"), expand)
            return json_response({"d": self._render(spec, row, base, set_path, select=select, expand=expand)})
        if req.method == "PUT":
            self._update(spec, row, accept(spec, req.json(exact=True), post=False))
            return Response(204, None)
        if req.method == "DELETE":
            self._delete(spec, row)
            return Response(204, None)
        return not_allowed(req.method)

    # -- reading --------------------------------------------------------------------------------
    def _me(self, req: Request, base: str) -> Response:
        spec = self.specs["Me"]
        now = local_now(self.clock())
        row: Row = {"UserID": seeddata.USER_ID, "CurrentDivision": self.division, "AccountingDivision": self.division,
                    "DivisionCustomer": seeddata.seed_id("DivisionCustomer", "1"), "DivisionCustomerCode": "1",
                    "DivisionCustomerName": "Sandbox Webshop B.V.", "DivisionCustomerVatNumber": "NL000099998B57",
                    "Email": "boekhouding@sandbox.example", "FirstName": "Sandra", "LastName": "Boekhouder",
                    "FullName": "Sandra Boekhouder", "UserName": "sandra@sandbox.example", "Language": "NL",
                    "LanguageCode": "nl-NL", "Legislation": "NL", "PackageCode": "EOL", "ServerTime": now,
                    "ServerUtcOffset": Decimal(str(_utc_offset_hours(self.clock()))), "IsClientUser": False,
                    "IsStarterUser": False}
        select = self._select(spec, req.arg("$select"), set())
        return json_response({"d": {"results": [self._render(spec, row, base, "current/Me", select=select)]}})

    def _divisions(self, base: str) -> Response:
        meta = {"uri": f"{base}/system/Divisions({self.division})", "type": "Exact.Web.Api.Models.Division"}
        row = {"__metadata": meta,
               "Code": self.division, "Description": "Sandbox Webshop B.V.", "Country": "NL", "Currency": "EUR",
               "Current": True, "Customer": seeddata.seed_id("DivisionCustomer", "1"), "Main": True}
        return json_response({"d": {"results": [row]}})

    def _select(self, spec: EntitySpec, text: str | None, expand: set[str]) -> list[str] | None:
        if text is None or text.strip() in ("", "*"):
            return None
        names = [part.strip() for part in text.split(",") if part.strip()]
        for name in names:
            head = name.split("/")[0]
            if head not in spec.types or ("/" in name and head not in expand):
                raise bad_request(f"No property '{head}' exists in type '{spec.type_name}'.")
        return names

    def _expand(self, spec: EntitySpec, text: str | None) -> set[str]:
        names = {part.strip() for part in (text or "").split(",") if part.strip()}
        for name in names:
            if spec.types.get(name) != "Collection":
                raise bad_request(f"No property '{name}' exists in type '{spec.type_name}'.")
        return names

    def _render(self, spec: EntitySpec, row: Row, base: str, set_path: str, *, select: list[str] | None = None,
                expand: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
        key = row.get(spec.key)
        key_text = f"guid'{key}'" if spec.edm(spec.key) == "Edm.Guid" else f"{key}L"
        uri = f"{base}/{set_path}({key_text})"
        out: dict[str, Any] = {"__metadata": {"uri": uri, "type": spec.type_name}}
        fields = spec.fields if select is None else list(dict.fromkeys(n.split("/")[0] for n in select))
        for field in fields:
            if spec.types.get(field) == "Collection":
                out[field] = self._render_lines(spec, row, field, base=base, uri=uri, select=select,
                                                expand=expand)
            else:
                out[field] = to_wire(row.get(field))
        return out

    def _render_lines(self, spec: EntitySpec, row: Row, field: str, *, base: str, uri: str,
                      select: list[str] | None, expand: frozenset[str] | set[str]) -> dict[str, Any]:
        if field not in expand or spec.name not in LINES:
            return {"__deferred": {"uri": f"{uri}/{field}"}}
        _, line_entity, parent_key = LINES[spec.name]
        line_spec = self.specs[line_entity]
        sub = [n.split("/", 1)[1] for n in (select or []) if n.startswith(field + "/")] or None
        line_path = line_spec.endpoint.split("/{division}/")[1]
        lines = self.tables[line_entity].lookup(parent_key, row[spec.key])
        return {"results": [self._render(line_spec, line, base, line_path, select=sub) for line in lines]}

    def _list(self, req: Request, spec: EntitySpec, table: Table, *, base: str, set_path: str, mode: str) -> Response:
        expand = self._expand(spec, req.arg("$expand")) if mode in ("crud", "bulk") else set()
        select = self._select(spec, req.arg("$select"), expand)
        top = _int_option(req, "$top")
        skip = _int_option(req, "$skip") or 0
        if mode == "bulk" and select is None:
            raise bad_request("Please add a $select or a $top=1 statement to the query string.")
        dialect = ExactDialect(spec.types, spec.type_name)
        node = odata.parse_filter(req.arg("$filter") or "", dialect) if req.arg("$filter") else None
        order = dialect.parse_orderby(req.arg("$orderby"))
        token = req.arg("$skiptoken")
        rows: Iterable[Row] = (self._sync_rows(table, node, token) if mode == "sync"
                               else self._matching(table, node, order, token, dialect))
        if mode == "count":
            return Response(200, str(sum(1 for _ in rows)), {"Content-Type": "text/plain; charset=utf-8"})
        total = None
        if req.arg("$inlinecount") == "allpages":
            listed = list(rows)
            total, rows = len(listed), listed
        limit = CRUD_PAGE if mode == "crud" else BULK_PAGE
        rest = islice(rows, skip, None)
        page = list(islice(rest, limit if top is None else min(limit, top)))
        more = next(rest, None) is not None
        results = [self._render(spec, r, base, set_path, select=select, expand=expand) for r in page]
        d: dict[str, Any] = {"results": results}
        if total is not None:
            d["__count"] = str(total)
        remaining = None if top is None else top - len(page)
        if more and page and (remaining is None or remaining > 0):
            d["__next"] = self._next_link(req, f"{base}/{set_path}", spec, last=page[-1], remaining=remaining,
                                          mode=mode)
        return json_response({"d": d})

    def _matching(self, table: Table, node: Node | None, order: list[tuple[str, bool]], token: str | None,
                  dialect: ExactDialect) -> Iterator[Row]:
        terms = equality_terms(node) if node is not None else None
        if order:
            rows = dialect.sort((r for r in (table.candidates(terms) if terms is not None else table.scan())
                                 if node is None or evaluate(node, r) is True), order)
            if token:
                keys = [r[table.key] for r in rows]
                key = _parse_key(token)
                rows = rows[keys.index(key) + 1:] if key in keys else []
            yield from rows
            return
        after = -1
        if token:
            seq = table.seq(_parse_key(token))
            after = seq if seq is not None else len(table)
        if terms is not None:
            source: Iterable[Row] = (r for r in table.candidates(terms) if (table.seq(r[table.key]) or 0) > after)
        else:
            source = table.scan(after)
        for row in source:
            if node is None or evaluate(node, row) is True:
                yield row

    def _sync_rows(self, table: Table, node: Node | None, token: str | None) -> Iterator[Row]:
        if node is not None and fields_in(node) - {"Timestamp"}:
            raise bad_request("Sync endpoints only support filtering on Timestamp.")
        after = int(token.rstrip("L")) if token and token.rstrip("L").isdigit() else 0
        for row in table.since(after):
            if node is None or evaluate(node, row) is True:
                yield row

    def _next_link(self, req: Request, url: str, spec: EntitySpec, *, last: Row, remaining: int | None,
                   mode: str) -> str:
        params = {k: v[0] for k, v in req.query.items() if k not in ("$skiptoken", "$top", "$skip", "$inlinecount")}
        if remaining is not None:
            params["$top"] = str(remaining)
        params["$skiptoken"] = f"{last['Timestamp']}L" if mode == "sync" else f"guid'{last[spec.key]}'"
        return f"{url}?{urlencode(params, quote_via=quote, safe=chr(36) + chr(39) + '(),')}"

    # -- writing --------------------------------------------------------------------------------
    def _post(self, req: Request, spec: EntitySpec, base: str, set_path: str) -> Response:
        values = accept(spec, req.json(exact=True), post=True)
        row = self._create(spec, values)
        prefer = (req.header("prefer") or "").replace(" ", "").lower()
        if "return=representation" not in prefer:
            # without Prefer only the key comes back filled in (reference §3 "Combine POST with GET")
            key_only = dict.fromkeys(spec.fields) | {spec.key: row.get(spec.key)}
            return json_response({"d": self._render(spec, key_only, base, set_path)}, 201)
        expand = {LINES[spec.name][0]} if spec.name in LINES else set()
        return json_response({"d": self._render(spec, row, base, set_path, expand=expand)}, 201)


# -- small helpers ----------------------------------------------------------------------------------


def _parse_key(text: str) -> str:
    text = text.strip()
    if text.startswith("guid'") and text.endswith("'") and is_guid(text[5:-1]):
        return text[5:-1].lower()
    raise bad_request(f"Bad Request - Error in query syntax: {text}")


def _int_option(req: Request, name: str) -> int | None:
    text = req.arg(name)
    if text is None:
        return None
    if not text.strip().isdigit():
        raise bad_request(f"Invalid integer value '{text}' for query option '{name}'.")
    return int(text)


def _utc_offset_hours(epoch: float) -> float:
    offset = datetime.fromtimestamp(epoch, UTC).astimezone(EXACT_TZ).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0
