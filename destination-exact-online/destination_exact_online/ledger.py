"""The ledger side of `reconcile-bookings`: the sales documents Exact holds for our booking references (read only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from connector_common.reconcile import LedgerDocument
from destination_exact_online.client import KEYS, ExactClient, budget_filters
from destination_exact_online.destination import DestinationExactOnline
from destination_exact_online.settings import parse_settings

# entity -> (number field, date field, VAT field or None when VAT is AmountFC - AmountFCExclVat)
FIELDS = {"SalesInvoice": ("InvoiceNumber", "OrderDate", "VATAmountFC"),  # InvoiceDate: set on processing only
          "SalesOrder": ("OrderNumber", "OrderDate", None),
          "SalesEntry": ("EntryNumber", "EntryDate", "VATAmountFC")}
ENTITIES = {"sales_invoice": ("SalesInvoice",), "sales_order": ("SalesOrder", "SalesInvoice"),  # credit notes are
            "sales_entry": ("SalesEntry",)}                                                      # invoices


class ExactLedger:
    """Sales invoices / orders / entries by YourRef, for the document type the config books."""

    name = "Exact Online"

    def __init__(self, config: dict[str, Any], config_path: str | None) -> None:
        self.settings = parse_settings(config)
        destination = DestinationExactOnline(config_path, emit=lambda _message: None)
        self.client: ExactClient = destination._connect(config, self.settings).client  # rotated tokens are saved

    def documents(self, references: Sequence[str]) -> list[LedgerDocument]:
        return [doc for entity in ENTITIES[self.settings.document_type]
                for flt in budget_filters("YourRef", sorted(set(references))) for doc in self._query(entity, flt)]

    def documents_dated(self, since: date, until: date) -> list[LedgerDocument]:
        out = []
        for entity in ENTITIES[self.settings.document_type]:
            day = FIELDS[entity][1]
            out += self._query(entity, f"{day} ge datetime'{since.isoformat()}' and "
                                       f"{day} lt datetime'{(until + timedelta(days=1)).isoformat()}'")
        return out

    def _query(self, entity: str, flt: str) -> list[LedgerDocument]:
        number, day, vat_field = FIELDS[entity]
        select = ",".join([KEYS[entity], number, day, "YourRef", "AmountFC", vat_field or "AmountFCExclVat"])
        out = []
        for row in self.client.query(entity, filter=flt, select=select):
            gross = _money(row.get("AmountFC"))
            vat = _money(row.get(vat_field)) if vat_field else gross - _money(row.get("AmountFCExclVat"))
            out.append(LedgerDocument(reference=str(row.get("YourRef") or "").strip(),
                                      number=str(row.get(number) or row.get(KEYS[entity])),
                                      date=_day(row.get(day)), net=gross - vat, vat=vat))
        return out


def _day(value: object) -> str:
    """An OData v2 date (`/Date(1704153600000)/`) or ISO text -> YYYY-MM-DD."""
    text = str(value or "")
    if text.startswith("/Date("):
        millis = int(text[6:].split(")", 1)[0].split("+", 1)[0].split("-", 1)[0] or 0)
        return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()
    return text[:10]


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def open_ledger(config: dict[str, Any], config_path: str | None) -> ExactLedger:
    """The entry point registered in `connector_common.ledgers` as `exact-online`."""
    return ExactLedger(config, config_path)
