"""Lightspeed Retail (R-Series) stand-in: what a request does (token endpoint, API V3 resources, paging, errors)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sandbox import seed as neutral
from sandbox.core import Request, Response
from sandbox.lightspeed_common import LightspeedVendor, read_list
from sandbox.lightspeed_retail import auth
from sandbox.lightspeed_retail.auth import TOKEN_PATH
from sandbox.lightspeed_retail.contract import (
    API_PREFIX,
    ID_FIELDS,
    LISTS,
    MAX_LIMIT,
    RELATIONS,
    SORTABLE,
    Condition,
    RetailError,
    _conditions,
    _relations,
    quirk,
    to_iso,
    unwrap,
)
from sandbox.lightspeed_retail.limits import COUNT_COST, Bucket, _num, _relation_cost
from sandbox.lightspeed_retail.seed import (
    PAYMENT_TYPES,
    render_customer,
    render_item,
    render_sales,
    render_shop,
    render_tax_categories,
)
from sandbox.lightspeed_retail.store import Table, _cursor, _walk
from sandbox.oauth_rotation import RotatingTokens


class LightspeedRetail(LightspeedVendor):
    """Stand-in for the Lightspeed Retail (R-Series) API V3; see the module docstring for the contract."""

    name = "lightspeed_retail"
    CLIENT_ID = auth.APP.client_id
    CLIENT_SECRET = auth.APP.client_secret
    REFRESH_TOKEN = auth.APP.refresh_token
    AUTHORIZATION_CODE = auth.APP.authorization_code
    ACCOUNT_ID = "123456"

    def __init__(self, seed: str | None = None, orders: int = 50, *, client_id: str = CLIENT_ID,
                 client_secret: str = CLIENT_SECRET, refresh_token: str = REFRESH_TOKEN,
                 authorization_code: str = AUTHORIZATION_CODE, account_id: str = ACCOUNT_ID,
                 rotate_refresh_tokens: bool = True, token_ttl: int = 3600, bucket_size: float = 90.0,
                 drip_rate: float = 1.0, burst_limit: int | None = 20, channels: Iterable[str] = ("pos",),
                 kinds: Iterable[str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.account_id = str(account_id)
        self.channels = frozenset(channels)
        self.kinds = frozenset(kinds) if kinds is not None else None
        self._bucket_args = (bucket_size, drip_rate, burst_limit)
        self.tokens = RotatingTokens(replace(auth.APP, client_id=client_id, client_secret=client_secret,
                                             refresh_token=refresh_token, authorization_code=authorization_code,
                                             access_ttl=token_ttl, rotate=rotate_refresh_tokens), clock)
        super().__init__(seed, orders, clock)

    # -- Vendor hooks ------------------------------------------------------------------------------------------------
    def clear(self) -> None:
        self.bucket = Bucket(*self._bucket_args)
        self.tokens.reset()
        self.tables = {name: Table(id_field) for name, id_field in ID_FIELDS.items()}
        self.payment_types: dict[str, dict[str, Any]] = {}
        self.shop: neutral.Shop | None = None

    def dump(self) -> dict[str, Any]:
        return {
            **{name: [table.records[rid] for rid in sorted(table.records)] for name, table in self.tables.items()},
            "bucket": {"level": _num(self.bucket.level), "size": _num(self.bucket.size)},
            "tokens": {"access": len(self.tokens.access), "refresh": len(self.tokens.refresh)},
        }

    def revoke_tokens(self) -> None:
        self.tokens.revoke_all()

    # -- mutation API for tests --------------------------------------------------------------------------------------
    def update_sale(self, sale_id: int, **fields: Any) -> dict[str, Any]:
        """Merge `fields` into the sale; `timeStamp`/`updateTime` become now unless given."""
        table = self.tables["Sale"]
        if sale_id not in table.records:
            raise KeyError(f"no sale {sale_id}")
        now = to_iso(self.clock())
        record = {**table.records[sale_id], "timeStamp": now, "updateTime": now, **fields}
        table.put(record)
        return record

    def touch_sale(self, sale_id: int, at: datetime | None = None) -> dict[str, Any]:
        """Bump the sale's `timeStamp` to `at` (default: the clock's now), in the neutral shop too."""
        when = at or datetime.fromtimestamp(self.clock(), UTC)
        if self.shop is not None and sale_id in self.shop.orders:
            neutral.touch(self.shop, sale_id, when)
            self.refresh_order(sale_id)
            return self.tables["Sale"].records[sale_id]
        stamp = to_iso(when.timestamp())
        return self.update_sale(sale_id, timeStamp=stamp, updateTime=stamp)

    def refresh_order(self, order_id: int) -> None:
        """Re-render one order (and its return sales) after a `sandbox.seed` mutation on `self.shop`."""
        if self.shop is None:
            raise KeyError("this stand-in has no generated shop")
        for sale in render_sales(self.shop.orders[order_id], self.shop.customers):
            self.tables["Sale"].put(sale)

    # -- request handling --------------------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path == TOKEN_PATH:
            return self.tokens.token_endpoint(req)
        try:
            return self._api(req)
        except RetailError as exc:
            return Response(exc.status, exc.body())

    def _authorise(self, req: Request) -> None:
        problem = self.tokens.bearer_problem(req.header("authorization"))
        if problem is not None:
            raise RetailError(401, auth.UNAUTHORIZED.get(problem, auth.NOT_VERIFIED))

    def _api(self, req: Request) -> Response:
        now = self.clock()
        self._authorise(req)
        if req.method != "GET":
            raise RetailError(405, f"{req.method} is not supported by this stand-in")
        if req.path == "/API/V3/Account.json":
            resource, rid, relations, cost = "Account", None, [], 1.0
        else:
            resource, rid = self._parse_path(req.path)
            relations = _relations(resource, req.arg("load_relations"))
            cost = COUNT_COST if req.arg("count") == "1" else _relation_cost(resource, relations, listing=rid is None)
        refused = self.bucket.spend(now, cost)
        headers = self._headers(cost)
        if refused is not None:
            kind, wait = refused
            headers.update({"Retry-After": str(wait), "X-LS-API-RateLimit-Type": kind})
            return Response(429, RetailError(429, "Rate Limit Exceeded: Please try again later.").body(), headers)
        try:
            body = self._account() if resource == "Account" else self._get(req, resource, rid, relations)
        except RetailError as exc:
            return Response(exc.status, exc.body(), headers)
        return Response(200, body, headers)

    def _headers(self, cost: float) -> dict[str, str]:
        return {**self.bucket.headers(cost), "X-LS-Acct-Id": self.account_id,
                "X-LS-Oauth-Client-Id": self.tokens.app.client_id}

    def _parse_path(self, path: str) -> tuple[str, int | None]:
        parts = path[len(API_PREFIX) + 1:].split("/") if path.startswith(API_PREFIX + "/") else []
        if len(parts) < 2 or not parts[-1].endswith(".json"):
            raise RetailError(404, f"Unknown resource {path}")
        account, tail = parts[0], [*parts[1:-1], parts[-1][:-len(".json")]]
        if account != self.account_id:
            raise RetailError(403, "Not Authorized: no access to this account")
        if tail[0] not in self.tables or len(tail) > 2:
            raise RetailError(404, f"Unknown resource {path}")
        if len(tail) == 1:
            return tail[0], None
        if not tail[1].isdigit():
            raise RetailError(404, f"{tail[0]} not found")
        return tail[0], int(tail[1])

    def _account(self) -> dict[str, Any]:
        return {"@attributes": {"count": "1"},
                "Account": {"accountID": self.account_id, "name": "Sandbox Retail",
                            "link": {"@attributes": {"href": f"{API_PREFIX}/{self.account_id}"}}}}

    def _get(self, req: Request, resource: str, rid: int | None, relations: list[str]) -> dict[str, Any]:
        table = self.tables[resource]
        if rid is not None:
            if rid not in table.records:
                raise RetailError(404, f"{resource} not found")
            return {resource: self._render(resource, table.records[rid], relations)}
        conditions = _conditions(req)
        archived = req.arg("archived", "false") or "false"
        if archived not in ("true", "false", "only"):
            raise RetailError(400, "archived must be true, false or only")
        if archived != "true":
            conditions.append(Condition("archived", "=", ["true" if archived == "only" else "false"]))
        if req.arg("count") == "1":
            if {"limit", "sort", "after", "before"} & set(req.query):
                raise RetailError(400, "count cannot be combined with limit, sort, after or before")
            total = sum(1 for rec in table.records.values() if all(c.matches(rec) for c in conditions))
            return {"@attributes": {"count": str(total)}}
        limit_text = req.arg("limit", str(MAX_LIMIT)) or str(MAX_LIMIT)
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise RetailError(400, f"limit must be between 1 and {MAX_LIMIT}")
        sort_arg = req.arg("sort", ID_FIELDS[resource]) or ID_FIELDS[resource]
        desc = sort_arg.startswith("-")
        sort_field = SORTABLE[resource].get(sort_arg.lstrip("-"))
        if sort_field is None:
            raise RetailError(400, f"Cannot sort {resource} by {sort_arg.lstrip('-')}")
        ids, has_next, has_previous = _walk(table, sort_field, desc=desc, conditions=conditions,
                                            limit=int(limit_text), after=req.arg("after"), before=req.arg("before"))
        records = [table.records[i] for i in ids]
        base = f"http://{req.header('host', '127.0.0.1')}{req.path}"
        params = {k: v[0] for k, v in req.query.items() if k not in ("after", "before")}
        id_field = ID_FIELDS[resource]
        next_url = f"{base}?{urlencode({**params, 'after': _cursor(sort_field, id_field, records[-1])})}" \
            if ids and has_next else ""
        previous_url = f"{base}?{urlencode({**params, 'before': _cursor(sort_field, id_field, records[0])})}" \
            if ids and has_previous else ""
        out: dict[str, Any] = {"@attributes": {"next": next_url, "previous": previous_url}}
        if records:
            out[resource] = quirk([self._render(resource, rec, relations) for rec in records])
        return out

    # -- rendering stored records with relations ---------------------------------------------------------------------
    def _render(self, resource: str, record: dict[str, Any], relations: list[str]) -> dict[str, Any]:
        """A stored record in API form: its `LISTS` XML-wrapped, only the loaded relations, with what they join."""
        out = {k: v for k, v in record.items() if not isinstance(v, list | dict)}
        for key, (child, empty) in LISTS.get(resource, {}).items():
            if key in RELATIONS.get(resource, {}) and key not in relations:
                continue
            rows = [self._joined(key, row, relations) for row in record.get(key) or []]
            if rows or empty is not None:
                out[key] = {child: quirk(rows)} if rows else empty
        if "Contact" in relations and record.get("Contact"):
            out["Contact"] = self._render("Contact", record["Contact"], [])
        customer = self.tables["Customer"].records.get(int(record.get("customerID") or 0))
        if "Customer" in relations and customer is not None:
            out["Customer"] = self._render("Customer", customer,
                                           ["Contact"] if "Customer.Contact" in relations else [])
        return out

    def _joined(self, key: str, row: dict[str, Any], relations: list[str]) -> dict[str, Any]:
        """A SaleLine with its Item, a SalePayment with its PaymentType, when that relation is loaded."""
        if key == "SaleLines" and "SaleLines.Item" in relations:
            item = self.tables["Item"].records.get(int(row.get("itemID") or 0))
            return row if item is None else {**row, "Item": self._render("Item", item, [])}
        if key == "SalePayments" and "SalePayments.PaymentType" in relations:
            kind = self.payment_types.get(str(row.get("paymentTypeID")))
            return row if kind is None else {**row, "PaymentType": dict(kind)}
        return row

    # -- data sources ------------------------------------------------------------------------------------------------
    def load_generated(self, seed: str) -> None:
        shop = neutral.generate_shop(seed, self.order_count)
        self.shop = shop
        for gateway, (type_id, title, kind) in PAYMENT_TYPES.items():
            self.payment_types[type_id] = {"paymentTypeID": type_id, "name": title, "code": gateway,
                                           "type": kind, "archived": "false"}
        for category in render_tax_categories(shop):
            self.tables["TaxCategory"].put(category)
        self.tables["Shop"].put(render_shop(shop))
        for customer in shop.customers.values():
            self.tables["Customer"].put(render_customer(customer))
        for product in shop.products.values():
            for variant in product.variants:
                self.tables["Item"].put(render_item(variant, product))
        for order in shop.orders.values():
            if order.channel in self.channels and (self.kinds is None or order.kind in self.kinds):
                for sale in render_sales(order, shop.customers):
                    self.tables["Sale"].put(sale)

    def load_dir(self, folder: Path) -> None:
        if not folder.is_dir():
            raise ValueError(f"seed folder {folder} does not exist")
        for resource in ("TaxCategory", "Shop", "Item", "Customer", "Sale"):
            file = folder / f"{resource}.json"
            for record in read_list(file, resource) if file.exists() else []:
                self._load_record(resource, record)

    def _load_record(self, resource: str, record: dict[str, Any]) -> None:
        """Store a payload: lists unwrapped; embedded Items, PaymentTypes and Customers become records of their own."""
        stored = unwrap(resource, record)
        if resource == "Customer" and isinstance(record.get("Contact"), dict):
            stored["Contact"] = unwrap("Contact", record["Contact"])
        for key, joined in (("SaleLines", "Item"), ("SalePayments", "PaymentType")) if resource == "Sale" else ():
            for row in stored[key]:
                if isinstance(row.get(joined), dict) and joined == "Item":
                    self._load_record("Item", row["Item"])
                elif isinstance(row.get(joined), dict):
                    self.payment_types[str(row[joined].get("paymentTypeID"))] = dict(row[joined])
            stored[key] = [{k: v for k, v in row.items() if k != joined} for row in stored[key]]
        if resource == "Sale" and isinstance(record.get("Customer"), dict):
            self._load_record("Customer", record["Customer"])
        self.tables[resource].put(stored)
