"""One eAccounting company in memory: its settings, reference data, customers, articles and sales documents, and
the rules the API applies when they are written (validation, numbering, totals, conversions)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sandbox.core import parse_iso
from sandbox.eaccounting import seed as seeds
from sandbox.eaccounting import totals
from sandbox.eaccounting.contract import (
    CAN_NOT_BE_CREATED_OR_UPDATED,
    CAN_NOT_BE_DELETED,
    CONFLICT,
    DOCUMENTS,
    INVALID_FORCE_BOOKKEEP_VAT,
    INVALID_INPUT,
    INVALID_VAT_NUMBER,
    RESOURCE_NOT_FOUND,
    VAT_NUMBER_FORMAT,
    ApiError,
    FieldError,
    accept,
    date,
    find,
    invalid,
    new_id,
    not_found,
    stamp,
    template,
    validation_error,
)
from sandbox.eaccounting.contract import writable as writable_fields

Entity = dict[str, Any]
FIRST_INVOICE_NUMBER = 1001


class Resource(NamedTuple):
    what: str  # Customer | Article | Draft | Invoice | Order
    by_id: dict[str, Entity]
    save: Callable[[Any, Entity | None], Entity]
    delete: Callable[[str], Any] | None


class Company:
    """The company's objects by id, plus the write rules; `now` is the vendor's clock as an aware datetime."""

    def __init__(self, country_code: str, *, now: Callable[[], datetime], show_prices_excl_vat_pc: bool,
                 domestic_currency_rounding: int | None) -> None:
        self.now = now
        country = seeds.SEEDS[country_code]
        started = self.now()
        rounding = country.company["DomesticCurrencyRounding"]
        if domestic_currency_rounding is not None:
            rounding = domestic_currency_rounding
        self.company: Entity = {
            **country.company, "Address2": None, "MobilePhone": None, "Website": None, "OurReference": None,
            "TermsOfPaymentId": seeds.TERMS_30, "ShowPricesExclVatPC": show_prices_excl_vat_pc,
            "DomesticCurrencyRounding": rounding, "ProductVariant": 1, "CompanyStatus": 1,
            "UsesMoss": country.uses_moss,
            "UsesVatTriangulationRules": False, "UsesRotReducedInvoicing": country_code == "SE",
            "UsesPaymentReferenceNumber": False, "KeepOriginalDraftDate": False,
            "NextCustomerNumber": 2, "NextCustomerInvoiceNumber": FIRST_INVOICE_NUMBER, "NextOrderNumber": 1,
            "NextArticleNumber": 1, "CompanyIdentifier": f"sandbox-{country_code.lower()}",
        }
        self.reference: dict[str, dict[str, Entity]] = {
            "termsofpayments": {e["Id"]: e for e in seeds.terms_of_payment(country)},
            "units": {e["Id"]: e for e in seeds.units(country)},
            "articleaccountcodings": {e["Id"]: e for e in seeds.codings(country, stamp(started))},
            "vatcodes": {e["Id"]: e for e in seeds.vat_codes(country)},
            "countries": {e["Code"]: e for e in seeds.countries(country)},
            "fiscalyears": {e["Id"]: e for e in seeds.fiscal_years(started.year)},
        }
        self.customers_by_id: dict[str, Entity] = {}
        self.articles_by_id: dict[str, Entity] = {}
        self.drafts_by_id: dict[str, Entity] = {}
        self.invoices_by_id: dict[str, Entity] = {}
        self.orders_by_id: dict[str, Entity] = {}
        self.customer_numbers: dict[str, str] = {}
        self.article_numbers: dict[str, str] = {}
        self._voucher_seq = 0
        default = self.save_customer({
            **country.default_customer, "IsActive": True, "IsPrivatePerson": True, "CustomerNumber":
            seeds.DEFAULT_CUSTOMER_NUMBER, "TermsOfPaymentId": seeds.TERMS_CASH}, None)
        self.customers_by_id.pop(default["Id"])
        default["Id"] = seeds.DEFAULT_CUSTOMER_ID
        self.customers_by_id[default["Id"]] = default
        self.customer_numbers[seeds.DEFAULT_CUSTOMER_NUMBER] = default["Id"]

    @functools.cached_property
    def resources(self) -> dict[str, Resource]:
        """The writable collections by path segment: what a 404 names, the entities, save (body, existing), delete."""
        out = {"customers": Resource("Customer", self.customers_by_id, self.save_customer, self.delete_customer),
               "articles": Resource("Article", self.articles_by_id, self.save_article, None)}
        for kind, (collection, *_unused) in DOCUMENTS.items():
            by_id = {"draft": self.drafts_by_id, "invoice": self.invoices_by_id, "order": self.orders_by_id}[kind]
            out[collection] = Resource(kind.capitalize(), by_id, functools.partial(self.save_document, kind),
                                       None if kind == "invoice" else by_id.pop)
        return out

    def invoices_since(self, since: str | None) -> list[Entity]:
        items = list(self.invoices_by_id.values())
        if since is None:
            return items
        try:
            cutoff = parse_iso(since)
        except ValueError as exc:
            raise ApiError(400, INVALID_INPUT, f"modifiedSinceUtc '{since}' is not a valid date time.") from exc
        return [e for e in items if parse_iso(e["ModifiedUtc"]) >= cutoff]

    # -- customers --------------------------------------------------------------------------------------
    def save_customer(self, body: Any, existing: Entity | None) -> Entity:
        data = accept("CustomerApi", body)
        terms = find(self.reference["termsofpayments"], "TermsOfPaymentId", data["TermsOfPaymentId"], "TermsOfPayment")
        country = (data.get("InvoiceCountryCode") or self.company["CountryCode"]).upper()
        vat_number = data.get("VatNumber")
        if vat_number and not data.get("InvoiceCountryCode"):
            raise invalid("InvoiceCountryCode", "Required", "InvoiceCountryCode must be set when VatNumber is set.")
        if vat_number and not re.match(VAT_NUMBER_FORMAT, vat_number):
            raise invalid("VatNumber", "InvalidValue", f"Invalid VAT number '{vat_number}'.", INVALID_VAT_NUMBER)
        if data.get("ForceBookkeepVat") and country in seeds.EU_MEMBERS:
            raise invalid("ForceBookkeepVat", "InvalidValue",
                          "ForceBookkeepVat can only be set for customers outside the EU.", INVALID_FORCE_BOOKKEEP_VAT)
        number = data.get("CustomerNumber") or None
        if number is not None:
            _unique(self.customer_numbers, "CustomerNumber", number, existing, "Customer")
        elif existing is not None:
            number = existing["CustomerNumber"]
        else:
            number = self._next_customer_number()
        entity = template("CustomerApi")
        entity.update(data)
        entity.update({
            "Id": existing["Id"] if existing else new_id(), "CustomerNumber": number, "InvoiceCountryCode": country,
            "CurrencyCode": (data.get("CurrencyCode") or self.company["CurrencyCode"]).upper(),
            "TermsOfPaymentId": terms["Id"], "TermsOfPayment": dict(terms), "ChangedUtc": stamp(self.now()),
            "LastInvoiceDate": existing["LastInvoiceDate"] if existing else None,
            "UnpaidInvoicesAmount": existing["UnpaidInvoicesAmount"] if existing else Decimal("0"),
            "EmailAddresses": data.get("EmailAddresses") or [],
        })
        return _keep(self.customers_by_id, self.customer_numbers, "CustomerNumber", entity, existing)

    def _next_customer_number(self) -> str:
        while str(self.company["NextCustomerNumber"]) in self.customer_numbers:
            self.company["NextCustomerNumber"] += 1
        number = str(self.company["NextCustomerNumber"])
        self.company["NextCustomerNumber"] += 1
        return number

    def delete_customer(self, ident: str) -> None:
        documents = (*self.drafts_by_id.values(), *self.invoices_by_id.values(), *self.orders_by_id.values())
        if any(d["CustomerId"] == ident for d in documents):
            raise ApiError(400, CAN_NOT_BE_DELETED, "The customer has documents and cannot be deleted.")
        customer = self.customers_by_id.pop(ident)
        self.customer_numbers.pop(customer["CustomerNumber"].casefold(), None)

    # -- articles ---------------------------------------------------------------------------------------
    def save_article(self, body: Any, existing: Entity | None) -> Entity:
        data = accept("ArticleApi", body)
        coding = self.reference["articleaccountcodings"].get(str(data["CodingId"]).lower())
        unit = self.reference["units"].get(str(data["UnitId"]).lower())
        missing = [FieldError(f, "NotFound", f"{f} {data[f]} does not exist.")
                   for f, found in (("CodingId", coding), ("UnitId", unit)) if found is None]
        if missing or coding is None or unit is None:
            raise validation_error(missing, RESOURCE_NOT_FOUND)
        if data.get("UsesMoss") and not self.company["UsesMoss"]:  # ArticleApi.UsesMoss: only with the setting on
            raise invalid("UsesMoss", "NotAllowed", "UsesMoss can only be set when the company uses the One Stop "
                          "Shop (OSS) rules.")
        _unique(self.article_numbers, "Number", data["Number"], existing, "Article")
        rate: Decimal = coding["VatRatePercent"]
        net, gross = data.get("NetPrice"), data.get("GrossPrice")
        if net is not None and gross is None:
            gross = totals.round2(Decimal(net) * (1 + rate))
        elif gross is not None and net is None:
            net = totals.round2(Decimal(gross) / (1 + rate))
        now = stamp(self.now())
        entity = template("ArticleApi")
        entity.update(data)
        entity.update({
            "Id": existing["Id"] if existing else new_id(), "CodingId": coding["Id"], "UnitId": unit["Id"],
            "NetPrice": Decimal(net or 0), "GrossPrice": Decimal(gross or 0), "NetPriceWithDiscount": Decimal(net or 0),
            "CodingName": coding["Name"], "UnitName": unit["Name"], "UnitAbbreviation": unit["Abbreviation"],
            "IsServiceArticle": coding["Type"] == "Service", "CreatedUtc": existing["CreatedUtc"] if existing else now,
            "ChangedUtc": now, "Barcodes": data.get("Barcodes") or [], "ArticleLabels": data.get("ArticleLabels") or [],
        })
        return _keep(self.articles_by_id, self.article_numbers, "Number", entity, existing)

    # -- sales documents --------------------------------------------------------------------------------
    def save_document(self, kind: str, body: Any, existing: Entity | None) -> Entity:
        _collection, schema, row_schema, quantity_decimals = DOCUMENTS[kind]
        if kind == "invoice" and isinstance(body, dict) and body.get("CreatedFromDraftId"):
            draft = find(self.drafts_by_id, "CreatedFromDraftId", body["CreatedFromDraftId"], "Draft")
            return self.convert_draft(draft["Id"], None, keep_date=False)
        data = accept(schema, body)
        customer = find(self.customers_by_id, "CustomerId", data["CustomerId"], "Customer")
        terms_id = str(data.get("TermsOfPaymentId") or customer["TermsOfPaymentId"]).lower()
        terms = find(self.reference["termsofpayments"], "TermsOfPaymentId", terms_id, "TermsOfPayment")
        treatment = totals.treatment(self.company["CountryCode"], customer, seeds.EU_MEMBERS)
        currency = customer["CurrencyCode"] or self.company["CurrencyCode"]
        domestic = treatment.name == "domestic" and currency == self.company["CurrencyCode"]
        includes_vat = bool(customer["IsPrivatePerson"]) and not self.company["ShowPricesExclVatPC"]
        rows, priced = self._rows(kind, row_schema, data.get("Rows") or [], treatment=treatment,
                                  includes_vat=includes_vat, price_decimals=2 if domestic else 4,
                                  quantity_decimals=quantity_decimals)
        round_whole = self.company["DomesticCurrencyRounding"] == 1 and currency == self.company["CurrencyCode"]
        result = totals.compute([given for _, given in priced], includes_vat, round_whole)
        for (row, _), amounts in zip(priced, result.rows, strict=True):
            row["Amount"] = amounts.amount
            if kind == "invoice":
                row["AmountNoVat"] = amounts.amount_no_vat
        return self._document_entity(kind, schema, data, existing=existing, customer=customer, terms=terms,
                                     rows=rows, result=result, includes_vat=includes_vat, currency=currency)

    def _rows(self, kind: str, row_schema: str, raw_rows: list[Entity], *, treatment: totals.Treatment,
              includes_vat: bool, price_decimals: int, quantity_decimals: int
              ) -> tuple[list[Entity], list[tuple[Entity, totals.RowInput]]]:
        """The document's rows, and its article rows with what the totals need of each."""
        rows: list[Entity] = []
        priced: list[tuple[Entity, totals.RowInput]] = []
        errors: list[FieldError] = []
        not_found: list[FieldError] = []
        for i, raw in enumerate(raw_rows):
            where = f"Rows[{i}]."
            data = writable_fields(row_schema, raw)
            is_text = bool(raw.get("IsTextRow")) if kind != "invoice" else raw.get("ArticleId") is None
            row = template(row_schema)
            row.update(data)
            row.update({"Id": new_id(), "LineNumber": data.get("LineNumber") or i + 1, "IsTextRow": is_text})
            if is_text:
                if not (raw.get("Text") or "").strip():
                    errors.append(FieldError(where + "Text", "Required", "A text row needs a Text."))
                row.update({"ArticleId": None, "UnitPrice": Decimal("0"), "Quantity": Decimal("0")})
                rows.append(row)
                continue
            article = self.articles_by_id.get(str(raw.get("ArticleId") or "").lower())
            if not raw.get("ArticleId"):
                errors.append(FieldError(where + "ArticleId", "Required", "ArticleId is required if IsTextRow is "
                                         "false."))
                continue
            if article is None:
                not_found.append(FieldError(where + "ArticleId", "NotFound",
                                            f"Article {raw['ArticleId']} does not exist."))
                continue
            coding = self.reference["articleaccountcodings"][article["CodingId"]]
            price = raw.get("UnitPrice")
            if price is None:
                price = article["GrossPrice"] if includes_vat else article["NetPrice"]
            quantity = Decimal(raw.get("Quantity") or 0)
            discount = Decimal(raw.get("DiscountPercentage") or 0)
            for field, value, allowed in (("UnitPrice", Decimal(price), price_decimals),
                                          ("Quantity", quantity, quantity_decimals),
                                          ("DiscountPercentage", discount, 4)):
                if totals.decimals(value) > allowed:
                    errors.append(FieldError(where + field, "InvalidFormat",
                                             f"{field} allows at most {allowed} decimals."))
            vat_free = bool(raw.get("IsVatFree")) and kind == "invoice"
            rate = coding["VatRatePercent"] if treatment.taxed and not vat_free else Decimal("0")
            unit = self.reference["units"][article["UnitId"]]
            row.update({"ArticleId": article["Id"], "ArticleNumber": article["Number"],
                        "Text": raw.get("Text") or article["Name"], "UnitPrice": Decimal(price), "Quantity": quantity,
                        "DiscountPercentage": discount, "IsServiceArticle": article["IsServiceArticle"]})
            for key, value in (("UnitId", unit["Id"]), ("UnitAbbreviation", unit["Abbreviation"]),
                               ("UnitName", unit["Name"]), ("UnitAbbreviationEnglish", unit["AbbreviationEnglish"]),
                               ("VatRateId", coding["Id"]), ("VatRate", rate * 100), ("PercentVat", rate)):
                if key in row:
                    row[key] = value
            rows.append(row)
            priced.append((row, totals.RowInput(quantity, Decimal(price), discount, rate)))
        if errors:
            raise validation_error(errors)
        if not_found:
            raise validation_error(not_found, RESOURCE_NOT_FOUND)
        return rows, priced

    def _document_entity(self, kind: str, schema: str, data: Entity, *, existing: Entity | None, customer: Entity,
                         terms: Entity, rows: list[Entity], result: totals.Totals, includes_vat: bool,
                         currency: str) -> Entity:
        now = self.now()
        entity = template(schema)
        entity.update({k: v for k, v in data.items() if k != "Rows"})
        entity["Rows"] = rows
        entity["Id"] = existing["Id"] if existing else new_id()
        for key, value in (("CustomerId", customer["Id"]), ("TermsOfPaymentId", terms["Id"]),
                           ("CustomerNumber", customer["CustomerNumber"]), ("CustomerName", customer["Name"]),
                           ("InvoiceCustomerName", customer["Name"]),
                           ("CustomerIsPrivatePerson", customer["IsPrivatePerson"]), ("IncludesVat", includes_vat),
                           ("CustomerEmail", customer["EmailAddress"]), ("CurrencyCode", currency),
                           ("InvoiceCurrencyCode", currency)):
            if key in entity:
                entity[key] = value
        for key in ("InvoiceAddress1", "InvoiceAddress2", "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode",
                    "DeliveryCustomerName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryPostalCode",
                    "DeliveryCity", "DeliveryCountryCode"):
            if key in entity and entity[key] is None:
                entity[key] = customer.get(key)
        created = existing["CreatedUtc"] if existing else stamp(now)
        entity["CreatedUtc"] = created
        if kind == "draft":
            entity.update({"TotalAmount": result.total_amount, "TotalVatAmount": result.total_vat,
                           "TotalRoundings": result.total_roundings, "TotalAmountBaseCurrency": result.total_amount,
                           "TotalVatAmountBaseCurrency": result.total_vat})
            self.drafts_by_id[entity["Id"]] = entity
        elif kind == "order":
            entity.update({"Amount": result.total_no_vat, "VatAmount": result.total_vat,
                           "RoundingsAmount": result.total_roundings, "ModifiedUtc": stamp(now),
                           "Number": existing["Number"] if existing else self._next("NextOrderNumber"),
                           "OrderDate": data.get("OrderDate") or date(now)})
            self.orders_by_id[entity["Id"]] = entity
        else:
            invoice_date = parse_iso(data["InvoiceDate"]) if data.get("InvoiceDate") else now
            due = data.get("DueDate") or date(invoice_date + timedelta(days=terms["NumberOfDays"]))
            self._voucher_seq += 1
            entity.update({
                "InvoiceNumber": self._next("NextCustomerInvoiceNumber"), "InvoiceDate": date(invoice_date),
                "DueDate": due, "TotalAmount": result.total_amount, "TotalVatAmount": result.total_vat,
                "TotalRoundings": result.total_roundings, "TotalAmountInvoiceCurrency": result.total_amount,
                "TotalVatAmountInvoiceCurrency": result.total_vat, "RemainingAmount": result.total_amount,
                "RemainingAmountInvoiceCurrency": result.total_amount, "PaymentStatus": 1,
                "VoucherNumber": f"A{self._voucher_seq}", "VoucherId": new_id(), "ModifiedUtc": stamp(now),
                "SendType": data.get("SendType"),
                "VatSpecification": [{"AmountInvoiceCurrency": net, "VatAmountInvoiceCurrency": vat,
                                      "VatPercent": rate * 100} for rate, net, vat in result.by_rate],
            })
            self.invoices_by_id[entity["Id"]] = entity
            customer["LastInvoiceDate"] = entity["InvoiceDate"]
            customer["UnpaidInvoicesAmount"] += result.total_amount
        return entity

    def _next(self, counter: str) -> int:
        value = int(self.company[counter])
        self.company[counter] = value + 1
        return value

    def convert_draft(self, ident: str, expected: Any, keep_date: bool) -> Entity:
        draft = self.drafts_by_id[ident]
        if expected is not None:
            self._check_expected_totals(draft, expected)
        body = invoice_body(draft)
        if keep_date or self.company["KeepOriginalDraftDate"]:
            body["InvoiceDate"] = draft["InvoiceDate"] or draft["CreatedUtc"]
        invoice = self.save_document("invoice", body, None)
        invoice["CreatedFromDraftId"] = draft["Id"]
        del self.drafts_by_id[ident]
        return invoice

    @staticmethod
    def _check_expected_totals(draft: Entity, expected: Any) -> None:
        accept("CustomerInvoiceDraftValidationApi", expected)
        mismatches: list[FieldError] = []
        for field, actual in (("TotalAmountInvoiceCurrency", draft["TotalAmount"]),
                              ("TotalVatAmountInvoiceCurrency", draft["TotalVatAmount"]),
                              ("TotalRoundingsInvoiceCurrency", draft["TotalRoundings"])):
            want = expected.get(field)
            if want is not None and Decimal(want) != actual:
                mismatches.append(FieldError(field, "InvalidValue", f"Expected {want} but the draft has {actual}."))
        rows = {r["LineNumber"]: r for r in draft["Rows"]}
        for check in expected.get("Rows") or []:
            row = rows.get(check.get("LineNumber"))
            want = check.get("TotalAmountNoVatInvoiceCurrency")
            if row is None:
                mismatches.append(FieldError("Rows.LineNumber", "NotFound", f"No row {check.get('LineNumber')}."))
            elif want is not None and not draft["IncludesVat"] and Decimal(want) != row["Amount"]:
                mismatches.append(FieldError(f"Rows[{check['LineNumber']}].TotalAmountNoVatInvoiceCurrency",
                                             "InvalidValue", f"Expected {want} but the row has {row['Amount']}."))
        if mismatches:
            raise validation_error(mismatches)

    def convert_order(self, ident: str) -> Entity:
        """POST /orders/{id}/convert: the order becomes an invoice and is marked invoiced (Status 4)."""
        order = self.orders_by_id.get(ident)
        if order is None:
            raise not_found("Order", ident)
        if order["Status"] == 4:
            raise ApiError(400, CAN_NOT_BE_CREATED_OR_UPDATED, f"Order {order['Number']} is already invoiced.")
        invoice = self.save_document("invoice", invoice_body(order), None)
        invoice["CreatedFromOrderId"] = order["Id"]
        order["Status"] = 4
        order["ModifiedUtc"] = stamp(self.now())
        return invoice



def invoice_body(document: Entity) -> Entity:
    """A POST /customerinvoices body carrying a draft's or order's writable content."""
    keep = ("CustomerId", "YourReference", "OurReference", "BuyersOrderReference", "InvoiceAddress1",
            "InvoiceAddress2", "DeliveryCustomerName", "DeliveryAddress1", "DeliveryAddress2", "DeliveryPostalCode",
            "DeliveryCity", "DeliveryCountryCode", "TermsOfPaymentId", "ElectronicReference", "ContractNumber",
            "SubscriptionNumber", "DeliveryDate", "IsCreditInvoice")
    body: Entity = {k: document[k] for k in keep if document.get(k) is not None}
    body.update({"EuThirdParty": bool(document.get("EuThirdParty")),
                 "RotReducedInvoicingType": document.get("RotReducedInvoicingType") or 0})
    body["Rows"] = [
        {"Text": r["Text"]} if r["IsTextRow"] else
        {"ArticleId": r["ArticleId"], "Text": r["Text"], "UnitPrice": r["UnitPrice"], "Quantity": r["Quantity"],
         "DiscountPercentage": r["DiscountPercentage"]}
        for r in document["Rows"]
    ]
    return body



def _unique(numbers: dict[str, str], field: str, number: str, existing: Entity | None, what: str) -> None:
    """Refuse a customer or article number another entity holds (numbers compare case-insensitively)."""
    owner = numbers.get(number.casefold())
    if owner is not None and (existing is None or owner != existing["Id"]):
        raise invalid(field, "Conflict", f"{what} number {number} is already in use.", CONFLICT)


def _keep(by_id: dict[str, Entity], numbers: dict[str, str], field: str, entity: Entity,
          existing: Entity | None) -> Entity:
    """Store a saved customer or article and move its number in the index."""
    if existing is not None:
        numbers.pop(existing[field].casefold(), None)
    by_id[entity["Id"]] = entity
    numbers[entity[field].casefold()] = entity["Id"]
    return entity
