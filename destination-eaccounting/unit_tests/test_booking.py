"""The Booker against a fake client: bulk lookups, skip rules, default customer, re-check after ambiguous writes."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

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
from connector_common.testing import SimulatedClock
from connector_common.write_loop import Pending

sys.path.insert(0, str(Path(__file__).parent))
from eacc_builders import Line, OrderSpec, order_record
from test_mapping import SE_CODINGS, context

from destination_eaccounting.booking import Booker, ReferenceData
from destination_eaccounting.config import settings_from_config

DEFAULT = {"Id": "default-id", "CustomerNumber": "1", "Name": "Kontantkund", "IsPrivatePerson": True,
           "InvoiceCountryCode": "SE", "CurrencyCode": "SEK"}


class FakeClient:
    """Keeps created objects in memory; `lose` makes the next N document POSTs commit but raise AmbiguousWrite,
    `elapsed` seconds after sending; a lost document becomes visible `commit_delay` (simulated) seconds later.
    `lose_customers`: the next N customer POSTs commit but lose their answer."""

    def __init__(self, lose: int = 0, *, elapsed: float = 0.0, commit_delay: float = 0.0,
                 lose_customers: int = 0) -> None:
        self.customers: list[dict[str, Any]] = []
        self.articles: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.lose = lose
        self.elapsed = elapsed
        self.commit_delay = commit_delay
        self.lose_customers = lose_customers
        self.clock = SimulatedClock()
        self.visible_from: dict[str, float] = {}
        self.calls: list[str] = []

    def find_customers(self, field: str, values: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_customers {len(values)}")
        return [c for c in self.customers if c.get(field) in values]

    def find_articles(self, numbers: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_articles {len(numbers)}")
        return [a for a in self.articles if a["Number"] in numbers]

    def find_documents(self, kind: str, references: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_documents {len(references)}")
        return [d for d in self.documents if d["YourReference"] in references
                and self.clock.now >= self.visible_from.get(d["Id"], 0.0)]

    def create_customer(self, payload: dict[str, Any]) -> dict[str, Any]:
        created = {**payload, "Id": f"c{len(self.customers)}"}
        self.customers.append(created)
        if self.lose_customers:
            self.lose_customers -= 1
            raise AmbiguousWrite("POST /customers connection failed; the request may have been processed")
        return created

    def create_article(self, payload: dict[str, Any]) -> dict[str, Any]:
        created = {**payload, "Id": f"a{len(self.articles)}"}
        self.articles.append(created)
        return created

    def create_document(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("create_document")
        total = sum(Decimal(r["Quantity"]) * Decimal(r["UnitPrice"]) for r in payload["Rows"])
        created = {**payload, "Id": f"d{len(self.documents)}", "TotalAmount": total, "TotalRoundings": 0,
                   "IncludesVat": True}
        self.documents.append(created)
        if self.lose:
            self.lose -= 1
            self.clock.sleep(self.elapsed)
            self.visible_from[created["Id"]] = self.clock.now + self.commit_delay
            raise AmbiguousWrite("POST /customerinvoicedrafts connection failed; the request may have been processed",
                                 elapsed=self.elapsed)
        return created


def booker(client: FakeClient, **config: Any) -> Booker:
    settings = settings_from_config({"credentials": {"client_id": "i", "client_secret": "s", "refresh_token": "r"},
                                     "default_customer_number": "1", **config})
    ref = ReferenceData(context=context(), codings_by_id={c.id: c for c in SE_CODINGS}, unit_id="unit",
                        terms=[{"Id": "cash", "Name": "Kontant", "TermsOfPaymentTypeId": 2}], default_customer=DEFAULT)
    clock = getattr(client, "clock", SimulatedClock())
    return Booker(client, settings, ref,  # type: ignore[arg-type]
                  create_once=CreateOnce(settle_cap=120, poll_seconds=5, sleep=clock.sleep, clock=clock))


def pending(spec: OrderSpec) -> Pending:
    return Pending("orders", order_record(spec))


def test_given_lost_response_after_commit_when_booking_then_found_by_reference_and_not_posted_again() -> None:
    client = FakeClient(lose=1)
    sink = booker(client)
    item = pending(OrderSpec())
    sink.prepare([item])
    assert sink.write(item) == "created"
    assert [d["YourReference"] for d in client.documents] == ["shopify:#1001"]
    assert sink.summary()["recovered_after_ambiguous_write"] == 1


def test_given_post_answered_after_read_timeout_and_committed_late_when_booking_then_found_and_not_posted_again(
) -> None:
    client = FakeClient(lose=1, elapsed=60, commit_delay=12)
    sink = booker(client)
    item = pending(OrderSpec())
    sink.prepare([item])
    assert sink.write(item) == "created"
    assert [d["YourReference"] for d in client.documents] == ["shopify:#1001"]
    assert client.clock.total_slept == 60 + 15  # our read timeout, then a lookup every 5 s until it showed up
    assert sink.summary()["recovered_after_ambiguous_write"] == 1


def test_given_lost_answer_on_new_customer_with_apostrophe_when_booking_then_found_by_email_and_not_doubled(
) -> None:
    client = FakeClient(lose_customers=1)
    sink = booker(client)
    item = pending(OrderSpec(email="sven.o'brien@example.se", first_name="Sven", last_name="O'Brien"))
    sink.prepare([item])
    assert sink.write(item) == "created"
    assert [c["Name"] for c in client.customers] == ["Sven O'Brien"]
    assert client.documents[0]["CustomerId"] == client.customers[0]["Id"]
    assert sink.summary()["recovered_after_ambiguous_write"] == 1


def test_given_a_batch_when_prepared_then_one_bulk_lookup_per_kind_not_one_per_order() -> None:
    client = FakeClient()
    sink = booker(client)
    batch = [pending(OrderSpec(reference=f"#{i}", email=f"k{i}@example.se")) for i in range(15)]
    sink.prepare(batch)
    assert client.calls == ["find_documents 15", "find_customers 15", "find_articles 21"]
    client.calls.clear()
    for item in batch:
        sink.write(item)
    assert client.calls == ["create_document"] * 15


@pytest.mark.parametrize(("spec", "outcome"), [
    (OrderSpec(payment_status=PaymentStatus.PENDING), "skipped_unpaid"),
    (OrderSpec(cancelled=True), "skipped_cancelled"),
])
def test_given_unbookable_order_when_written_then_skipped_with_reason_and_nothing_created(
        spec: OrderSpec, outcome: str) -> None:
    client = FakeClient()
    assert booker(client).write(pending(spec)) == outcome
    assert client.documents == []


def test_given_anonymous_order_when_written_then_booked_on_default_customer() -> None:
    client = FakeClient()
    booker(client).write(pending(OrderSpec(email=None)))
    assert client.documents[0]["CustomerId"] == "default-id"
    assert client.customers == []


def test_given_anonymous_order_and_no_default_when_written_then_record_error_names_the_order() -> None:
    client = FakeClient()
    sink = booker(client)
    sink.ref.default_customer = None
    with pytest.raises(RecordError) as err:
        sink.write(pending(OrderSpec(email=None)))
    assert str(err.value).startswith("orders/1001 (#1001): customer.email:")


def test_given_walk_in_return_receipt_when_written_twice_then_one_credit_invoice_on_the_default_customer() -> None:
    client = FakeClient()
    sink = booker(client)
    item = pending(OrderSpec(reference="220100002601", source="lightspeed_retail", email=None, channel="pos",
                             payment_status=PaymentStatus.REFUNDED, lines=[Line("TS-1", "Shirt", "-1", "100.00",
                                                                                "25")]))
    sink.prepare([item])
    assert sink.write(item) == "created"
    assert sink.write(item) == "exists"
    [document] = client.documents
    assert document["YourReference"] == "lightspeed_retail:220100002601" and document["IsCreditInvoice"] is True
    assert document["CustomerId"] == "default-id" and document["TotalAmount"] == Decimal("-100.00")


class RefusingClient(FakeClient):
    """Answers every customer POST with `error` (what the common HttpClient raises for the vendor's answer)."""

    def __init__(self, error: ApiError) -> None:
        super().__init__()
        self.error = error

    def create_customer(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise self.error


def test_given_customer_refused_with_validation_error_when_written_then_record_error_and_next_order_booked() -> None:
    error = ApiError("POST /customers returned HTTP 400: Validation failed (ErrorCode 4000); InvoiceCountryCode: "
                     "InvoiceCountryCode must be set when VatNumber is set.", status=400, method="POST")
    client = RefusingClient(error)
    sink = booker(client)
    bad, good = pending(OrderSpec(reference="#1", email="a@example.se")), pending(OrderSpec(reference="#2", email=None))
    sink.prepare([bad, good])
    with pytest.raises(RecordError) as err:
        sink.write(bad)
    assert err.value.stream == "orders" and err.value.key == "1 (#1)"
    assert err.value.field == "billing_address.country" and "InvoiceCountryCode must be set" in str(err.value)
    assert sink.write(good) == "created"
    assert [d["YourReference"] for d in client.documents] == ["shopify:#2"]


@pytest.mark.parametrize("error", [
    AuthFailed("POST /customers returned HTTP 401", status=401),
    NotFound("POST /customers returned HTTP 404", status=404),
    RateLimited("POST /customers returned HTTP 429", status=429),
    TransientApiError("POST /customers returned HTTP 503", status=503),
])
def test_given_auth_rate_limit_or_transient_error_on_customer_when_written_then_not_turned_into_a_skip(
        error: ApiError) -> None:
    sink = booker(RefusingClient(error))
    with pytest.raises(type(error)):
        sink.write(pending(OrderSpec()))
