"""Tests of the Visma eAccounting stand-in, written from the documented requests and response shapes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from sandbox.core import SandboxServer
from sandbox.eaccounting import EAccounting
from sandbox.eaccounting import seed as seeds

GOODS_25 = seeds.coding_id(25)
GOODS_12 = seeds.coding_id(12)
SERVICES_25 = seeds.coding_id(25, service=True)
PIECE = seeds.UNIT_PIECE
START = 1_767_261_600.0  # 2026-01-01T10:00:00Z


class Clock:
    """Injected clock: tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Api:
    """A thin test client: base URL, bearer token, JSON with exact decimals."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.base = server.base_url
        self.refresh_token = EAccounting.REFRESH_TOKEN
        self.token = self.refresh()

    def refresh(self) -> str:
        resp = requests.post(f"{self.base}/connect/token", auth=(EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET),
                             data={"grant_type": "refresh_token", "refresh_token": self.refresh_token}, timeout=5)
        assert resp.status_code == 200, resp.text
        self.refresh_token = resp.json()["refresh_token"]
        token: str = resp.json()["access_token"]
        return token

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if body is not None:
            data = encode(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return requests.request(method, f"{self.base}/v2/{path}", data=data, params=params or None, timeout=5,
                                headers=headers)

    def get(self, path: str, **params: Any) -> Any:
        resp = self.call("GET", path, **params)
        assert resp.status_code == 200, resp.text
        return json.loads(resp.text, parse_float=Decimal)

    def post(self, path: str, body: Any) -> Any:
        resp = self.call("POST", path, body)
        assert resp.status_code == 201, resp.text
        return json.loads(resp.text, parse_float=Decimal)


def start(clock: Clock, **kwargs: Any) -> SandboxServer:
    return SandboxServer(EAccounting(seed="demo", clock=clock, **kwargs)).start()


def vendor_of(server: SandboxServer) -> EAccounting:
    assert isinstance(server.vendor, EAccounting)
    return server.vendor


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    srv = SandboxServer(EAccounting(seed="demo")).start()
    yield srv
    srv.stop()


@pytest.fixture
def server(shared_server: SandboxServer, clock: Clock) -> SandboxServer:
    """The module's default (Swedish) server, back to its seeded state and driven by this test's clock."""
    vendor_of(shared_server).clock = clock
    shared_server.reset()
    return shared_server


@pytest.fixture
def api(server: SandboxServer) -> Api:
    return Api(server)


def customer(**overrides: Any) -> dict[str, Any]:
    body = {"Name": "Acme AB", "InvoiceAddress1": "Storgatan 1", "InvoicePostalCode": "411 01",
            "InvoiceCity": "Göteborg", "InvoiceCountryCode": "SE", "IsActive": True, "IsPrivatePerson": False,
            "TermsOfPaymentId": seeds.TERMS_30, "EmailAddress": "billing@acme.se"}
    body.update(overrides)
    return body


def article(number: str = "SKU-1", coding: str = GOODS_25, **overrides: Any) -> dict[str, Any]:
    body = {"Number": number, "Name": f"Article {number}", "CodingId": coding, "UnitId": PIECE, "IsActive": True}
    body.update(overrides)
    return body


def row(article_id: str, quantity: str, price: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"IsTextRow": False, "ReversedConstructionServicesVatFree": False, "ArticleId": article_id,
                            "Quantity": Decimal(quantity)}
    if price is not None:
        body["UnitPrice"] = Decimal(price)
    body.update(extra)
    return body


def draft(customer_id: str, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"CustomerId": customer_id, "EuThirdParty": False, "RotReducedInvoicingType": 0, "Rows": rows, **extra}


def fields(resp: requests.Response) -> set[str]:
    return {e["Field"] for e in resp.json().get("Errors") or []}


def encode(body: Any) -> str:
    """JSON with Decimal money written as exact JSON numbers (what a connector sends)."""
    text = json.dumps(_mark(body))
    return re.sub(r'"DEC\(([-0-9.E+]+)\)"', r"\1", text)


def _mark(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if isinstance(value, Decimal):
        return f"DEC({value})"
    return value


# -- OAuth2 ---------------------------------------------------------------------------------------------------
def test_given_initial_refresh_token_when_refreshed_then_token_rotates_and_old_one_is_dead(
        server: SandboxServer) -> None:
    url = f"{server.base_url}/connect/token"
    creds = (EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET)
    first = requests.post(url, auth=creds, data={"grant_type": "refresh_token",
                                                 "refresh_token": EAccounting.REFRESH_TOKEN}, timeout=5)
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] != EAccounting.REFRESH_TOKEN and len(body["access_token"]) >= 32
    again = requests.post(url, auth=creds, data={"grant_type": "refresh_token",
                                                 "refresh_token": EAccounting.REFRESH_TOKEN}, timeout=5)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    rotated = requests.post(url, data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                                       "client_id": EAccounting.CLIENT_ID,
                                       "client_secret": EAccounting.CLIENT_SECRET}, timeout=5)
    assert rotated.status_code == 200 and rotated.json()["access_token"] != body["access_token"]


@pytest.mark.parametrize(("auth", "data", "error"), [
    ((EAccounting.CLIENT_ID, "wrong"), {"grant_type": "refresh_token", "refresh_token": EAccounting.REFRESH_TOKEN},
     "invalid_client"),
    ((EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET), {"grant_type": "password"}, "unsupported_grant_type"),
    ((EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET), {"grant_type": "refresh_token", "refresh_token": "nope"},
     "invalid_grant"),
])
def test_given_bad_token_request_when_posted_then_identityserver_error(
        server: SandboxServer, auth: tuple[str, str], data: dict[str, str], error: str) -> None:
    resp = requests.post(f"{server.base_url}/connect/token", auth=auth, data=data, timeout=5)
    assert resp.status_code == 400
    assert resp.json() == {"error": error}


def test_given_authorization_code_when_exchanged_twice_then_second_is_rejected(server: SandboxServer) -> None:
    data = {"grant_type": "authorization_code", "code": EAccounting.AUTHORIZATION_CODE,
            "redirect_uri": "http://localhost/cb"}
    creds = (EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET)
    assert requests.post(f"{server.base_url}/connect/token", auth=creds, data=data, timeout=5).status_code == 200
    assert requests.post(f"{server.base_url}/connect/token", auth=creds, data=data, timeout=5).json() == {
        "error": "invalid_grant"}


def test_given_no_or_unknown_bearer_when_calling_api_then_401_in_visma_shape(server: SandboxServer) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        resp = requests.get(f"{server.base_url}/v2/customers", headers=headers, timeout=5)
        assert resp.status_code == 401
        assert resp.json()["ErrorCode"] == 4005 and resp.json()["ErrorId"]
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_given_token_older_than_an_hour_when_calling_then_401_until_refreshed(api: Api, clock: Clock) -> None:
    clock.now += 3599
    assert api.call("GET", "units").status_code == 200
    clock.now += 1
    assert api.call("GET", "units").status_code == 401
    api.token = api.refresh()
    assert api.call("GET", "units").status_code == 200


def test_given_revoke_tokens_fault_when_calling_then_access_and_refresh_tokens_are_dead(api: Api) -> None:
    api.server.add_fault("revoke_tokens", every=1, count=1)
    assert api.call("GET", "units").status_code == 401
    resp = requests.post(f"{api.base}/connect/token", auth=(EAccounting.CLIENT_ID, EAccounting.CLIENT_SECRET),
                         data={"grant_type": "refresh_token", "refresh_token": api.refresh_token}, timeout=5)
    assert resp.json() == {"error": "invalid_grant"}
    api.server.reset()
    api.refresh_token = EAccounting.REFRESH_TOKEN
    api.token = api.refresh()
    assert api.call("GET", "units").status_code == 200


# -- reference data -------------------------------------------------------------------------------------------
def test_given_swedish_company_when_reading_reference_data_then_se_rates_and_default_customer(api: Api) -> None:
    settings = api.get("companysettings")
    assert (settings["CountryCode"], settings["CurrencyCode"], settings["ShowPricesExclVatPC"]) == ("SE", "SEK", False)
    codings = api.get("articleaccountcodings", **{"$filter": "Type eq 'Goods'"})["Data"]
    assert sorted(c["VatRatePercent"] for c in codings) == [0, Decimal("0.06"), Decimal("0.12"), Decimal("0.25")]
    vat = {v["Code"]: v["VatRate"] for v in api.get("vatcodes")["Data"]}
    assert vat["10"] == 25 and vat["11"] == 12 and vat["12"] == 6 and vat["35"] == 0 and vat["36"] == 0
    terms = {t["NumberOfDays"]: t["TermsOfPaymentTypeId"] for t in api.get("termsofpayments")["Data"]}
    assert terms == {30: 0, 14: 0, 0: 2}
    units = api.get("units", **{"$filter": "Code eq 'st'"})["Data"]
    assert [(u["Abbreviation"], u["AbbreviationEnglish"]) for u in units] == [("st", "pcs")]
    default = api.get(f"customers/{seeds.DEFAULT_CUSTOMER_ID}")
    assert (default["Name"], default["CustomerNumber"], default["IsPrivatePerson"]) == ("Kontantkund", "1", True)
    assert api.get("countries/DE")["IsEuMember"] is True and api.get("countries/NO")["IsEuMember"] is False


def test_given_dutch_company_when_reading_reference_data_then_nl_rates(clock: Clock) -> None:
    srv = start(clock, country="NL")
    try:
        api = Api(srv)
        assert api.get("companysettings")["CurrencyCode"] == "EUR"
        rates = sorted(c["VatRatePercent"] for c in api.get("articleaccountcodings")["Data"]
                       if c["Type"] == "Goods" and c["ForeignSalesSubjectToMossAccountNumber"] is None)
        assert rates == [0, Decimal("0.09"), Decimal("0.21")]
        codes = {v["Code"] for v in api.get("vatcodes")["Data"]}
        assert {"1a", "1b", "1e", "3a", "3b"} <= codes
        assert api.get("customers", **{"$filter": "CustomerNumber eq '1'"})["Data"][0]["Name"] == "Kassaverkopen"
    finally:
        srv.stop()


def test_given_dutch_oss_company_when_german_consumer_buys_on_oss_coding_then_german_rate_on_oss_account(
        clock: Clock) -> None:
    srv = start(clock, country="NL")
    try:
        api = Api(srv)
        assert api.get("companysettings")["UsesMoss"] is True
        oss = {c["NameEnglish"]: c for c in api.get("articleaccountcodings", **{"$pagesize": 100})["Data"]
               if c["ForeignSalesSubjectToMossAccountNumber"] is not None}
        assert {name: (c["VatRatePercent"], c["ForeignSalesSubjectToMossAccountNumber"]) for name, c in oss.items()
                if c["Type"] == "Goods"} == {
            "OSS Germany 19%": (Decimal("0.19"), 8170), "OSS Germany 7%": (Decimal("0.07"), 8170),
            "OSS Belgium 21%": (Decimal("0.21"), 8170), "OSS Belgium 6%": (Decimal("0.06"), 8170),
            "OSS France 20%": (Decimal("0.2"), 8170), "OSS France 5.5%": (Decimal("0.055"), 8170)}
        assert oss["OSS France 5.5%"]["VatRate"] == "5.5%"
        assert oss["OSS Germany services 19%"]["ForeignSalesSubjectToMossAccountNumber"] == 8175
        assert [v["OssCodeType"] for v in api.get("vatcodes")["Data"] if v["Code"] == "OSS"] == [2]
        german = api.post("customers", customer(Name="Anna Müller", IsPrivatePerson=True, InvoiceCountryCode="DE",
                                                InvoiceCity="Köln", InvoicePostalCode="50667", CurrencyCode="EUR"))
        tote = api.post("articles", article("TOTE-DE", oss["OSS Germany 19%"]["Id"], UsesMoss=True))
        assert tote["UsesMoss"] is True
        doc = api.post("customerinvoicedrafts", draft(german["Id"], [row(tote["Id"], "1", "23.80")]))
        assert doc["IncludesVat"] is True
        assert (doc["TotalAmount"], doc["TotalVatAmount"]) == (Decimal("23.80"), Decimal("3.80"))
    finally:
        srv.stop()


def test_given_company_without_oss_when_article_marked_uses_moss_then_refused(api: Api) -> None:
    assert api.get("companysettings")["UsesMoss"] is False
    assert not [c for c in api.get("articleaccountcodings")["Data"] if c["ForeignSalesSubjectToMossAccountNumber"]]
    resp = api.call("POST", "articles", article("OSS-1", UsesMoss=True))
    assert resp.status_code == 400 and "UsesMoss" in fields(resp)


# -- pagination, filters, ordering ---------------------------------------------------------------------------
def test_given_many_customers_when_paging_then_meta_and_data_follow_the_envelope(clock: Clock) -> None:
    srv = start(clock, max_page_size=40)
    try:
        for i in range(99):
            vendor_of(srv).create("customers", customer(Name=f"Customer {i:03d}", EmailAddress=f"c{i}@x.se"))
        api = Api(srv)
        first = api.get("customers", **{"$pagesize": 25})
        assert first["Meta"]["TotalNumberOfResults"] == 100 and first["Meta"]["TotalNumberOfPages"] == 4
        assert first["Meta"]["CurrentPage"] == 1 and len(first["Data"]) == 25
        last = api.get("customers", **{"$pagesize": 25, "$page": 4})
        assert len(last["Data"]) == 25 and last["Data"][-1]["Name"] == "Customer 098"
        assert api.get("customers", **{"$pagesize": 25, "$page": 5})["Data"] == []
        clamped = api.get("customers", **{"$pagesize": 500})
        assert clamped["Meta"]["PageSize"] == 40 and len(clamped["Data"]) == 40
        assert api.get("customers")["Meta"]["PageSize"] == 40  # the default 50, clamped
        seen = [c["Id"] for p in range(1, 5) for c in api.get("customers", **{"$pagesize": 25, "$page": p})["Data"]]
        assert len(set(seen)) == 100
    finally:
        srv.stop()


@pytest.mark.parametrize("params", [
    {"$page": "0"}, {"$pagesize": "abc"}, {"$orderby": "Name sideways"}, {"$filter": "Name eq"},
    {"$filter": "Nmae eq 'x'"}, {"$filter": "Rows/any(r: true)"}, {"$filter": "CustomerNumber eq 1"},
    {"$filter": "ChangedUtc gt 2026-13-45T00:00:00Z"}, {"$select": "Name,Nope"},
])
def test_given_bad_query_parameter_when_listing_then_400_error_6000(api: Api, params: dict[str, str]) -> None:
    resp = api.call("GET", "customers", **params)
    assert resp.status_code == 400
    assert resp.json()["ErrorCode"] == 6000


def test_given_quotes_in_values_when_filtering_then_doubled_quote_matches_and_bare_quote_is_rejected(api: Api) -> None:
    api.post("customers", customer(Name="O'Brien Ltd", EmailAddress="ob@x.ie"))
    api.post("customers", customer(Name="Other", EmailAddress="other@x.se"))
    found = api.get("customers", **{"$filter": "Name eq 'O''Brien Ltd'"})["Data"]
    assert [c["Name"] for c in found] == ["O'Brien Ltd"]
    assert api.call("GET", "customers", **{"$filter": "Name eq 'O'Brien Ltd'"}).status_code == 400
    injected = api.call("GET", "customers", **{"$filter": "Name eq 'x' or 'a' eq 'a'"})
    assert injected.status_code == 400


def test_given_customers_when_filtering_with_operators_then_matching_subset(api: Api, clock: Clock) -> None:
    api.post("customers", customer(Name="Alpha AB", EmailAddress="Info@Alpha.se", CustomerNumber="2001"))
    clock.now += 1800
    api.post("customers", customer(Name="Beta AB", EmailAddress="info@beta.se", CustomerNumber="2002",
                                   IsPrivatePerson=True))
    api.post("customers", customer(Name="Gamma Oy", EmailAddress=None, CustomerNumber="2003",
                                   InvoiceCountryCode="FI"))

    def names(expr: str) -> list[str]:
        return sorted(c["Name"] for c in api.get("customers", **{"$filter": expr})["Data"])

    assert names("EmailAddress eq 'info@alpha.se'") == ["Alpha AB"]  # case-insensitive, as SQL Server compares
    assert names("CustomerNumber ne '2001' and startswith(CustomerNumber, '200')") == ["Beta AB", "Gamma Oy"]
    assert names("(IsPrivatePerson eq true or InvoiceCountryCode eq 'FI') and not (Name eq 'Gamma Oy') "
                 "and CustomerNumber ne '1'") == ["Beta AB"]
    assert names("contains(Name, ' ab') and EmailAddress ne null") == ["Alpha AB", "Beta AB"]
    assert names("ChangedUtc gt 2026-01-01T10:15:00Z") == ["Beta AB", "Gamma Oy"]
    assert names("ChangedUtc le 2026-01-01T10:15:00.00Z and CustomerNumber ge '2000'") == ["Alpha AB"]
    assert names("EmailAddress eq null") == ["Gamma Oy", "Kontantkund"]


def test_given_orderby_and_select_when_listing_then_sorted_projection(api: Api) -> None:
    for number in ("3002", "3001", "3003"):
        api.post("customers", customer(Name=f"C{number}", CustomerNumber=number))
    data = api.get("customers", **{"$orderby": "CustomerNumber desc", "$select": "CustomerNumber,Name",
                                   "$filter": "startswith(CustomerNumber,'300')"})["Data"]
    assert data == [{"CustomerNumber": "3003", "Name": "C3003"}, {"CustomerNumber": "3002", "Name": "C3002"},
                    {"CustomerNumber": "3001", "Name": "C3001"}]


# -- customers and articles -----------------------------------------------------------------------------------
def test_given_customer_without_required_fields_when_posted_then_400_2000_per_field(api: Api) -> None:
    resp = api.call("POST", "customers", {"Name": "x" * 51, "IsActive": True})
    assert resp.status_code == 400
    body = resp.json()
    assert body["ErrorCode"] == 2000 and body["ErrorId"]
    assert {"InvoiceCity", "InvoicePostalCode", "IsPrivatePerson", "TermsOfPaymentId", "Name"} <= fields(resp)
    assert any(e["Field"] == "Name" and e["ErrorCode"] == "MaxLength" for e in body["Errors"])
    assert vendor_of(api.server).customers()[1:] == []


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"TermsOfPaymentId": "0a000000-0000-4000-8000-000000000099"}, 3000, "TermsOfPaymentId"),
    ({"TermsOfPaymentId": "not-a-guid"}, 2000, "TermsOfPaymentId"),
    ({"VatNumber": "DE123"}, 4025, "VatNumber"),
    ({"VatNumber": "DE123456789", "InvoiceCountryCode": None}, 2000, "InvoiceCountryCode"),
    ({"ForceBookkeepVat": True, "InvoiceCountryCode": "DE"}, 4035, "ForceBookkeepVat"),
    ({"InvoicePostalCode": "12345678901"}, 2000, "InvoicePostalCode"),
    ({"IsPrivatePerson": "yes"}, 2000, "IsPrivatePerson"),
])
def test_given_invalid_customer_when_posted_then_documented_error_code(
        api: Api, overrides: dict[str, Any], code: int, field: str) -> None:
    resp = api.call("POST", "customers", customer(**overrides))
    assert resp.status_code == 400
    assert resp.json()["ErrorCode"] == code
    assert field in fields(resp)


def test_given_customer_number_in_use_when_posted_then_conflict_4000(api: Api) -> None:
    api.post("customers", customer(CustomerNumber="5000"))
    resp = api.call("POST", "customers", customer(CustomerNumber="5000", Name="Other"))
    assert resp.status_code == 400 and resp.json()["ErrorCode"] == 4000


def test_given_read_only_and_unknown_properties_when_posted_then_ignored(api: Api) -> None:
    created = api.post("customers", customer(Id="11111111-1111-4111-8111-111111111111", ShoeSize=44,
                                             UnpaidInvoicesAmount=999))
    assert created["Id"] != "11111111-1111-4111-8111-111111111111"
    assert "ShoeSize" not in created and created["UnpaidInvoicesAmount"] == 0
    assert created["CustomerNumber"] == "2"  # auto-numbered after the default customer "1"
    assert created["TermsOfPayment"]["NumberOfDays"] == 30


def test_given_existing_customer_when_put_then_replaced_and_number_kept(api: Api, clock: Clock) -> None:
    created = api.post("customers", customer())
    clock.now += 60
    resp = api.call("PUT", f"customers/{created['Id']}", customer(Name="Acme Sverige AB", InvoiceCity="Malmö"))
    assert resp.status_code == 200
    fetched = api.get(f"customers/{created['Id']}")
    assert (fetched["Name"], fetched["InvoiceCity"], fetched["CustomerNumber"]) == ("Acme Sverige AB", "Malmö", "2")
    assert fetched["ChangedUtc"] > created["ChangedUtc"]
    assert api.call("GET", "customers/00000000-0000-4000-8000-00000000dead").status_code == 404


def test_given_article_when_posted_then_gross_price_from_coding_and_number_is_unique(api: Api) -> None:
    created = api.post("articles", article(NetPrice=Decimal("80.00")))
    assert created["GrossPrice"] == Decimal("100.00") and created["CodingName"] == "Varor 25%"
    assert created["UnitAbbreviation"] == "st" and created["IsServiceArticle"] is False
    dup = api.call("POST", "articles", article(number="sku-1"))
    assert dup.status_code == 400 and dup.json()["ErrorCode"] == 4000
    unknown = api.call("POST", "articles", article(number="SKU-2", coding="0c000000-0000-4000-8000-000000009999"))
    assert unknown.status_code == 400 and unknown.json()["ErrorCode"] == 3000 and fields(unknown) == {"CodingId"}
    too_long = api.call("POST", "articles", article(number="X" * 41))
    assert too_long.status_code == 400 and "Number" in fields(too_long)
    assert [a["Number"] for a in api.get("articles", **{"$filter": "Number eq 'SKU-1'"})["Data"]] == ["SKU-1"]


# -- documents and totals -------------------------------------------------------------------------------------
def _setup(api: Api, **customer_overrides: Any) -> tuple[str, str, str]:
    cust = api.post("customers", customer(**customer_overrides))
    a25 = api.post("articles", article("A25", GOODS_25, NetPrice=Decimal("100")))
    a12 = api.post("articles", article("A12", GOODS_12, NetPrice=Decimal("50")))
    return cust["Id"], a25["Id"], a12["Id"]


def test_given_company_customer_when_draft_posted_then_net_totals_and_whole_krona_rounding(api: Api) -> None:
    cust, a25, _ = _setup(api)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "3", "33.33")], YourReference="ORD-1"))
    assert created["IncludesVat"] is False
    assert created["Rows"][0]["Amount"] == Decimal("99.99") and created["Rows"][0]["VatRate"] == 25
    assert created["TotalVatAmount"] == Decimal("25.00")  # round2(99.99 * 0.25) = 25.00
    assert created["TotalRoundings"] == Decimal("0.01")
    assert created["TotalAmount"] == Decimal("125.00")
    assert created["CustomerName"] == "Acme AB" and created["InvoiceCity"] == "Göteborg"


def test_given_private_customer_when_draft_posted_then_prices_include_vat_per_rate(api: Api) -> None:
    cust, a25, a12 = _setup(api, IsPrivatePerson=True)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "1", "125.00"), row(a12, "2", "28.00"),
                                                             {"IsTextRow": True, "Text": "Thanks!",
                                                              "ReversedConstructionServicesVatFree": False}]))
    assert created["IncludesVat"] is True
    assert created["TotalVatAmount"] == Decimal("31.00")  # 25.00 + round2(56 * 12/112) = 6.00
    assert created["TotalAmount"] == Decimal("181.00") and created["TotalRoundings"] == 0
    assert [r["IsTextRow"] for r in created["Rows"]] == [False, False, True]


def test_given_default_unit_price_when_row_has_none_then_article_price_in_document_basis(api: Api) -> None:
    cust, a25, _ = _setup(api, IsPrivatePerson=True)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "2", None)]))
    assert created["Rows"][0]["UnitPrice"] == Decimal("125.00")  # gross price for a private customer
    assert created["TotalAmount"] == Decimal("250.00") and created["TotalVatAmount"] == Decimal("50.00")


@pytest.mark.parametrize(("overrides", "vat", "total"), [
    ({"InvoiceCountryCode": "DE", "VatNumber": "DE123456789"}, Decimal("0"), Decimal("200.00")),  # EU reverse charge
    ({"InvoiceCountryCode": "DE", "IsPrivatePerson": True}, Decimal("40.00"), Decimal("200.00")),  # EU private
    ({"InvoiceCountryCode": "US"}, Decimal("0"), Decimal("200.00")),  # export
    ({"InvoiceCountryCode": "US", "ForceBookkeepVat": True}, Decimal("50.00"), Decimal("250.00")),
])
def test_given_foreign_customer_when_draft_posted_then_vat_follows_treatment(
        api: Api, overrides: dict[str, Any], vat: Decimal, total: Decimal) -> None:
    cust, a25, _ = _setup(api, **overrides)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "2", "100.0000")]))
    assert created["TotalVatAmount"] == vat
    assert created["TotalAmount"] == total


def test_given_dutch_company_when_draft_posted_then_no_whole_unit_rounding(clock: Clock) -> None:
    srv = start(clock, country="NL")
    try:
        api = Api(srv)
        cust = api.post("customers", customer(InvoiceCountryCode="NL"))
        art = api.post("articles", article("NL1", seeds.coding_id(21)))
        created = api.post("customerinvoicedrafts", draft(cust["Id"], [row(art["Id"], "2", "10.05")]))
        assert created["TotalVatAmount"] == Decimal("4.22")  # round2(20.10 * 0.21) = 4.22
        assert created["TotalAmount"] == Decimal("24.32") and created["TotalRoundings"] == 0
    finally:
        srv.stop()


@pytest.mark.parametrize(("rows", "code", "field"), [
    ([{"IsTextRow": False, "ReversedConstructionServicesVatFree": False, "Quantity": 1}], 2000, "Rows[0].ArticleId"),
    ([{"IsTextRow": False, "ReversedConstructionServicesVatFree": False,
       "ArticleId": "00000000-0000-4000-8000-000000000bad", "Quantity": 1}], 3000, "Rows[0].ArticleId"),
    ([{"IsTextRow": True, "ReversedConstructionServicesVatFree": False, "Text": ""}], 2000, "Rows[0].Text"),
    ([{"IsTextRow": False}], 2000, "Rows[0].ReversedConstructionServicesVatFree"),
])
def test_given_bad_rows_when_draft_posted_then_row_errors(
        api: Api, rows: list[dict[str, Any]], code: int, field: str) -> None:
    cust, _, _ = _setup(api)
    resp = api.call("POST", "customerinvoicedrafts", draft(cust, rows))
    assert resp.status_code == 400
    assert resp.json()["ErrorCode"] == code and field in fields(resp)
    assert vendor_of(api.server).drafts() == []


def test_given_three_decimals_on_domestic_price_when_posted_then_400_but_foreign_allows_four(api: Api) -> None:
    cust, a25, _ = _setup(api)
    resp = api.call("POST", "customerinvoicedrafts", draft(cust, [row(a25, "1", "10.123")]))
    assert resp.status_code == 400 and "Rows[0].UnitPrice" in fields(resp)
    foreign = api.post("customers", customer(InvoiceCountryCode="NO", Name="Norsk AS"))
    four = api.call("POST", "customerinvoicedrafts", draft(foreign["Id"], [row(a25, "1", "10.1234")]))
    assert four.status_code == 201


def test_given_unknown_customer_when_draft_posted_then_3000(api: Api) -> None:
    resp = api.call("POST", "customerinvoicedrafts", draft("00000000-0000-4000-8000-000000000bad", []))
    assert resp.status_code == 400 and resp.json()["ErrorCode"] == 3000 and fields(resp) == {"CustomerId"}


def test_given_draft_when_put_then_totals_recomputed(api: Api) -> None:
    cust, a25, _ = _setup(api)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "1", "100")]))
    resp = api.call("PUT", f"customerinvoicedrafts/{created['Id']}", draft(cust, [row(a25, "4", "100")]))
    assert resp.status_code == 200
    assert api.get(f"customerinvoicedrafts/{created['Id']}")["TotalAmount"] == Decimal("500.00")


def test_given_draft_when_converted_then_one_booked_invoice_and_no_draft(api: Api, clock: Clock) -> None:
    cust, a25, _ = _setup(api)
    created = api.post("customerinvoicedrafts", draft(cust, [row(a25, "2", "100")], YourReference="ORD-42"))
    wrong = api.call("POST", f"customerinvoicedrafts/{created['Id']}/convert",
                     {"TotalAmountInvoiceCurrency": Decimal("249.00")})
    assert wrong.status_code == 400 and "TotalAmountInvoiceCurrency" in fields(wrong)
    invoice = api.post(f"customerinvoicedrafts/{created['Id']}/convert",
                       {"TotalAmountInvoiceCurrency": Decimal("250.00"), "TotalVatAmountInvoiceCurrency": 50})
    assert invoice["InvoiceNumber"] == 1001 and invoice["CreatedFromDraftId"] == created["Id"]
    assert invoice["TotalAmount"] == Decimal("250.00") and invoice["RemainingAmount"] == Decimal("250.00")
    assert invoice["InvoiceDate"] == "2026-01-01T00:00:00" and invoice["DueDate"] == "2026-01-31T00:00:00"
    assert invoice["VatSpecification"] == [{"AmountInvoiceCurrency": Decimal("200.00"),
                                            "VatAmountInvoiceCurrency": Decimal("50.00"), "VatPercent": 25}]
    assert api.call("GET", f"customerinvoicedrafts/{created['Id']}").status_code == 404
    vendor = vendor_of(api.server)
    assert [i["YourReference"] for i in vendor.invoices()] == ["ORD-42"]
    assert vendor.drafts() == []
    hits = api.get("customerinvoices", **{"$filter": "YourReference eq 'ORD-42'"})["Data"]
    assert [h["Id"] for h in hits] == [invoice["Id"]]


def test_given_invoice_posted_directly_then_numbers_are_sequential_and_not_editable(api: Api, clock: Clock) -> None:
    cust, a25, _ = _setup(api)
    body = draft(cust, [{"ArticleId": a25, "Quantity": 1, "UnitPrice": 10}], InvoiceDate="2026-02-01")
    first = api.post("customerinvoices", body)
    clock.now += 86400
    api.token = api.refresh()
    second = api.post("customerinvoices", {**body, "YourReference": "B"})
    assert (first["InvoiceNumber"], second["InvoiceNumber"]) == (1001, 1002)
    assert first["DueDate"] == "2026-03-03T00:00:00" and first["PaymentStatus"] == 1
    assert api.call("PUT", f"customerinvoices/{first['Id']}", body).status_code == 405
    assert api.call("POST", "customerinvoices", {**body, "Rows": None}).status_code == 400
    since = api.get("customerinvoices", modifiedSinceUtc="2026-01-01T12:00:00Z")["Data"]
    assert [i["InvoiceNumber"] for i in since] == [1002]
    assert api.get("companysettings")["NextCustomerInvoiceNumber"] == 1003


def test_given_order_when_converted_then_invoiced_once(api: Api) -> None:
    cust, a25, _ = _setup(api)
    order = api.post("orders", {"CustomerId": cust, "CurrencyCode": "SEK", "EuThirdParty": False,
                                "ReverseChargeOnConstructionServices": False, "RotReducedInvoicingType": 0,
                                "Status": 2, "YourReference": "WEB-7",
                                "Rows": [{"LineNumber": 1, "IsTextRow": False, "IsWorkCost": False,
                                          "EligibleForReverseChargeOnVat": False, "ArticleId": a25,
                                          "Quantity": Decimal("1.5"), "UnitPrice": 100}]})
    assert order["Number"] == 1 and order["Amount"] == Decimal("150.00") and order["VatAmount"] == Decimal("37.50")
    invoice = api.post(f"orders/{order['Id']}/convert", None)
    assert invoice["CreatedFromOrderId"] == order["Id"] and invoice["TotalAmount"] == Decimal("188.00")
    assert api.get(f"orders/{order['Id']}")["Status"] == 4
    again = api.call("POST", f"orders/{order['Id']}/convert")
    assert again.status_code == 400 and again.json()["ErrorCode"] == 4002
    assert len(vendor_of(api.server).invoices()) == 1


def test_given_customer_with_documents_when_deleted_then_4001(api: Api) -> None:
    cust, a25, _ = _setup(api)
    api.post("customerinvoicedrafts", draft(cust, [row(a25, "1", "1")]))
    resp = api.call("DELETE", f"customers/{cust}")
    assert resp.status_code == 400 and resp.json()["ErrorCode"] == 4001
    lonely = api.post("customers", customer(Name="Lonely"))
    assert api.call("DELETE", f"customers/{lonely['Id']}").status_code == 200
    assert api.call("GET", f"customers/{lonely['Id']}").status_code == 404


# -- rate limit and faults ------------------------------------------------------------------------------------
def test_given_quota_used_when_calling_same_endpoint_then_429_4010_until_window_passes(clock: Clock) -> None:
    srv = start(clock, rate_limit=3)
    try:
        api = Api(srv)
        assert [api.call("GET", "customers").status_code for _ in range(3)] == [200, 200, 200]
        clock.now += 5
        limited = api.call("GET", "customers")
        assert limited.status_code == 429
        assert limited.json()["ErrorCode"] == 4010
        assert "maximum admitted 3 per Minute. Try again in 55 seconds." in limited.json()["DeveloperErrorMessage"]
        assert "Retry-After" not in limited.headers
        assert api.call("GET", "units").status_code == 200  # counted per endpoint
        clock.now += 55
        assert api.call("GET", "customers").status_code == 200
    finally:
        srv.stop()


def test_given_retry_after_option_when_limited_then_header_is_sent(clock: Clock) -> None:
    srv = start(clock, rate_limit=1, retry_after_header=True)
    try:
        api = Api(srv)
        api.call("GET", "units")
        assert api.call("GET", "units").headers["Retry-After"] == "60"
    finally:
        srv.stop()


def test_given_core_faults_when_injected_then_vendor_keeps_state(api: Api) -> None:
    api.server.add_fault("lost_response", every=1, count=1, method="POST", path="/v2/customers$")
    with pytest.raises(requests.ConnectionError):
        api.call("POST", "customers", customer(CustomerNumber="777"))
    found = api.get("customers", **{"$filter": "CustomerNumber eq '777'"})["Data"]
    assert len(found) == 1  # committed although the client never saw the 201
    with pytest.raises(NotImplementedError):
        vendor_of(api.server).exhaust_daily_limit()  # eAccounting documents no daily quota


# -- state ----------------------------------------------------------------------------------------------------
def test_given_activity_when_dumped_and_reset_then_json_state_and_fresh_seed(api: Api) -> None:
    cust, a25, _ = _setup(api)
    api.post("customerinvoicedrafts", draft(cust, [row(a25, "1", "9.99")], YourReference="R1"))
    state = requests.get(f"{api.base}/_sandbox/state", timeout=5).json()
    # 9.99 + round2(9.99 * 0.25) = 12.49, rounded to whole kronor: 12.00 with -0.49 roundings
    assert state["drafts"][0]["TotalAmount"] == "12.00" and state["drafts"][0]["TotalRoundings"] == "-0.49"
    assert json.loads(json.dumps(vendor_of(api.server).dump())) == state
    api.server.reset()
    vendor = vendor_of(api.server)
    assert vendor.drafts() == [] and vendor.articles() == []
    assert [c["Name"] for c in vendor.customers()] == ["Kontantkund"]

