"""The Booker's order of I/O with a fake Exact: bulk lookups, exactly once, ambiguous writes, default debtor."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from exact_testdata import line, order, with_status

from connector_common.errors import (
    AmbiguousWrite,
    ApiError,
    AuthFailed,
    NotFound,
    RateLimited,
    RecordError,
    TransientApiError,
)
from connector_common.exactly_once import CreateOnce
from connector_common.model import PaymentStatus
from connector_common.records import to_record
from connector_common.testing import SimulatedClock
from connector_common.write_loop import Pending
from destination_exact_online.booking import Booker
from destination_exact_online.client import BookedDocument, BusinessError

from .helpers import settings, table


class FakeExact:
    """An in-memory Exact that records every call; `ambiguous` makes the next N document POSTs lose their answer.

    `ambiguous_commits`: the lost POST was committed anyway; `commit_delay`: ... only that many (simulated) seconds
    later; `elapsed`: how long the lost POST was in flight (60 = our read timeout); `contacts_ambiguous`: the next N
    contact POSTs lose their answer after committing.
    """

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.documents: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {"known@example.com": {"ID": "acc-known", "Status": "C"}}
        self.items: dict[str, dict[str, Any]] = {}
        self.created: list[tuple[str, dict[str, Any]]] = []
        self.ambiguous = 0
        self.ambiguous_commits = True
        self.elapsed = 0.0
        self.commit_delay = 0.0
        self.clock = SimulatedClock()
        self.late: list[tuple[float, str, dict[str, Any]]] = []  # (visible from, reference, row)
        self.contacts: dict[tuple[str, str], str] = {}
        self.contacts_ambiguous = 0

    def accounts_by_email(self, emails: Sequence[str]) -> dict[str, dict[str, Any]]:
        self.calls["accounts_by_email"] += 1
        return {e: self.accounts[e] for e in emails if e in self.accounts}

    def account_by_code(self, code: str) -> dict[str, Any] | None:
        self.calls["account_by_code"] += 1
        return {"ID": "acc-default"} if code == "999999" else None

    def items_by_code(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        self.calls["items_by_code"] += 1
        return {c: self.items[c] for c in codes if c in self.items}

    def documents_by_reference(self, entity: str, references: Sequence[str]) -> dict[str, BookedDocument]:
        self.calls["documents_by_reference"] += 1
        for visible_from, reference, row in list(self.late):
            if self.clock() >= visible_from:
                self.documents[reference] = row
                self.late.remove((visible_from, reference, row))
        return {r: BookedDocument(self.documents[r]["ID"], None) for r in references if r in self.documents}

    def contact_id(self, account_id: str, email: str) -> str | None:
        self.calls["contact_id"] += 1
        return self.contacts.get((account_id, email))

    def create(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls[f"create {entity}"] += 1
        row = {"ID": f"{entity}-{len(self.created)}", "InvoiceID": f"inv-{len(self.created)}", **payload}
        if entity in ("SalesInvoice", "SalesOrder", "SalesEntry") and self.ambiguous:
            self.ambiguous -= 1
            if self.ambiguous_commits:
                self.created.append((entity, payload))
                self.late.append((self.clock() + self.commit_delay, payload["YourRef"], row))
            raise AmbiguousWrite("no answer", elapsed=self.elapsed)
        if entity == "Contact":
            self.contacts[(payload["Account"], payload["Email"])] = row["ID"]
            if self.contacts_ambiguous:
                self.contacts_ambiguous -= 1
                self.created.append((entity, payload))
                raise AmbiguousWrite("no answer")
        self.created.append((entity, payload))
        if entity == "Account":
            self.accounts[payload["Email"]] = row
        elif entity == "Item":
            self.items[payload["Code"]] = row
        elif "YourRef" in payload:
            self.documents[payload["YourRef"]] = row
        return row

    def update(self, entity: str, record_id: str, payload: dict[str, Any]) -> None:
        self.calls[f"update {entity}"] += 1


def batch(*orders: Any) -> list[Pending]:
    return [Pending("orders", to_record(o)) for o in orders]


def run(booker: Booker, items: list[Pending]) -> list[str]:
    booker.prepare(items)
    return [booker.write(item) for item in items]


def test_given_a_batch_when_prepared_then_one_query_each_for_documents_accounts_and_items() -> None:
    fake = FakeExact()
    booker = Booker(fake, settings(), table())
    items = batch(*(order(n) for n in range(1, 31)))
    booker.prepare(items)
    assert fake.calls == Counter({"documents_by_reference": 1, "accounts_by_email": 1, "items_by_code": 1})


def test_given_known_customers_and_items_when_steady_state_then_about_one_call_per_order() -> None:
    fake = FakeExact()
    booker = Booker(fake, settings(), table())
    run(booker, batch(*(order(n) for n in range(1, 41))))  # first sync creates customers and items
    fake.calls.clear()
    second = Booker(fake, settings(), table())
    outcomes = run(second, batch(*(order(n) for n in range(41, 141))))
    assert outcomes == ["created"] * 100
    assert sum(fake.calls.values()) / 100 <= 1.05


def test_given_booked_orders_when_run_again_then_nothing_new_is_created() -> None:
    fake = FakeExact()
    run(Booker(fake, settings(), table()), batch(order(1), order(2)))
    before = len(fake.created)
    assert run(Booker(fake, settings(), table()), batch(order(1), order(2))) == ["exists", "exists"]
    assert len(fake.created) == before


def test_given_lost_response_after_commit_when_booking_then_recheck_finds_it_and_no_duplicate() -> None:
    fake = FakeExact()
    fake.ambiguous = 1
    booker = Booker(fake, settings(), table())
    assert run(booker, batch(order(1))) == ["created"]
    assert [p["YourRef"] for e, p in fake.created if e == "SalesInvoice"] == ["shopify:#1001"]
    assert booker.summary()["recovered_after_ambiguous_write"] == 1


def settling(fake: FakeExact) -> CreateOnce:
    """The production policy (settle up to two 60 s read timeouts, look every 5 s) on the fake's simulated clock."""
    return CreateOnce(settle_cap=120, poll_seconds=5, sleep=fake.clock.sleep, clock=fake.clock)


def invoices(fake: FakeExact) -> list[str]:
    return [p["YourRef"] for e, p in fake.created if e == "SalesInvoice"]


def test_given_a_post_failing_at_once_without_commit_when_booking_then_one_recheck_and_posted_again_at_once() -> None:
    fake = FakeExact()
    fake.ambiguous, fake.ambiguous_commits = 1, False
    assert run(Booker(fake, settings(), table(), create_once=settling(fake)), batch(order(1))) == ["created"]
    assert fake.calls["create SalesInvoice"] == 2 and len(fake.documents) == 1
    assert fake.clock.slept == []  # it failed at once: nothing is still running on the server, no reason to wait


def test_given_read_timeout_and_a_late_commit_when_booking_then_it_is_found_while_settling_and_not_posted_again(
) -> None:
    fake = FakeExact()
    fake.ambiguous, fake.elapsed, fake.commit_delay = 1, 60.0, 32.0  # read timeout; it commits 32 s later
    booker = Booker(fake, settings(), table(), create_once=settling(fake))
    assert run(booker, batch(order(1), order(2))) == ["created", "created"]
    assert invoices(fake) == ["shopify:#1001", "shopify:#1002"]
    assert booker.summary()["recovered_after_ambiguous_write"] == 1
    assert fake.clock.total_slept == 35  # looked every 5 s until it appeared


def test_given_read_timeout_and_nothing_committed_when_booking_then_posted_again_only_after_the_settle_window(
) -> None:
    fake = FakeExact()
    fake.ambiguous, fake.ambiguous_commits, fake.elapsed = 1, False, 60.0
    assert run(Booker(fake, settings(), table(), create_once=settling(fake)), batch(order(1))) == ["created"]
    assert invoices(fake) == ["shopify:#1001"] and fake.calls["create SalesInvoice"] == 2
    assert fake.clock.total_slept == 60  # as long again as the failed request was in flight


def test_given_every_post_unanswered_when_booking_then_run_stops_transient_after_three_posts_without_a_duplicate(
) -> None:
    fake = FakeExact()
    fake.ambiguous, fake.ambiguous_commits, fake.elapsed = 5, False, 600.0
    booker = Booker(fake, settings(), table(), create_once=settling(fake))
    with pytest.raises(TransientApiError, match=r"could not confirm whether SalesInvoice shopify:#1001 \(order .*\) was created"):
        run(booker, batch(order(1)))
    assert fake.calls["create SalesInvoice"] == 3 and fake.documents == {}
    assert fake.clock.total_slept == 3 * 120  # the settle window is capped


def test_given_lost_answer_on_a_contact_person_when_creating_a_company_then_the_contact_is_not_doubled() -> None:
    fake = FakeExact()
    fake.contacts_ambiguous = 1
    base = order(1, email="buyer@acme.example")
    assert base.customer is not None
    company = replace(base, customer=replace(base.customer, company_name="Acme BV", first_name="Ann",
                                             last_name="Buyer"))
    booker = Booker(fake, settings(), table(), create_once=settling(fake))
    assert run(booker, batch(company)) == ["created"]
    assert [e for e, _ in fake.created].count("Contact") == 1 and len(fake.contacts) == 1
    assert booker.summary()["recovered_after_ambiguous_write"] == 1


def test_given_order_without_email_when_booked_then_default_debtor_is_used_and_looked_up_once() -> None:
    fake = FakeExact()
    booker = Booker(fake, settings(), table())
    run(booker, batch(order(1, email=None), order(2, email=None)))
    assert [p["OrderedBy"] for e, p in fake.created if e == "SalesInvoice"] == ["acc-default", "acc-default"]
    assert fake.calls["account_by_code"] == 1 and booker.summary()["customers"] == {"defaulted": 2}


def test_given_matching_off_when_booked_then_even_known_customers_go_to_the_default_debtor() -> None:
    fake = FakeExact()
    run(Booker(fake, settings(customer_matching="none"), table()), batch(order(1, email="known@example.com")))
    assert [p["OrderedBy"] for e, p in fake.created if e == "SalesInvoice"] == ["acc-default"]


def test_given_no_default_debtor_when_order_has_no_email_then_record_error_names_the_field() -> None:
    booker = Booker(FakeExact(), settings(default_debtor_code=""), table())
    with pytest.raises(RecordError, match=r"customer\.email"):
        run(booker, batch(order(1, email=None)))


def test_given_existing_customer_with_update_on_when_booked_then_updated_once_per_run() -> None:
    fake = FakeExact()
    booker = Booker(fake, settings(update_customers=True), table())
    run(booker, batch(order(1, email="Known@Example.com"), order(2, email="known@example.com ")))
    assert fake.calls["update Account"] == 1 and fake.calls["create Account"] == 0


def test_given_unpaid_and_cancelled_orders_when_written_then_skipped_with_their_reason() -> None:
    fake = FakeExact()
    outcomes = run(Booker(fake, settings(), table()),
                   batch(with_status(order(1), PaymentStatus.PENDING), order(2, cancelled=True),
                         with_status(order(3), PaymentStatus.PARTIALLY_REFUNDED)))
    assert outcomes == ["skipped_unpaid", "skipped_cancelled", "created"]


def test_given_refund_when_booked_then_invoice_and_credit_note_and_rerun_books_only_new_refunds() -> None:
    fake = FakeExact()
    assert run(Booker(fake, settings(), table()), batch(order(17, refund=True))) == ["created"]
    refs = sorted(p["YourRef"] for e, p in fake.created if e == "SalesInvoice")
    assert refs == ["shopify:#1017", "shopify:#1017/R1701"]
    assert run(Booker(fake, settings(refunds="ignore"), table()), batch(order(17, refund=True))) == ["exists"]


def test_given_create_items_off_when_item_missing_then_record_error_names_order_and_code() -> None:
    with pytest.raises(RecordError) as err:
        run(Booker(FakeExact(), settings(create_items=False), table()), batch(order(1)))
    assert "900001 (#1001)" in str(err.value) and "SKU-1" in str(err.value)


def test_given_dry_run_when_written_then_plans_are_emitted_and_nothing_is_created() -> None:
    fake, plans = FakeExact(), list[str]()
    booker = Booker(fake, settings(dry_run=True), table(), emit=plans.append)
    assert run(booker, batch(order(1), order(2, email=None))) == ["dry_run", "dry_run"]
    assert fake.created == [] and len(plans) == 2 and "new debtor" in plans[0]


class RefusingExact(FakeExact):
    """Answers every POST of `entity` with `error` (what the common HttpClient raises for Exact's answer)."""

    def __init__(self, entity: str, error: ApiError) -> None:
        super().__init__()
        self.entity, self.error = entity, error

    def create(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        if entity == self.entity:
            raise self.error
        return super().create(entity, payload)


@pytest.mark.parametrize(("entity", "error", "field"), [
    ("Account", ApiError("POST /crm/Accounts returned HTTP 400: Ongeldig: Land", status=400), "customer"),
    ("Item", ApiError("POST /logistics/Items returned HTTP 400: Ongeldig: Code", status=400), "lines.0.sku"),
    ("SalesInvoice", BusinessError("POST /salesinvoice/SalesInvoices refused by Exact: Dagboek", status=500), None),
])
def test_given_exact_refuses_one_orders_record_when_written_then_record_error_and_next_order_booked(
        entity: str, error: ApiError, field: str | None) -> None:
    fake = RefusingExact(entity, error)
    booker = Booker(fake, settings(), table())
    bad, good = batch(order(1, email="new@example.com"), order(2, email="known@example.com"))
    booker.prepare([bad, good])
    with pytest.raises(RecordError) as err:
        booker.write(bad)
    assert err.value.key == "900001 (#1001)" and err.value.field == field
    assert str(error) in str(err.value) and "Exact refused" in str(err.value)
    if entity == "Account":  # the next order (a known customer) is still booked
        assert booker.write(good) == "created"
        assert [p["YourRef"] for e, p in fake.created if e == "SalesInvoice"] == ["shopify:#1002"]


@pytest.mark.parametrize("error", [AuthFailed("HTTP 401", status=401), NotFound("HTTP 404", status=404),
                                   RateLimited("HTTP 429", status=429), TransientApiError("HTTP 503", status=503)])
def test_given_auth_rate_limit_or_transient_error_when_written_then_it_is_not_turned_into_a_skip(
        error: ApiError) -> None:
    with pytest.raises(type(error)):
        run(Booker(RefusingExact("Account", error), settings(), table()), batch(order(1, email="new@example.com")))


def test_given_walk_in_return_receipt_when_booked_twice_then_one_credit_note_on_the_default_debtor() -> None:
    fake = FakeExact()
    receipt = replace(order(31, email=None, ship=None, source="lightspeed_retail", status=PaymentStatus.REFUNDED,
                            lines=(line("1", "SKU-1", "19.95", -1, Decimal(21), gross=True),)),
                      reference="220100002601", channel="pos")
    assert run(Booker(fake, settings(), table()), batch(receipt)) == ["created"]
    assert run(Booker(fake, settings(), table()), batch(receipt)) == ["exists"]
    [payload] = [p for e, p in fake.created if e == "SalesInvoice"]
    assert payload["YourRef"] == "lightspeed_retail:220100002601" and payload["Type"] == 8021
    assert payload["OrderedBy"] == "acc-default"
