"""The Exact Online stand-in: routing, OData listing, and the entity rules Exact applies on POST/PUT/DELETE."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape as xml_escape

from sandbox.core import Request, Response, Vendor, json_response
from sandbox.exact import seed as seeddata
from sandbox.exact import stock
from sandbox.exact.auth import TokenStore
from sandbox.exact.errors import ExactError, bad_request, business, exact_error
from sandbox.exact.limits import RateLimits
from sandbox.exact.odata import (
    EXACT_TZ,
    ExactDialect,
    Node,
    ODataError,
    equality_terms,
    evaluate,
    fields_in,
    format_datetime,
    is_guid,
    local_now,
    norm_key,
    parse_datetime,
    parse_filter,
)
from sandbox.exact.schema import EntitySpec, coerce, load_specs, to_plain, to_wire, unknown_property
from sandbox.exact.store import Row, Table

CENT = Decimal("0.01")
CRUD_PAGE = 60
BULK_PAGE = 1000
ENTITIES = ("Account", "Contact", "Address", "Item", "ItemGroup", "SalesItemPrice", "SalesInvoice",
            "SalesInvoiceLine", "PrintedSalesInvoice", "SalesOrder", "SalesOrderLine", "SalesEntry", "SalesEntryLine",
            "VATCode", "GLAccount", "Journal", "PaymentCondition", *stock.ENTITIES)
BULK = {"bulk/CRM/Accounts": "Account", "bulk/CRM/Contacts": "Contact", "bulk/CRM/Addresses": "Address",
        "bulk/Logistics/Items": "Item", "bulk/Logistics/SalesItemPrices": "SalesItemPrice",
        "bulk/SalesInvoice/SalesInvoices": "SalesInvoice", "bulk/SalesInvoice/SalesInvoiceLines": "SalesInvoiceLine",
        "bulk/SalesOrder/SalesOrders": "SalesOrder", "bulk/SalesOrder/SalesOrderLines": "SalesOrderLine",
        "bulk/Financial/GLAccounts": "GLAccount"}
# sync path -> (table, spec describing the rows)
SYNC = {"sync/CRM/Accounts": ("Account", "SyncAccount"), "sync/CRM/Contacts": ("Contact", "SyncContact"),
        "sync/Logistics/Items": ("Item", "SyncItem"), "sync/Deleted": ("Deleted", "SyncDeleted"), **stock.SYNC}
DELETED_TYPES = {"Account": 2, "Contact": 5, "Item": 9, "SalesInvoice": 13, "SalesOrder": 32, "SalesOrderLine": 33}
# header entity -> (lines field, line entity, parent key field on the line, VAT amount field on the line)
LINES = {"SalesInvoice": ("SalesInvoiceLines", "SalesInvoiceLine", "InvoiceID"),
         "SalesOrder": ("SalesOrderLines", "SalesOrderLine", "OrderID"),
         "SalesEntry": ("SalesEntryLines", "SalesEntryLine", "EntryID")}
PARENT_OF = {line: (header, parent_key) for header, (_, line, parent_key) in LINES.items()}
LABELS = {"Name": "Naam", "Description": "Omschrijving", "Journal": "Dagboek", "OrderedBy": "Besteld door",
          "Customer": "Klant", "Item": "Artikel", "GLAccount": "Grootboekrekening", "AmountFC": "Bedrag",
          "Account": "Relatie", "SalesInvoiceLines": "Regels", "SalesOrderLines": "Regels",
          "SalesEntryLines": "Regels", "InvoiceID": "Factuur", "OrderID": "Order", "EntryID": "Boeking"}
NOT_REVENUE_GL_TYPES = {10, 12, 20, 22, 24}  # cash, bank, debtors, creditors, VAT
_PATH_RE = re.compile(r"^(?P<set>[A-Za-z]+(?:/[A-Za-z]+){1,3}?)(?:\((?P<key>[^)]*)\))?(?P<count>/\$count)?$")
_TOP_LEVEL_ERROR = "Error processing request stream. The request should be a valid top-level resource object."


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mandatory(field: str) -> ExactError:
    return business(f"Verplicht: {LABELS.get(field, field)}")


def invalid_reference(what: str) -> ExactError:
    return business(f"Ongeldige referentie: {what}")


# SalesInvoice.Type as Exact documents it: invoices and credit notes, regular and direct.
INVOICE_TYPES = {8020: "Verkoopfactuur", 8021: "Verkoopcreditnota", 8023: "Directe verkoopfactuur",
                 8024: "Directe verkoopcreditnota"}

class ExactOnline(stock.StockMixin, Vendor):
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
        self.catalogue = catalogue  # off: an empty division as before (sandbox.exact.stock)
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

    def contacts(self) -> list[Row]:
        return self.rows("Contact")

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
            return _negotiate(req, self._me(req, base) if req.method == "GET" else _not_allowed(req.method))
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
        resp.headers.update(headers)
        return _negotiate(req, resp)

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
                return _not_allowed(req.method)
            if set_path in SYNC:
                table_name, view = SYNC[set_path]
                return self._list(req, self.specs[view], self.tables[table_name], base=base, set_path=set_path,
                                  mode="sync")
            bulk = self.specs[BULK[set_path]]
            return self._list(req, bulk, self.tables[bulk.name], base=base, set_path=set_path, mode="bulk")
        found = next((self.specs[n] for n in ENTITIES if self.specs[n].endpoint.endswith("/" + set_path)), None)
        if found is None:
            return exact_error(404, f"Resource not found for the segment '{set_path.split('/')[-1]}'.")
        spec = found
        if req.method not in spec.methods:
            return _not_allowed(req.method)
        table = self.tables[spec.name]
        if key_text is None:
            if req.method == "GET":
                return self._list(req, spec, table, base=base, set_path=set_path, mode="count" if count else "crud")
            if req.method == "POST":
                return self._post(req, spec, base, set_path)
            return _not_allowed(req.method)
        key = _parse_key(key_text)
        row = table.get(key)
        if row is None:
            return exact_error(404, "Not found")
        if req.method == "GET":
            expand = self._expand(spec, req.arg("$expand"))
            select = self._select(spec, req.arg("$select"), expand)
            return json_response({"d": self._render(spec, row, base, set_path, select=select, expand=expand)})
        if req.method == "PUT":
            self._update(spec, row, self._accept(spec, _body(req), post=False))
            return Response(204, None)
        if req.method == "DELETE":
            self._delete(spec, row)
            return Response(204, None)
        return _not_allowed(req.method)

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
        out = {"__metadata": {"uri": f"{base}/current/Me(guid'{row['UserID']}')", "type": spec.type_name}}
        out |= {f: to_wire(row.get(f)) for f in (select or spec.fields)}
        return json_response({"d": {"results": [out]}})

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
        node = parse_filter(req.arg("$filter") or "", spec.types, spec.type_name) if req.arg("$filter") else None
        order = _orderby(spec, req.arg("$orderby"))
        token = req.arg("$skiptoken")
        page_size = CRUD_PAGE if mode == "crud" else BULK_PAGE
        rows: Iterable[Row] = (self._sync_rows(table, node, token) if mode == "sync"
                               else self._matching(table, node, order, token))
        if mode == "count":
            return Response(200, str(sum(1 for _ in rows)), {"Content-Type": "text/plain; charset=utf-8"})
        total = None
        if req.arg("$inlinecount") == "allpages":
            listed = list(rows)
            total, rows = len(listed), listed
        limit = page_size if top is None else min(page_size, top)
        page: list[Row] = []
        more = False
        for i, row in enumerate(rows):
            if i < skip:
                continue
            if len(page) == limit:
                more = True
                break
            page.append(row)
        results = [self._render(spec, r, base, set_path, select=select, expand=expand) for r in page]
        d: dict[str, Any] = {"results": results}
        if total is not None:
            d["__count"] = str(total)
        remaining = None if top is None else top - len(page)
        if more and page and (remaining is None or remaining > 0):
            d["__next"] = self._next_link(req, f"{base}/{set_path}", spec, last=page[-1], remaining=remaining,
                                          mode=mode)
        return json_response({"d": d})

    def _matching(self, table: Table, node: Node | None, order: list[tuple[str, bool]],
                  token: str | None) -> Iterator[Row]:
        terms = equality_terms(node) if node is not None else None
        if order:
            rows = [r for r in (table.candidates(terms) if terms is not None else table.scan())
                    if node is None or evaluate(node, r) is True]
            for field, desc in reversed(order):
                rows.sort(key=_sort_by(field), reverse=desc)
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

    # -- writing: generic -----------------------------------------------------------------------
    def _accept(self, spec: EntitySpec, body: Any, *, post: bool) -> Row:
        """Payload -> stored values. Unknown property -> 400; read-only properties are ignored (not applied)."""
        if not isinstance(body, dict):
            raise bad_request(_TOP_LEVEL_ERROR)
        writable = spec.writable_post if post else spec.writable_put
        if spec.name == "PrintedSalesInvoice":
            writable = writable | {spec.key}  # its key is the invoice to print
        out: Row = {}
        for field, value in body.items():
            if field == "__metadata":
                continue
            if field not in spec.types:
                raise unknown_property(field, spec)
            if field not in writable:
                continue
            if spec.edm(field) == "Collection" and value is not None and not (
                    isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                raise bad_request(_TOP_LEVEL_ERROR)
            out[field] = coerce(spec, field, value)
        return out

    def _insert(self, entity: str, values: Row) -> Row:
        spec = self.specs[entity]
        now = local_now(self.clock())
        self.timestamp += 1
        row: Row = {spec.key: values.get(spec.key) or str(uuid.uuid4())} | values
        row |= {"Division": self.division, "Created": now, "Modified": now, "Creator": seeddata.USER_ID,
                "CreatorFullName": "Sandra Boekhouder", "Modifier": seeddata.USER_ID,
                "ModifierFullName": "Sandra Boekhouder", "Timestamp": self.timestamp}
        self.tables[entity].put({k: v for k, v in row.items() if k in spec.types or k == "Timestamp"})
        return self.tables[entity].rows[row[spec.key]]

    def _save(self, entity: str, row: Row) -> None:
        self.timestamp += 1
        row = row | {"Modified": local_now(self.clock()), "Timestamp": self.timestamp}
        self.tables[entity].put(row)

    def _post(self, req: Request, spec: EntitySpec, base: str, set_path: str) -> Response:
        values = self._accept(spec, _body(req), post=True)
        row = self._create(spec, values)
        prefer = (req.header("prefer") or "").replace(" ", "").lower()
        if "return=representation" not in prefer:
            # without Prefer only the key comes back filled in (reference §3 "Combine POST with GET")
            key_only = dict.fromkeys(spec.fields) | {spec.key: row.get(spec.key)}
            return json_response({"d": self._render(spec, key_only, base, set_path)}, 201)
        expand = {LINES[spec.name][0]} if spec.name in LINES else set()
        return json_response({"d": self._render(spec, row, base, set_path, expand=expand)}, 201)

    def _create(self, spec: EntitySpec, values: Row) -> Row:
        handler = getattr(self, f"_create_{spec.name}", None)
        if handler is not None:
            result: Row = handler(values)
            return result
        if spec.name in PARENT_OF:
            return self._create_line(spec, values)
        for field in spec.mandatory:
            if values.get(field) in (None, ""):
                raise mandatory(field)
        if "Code" in spec.types and spec.name != "Address" and values.get("Code") is not None:
            if self.tables[spec.name].lookup("Code", self._code(spec.name, values["Code"])):
                raise business("Gegeven bestaat reeds")
            values["Code"] = self._code(spec.name, values["Code"])
        return self._insert(spec.name, self._refs(spec, values))

    def _update(self, spec: EntitySpec, row: Row, values: Row) -> None:
        if spec.name == "Account" and "Code" in values:
            raise business("Gegeven bestaat reeds")  # picqer#432: Code in a PUT, even unchanged
        if spec.name in LINES:
            if row.get("Status") == 50:
                raise business("Ongeldig: Status (verwerkt)")
            values.pop(LINES[spec.name][0], None)  # lines are only applicable on POST
        if spec.name in PARENT_OF:
            self._update_line(spec, row, values)
            return
        if spec.name == "Item" and "Code" in values:
            other = self.tables["Item"].lookup("Code", values["Code"])
            if any(o["ID"] != row["ID"] for o in other):
                raise business("Gegeven bestaat reeds")
        merged = self._refs(spec, row | values)
        if spec.name == "SalesInvoice":
            self._check_customer(merged["OrderedBy"], invoice=True)
            self._check_customer(merged.get("InvoiceTo") or merged["OrderedBy"], invoice=True)
        self._save(spec.name, self._derive(spec.name, merged))

    def _delete(self, spec: EntitySpec, row: Row) -> None:
        if spec.name in LINES:
            if row.get("Status") == 50:
                raise business("Ongeldig: Status (verwerkt)")
            _, line_entity, parent_key = LINES[spec.name]
            for line in self.tables[line_entity].lookup(parent_key, row[spec.key]):
                self.tables[line_entity].delete(line["ID"])
        self.tables[spec.name].delete(row[spec.key])
        if spec.name in DELETED_TYPES:
            self.timestamp += 1
            self.tables["Deleted"].put({
                "ID": str(uuid.uuid4()), "EntityKey": row[spec.key], "EntityType": DELETED_TYPES[spec.name],
                "DeletedBy": seeddata.USER_ID, "DeletedDate": local_now(self.clock()), "Division": self.division,
                "Timestamp": self.timestamp})
        if spec.name in PARENT_OF:
            header, parent_key = PARENT_OF[spec.name]
            parent = self.tables[header].get(row[parent_key])
            if parent is not None:
                if header == "SalesEntry" and not self.tables[spec.name].lookup(parent_key, row[parent_key]):
                    self._delete(self.specs[header], parent)  # deleting the last line removes the entry ([OSSO])
                else:
                    self._save(header, self._totals(header, parent))

    # -- references, codes ----------------------------------------------------------------------
    def _code(self, entity: str, code: str) -> str:
        if entity == "Account":
            return code.strip().rjust(18)
        if entity == "VATCode":
            return code.strip().ljust(3)
        return code

    def _vat(self, code: str | None) -> Row:
        found = self.tables["VATCode"].lookup("Code", (code or "0").strip().ljust(3))
        if not found:
            raise invalid_reference("BTW-code")
        if found[0].get("IsBlocked"):
            raise business(f"Geblokkeerd: BTW-code {found[0]['Code'].strip()}")
        return found[0]

    def _one(self, entity: str, key: Any, what: str) -> Row:
        row = self.tables[entity].get(key) if isinstance(key, str) else None
        if row is None:
            raise invalid_reference(what)
        return row

    def _journal(self, code: str | None) -> Row:
        if not code:
            raise mandatory("Journal")
        found = self.tables["Journal"].lookup("Code", code)
        if not found:
            raise invalid_reference("Journals")  # picqer#31: a journal GUID instead of its code ends here too
        if found[0]["Type"] != 20:
            raise business("Ongeldig: Dagboek (Type)")
        return found[0]

    def _check_customer(self, account_id: Any, *, invoice: bool) -> Row:
        account = self._one("Account", account_id, "Relatie")
        if invoice and account.get("Status") != "C":
            raise business("Ongeldig: Factuur voor (Type)")  # picqer#172
        return account

    def _refs(self, spec: EntitySpec, values: Row) -> Row:
        """Validate the code/guid references an entity names, and fill the names Exact derives from them."""
        out = dict(values)
        if spec.name == "Account":
            for field in ("SalesVATCode", "PurchaseVATCode"):
                if out.get(field):
                    out[field] = self._vat(out[field])["Code"]
            if out.get("PaymentConditionSales") and not self.tables["PaymentCondition"].lookup(
                    "Code", out["PaymentConditionSales"]):
                raise invalid_reference("Betalingsconditie")
            out["IsSales"] = out.get("Status") == "C"
        if spec.name == "Contact":
            account = self._one("Account", out.get("Account"), "Relatie")
            out["AccountName"] = account["Name"]
            names = (out.get("FirstName"), out.get("MiddleName"), out.get("LastName"))
            out["FullName"] = " ".join(p for p in names if p)
        if spec.name == "Item":
            group = self.tables["ItemGroup"].get(out.get("ItemGroup") or seeddata.seed_id("ItemGroup", "001"))
            if group is None:
                raise invalid_reference("Artikelgroep")
            out["ItemGroup"], out["ItemGroupCode"], out["ItemGroupDescription"] = (
                group["ID"], group["Code"], group["Description"])
            if out.get("SalesVatCode"):
                out["SalesVatCode"] = self._vat(out["SalesVatCode"])["Code"]
            gl = self._one("GLAccount", out.get("GLRevenue") or group["GLRevenue"], "Grootboekrekening")
            out |= {"GLRevenue": gl["ID"], "GLRevenueCode": gl["Code"], "GLRevenueDescription": gl["Description"]}
        if spec.name == "GLAccount" and out.get("VATCode"):
            out["VATCode"] = self._vat(out["VATCode"])["Code"]
        if spec.name == "SalesItemPrice":
            item = self._one("Item", out.get("Item"), "Artikel")
            out["ItemCode"], out["ItemDescription"] = item["Code"], item["Description"]
        return out

    def _next_number(self, journal: str, year: int) -> int:
        """Exact-style numbers from the journal: yy + journal code + 4-digit sequence, e.g. 24700001."""
        key = f"{year % 100:02d}{journal}"
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return int(f"{key}{self.numbers[key]:04d}") if key.isdigit() else self.numbers[key]

    def _today(self) -> datetime:
        now = local_now(self.clock())
        return datetime(now.year, now.month, now.day)

    # -- entity rules -----------------------------------------------------------------------------
    def _create_Account(self, values: Row) -> Row:
        if not values.get("Name"):
            raise mandatory("Name")
        table = self.tables["Account"]
        if values.get("Code"):
            if table.lookup("Code", self._code("Account", values["Code"])):
                raise business("Gegeven bestaat reeds")
            values["Code"] = self._code("Account", values["Code"])
        else:  # "the value of the highest used code is incremented by 1" (the default debtor left out)
            values["Code"] = str(self.numbers.get("Account", 0) + 1).rjust(18)
        code = values["Code"].strip()
        if code.isdigit() and code != seeddata.DEFAULT_DEBTOR_CODE:
            self.numbers["Account"] = max(self.numbers.get("Account", 0), int(code))
        values.setdefault("Status", "A")
        values.setdefault("Blocked", False)
        return self._insert("Account", self._refs(self.specs["Account"], values))

    def _create_Contact(self, values: Row) -> Row:
        if not values.get("Account"):
            raise mandatory("Account")
        if not values.get("FirstName") and not values.get("LastName"):
            raise mandatory("LastName")
        return self._insert("Contact", self._refs(self.specs["Contact"], values))

    def _create_Item(self, values: Row) -> Row:
        for field in ("Code", "Description"):
            if not values.get(field):
                raise mandatory(field)
        if self.tables["Item"].lookup("Code", values["Code"]):
            raise business("Gegeven bestaat reeds")
        values.setdefault("IsSalesItem", True)
        values.setdefault("IsStockItem", False)
        values.setdefault("StandardSalesPrice", Decimal(0))
        return self._insert("Item", self._refs(self.specs["Item"], values))

    def _create_SalesItemPrice(self, values: Row) -> Row:
        row = self._insert("SalesItemPrice", self._refs(self.specs["SalesItemPrice"], values))
        if not values.get("Account") and values.get("Price") is not None:
            item = self.tables["Item"].rows[values["Item"]]
            self._save("Item", item | {"StandardSalesPrice": values["Price"]})
        return row

    def _create_VATCode(self, values: Row) -> Row:
        for field in ("Code", "Description"):
            if not values.get(field):
                raise mandatory(field)
        values["Code"] = self._code("VATCode", values["Code"])
        if self.tables["VATCode"].lookup("Code", values["Code"]):
            raise business("Gegeven bestaat reeds")
        percentages = values.get("VATPercentages") or []
        rate = percentages[-1].get("Percentage") if percentages else None
        values["Percentage"] = coerce(self.specs["VATCode"], "Percentage", rate) if rate is not None else Decimal(0)
        values["VATPercentages"] = None
        values.setdefault("Type", "E")
        values.setdefault("VATTransactionType", "S")
        values.setdefault("IsBlocked", False)
        return self._insert("VATCode", values)

    def _create_PrintedSalesInvoice(self, values: Row) -> Row:
        invoice = self._one("SalesInvoice", values.get("InvoiceID"), "Factuur")
        if invoice.get("Status") == 50:
            raise business("Ongeldig: Status (verwerkt)")
        date = values.get("InvoiceDate") or self._today()
        self._save("SalesInvoice", invoice | {"Status": 50, "StatusDescription": "Verwerkt", "InvoiceDate": date})
        return {"InvoiceID": invoice["InvoiceID"], "InvoiceDate": date, "Division": self.division,
                "DocumentCreationSuccess": "Document created", **values}

    def _create_SalesInvoice(self, values: Row) -> Row:
        return self._create_header("SalesInvoice", values)

    def _create_SalesOrder(self, values: Row) -> Row:
        return self._create_header("SalesOrder", values)

    def _create_SalesEntry(self, values: Row) -> Row:
        return self._create_header("SalesEntry", values)

    def _create_header(self, entity: str, values: Row) -> Row:
        lines_field, line_entity, parent_key = LINES[entity]
        spec = self.specs[entity]
        for field in spec.mandatory:
            if values.get(field) in (None, "", []):
                raise mandatory(field)
        raw_lines = values.pop(lines_field)
        header = self._header(entity, values)
        lines = [self._line(line_entity, self._accept(self.specs[line_entity], raw, post=True), header)
                 for raw in raw_lines]
        key = header.get(spec.key) or str(uuid.uuid4())
        header[spec.key] = key
        if entity == "SalesOrder":
            header["OrderNumber"] = header.get("OrderNumber") or self._next_order_number()
        elif entity == "SalesInvoice":
            header["InvoiceNumber"] = self._next_number(header["Journal"], header["OrderDate"].year)
        elif entity == "SalesEntry" and not header.get("EntryNumber"):
            header["EntryNumber"] = self._next_number(header["Journal"], header["EntryDate"].year)
        for number, line in enumerate(lines, start=1):
            extra = {parent_key: key, "LineNumber": number} | self._line_parent(entity, header)
            self._insert(line_entity, line | extra)
        row = self._insert(entity, self._totals(entity, header))
        if entity == "SalesOrder":
            self._reserve_order(row)
        return row

    def _header(self, entity: str, values: Row) -> Row:
        """Validate a header's references and fill what Exact derives (names, dates, status, type)."""
        today = self._today()
        if entity == "SalesEntry":
            customer = self._check_customer(values.get("Customer"), invoice=False)
            journal = self._journal(values.get("Journal"))
            if values.get("EntryNumber") and any(
                    r["Journal"] == journal["Code"] for r in self.tables["SalesEntry"].lookup(
                        "EntryNumber", values["EntryNumber"])):
                raise business("Gegeven bestaat reeds")
            entry_date = values.get("EntryDate") or today
            out = values | {"Journal": journal["Code"], "JournalDescription": journal["Description"],
                            "CustomerName": customer["Name"], "EntryDate": entry_date, "Status": 20,
                            "StatusDescription": "Open", "Currency": values.get("Currency") or "EUR",
                            "ReportingYear": values.get("ReportingYear") or entry_date.year,
                            "ReportingPeriod": values.get("ReportingPeriod") or entry_date.month}
            return self._payment_terms(out, customer, "EntryDate")
        ordered_by = self._check_customer(values.get("OrderedBy"), invoice=entity == "SalesInvoice")
        invoice_to = self._check_customer(values.get("InvoiceTo") or ordered_by["ID"], invoice=entity == "SalesInvoice")
        deliver_to = self._one("Account", values.get("DeliverTo") or ordered_by["ID"], "Relatie")
        out = values | {"OrderedByName": ordered_by["Name"], "InvoiceTo": invoice_to["ID"],
                        "InvoiceToName": invoice_to["Name"], "DeliverTo": deliver_to["ID"],
                        "DeliverToName": deliver_to["Name"], "OrderDate": values.get("OrderDate") or today,
                        "Currency": values.get("Currency") or "EUR"}
        if entity == "SalesOrder":
            if values.get("OrderNumber") and self.tables["SalesOrder"].lookup("OrderNumber", values["OrderNumber"]):
                raise business("Verkoopordernummer: Bestaat reeds")  # [DASH]
            out |= {"Status": 12, "StatusDescription": "Open", "DeliveryStatus": 12, "InvoiceStatus": 12,
                    "ApprovalStatus": values.get("ApprovalStatus") or 1}
            return self._payment_terms(out, invoice_to, None)
        journal = self._journal(values.get("Journal"))
        kind = int(values.get("Type") or 8020)
        if kind not in INVOICE_TYPES:
            raise business(f"Ongeldig: Type ({kind})")
        out |= {"Journal": journal["Code"], "JournalDescription": journal["Description"], "Status": 20,
                "StatusDescription": "Open", "Type": kind, "TypeDescription": INVOICE_TYPES[kind], "InvoiceDate": None}
        return self._payment_terms(out, invoice_to, "OrderDate")

    def _payment_terms(self, header: Row, account: Row, date_field: str | None) -> Row:
        code = header.get("PaymentCondition") or account.get("PaymentConditionSales")
        if not code:
            return header
        found = self.tables["PaymentCondition"].lookup("Code", code)
        if not found:
            raise invalid_reference("Betalingsconditie")
        header = header | {"PaymentCondition": found[0]["Code"], "PaymentConditionDescription": found[0]["Description"]}
        if date_field and not header.get("DueDate"):
            header["DueDate"] = header[date_field] + timedelta(days=found[0].get("PaymentDays") or 0)
        return header

    def _next_order_number(self) -> int:
        self.numbers["SalesOrder"] = self.numbers.get("SalesOrder", 0) + 1
        while self.tables["SalesOrder"].lookup("OrderNumber", self.numbers["SalesOrder"]):
            self.numbers["SalesOrder"] += 1
        return self.numbers["SalesOrder"]

    def _line_parent(self, entity: str, header: Row) -> Row:
        if entity == "SalesOrder":
            return {"OrderNumber": header.get("OrderNumber"), "OrderStatus": header.get("Status")}
        return {}

    def _line(self, line_entity: str, values: Row, header: Row) -> Row:
        """Compute one line the way Exact does (see the package docstring, 'Amounts')."""
        if line_entity == "SalesEntryLine":
            return self._entry_line(values)
        item_id = values.get("Item")
        if not item_id:
            raise mandatory("Item")
        item = self._one("Item", item_id, "Artikel")
        if not item.get("IsSalesItem"):
            raise business(f"Ongeldig: Artikel {item['Code']} is geen verkoopartikel")
        gl = self._one("GLAccount", values.get("GLAccount") or item.get("GLRevenue"), "Grootboekrekening")
        vat = self._vat(values.get("VATCode") or item.get("SalesVatCode") or gl.get("VATCode"))
        quantity = values.get("Quantity")
        quantity = Decimal(1) if quantity is None else quantity
        discount = values.get("Discount") or Decimal(0)
        unit = values.get("UnitPrice")
        net = values.get("NetPrice")
        if unit is None:
            unit = net if net is not None else item.get("StandardSalesPrice") or Decimal(0)
        if net is None:
            net = unit * (1 - discount)
        explicit = values.get("AmountFC")
        amount = money(explicit if explicit is not None else net * quantity)
        vat_amount, excl = self._split_vat(vat, amount, gross=explicit is None)
        vat_field = "VATAmount" if line_entity == "SalesOrderLine" else "VATAmountFC"
        if values.get(vat_field) is not None:
            vat_amount = money(values[vat_field])
        out = values | {"Item": item["ID"], "ItemCode": item["Code"], "ItemDescription": item["Description"],
                        "Description": values.get("Description") or item["Description"], "Quantity": quantity,
                        "UnitPrice": unit, "NetPrice": net, "Discount": discount, "AmountFC": excl, "AmountDC": excl,
                        "GLAccount": gl["ID"], "GLAccountDescription": gl["Description"], "VATCode": vat["Code"],
                        "VATCodeDescription": vat["Description"], "VATPercentage": vat["Percentage"],
                        "UnitCode": values.get("UnitCode") or item.get("Unit"), vat_field: vat_amount}
        if line_entity == "SalesInvoiceLine":
            out["VATAmountDC"] = vat_amount
        return out

    def _split_vat(self, vat: Row, amount: Decimal, *, gross: bool) -> tuple[Decimal, Decimal]:
        """(VAT, amount excl. VAT). With an including (Type I) code a price-derived amount is gross."""
        rate: Decimal = vat.get("Percentage") or Decimal(0)
        if vat.get("Type") not in ("E", "I") or not rate:
            return Decimal("0.00"), amount
        if vat["Type"] == "I" and gross:
            vat_amount = money(amount * rate / (1 + rate))
            return vat_amount, amount - vat_amount
        return money(amount * rate), amount

    def _entry_line(self, values: Row) -> Row:
        gl_id = values.get("GLAccount")
        if not gl_id:
            raise mandatory("GLAccount")
        gl = self._one("GLAccount", gl_id, "Grootboekrekening")
        if gl.get("Type") in NOT_REVENUE_GL_TYPES:
            raise business("Ongeldig: Grootboekrekeningtype")  # picqer#121
        if values.get("AmountFC") is None:
            raise mandatory("AmountFC")
        amount = money(values["AmountFC"])
        vat = self._vat(values.get("VATCode") or gl.get("VATCode"))
        vat_amount = money(values["VATAmountFC"]) if values.get("VATAmountFC") is not None else (
            self._split_vat(vat, amount, gross=False)[0])
        return values | {"AmountFC": amount, "AmountDC": amount, "VATAmountFC": vat_amount, "VATAmountDC": vat_amount,
                         "VATBaseAmountFC": amount, "VATBaseAmountDC": amount, "VATCode": vat["Code"],
                         "VATCodeDescription": vat["Description"], "VATPercentage": vat["Percentage"],
                         "GLAccountCode": gl["Code"], "GLAccountDescription": gl["Description"], "Type": 20}

    def _totals(self, entity: str, header: Row) -> Row:
        _, line_entity, parent_key = LINES[entity]
        key = header[self.specs[entity].key]
        lines = self.tables[line_entity].lookup(parent_key, key)
        vat_field = "VATAmount" if line_entity == "SalesOrderLine" else "VATAmountFC"
        excl = sum((line["AmountFC"] for line in lines), Decimal("0.00"))
        vat = sum((line.get(vat_field) or Decimal(0) for line in lines), Decimal("0.00"))
        out = header | {"AmountFC": excl + vat, "AmountDC": excl + vat}
        if entity == "SalesEntry":
            return out | {"VATAmountFC": vat, "VATAmountDC": vat, "Type": 21 if excl + vat < 0 else 20,
                          "TypeDescription": "Creditnota" if excl + vat < 0 else "Verkoopboeking"}
        out |= {"AmountFCExclVat": excl}
        if entity == "SalesInvoice":
            out |= {"VATAmountFC": vat, "VATAmountDC": vat}
        return out

    def _derive(self, entity: str, row: Row) -> Row:
        if entity in LINES:
            return self._totals(entity, row)
        return row

    def _create_line(self, spec: EntitySpec, values: Row) -> Row:
        header_entity, parent_key = PARENT_OF[spec.name]
        if not values.get(parent_key):
            raise mandatory(parent_key)
        parent = self._one(header_entity, values.get(parent_key), LABELS[parent_key])
        if parent.get("Status") == 50:
            raise business("Ongeldig: Status (verwerkt)")
        line = self._line(spec.name, values, parent)
        number = len(self.tables[spec.name].lookup(parent_key, parent[self.specs[header_entity].key])) + 1
        row = self._insert(spec.name, line | {"LineNumber": number} | self._line_parent(header_entity, parent))
        self._save(header_entity, self._totals(header_entity, parent))
        return row

    def _update_line(self, spec: EntitySpec, row: Row, values: Row) -> None:
        header_entity, parent_key = PARENT_OF[spec.name]
        parent = self._one(header_entity, row.get(parent_key), LABELS[parent_key])
        if parent.get("Status") == 50:
            raise business("Ongeldig: Status (verwerkt)")
        derived = {"AmountFC", "AmountDC", "VATAmountFC", "VATAmountDC", "VATAmount", "NetPrice"}
        inputs = {k: v for k, v in row.items() if k not in derived} | values
        self._save(spec.name, self._line(spec.name, inputs, parent))
        self._save(header_entity, self._totals(header_entity, self.tables[header_entity].rows[parent[
            self.specs[header_entity].key]]))


# -- small helpers ----------------------------------------------------------------------------------


def _negotiate(req: Request, resp: Response) -> Response:
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


def _body(req: Request) -> Any:
    try:
        return json.loads(req.body.decode("utf-8"), parse_float=Decimal) if req.body else None
    except (ValueError, UnicodeDecodeError):
        raise bad_request(_TOP_LEVEL_ERROR) from None


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


def _orderby(spec: EntitySpec, text: str | None) -> list[tuple[str, bool]]:
    try:
        return ExactDialect(spec.types, spec.type_name).parse_orderby(text)
    except ODataError as exc:
        raise bad_request(str(exc)) from None


def _sort_by(field: str) -> Callable[[Row], tuple[int, Any]]:
    """Sort key for $orderby: nulls first, strings case-insensitive."""

    def key(row: Row) -> tuple[int, Any]:
        value = row.get(field)
        return (0, None) if value is None else (1, norm_key(value))

    return key


def _not_allowed(method: str) -> Response:
    return exact_error(405, f"The requested resource does not support http method '{method}'.")


def _utc_offset_hours(epoch: float) -> float:
    offset = datetime.fromtimestamp(epoch, UTC).astimezone(EXACT_TZ).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


__all__ = ["ExactOnline", "format_datetime", "parse_datetime"]
