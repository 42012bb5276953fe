"""The ledger side of `reconcile-bookings`: the documents eAccounting holds for our booking references (read only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from connector_common.reconcile import LedgerDocument
from destination_eaccounting.client import DOCUMENT_PATHS, EaccountingClient
from destination_eaccounting.config import settings_from_config
from destination_eaccounting.destination import DestinationEaccounting
from destination_eaccounting.plan import credit_kind


class EaccountingLedger:
    """Invoice drafts (and the invoices they became), invoices or orders by YourReference."""

    name = "Visma eAccounting"

    def __init__(self, config: dict[str, Any], config_path: str | None) -> None:
        self.settings = settings_from_config(dict(config))
        destination = DestinationEaccounting(config_path, emit=lambda _message: None)
        self.client: EaccountingClient = destination._client(self.settings, config)  # rotated tokens are saved

    def documents(self, references: Sequence[str]) -> list[LedgerDocument]:
        kinds = dict.fromkeys((self.settings.document_type, credit_kind(self.settings.document_type)))
        return _unique(doc for kind in kinds for doc in self.client.find_documents(kind, list(references)))

    def documents_dated(self, since: date, until: date) -> list[LedgerDocument]:
        paths = ([DOCUMENT_PATHS["order"]] if self.settings.document_type == "order"  # drafts may be booked since
                 else [DOCUMENT_PATHS["customer_invoice_draft"], DOCUMENT_PATHS["customer_invoice"]])
        day = "OrderDate" if self.settings.document_type == "order" else "InvoiceDate"
        flt = f"{day} ge {since.isoformat()} and {day} le {until.isoformat()}"
        return _unique(doc for path in dict.fromkeys(paths) for doc in self.client.list_all(path, flt))


def _unique(docs: Iterable[dict[str, Any]]) -> list[LedgerDocument]:
    """eAccounting documents as the ledger's side, once per Id (a draft search also returns booked invoices)."""
    seen: set[str] = set()
    out = []
    for doc in docs:
        key = str(doc.get("Id"))
        if key in seen:
            continue
        seen.add(key)
        if "TotalAmount" in doc:
            gross = _money(doc.get("TotalAmount")) - _money(doc.get("TotalRoundings"))
            vat = _money(doc.get("TotalVatAmount"))
        else:  # orders: net amount + VAT
            vat = _money(doc.get("VatAmount"))
            gross = _money(doc.get("Amount")) + vat
        out.append(LedgerDocument(reference=str(doc.get("YourReference") or ""),
                                  number=str(doc.get("InvoiceNumber") or doc.get("Number") or key),
                                  date=str(doc.get("InvoiceDate") or doc.get("OrderDate") or "")[:10],
                                  net=gross - vat, vat=vat))
    return out


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def open_ledger(config: dict[str, Any], config_path: str | None) -> EaccountingLedger:
    """The entry point registered in `connector_common.ledgers` as `eaccounting`."""
    return EaccountingLedger(config, config_path)
