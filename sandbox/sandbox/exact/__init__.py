"""Exact Online REST API stand-in (registry name "exact"): `from sandbox.exact import ExactOnline`.

Built from /work/shared/reference/exact-online.md; entity allowlists come from data/exact_fields.json.

Credentials (class constants of ExactOnline, each overridable by a constructor keyword):
    client_id           "exact-sandbox-client-id"
    client_secret       "exact-sandbox-client-secret"
    refresh_token       "exact-sandbox-refresh-token"       (initial, single use: every refresh rotates it)
    authorization_code  "exact-sandbox-authorization-code"  (single use; GET /api/oauth2/auth mints fresh ones)
    redirect_uri        "http://127.0.0.1/exact/callback"
    division            1234567 (CurrentDivision of GET /api/v1/current/Me; any other -> 403, header
                        Reason: NoDivisionAccess)
Other keywords: access_token_ttl=600, refresh_token_ttl=30 days, min_refresh_interval=None (Exact's "570 s"
rule, off by default), minutely_limit=60, daily_limit=5000 (None switches a limit off), clock=time.time.

Paths (below server.base_url, as on start.exactonline.nl):
    POST /api/oauth2/token, GET /api/oauth2/auth, GET /api/v1/current/Me (not rate limited),
    /api/v1/{division}/ crm/Accounts, crm/Contacts, crm/Addresses, logistics/Items, logistics/ItemGroups (GET),
    logistics/SalesItemPrices, salesinvoice/SalesInvoices, salesinvoice/SalesInvoiceLines,
    salesinvoice/PrintedSalesInvoices (POST), salesorder/SalesOrders, salesorder/SalesOrderLines,
    salesentry/SalesEntries, salesentry/SalesEntryLines, vat/VATCodes, financial/GLAccounts, financial/Journals,
    cashflow/PaymentConditions (GET, POST), system/Divisions, bulk/... (1000 a page, $select mandatory),
    sync/CRM/Accounts, sync/CRM/Contacts, sync/Logistics/Items, sync/Deleted (1000 a page, Timestamp filter only).
    Key access: .../Accounts(guid'…'); count: .../Accounts/$count.
    OData: $filter (eq ne gt ge lt le and or not, parentheses, 'o''brien', guid'…', datetime'…', numbers, 123L,
    true/false, null, substringof/startswith/endswith/tolower/toupper/trim/length), $select, $expand=…Lines,
    $top, $skip, $orderby, $inlinecount=allpages; 60 rows a page with d.__next ($skiptoken=guid'…').
    String comparisons are case-insensitive (SQL Server collation). Account Code is stored right-aligned
    18 wide and VAT codes left-aligned 3 wide, as Exact returns them: filter `Code eq '   …999999'` or
    `trim(Code) eq '999999'`.

Writes: POST -> 201 {"d": {...}}; without `Prefer: return=representation` only the key is filled in.
PUT -> 204, DELETE -> 204. A property not in the entity's allowlist -> 400 "Error processing request
stream. The property name 'X' specified for type 'Exact.Web.Api.Models.<Entity>' is not valid.";
read-only properties (not writable per the fields file, e.g. InvoiceNumber, AmountFC on headers, IsSales,
StandardSalesPrice, VATCode.Percentage) are IGNORED, not refused. Business errors are 500 in Exact's envelope
with Dutch texts: "Verplicht: <veld>", "Ongeldige referentie: Journals|Artikel|Relatie|BTW-code|
Grootboekrekening", "Gegeven bestaat reeds" (duplicate Account/Item/VAT/GL code, Account Code in a PUT,
duplicate EntryNumber in a journal), "Verkoopordernummer: Bestaat reeds", "Ongeldig: Factuur voor (Type)"
(invoice to an account whose Status is not 'C'; new accounts default to Status 'A'), "Ongeldig:
Grootboekrekeningtype" (entry line on a debtors/VAT/bank GL), "Ongeldig: Artikel <code> is geen verkoopartikel",
"Ongeldig: Dagboek (Type)" (non-sales journal), "Geblokkeerd: BTW-code X".

Amounts (Exact does not document its arithmetic; this is the stand-in's rule): line NetPrice =
UnitPrice * (1 - Discount) unless given; amount = round(NetPrice * Quantity, 2) (HALF_UP) unless AmountFC is
given. With an including (Type I) VAT code a price-derived amount is gross: VAT = round(gross * p / (1 + p), 2)
and AmountFC = gross - VAT; otherwise VAT = round(AmountFC * p, 2). An explicit line VATAmountFC (VATAmount on
order lines) overrides. Lines take VATCode from the line, else the item's SalesVatCode, else the GL account's
VATCode; GLAccount from the line, else the item's GLRevenue. Invoice header: AmountFCExclVat = sum(lines),
VATAmountFC = sum(VAT), AmountFC = both. SalesEntry lines: AmountFC is net, VAT = round(AmountFC * p, 2) unless
VATAmountFC given; header AmountFC = net + VAT. InvoiceNumber/EntryNumber: yy + journal + 4 digits (24700001);
OrderNumber: 1, 2, … unless given. Status: invoice 20 (50 after PrintedSalesInvoices), order 12, entry 20.

Seeded division (ids are stable: seed.seed_id(entity, code)):
    VAT codes (Code, %, Type): 0 geen BTW 0 N; 1 laag 9 E; 2 hoog 21 E; 3 laag 9 I; 4 hoog 21 I; 5 nultarief 0 B;
        6 export buiten EU 0 B; 7 ICP goederen 0 B (EUSalesListing L); 8 verlegd 0 B (Charged); 9 ICP diensten
        0 B (EUSalesListing S); OSS (OssCountry): D1 DE 19, D2 DE 7, B1 BE 21, B2 BE 6, F1 FR 20, F2 FR 5.5,
        A1 AT 20, E1 ES 21, I1 IT 22; X blocked 21.
    GL accounts (Type): 1300 Debiteuren (20), 1500/1510 BTW hoog/laag (24), 8000 omzet hoog (110, VAT 2),
        8010 laag (1), 8020 nultarief (5), 8050 verzendkosten (2), 8100 ICP (7), 8200 export (6), 8300 OSS,
        8400 Kortingen (2), 8900 Afrondingsverschillen (0).
    Journals: 70 Verkoopboek (Type 20), 20 Kas (10), 90 Memoriaal (90).
    Payment conditions: 00 Direct, 14 Binnen 14 dagen, 30 Binnen 30 dagen.
    Item group 001 "Standaard artikelgroep" (default, GLRevenue 8000).
    Items: VERZENDKOSTEN (GL 8050, VAT 2), KORTING (GL 8400, VAT 2), INKOOP (not a sales item).
    Default debtor: Account Code "999999" Name "Kassaverkopen", Status C, SalesVATCode 2, payment condition 00.

Rate limits: per division, headers X-RateLimit-Limit/-Remaining/-Reset and X-RateLimit-Minutely-Limit/
-Remaining/-Reset (epoch ms) on every division URL; 429 body is plain "Too Many Requests".
Tokens: see sandbox.exact.auth.TokenStore (401 "Old refresh token used." on reuse, 400 invalid_grant after
revoke_tokens()).
"""

from sandbox.exact.routes import ExactOnline
from sandbox.exact.seed import seed_id

__all__ = ["ExactOnline", "seed_id"]
