"""Generated shop (`sandbox.seed`) -> X-Series objects: one outlet (the NL store) with two registers; products per
variant (SKU), customers, taxes (21/9/0 %), and the shop's counter sales as 2.0 sales with their returns.

Amounts: a line's `price_total` is the neutral line's total excl. VAT after discount, `tax_total` its VAT, `price`
and `tax` the same per unit (five decimals, as 2.0 sends), `discount_total` the discount excl. VAT; the sale's
`total_price` / `total_tax` are the sums, so lines add up to the cent. Shipping of a counter sale that is delivered
becomes a line on the service product SHIPPING. A refund is a return sale (`return_for` the original, negative
quantities and amounts, a negative payment). Paid orders are CLOSED, cancelled ones VOIDED, unpaid ones SAVED
(parked). Versions follow `updated_at`, so an updated or refunded sale moves to the end of the feed.
`dir:/path` replays vendor payloads: `<resource>.json` as `{"data": [...]}` for each resource of contract.RESOURCES.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sandbox import seed as neutral
from sandbox.lightspeed_common import read_list
from sandbox.lightspeed_xseries.contract import RESOURCES, check_sale, number
from sandbox.lightspeed_xseries.store import XSeriesStore

NAMESPACE = uuid.UUID("06f2e29c-25cb-11ee-efde-0bc57871a8a0")
RATES = {Decimal("21"): "BTW hoog", Decimal("9"): "BTW laag", Decimal("0"): "BTW 0%"}
PAYMENT_TYPES = {"cash": ("1", "Cash"), "pin": ("3", "PIN"), "creditcard": ("4", "Credit card"),
                 "ideal": ("5", "iDEAL"), "paypal": ("6", "PayPal"), "bancontact": ("7", "Bancontact"),
                 "manual": ("1", "Cash")}
SHIPPING_SKU = "SHIPPING"
STATUSES = {"voided": ("VOIDED", "voided"), "pending": ("SAVED", "parked")}  # financial status -> (status, state)


def uid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def tax_id(rate: Decimal) -> str:
    return uid("tax", rate.normalize())


def outlet(shop: neutral.Shop) -> dict[str, Any]:
    return {"id": uid("outlet", 1), "name": f"{shop.name} winkel", "physical_address_1": "Kerkstraat 12",
            "physical_postcode": "1012 AB", "physical_city": "Amsterdam", "physical_country_id": shop.country,
            "default_tax_id": tax_id(Decimal("21")), "time_zone": shop.timezone}


def registers() -> list[dict[str, Any]]:
    return [{"id": uid("register", n), "name": f"Kassa {n}", "outlet_id": uid("outlet", 1)} for n in (1, 2)]


def taxes() -> list[dict[str, Any]]:
    """One tax per Dutch rate, each with its one rate (`rates[].rate` a fraction, as [X-VEND2] `Tax`/`TaxRate`)."""
    return [{"id": tax_id(rate), "name": name, "display_name": name, "is_default": rate == 21,
             "rates": [{"id": uid("tax-rate", rate.normalize()), "name": name, "display_name": name,
                        "rate": number(rate / 100)}]}
            for rate, name in RATES.items()]


def product(variant: neutral.Variant, parent: neutral.Product) -> dict[str, Any]:
    excl = neutral.net_of(variant.price, variant.tax_rate)
    return {"id": uid("product", variant.id), "name": parent.title, "variant_name": variant.title,
            "variant_parent_id": uid("product-family", parent.id), "sku": variant.sku, "handle": f"p{parent.id}",
            "active": variant.active, "price_excluding_tax": number(excl), "price_including_tax": number(variant.price),
            "tax_id": tax_id(variant.tax_rate), "description": parent.description,
            "created_at": iso(parent.created_at), "updated_at": iso(parent.updated_at)}


def shipping_product() -> dict[str, Any]:
    return {"id": uid("product", SHIPPING_SKU), "name": "Bezorgkosten", "variant_name": None, "variant_parent_id": None,
            "sku": SHIPPING_SKU, "handle": "shipping", "active": True, "price_excluding_tax": number(Decimal("4.09")),
            "price_including_tax": number(Decimal("4.95")), "tax_id": tax_id(Decimal("21")),
            "description": "Delivery", "created_at": iso(neutral.CUSTOMER_START),
            "updated_at": iso(neutral.CUSTOMER_START)}


def customer(c: neutral.Customer) -> dict[str, Any]:
    a = c.address
    return {"id": uid("customer", c.id), "customer_code": f"C{c.id:05d}", "first_name": c.first_name,
            "last_name": c.last_name, "email": c.email, "company_name": c.company, "phone": c.phone,
            "physical_address_1": a.line1, "physical_address_2": a.address2, "physical_postcode": a.postcode,
            "physical_city": a.city, "physical_country_id": a.country, "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at)}


def _line(line_id: str, product_id: str, quantity: Decimal, excl: Decimal, tax: Decimal, *, rate: Decimal,
          sequence: int, discount_excl: Decimal = Decimal(0)) -> dict[str, Any]:
    return {"id": line_id, "product_id": product_id, "quantity": number(quantity), "price": number(excl / quantity),
            "price_total": number(excl), "tax": number(tax / quantity), "tax_total": number(tax),
            "discount": number(discount_excl / quantity), "discount_total": number(discount_excl),
            "tax_id": tax_id(rate), "is_return": quantity < 0, "sequence": sequence, "status": "CONFIRMED"}


def _payment(pid: str, gateway: str, amount: Decimal, at: datetime) -> dict[str, Any]:
    type_id, name = PAYMENT_TYPES.get(gateway, ("1", gateway))
    return {"id": pid, "payment_type_id": type_id, "retailer_payment_type_id": uid("payment-type", type_id),
            "name": name, "amount": number(amount), "payment_date": iso(at)}


def sales(order: neutral.Order) -> list[dict[str, Any]]:
    """The order as a 2.0 sale, plus one return sale per refund."""
    register = uid("register", 1 + order.id % 2)
    status, state = STATUSES.get(order.financial_status, ("CLOSED", "closed"))
    lines = [_line(uid("line", ln.id), uid("product", ln.variant_id), Decimal(ln.quantity), ln.total_excl,
                   ln.tax_amount, discount_excl=ln.discount_excl, rate=ln.tax_rate, sequence=i)
             for i, ln in enumerate(order.lines)]
    for s in order.shipping_lines:
        if s.price_incl:
            lines.append(_line(uid("line", s.id), uid("product", SHIPPING_SKU), Decimal(1), s.price_excl,
                               s.tax_amount, rate=s.tax_rate, sequence=len(lines)))
    base = {"outlet_id": uid("outlet", 1), "register_id": register, "user_id": uid("user", 1),
            "customer_id": uid("customer", order.customer_id) if order.customer_id else None}
    sale = {**base, "id": uid("sale", order.id), "invoice_number": f"NL-{order.number}",
            "invoice_sequence": order.number, "receipt_number": str(order.number), "status": status, "state": state,
            "sale_date": iso(order.created_at), "created_at": iso(order.created_at),
            "updated_at": iso(order.updated_at),
            "total_price": number(order.total_excl), "total_tax": number(order.total_tax), "note": order.note or "",
            "return_for": None, "line_items": lines,
            "payments": [_payment(uid("payment", p.id), p.gateway, p.amount, p.processed_at)
                         for p in order.payments if p.kind == "sale" and p.status == "success"],
            "taxes": [{"id": tax_id(t.rate), "tax": number(t.tax)} for t in order.tax_lines]}
    check_sale(sale)
    out = [sale]
    by_line = {ln.id: ln for ln in order.lines}
    for refund in order.refunds:
        rlines = [_line(uid("line", refund.id, rl.line_id), uid("product", by_line[rl.line_id].variant_id),
                        Decimal(-rl.quantity), -rl.amount_excl, -rl.tax_amount, rate=by_line[rl.line_id].tax_rate,
                        sequence=i)
                  for i, rl in enumerate(refund.lines)]
        for s in order.shipping_lines if refund.shipping_incl else ():
            rlines.append(_line(uid("line", refund.id, s.id), uid("product", SHIPPING_SKU), Decimal(-1),
                                -s.price_excl, -s.tax_amount, rate=s.tax_rate, sequence=len(rlines)))
        gateway = order.payments[0].gateway if order.payments else "cash"
        returned = {**base, "id": uid("sale", order.id, "return", refund.id),
                    "invoice_number": f"NL-{order.number}-R{refund.id}", "invoice_sequence": refund.id,
                    "receipt_number": f"{order.number}-R{refund.id}", "status": "CLOSED",
                    "state": "closed", "sale_date": iso(refund.created_at), "created_at": iso(refund.created_at),
                    "updated_at": iso(refund.created_at), "total_price": number(-(refund.amount - refund.tax_amount)),
                    "total_tax": number(-refund.tax_amount), "note": refund.note or "", "return_for": sale["id"],
                    "line_items": rlines,
                    "payments": [_payment(uid("payment", "refund", refund.id), gateway, -refund.amount,
                                          refund.created_at)], "taxes": []}
        check_sale(returned)
        out.append(returned)
    return out


def populate(store: XSeriesStore, shop: neutral.Shop, orders: Iterable[neutral.Order]) -> None:
    """Write everything in `updated_at` order so versions follow time, as they do on a live retailer."""
    store.put("outlets", outlet(shop))
    for reg in registers():
        store.put("registers", reg)
    for tax in taxes():
        store.put("taxes", tax)
    timeline: list[tuple[datetime, int, str, dict[str, Any]]] = []
    for p in shop.products.values():
        for v in p.variants:
            timeline.append((p.updated_at, v.id, "products", product(v, p)))
    timeline.append((neutral.CUSTOMER_START, 0, "products", shipping_product()))
    for c in shop.customers.values():
        timeline.append((c.updated_at, c.id, "customers", customer(c)))
    for o in orders:
        for s in sales(o):
            timeline.append((datetime.fromisoformat(s["updated_at"]), o.id, "sales", s))
    for _, _, resource, record in sorted(timeline, key=lambda t: (t[0], t[2], t[1])):
        store.put(resource, record)


def load_dir(store: XSeriesStore, path: Path) -> None:
    for resource in RESOURCES:
        file = path / f"{resource}.json"
        if not file.exists():
            continue
        for record in read_list(file, "data"):
            if resource == "sales":
                check_sale(dict(record))
            store.put(resource, record)
