"""PURE: BookingPlan -> Exact document: which entity it is booked as, its POST body, its dry-run text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connector_common.money import quantize
from destination_exact_online.items import MAX_ITEM_DESCRIPTION
from destination_exact_online.plan import BookingPlan, PlanLine
from destination_exact_online.settings import Settings

INVOICE_TYPE = 8020
CREDIT_NOTE_TYPE = 8021
UNIT_PRICE_PLACES = 6


@dataclass(frozen=True, slots=True, kw_only=True)
class PayloadRefs:
    """IDs resolved by the booker: the debtor account, item IDs by code and GL account IDs by code."""

    account_id: str
    item_ids: Mapping[str, str] = field(default_factory=dict)
    gl_ids: Mapping[str, str] = field(default_factory=dict)


def _unit_price(line: PlanLine) -> Decimal:
    return quantize(line.net / line.quantity, UNIT_PRICE_PLACES)


def _dims(settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if settings.cost_center:
        out["CostCenter"] = settings.cost_center
    if settings.cost_unit:
        out["CostUnit"] = settings.cost_unit
    return out


def _item_id(line: PlanLine, refs: PayloadRefs) -> str:
    assert line.item_code is not None
    return refs.item_ids[line.item_code]


def _header(plan: BookingPlan) -> dict[str, Any]:
    out: dict[str, Any] = {"YourRef": plan.reference, "Description": plan.description, "Currency": plan.currency}
    if plan.payment_condition:
        out["PaymentCondition"] = plan.payment_condition
    return out


def invoice_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesinvoice/SalesInvoices` POST body (Type 8021 for a credit note)."""
    override = settings.revenue_gl_accounts_by_country.get(plan.country)
    lines = []
    for line in plan.lines:
        body: dict[str, Any] = {"Item": _item_id(line, refs), "Description": line.description[:MAX_ITEM_DESCRIPTION],
                                "Quantity": line.quantity, "UnitPrice": _unit_price(line), "AmountFC": line.net,
                                "VATCode": line.vat_code, **_dims(settings)}
        if override and line.kind == "product":
            body["GLAccount"] = refs.gl_ids[override]
        lines.append(body)
    return {"Journal": settings.journal_code, "OrderedBy": refs.account_id, "OrderDate": plan.on.isoformat(),
            "Type": CREDIT_NOTE_TYPE if plan.credit_note else INVOICE_TYPE, **_header(plan), "SalesInvoiceLines": lines}


def sales_order_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesorder/SalesOrders` POST body."""
    lines = [{"Item": _item_id(line, refs), "Description": line.description[:MAX_ITEM_DESCRIPTION],
              "Quantity": line.quantity, "UnitPrice": _unit_price(line), "AmountFC": line.net,
              "VATCode": line.vat_code, **_dims(settings)} for line in plan.lines]
    return {"OrderedBy": refs.account_id, "OrderDate": plan.on.isoformat(), **_header(plan), "SalesOrderLines": lines}


def entry_gl_code(line: PlanLine, plan: BookingPlan, settings: Settings) -> str:
    """The GL account code of a sales-entry line (revenue per country, shipping, rounding)."""
    if line.kind == "rounding" and settings.rounding_gl_account:
        return settings.rounding_gl_account
    if line.kind == "shipping" and settings.shipping_gl_account:
        return settings.shipping_gl_account
    code = settings.revenue_gl_for(plan.country)
    assert code is not None  # parse_settings requires revenue_gl_account for sales entries
    return code


def entry_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """A `salesentry/SalesEntries` POST body: GL lines with the shop's VAT as VATAmountFC (negative = credit)."""
    lines = [{"GLAccount": refs.gl_ids[entry_gl_code(line, plan, settings)],
              "Description": line.description[:MAX_ITEM_DESCRIPTION], "Quantity": line.quantity,
              "AmountFC": line.net, "VATCode": line.vat_code, "VATAmountFC": line.vat, **_dims(settings)}
             for line in plan.lines]
    return {"Journal": settings.journal_code, "Customer": refs.account_id, "EntryDate": plan.on.isoformat(),
            **_header(plan), "SalesEntryLines": lines}


def document_payload(plan: BookingPlan, refs: PayloadRefs, settings: Settings) -> dict[str, Any]:
    """The POST body for the plan's document type (credit notes of sales orders are sales invoices)."""
    if plan.document_type == "sales_entry":
        return entry_payload(plan, refs, settings)
    if plan.document_type == "sales_order" and not plan.credit_note:
        return sales_order_payload(plan, refs, settings)
    return invoice_payload(plan, refs, settings)


def document_entity(plan: BookingPlan) -> str:
    """The Exact entity a plan is booked as: SalesInvoice, SalesOrder or SalesEntry."""
    if plan.document_type == "sales_entry":
        return "SalesEntry"
    if plan.document_type == "sales_order" and not plan.credit_note:
        return "SalesOrder"
    return "SalesInvoice"


def plan_text(plan: BookingPlan, debtor: str) -> str:
    """The booking plan of one document as an accountant reads it."""
    kind = "credit note" if plan.credit_note else document_entity(plan)
    head = (f"PLAN {plan.reference}: {kind} on {plan.on.isoformat()} for {debtor}; total {plan.currency} {plan.total}"
            f" (net {plan.net_total})")
    shop_vat = plan.document_type == "sales_entry"
    rows = [f"  {ln.kind:<8} {ln.item_code or '-':<14} qty {ln.quantity} net {ln.net} VAT code {ln.vat_code}"
            f" ({ln.treatment.key}) VAT {ln.vat if shop_vat else ln.exact_vat}" for ln in plan.lines]
    return "\n".join([head, *rows])
