"""The shop's customers: Dutch and European consumers and companies (valid EU VAT numbers), a few from GB/US."""

from __future__ import annotations

import itertools
import random
import unicodedata
from datetime import timedelta

from stdnum.eu import vat as eu_vat

from sandbox.seed.model import Address, Customer
from sandbox.seed.shop import CUSTOMER_START, EU_COUNTRIES, TAGS

FIRST_NAMES = ("Zoë", "Jan", "Åsa", "François", "Sanne", "Daan", "Émilie", "Jürgen", "Lotte", "Noah", "Fleur",
               "Björn", "Chloé", "Sven", "Inés", "Mark", "Anouk", "Pieter", "Siobhán", "Lars", "Ana", "Tom")
LAST_NAMES = ("Müller", "de Vries", "Jansen", "O'Brien", "Bakker", "Lefèvre", "Åström", "van den Berg", "Dubois",
              "Schröder", "Visser", "Peeters", "Smit", "D'Angelo", "Nilsson", "Janssens", "Meijer", "Dupont")
COMPANY_STEMS = ("Bloem", "Fietsen", "Koffie", "Atelier", "Brouwerij", "Design", "Handel", "Drukkerij",
                 "Tuin", "Keuken")
COMPANY_SUFFIX = {"NL": "B.V.", "BE": "BV", "DE": "GmbH", "FR": "SARL", "SE": "AB"}
STREETS = {
    "NL": ("Kerkstraat", "Prinsengracht", "Dorpsstraat", "Stationsweg", "Coolsingel"),
    "BE": ("Rue de la Loi", "Meir", "Kerkstraat", "Avenue Louise"),
    "DE": ("Hauptstraße", "Schillerstraße", "Königsallee", "Bahnhofstraße"),
    "FR": ("Rue de Rivoli", "Avenue des Champs-Élysées", "Rue Saint-Honoré"),
    "SE": ("Storgatan", "Drottninggatan", "Kungsgatan"),
    "GB": ("High Street", "Baker Street", "Station Road"),
    "US": ("Fifth Avenue", "Main Street", "Market Street"),
}
CITIES = {
    "NL": (("Amsterdam", "1012"), ("Rotterdam", "3011"), ("Utrecht", "3511"), ("Groningen", "9711"),
           ("'s-Hertogenbosch", "5211")),
    "BE": (("Brussel", "1000"), ("Antwerpen", "2000"), ("Gent", "9000"), ("Liège", "4000")),
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Köln", "50667"), ("Düsseldorf", "40213")),
    "FR": (("Paris", "75001"), ("Lyon", "69001"), ("Besançon", "25000")),
    "SE": (("Stockholm", "111 22"), ("Göteborg", "411 04"), ("Malmö", "211 20")),
    "GB": (("London", "SW1A 2AA"), ("Manchester", "M1 1AE")),
    "US": (("New York", "10118"), ("Portland", "97201")),
}
US_STATES = {"New York": "NY", "Portland": "OR"}
PHONE_PREFIX = {"NL": "+31 6 ", "BE": "+32 470 ", "DE": "+49 151 ", "FR": "+33 6 ", "SE": "+46 70 ",
                "GB": "+44 7700 ", "US": "+1 503 "}
# country: (format, the [start:end] spans of its check digits); "#" is a drawn digit, "@@" a drawn branch number
# 01-99. The check digits are then set to make the number valid (`_with_check_digits`).
VAT_FORMATS: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {
    "NL": ("NL#########B@@", ((9, 11),)),
    "BE": ("BE0#########", ((10, 12),)),
    "DE": ("DE#########", ((9, 11), (2, 3))),  # the check digit; and the first digit is never 0
    "FR": ("FR###########", ((2, 4), (12, 13))),  # the key, and the SIREN's Luhn digit
    "SE": ("SE##########01", ((10, 12),)),
}
# (country, kind, weight): who the shop's customers are
CUSTOMER_MIX = (("NL", "consumer", 55), ("NL", "company", 10), ("BE", "company", 5), ("DE", "company", 5),
                ("FR", "company", 3), ("SE", "company", 2), ("DE", "consumer", 7), ("BE", "consumer", 5),
                ("FR", "consumer", 3), ("GB", "consumer", 3), ("US", "consumer", 2))
NL_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
HOUSE_NUMBER_SUFFIXES = ("", "", "", "A", "-2")
ADDRESS2 = (None, None, None, "2e etage", "Unit 4")


def _vat_number(rng: random.Random, country: str) -> str:
    template, spans = VAT_FORMATS[country]
    number = "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in template.removesuffix("@@"))
    if template.endswith("@@"):
        number += f"{rng.randrange(1, 100):02d}"
    return _with_check_digits(number, spans)


def _with_check_digits(number: str, spans: tuple[tuple[int, int], ...]) -> str:
    """`number` with the digits of each [start:end] span replaced by the first values that make it a valid EU VAT
    number (check digits per country, as python-stdnum checks them and as the vendors' VIES look-ups require).
    Draws nothing from the seeded RNG, so every other generated value stays as it was."""
    for shifts in itertools.product(*(range(10 ** (b - a)) for a, b in spans)):
        candidate = number
        for (a, b), shift in zip(spans, shifts, strict=True):
            candidate = f"{candidate[:a]}{(int(number[a:b]) + shift) % 10 ** (b - a):0{b - a}d}{candidate[b:]}"
        if eu_vat.is_valid(candidate):
            return candidate
    raise AssertionError(f"no check digits make {number} valid")  # cannot happen for the five countries above


def _address(rng: random.Random, country: str, *, first: str, last: str, company: str | None, phone: str) -> Address:
    city, postcode = rng.choice(CITIES[country])
    if country == "NL":
        postcode = f"{postcode} {rng.choice(NL_POSTCODE_LETTERS)}{rng.choice(NL_POSTCODE_LETTERS)}"
    return Address(first_name=first, last_name=last, company=company, street=rng.choice(STREETS[country]),
                   house_number=str(rng.randrange(1, 250)) + rng.choice(HOUSE_NUMBER_SUFFIXES),
                   address2=rng.choice(ADDRESS2), postcode=postcode, city=city,
                   country=country, province_code=US_STATES.get(city) if country == "US" else None, phone=phone)


def _email(rng: random.Random, first: str, last: str, n: int) -> str:
    """Customer `n`'s address: the name folded to ASCII, some in mixed case."""
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().replace(" ", "")
    local = local if rng.random() < 0.3 else local.lower()  # some mixed case
    return f"{local}{n}@example.com"


def make_customers(rng: random.Random, count: int) -> dict[int, Customer]:
    """`count` customers, mostly Dutch consumers; the first three cover fixed kinds, customer 1 an apostrophe."""
    choices = [(c, k) for c, k, w in CUSTOMER_MIX for _ in range(w)]
    out: dict[int, Customer] = {}
    at = CUSTOMER_START
    for cid in range(1, count + 1):
        country, kind = choices[(cid * 7) % len(choices)] if cid <= 3 else rng.choice(choices)
        if cid == 1:
            first, last = "Siobhán", "O'Brien"  # always present: apostrophes in name and email
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = vat = None
        if kind == "company":
            company = f"{rng.choice(COMPANY_STEMS)} {last} {COMPANY_SUFFIX.get(country, 'Ltd')}"
            vat = _vat_number(rng, country) if country in EU_COUNTRIES else None
        phone = PHONE_PREFIX[country] + "".join(str(rng.randrange(10)) for _ in range(8))
        at += timedelta(seconds=rng.randrange(600, 20000))
        out[cid] = Customer(id=cid, email=_email(rng, first, last, cid), first_name=first, last_name=last,
                            company=company, vat_number=vat, phone=phone if rng.random() < 0.8 else None,
                            address=_address(rng, country, first=first, last=last, company=company, phone=phone),
                            kind=kind,
                            accepts_marketing=rng.random() < 0.4,
                            tags=tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(3))})),
                            created_at=at, updated_at=at + timedelta(seconds=rng.randrange(0, 86400)))
    return out
