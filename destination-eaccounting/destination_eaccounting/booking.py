"""The Booker: the order of I/O for one batch (bulk lookups, customer and article upserts, documents created once).

Customers and articles are its collaborators (booking_customers.py, booking_articles.py); this module keeps the
Sink, the orders and the documents.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connector_common.errors import RecordError
from connector_common.exactly_once import CreateOnce, FirstSeen
from connector_common.model import AmountLimit, Order, PaymentStatus, Refund, implausible_amount, order_key
from connector_common.money import cents, to_decimal
from connector_common.notices import CHANGED_AFTER_BOOKING, Notices
from connector_common.records import from_record
from connector_common.report import ALREADY_BOOKED, CREATED, WOULD_CREATE, DocumentOutcome, Recorder, VatPart
from connector_common.vat import owed_vat
from connector_common.write_loop import Pending
from destination_eaccounting.booking_articles import Articles
from destination_eaccounting.booking_customers import Customers
from destination_eaccounting.client import DOCUMENT_PATHS, EaccountingClient
from destination_eaccounting.config import Settings
from destination_eaccounting.mapping import customer_is_company, document_payload
from destination_eaccounting.plan import (
    CustomerView,
    DocumentPlan,
    PlanContext,
    PlanError,
    ReferenceData,
    credit_kind,
    describe_plan,
    document_reference,
    is_return,
)
from destination_eaccounting.planner import plan_order, plan_refund
from destination_eaccounting.writes import refusals

PAID_LIKE = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})
CACHE_SIZE = 20_000  # customers and articles remembered across batches (least recently used dropped first)


@dataclass
class Stats:
    documents: Counter[str] = field(default_factory=Counter)
    customers: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)
    vat: dict[str, dict[str, Any]] = field(default_factory=dict)
    recovered_after_ambiguous_write: int = 0
    rounding_rows: int = 0

    def add_plan(self, plan: DocumentPlan, parts: tuple[VatPart, ...]) -> None:
        """Per VAT scenario: rows, and net and VAT as eAccounting books them (per rate; negative on credits)."""
        for row in plan.rows:
            entry = self.vat.setdefault(row.scenario, {"lines": 0, "net": Decimal(0), "vat": Decimal(0)})
            entry["lines"] += 1
        for part in parts:
            entry = self.vat.setdefault(part.scenario, {"lines": 0, "net": Decimal(0), "vat": Decimal(0)})
            entry["net"] += part.net
            entry["vat"] += part.vat

    def as_dict(self) -> dict[str, Any]:
        # the same shape as the Exact destination's summary, so one report reads both
        return {"documents": dict(self.documents), "customers": dict(self.customers), "items": dict(self.articles),
                "vat": {k: {"lines": v["lines"], "net": str(v["net"]), "vat": str(v["vat"])}
                        for k, v in sorted(self.vat.items())},
                "recovered_after_ambiguous_write": self.recovered_after_ambiguous_write,
                "rounding_rows": self.rounding_rows}


def vat_parts(plan: DocumentPlan) -> tuple[VatPart, ...]:
    """Net and VAT per VAT scenario and coding, from the totals per rate eAccounting computes (negative on credits).

    Rows of one rate under two scenarios (e.g. exempt and zero-rated, both 0 %) share that rate's VAT in proportion
    to their amounts, the last one taking the remainder, so the parts always add up to the document's totals.
    """
    sign = -1 if plan.is_credit else 1
    by_scenario: dict[Decimal, dict[tuple[str, str], Decimal]] = {}
    for row in plan.rows:
        shares = by_scenario.setdefault(row.rate, {})
        key = (row.scenario, row.article.coding.name)
        shares[key] = shares.get(key, Decimal(0)) + row.quantity * row.unit_price * (1 - row.discount)
    parts = []
    for rate, base, vat in plan.totals.by_rate:
        net = base - vat if plan.includes_vat else base
        shares = by_scenario.get(rate) or {("unknown", ""): base}
        whole = sum(shares.values(), Decimal(0))
        left_net, left_vat = net, vat
        for i, ((scenario, code), share) in enumerate(shares.items()):
            last = i == len(shares) - 1
            part_net = left_net if last or not whole else cents(net * share / whole)
            part_vat = left_vat if last or not whole else cents(vat * share / whole)
            left_net, left_vat = left_net - part_net, left_vat - part_vat
            parts.append(VatPart(scenario, code, rate, sign * part_net, sign * part_vat))
    return tuple(parts)


AMOUNT_LIMIT = AmountLimit(Decimal(99_000_000), "eAccounting's largest documented amount (ArticleApi NetPrice and "
                                               "GrossPrice, eaccounting-swagger.json)")


class Booker:
    """Implements the write loop's Sink for eAccounting: one document per order (and per refund), exactly once.

    With `first_seen`, references of orders placed after the company's newest document are not looked up (they
    cannot be booked yet; connector_common.exactly_once.FirstSeen). Customers and articles, found or not, are
    remembered for the whole run in bounded LRU caches.
    """

    def __init__(self, client: EaccountingClient, settings: Settings, ref: ReferenceData,
                 log: Callable[[str], None] = lambda _: None, create_once: CreateOnce | None = None,
                 *, first_seen: FirstSeen | None = None, recorder: Recorder | None = None) -> None:
        self.client = client
        self.first_seen = first_seen
        self.recorder = recorder or Recorder()
        self.notices = Notices(self.recorder)
        self.create_once = create_once or CreateOnce.for_client(client.http)
        self.settings = settings
        self.ref = ref
        self.log = log
        self.stats = Stats()
        self._booked: dict[str, dict[str, Any]] = {}
        self._checked_refs: set[str] = set()
        self.customers = Customers(client, settings, ref, self.stats.customers, self._created, cache_size=CACHE_SIZE)
        self.articles = Articles(client, settings, ref, self.stats.articles, self._created, cache_size=CACHE_SIZE)
        self._generic_prefetched = False
        self._parsed: dict[int, Order | RecordError] = {}  # id(Pending) -> the batch's parsed orders

    # --- Sink -------------------------------------------------------------------------------------------------
    def prepare(self, batch: Sequence[Pending]) -> None:
        """Bulk lookups for a batch: existing documents by reference, customers by e-mail/number, articles."""
        # what earlier batches booked is in eAccounting now: forget it, so memory stays flat however long the sync
        self._booked.clear()
        self._checked_refs.clear()
        self._parsed.clear()
        orders: list[Order] = []
        for item in batch:
            if item.stream == "orders":
                try:
                    order = from_record("orders", item.data)
                except RecordError as exc:
                    self._parsed[id(item)] = exc  # write() raises it for this record
                    continue
                self._parsed[id(item)] = order
                orders.append(order)
        references = []
        for order in orders:
            references.append(document_reference(order))
            references += [document_reference(order, r) for r in order.refunds]
            self._skip_new(order, references[-1 - len(order.refunds):])
        self._lookup_documents(references, returns=any(is_return(o) for o in orders))
        keys = [self.customers.key(o) for o in orders if self._wanted(o) == "book"]
        self.customers.lookup([k for k in keys if k and k not in self.customers.cache])
        numbers = [(line.sku or "").strip() for o in orders for line in o.lines]
        if not self._generic_prefetched:
            numbers += self.articles.generic_numbers()
            self._generic_prefetched = True
        self.articles.lookup(numbers)

    def write(self, item: Pending) -> str:
        if item.stream == "orders":
            parsed = self._parsed.pop(id(item), None) or from_record("orders", item.data)  # parsed once per batch
            if isinstance(parsed, RecordError):
                raise parsed
            return self._write_order(parsed)
        if item.stream == "customers":
            return self.customers.write(from_record("customers", item.data))
        if item.stream == "products":
            return self.articles.write(from_record("products", item.data))
        raise RecordError(item.stream, None, None, "stream not supported by this destination")

    def summary(self) -> dict[str, Any]:
        return {**self.stats.as_dict(), "dry_run": self.settings.dry_run,
                "reference_lookups_skipped": self.first_seen.lookups_skipped if self.first_seen else 0,
                **self.notices.summary()}

    # --- orders -----------------------------------------------------------------------------------------------
    def _wanted(self, order: Order) -> str:
        if order.test and self.settings.skip_test_orders:
            return "skipped_test"
        if order.cancelled and self.settings.skip_cancelled:
            return "skipped_cancelled"
        statuses = self.settings.book_payment_statuses
        if order.payment_status in statuses or (PaymentStatus.PAID in statuses and order.payment_status in PAID_LIKE):
            return "book"
        return "skipped_unpaid"

    def _skip_new(self, order: Order, references: list[str]) -> None:
        """References that cannot be booked yet count as checked (an ambiguous POST still looks its one up)."""
        if self.first_seen is not None:
            placed: datetime = order.created_at
            self._checked_refs.update(r for r in references if not self.first_seen.may_exist(r, placed))

    def _write_order(self, order: Order) -> str:
        wanted = self._wanted(order)
        if wanted != "book":
            return wanted
        company = self.ref.context
        owed = owed_vat(order, option=self.settings.invalid_vat_number, seller_country=company.seller_country,
                        oss_registered=company.oss_registered)
        order = owed.order if owed else order
        reference = document_reference(order)
        self._lookup_documents([reference, *(document_reference(order, r) for r in order.refunds)],
                               returns=is_return(order))
        kind = self.settings.document_type
        customer: CustomerView | None = None
        if reference in self._booked:
            self._refuse_if_changed(order, reference)
            outcome = "exists"
            self._record_existing(reference, self.settings.document_type)
        else:
            implausible = implausible_amount(order, max_order_total=self.settings.max_order_total,
                                             limit=AMOUNT_LIMIT)
            if implausible:
                raise RecordError("orders", order_key(order), *implausible)

            def build(customer: CustomerView, ctx: PlanContext) -> DocumentPlan:
                return plan_order(order, customer, ctx, kind=kind)

            # plan against the customer as it is or would be first: an order refused by the plan leaves no new
            # or changed customer behind; plan again only when creating or updating it changed the customer
            preview = self._order_customer(order, preview=True)
            plan = self._plan(order, build, preview)
            customer = self._order_customer(order)
            outcome = self._book(plan if customer == preview else self._plan(order, build, customer), order)
            self.notices.booked(order, is_company=customer_is_company(order.customer,
                                                                      order.billing_address or order.shipping_address),
                                owed=owed)
        if self.settings.refunds == "credit_invoice":
            for refund in order.refunds:
                if document_reference(order, refund) in self._booked:
                    self._record_existing(document_reference(order, refund), credit_kind(kind) + "_credit")
                    continue
                customer = customer or self._order_customer(order)
                plan = self._plan(order, _refund_builder(order, refund, credit_kind(kind)), customer)
                self._book(plan, order)
        return outcome

    def _refuse_if_changed(self, order: Order, reference: str) -> None:
        """A booked document is final (an invoice cannot be edited; a draft or order may be in an accountant's
        hands): when the shop's order now plans to another total than the document found for it (the lookup
        returned it whole), report it by reference with both totals (counted, failing the run)."""
        booked = booked_total(self._booked[reference])
        if booked is None:
            return
        try:  # planned against the customer as it is: no write, and the batch's lookups already hold what it needs
            plan = self._plan(order, lambda customer, ctx: plan_order(order, customer, ctx,
                                                                      kind=self.settings.document_type),
                              self._order_customer(order, preview=True))
        except RecordError:
            return  # the order cannot be planned today (e.g. a VAT coding removed since): nothing to compare with
        if (abs(booked) if plan.is_credit else booked) == plan.expected_total:
            return
        number = _number(self._booked[reference])
        raise self.notices.refusal(
            CHANGED_AFTER_BOOKING, order_key(order), "totals.grand_total",
            f"{reference} changed after booking: eAccounting holds document {number} with total {booked}, the "
            f"shop's order now totals {plan.expected_total} ({plan.expected_total - abs(booked):+}); a booked "
            "document is final: credit it and book the order again by hand")

    def _order_customer(self, order: Order, *, preview: bool = False) -> CustomerView:
        with refusals("orders", order_key(order), "customer", "customer"):
            return self.customers.for_order(order, preview=preview)

    def _plan(self, order: Order, build: Callable[[CustomerView, PlanContext], DocumentPlan],
              customer: CustomerView) -> DocumentPlan:
        context = dataclasses.replace(self.ref.context, articles=self.articles.views())
        try:
            return build(customer, context)
        except PlanError as exc:
            raise RecordError("orders", order_key(order), exc.field, str(exc)) from None

    def _book(self, plan: DocumentPlan, order: Order) -> str:
        with refusals("orders", order_key(order), "lines", "article"):
            ids = self.articles.ensure(plan)
        parts = vat_parts(plan)
        self.stats.add_plan(plan, parts)
        self.stats.rounding_rows += 1 if plan.rounding_row else 0
        kind = f"{plan.kind}{'_credit' if plan.is_credit else ''}"
        view = plan.customer
        self.recorder.debtor(f"{view.origin} customer {view.number or view.name}")
        if self.settings.dry_run:
            self.log("DRY RUN " + describe_plan(plan))
            self.stats.documents[f"{kind}:planned"] += 1
            self.recorder.document(DocumentOutcome(kind, plan.reference, WOULD_CREATE, parts=parts))
            return "dry_run"
        payload = document_payload(plan, order, ids)
        document = self._create_once(plan, payload, order)
        self._verify(plan, document, order)
        self.stats.documents[kind] += 1
        self.recorder.document(DocumentOutcome(kind, plan.reference, CREATED, _number(document), parts))
        return "created"

    def _record_existing(self, reference: str, kind: str) -> None:
        self.recorder.document(DocumentOutcome(kind, reference, ALREADY_BOOKED, _number(self._booked[reference])))

    def _create_once(self, plan: DocumentPlan, payload: dict[str, Any], order: Order) -> dict[str, Any]:
        """POST the document; after an ambiguous failure look it up by our reference before trying again."""
        def post() -> dict[str, Any]:
            with refusals("orders", order_key(order), None, plan.kind.replace("_", " ")):
                return self.client.create_document(plan.kind, payload)

        def find() -> dict[str, Any] | None:
            self._checked_refs.discard(plan.reference)
            self._lookup_documents([plan.reference], kind=plan.kind)
            return self._booked.get(plan.reference)

        document = self._created(post, find, f"{plan.kind} {plan.reference!r} (order {order_key(order)})")
        self._booked[plan.reference] = document
        if self.first_seen is not None:
            self.first_seen.booked(plan.reference)
        return document

    def _created(self, post: Callable[[], dict[str, Any]], find: Callable[[], dict[str, Any] | None],
                 what: str) -> dict[str, Any]:
        created = self.create_once(post, find, what)
        self.stats.recovered_after_ambiguous_write += created.recovered
        return created.value

    def _verify(self, plan: DocumentPlan, document: dict[str, Any], order: Order) -> None:
        """Compare eAccounting's computed totals with the plan; a wrong draft/order is deleted, never left behind."""
        booked = booked_total(document)
        if booked is None:
            return
        ok = (abs(booked) if plan.is_credit else booked) == plan.expected_total
        includes = document.get("IncludesVat")
        if ok and (includes is None or bool(includes) == plan.includes_vat):
            return
        problem = (f"eAccounting computed {booked} (IncludesVat {includes}) for {plan.reference!r}, expected "
                   f"{plan.expected_total} (IncludesVat {plan.includes_vat})")
        doc_id = document.get("Id")
        if plan.kind != "customer_invoice" and doc_id:
            self.client.http.request("DELETE", f"{DOCUMENT_PATHS[plan.kind]}/{doc_id}")
            self._booked.pop(plan.reference, None)
            raise RecordError("orders", order_key(order), "totals.grand_total", problem + "; the document was deleted")
        raise RecordError("orders", order_key(order), "totals.grand_total",
                          problem + "; the invoice is booked and must be credited by hand")

    # --- documents --------------------------------------------------------------------------------------------
    def _lookup_documents(self, references: list[str], kind: str | None = None, returns: bool = False) -> None:
        """Which references are booked already; `returns`: some are return receipts (credited as drafts when the
        document type is "order")."""
        todo = [r for r in dict.fromkeys(references) if r not in self._checked_refs and r not in self._booked]
        if not todo:
            return
        kinds = {kind or self.settings.document_type}
        if kind is None and (returns or self.settings.refunds == "credit_invoice"):
            kinds.add(credit_kind(self.settings.document_type))
        for k in kinds:
            for document in self.client.find_documents(k, todo):
                ref = document.get("YourReference")
                if isinstance(ref, str) and ref in todo:
                    self._booked[ref] = document
        self._checked_refs.update(todo)


def booked_total(document: dict[str, Any]) -> Decimal | None:
    """A document's total as eAccounting computed it (None when the answer has no totals)."""
    if "TotalAmount" in document:  # drafts and invoices: payable incl. VAT and roundings
        return _money(document, "TotalAmount") - _money(document, "TotalRoundings")
    if "Amount" in document and "VatAmount" in document:  # orders: net amount + VAT
        return _money(document, "Amount") + _money(document, "VatAmount")
    return None


def _refund_builder(order: Order, refund: Refund, kind: str) -> Callable[[CustomerView, PlanContext], DocumentPlan]:
    def build(customer: CustomerView, context: PlanContext) -> DocumentPlan:
        return plan_refund(order, refund, customer, context, kind=kind)

    return build


def _money(document: dict[str, Any], key: str) -> Decimal:
    value = document.get(key) or 0
    return to_decimal(str(value) if isinstance(value, float) else value, field=key)


def _number(document: dict[str, Any]) -> str:
    """The document's number as eAccounting shows it (a draft has none yet: its id)."""
    return str(document.get("InvoiceNumber") or document.get("Number") or document.get("Id") or "")
