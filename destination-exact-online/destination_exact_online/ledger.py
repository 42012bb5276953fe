"""The ledger side of `reconcile-bookings`: the sales documents Exact holds for our booking references (read only)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connector_common.reconcile import LedgerDocument
from destination_exact_online.client import KEYS, ExactClient, budget_filters
from destination_exact_online.destination import DestinationExactOnline
from destination_exact_online.settings import parse_settings

# entity -> (number field, date field, VAT field or None when VAT is AmountFC - AmountFCExclVat)
FIELDS = {"SalesInvoice": ("InvoiceNumber", "InvoiceDate", "VATAmountFC"),
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
        out = []
        for entity in ENTITIES[self.settings.document_type]:
            number, day, vat_field = FIELDS[entity]
            select = ",".join([KEYS[entity], number, day, "YourRef", "AmountFC",
                               vat_field or "AmountFCExclVat"])
            for flt in budget_filters("YourRef", sorted(set(references))):
                for row in self.client.query(entity, filter=flt, select=select):
                    gross = _money(row.get("AmountFC"))
                    vat = _money(row.get(vat_field)) if vat_field else gross - _money(row.get("AmountFCExclVat"))
                    out.append(LedgerDocument(reference=str(row.get("YourRef") or "").strip(),
                                              number=str(row.get(number) or row.get(KEYS[entity])),
                                              date=str(row.get(day) or "")[:10], net=gross - vat, vat=vat))
        return out


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def open_ledger(config: dict[str, Any], config_path: str | None) -> ExactLedger:
    """The entry point registered in `connector_common.ledgers` as `exact-online`."""
    return ExactLedger(config, config_path)
