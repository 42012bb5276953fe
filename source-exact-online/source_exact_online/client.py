"""ExactReader: the source's typed reads over the common Exact API (sync pages, look-ups by key, reference data)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from connector_common.exact import ExactApi, guid_filters, number_filters

STOCK_POSITIONS = "sync/Inventory/StockPositions"
ITEMS = "sync/Logistics/Items"
SALES_ITEM_PRICES = "sync/Logistics/SalesItemPrices"
ACCOUNTS = "sync/CRM/Accounts"
CONTACTS = "sync/CRM/Contacts"
GOODS_DELIVERIES = "sync/SalesOrder/GoodsDeliveries"
DELETED = "sync/Deleted"

STOCK_SELECT = ("Timestamp,ID,ItemId,ItemCode,ItemDescription,Warehouse,WarehouseCode,WarehouseDescription,"
                "CurrentStock,FreeStock,ReservedStock,PlanningIn,PlanningOut,ProjectedStock,UnitCode")
ITEM_SELECT = ("Timestamp,ID,Code,Description,ExtraDescription,Barcode,SalesVatCode,ItemGroupDescription,"
               "IsSalesItem,EndDate,Created,Modified")
PRICE_SELECT = "Timestamp,ID,Item,ItemCode,Account,Price,Currency,Quantity,StartDate,EndDate,Modified"
ACCOUNT_SELECT = ("Timestamp,ID,Code,Name,Email,Phone,Status,VATNumber,ChamberOfCommerce,MainContact,AddressLine1,"
                  "AddressLine2,Postcode,City,State,Country,Created,Modified")
CONTACT_SELECT = "Timestamp,ID,Account,FirstName,MiddleName,LastName,Email,Phone,IsMainContact,Modified"
DELIVERY_SELECT = ("Timestamp,EntryID,DeliveryNumber,DeliveryDate,TrackingNumber,ShippingMethod,ShippingMethodCode,"
                   "ShippingMethodDescription,WarehouseCode,Created,Modified")
DELIVERY_LINE_SELECT = ("ID,EntryID,ItemCode,ItemDescription,QuantityDelivered,SalesOrderNumber,TrackingNumber,"
                        "LineNumber")
DELETED_SELECT = "Timestamp,ID,EntityKey,EntityType,DeletedDate"
# sync/Deleted EntityType (reference §2): which deletions each stream watches
DELETED_TYPES = {"customers": 2, "products": 9, "stock_levels": 15}
# SyncTimestamp endPoint names of the sync endpoints
SYNC_NAMES = {ITEMS: "Items", SALES_ITEM_PRICES: "SalesItemPrices", ACCOUNTS: "Accounts", CONTACTS: "Contacts",
              GOODS_DELIVERIES: "GoodsDeliveries", STOCK_POSITIONS: "StockPositions"}


class ExactReader(ExactApi):
    """Read-only calls to one Exact division."""

    def by_ids(self, path: str, field: str, ids: Iterable[str], *, select: str) -> Iterator[dict[str, Any]]:
        """Rows of a CRUD endpoint whose `field` is one of the GUIDs, as few calls as the URL budget allows."""
        for flt in guid_filters(field, ids):
            yield from self.rows(path, select=select, filter=flt)

    def delivery_lines(self, entry_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Goods delivery lines by their delivery's EntryID."""
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.by_ids("salesorder/GoodsDeliveryLines", "EntryID", entry_ids, select=DELIVERY_LINE_SELECT):
            out.setdefault(str(row["EntryID"]).lower(), []).append(row)
        return out

    def sales_orders(self, numbers: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Sales orders by OrderNumber (with YourRef: our booking reference on orders the destination created)."""
        out: dict[int, dict[str, Any]] = {}
        for flt in number_filters("OrderNumber", numbers):
            for row in self.rows("salesorder/SalesOrders", select="OrderID,OrderNumber,YourRef", filter=flt):
                out[int(row["OrderNumber"])] = row
        return out

    def shipping_methods(self) -> dict[str, dict[str, Any]]:
        """Shipping methods by ID (code, description, tracking URL)."""
        rows = self.rows("sales/ShippingMethods", select="ID,Code,Description,TrackingURL")
        return {str(r["ID"]).lower(): r for r in rows}

    def vat_codes(self) -> dict[str, dict[str, Any]]:
        """VAT codes by trimmed code (percentage as a fraction, Type E excl. / I incl.)."""
        rows = self.rows("vat/VATCodes", select="Code,Description,Percentage,Type")
        return {str(r["Code"]).strip(): r for r in rows}
