"""One record's write, as the Booker and its customers and articles share it: created once, refused by eAccounting
(one record's fault: skipped, not fatal), and reported by the order's key; `BookerPart`, what the Booker's customers
and articles are made with."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from connector_common.errors import ApiError, RecordError, is_refusal
from destination_eaccounting.client import EaccountingClient
from destination_eaccounting.config import Settings
from destination_eaccounting.plan import ReferenceData

_VENDOR_FIELD = re.compile(r"(?:HTTP \d{3}: |; )([A-Za-z][\w\[\].]*): ")
CANONICAL_FIELDS = {  # eAccounting field -> canonical field path, for the skip report
    "InvoiceCountryCode": "billing_address.country", "InvoicePostalCode": "billing_address.postcode",
    "InvoiceCity": "billing_address.city", "InvoiceAddress1": "billing_address.line1",
    "VatNumber": "customer.vat_number", "EmailAddress": "customer.email", "Telephone": "customer.phone",
}

# the Booker's `_created`: POST once with `post`, after an ambiguous failure look the record up with `find`
Created = Callable[[Callable[[], dict[str, Any]], Callable[[], dict[str, Any] | None], str], dict[str, Any]]


class BookerPart:
    """A part of the Booker (its customers, its articles): the client, settings and company facts it writes with,
    `counts`, its counter in the Booker's summary, and `created`, the Booker's create-once POST."""

    def __init__(self, client: EaccountingClient, settings: Settings, ref: ReferenceData, counts: Counter[str],
                 created: Created) -> None:
        self.client = client
        self.settings = settings
        self.ref = ref
        self.counts = counts
        self._created = created


def refused_field(area: str | None, exc: ApiError) -> str | None:
    """The canonical field a refusal points at (from eAccounting's first field error), else the area."""
    match = _VENDOR_FIELD.search(str(exc))
    if match is None:
        return area
    vendor = match.group(1)
    return CANONICAL_FIELDS.get(vendor) or (f"{area}.{vendor}" if area else vendor)


@contextmanager
def refusals(stream: str, key: str | None, area: str | None, what: str) -> Iterator[None]:
    """Turn eAccounting's refusal of one record's customer, article or document into a RecordError (skip it)."""
    try:
        yield
    except ApiError as exc:
        if not is_refusal(exc):
            raise
        raise RecordError(stream, key, refused_field(area, exc), f"eAccounting refused the {what}: {exc}") from None

