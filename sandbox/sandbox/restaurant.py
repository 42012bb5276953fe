"""Deterministic, vendor-neutral generated restaurant (the shop's second business) that the K-Series stand-in renders.

`generate_restaurant(seed, bills) -> Restaurant`: same seed + count gives identical data; `seed=None` is empty.
One business ("Eetcafé De Gouden Lepel", EUR) with two locations in NL. Menu prices include VAT (Dutch practice):
food and soft drinks 9 %, alcoholic drinks 21 %. Every amount is computed here, once (renderers only format):

- a line: gross = quantity x menu price; discount (10 % on some lines) rounded half up to cents;
  total_incl = gross - discount; total_excl = total_incl x 100 / (100 + rate) to six decimals (as K-Series reports);
- a service charge (some table bills): `SERVICE_RATE` % of each line's total_incl, rounded to cents, apportioned to
  that line (so it carries the line's VAT rate);
- a tip (card payments, some bills) belongs to the payment and to no line (no VAT: a voluntary tip is outside the
  scope of Dutch VAT);
- payments add up to lines + service charges; split bills have two payments (cash + card);
- a voided line is a second line with the negative quantity and amounts and a `void_reason`;
- a cancelled bill has no payments; a refund is its own bill (kind "REFUND") with negative lines and a negative
  card payment, pointing at the bill it refunds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from sandbox.seed import FIRST_NAMES, LAST_NAMES, ORDER_START, cents

MICRO = Decimal("0.000001")
HUNDRED = Decimal(100)
SERVICE_RATE = Decimal("5.00")
BUSINESS_ID = 41910
CURRENCY = "EUR"
LOCATIONS = ((45454565682155, "De Gouden Lepel Amsterdam", "NL", "Europe/Amsterdam"),
             (45454565682156, "De Gouden Lepel Utrecht", "NL", "Europe/Amsterdam"))
# sku, name, accounting group, price incl. VAT, VAT rate (percent)
MENU = (
    ("101", "Bitterballen (8)", "Food", "8.50", "9"), ("102", "Burger Double Cheese", "Food", "16.50", "9"),
    ("103", "Caesar salad", "Food", "13.75", "9"), ("104", "Dagsoep", "Food", "6.95", "9"),
    ("105", "Appeltaart met slagroom", "Food", "5.25", "9"), ("201", "Spa rood", "Soft drinks", "3.10", "9"),
    ("202", "Verse muntthee", "Soft drinks", "3.60", "9"), ("301", "Heineken tap", "Drinks", "3.80", "21"),
    ("302", "Huiswijn rood (glas)", "Drinks", "5.50", "21"), ("303", "Gin-tonic", "Drinks", "9.50", "21"),
)
TAX_CODES = {Decimal("9"): "VAT9", Decimal("21"): "VAT21"}
PAYMENT_METHODS = {"CASH": (141948669132824, "Cash"), "CARD": (141948669132825, "PIN / card"),
                   "CREDIT": (141948669132826, "Creditcard")}


@dataclass(frozen=True, slots=True, kw_only=True)
class Guest:
    id: int
    first_name: str
    last_name: str
    email: str
    company: str | None
    city: str
    postcode: str
    street: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BillLine:
    id: str
    sku: str
    name: str
    group: str
    quantity: Decimal
    unit_price: Decimal  # menu price incl. VAT
    tax_rate: Decimal
    discount: Decimal  # incl. VAT
    total_incl: Decimal
    total_excl: Decimal  # six decimals
    service_charge: Decimal = Decimal("0.00")  # incl. VAT, apportioned to this line
    void_reason: str | None = None
    opened_at: datetime

    @property
    def tax(self) -> Decimal:
        return self.total_incl - self.total_excl


@dataclass(frozen=True, slots=True, kw_only=True)
class BillPayment:
    id: str
    method: str  # key of PAYMENT_METHODS
    amount: Decimal  # incl. VAT, without the tip
    tip: Decimal
    paid_at: datetime
    guest_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bill:
    number: int
    location_id: int
    kind: str  # "SALE" | "REFUND" | "CANCEL"
    opened_at: datetime
    closed_at: datetime
    lines: tuple[BillLine, ...]
    payments: tuple[BillPayment, ...]
    cancelled: bool = False
    table: str | None = None
    covers: int = 0
    refund_of: int | None = None
    void_reason: str | None = None

    @property
    def fisc_id(self) -> str:
        return f"A{self.location_id % 100000}.{self.number}"

    @property
    def receipt_id(self) -> str:
        return f"R{self.location_id % 100000}.{self.number}"

    @property
    def total_incl(self) -> Decimal:
        return sum((line.total_incl + line.service_charge for line in self.lines), Decimal("0.00"))


@dataclass(kw_only=True)
class Restaurant:
    seed: str | None
    name: str = "Eetcafé De Gouden Lepel"
    business_id: int = BUSINESS_ID
    currency: str = CURRENCY
    locations: tuple[tuple[int, str, str, str], ...] = LOCATIONS
    guests: dict[int, Guest] = field(default_factory=dict)
    bills: list[Bill] = field(default_factory=list)


def price_line(line_id: str, item: tuple[str, str, str, str, str], quantity: int, at: datetime, *,
               discount_pct: Decimal = Decimal(0), service: bool = False, void_reason: str | None = None) -> BillLine:
    sku, name, group, price, rate_text = item
    rate, unit = Decimal(rate_text), Decimal(price)
    qty = Decimal(quantity)
    gross = unit * qty
    discount = cents(gross * discount_pct / HUNDRED)
    total_incl = gross - discount
    total_excl = (total_incl * HUNDRED / (HUNDRED + rate)).quantize(MICRO, rounding=ROUND_HALF_UP)
    charge = cents(total_incl * SERVICE_RATE / HUNDRED) if service else Decimal("0.00")
    return BillLine(id=line_id, sku=sku, name=name, group=group, quantity=qty.quantize(Decimal("0.001")),
                    unit_price=unit, tax_rate=rate, discount=discount, total_incl=total_incl, total_excl=total_excl,
                    service_charge=charge, void_reason=void_reason, opened_at=at)


def _reversal(line: BillLine, line_id: str, at: datetime, void_reason: str | None = None) -> BillLine:
    """The negative line that takes `line` back (same item, quantity, discount and service charge)."""
    item = next(m for m in MENU if m[0] == line.sku)
    return price_line(line_id, item, -int(line.quantity), at, discount_pct=Decimal(10) if line.discount else Decimal(0),
                      service=bool(line.service_charge), void_reason=void_reason)


def _guests(rng: random.Random, count: int) -> dict[int, Guest]:
    out = {}
    for i in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = f"{rng.choice(('Koffie', 'Atelier', 'Design'))} {last} B.V." if i % 3 == 0 else None
        out[120900 + i] = Guest(id=120900 + i, first_name=first, last_name=last,
                                email=f"gast{i}@example.nl", company=company, city="Amsterdam",
                                postcode=f"10{11 + i:02d} AB", street=f"Kerkstraat {i}")
    return out


def _bill(rng: random.Random, restaurant: Restaurant, number: int, closed_at: datetime) -> Bill:
    location_id = LOCATIONS[number % len(LOCATIONS)][0]
    opened_at = closed_at - timedelta(minutes=rng.randint(25, 110))
    table = number % 4 != 0
    service = table and number % 5 == 1
    lines: list[BillLine] = []
    for i in range(rng.randint(1, 5)):
        item = MENU[rng.randrange(len(MENU))]
        discount = Decimal(10) if number % 7 == 3 and i == 0 else Decimal(0)
        lines.append(price_line(f"S{location_id % 100000}.{number * 10 + i}", item, rng.randint(1, 4),
                                opened_at + timedelta(minutes=i), discount_pct=discount, service=service))
    if number % 11 == 5:  # a line rung up by mistake and voided: the void is its own negative line
        lines.append(_reversal(lines[0], f"S{location_id % 100000}.{number * 10 + 9}",
                               lines[0].opened_at + timedelta(minutes=2), void_reason="Wrong order"))
    total = sum((line.total_incl + line.service_charge for line in lines), Decimal("0.00"))
    guest_id = rng.choice(sorted(restaurant.guests)) if number % 6 == 2 and restaurant.guests else None
    tip = Decimal(rng.choice(("1.00", "2.00", "2.50", "5.00"))) if number % 3 == 1 else Decimal("0.00")
    pay_id = f"T{location_id % 100000}.{number}"
    payments: tuple[BillPayment, ...]
    if number % 4 == 3 and total > Decimal("10.00"):  # split bill: part cash, the rest by card (with the tip)
        cash = cents(total / 2)
        payments = (BillPayment(id=f"{pay_id}.1", method="CASH", amount=cash, tip=Decimal("0.00"), paid_at=closed_at,
                                guest_id=guest_id),
                    BillPayment(id=f"{pay_id}.2", method="CARD", amount=total - cash, tip=tip, paid_at=closed_at,
                                guest_id=guest_id))
    else:
        method = "CASH" if number % 5 == 0 else ("CREDIT" if number % 9 == 4 else "CARD")
        payments = (BillPayment(id=f"{pay_id}.1", method=method, amount=total, paid_at=closed_at, guest_id=guest_id,
                                tip=Decimal("0.00") if method == "CASH" else tip),)
    bill = partial(Bill, number=number, location_id=location_id, opened_at=opened_at, closed_at=closed_at,
                   lines=tuple(lines), table=str(number % 20 + 1) if table else None)
    if number % 17 == 8:  # opened, then cancelled before anything was paid
        return bill(kind="CANCEL", payments=(), cancelled=True, void_reason="Guest left")
    return bill(kind="SALE", payments=payments, covers=rng.randint(1, 6) if table else 0)


def refund_bill(original: Bill, number: int, at: datetime) -> Bill:
    """A refund of the first line of `original` (its own bill, negative amounts, paid back by card)."""
    back = _reversal(original.lines[0], f"S{original.location_id % 100000}.{number * 10}", at)
    payment = BillPayment(id=f"T{original.location_id % 100000}.{number}.1", method="CARD",
                          amount=back.total_incl + back.service_charge, tip=Decimal("0.00"), paid_at=at)
    return Bill(number=number, location_id=original.location_id, kind="REFUND", opened_at=at, closed_at=at,
                lines=(back,), payments=(payment,), refund_of=original.number, table=original.table)


def generate_restaurant(seed: str | None, bills: int = 40) -> Restaurant:
    """The restaurant of `seed`: `bills` bills (about one in twelve refunded later, as an extra refund bill)."""
    restaurant = Restaurant(seed=seed)
    if seed is None:
        return restaurant
    rng = random.Random(f"restaurant:{seed}:{bills}")
    restaurant.guests = _guests(rng, 8)
    at = ORDER_START.astimezone(UTC) + timedelta(hours=4)
    number = 1000
    for i in range(bills):
        at += timedelta(minutes=rng.randint(17, 95))
        number += 1
        bill = _bill(rng, restaurant, number, at)
        restaurant.bills.append(bill)
        if i % 12 == 6 and bill.kind == "SALE":
            number += 1
            restaurant.bills.append(refund_bill(bill, number, at + timedelta(hours=2)))
    restaurant.bills.sort(key=lambda b: (b.closed_at, b.number))
    return restaurant


def add_bills(restaurant: Restaurant, count: int, at: datetime, seed: str = "more") -> list[Bill]:
    """Append `count` new bills closing after `at` (incremental-sync tests)."""
    rng = random.Random(f"restaurant-more:{restaurant.seed}:{seed}:{len(restaurant.bills)}")
    number = max((b.number for b in restaurant.bills), default=1000)
    new = []
    for _ in range(count):
        at += timedelta(minutes=rng.randint(5, 30))
        number += 1
        new.append(_bill(rng, restaurant, number, at))
    restaurant.bills.extend(new)
    return new
