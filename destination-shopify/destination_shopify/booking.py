"""Booker: the order of Shopify I/O for stock levels (batched, compare-and-set) and shipments (fulfilled once).

Stock levels are written per batch in `prepare` (the write loop calls it before `write` and echoes a STATE only
after the whole flush): the batch's SKUs are looked up in a query per 50 SKUs, unchanged figures cost nothing, the
rest goes out in `inventorySetQuantities` calls of up to 250 quantities, each with `changeFromQuantity` (Shopify's
compare-and-swap) and an `@idempotent` key. On a stale compare the items are read again and decided by
`mapping.after_stale` (target reached -> done; else set again against the fresh figure), for at most
`STALE_ROUNDS` rounds. `write` then reports each record's outcome.

Shipments are written one by one in `write`: find the order by name, recognise an existing fulfilment by the
tracking number, otherwise one `fulfillmentCreate` through `CreateOnce` (an unanswered mutation is looked up again
by its tracking number before it is ever sent again).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connector_common.errors import ApiError, ConfigError, RecordError
from connector_common.exactly_once import CreateOnce
from connector_common.model import Shipment, StockLevel
from connector_common.records import from_record
from connector_common.write_loop import Pending
from destination_shopify.client import Location, ShopifyAdmin, UserError, chunks
from destination_shopify.config import Settings
from destination_shopify.mapping import (
    InventoryItem,
    MappingProblem,
    ShopOrder,
    StockChange,
    after_stale,
    fulfillment_input,
    idempotency_key,
    inventory_set_input,
    order_problem,
    stock_change,
    stock_quantity,
    stock_reference,
)

QUANTITIES_PER_MUTATION = 250  # Shopify's maximum per inventorySetQuantities
STALE_ROUNDS = 3
STALE_CODES = frozenset({"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"})
SHOP_SOURCE = "shopify"


@dataclass(frozen=True, slots=True)
class LocationPlan:
    """Where each ledger warehouse's stock goes: mapped warehouses to their location, the rest to `default`
    unless a mapping is given (then unmapped warehouses are left alone and counted)."""

    default: Location
    by_warehouse: Mapping[str, Location]

    def for_warehouse(self, warehouse: str) -> Location | None:
        if self.by_warehouse:
            return self.by_warehouse.get(warehouse)
        return self.default


def resolve_location(locations: Sequence[Location], wanted: str | None, option: str = "location") -> Location:
    """A location by name (case-insensitive), GID or numeric id; None = the primary (else the first active) one.

    Raises:
        ConfigError: naming the option when no active location matches.
    """
    if not locations:
        raise ConfigError("the Shopify store has no active location")
    if not wanted:
        return next((loc for loc in locations if loc.primary), locations[0])
    key = wanted.strip().lower()
    for loc in locations:
        if key in (loc.id.lower(), loc.legacy_id, loc.name.lower()):
            return loc
    names = ", ".join(repr(loc.name) for loc in locations[:10])
    raise ConfigError(f"{option}: no active Shopify location {wanted!r} (locations: {names})")


def plan_locations(locations: Sequence[Location], settings: Settings) -> LocationPlan:
    default = resolve_location(locations, settings.location)
    mapped = {warehouse: resolve_location(locations, name, f"location_mapping[{warehouse}]")
              for warehouse, name in settings.location_mapping}
    return LocationPlan(default=default, by_warehouse=mapped)


class Booker:
    """The Sink of the common write loop for `stock_levels` and `shipments`."""

    def __init__(self, admin: ShopifyAdmin, settings: Settings, locations: LocationPlan, *,
                 create_once: CreateOnce, log: Callable[[str], None] = lambda _text: None) -> None:
        self.admin = admin
        self.settings = settings
        self.locations = locations
        self.create_once = create_once
        self.log = log
        self._outcomes: dict[int, str | RecordError] = {}
        self.counts: Counter[str] = Counter()
        self.unknown_skus: list[str] = []

    # --- Sink -------------------------------------------------------------------------------------------------
    def prepare(self, batch: Sequence[Pending]) -> None:
        self._outcomes.clear()
        stock = [item for item in batch if item.stream == "stock_levels"]
        if stock:
            self._write_stock(stock)

    def write(self, item: Pending) -> str:
        if item.stream == "stock_levels":
            outcome = self._outcomes.pop(id(item))
            if isinstance(outcome, RecordError):
                raise outcome
            return outcome
        return self._write_shipment(item)

    def summary(self) -> dict[str, Any]:
        return {"shopify": {**dict(self.counts), "calls": self.admin.calls,
                            "cost_points": round(self.admin.client.actual_points, 1),
                            "unknown_skus": self.unknown_skus[:50]}}

    # --- stock ------------------------------------------------------------------------------------------------
    def _write_stock(self, batch: Sequence[Pending]) -> None:
        """Decide and write every stock level of the batch; outcomes land in `_outcomes` for `write`."""
        latest: dict[tuple[str, str], tuple[Pending, StockLevel, Location]] = {}
        for item in batch:
            try:
                level: StockLevel = from_record("stock_levels", item.data)
                stock_quantity(level)
            except RecordError as exc:
                self._outcomes[id(item)] = exc
                continue
            except MappingProblem as exc:
                self._outcomes[id(item)] = _record_error("stock_levels", item.data, exc)
                continue
            location = self.locations.for_warehouse(level.location)
            if location is None:
                self._outcomes[id(item)] = "skipped_unmapped_warehouse"
                continue
            key = (level.sku, location.id)
            earlier = latest.get(key)
            if earlier is not None:
                if earlier[1].location != level.location:
                    error = RecordError("stock_levels", _key(item.data), "location",
                                        f"warehouses {earlier[1].location!r} and {level.location!r} both set SKU "
                                        f"{level.sku!r} at Shopify location {location.name!r}; map each warehouse "
                                        "to its own location (location_mapping)")
                    self._outcomes[id(item)] = error
                    self._outcomes[id(earlier[0])] = error
                    del latest[key]
                    continue
                older, newer = (earlier, (item, level, location)) if earlier[1].updated_at <= level.updated_at \
                    else ((item, level, location), earlier)
                self._outcomes[id(older[0])] = "superseded"
                latest[key] = newer
            else:
                latest[key] = (item, level, location)
        if not latest:
            return
        items: dict[str, dict[str, list[InventoryItem]]] = {}  # location id -> SKU -> items
        for location_id in dict.fromkeys(loc for _sku, loc in latest):
            items[location_id] = self.admin.inventory_items({sku for sku, loc in latest if loc == location_id},
                                                            location_id)
        changes: dict[tuple[str, str], StockChange] = {}
        for key, (item, level, location) in latest.items():
            matches = items[location.id].get(level.sku, [])
            try:
                change = stock_change(level, matches, location.id, repr(location.name))
            except MappingProblem as exc:
                if exc.field == "sku" and not matches:
                    self.unknown_skus.append(level.sku)
                self._outcomes[id(item)] = _record_error("stock_levels", item.data, exc)
                continue
            clamped = stock_quantity(level)[1]
            if change is None:
                self._outcomes[id(item)] = "unchanged"
            else:
                changes[key] = change
                self._outcomes[id(item)] = "set_to_zero_negative" if clamped else "updated"
        failed = self._set_quantities(list(changes.values()))
        for key, message in failed.items():
            item = latest[key][0]
            self._outcomes[id(item)] = RecordError("stock_levels", _key(item.data), "available", message)

    def _set_quantities(self, changes: list[StockChange]) -> dict[tuple[str, str], str]:
        """Write the changes (compare-and-set, in mutations of up to 250); returns the ones that failed, by key."""
        failed: dict[tuple[str, str], str] = {}
        pending = changes
        for _round in range(STALE_ROUNDS):
            stale: list[StockChange] = []
            for chunk in chunks(pending, QUANTITIES_PER_MUTATION):
                payload = inventory_set_input(chunk, stock_reference("ledger"))
                errors = self.admin.set_available(payload, idempotency_key(payload, uuid.uuid4().hex))
                self.counts["stock_mutations"] += 1
                if not errors:
                    self.counts["quantities_set"] += len(chunk)
                    continue
                stale += self._sort_errors(chunk, errors, failed)
            if not stale:
                return failed
            pending = self._reread(stale)
        for change in pending:
            failed[(change.sku, change.location_id)] = (f"Shopify's quantity kept changing while it was set "
                                                        f"({STALE_ROUNDS} attempts); the next sync sets it again")
        return failed

    def _sort_errors(self, chunk: Sequence[StockChange], errors: Sequence[UserError],
                     failed: dict[tuple[str, str], str]) -> list[StockChange]:
        """Split a refused mutation: items named by a non-stale error fail with its message; every other item of
        the chunk is decided again after a re-read (Shopify applies a mutation with userErrors not at all)."""
        refused: dict[int, UserError] = {}
        general: list[UserError] = []
        for user_error in errors:
            index = user_error.index
            if index is not None and 0 <= index < len(chunk):
                refused[index] = user_error
            else:
                general.append(user_error)
        hard = [e for e in general if e.code not in STALE_CODES]
        if hard and not refused:
            raise ApiError(f"SetStock: Shopify refused the stock update: {hard[0].message} ({hard[0].code})")
        retry = []
        for i, change in enumerate(chunk):
            error = refused.get(i)
            if error is not None and error.code not in STALE_CODES:
                failed[(change.sku, change.location_id)] = f"Shopify refused the quantity: {error.message}"
            else:
                retry.append(change)
        self.counts["stale_compares"] += sum(1 for e in errors if e.code in STALE_CODES)
        return retry

    def _reread(self, stale: Sequence[StockChange]) -> list[StockChange]:
        items: dict[str, dict[str, list[InventoryItem]]] = {}
        for location_id in dict.fromkeys(c.location_id for c in stale):
            items[location_id] = self.admin.inventory_items({c.sku for c in stale if c.location_id == location_id},
                                                            location_id)
        again = []
        for change in stale:
            matches = [i for i in items[change.location_id].get(change.sku, []) if i.item_id == change.item_id]
            current = matches[0].available.get(change.location_id) if matches else None
            if current is None:
                again.append(change)  # vanished in between: the next round reports it
                continue
            decided = after_stale(change, current)
            if decided is None:
                self.counts["quantities_set"] += 1
            else:
                again.append(decided)
        return again

    # --- shipments --------------------------------------------------------------------------------------------
    def _write_shipment(self, item: Pending) -> str:
        shipment: Shipment = from_record("shipments", item.data)
        key = _key(item.data)
        if shipment.order_source != SHOP_SOURCE:
            raise RecordError("shipments", key, "order_source",
                              f"order {shipment.order_reference} came from {shipment.order_source!r}, not from Shopify")
        order = self.admin.order_by_name(shipment.order_reference)
        tracking = shipment.tracking_number
        if order is not None and tracking and tracking in order.fulfillments_by_tracking:
            return "exists"
        problem = order_problem(shipment, order)
        if problem is not None:
            raise RecordError("shipments", key, "order_reference", problem)
        assert order is not None
        try:
            payload = fulfillment_input(shipment, order, tracking_company=self.settings.tracking_company(
                shipment.carrier), notify_customer=self.settings.notify_customer)
        except MappingProblem as exc:
            raise _record_error("shipments", item.data, exc) from None

        def post() -> str:
            fulfillment_id, errors = self.admin.create_fulfillment(payload)
            if errors or not fulfillment_id:
                text = "; ".join(e.message for e in errors) or "no fulfilment returned"
                raise RecordError("shipments", key, "lines", f"order {shipment.order_reference}: Shopify refused "
                                                             f"the fulfilment: {text}")
            return fulfillment_id

        def find() -> str | None:
            again: ShopOrder | None = self.admin.order_by_name(shipment.order_reference)
            return again.fulfillments_by_tracking.get(str(shipment.tracking_number)) if again else None

        created = self.create_once(post, find, f"the fulfilment of order {shipment.order_reference}")
        self.counts["fulfillments_recovered" if created.recovered else "fulfillments_created"] += 1
        return "recovered" if created.recovered else "fulfilled"


def _key(data: Mapping[str, Any]) -> str | None:
    sid = data.get("source_id")
    ref = data.get("sku") or data.get("order_reference")
    if sid is None:
        return None
    return f"{sid}" + (f" ({ref})" if isinstance(ref, str) and ref else "")


def _record_error(stream: str, data: Mapping[str, Any], exc: MappingProblem) -> RecordError:
    return RecordError(stream, _key(data), exc.field, str(exc))
