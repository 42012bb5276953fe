"""The Booker: the order of I/O for booking a batch exactly once (bulk lookups, upserts, create, re-check)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connector_common import errors
from connector_common.errors import ApiError, ConfigError, RecordError
from connector_common.exactly_once import CreateOnce, FirstSeen
from connector_common.http import default_timeout
from connector_common.model import AmountLimit, Customer, Order, PaymentStatus, Product, implausible_amount, order_key
from connector_common.notices import CHANGED_AFTER_BOOKING, Notices
from connector_common.records import from_record
from connector_common.report import ALREADY_BOOKED, CREATED, WOULD_CREATE, DocumentOutcome, Recorder, VatPart
from connector_common.vat import owed_vat
from connector_common.write_loop import Pending
from destination_exact_online.client import BookingApi, BusinessError
from destination_exact_online.customers import customer_facts_from_customer, customer_facts_from_order
from destination_exact_online.documents import PayloadRefs, document_entity, document_payload, entry_gl_code, plan_text
from destination_exact_online.masterdata import Accounts, Items
from destination_exact_online.plan import BookingPlan, order_plan, refund_plan
from destination_exact_online.settings import Settings
from destination_exact_online.vat_codes import VatCodeTable

PAID_LIKE = {PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
STALE = ("ongeldige referentie", "invalid reference")  # Exact's words for an ID that no longer exists


@dataclass
class Stats:
    """Counters for the final SUMMARY line."""

    documents: Counter[str] = field(default_factory=Counter)
    customers: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    vat: dict[str, dict[str, Decimal | int]] = field(default_factory=dict)
    recovered_after_ambiguous_write: int = 0

    def add_vat(self, plan: BookingPlan, shop_vat: bool) -> None:
        for line in plan.lines:
            row = self.vat.setdefault(line.treatment.key, {"lines": 0, "net": Decimal(0), "vat": Decimal(0)})
            row["lines"] = int(row["lines"]) + 1
            row["net"] = Decimal(row["net"]) + line.net
            row["vat"] = Decimal(row["vat"]) + (line.vat if shop_vat else line.exact_vat)


def vat_parts(plan: BookingPlan) -> tuple[VatPart, ...]:
    """The plan's net and VAT per VAT scenario and code, as the booking report shows them (VAT as Exact books it:
    the shop's on sales entries, Exact's computed VAT otherwise)."""
    shop_vat = plan.document_type == "sales_entry"
    parts: dict[tuple[str, str, Decimal], tuple[Decimal, Decimal]] = {}
    for line in plan.lines:
        key = (line.treatment.key, line.vat_code, line.treatment.rate)
        net, vat = parts.get(key, (Decimal("0.00"), Decimal("0.00")))
        parts[key] = (net + line.net, vat + (line.vat if shop_vat else line.exact_vat))
    return tuple(VatPart(scenario, code, rate, net, vat) for (scenario, code, rate), (net, vat) in parts.items())


AMOUNT_LIMIT = AmountLimit(Decimal("9999999999999.99"), "Exact's amounts are Edm.Double, exact to the cent up to 15 "
                                                        "significant digits (exact-fields.json docs_types)")


class Booker:
    """Implements connector_common.write_loop.Sink for Exact Online.

    prepare(batch): parses the batch, then ONE query per kind for the whole batch: existing documents by our
    reference, accounts by e-mail, items by code (each split only when the URL would exceed Exact's limit).
    write(item): books one record. Every POST goes through `create_once` (connector_common.exactly_once): after an
    ambiguous failure the reference is looked up again (for as long again as the failed request was in flight) before
    anything is posted twice.

    With `first_seen` (entity -> FirstSeen), the batch lookup of references skips orders placed after the ledger's
    newest document (they cannot be booked yet). Accounts and items found or created are remembered for the whole
    run in bounded LRU caches (masterdata.Accounts and Items); a document Exact refuses with "invalid reference" (an
    account or item deleted or merged since) drops the order's cached account and items and is posted once more with
    fresh ones.
    """

    def __init__(self, client: BookingApi, settings: Settings, vat: VatCodeTable, *,
                 gl_ids: dict[str, str] | None = None, emit: Callable[[str], None] | None = None,
                 call_counter: Callable[[], int] | None = None,
                 create_once: CreateOnce | None = None, first_seen: Callable[[str], FirstSeen] | None = None,
                 recorder: Recorder | None = None) -> None:
        self.client = client
        self.first_seen = first_seen
        self._first_seen: dict[str, FirstSeen] = {}
        self.recorder = recorder or Recorder()
        self.notices = Notices(self.recorder)
        self.create_once = create_once or CreateOnce(settle_cap=2 * default_timeout()[1])
        self.call_counter = call_counter
        self.settings = settings
        self.vat = vat
        self.gl_ids = dict(gl_ids or {})
        self.emit = emit or (lambda _text: None)
        self.stats = Stats()
        self._parsed: dict[int, Order | Customer | Product | RecordError] = {}
        self._documents: dict[str, str] = {}  # reference -> document ID, for every reference looked up or created
        self._booked_totals: dict[str, Decimal] = {}  # reference -> total incl. VAT of the document found for it
        self._looked_up_refs: set[str] = set()
        self.accounts = Accounts(client, settings, self.stats.customers, self._create_once)
        self.items = Items(client, settings, vat, self.stats.items, self._create_once)
        self.stale_references = 0

    # -- Sink ---------------------------------------------------------------------------------------------------
    def prepare(self, batch: Sequence[Pending]) -> None:
        self._parsed.clear()
        # what earlier batches booked is in Exact now: forget it, so memory stays flat however long the sync
        self._documents.clear()
        self._booked_totals.clear()
        self._looked_up_refs.clear()
        refs: dict[str, list[str]] = {}
        emails: set[str] = set()
        codes: set[str] = set()
        for item in batch:
            try:
                parsed = from_record(item.stream, item.data)
            except RecordError as exc:
                self._parsed[id(item)] = exc
                continue
            self._parsed[id(item)] = parsed
            if isinstance(parsed, Order):
                try:
                    plans = self._plans(parsed)
                except RecordError:
                    plans = []
                for plan in plans:
                    if self._may_exist(plan, parsed):
                        refs.setdefault(document_entity(plan), []).append(plan.reference)
                    codes.update(line.item_code for line in plan.lines if line.item_code)
                facts = customer_facts_from_order(parsed, self.settings.seller_country)
                if facts and self.settings.customer_matching == "email":
                    emails.add(facts.email)
            elif isinstance(parsed, Customer):
                facts = customer_facts_from_customer(parsed)
                if facts:
                    emails.add(facts.email)
            elif isinstance(parsed, Product) and parsed.sku:
                codes.add(parsed.sku.strip())
        for entity, entity_refs in refs.items():
            todo = [r for r in entity_refs if r not in self._looked_up_refs]
            if todo:
                for reference, booked in self.client.documents_by_reference(entity, todo).items():
                    self._documents[reference] = booked.id
                    if booked.total is not None:
                        self._booked_totals[reference] = booked.total
                self._looked_up_refs.update(todo)
        self.accounts.lookup(emails)
        if self.settings.document_type != "sales_entry" or any(isinstance(p, Product) for p in self._parsed.values()):
            self.items.lookup(codes)

    def write(self, item: Pending) -> str:
        parsed = self._parsed.pop(id(item), None)
        if parsed is None:
            parsed = from_record(item.stream, item.data)
        if isinstance(parsed, RecordError):
            raise parsed
        if isinstance(parsed, Order):
            return self._write_order(parsed)
        if isinstance(parsed, Customer):
            return self._write_customer(parsed)
        if isinstance(parsed, Product):
            return self._write_product(parsed)
        raise RecordError(item.stream, None, None, "unsupported stream")

    def summary(self) -> dict[str, Any]:
        return {"documents": dict(self.stats.documents), "customers": dict(self.stats.customers),
                "items": dict(self.stats.items), "vat": self.stats.vat, "dry_run": self.settings.dry_run,
                "recovered_after_ambiguous_write": self.stats.recovered_after_ambiguous_write,
                "reference_lookups_skipped": sum(f.lookups_skipped for f in self._first_seen.values()),
                "stale_references": self.stale_references,
                **self.notices.summary(),
                **({"api_calls": self.call_counter()} if self.call_counter else {})}

    # -- orders -------------------------------------------------------------------------------------------------
    def _may_exist(self, plan: BookingPlan, order: Order) -> bool:
        """Whether a document with the plan's reference can be in Exact already (then it is looked up)."""
        if self.first_seen is None:
            return True
        entity = document_entity(plan)
        if entity not in self._first_seen:
            self._first_seen[entity] = self.first_seen(entity)
        return self._first_seen[entity].may_exist(plan.reference, order.created_at)

    def _plans(self, order: Order) -> list[BookingPlan]:
        plans = [order_plan(order, self.settings, self.vat)]
        if self.settings.refunds == "credit_note":
            plans.extend(refund_plan(order, refund, self.settings, self.vat) for refund in order.refunds)
        return plans

    def _write_order(self, order: Order) -> str:
        if order.cancelled and self.settings.skip_cancelled:
            return "skipped_cancelled"
        status = order.payment_status
        wanted = set(self.settings.payment_statuses)
        if status.value not in wanted and not ("paid" in wanted and status in PAID_LIKE):
            return "skipped_unpaid"
        owed = owed_vat(order, option=self.settings.invalid_vat_number, seller_country=self.settings.seller_country,
                        oss_registered=self.settings.oss_registered)
        order = owed.order if owed else order
        plans = self._plans(order)
        outcomes = []
        debtor: tuple[str, str] | None = None
        for plan in plans:
            if plan.reference in self._documents:
                self._refuse_if_changed(plan)
                outcomes.append("exists")
                self.recorder.document(DocumentOutcome(_kind(plan), plan.reference, ALREADY_BOOKED,
                                                       self._documents[plan.reference]))
                continue
            if debtor is None:
                implausible = implausible_amount(order, max_order_total=self.settings.max_order_total,
                                                 limit=AMOUNT_LIMIT)
                if implausible:
                    raise RecordError("orders", order_key(order), *implausible)
                with _refusals("orders", order_key(order), "customer", "debtor account"):
                    debtor = self.accounts.debtor(order)
                self.recorder.debtor(debtor[1])
            try:
                outcomes.append(self._book(plan, debtor))
            except StaleReference:
                self._forget(order, plan)
                with _refusals("orders", order_key(order), "customer", "debtor account"):
                    debtor = self.accounts.debtor(order)
                self.recorder.debtor(debtor[1])
                outcomes.append(self._book(plan, debtor))
        if debtor is not None:
            ref = order.customer
            self.notices.booked(order, is_company=bool(ref and (ref.is_company or ref.company_name)), owed=owed)
        return outcomes[0] if len(set(outcomes)) == 1 or outcomes[0] != "exists" else "exists_new_credit_note"

    def _refuse_if_changed(self, plan: BookingPlan) -> None:
        """A booked sales invoice is final: when the shop's order now gives another total than the document booked
        for it, the order is reported by reference with both totals (counted, failing the run), never passed over
        as "exists"."""
        booked = self._booked_totals.get(plan.reference)
        if plan.credit_note or booked is None or booked == plan.total:
            return
        raise self.notices.refusal(
            CHANGED_AFTER_BOOKING, plan.order_key, "totals.grand_total",
            f"{plan.reference} changed after booking: Exact holds document {self._documents[plan.reference]} with "
            f"total {booked}, the shop's order now totals {plan.total} ({plan.total - booked:+}); a booked invoice "
            "is final: credit it and book the order again by hand")

    def _book(self, plan: BookingPlan, debtor: tuple[str, str]) -> str:
        account_id, label = debtor
        item_ids: dict[str, str] = {}
        for line in plan.lines:
            if line.item_code and plan.document_type != "sales_entry" and line.item_code not in item_ids:
                with _refusals("orders", plan.order_key, f"{line.where}.sku", f"item {line.item_code!r}"):
                    item_ids[line.item_code] = self.items.item_id(line.item_code, line.description,
                                                                  line.treatment.rate, plan.order_key)
        gl_ids = self.gl_ids
        if plan.document_type == "sales_entry":
            missing = {entry_gl_code(line, plan, self.settings) for line in plan.lines} - set(gl_ids)
            if missing:
                raise ConfigError(f"GL account(s) {', '.join(sorted(missing))} do not exist in this Exact division")
        entity = document_entity(plan)
        kind = _kind(plan)
        self.stats.add_vat(plan, shop_vat=plan.document_type == "sales_entry")
        if self.settings.dry_run:
            self.emit(plan_text(plan, label))
            self.stats.documents[f"{kind}:planned"] += 1
            self.recorder.document(DocumentOutcome(kind, plan.reference, WOULD_CREATE, parts=vat_parts(plan)))
            return "dry_run"
        payload = document_payload(plan, PayloadRefs(account_id=account_id, item_ids=item_ids, gl_ids=gl_ids),
                                   self.settings)
        what = f"{kind.replace('_', ' ')} {plan.reference}"
        created: dict[str, Any] = {}

        def post() -> str:
            with _refusals("orders", plan.order_key, None, what):
                created.update(self.client.create(entity, payload))
                return str(created.get(_key(entity)) or "")

        def find() -> str | None:
            found = self.client.documents_by_reference(entity, [plan.reference]).get(plan.reference)
            return found.id if found else None

        self._documents[plan.reference] = self._create_once(post, find, f"{what} (order {plan.order_key})")
        if entity in self._first_seen:
            self._first_seen[entity].booked(plan.reference)
        self.stats.documents[kind] += 1
        number = created.get(NUMBER_FIELDS[entity]) or self._documents[plan.reference]
        self.recorder.document(DocumentOutcome(kind, plan.reference, CREATED, str(number), vat_parts(plan)))
        return "created"

    def _forget(self, order: Order, plan: BookingPlan) -> None:
        """Exact says an ID we sent no longer exists: drop the cached account and items of this order."""
        self.stale_references += 1
        self.accounts.forget(order)
        self.items.forget(line.item_code for line in plan.lines if line.item_code)

    def _create_once(self, post: Callable[[], str], find: Callable[[], str | None], what: str) -> str:
        created = self.create_once(post, find, what)
        self.stats.recovered_after_ambiguous_write += created.recovered
        return created.value

    # -- customers and products --------------------------------------------------------------------------------
    def _write_customer(self, customer: Customer) -> str:
        facts = customer_facts_from_customer(customer)
        if facts is None:
            raise RecordError("customers", customer.source_id, "email", "customer has no e-mail to match on")
        with _refusals("customers", customer.source_id, None, "account"):
            _, outcome = self.accounts.upsert(facts)
        return f"customer_{outcome}"

    def _write_product(self, product: Product) -> str:
        with _refusals("products", product.source_id, None, "item"):
            return self.items.upsert_product(product)


def is_refusal(exc: ApiError) -> bool:
    """A vendor validation error: Exact processed the request and refused this one record (a 4xx other than auth,
    not found and rate limits, or its 500 with an error envelope). Those skip the record; the rest stays fatal."""
    return isinstance(exc, BusinessError) or errors.is_refusal(exc)


@contextmanager
def _refusals(stream: str, key: str | None, field: str | None, what: str) -> Iterator[None]:
    """Turn Exact's refusal of one record's account, item or document into a RecordError (the record is skipped)."""
    try:
        yield
    except ApiError as exc:
        if not is_refusal(exc):
            raise
        error = StaleReference if any(word in str(exc).lower() for word in STALE) else RecordError
        raise error(stream, key, field, f"Exact refused the {what}: {exc}") from None


class StaleReference(RecordError):
    """Exact refused a record because an ID in it does not exist (any more): cached IDs may be out of date."""


NUMBER_FIELDS = {"SalesInvoice": "InvoiceNumber", "SalesOrder": "OrderNumber", "SalesEntry": "EntryNumber"}


def _kind(plan: BookingPlan) -> str:
    """The document type as the summary and the booking report name it."""
    return "credit_note" if plan.credit_note else document_entity(plan)


def _key(entity: str) -> str:
    return {"SalesInvoice": "InvoiceID", "SalesOrder": "OrderID", "SalesEntry": "EntryID"}[entity]
