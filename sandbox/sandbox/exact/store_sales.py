"""Sales documents of the Exact stand-in: invoices, orders and sales entries with their lines, how Exact numbers
them, derives their names, dates and payment terms, and computes their amounts (see the package docstring,
"Amounts": Exact does not document its arithmetic; these are the stand-in's rules)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sandbox.exact.contract import LABELS, EntitySpec, accept, business, invalid_reference, require
from sandbox.exact.store import LINES, PARENT_OF, Division, Row

CENT = Decimal("0.01")
NOT_REVENUE_GL_TYPES = {10, 12, 20, 22, 24}  # cash, bank, debtors, creditors, VAT
# SalesInvoice.Type as Exact documents it: invoices and credit notes, regular and direct.
INVOICE_TYPES = {8020: "Verkoopfactuur", 8021: "Verkoopcreditnota", 8023: "Directe verkoopfactuur",
                 8024: "Directe verkoopcreditnota"}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class SalesMixin(Division):
    """Entity rules of sales invoices, sales orders and sales entries (headers and lines)."""

    def _create_PrintedSalesInvoice(self, values: Row) -> Row:
        invoice = self._one("SalesInvoice", values.get("InvoiceID"), "Factuur")
        if invoice.get("Status") == 50:
            raise business("Ongeldig: Status (verwerkt)")
        date = values.get("InvoiceDate") or self._today()
        self._save("SalesInvoice", invoice | {"Status": 50, "StatusDescription": "Verwerkt", "InvoiceDate": date})
        return {"InvoiceID": invoice["InvoiceID"], "InvoiceDate": date, "Division": self.division,
                "DocumentCreationSuccess": "Document created", **values}

    def _create_header(self, entity: str, values: Row) -> Row:
        lines_field, line_entity, parent_key = LINES[entity]
        spec = self.specs[entity]
        require(values, spec.mandatory)
        raw_lines = values.pop(lines_field)
        header = self._header(entity, values)
        lines = [self._line(line_entity, accept(self.specs[line_entity], raw, post=True), header)
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
        require(values, ("Item",))
        item = self._one("Item", values["Item"], "Artikel")
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
        require(values, ("GLAccount",))
        gl = self._one("GLAccount", values["GLAccount"], "Grootboekrekening")
        if gl.get("Type") in NOT_REVENUE_GL_TYPES:
            raise business("Ongeldig: Grootboekrekeningtype")  # picqer#121
        require(values, ("AmountFC",))
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

    def _create_line(self, spec: EntitySpec, values: Row) -> Row:
        header_entity, parent_key = PARENT_OF[spec.name]
        require(values, (parent_key,))
        parent = self._one(header_entity, values[parent_key], LABELS[parent_key])
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


    if TYPE_CHECKING:  # provided by store_logistics.StockMixin
        def _reserve_order(self, header: Row) -> None: ...
