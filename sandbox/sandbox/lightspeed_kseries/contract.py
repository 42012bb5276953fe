"""The documented K-Series financial-api contract this stand-in serves: fields, limits, validation (pure).

Sources (read 2026-12-04):
- [K-FIN2] Lightspeed Restaurant K Series Financial V2 API (OpenAPI 3, api-docs.lsk.lightspeed.app; stored copy in
  api-evangelist/lightspeed `openapi/lightspeed-financialv2-api-openapi.yml`).
- [K-FIN1] Lightspeed Restaurant K Series Financial API (V1, same place, `lightspeed-financial-api-openapi.yml`).

Verified ([K-FIN2]): `GET /f/v2/business-location/{businessLocationId}/sales` with `from`, `to`, `pageSize`,
`nextPageToken`, `include` answers `{"sales": [...], "nextPageToken": "..."}`, sorted by `timeClosed`; `from` is
required, `to` defaults to now (a future `to` is clamped to now); `from`..`to` may not exceed 365 days; `pageSize`
default 50, maximum 100; a bad request is a 400 `{"error": "..."}` (messages as documented: "Invalid date format: …",
"Required request parameter 'from' for method parameter type OffsetDateTime is not present", "Invalid date range: 'from'
date … should not be after 'to' date …"). Sale fields `accountReference`, `accountFiscId`, `receiptId`, `source`
{`initialAccountId`, `previousAccountId`}, `salesLines`, `payments`, `timeOfOpening`, `timeClosed`, `cancelled`,
`tableNumber`, `tableName`, `ownerName`, `ownerId`, `type` (SALE, VOID, RECALL, REFUND, SPLIT, UPDATE, TRANSFER, FLOAT,
TRANSITORY, CROSS_BL, CANCEL), `nbCovers`, `dineIn`, `deviceId`, `deviceName`, `voidReason`. Line fields `id`,
`parentLineId`, `totalNetAmountWithTax`, `totalNetAmountWithoutTax` (six decimals), `menuListPrice`, `serviceCharge`,
`serviceChargeType` (UNTAXED, APPORTIONED, NO_SERVICE_CHARGE), `serviceChargeRate`, `discountAmount`, `taxCode`,
`taxAmount`, `taxRatePercentage`, `taxLines` [{`taxId`, `taxCode`, `taxRate` (multiplier "1.2"), `taxAmount`,
`taxIncluded`}], `discountType`, `discountCode`, `discountName`, `totalDiscountAmount`, `sku`, `name`, `statisticGroup`,
`quantity` (three decimals), `accountingGroup` {`accountingGroupId`, `name`, `statisticGroup`, `code`}, `currency`,
`timeOfSale`, `voidReason`. Payment fields `code`, `description`, `paymentMethodId`, `netAmountWithTax` (two decimals,
half-even), `currency`, `tip`, `consumer` {`id`, `customerId`, `firstName`, `lastName`, `companyName`, `addressLine1`,
`zipCode`, `city`, `email`, `taxIdentifier`, ...}, `type` (NORMAL, ACCOUNTS_RECEIVABLE), `fiscId`, `uuid`, `fiscDate`,
`surcharge`, `roundingAmount`. Every amount is a string. `include` values: staff, table, consumer, payments,
revenue_center, account_profile, payment_authorization.
Verified ([K-FIN1]): `GET /f/data/businesses` -> `{"_embedded": {"businessList": [{"businessName", "businessId",
"currencyCode", "businessLocations": [{"blName", "blID", "country", "timezone"}]}]}, "_links": ...}`; scope
`financial-api`; OAuth2 authorization code at `/oauth/authorize`, `/oauth/token`.

Unverified (our reading, kept consistent everywhere): whether `payments` are present without `include=payments` (the
stand-in always sends them, as the connector always asks for them); whether `totalNetAmountWithTax` includes the line's
`serviceCharge` (here: it DOES, incl. VAT at the line's rate for APPORTIONED: the documented field examples,
menuListPrice 10.00, totalNetAmountWithoutTax 8.33, taxAmount 1.6667 at 20 %, serviceCharge 1.00, totalNetAmountWithTax
11.00 and a payment of 11.00, add up only so; `taxAmount` is the item's VAT only); whether `netAmountWithTax` of a
payment includes the `tip` (here: it does NOT; the guest paid amount + tip); the shape of `nextPageToken` (opaque here);
what a location the token cannot read answers (here 403 `{"error": ...}`); how a refund's amounts are signed (here:
negative quantities and amounts, `type` REFUND, `source.initialAccountId` the original).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sandbox.core import ApiError, int_arg

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_RANGE = timedelta(days=365)
SALE_TYPES = ("SALE", "VOID", "RECALL", "REFUND", "SPLIT", "UPDATE", "TRANSFER", "FLOAT", "TRANSITORY", "CROSS_BL",
              "CANCEL")
INCLUDE_VALUES = frozenset({"staff", "table", "consumer", "payments", "revenue_center", "account_profile",
                            "payment_authorization"})
SALE_FIELDS = frozenset({"accountReference", "accountFiscId", "receiptId", "source", "salesLines", "payments",
                         "timeOfOpening", "timeClosed", "cancelled", "externalFiscalNumber", "tableNumber", "tableName",
                         "accountProfileCode", "ownerName", "ownerId", "type", "externalReferences", "nbCovers",
                         "dineIn", "deviceId", "deviceName", "voidReason"})
LINE_FIELDS = frozenset({"id", "parentLineId", "totalNetAmountWithTax", "totalNetAmountWithoutTax", "menuListPrice",
                         "unitCostPrice", "serviceCharge", "serviceChargeType", "serviceChargeRate", "discountAmount",
                         "taxCode", "taxAmount", "taxRatePercentage", "taxLines", "discountType", "discountCode",
                         "discountName", "accountDiscountAmount", "accountDiscountType", "accountDiscountCode",
                         "accountDiscountName", "totalDiscountAmount", "sku", "name", "nameOverride",
                         "statisticGroup", "quantity", "accountingGroup", "currency", "tags", "revenueCenter",
                         "revenueCenterId", "categories", "timeOfSale", "staffId", "staffName", "deviceId",
                         "deviceName", "voidReason", "accountProfileCode"})
PAYMENT_FIELDS = frozenset({"code", "description", "paymentMethodId", "netAmountWithTax", "currency", "tip",
                            "consumer", "type", "deviceId", "deviceName", "staffId", "staffName", "authorization",
                            "externalReference", "revenueCenter", "revenueCenterId", "fiscId", "uuid", "fiscDate",
                            "surcharge", "roundingAmount"})


def parse_instant(text: str | None, name: str) -> datetime:
    """An ISO 8601 date-time with offset (`2023-01-01T14:00:00Z`) -> aware UTC datetime; 400 otherwise."""
    if text is None or text == "":
        raise ApiError(400, f"Required request parameter '{name}' for method parameter type OffsetDateTime is "
                            "not present")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"Invalid date format: {text}") from None
    if parsed.tzinfo is None:
        raise ApiError(400, f"Invalid date format: {text}")
    return parsed.astimezone(UTC)


def window(from_text: str | None, to_text: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The documented `from`/`to` rules: `to` defaults to (and is clamped at) now; at most 365 days; from <= to."""
    start = parse_instant(from_text, "from")
    end = min(parse_instant(to_text, "to"), now) if to_text else now
    if start > end:
        raise ApiError(400, f"Invalid date range: 'from' date {from_text} should not be after 'to' date {to_text}")
    if end - start > MAX_RANGE:
        raise ApiError(400, "The date range between 'from' and 'to' cannot exceed 365 days (1 year)")
    return start, end


def page_size(text: str | None) -> int:
    size = int_arg(text, DEFAULT_PAGE_SIZE, f"Invalid pageSize: {text}")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    return size


def includes(text: str | None) -> frozenset[str]:
    names = frozenset(part.strip() for part in (text or "").split(",") if part.strip())
    unknown = sorted(names - INCLUDE_VALUES)
    if unknown:
        raise ApiError(400, f"Invalid include value: {unknown[0]}")
    return names


def amount(value: Decimal, places: int = 2) -> str:
    """Amounts travel as strings with fixed decimals: '11.00', '8.333333'."""
    return f"{value:.{places}f}"


def timestamp(value: datetime) -> str:
    """`2023-02-14T20:04:08.734Z` (UTC, milliseconds)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_sale(sale: dict[str, object]) -> None:
    """Refuse a stored sale with fields the contract does not document (keeps replayed seeds honest)."""
    parts = [("", [sale], SALE_FIELDS), (" line", sale.get("salesLines") or [], LINE_FIELDS),
             (" payment", sale.get("payments") or [], PAYMENT_FIELDS)]
    for what, items, documented in parts:
        for item in items:  # type: ignore[attr-defined]
            if set(item) - documented:
                raise ValueError(f"sale {sale.get('accountFiscId')}: undocumented{what} fields "
                                 f"{sorted(set(item) - documented)}")
    if sale.get("type") not in SALE_TYPES:
        raise ValueError(f"sale {sale.get('accountFiscId')}: type {sale.get('type')!r} is not documented")
