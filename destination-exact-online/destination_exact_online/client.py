"""ExactClient: the destination's typed Exact Online calls over the common Exact API (connector_common.exact)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from requests.structures import CaseInsensitiveDict

from connector_common.auth import OAuth2Auth, RotationCallback
from connector_common.errors import ConfigError, ConnectorError
from connector_common.exact import (
    BusinessError,
    ExactApi,
    ExactCredentials,
    budget_filters,
    build_http,
    classify_exact_error,
    exact_error_message,
    odata_datetime,
    parse_exact_datetime,
)
from connector_common.http import RetryPolicy
from connector_common.money import cents, to_decimal
from connector_common.wire import email_key, odata_string

ENDPOINTS = {
    "Account": "crm/Accounts",
    "Contact": "crm/Contacts",
    "Item": "logistics/Items",
    "SalesInvoice": "salesinvoice/SalesInvoices",
    "SalesOrder": "salesorder/SalesOrders",
    "SalesEntry": "salesentry/SalesEntries",
    "VATCode": "vat/VATCodes",
    "GLAccount": "financial/GLAccounts",
    "Journal": "financial/Journals",
}
KEYS = {"SalesInvoice": "InvoiceID", "SalesOrder": "OrderID", "SalesEntry": "EntryID"}
ACCOUNT_CODE_WIDTH = 18
NEWEST_CHECKS = 4  # calls to confirm the newest document when $orderby is not honoured (Exact may drop it)


@dataclass(frozen=True, slots=True)
class BookedDocument:
    """A sales document found by our reference: its ID and its total incl. VAT in the document currency."""

    id: str
    total: Decimal | None  # AmountFC (None when Exact sent none)


class BookingApi(Protocol):
    """The calls the booker makes (ExactClient; unit tests pass a fake)."""

    def accounts_by_email(self, emails: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    def account_by_code(self, code: str) -> dict[str, Any] | None: ...

    def items_by_code(self, codes: Sequence[str]) -> Mapping[str, dict[str, Any]]: ...

    def documents_by_reference(self, entity: str, references: Sequence[str]) -> dict[str, BookedDocument]: ...

    def contact_id(self, account_id: str, email: str) -> str | None: ...

    def create(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    def update(self, entity: str, record_id: str, payload: dict[str, Any]) -> None: ...


class ExactClient(ExactApi):
    """Typed calls to one Exact division. POSTs are never repeated blindly (the HttpClient raises AmbiguousWrite)."""

    def query(self, entity: str, *, filter: str | None = None, select: str, top: int | None = None,  # noqa: A002
              orderby: str | None = None) -> Iterator[dict[str, Any]]:
        """Every row of an OData query, following `__next` strictly in sequence."""
        return self.rows(ENDPOINTS[entity], select=select, filter=filter, top=top, orderby=orderby)

    def create(self, entity: str, payload: Mapping[str, Any], *, what: str | None = None) -> dict[str, Any]:
        """POST a new record and return it (Prefer: return=representation)."""
        return super().create(ENDPOINTS[entity], payload, what=what or entity)

    def update(self, entity: str, record_id: str, payload: Mapping[str, Any], *, what: str | None = None) -> None:
        """PUT changed fields of an existing record (Exact answers 204 without a body)."""
        super().update(ENDPOINTS[entity], record_id, payload, what=what or entity)

    # -- the ledger's clock (connector_common.exactly_once.FirstSeen) --------------------------------------------
    def resolve_division(self) -> int:
        """The configured division, else the user's current division from `current/Me` (not counted daily); the
        same call tells Exact's clock."""
        if self.division is None:
            row = self._me()
            if not row.get("CurrentDivision"):
                raise ConfigError("Exact Online did not return a current division for this user")
            self.division = int(row["CurrentDivision"])
        return self.division

    def _me(self) -> dict[str, Any]:
        rows = list(self._me_rows())
        if not rows:
            raise ConfigError("Exact Online did not answer current/Me for this user")
        self._server_clock = (parse_exact_datetime(rows[0].get("ServerTime")), self.http.clock())
        return rows[0]

    def _me_rows(self) -> list[dict[str, Any]]:
        body = self.http.get("/api/v1/current/Me", params={"$select": "CurrentDivision,ServerTime"}).json()
        data = body.get("d", {}) if isinstance(body, dict) else {}
        rows = data.get("results", []) if isinstance(data, dict) else data
        return [r for r in rows if isinstance(r, dict)]

    def server_now(self) -> datetime:
        """Exact's clock (UTC) now: its ServerTime from current/Me, advanced by our clock since it was read."""
        clock = getattr(self, "_server_clock", None)
        if clock is None:
            self._me()
            clock = self._server_clock
        server_time, read_at = clock
        if server_time is None:
            raise ConnectorError("Exact Online's current/Me has no ServerTime")
        return server_time + timedelta(seconds=self.http.clock() - read_at)

    def newest_created(self, entity: str) -> datetime | None:
        """When the newest document of this entity (anyone's) was created, in UTC; None when there is none.

        `$orderby=Created desc` with `$top=1`, then `Created gt <that>` must find nothing (Exact may drop $orderby);
        when it finds a newer one the check repeats from there, and after NEWEST_CHECKS calls the answer is Exact's
        "now" (which makes the caller look everything up).
        """
        rows = list(self.query(entity, select="Created", orderby="Created desc", top=1))
        if not rows:
            return None
        newest = parse_exact_datetime(rows[0].get("Created"))
        for _ in range(NEWEST_CHECKS):
            if newest is None:
                break
            literal = odata_datetime(newest, milliseconds=True)
            newer = list(self.query(entity, select="Created", filter=f"Created gt {literal}", top=1))
            if not newer:
                return newest
            newest = parse_exact_datetime(newer[0].get("Created"))
        return self.server_now()

    # -- typed calls ----------------------------------------------------------------------------------------------
    def vat_codes(self) -> list[dict[str, Any]]:
        select = "ID,Code,Description,Type,VATTransactionType,IsBlocked,EUSalesListing,OssCountry,Percentage,Charged"
        return list(self.query("VATCode", select=select))

    def gl_account_ids(self, codes: Iterable[str]) -> dict[str, str]:
        """GL account ID by (trimmed) code."""
        found: dict[str, str] = {}
        for flt in budget_filters("Code", sorted(set(codes))):
            for row in self.query("GLAccount", filter=flt, select="ID,Code,Type,IsBlocked"):
                found[str(row["Code"]).strip()] = str(row["ID"])
        return found

    def journal_exists(self, code: str) -> bool:
        return any(True for _ in self.query("Journal", filter=f"Code eq {odata_string(code)}", select="ID,Code",
                                            top=1))

    def account_by_code(self, code: str) -> dict[str, Any] | None:
        """An account by its code (Exact pads codes to 18 characters, right-aligned)."""
        padded = code.strip().rjust(ACCOUNT_CODE_WIDTH)
        rows = list(self.query("Account", filter=f"Code eq {odata_string(padded)}", select="ID,Code,Name,Status",
                               top=1))
        return rows[0] if rows else None

    def accounts_by_email(self, emails: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Accounts by lower-cased e-mail (the first one wins when several share an address)."""
        found: dict[str, dict[str, Any]] = {}
        for flt in budget_filters("Email", sorted(set(emails))):
            for row in self.query("Account", filter=flt, select="ID,Code,Name,Status,Email"):
                found.setdefault(email_key(row.get("Email")) or "", row)
        return found

    def items_by_code(self, codes: Iterable[str]) -> CaseInsensitiveDict[dict[str, Any]]:
        """Items by code; the keys compare case-insensitively, as Exact's `Code eq` does (sku-1 finds SKU-1)."""
        found: CaseInsensitiveDict[dict[str, Any]] = CaseInsensitiveDict()
        for flt in budget_filters("Code", sorted(set(codes))):
            for row in self.query("Item", filter=flt, select="ID,Code,Description,SalesVatCode"):
                found[str(row["Code"]).strip()] = row
        return found

    def contact_id(self, account_id: str, email: str) -> str | None:
        """The ID of the account's contact person with this e-mail, if there is one."""
        flt = f"Account eq guid{odata_string(account_id)} and Email eq {odata_string(email)}"
        rows = list(self.query("Contact", filter=flt, select="ID", top=1))
        return str(rows[0]["ID"]) if rows else None

    def documents_by_reference(self, entity: str, references: Iterable[str]) -> dict[str, BookedDocument]:
        """Existing SalesInvoices / SalesOrders / SalesEntries by our YourRef -> their ID and total (the same query
        returns AmountFC, so a changed order is noticed without another call)."""
        key = KEYS[entity]
        found: dict[str, BookedDocument] = {}
        for flt in budget_filters("YourRef", sorted(set(references))):
            for row in self.query(entity, filter=flt, select=f"{key},YourRef,AmountFC"):
                amount = row.get("AmountFC")
                found[str(row.get("YourRef") or "").strip()] = BookedDocument(
                    str(row[key]), cents(to_decimal(amount, field="AmountFC")) if amount is not None else None)
        return found


def build_client(*, base_url: str, client_id: str, client_secret: str, refresh_token: str,
                 access_token: str | None = None, expires_at: float = 0.0, on_rotate: RotationCallback | None = None,
                 division: int | None = None, read_only: bool = False, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, retry: RetryPolicy | None = None,
                 timeout: tuple[float, float] = (10.0, 60.0)) -> tuple[ExactClient, OAuth2Auth]:
    """An ExactClient on `base_url` with OAuth2 (rotating refresh tokens), the minutely limiter and Exact's errors."""
    credentials = ExactCredentials(base_url=base_url, client_id=client_id, client_secret=client_secret,
                                   refresh_token=refresh_token, access_token=access_token,
                                   token_expires_at=expires_at, division=division)
    http, auth = build_http(credentials, on_rotate=on_rotate, sleep=sleep, clock=clock, retry=retry,
                            timeout=timeout)
    return ExactClient(http, division, read_only=read_only), auth


def api_calls(client: ExactClient) -> int:
    """Calls made so far (every attempt, including retries), for summaries and benchmarks."""
    return client.calls()


__all__ = ["BookedDocument", "BookingApi", "BusinessError", "ExactClient", "api_calls", "budget_filters",
           "build_client", "classify_exact_error", "exact_error_message"]
