"""The Booker: the order of I/O for one batch (bulk lookups, customer and article upserts, documents created once)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cachetools import LRUCache
from requests.structures import CaseInsensitiveDict

from connector_common.caches import CodeCache
from connector_common.errors import ApiError, AuthFailed, ConfigError, RecordError, TransientApiError, quoted
from connector_common.exactly_once import CreateOnce, FirstSeen
from connector_common.model import (
    Address,
    AmountLimit,
    Customer,
    CustomerRef,
    FulfillmentStatus,
    Order,
    PaymentStatus,
    Product,
    Refund,
    Totals,
    implausible_amount,
)
from connector_common.money import cents, to_decimal
from connector_common.notices import CHANGED_AFTER_BOOKING, Notices
from connector_common.records import from_record
from connector_common.report import ALREADY_BOOKED, CREATED, WOULD_CREATE, DocumentOutcome, Recorder, VatPart
from connector_common.vat import Scenario, VatTreatment, owed_vat
from connector_common.wire import email_key
from connector_common.write_loop import Pending
from destination_eaccounting.client import DOCUMENT_PATHS, EaccountingClient
from destination_eaccounting.config import Settings
from destination_eaccounting.mapping import (
    ArticleNeed,
    ArticleView,
    CustomerView,
    DocumentPlan,
    PlanContext,
    PlanError,
    article_payload,
    credit_kind,
    customer_changes,
    customer_is_company,
    customer_payload,
    customer_view,
    describe_plan,
    document_payload,
    document_reference,
    generic_number,
    is_return,
    plan_order,
    plan_refund,
    product_article,
)
from destination_eaccounting.vat_codes import Coding, MissingCoding

PAID_LIKE = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})
CASH_TERMS_TYPE = 2
DRY_RUN_ID = "(dry run)"
NOT_A_REFUSAL = frozenset({401, 403, 404, 429})  # auth, not found and rate limits keep their own handling
CACHE_SIZE = 20_000  # customers and articles remembered across batches (least recently used dropped first)
_VENDOR_FIELD = re.compile(r"(?:HTTP \d{3}: |; )([A-Za-z][\w\[\].]*): ")
CANONICAL_FIELDS = {  # eAccounting field -> canonical field path, for the skip report
    "InvoiceCountryCode": "billing_address.country", "InvoicePostalCode": "billing_address.postcode",
    "InvoiceCity": "billing_address.city", "InvoiceAddress1": "billing_address.line1",
    "VatNumber": "customer.vat_number", "EmailAddress": "customer.email", "Telephone": "customer.phone",
}


@dataclass
class ReferenceData:
    """What the Booker needs from the company, read once per sync (see `load_reference_data`)."""

    context: PlanContext
    codings_by_id: dict[str, Coding]
    unit_id: str
    terms: list[dict[str, Any]]
    default_customer: dict[str, Any] | None


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
        # "email:x" / "number:y" -> customer or None
        self._customers: LRUCache[str, dict[str, Any] | None] = LRUCache(CACHE_SIZE)
        # article number -> article or None; eAccounting compares article numbers case-insensitively (its OData
        # filter and its "Article number ... is already in use" check), so does the cache
        self._articles: CodeCache[dict[str, Any] | None] = CodeCache(CACHE_SIZE)
        self._updated_articles: set[str] = set()  # casefolded
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
        keys = [self._customer_key(o) for o in orders if self._wanted(o) == "book"]
        self._lookup_customers([k for k in keys if k and k not in self._customers])
        numbers = [(line.sku or "").strip() for o in orders for line in o.lines]
        if not self._generic_prefetched:
            numbers += self._generic_numbers()
            self._generic_prefetched = True
        self._lookup_articles(numbers)

    def write(self, item: Pending) -> str:
        if item.stream == "orders":
            parsed = self._parsed.pop(id(item), None) or from_record("orders", item.data)  # parsed once per batch
            if isinstance(parsed, RecordError):
                raise parsed
            return self._write_order(parsed)
        if item.stream == "customers":
            return self._write_customer(from_record("customers", item.data))
        if item.stream == "products":
            return self._write_product(from_record("products", item.data))
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
                raise RecordError("orders", _key(order), *implausible)

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
            CHANGED_AFTER_BOOKING, _key(order), "totals.grand_total",
            f"{reference} changed after booking: eAccounting holds document {number} with total {booked}, the "
            f"shop's order now totals {plan.expected_total} ({plan.expected_total - abs(booked):+}); a booked "
            "document is final: credit it and book the order again by hand")

    def _order_customer(self, order: Order, *, preview: bool = False) -> CustomerView:
        with _refusals("orders", _key(order), "customer", "customer"):
            return self._customer_for(order, preview=preview)

    def _plan(self, order: Order, build: Callable[[CustomerView, PlanContext], DocumentPlan],
              customer: CustomerView) -> DocumentPlan:
        context = dataclasses.replace(self.ref.context, articles=self._article_views())
        try:
            return build(customer, context)
        except PlanError as exc:
            raise RecordError("orders", _key(order), exc.field, str(exc)) from None

    def _book(self, plan: DocumentPlan, order: Order) -> str:
        with _refusals("orders", _key(order), "lines", "article"):
            ids = self._ensure_articles(plan)
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
            with _refusals("orders", _key(order), None, plan.kind.replace("_", " ")):
                return self.client.create_document(plan.kind, payload)

        def find() -> dict[str, Any] | None:
            self._checked_refs.discard(plan.reference)
            self._lookup_documents([plan.reference], kind=plan.kind)
            return self._booked.get(plan.reference)

        document = self._created(post, find, f"{plan.kind} {plan.reference!r} (order {_key(order)})")
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
            raise RecordError("orders", _key(order), "totals.grand_total", problem + "; the document was deleted")
        raise RecordError("orders", _key(order), "totals.grand_total",
                          problem + "; the invoice is booked and must be credited by hand")

    # --- customers --------------------------------------------------------------------------------------------
    def _customer_key(self, order: Order) -> str | None:
        ref = order.customer
        if self.settings.customer_matching == "customer_number":
            return f"number:{ref.source_id}" if ref and ref.source_id else None
        email = email_key(ref.email if ref else None)
        return f"email:{email}" if email else None

    def _customer_for(self, order: Order, *, preview: bool = False) -> CustomerView:
        """The order's customer: matched, updated, created or the default one. `preview`: as it is or would be,
        with no write and no count (for planning before anything is written)."""
        key = self._customer_key(order)
        if key is None:
            return self._default_customer(order, count=not preview)
        if key not in self._customers:
            self._lookup_customers([key])
        terms_id = self._terms_for(order)
        number = key.split(":", 1)[1] if key.startswith("number:") else None
        if number is not None and len(number) > 16:
            raise RecordError("orders", _key(order), "customer.source_id",
                              f"customer id {number!r} is longer than eAccounting's 16-character customer number")
        wanted = customer_payload(order, terms_id=terms_id, number=number,
                                  seller_country=self.ref.context.seller_country)
        existing = self._customers.get(key)
        if preview:
            if existing is None:
                return customer_view({**wanted, "Id": None}, "would create")
            changes = customer_changes(existing, wanted) if self.settings.update_existing_customers else {}
            return customer_view({**existing, **changes}, "matched")
        if existing is not None:
            return self._maybe_update(existing, wanted, key)
        if self.settings.dry_run:
            self.stats.customers["would_create"] += 1
            return customer_view({**wanted, "Id": None}, "would create")
        created = self._create_customer(wanted, key)
        self._customers[key] = created
        self.stats.customers["created"] += 1
        return customer_view(created, "created")

    def _maybe_update(self, existing: dict[str, Any], wanted: dict[str, Any], key: str) -> CustomerView:
        changes = customer_changes(existing, wanted) if self.settings.update_existing_customers else {}
        if not changes:
            self.stats.customers["matched"] += 1
            return customer_view(existing, "matched")
        if self.settings.dry_run:
            self.stats.customers["would_update"] += 1
            return customer_view({**existing, **changes}, "would update")
        updated = self.client.update_customer(existing["Id"], {**existing, **changes}) or {**existing, **changes}
        self._customers[key] = updated
        self.stats.customers["updated"] += 1
        return customer_view(updated, "updated")

    def _create_customer(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            self._customers.pop(key, None)
            self._lookup_customers([key])
            return self._customers.get(key)

        return self._created(lambda: self.client.create_customer(payload), find,
                             f"customer {quoted(str(payload.get('Name') or ''))} ({key})")

    def _default_customer(self, order: Order, *, count: bool = True) -> CustomerView:
        if self.ref.default_customer is None:
            raise RecordError("orders", _key(order), "customer.email",
                              "the order has no customer e-mail (or matching is off) and no default_customer_number "
                              "is configured")
        self.stats.customers["defaulted"] += count
        return customer_view(self.ref.default_customer, "default")

    def _terms_for(self, order: Order) -> str:
        wanted = self.settings.default_terms_of_payment
        gateways = [p.gateway.strip().lower() for p in order.payments]
        for method, terms in self.settings.terms_by_payment_method:
            if method in gateways:
                wanted = terms
                break
        return resolve_terms(self.ref.terms, wanted)

    def _lookup_customers(self, keys: list[str]) -> None:
        by_field = {"email": "EmailAddress", "number": "CustomerNumber"}
        for prefix, field_name in by_field.items():
            values = [k.split(":", 1)[1] for k in keys if k.startswith(prefix + ":")]
            if not values:
                continue
            for k in values:
                self._customers.setdefault(f"{prefix}:{k}", None)
            found = self.client.find_customers(field_name, values)
            for customer in sorted(found, key=lambda c: (not c.get("IsActive", True), str(c.get("CustomerNumber")))):
                raw = customer.get(field_name)
                value = email_key(raw) if prefix == "email" else raw
                key = f"{prefix}:{value}"
                if key in self._customers and self._customers[key] is None:
                    self._customers[key] = customer

    # --- articles ---------------------------------------------------------------------------------------------
    def _generic_numbers(self) -> list[str]:
        s = self.settings
        bases = (s.shipping_article_number, s.discount_article_number, s.generic_article_number,
                 s.rounding_article_number)
        return [generic_number(b, c) for b in bases for c in self.ref.codings_by_id.values()]

    def _lookup_articles(self, numbers: list[str]) -> None:
        missing = [n for n in dict.fromkeys(numbers) if n and len(n) <= 40 and n not in self._articles]
        if not missing:
            return
        for n in missing:
            self._articles[n] = None
        for article in self.client.find_articles(missing):
            if article.get("Number") in self._articles:
                self._articles[article["Number"]] = article

    def _article_views(self) -> CaseInsensitiveDict[ArticleView]:
        return CaseInsensitiveDict({n: ArticleView(id=a["Id"], number=str(a.get("Number") or n),
                                                   name=str(a.get("Name") or a.get("Number") or n),
                                                   coding=self.ref.codings_by_id.get(str(a.get("CodingId"))))
                                    for n, a in self._articles.items() if a is not None})

    def _ensure_articles(self, plan: DocumentPlan) -> dict[str, str]:
        ids: dict[str, str] = {}
        for row in plan.rows:
            need = row.article
            if need.number in ids:
                continue
            existing = self._articles.get(need.number)
            if existing is None and need.number not in self._articles:
                self._lookup_articles([need.number])
                existing = self._articles.get(need.number)
            if existing is not None:
                self._maybe_update_article(existing, need)
                ids[need.number] = existing["Id"]
            elif self.settings.dry_run:
                self.stats.articles["would_create"] += 1
                ids[need.number] = DRY_RUN_ID
                self._articles[need.number] = {"Id": DRY_RUN_ID, "Number": need.number, "Name": need.name,
                                               "CodingId": need.coding.id}
            else:
                created = self._create_article(need)
                ids[need.number] = created["Id"]
        return ids

    def _create_article(self, need: ArticleNeed) -> dict[str, Any]:
        payload = article_payload(need, self.ref.unit_id)

        def find() -> dict[str, Any] | None:
            self._articles.pop(need.number, None)
            self._lookup_articles([need.number])
            return self._articles.get(need.number)

        created = self._created(lambda: self.client.create_article(payload), find, f"article {need.number!r}")
        self._articles[need.number] = created
        self.stats.articles["created"] += 1
        return created

    def _maybe_update_article(self, existing: dict[str, Any], need: ArticleNeed) -> None:
        if (not self.settings.update_existing_articles or need.kind != "sku" or need.net_price is None
                or need.number.casefold() in self._updated_articles):
            return
        self._updated_articles.add(need.number.casefold())
        wanted = article_payload(need, str(existing.get("UnitId") or self.ref.unit_id))
        changes = {k: v for k, v in wanted.items() if k in ("Name", "NetPrice", "GrossPrice")
                   and _differs(existing.get(k), v)}
        if not changes:
            return
        if self.settings.dry_run:
            self.stats.articles["would_update"] += 1
            return
        self._articles[need.number] = self.client.update_article(existing["Id"], {**existing, **changes}) or existing
        self.stats.articles["updated"] += 1

    # --- customers and products streams -----------------------------------------------------------------------
    def _write_customer(self, customer: Customer) -> str:
        ref = CustomerRef(source_id=customer.source_id, email=customer.email, first_name=customer.first_name,
                          last_name=customer.last_name, company_name=customer.company_name, phone=customer.phone,
                          vat_number=customer.vat_number, is_company=customer.is_company)
        shell = _order_shell(ref, customer.address, self.ref.context.company_currency, customer)
        key = self._customer_key(shell)
        if key is None:
            return "skipped_no_key"
        before = Counter(self.stats.customers)
        with _refusals("customers", customer.source_id, "customer", "customer"):
            view = self._customer_for(shell)
        changed = self.stats.customers - before
        return next(iter(changed), view.origin)

    def _write_product(self, product: Product) -> str:
        scenario = Scenario.DOMESTIC if product.tax_rate > 0 else Scenario.DOMESTIC_ZERO
        treatment = VatTreatment(scenario=scenario, rate=product.tax_rate, country=self.ref.context.seller_country)
        try:
            coding = self.ref.context.codings.coding_for(treatment)
        except MissingCoding as exc:
            raise RecordError("products", product.source_id, "tax_rate", str(exc)) from None
        need = product_article(product, coding)
        if need is None:
            return "skipped_no_sku"
        self._lookup_articles([need.number])
        existing = self._articles.get(need.number)
        if existing is not None:
            before = self.stats.articles["updated"] + self.stats.articles["would_update"]
            self._maybe_update_article(existing, need)
            after = self.stats.articles["updated"] + self.stats.articles["would_update"]
            return "updated" if after > before else "exists"
        if not self.settings.create_missing_articles:
            return "skipped_no_create"
        if self.settings.dry_run:
            self.stats.articles["would_create"] += 1
            return "dry_run"
        with _refusals("products", product.source_id, "product", "article"):
            self._create_article(need)
        return "created"

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


def is_refusal(exc: ApiError) -> bool:
    """A vendor validation error: eAccounting processed the request and refused this one record (a 4xx other than
    auth, not found and rate limits). Those skip the record; everything else stays fatal or transient."""
    return (exc.status is not None and 400 <= exc.status < 500 and exc.status not in NOT_A_REFUSAL
            and not isinstance(exc, TransientApiError | AuthFailed))  # a rejected token is never one record's fault


def refused_field(area: str | None, exc: ApiError) -> str | None:
    """The canonical field a refusal points at (from eAccounting's first field error), else the area."""
    match = _VENDOR_FIELD.search(str(exc))
    if match is None:
        return area
    vendor = match.group(1)
    return CANONICAL_FIELDS.get(vendor) or (f"{area}.{vendor}" if area else vendor)


@contextmanager
def _refusals(stream: str, key: str | None, area: str | None, what: str) -> Iterator[None]:
    """Turn eAccounting's refusal of one record's customer, article or document into a RecordError (skip it)."""
    try:
        yield
    except ApiError as exc:
        if not is_refusal(exc):
            raise
        raise RecordError(stream, key, refused_field(area, exc), f"eAccounting refused the {what}: {exc}") from None


def _refund_builder(order: Order, refund: Refund, kind: str) -> Callable[[CustomerView, PlanContext], DocumentPlan]:
    def build(customer: CustomerView, context: PlanContext) -> DocumentPlan:
        return plan_refund(order, refund, customer, context, kind=kind)

    return build


def resolve_terms(terms: list[dict[str, Any]], wanted: str | None) -> str:
    """Terms-of-payment id by id or name (case-insensitive); default the first cash terms, else the first for sales.

    Raises:
        ConfigError: when a configured terms of payment does not exist.
    """
    sales = [t for t in terms if t.get("AvailableForSales", True)]
    if wanted:
        for t in terms:
            if wanted.strip().lower() in (str(t.get("Id")).lower(), str(t.get("Name") or "").strip().lower()):
                return str(t["Id"])
        raise ConfigError(f"terms of payment {wanted!r} does not exist in eAccounting")
    for t in sales:
        if t.get("TermsOfPaymentTypeId") == CASH_TERMS_TYPE:
            return str(t["Id"])
    if not sales:
        raise ConfigError("eAccounting has no terms of payment available for sales")
    return str(sales[0]["Id"])


def _order_shell(ref: CustomerRef, address: Address | None, currency: str, customer: Customer) -> Order:
    """A minimal order carrying a `customers` record, so customers reuse the order path's matching and payload."""
    return Order(source=customer.source, source_id=customer.source_id, reference=customer.source_id,
                 created_at=customer.created_at, updated_at=customer.updated_at, currency=currency,
                 prices_include_tax=True, payment_status=PaymentStatus.UNKNOWN,
                 fulfillment_status=FulfillmentStatus.UNKNOWN, lines=(),
                 totals=Totals(subtotal_incl=Decimal(0), shipping_incl=Decimal(0), discount_incl=Decimal(0),
                               tax_total=Decimal(0), tax_lines=(), grand_total=Decimal(0)),
                 customer=ref, billing_address=address)


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(wanted, Decimal):
        try:
            return to_decimal(current if not isinstance(current, float) else str(current)) != wanted
        except ValueError:
            return True
    return bool(current != wanted)


def _money(document: dict[str, Any], key: str) -> Decimal:
    value = document.get(key) or 0
    return to_decimal(str(value) if isinstance(value, float) else value, field=key)


def _number(document: dict[str, Any]) -> str:
    """The document's number as eAccounting shows it (a draft has none yet: its id)."""
    return str(document.get("InvoiceNumber") or document.get("Number") or document.get("Id") or "")


def _key(order: Order) -> str:
    return f"{order.source_id} ({order.reference})"
