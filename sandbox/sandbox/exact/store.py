"""The Exact division in memory: its tables (rows by key, lazy hash indexes, a Timestamp log) and the rules Exact
applies when they are written: generic create/update/delete, references and codes, master data (accounts,
contacts, items, prices, VAT codes). Sales documents are in `store_sales`, logistics in `store_logistics`."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.exact import seed as seeddata
from sandbox.exact.contract import EntitySpec, business, coerce, invalid_reference, mandatory, require
from sandbox.exact.odata import local_now, norm_key

Row = dict[str, Any]
DELETED_TYPES = {"Account": 2, "Contact": 5, "Item": 9, "SalesInvoice": 13, "SalesOrder": 32, "SalesOrderLine": 33}
# header entity -> (lines field, line entity, parent key field on the line)
LINES = {"SalesInvoice": ("SalesInvoiceLines", "SalesInvoiceLine", "InvoiceID"),
         "SalesOrder": ("SalesOrderLines", "SalesOrderLine", "OrderID"),
         "SalesEntry": ("SalesEntryLines", "SalesEntryLine", "EntryID")}
PARENT_OF = {line: (header, parent_key) for header, (_, line, parent_key) in LINES.items()}
# what Exact fills in on POST where the payload leaves a field out
DEFAULTS: dict[str, Row] = {"Account": {"Status": "A", "Blocked": False},
                            "Item": {"IsSalesItem": True, "IsStockItem": False, "StandardSalesPrice": Decimal(0)},
                            "VATCode": {"Type": "E", "VATTransactionType": "S", "IsBlocked": False}}


class Table:
    """One entity set. Reads by key, by indexed equality, in insertion order, or by Timestamp (sync endpoints).

    Indexes are built on first use per field and kept current on every write, so `YourRef eq '…'` lookups stay
    O(1) with 10k invoices. Deleted keys leave a tombstone in the order list (skipped when iterating).
    """

    def __init__(self, name: str, key: str) -> None:
        self.name = name
        self.key = key
        self.rows: dict[str, Row] = {}
        self._order: list[str] = []
        self._seq: dict[str, int] = {}
        self._indexes: dict[str, dict[Any, dict[str, None]]] = {}
        self._ts_log: list[tuple[int, str]] = []  # (Timestamp, key), ascending; stale pairs are skipped

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: str) -> Row | None:
        return self.rows.get(key)

    def put(self, row: Row) -> None:
        """Insert or replace the row with this key (the row's Timestamp must be the newest one)."""
        key = row[self.key]
        old = self.rows.get(key)
        if old is None:
            self._seq[key] = len(self._order)
            self._order.append(key)
        for field, index in self._indexes.items():
            if old is not None:
                bucket = index.get(norm_key(old.get(field)))
                if bucket is not None:
                    bucket.pop(key, None)
            index.setdefault(norm_key(row.get(field)), {})[key] = None
        self.rows[key] = row
        if "Timestamp" in row:
            self._ts_log.append((row["Timestamp"], key))

    def delete(self, key: str) -> Row | None:
        row = self.rows.pop(key, None)
        if row is not None:
            for field, index in self._indexes.items():
                index.get(norm_key(row.get(field)), {}).pop(key, None)
        return row

    def seq(self, key: str) -> int | None:
        return self._seq.get(key)

    def scan(self, after_seq: int = -1) -> Iterator[Row]:
        """Rows in insertion order, starting after the given position."""
        for key in self._order[after_seq + 1:]:
            row = self.rows.get(key)
            if row is not None:
                yield row

    def lookup(self, field: str, value: Any) -> list[Row]:
        """Rows whose `field` equals `value` (strings case-insensitive), in insertion order."""
        index = self._indexes.get(field)
        if index is None:
            index = {}
            for key, row in self.rows.items():
                index.setdefault(norm_key(row.get(field)), {})[key] = None
            self._indexes[field] = index
        keys = index.get(norm_key(value), {})
        return [self.rows[k] for k in keys]

    def candidates(self, terms: Iterable[tuple[str, Any]]) -> list[Row]:
        """Union of index lookups, de-duplicated, in insertion order."""
        found: dict[str, Row] = {}
        for field, value in terms:
            for row in self.lookup(field, value):
                found[row[self.key]] = row
        return sorted(found.values(), key=lambda r: self._seq[r[self.key]])

    def since(self, timestamp: int) -> Iterator[Row]:
        """Current rows changed after `timestamp`, ascending by Timestamp (what sync endpoints serve)."""
        start = bisect.bisect_right(self._ts_log, (timestamp, "\uffff"))
        for ts, key in self._ts_log[start:]:
            row = self.rows.get(key)
            if row is not None and row.get("Timestamp") == ts:
                yield row


class Division:
    """The objects of one division and their write rules; mixed into ExactOnline with the sales and logistics
    rules (`store_sales.SalesMixin`, `store_logistics.StockMixin`), which share its tables and helpers."""

    tables: dict[str, Table]
    specs: dict[str, EntitySpec]
    division: int
    timestamp: int
    numbers: dict[str, int]
    clock: Callable[[], float]

    # -- writing: generic -----------------------------------------------------------------------
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

    def _create(self, spec: EntitySpec, values: Row) -> Row:
        if spec.name in LINES:
            return self._create_header(spec.name, values)
        if spec.name in PARENT_OF:
            return self._create_line(spec, values)
        handler = getattr(self, f"_create_{spec.name}", None)
        if handler is not None:
            result: Row = handler(values)
            return result
        return self._insert(spec.name, self._refs(spec, self._new(spec, values)))

    def _new(self, spec: EntitySpec, values: Row) -> Row:
        """A new row's values as Exact checks and completes them: mandatory fields, a unique Code, defaults."""
        require(values, spec.mandatory)
        if "Code" in spec.types and values.get("Code") is not None:
            code = self._code(spec.name, values["Code"])
            if self.tables[spec.name].lookup("Code", code):
                raise business("Gegeven bestaat reeds")
            values["Code"] = code
        return values | {k: v for k, v in DEFAULTS.get(spec.name, {}).items() if k not in values}

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
        self._save(spec.name, self._totals(spec.name, merged) if spec.name in LINES else merged)

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

    # -- entity rules: master data ----------------------------------------------------------------
    def _create_Account(self, values: Row) -> Row:
        if not values.get("Code"):  # "the value of the highest used code is incremented by 1" (default debtor left out)
            values["Code"] = str(self.numbers.get("Account", 0) + 1)
        values = self._new(self.specs["Account"], values)
        code = values["Code"].strip()
        if code.isdigit() and code != seeddata.DEFAULT_DEBTOR_CODE:
            self.numbers["Account"] = max(self.numbers.get("Account", 0), int(code))
        return self._insert("Account", self._refs(self.specs["Account"], values))

    def _create_Contact(self, values: Row) -> Row:
        require(values, ("Account",))
        if not values.get("FirstName") and not values.get("LastName"):
            raise mandatory("LastName")
        return self._insert("Contact", self._refs(self.specs["Contact"], values))

    def _create_SalesItemPrice(self, values: Row) -> Row:
        row = self._insert("SalesItemPrice", self._refs(self.specs["SalesItemPrice"], values))
        if not values.get("Account") and values.get("Price") is not None:
            item = self.tables["Item"].rows[values["Item"]]
            self._save("Item", item | {"StandardSalesPrice": values["Price"]})
        return row

    def _create_VATCode(self, values: Row) -> Row:
        values = self._new(self.specs["VATCode"], values)
        percentages = values.get("VATPercentages") or []
        rate = percentages[-1].get("Percentage") if percentages else None
        values["Percentage"] = coerce(self.specs["VATCode"], "Percentage", rate) if rate is not None else Decimal(0)
        values["VATPercentages"] = None
        return self._insert("VATCode", values)

    if TYPE_CHECKING:  # provided by store_sales.SalesMixin
        def _totals(self, entity: str, header: Row) -> Row: ...
        def _create_line(self, spec: EntitySpec, values: Row) -> Row: ...
        def _create_header(self, entity: str, values: Row) -> Row: ...
        def _update_line(self, spec: EntitySpec, row: Row, values: Row) -> None: ...
