"""The Booker against a fake client: bulk lookups, skip rules, default customer, re-check after ambiguous writes."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from connector_common.errors import AmbiguousWrite, RecordError
from connector_common.model import PaymentStatus
from connector_common.write_loop import Pending

sys.path.insert(0, str(Path(__file__).parent))
from destination_eaccounting.booking import Booker, ReferenceData
from destination_eaccounting.config import settings_from_config
from eacc_builders import OrderSpec, order_record
from test_mapping import SE_CODINGS, context

DEFAULT = {"Id": "default-id", "CustomerNumber": "1", "Name": "Kontantkund", "IsPrivatePerson": True,
           "InvoiceCountryCode": "SE", "CurrencyCode": "SEK"}


class FakeClient:
    """Keeps created objects in memory; `lose` makes the next N document POSTs commit but raise AmbiguousWrite."""

    def __init__(self, lose: int = 0) -> None:
        self.customers: list[dict[str, Any]] = []
        self.articles: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.lose = lose
        self.calls: list[str] = []

    def find_customers(self, field: str, values: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_customers {len(values)}")
        return [c for c in self.customers if c.get(field) in values]

    def find_articles(self, numbers: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_articles {len(numbers)}")
        return [a for a in self.articles if a["Number"] in numbers]

    def find_documents(self, kind: str, references: list[str]) -> list[dict[str, Any]]:
        self.calls.append(f"find_documents {len(references)}")
        return [d for d in self.documents if d["YourReference"] in references]

    def create_customer(self, payload: dict[str, Any]) -> dict[str, Any]:
        created = {**payload, "Id": f"c{len(self.customers)}"}
        self.customers.append(created)
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
            raise AmbiguousWrite("POST /customerinvoicedrafts connection failed; the request may have been processed")
        return created


def booker(client: FakeClient, **config: Any) -> Booker:
    settings = settings_from_config({"credentials": {"client_id": "i", "client_secret": "s", "refresh_token": "r"},
                                     "default_customer_number": "1", **config})
    ref = ReferenceData(context=context(), codings_by_id={c.id: c for c in SE_CODINGS}, unit_id="unit",
                        terms=[{"Id": "cash", "Name": "Kontant", "TermsOfPaymentTypeId": 2}], default_customer=DEFAULT)
    return Booker(client, settings, ref)  # type: ignore[arg-type]


def pending(spec: OrderSpec) -> Pending:
    return Pending("orders", order_record(spec))


def test_given_lost_response_after_commit_when_booking_then_found_by_reference_and_not_posted_again() -> None:
    client = FakeClient(lose=1)
    sink = booker(client)
    item = pending(OrderSpec())
    sink.prepare([item])
    assert sink.write(item) == "created"
    assert [d["YourReference"] for d in client.documents] == ["shopify:#1001"]
    assert sink.summary()["eaccounting"]["recovered_after_ambiguous_write"] == 1


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
