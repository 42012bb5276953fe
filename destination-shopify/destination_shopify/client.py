"""ShopifyAdmin: the destination's typed GraphQL calls over the shared `connector_common.shopify.ShopifyClient`
(locations, inventory items by SKU, orders by name, inventorySetQuantities, fulfillmentCreate); no mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connector_common.errors import ApiError
from connector_common.shopify import ShopifyClient
from destination_shopify.mapping import FulfillmentOrder, FulfillmentOrderLine, InventoryItem, ShopOrder

SKUS_PER_QUERY = 50  # search terms per productVariants query (the query string stays short)
# Orders by name: a requested cost of ~560 points (Shopify refuses a query above 1,000): 2 orders x 5 fulfilment
# orders x 50 lines; `fulfillments` is a list (not a connection), so 50 of them cost no extra points.
ORDERS_PER_NAME = 2
FULFILLMENT_ORDERS_PER_ORDER = 5
LINES_PER_FULFILLMENT_ORDER = 50
FULFILLMENTS_PER_ORDER = 50

SHOP_QUERY = "query Shop { shop { name currencyCode } }"

LOCATIONS_QUERY = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: false) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId name isActive isPrimary }
  }
}
"""

VARIANTS_BY_SKU_QUERY = """
query VariantsBySku($first: Int!, $after: String, $query: String!, $location: ID!) {
  productVariants(first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      sku
      inventoryItem {
        id
        tracked
        inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } }
      }
    }
  }
}
"""

SET_QUANTITIES_MUTATION = """
mutation SetStock($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}
"""

ORDER_BY_NAME_QUERY = """
query OrderByName($query: String!, $orders: Int!, $fulfillmentOrders: Int!, $lines: Int!, $fulfillments: Int!) {
  orders(first: $orders, query: $query) {
    nodes {
      id
      name
      cancelledAt
      displayFulfillmentStatus
      fulfillments(first: $fulfillments) { id status trackingInfo(first: 5) { number company url } }
      fulfillmentOrders(first: $fulfillmentOrders) {
        pageInfo { hasNextPage }
        nodes {
          id
          status
          assignedLocation { location { id } }
          lineItems(first: $lines) { pageInfo { hasNextPage } nodes { id sku remainingQuantity } }
        }
      }
    }
  }
}
"""

FULFILLMENT_CREATE_MUTATION = """
mutation FulfillShipment($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 5) { number company url } }
    userErrors { field message }
  }
}
"""

DOCUMENTS = {"Shop": SHOP_QUERY, "Locations": LOCATIONS_QUERY, "VariantsBySku": VARIANTS_BY_SKU_QUERY,
             "SetStock": SET_QUANTITIES_MUTATION, "OrderByName": ORDER_BY_NAME_QUERY,
             "FulfillShipment": FULFILLMENT_CREATE_MUTATION}


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    legacy_id: str
    name: str
    primary: bool


@dataclass(frozen=True, slots=True)
class UserError:
    code: str | None
    field: tuple[str, ...]
    message: str

    @property
    def index(self) -> int | None:
        """The position in `input.quantities` the error is about, when its field path names one."""
        digits = [part for part in self.field if part.isdigit()]
        return int(digits[0]) if digits else None


class ShopifyAdmin:
    """The calls destination-shopify makes; each returns plain values for booking.py."""

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client

    @property
    def calls(self) -> int:
        return sum(self.client.http.calls.values())

    def shop_name(self) -> str:
        shop = self.client.graphql("Shop", SHOP_QUERY).data.get("shop") or {}
        return str(shop.get("name") or "")

    def locations(self) -> list[Location]:
        found = []
        for nodes in self.client.paginate("Locations", LOCATIONS_QUERY, "locations", {}, first=250):
            found += [Location(id=str(n["id"]), legacy_id=str(n.get("legacyResourceId") or ""), name=str(n["name"]),
                               primary=bool(n.get("isPrimary"))) for n in nodes if n.get("isActive", True)]
        return found

    def inventory_items(self, skus: Iterable[str], location_id: str) -> dict[str, list[InventoryItem]]:
        """The inventory items of the variants with these SKUs (exact match), with `available` at one location
        (absent when the item is not stocked there).

        One query per SKUS_PER_QUERY SKUs (more pages only when a search term matches more variants)."""
        wanted = sorted(set(skus))
        found: dict[str, list[InventoryItem]] = {sku: [] for sku in wanted}
        for start in range(0, len(wanted), SKUS_PER_QUERY):
            chunk = wanted[start:start + SKUS_PER_QUERY]
            query = " OR ".join(f"sku:{_search_value(sku)}" for sku in chunk)
            variables = {"query": query, "location": location_id}
            for nodes in self.client.paginate("VariantsBySku", VARIANTS_BY_SKU_QUERY, "productVariants", variables,
                                              first=len(chunk)):
                for node in nodes:
                    sku = node.get("sku")
                    if sku in found:  # Shopify's search is by token; only an exact SKU counts
                        found[sku].append(_inventory_item(sku, node, location_id))
        return found

    def set_available(self, payload: Mapping[str, Any], key: str) -> list[UserError]:
        """One inventorySetQuantities call; retried safely (it carries its `@idempotent` key). Returns userErrors."""
        result = self.client.graphql("SetStock", SET_QUANTITIES_MUTATION, {"input": dict(payload), "key": key},
                                     mutation=True, retry_safe=True)
        body = result.data.get("inventorySetQuantities")
        if body is None:
            raise ApiError("SetStock: Shopify returned no inventorySetQuantities result")
        return _user_errors(body)

    def order_by_name(self, name: str) -> ShopOrder | None:
        """The order whose name is exactly `name` (e.g. '#1001'), or None."""
        variables = {"query": f"name:{_search_value(name)}", "orders": ORDERS_PER_NAME,
                     "fulfillmentOrders": FULFILLMENT_ORDERS_PER_ORDER,
                     "lines": LINES_PER_FULFILLMENT_ORDER, "fulfillments": FULFILLMENTS_PER_ORDER}
        data = self.client.graphql("OrderByName", ORDER_BY_NAME_QUERY, variables).data
        nodes = ((data.get("orders") or {}).get("nodes")) or []
        matches = [n for n in nodes if n.get("name") == name]
        return _shop_order(matches[0]) if matches else None

    def create_fulfillment(self, payload: Mapping[str, Any]) -> tuple[str | None, list[UserError]]:
        """One fulfillmentCreate, sent once (an unclear outcome raises AmbiguousWrite: the caller looks it up)."""
        result = self.client.graphql("FulfillShipment", FULFILLMENT_CREATE_MUTATION, {"fulfillment": dict(payload)},
                                     mutation=True)
        body = result.data.get("fulfillmentCreate") or {}
        fulfillment = body.get("fulfillment") or {}
        return (str(fulfillment["id"]) if fulfillment.get("id") else None), _user_errors(body)


def _search_value(value: str) -> str:
    """A value quoted for Shopify's search syntax (quotes and backslashes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inventory_item(sku: str, node: Mapping[str, Any], location_id: str) -> InventoryItem:
    item = node.get("inventoryItem") or {}
    level = item.get("inventoryLevel")
    available: dict[str, int] = {}
    if level is not None:
        quantities = {q.get("name"): q.get("quantity") for q in level.get("quantities") or []}
        available[location_id] = int(quantities.get("available") or 0)
    return InventoryItem(sku=sku, item_id=str(item.get("id") or ""), tracked=bool(item.get("tracked")),
                         available=available)


def _shop_order(node: Mapping[str, Any]) -> ShopOrder:
    tracking: dict[str, str] = {}
    for fulfillment in node.get("fulfillments") or []:
        if str(fulfillment.get("status") or "") in ("CANCELLED", "ERROR", "FAILURE"):
            continue
        for info in fulfillment.get("trackingInfo") or []:
            if info.get("number"):
                tracking[str(info["number"])] = str(fulfillment["id"])
    orders = []
    connection = node.get("fulfillmentOrders") or {}
    truncated = bool((connection.get("pageInfo") or {}).get("hasNextPage"))
    for fo in connection.get("nodes") or []:
        truncated = truncated or bool(((fo.get("lineItems") or {}).get("pageInfo") or {}).get("hasNextPage"))
        location = ((fo.get("assignedLocation") or {}).get("location") or {}).get("id")
        lines = tuple(FulfillmentOrderLine(id=str(li["id"]), sku=li.get("sku"),
                                           remaining=int(li.get("remainingQuantity") or 0))
                      for li in ((fo.get("lineItems") or {}).get("nodes")) or [])
        orders.append(FulfillmentOrder(id=str(fo["id"]), status=str(fo.get("status") or ""),
                                       location_id=str(location) if location else None, lines=lines))
    return ShopOrder(id=str(node["id"]), name=str(node.get("name") or ""), cancelled=bool(node.get("cancelledAt")),
                     fulfillment_status=str(node.get("displayFulfillmentStatus") or ""),
                     fulfillment_orders=tuple(orders), fulfillments_by_tracking=tracking, truncated=truncated)


def _user_errors(body: Mapping[str, Any]) -> list[UserError]:
    return [UserError(code=e.get("code"), field=tuple(str(p) for p in e.get("field") or ()),
                      message=str(e.get("message") or "")[:300])
            for e in body.get("userErrors") or []]


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
