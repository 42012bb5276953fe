"""Exact Online stand-in: documented requests in, documented response shapes out (reference exact-online.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from sandbox.core import Request, SandboxServer
from sandbox.exact import ExactOnline, seed_id

DIV = ExactOnline.DIVISION
START = 1_750_000_000.0  # 2025-06-15 17:06:40 CEST
JSON_HEADERS = {"Accept": "application/json", "Prefer": "return=representation"}


class Clock:
    """Injected clock: tests move time instead of sleeping."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Api:
    """A minimal Exact client: one token pair, JSON in and out."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.base = server.base_url
        self.refresh_token = ExactOnline.REFRESH_TOKEN
        self.access_token = ""
        self.refresh()

    def token(self, **form: str) -> requests.Response:
        data = {"client_id": ExactOnline.CLIENT_ID, "client_secret": ExactOnline.CLIENT_SECRET} | form
        return requests.post(f"{self.base}/api/oauth2/token", data=data, timeout=5)

    def refresh(self) -> requests.Response:
        resp = self.token(grant_type="refresh_token", refresh_token=self.refresh_token)
        if resp.status_code == 200:
            self.access_token = resp.json()["access_token"]
            self.refresh_token = resp.json()["refresh_token"]
        return resp

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base}/api/v1/{path}"
        hdrs = {"Authorization": f"Bearer {self.access_token}", **JSON_HEADERS, **(headers or {})}
        return requests.request(method, url, params=params, json=body, headers=hdrs, timeout=5)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.call("POST", path, body=body)

    def results(self, path: str, **params: Any) -> list[dict[str, Any]]:
        resp = self.get(path, **params)
        assert resp.status_code == 200, resp.text
        return list(resp.json()["d"]["results"])


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[SandboxServer, Clock]]:
    """One server per module (stopping a server costs ~0.5 s); every test gets it freshly reset."""
    clock = Clock()
    srv = SandboxServer(ExactOnline(seed="demo", clock=clock, minutely_limit=None, daily_limit=None)).start()
    yield srv, clock
    srv.stop()


@pytest.fixture
def clock(shared: tuple[SandboxServer, Clock]) -> Clock:
    shared[1].now = START
    return shared[1]


@pytest.fixture
def server(shared: tuple[SandboxServer, Clock], clock: Clock) -> SandboxServer:
    shared[0].reset()
    return shared[0]


@pytest.fixture
def api(server: SandboxServer) -> Api:
    return Api(server)


def exact(server: SandboxServer) -> ExactOnline:
    vendor = server.vendor
    assert isinstance(vendor, ExactOnline)
    return vendor


def error_text(resp: requests.Response) -> str:
    return str(resp.json()["error"]["message"]["value"])


def item(api: Api, code: str = "SKU-1", **extra: Any) -> dict[str, Any]:
    resp = api.post(f"{DIV}/logistics/Items", {"Code": code, "Description": f"Artikel {code}", **extra})
    assert resp.status_code == 201, resp.text
    return dict(resp.json()["d"])


def customer(api: Api, name: str = "Jan de Vries", **extra: Any) -> dict[str, Any]:
    resp = api.post(f"{DIV}/crm/Accounts", {"Name": name, "Status": "C", **extra})
    assert resp.status_code == 201, resp.text
    return dict(resp.json()["d"])


def invoice_body(account_id: str, item_id: str, **extra: Any) -> dict[str, Any]:
    line = {"Item": item_id, "Quantity": 2, "UnitPrice": 10}
    return {"Journal": "70", "OrderedBy": account_id, "SalesInvoiceLines": [line]} | extra


DEFAULT_DEBTOR = seed_id("Account", "999999")
KORTING = seed_id("Item", "KORTING")


# -- OAuth2 -----------------------------------------------------------------------------------------


def test_given_seeded_refresh_token_when_refreshing_then_bearer_pair_with_string_expiry_and_new_refresh(
        server: SandboxServer) -> None:
    api = Api(server)
    resp = api.token(grant_type="refresh_token", refresh_token=api.refresh_token)
    body = resp.json()
    assert resp.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == "600"
    assert body["refresh_token"] != api.refresh_token
    assert len(body["access_token"]) >= 32


def test_given_rotated_refresh_token_when_reused_then_401_old_refresh_token_used(server: SandboxServer) -> None:
    api = Api(server)
    resp = api.token(grant_type="refresh_token", refresh_token=ExactOnline.REFRESH_TOKEN)
    assert resp.status_code == 401
    assert resp.json() == {"error": "unauthorized_client", "error_description": "Old refresh token used."}
    assert api.refresh().status_code == 200  # the newest one still works


def test_given_access_token_when_ten_minutes_pass_then_401_access_token_expired(api: Api, clock: Clock) -> None:
    assert api.get("current/Me").status_code == 200
    clock.now += 600
    resp = api.get("current/Me")
    assert resp.status_code == 401
    assert "access token expired" in resp.headers["WWW-Authenticate"]


def test_given_rotation_when_old_access_token_used_before_its_expiry_then_still_accepted(
        api: Api, clock: Clock) -> None:
    old = api.access_token
    clock.now += 300
    api.refresh()
    api.access_token = old
    assert api.get("current/Me").status_code == 200
    clock.now += 301
    assert api.get("current/Me").status_code == 401


def test_given_revoked_tokens_when_calling_or_refreshing_then_401_and_invalid_grant(
        api: Api, server: SandboxServer) -> None:
    server.vendor.revoke_tokens()
    assert api.get("current/Me").status_code == 401
    resp = api.refresh()
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_grant"


def test_given_revoke_tokens_fault_when_request_runs_then_tokens_die(api: Api, server: SandboxServer) -> None:
    server.add_fault("revoke_tokens", every=1, count=1)
    assert api.get("current/Me").status_code == 401
    assert api.refresh().json()["error"] == "invalid_grant"


def test_given_wrong_client_secret_when_refreshing_then_400_invalid_client(server: SandboxServer) -> None:
    api = Api(server)
    resp = requests.post(f"{api.base}/api/oauth2/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": api.refresh_token,
        "client_id": ExactOnline.CLIENT_ID, "client_secret": "wrong"})
    assert (resp.status_code, resp.json()["error"]) == (400, "invalid_client")


def test_given_authorization_code_when_exchanged_twice_then_second_is_invalid_grant(server: SandboxServer) -> None:
    api = Api(server)
    auth = requests.get(f"{api.base}/api/oauth2/auth", allow_redirects=False, timeout=5, params={
        "client_id": ExactOnline.CLIENT_ID, "redirect_uri": ExactOnline.REDIRECT_URI, "response_type": "code",
        "state": "xyz"})
    assert auth.status_code == 302
    location = auth.headers["Location"]
    assert location.startswith(ExactOnline.REDIRECT_URI) and "state=xyz" in location
    code = location.split("code=")[1].split("&")[0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": ExactOnline.REDIRECT_URI}
    first = api.token(**form)
    assert first.status_code == 200 and first.json()["refresh_token"]
    assert api.token(**form).json()["error"] == "invalid_grant"
    seeded = dict(form, code=ExactOnline.AUTHORIZATION_CODE)
    assert api.token(**seeded).status_code == 200


def test_given_min_refresh_interval_when_refreshing_early_then_401_access_token_not_expired(clock: Clock) -> None:
    srv = SandboxServer(ExactOnline(clock=clock, min_refresh_interval=570)).start()
    try:
        api = Api(srv)
        early = api.refresh()
        assert early.status_code == 401
        assert early.json()["error_description"] == "Access Token not expired"
        clock.now += 570
        assert api.refresh().status_code == 200
    finally:
        srv.stop()


def test_given_refresh_token_unused_for_30_days_when_refreshing_then_400_expired(
        server: SandboxServer, clock: Clock) -> None:
    clock.now += 31 * 86400
    resp = requests.post(f"{server.base_url}/api/oauth2/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": ExactOnline.REFRESH_TOKEN,
        "client_id": ExactOnline.CLIENT_ID, "client_secret": ExactOnline.CLIENT_SECRET})
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"
    assert resp.json()["error_description"].startswith("The refresh token expired at ")


# -- Me, divisions, envelopes -------------------------------------------------------------------------


def test_given_token_when_get_me_then_current_division_in_results_envelope_without_rate_headers(api: Api) -> None:
    resp = api.get("current/Me", **{"$select": "CurrentDivision,FullName"})
    me = resp.json()["d"]["results"][0]
    assert me["CurrentDivision"] == DIV
    assert set(me) == {"__metadata", "CurrentDivision", "FullName"}
    assert me["__metadata"]["type"] == "Exact.Web.Api.Models.System.Me"
    assert "X-RateLimit-Limit" not in resp.headers


def test_given_no_json_accept_header_when_getting_then_exact_answers_xml(api: Api) -> None:
    resp = api.call("GET", f"{DIV}/financial/Journals", params={"$filter": "Code eq '70'", "$select": "Code"},
                    headers={"Accept": "*/*"})
    assert resp.headers["Content-Type"].startswith("application/atom+xml")
    assert "<d:Code>70</d:Code>" in resp.text


def test_given_other_division_when_called_then_403_no_division_access(api: Api) -> None:
    resp = api.get("7654321/crm/Accounts")
    assert resp.status_code == 403
    assert resp.headers["Reason"] == "NoDivisionAccess"


def test_given_seed_when_listing_then_documented_codes_exist(api: Api) -> None:
    vat = {r["Code"].strip(): r for r in api.results(f"{DIV}/vat/VATCodes")}
    assert (vat["2"]["Percentage"], vat["2"]["Type"]) == (0.21, "E")
    assert (vat["1"]["Percentage"], vat["4"]["Type"]) == (0.09, "I")
    assert vat["7"]["EUSalesListing"] == "L"
    assert vat["D1"]["OssCountry"] == "DE"
    journals = api.results(f"{DIV}/financial/Journals", **{"$filter": "Code eq '70'"})
    assert (journals[0]["Description"], journals[0]["Type"]) == ("Verkoopboek", 20)
    gl = {r["Code"] for r in api.results(f"{DIV}/financial/GLAccounts", **{"$select": "Code"})}
    assert {"1300", "8000", "8010", "8020", "8100", "8200", "8300", "8900"} <= gl
    terms = {r["Code"] for r in api.results(f"{DIV}/cashflow/PaymentConditions")}
    assert {"00", "14", "30"} <= terms
    debtor = api.results(f"{DIV}/crm/Accounts", **{"$filter": "trim(Code) eq '999999'"})
    assert (debtor[0]["Name"], debtor[0]["Code"], debtor[0]["ID"]) == ("Kassaverkopen", "999999".rjust(18),
                                                                       DEFAULT_DEBTOR)


def test_given_key_when_get_by_guid_then_single_entity_envelope_and_unknown_is_404(api: Api) -> None:
    resp = api.get(f"{DIV}/crm/Accounts(guid'{DEFAULT_DEBTOR}')")
    assert resp.json()["d"]["Name"] == "Kassaverkopen"
    assert api.get(f"{DIV}/crm/Accounts(guid'00000000-0000-0000-0000-000000000001')").status_code == 404


# -- paging and query options ---------------------------------------------------------------------------


def direct(api: Api, method: str, path: str, body: Any = None, **params: str) -> Any:
    """Call the vendor in-process (no HTTP), for bulk setup and timing."""
    headers = {"authorization": f"Bearer {api.access_token}", "prefer": "return=representation",
               "accept": "application/json", "host": "127.0.0.1"}
    raw = json.dumps(body).encode() if body is not None else b""
    query = {k: [v] for k, v in params.items()}
    return api.server.vendor.handle(Request(method, f"/api/v1/{DIV}/{path}", query, headers, raw))


@pytest.fixture
def many_accounts(api: Api) -> int:
    for i in range(130):
        resp = direct(api, "POST", "crm/Accounts", {"Name": f"Klant {i:03d}", "Status": "C",
                                                    "Email": f"k{i}@example.com"})
        assert resp.status == 201
    return 131  # plus the default debtor


def test_given_131_accounts_when_following_next_then_pages_of_60_cover_all_once(api: Api, many_accounts: int) -> None:
    resp = api.get(f"{DIV}/crm/Accounts", **{"$select": "ID,Name"})
    sizes, ids = [], []
    while True:
        d = resp.json()["d"]
        sizes.append(len(d["results"]))
        ids += [r["ID"] for r in d["results"]]
        if "__next" not in d:
            break
        assert "$skiptoken=guid'" in d["__next"]
        resp = api.call("GET", d["__next"])
    assert sizes == [60, 60, 11]
    assert len(set(ids)) == many_accounts


def test_given_top_over_page_size_when_paging_then_next_carries_remaining_top(api: Api, many_accounts: int) -> None:
    d = api.get(f"{DIV}/crm/Accounts", **{"$top": "100", "$select": "ID"}).json()["d"]
    assert len(d["results"]) == 60
    second = api.call("GET", d["__next"]).json()["d"]
    assert len(second["results"]) == 40 and "__next" not in second
    assert len(api.results(f"{DIV}/crm/Accounts", **{"$top": "5"})) == 5


def test_given_orderby_skip_inlinecount_when_listing_then_sorted_window_and_count(
        api: Api, many_accounts: int) -> None:
    d = api.get(f"{DIV}/crm/Accounts", **{"$orderby": "Name desc", "$skip": "1", "$top": "3",
                                          "$select": "Name", "$inlinecount": "allpages",
                                          "$filter": "startswith(Name, 'Klant')"}).json()["d"]
    assert [r["Name"] for r in d["results"]] == ["Klant 128", "Klant 127", "Klant 126"]
    assert d["__count"] == "130"
    count = api.get(f"{DIV}/crm/Accounts/$count", **{"$filter": "substringof('12', Name)"})
    assert count.text == "12"  # 012, 112, 120..129


def test_given_select_when_listing_then_only_those_fields_come_back(api: Api) -> None:
    rows = api.results(f"{DIV}/vat/VATCodes", **{"$select": "Code,Percentage"})
    assert all(set(r) == {"__metadata", "Code", "Percentage"} for r in rows)
    bad = api.get(f"{DIV}/vat/VATCodes", **{"$select": "Code,Rate"})
    assert bad.status_code == 400 and "Rate" in error_text(bad)


@pytest.mark.parametrize(("flt", "expected"), [
    ("Email eq 'o''brien@example.com'", ["O'Brien"]),
    ("Email eq 'O''BRIEN@EXAMPLE.COM'", ["O'Brien"]),  # SQL Server collation: case-insensitive
    ("Name eq 'Piet' or (Name eq 'Kees' and City eq 'Delft')", ["Piet", "Kees"]),
    ("City ne 'Delft' and City ne null", ["Piet"]),
    ("City eq null and Email ne null", ["O'Brien"]),
    ("not (City eq 'Delft') and Status eq 'C' and trim(Code) ne '999999'", ["Piet", "O'Brien"]),
    ("Email eq 'x'' or Name ne ''x'", []),  # an escaped quote stays inside the literal
    ("CreditLineSales gt 100.5 and CreditLineSales le 2000", ["Kees"]),
    ("Modified ge datetime'2025-06-15T00:00:00' and Created lt datetime'2025-06-16'", ["Piet", "Kees", "O'Brien"]),
])
def test_given_filter_when_listing_then_matching_accounts(api: Api, flt: str, expected: list[str]) -> None:
    customer(api, "Piet", City="Utrecht")
    customer(api, "Kees", City="Delft", CreditLineSales=1500)
    customer(api, "O'Brien", Email="o'brien@example.com")
    names = [r["Name"] for r in api.results(f"{DIV}/crm/Accounts", **{"$filter": flt})
             if r["Name"] != "Kassaverkopen"]
    assert names == expected


def test_given_guid_and_number_literals_when_filtering_then_typed_matches(api: Api) -> None:
    rows = api.results(f"{DIV}/crm/Accounts", **{"$filter": f"ID eq guid'{DEFAULT_DEBTOR.upper()}'"})
    assert [r["Name"] for r in rows] == ["Kassaverkopen"]
    gl = api.results(f"{DIV}/financial/GLAccounts", **{"$filter": "Type eq 110 and Code ge '8100'"})
    assert sorted(r["Code"] for r in gl) == ["8100", "8200", "8300", "8400", "8900"]


@pytest.mark.parametrize(("flt", "message"), [
    ("Email eq 'o'brien@example.com'", "position"),  # unescaped quote: syntax error, not a different query
    ("Email eq 'open", "Unterminated string literal"),
    ("Nmae eq 'x'", "No property 'Nmae' exists in type 'Exact.Web.Api.Models.Account'"),
    ("ID eq 'not-a-guid'", "Operator 'eq' incompatible with operand types 'Edm.Guid' and 'Edm.String'"),
    ("Name eq", "Expression expected"),
    ("(Name eq 'x'", "Syntax error"),
    ("Name", "Expression of type 'System.Boolean' expected"),
    ("ID eq guid'123'", "Unrecognized 'Edm.Guid' literal"),
])
def test_given_malformed_filter_when_listing_then_400_in_exact_envelope(api: Api, flt: str, message: str) -> None:
    resp = api.get(f"{DIV}/crm/Accounts", **{"$filter": flt})
    assert resp.status_code == 400
    assert message in error_text(resp)
    assert resp.json()["error"]["code"] == ""


# -- writes: accounts and items ---------------------------------------------------------------------------


def test_given_new_accounts_when_posted_without_code_then_highest_code_plus_one_padded(api: Api) -> None:
    first = customer(api, "A")
    second = customer(api, "B")
    explicit = customer(api, "C", Code="500")
    after = customer(api, "D")
    assert (first["Code"], second["Code"]) == ("1".rjust(18), "2".rjust(18))
    assert (explicit["Code"], after["Code"]) == ("500".rjust(18), "501".rjust(18))


def test_given_existing_code_when_posting_or_putting_code_then_500_gegeven_bestaat_reeds(api: Api) -> None:
    acc = customer(api, "A", Code="42")
    dup = api.post(f"{DIV}/crm/Accounts", {"Name": "B", "Code": "42"})
    assert (dup.status_code, error_text(dup)) == (500, "Gegeven bestaat reeds")
    put = api.call("PUT", f"{DIV}/crm/Accounts(guid'{acc['ID']}')", body={"Code": "42", "Name": "A2"})
    assert (put.status_code, error_text(put)) == (500, "Gegeven bestaat reeds")
    item(api, "MUG")
    dup_item = api.post(f"{DIV}/logistics/Items", {"Code": "mug", "Description": "x"})
    assert (dup_item.status_code, error_text(dup_item)) == (500, "Gegeven bestaat reeds")


def test_given_mandatory_fields_missing_when_posting_then_500_verplicht(api: Api) -> None:
    resp = api.post(f"{DIV}/crm/Accounts", {"Email": "x@example.com"})
    assert (resp.status_code, error_text(resp)) == (500, "Verplicht: Naam")
    resp = api.post(f"{DIV}/logistics/Items", {"Code": "X"})
    assert error_text(resp) == "Verplicht: Omschrijving"


def test_given_unknown_property_when_posting_then_400_property_name_not_valid(api: Api) -> None:
    resp = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(
        DEFAULT_DEBTOR, seed_id("Item", "VERZENDKOSTEN"),
        SalesInvoiceLines=[{"Item": seed_id("Item", "VERZENDKOSTEN"), "SalesVatCode": "2"}]))
    assert resp.status_code == 400
    assert error_text(resp) == ("Error processing request stream. The property name 'SalesVatCode' specified for "
                                "type 'Exact.Web.Api.Models.SalesInvoiceLine' is not valid.")
    resp = api.post(f"{DIV}/crm/Accounts", {"Name": "X", "Colour": "red"})
    assert "'Colour' specified for type 'Exact.Web.Api.Models.Account'" in error_text(resp)


def test_given_put_and_delete_when_applied_then_204_and_gone(api: Api, server: SandboxServer) -> None:
    acc = customer(api, "Oud")
    put = api.call("PUT", f"{DIV}/crm/Accounts(guid'{acc['ID']}')", body={"Name": "Nieuw"})
    assert (put.status_code, put.text) == (204, "")
    assert api.get(f"{DIV}/crm/Accounts(guid'{acc['ID']}')").json()["d"]["Name"] == "Nieuw"
    assert api.call("DELETE", f"{DIV}/crm/Accounts(guid'{acc['ID']}')").status_code == 204
    assert api.get(f"{DIV}/crm/Accounts(guid'{acc['ID']}')").status_code == 404
    term = seed_id("PaymentCondition", "30")
    assert api.call("DELETE", f"{DIV}/cashflow/PaymentConditions(guid'{term}')").status_code == 405


def test_given_post_without_prefer_header_then_only_the_key_is_filled(api: Api) -> None:
    resp = api.call("POST", f"{DIV}/crm/Accounts", body={"Name": "Zonder"}, headers={"Prefer": ""})
    d = resp.json()["d"]
    assert resp.status_code == 201 and d["ID"]
    assert d["Name"] is None


# -- writes: sales invoices -------------------------------------------------------------------------------


def test_given_invoice_with_excl_and_incl_vat_lines_when_posted_then_exact_computes_amounts_and_number(
        api: Api, server: SandboxServer) -> None:
    mug = item(api, "MUG", SalesVatCode="2")
    body = {"Journal": "70", "OrderedBy": DEFAULT_DEBTOR, "YourRef": "shop-1001", "Description": "Order #1001",
            "SalesInvoiceLines": [
                {"Item": mug["ID"], "Quantity": 3, "UnitPrice": 12.10, "VATCode": "4"},  # 36.30 gross incl. 21 %
                {"Item": mug["ID"], "Quantity": 1, "UnitPrice": 9.99, "Discount": 0.1},  # net 8.99 excl. 21 %
                {"Item": seed_id("Item", "VERZENDKOSTEN"), "UnitPrice": 4.95, "VATCode": "1"},
            ], "InvoiceNumber": 1, "AmountFC": 999}
    resp = api.post(f"{DIV}/salesinvoice/SalesInvoices", body)
    assert resp.status_code == 201, resp.text
    d = resp.json()["d"]
    lines = d["SalesInvoiceLines"]["results"]
    assert [(line["AmountFC"], line["VATAmountFC"]) for line in lines] == [(30, 6.3), (8.99, 1.89), (4.95, 0.45)]
    assert [line["LineNumber"] for line in lines] == [1, 2, 3]
    assert lines[2]["GLAccount"] == seed_id("GLAccount", "8050")
    assert (d["AmountFCExclVat"], d["VATAmountFC"], d["AmountFC"]) == (43.94, 8.64, 52.58)
    assert d["InvoiceNumber"] == 25700001  # read-only InvoiceNumber/AmountFC in the body were ignored
    assert (d["Status"], d["Type"], d["Journal"], d["InvoiceToName"]) == (20, 8020, "70", "Kassaverkopen")
    again = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, mug["ID"], YourRef="x"))
    assert again.json()["d"]["InvoiceNumber"] == 25700002
    stored = [inv for inv in exact(server).invoices() if inv["YourRef"] == "shop-1001"]
    assert len(stored) == 1 and stored[0]["AmountFC"] == Decimal("52.58")
    found = api.results(f"{DIV}/salesinvoice/SalesInvoices", **{
        "$filter": "YourRef eq 'shop-1001'", "$select": "InvoiceID,InvoiceNumber,Description"})
    assert [(f["InvoiceNumber"], f["Description"]) for f in found] == [(25700001, "Order #1001")]


def test_given_invoice_when_expanded_then_lines_inline_else_deferred(api: Api) -> None:
    mug = item(api)
    inv = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, mug["ID"])).json()["d"]
    plain = api.get(f"{DIV}/salesinvoice/SalesInvoices(guid'{inv['InvoiceID']}')").json()["d"]
    assert "__deferred" in plain["SalesInvoiceLines"]
    rows = api.results(f"{DIV}/salesinvoice/SalesInvoices", **{
        "$expand": "SalesInvoiceLines", "$select": "InvoiceID,SalesInvoiceLines/ItemCode"})
    assert rows[0]["SalesInvoiceLines"]["results"][0] | {} == {
        "__metadata": rows[0]["SalesInvoiceLines"]["results"][0]["__metadata"], "ItemCode": "SKU-1"}


@pytest.mark.parametrize(("change", "status", "message"), [
    ({"Journal": None}, 500, "Verplicht: Dagboek"),
    ({"Journal": "99"}, 500, "Ongeldige referentie: Journals"),
    ({"Journal": seed_id("Journal", "70")}, 500, "Ongeldige referentie: Journals"),
    ({"Journal": "20"}, 500, "Ongeldig: Dagboek (Type)"),
    ({"OrderedBy": "00000000-0000-0000-0000-00000000abcd"}, 500, "Ongeldige referentie: Relatie"),
    ({"SalesInvoiceLines": []}, 500, "Verplicht: Regels"),
    ({"SalesInvoiceLines": {"Item": "x"}}, 400, "The request should be a valid top-level resource object."),
    ({"SalesInvoiceLines": [{"Quantity": 1}]}, 500, "Verplicht: Artikel"),
    ({"SalesInvoiceLines": [{"Item": seed_id("Item", "INKOOP")}]}, 500,
     "Ongeldig: Artikel INKOOP is geen verkoopartikel"),
    ({"SalesInvoiceLines": [{"Item": KORTING, "VATCode": "ZZ"}]}, 500, "Ongeldige referentie: BTW-code"),
    ({"SalesInvoiceLines": [{"Item": KORTING, "VATCode": "X"}]}, 500, "Geblokkeerd: BTW-code X"),
    ({"SalesInvoiceLines": [{"Item": KORTING, "Quantity": "veel"}]}, 400,
     "for property 'Quantity' to type 'System.Double'"),
])
def test_given_invalid_invoice_when_posted_then_exact_error_and_nothing_stored(
        api: Api, server: SandboxServer, change: dict[str, Any], status: int, message: str) -> None:
    body = invoice_body(DEFAULT_DEBTOR, seed_id("Item", "KORTING")) | change
    resp = api.post(f"{DIV}/salesinvoice/SalesInvoices", body)
    assert resp.status_code == status
    assert message in error_text(resp)
    assert exact(server).invoices() == []


def test_given_credit_note_type_when_posted_then_stored_as_credit_note_and_unknown_type_refused(
        api: Api, server: SandboxServer) -> None:
    credit = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, KORTING, Type=8021))
    assert credit.status_code == 201
    assert [(i["Type"], i["TypeDescription"]) for i in exact(server).invoices()] == [(8021, "Verkoopcreditnota")]
    wrong = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, KORTING, Type=8030))
    assert (wrong.status_code, error_text(wrong)) == (500, "Ongeldig: Type (8030)")


def test_given_account_without_customer_status_when_invoiced_then_factuur_voor_type(api: Api) -> None:
    prospect = api.post(f"{DIV}/crm/Accounts", {"Name": "Prospect"}).json()["d"]
    assert prospect["Status"] == "A"
    resp = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(prospect["ID"], seed_id("Item", "KORTING")))
    assert (resp.status_code, error_text(resp)) == (500, "Ongeldig: Factuur voor (Type)")


def test_given_open_invoice_when_line_added_then_totals_follow_and_printing_closes_it(api: Api) -> None:
    mug = item(api, SalesVatCode="2")
    inv = api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, mug["ID"])).json()["d"]
    line = api.post(f"{DIV}/salesinvoice/SalesInvoiceLines", {"InvoiceID": inv["InvoiceID"], "Item": mug["ID"],
                                                               "Quantity": 1, "UnitPrice": 5})
    assert line.status_code == 201 and line.json()["d"]["LineNumber"] == 2
    key = f"{DIV}/salesinvoice/SalesInvoices(guid'{inv['InvoiceID']}')"
    assert api.get(key).json()["d"]["AmountFC"] == 30.25  # (20 + 5) * 1.21
    printed = api.post(f"{DIV}/salesinvoice/PrintedSalesInvoices", {"InvoiceID": inv["InvoiceID"]})
    assert printed.status_code == 201
    assert api.get(key).json()["d"]["Status"] == 50
    put = api.call("PUT", key, body={"Description": "te laat"})
    assert put.status_code == 500
    flt = f"InvoiceID eq guid'{inv['InvoiceID']}'"
    lines = api.results(f"{DIV}/salesinvoice/SalesInvoiceLines", **{"$filter": flt})
    assert len(lines) == 2


# -- writes: sales entries and sales orders -----------------------------------------------------------------


def test_given_sales_entry_when_posted_then_vat_from_gl_and_override_and_entry_number(api: Api) -> None:
    body = {"Customer": DEFAULT_DEBTOR, "Journal": "70", "YourRef": "POS-7", "EntryDate": "2025-06-01",
            "SalesEntryLines": [
                {"GLAccount": seed_id("GLAccount", "8000"), "AmountFC": 100},  # VAT 2 from the GL account
                {"GLAccount": seed_id("GLAccount", "8010"), "AmountFC": 10.05},  # VAT 1: 9 % -> 0.9045 -> 0.90
                {"GLAccount": seed_id("GLAccount", "8000"), "AmountFC": 1, "VATAmountFC": 0.22},
            ]}
    resp = api.post(f"{DIV}/salesentry/SalesEntries", body)
    assert resp.status_code == 201, resp.text
    d = resp.json()["d"]
    lines = d["SalesEntryLines"]["results"]
    assert [(line["VATCode"], line["VATAmountFC"]) for line in lines] == [("2  ", 21), ("1  ", 0.9), ("2  ", 0.22)]
    assert (d["AmountFC"], d["VATAmountFC"], d["EntryNumber"], d["Status"]) == (133.17, 22.12, 25700001, 20)
    assert (d["ReportingYear"], d["ReportingPeriod"]) == (2025, 6)
    dup = api.post(f"{DIV}/salesentry/SalesEntries", body | {"EntryNumber": 25700001})
    assert (dup.status_code, error_text(dup)) == (500, "Gegeven bestaat reeds")


def test_given_entry_line_on_debtors_account_when_posted_then_grootboekrekeningtype(api: Api) -> None:
    body = {"Customer": DEFAULT_DEBTOR, "Journal": "70",
            "SalesEntryLines": [{"GLAccount": seed_id("GLAccount", "1300"), "AmountFC": 10}]}
    resp = api.post(f"{DIV}/salesentry/SalesEntries", body)
    assert (resp.status_code, error_text(resp)) == (500, "Ongeldig: Grootboekrekeningtype")
    missing = api.post(f"{DIV}/salesentry/SalesEntries", body | {"SalesEntryLines": [
        {"GLAccount": seed_id("GLAccount", "8000")}]})
    assert error_text(missing) == "Verplicht: Bedrag"


def test_given_entry_when_last_line_deleted_then_entry_is_gone(api: Api) -> None:
    body = {"Customer": DEFAULT_DEBTOR, "Journal": "70",
            "SalesEntryLines": [{"GLAccount": seed_id("GLAccount", "8000"), "AmountFC": 10}]}
    entry = api.post(f"{DIV}/salesentry/SalesEntries", body).json()["d"]
    line_id = entry["SalesEntryLines"]["results"][0]["ID"]
    assert api.call("DELETE", f"{DIV}/salesentry/SalesEntryLines(guid'{line_id}')").status_code == 204
    assert api.get(f"{DIV}/salesentry/SalesEntries(guid'{entry['EntryID']}')").status_code == 404


def test_given_sales_order_number_when_reused_then_verkoopordernummer_bestaat_reeds(api: Api) -> None:
    mug = item(api, SalesVatCode="2")
    body = {"OrderedBy": DEFAULT_DEBTOR, "OrderNumber": 1001, "YourRef": "#1001",
            "SalesOrderLines": [{"Item": mug["ID"], "Quantity": 2, "UnitPrice": 10}]}
    first = api.post(f"{DIV}/salesorder/SalesOrders", body)
    assert first.status_code == 201
    d = first.json()["d"]
    assert (d["Status"], d["AmountFC"], d["AmountFCExclVat"]) == (12, 24.2, 20)
    assert d["SalesOrderLines"]["results"][0]["VATAmount"] == 4.2
    again = api.post(f"{DIV}/salesorder/SalesOrders", body)
    assert (again.status_code, error_text(again)) == (500, "Verkoopordernummer: Bestaat reeds")
    auto = api.post(f"{DIV}/salesorder/SalesOrders", body | {"OrderNumber": None}).json()["d"]
    assert auto["OrderNumber"] == 1


# -- rate limits -----------------------------------------------------------------------------------------------


def test_given_minutely_limit_when_exceeded_then_429_minutely_headers_until_next_minute(clock: Clock) -> None:
    srv = SandboxServer(ExactOnline(clock=clock, minutely_limit=3, daily_limit=100)).start()
    try:
        api = Api(srv)
        first = api.get(f"{DIV}/vat/VATCodes")
        assert (first.headers["X-RateLimit-Minutely-Limit"], first.headers["X-RateLimit-Minutely-Remaining"]) == (
            "3", "2")
        assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("100", "99")
        reset_ms = int(first.headers["X-RateLimit-Minutely-Reset"])
        assert reset_ms == (int(START // 60) + 1) * 60_000
        api.get(f"{DIV}/vat/VATCodes")
        api.get(f"{DIV}/vat/VATCodes")
        limited = api.get(f"{DIV}/vat/VATCodes")
        assert limited.status_code == 429
        assert limited.headers["X-RateLimit-Minutely-Remaining"] == "0"
        assert "X-RateLimit-Limit" not in limited.headers
        assert api.get("current/Me").status_code == 200  # no division: not limited
        clock.now = reset_ms / 1000
        again = api.get(f"{DIV}/vat/VATCodes")
        assert again.status_code == 200 and again.headers["X-RateLimit-Remaining"] == "96"
    finally:
        srv.stop()


def test_given_daily_limit_when_used_up_then_429_daily_headers_until_reset(clock: Clock) -> None:
    srv = SandboxServer(ExactOnline(clock=clock, minutely_limit=None, daily_limit=2)).start()
    try:
        api = Api(srv)
        assert api.get(f"{DIV}/vat/VATCodes").status_code == 200
        assert api.get(f"{DIV}/vat/VATCodes").status_code == 200
        limited = api.get(f"{DIV}/vat/VATCodes")
        assert limited.status_code == 429
        assert (limited.headers["X-RateLimit-Remaining"], "X-RateLimit-Minutely-Limit" in limited.headers) == (
            "0", False)
        assert int(limited.headers["X-RateLimit-Reset"]) == 1_750_024_800_000  # 2025-06-16 00:00 CEST
        clock.now = 1_750_024_800
        assert api.refresh().status_code == 200
        assert api.get(f"{DIV}/vat/VATCodes").status_code == 200
    finally:
        srv.stop()


def test_given_daily_limit_fault_when_injected_then_later_calls_429_until_reset(
        api: Api, server: SandboxServer) -> None:
    server.add_fault("daily_limit", every=1, count=1)
    assert api.get(f"{DIV}/vat/VATCodes").status_code == 429
    assert api.get(f"{DIV}/vat/VATCodes").status_code == 429
    server.reset()
    api.refresh_token = ExactOnline.REFRESH_TOKEN
    api.refresh()
    assert api.get(f"{DIV}/vat/VATCodes").status_code == 200


# -- bulk and sync -----------------------------------------------------------------------------------------------


def test_given_bulk_endpoint_when_no_select_then_400_else_1000_page(api: Api, many_accounts: int) -> None:
    resp = api.get(f"{DIV}/bulk/CRM/Accounts")
    assert resp.status_code == 400 and "$select" in error_text(resp)
    assert len(api.results(f"{DIV}/bulk/CRM/Accounts", **{"$select": "ID,Name"})) == many_accounts


def test_given_changes_when_syncing_by_timestamp_then_only_newer_rows_and_deletions(api: Api) -> None:
    first = api.results(f"{DIV}/sync/CRM/Accounts", **{"$filter": "Timestamp gt 1", "$select": "Timestamp,ID,Name"})
    high = max(r["Timestamp"] for r in first)
    acc = customer(api, "Nieuw")
    api.call("PUT", f"{DIV}/crm/Accounts(guid'{DEFAULT_DEBTOR}')", body={"City": "Rotterdam"})
    newer = api.results(f"{DIV}/sync/CRM/Accounts", **{"$filter": f"Timestamp gt {high}L", "$select": "ID"})
    assert [r["ID"] for r in newer] == [acc["ID"], DEFAULT_DEBTOR]
    api.call("DELETE", f"{DIV}/crm/Accounts(guid'{acc['ID']}')")
    deleted = api.results(f"{DIV}/sync/Deleted", **{"$filter": f"Timestamp gt {high}L"})
    assert [(r["EntityKey"], r["EntityType"]) for r in deleted] == [(acc["ID"], 2)]
    bad = api.get(f"{DIV}/sync/CRM/Accounts", **{"$filter": "Name eq 'x'"})
    assert bad.status_code == 400


# -- state and performance ----------------------------------------------------------------------------------------


def test_given_state_when_dumped_then_json_with_decimal_strings_and_reset_restores_seed(
        api: Api, server: SandboxServer) -> None:
    api.post(f"{DIV}/salesinvoice/SalesInvoices", invoice_body(DEFAULT_DEBTOR, seed_id("Item", "KORTING")))
    state = requests.get(f"{server.base_url}/_sandbox/state", timeout=5).json()
    assert state["SalesInvoice"][0]["AmountFC"] == "24.20"
    server.reset()
    assert exact(server).invoices() == []
    assert len(exact(server).accounts()) == 1

