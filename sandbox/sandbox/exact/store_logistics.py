"""The store's logistics part: warehouses, stock per item and warehouse, goods deliveries, the catalogue seed.

Entities (fields from data/exact_fields.json; GoodsDelivery* from picqer + Pi-Systems, see their source_note):
    inventory/Warehouses, inventory/ItemWarehouses (CurrentStock, ReservedStock, PlannedStockIn/Out, ProjectedStock
    are read-only), sales/ShippingMethods (GET), salesorder/GoodsDeliveries (GET POST PUT; POST needs DeliveryDate and
    GoodsDeliveryLines, each line SalesOrderLineID + QuantityDelivered), salesorder/GoodsDeliveryLines (GET PUT; a
    line "may not be posted individually"), sync/Inventory/StockPositions, sync/SalesOrder/GoodsDeliveries,
    sync/SalesOrder/GoodsDeliveryLines, sync/Logistics/SalesItemPrices,
    read/sync/Sync/SyncTimestamp?modified=datetime'…'&endPoint='Items' -> {"d": {"TimeStampAsBigInt": n}}.

Stock rules (Exact does not document its arithmetic; these are the stand-in's, consistent with the field texts):
    FreeStock = CurrentStock - ReservedStock; ProjectedStock = CurrentStock + PlanningIn - PlanningOut.
    A sales order line for a stock item (Item.IsStockItem) reserves its quantity in the order's warehouse
    (SalesOrder.WarehouseID, else the main warehouse): ReservedStock and PlanningOut go up.
    A goods delivery line takes QuantityDelivered out of stock: CurrentStock goes down, the line's reservation and
    planning out are released; the sales order's DeliveryStatus/Status become 20 (partial) or 21 (complete).
    Every change writes the item x warehouse stock position again with a new Timestamp (what sync serves).
    `set_stock(code, warehouse, quantity)` is a stock count as a warehouse user books it in the UI.

Catalogue seed (`ExactOnline(seed=…, catalogue=True)`): the generated shop's variants as stock items (Code = SKU,
Description = title, SalesVatCode 2/1/5 for 21/9/0 %, a SalesItemPrice excl. VAT), warehouses 1 "Hoofdmagazijn"
(main) and 2 "Winkel" with deterministic stock per item, the shop's customers as accounts (Status C) with a main
contact, and shipping methods POSTNL / DHL / DPD with a TrackingURL (the URL's format is not documented by Exact:
the stand-in uses a prefix the tracking number is appended to).
"""

from __future__ import annotations

import random
import uuid
from decimal import ROUND_HALF_UP, Decimal

from sandbox.core import Response, json_response
from sandbox.exact.contract import accept, bad_request, business, require
from sandbox.exact.odata import local_now, parse_datetime
from sandbox.exact.seed import seed_id
from sandbox.exact.store import Division, Row, Table
from sandbox.seed import generate_shop

ENTITIES = ("Warehouse", "ItemWarehouse", "ShippingMethod", "GoodsDelivery", "GoodsDeliveryLine")
SYNC = {"sync/Inventory/StockPositions": ("StockPosition", "SyncInventoryStockPosition"),
        "sync/SalesOrder/GoodsDeliveries": ("GoodsDelivery", "SyncGoodsDelivery"),
        "sync/SalesOrder/GoodsDeliveryLines": ("GoodsDeliveryLine", "SyncGoodsDeliveryLine"),
        "sync/Logistics/SalesItemPrices": ("SalesItemPrice", "SyncSalesItemPrice")}
# SyncTimestamp endPoint name -> table
SYNC_ENDPOINTS = {"Accounts": "Account", "Contacts": "Contact", "Items": "Item", "SalesItemPrices": "SalesItemPrice",
                  "StockPositions": "StockPosition", "GoodsDeliveries": "GoodsDelivery",
                  "GoodsDeliveryLines": "GoodsDeliveryLine", "SalesOrderHeaders": "SalesOrder",
                  "SalesInvoices": "SalesInvoice"}
WAREHOUSES = (("1", "Hoofdmagazijn", 1), ("2", "Winkel", 0))
SHIPPING_METHODS = (("POSTNL", "PostNL", "https://postnl.example/track?code="),
                    ("DHL", "DHL Parcel", "https://dhl.example/track?code="),
                    ("DPD", "DPD", "https://dpd.example/track?code="))
VAT_BY_RATE = {Decimal("21"): "2", Decimal("9"): "1", Decimal("0"): "5"}
ZERO = Decimal(0)
CENT = Decimal("0.01")


class StockMixin(Division):
    """Logistics rules of the Exact stand-in; mixed into ExactOnline (uses the division's tables and writes)."""

    catalogue: bool
    orders: int
    seed: str | None

    # -- seed -----------------------------------------------------------------------------------------------------
    def _reset_stock(self) -> None:
        self.tables["StockPosition"] = Table("StockPosition", "ID")
        for code, description, main in WAREHOUSES:
            self._insert("Warehouse", {"ID": seed_id("Warehouse", code), "Code": code, "Description": description,
                                       "Main": main, "UseStorageLocations": 0})
        for code, description, url in SHIPPING_METHODS:
            self._insert("ShippingMethod", {"ID": seed_id("ShippingMethod", code), "Code": code,
                                            "Description": description, "Active": True, "TrackingURL": url})
        if self.catalogue and self.seed:
            self._seed_catalogue(self.seed)

    def _seed_catalogue(self, seed: str) -> None:
        shop = generate_shop(seed, orders=self.orders)  # the same customers as the shop stand-ins
        rng = random.Random(f"exact-stock:{seed}")
        for product in shop.products.values():
            for variant in product.variants:
                title = f"{product.title} {variant.title}".strip()[:60]
                item_id = seed_id("Item", variant.sku)
                self._create(self.specs["Item"], {
                    "ID": item_id, "Code": variant.sku, "Description": title, "IsStockItem": True, "IsSalesItem": True,
                    "SalesVatCode": VAT_BY_RATE.get(variant.tax_rate, "2"), "Barcode": variant.barcode, "Unit": "stuk",
                    "EndDate": None if variant.active and product.active else parse_datetime("2024-01-01")})
                net = (variant.price * 100 / (100 + variant.tax_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
                self._create_SalesItemPrice({"ID": seed_id("SalesItemPrice", variant.sku), "Item": item_id,
                                             "Price": net, "Currency": "EUR", "Unit": "stuk", "Quantity": Decimal(1)})
                for code, _, main in WAREHOUSES:
                    quantity = Decimal(rng.randrange(0, 40) if main else rng.randrange(0, 8))
                    self._item_warehouse(item_id, code, current=quantity)
        for customer in shop.customers.values():
            address = customer.address
            account_id = seed_id("Account", f"shop-{customer.id}")
            name = customer.company or f"{customer.first_name} {customer.last_name}"
            self._create_Account({"ID": account_id, "Name": name[:50], "Email": customer.email, "Status": "C",
                                  "Phone": customer.phone, "AddressLine1": address.line1, "Postcode": address.postcode,
                                  "City": address.city, "Country": address.country,
                                  "VATNumber": customer.vat_number})
            contact_id = seed_id("Contact", f"shop-{customer.id}")
            self._create_Contact({"ID": contact_id, "Account": account_id, "FirstName": customer.first_name,
                                  "LastName": customer.last_name, "Email": customer.email,
                                  "Phone": customer.phone, "IsMainContact": True})
            self._save("Account", self.tables["Account"].rows[account_id] | {"MainContact": contact_id})

    # -- Python helpers for tests and the demo ------------------------------------------------------------------
    def stock_positions(self) -> list[Row]:
        """Current stock per item and warehouse (the sync/Inventory/StockPositions rows)."""
        return list(self.tables["StockPosition"].scan())

    def stock_of(self, code: str, warehouse: str = "1") -> Row | None:
        found = self.tables["Item"].lookup("Code", code)
        return self.tables["StockPosition"].get(_position_id(found[0]["ID"], warehouse)) if found else None

    def set_stock(self, code: str, warehouse: str, quantity: Decimal | int | str) -> Row:
        """A stock count booked in Exact: the item's stock in the warehouse becomes `quantity`."""
        item = self._item_by_code(code)
        return self._item_warehouse(item["ID"], warehouse, current=Decimal(str(quantity)))

    def add_stock_item(self, code: str, description: str, *, price: Decimal | int | str | None = None,
                       vat_code: str = "2", stock: dict[str, Decimal | int] | None = None) -> Row:
        """A stock item as a user creates it in Exact: the item, its sales price excl. VAT, stock per warehouse."""
        item = self._create(self.specs["Item"], {"Code": code, "Description": description, "IsStockItem": True,
                                                 "IsSalesItem": True, "SalesVatCode": vat_code, "Unit": "stuk"})
        if price is not None:
            self._create_SalesItemPrice({"Item": item["ID"], "Price": Decimal(str(price)), "Currency": "EUR",
                                         "Unit": "stuk", "Quantity": Decimal(1)})
        for warehouse, quantity in (stock or {}).items():
            self._item_warehouse(item["ID"], warehouse, current=Decimal(str(quantity)))
        return self.tables["Item"].rows[item["ID"]]

    def set_price(self, code: str, price: Decimal | int | str) -> Row:
        """A user changes an item's normal sales price (excl. VAT): its default SalesItemPrice (no account, quantity
        1) is updated, or created when the item has none; the item's StandardSalesPrice follows."""
        item = self._item_by_code(code)
        amount = Decimal(str(price))
        normal = [p for p in self.tables["SalesItemPrice"].lookup("Item", item["ID"])
                  if not p.get("Account") and (p.get("Quantity") or Decimal(1)) <= 1]
        if not normal:
            return self._create_SalesItemPrice({"Item": item["ID"], "Price": amount, "Currency": "EUR",
                                                "Unit": item.get("Unit"), "Quantity": Decimal(1)})
        self._save("SalesItemPrice", normal[0] | {"Price": amount})
        self._save("Item", self.tables["Item"].rows[item["ID"]] | {"StandardSalesPrice": amount})
        return self.tables["SalesItemPrice"].rows[normal[0]["ID"]]

    def book_order(self, your_ref: str, quantities: dict[str, Decimal | int], *, account_id: str | None = None,
                   warehouse: str | None = None) -> Row:
        """A sales order entered as POST salesorder/SalesOrders would store it (YourRef, lines by item code), for a
        customer account (default: the first with Status C). It reserves its stock items' quantities."""
        if account_id is None:
            account_id = next(a["ID"] for a in self.tables["Account"].scan() if a.get("Status") == "C")
        lines = []
        for code, quantity in quantities.items():
            lines.append({"Item": self._item_by_code(code)["ID"], "Quantity": Decimal(str(quantity))})
        body: Row = {"OrderedBy": account_id, "YourRef": your_ref, "SalesOrderLines": lines}
        if warehouse is not None:
            body["WarehouseID"] = seed_id("Warehouse", warehouse)
        return self._create(self.specs["SalesOrder"], accept(self.specs["SalesOrder"], body, post=True))

    def deliver(self, order_number: int, *, tracking_number: str | None = None, shipping_method: str | None = None,
                quantities: dict[str, Decimal | int] | None = None, delivery_date: str | None = None) -> Row:
        """What a warehouse user does: deliver a sales order (all open quantities, or `quantities` per item code)."""
        orders = self.tables["SalesOrder"].lookup("OrderNumber", order_number)
        if not orders:
            raise KeyError(order_number)
        lines = []
        for line in self.tables["SalesOrderLine"].lookup("OrderID", orders[0]["OrderID"]):
            open_quantity = line["Quantity"] - (line.get("QuantityDelivered") or ZERO)
            wanted = open_quantity if quantities is None else Decimal(str(quantities.get(line["ItemCode"], 0)))
            if wanted > 0:
                lines.append({"SalesOrderLineID": line["ID"], "QuantityDelivered": wanted})
        values: Row = {"DeliveryDate": parse_datetime(delivery_date) if delivery_date else self._today(),
                       "GoodsDeliveryLines": lines, "TrackingNumber": tracking_number}
        if shipping_method:
            values["ShippingMethod"] = seed_id("ShippingMethod", shipping_method)
        return self._create_GoodsDelivery(values)

    # -- entity rules ---------------------------------------------------------------------------------------------
    def _create_GoodsDelivery(self, values: Row) -> Row:
        require(values, self.specs["GoodsDelivery"].mandatory)
        lines = [accept(self.specs["GoodsDeliveryLine"], raw, post=True) for raw in values.pop("GoodsDeliveryLines")]
        order_lines = []
        for line in lines:
            require(line, ("SalesOrderLineID", "QuantityDelivered"))
            order_line = self.tables["SalesOrderLine"].get(line["SalesOrderLineID"])
            if order_line is None:
                raise business("Ongeldige referentie: Verkooporderregel")
            order_lines.append(order_line)
        orders = {ol["OrderID"] for ol in order_lines}
        if len(orders) != 1:
            raise business("Ongeldig: een levering hoort bij één verkooporder")  # one delivery per order (stand-in)
        order = self.tables["SalesOrder"].rows[orders.pop()]
        warehouse = self._warehouse_of(order)
        method = self._one("ShippingMethod", values["ShippingMethod"], "Verzendwijze") \
            if values.get("ShippingMethod") else None
        account = self.tables["Account"].get(order.get("DeliverTo") or order["OrderedBy"]) or {}
        self.numbers["GoodsDelivery"] = self.numbers.get("GoodsDelivery", 0) + 1
        entry_id = values.get("EntryID") or str(uuid.uuid4())
        header = values | {
            "EntryID": entry_id, "DeliveryNumber": self.numbers["GoodsDelivery"],
            "EntryNumber": self.numbers["GoodsDelivery"], "DeliveryAccount": account.get("ID"),
            "DeliveryAccountCode": account.get("Code"), "DeliveryAccountName": account.get("Name"),
            "DeliveryAddress": order.get("DeliveryAddress"), "Warehouse": warehouse["ID"],
            "WarehouseCode": warehouse["Code"], "WarehouseDescription": warehouse["Description"],
            "ShippingMethodCode": method["Code"] if method else None,
            "ShippingMethodDescription": method["Description"] if method else None}
        for number, (line, order_line) in enumerate(zip(lines, order_lines, strict=True), start=1):
            quantity = line["QuantityDelivered"]
            self._insert("GoodsDeliveryLine", line | {
                "EntryID": entry_id, "LineNumber": number, "DeliveryDate": values["DeliveryDate"],
                "Item": order_line["Item"], "ItemCode": order_line["ItemCode"],
                "ItemDescription": order_line.get("ItemDescription"), "QuantityOrdered": order_line["Quantity"],
                "SalesOrderLineNumber": order_line.get("LineNumber"), "SalesOrderNumber": order.get("OrderNumber"),
                "TrackingNumber": line.get("TrackingNumber") or values.get("TrackingNumber"),
                "Unitcode": order_line.get("UnitCode")})
            delivered = (order_line.get("QuantityDelivered") or ZERO) + quantity
            self._save("SalesOrderLine", order_line | {"QuantityDelivered": delivered})
            if self._is_stock_item(order_line["Item"]):
                released = min(quantity, max(order_line["Quantity"] - (delivered - quantity), ZERO))
                self._move_stock(order_line["Item"], warehouse["Code"], current=-quantity, reserved=-released)
        row = self._insert("GoodsDelivery", header)
        self._delivery_status(order)
        return row

    def _create_GoodsDeliveryLine(self, values: Row) -> Row:
        raise business("Ongeldig: leveringsregels worden alleen met de levering zelf aangemaakt")

    def _reserve_order(self, header: Row) -> None:
        """A new sales order reserves its stock items' quantities (hook called after the order is stored)."""
        warehouse = self._warehouse_of(header)
        for line in self.tables["SalesOrderLine"].lookup("OrderID", header["OrderID"]):
            if self._is_stock_item(line["Item"]) and line["Quantity"] > 0:
                self._move_stock(line["Item"], warehouse["Code"], reserved=line["Quantity"])

    def _delivery_status(self, order: Row) -> None:
        lines = self.tables["SalesOrderLine"].lookup("OrderID", order["OrderID"])
        done = all((ln.get("QuantityDelivered") or ZERO) >= ln["Quantity"] for ln in lines)
        status = 21 if done else 20
        self._save("SalesOrder", self.tables["SalesOrder"].rows[order["OrderID"]] | {
            "DeliveryStatus": status, "Status": status,
            "StatusDescription": "Afgehandeld" if done else "Gedeeltelijk"})

    def _sync_timestamp(self, endpoint: str | None, modified: str | None) -> Response:
        name = (endpoint or "").strip("'")
        table = SYNC_ENDPOINTS.get(name)
        if table is None or not modified:
            raise bad_request("The parameters 'modified' and 'endPoint' are mandatory; endPoint is the sync "
                              "entity name, e.g. 'Items'.")
        since = parse_datetime(modified.removeprefix("datetime").strip("'"))
        stamps = [row["Timestamp"] for row in self.tables[table].scan()
                  if row.get("Modified") is not None and row["Modified"] >= since]
        value = min(stamps) - 1 if stamps else self.timestamp
        return json_response({"d": {"__metadata": {"type": "Exact.Web.Api.Models.Sync.SyncTimestamp"},
                                    "Modified": None, "API": name, "TimeStampAsBigInt": max(value, 1)}})

    # -- stock bookkeeping ------------------------------------------------------------------------------------------
    def _item_by_code(self, code: str) -> Row:
        found = self.tables["Item"].lookup("Code", code)
        if not found:
            raise KeyError(code)
        return found[0]

    def _is_stock_item(self, item_id: str) -> bool:
        item = self.tables["Item"].get(item_id)
        return bool(item and item.get("IsStockItem"))

    def _warehouse_of(self, order: Row) -> Row:
        wanted = order.get("WarehouseID")
        if wanted:
            return self._one("Warehouse", wanted, "Magazijn")
        mains = [w for w in self.tables["Warehouse"].scan() if w.get("Main")]
        return mains[0]

    def _move_stock(self, item_id: str, warehouse: str, *, current: Decimal = ZERO, reserved: Decimal = ZERO) -> Row:
        existing = self.tables["ItemWarehouse"].get(_position_id(item_id, warehouse))
        now_current = (existing or {}).get("CurrentStock") or ZERO
        now_reserved = (existing or {}).get("ReservedStock") or ZERO
        return self._item_warehouse(item_id, warehouse, current=now_current + current,
                                    reserved=max(now_reserved + reserved, ZERO))

    def _item_warehouse(self, item_id: str, warehouse_code: str, *, current: Decimal,
                        reserved: Decimal | None = None) -> Row:
        """Write the item x warehouse row and its stock position (a new Timestamp each)."""
        warehouse = self.tables["Warehouse"].lookup("Code", warehouse_code)
        if not warehouse:
            raise KeyError(warehouse_code)
        item = self.tables["Item"].rows[item_id]
        key = _position_id(item_id, warehouse_code)
        existing = self.tables["ItemWarehouse"].get(key)
        if reserved is None:
            reserved = (existing or {}).get("ReservedStock") or ZERO
        planned_in = (existing or {}).get("PlannedStockIn") or ZERO
        values = {"ID": key, "Item": item_id, "ItemCode": item["Code"], "ItemDescription": item["Description"],
                  "ItemIsStockItem": True, "ItemUnit": item.get("Unit"), "Warehouse": warehouse[0]["ID"],
                  "WarehouseCode": warehouse[0]["Code"], "WarehouseDescription": warehouse[0]["Description"],
                  "CurrentStock": current, "ReservedStock": reserved, "PlannedStockIn": planned_in,
                  "PlannedStockOut": reserved, "ProjectedStock": current + planned_in - reserved}
        if existing is None:
            row = self._insert("ItemWarehouse", values)
        else:
            self._save("ItemWarehouse", existing | values)
            row = self.tables["ItemWarehouse"].rows[key]
        self.timestamp += 1
        self.tables["StockPosition"].put({
            "ID": key, "ItemId": item_id, "ItemCode": item["Code"], "ItemDescription": item["Description"],
            "Warehouse": warehouse[0]["ID"], "WarehouseCode": warehouse[0]["Code"],
            "WarehouseDescription": warehouse[0]["Description"], "CurrentStock": current, "ReservedStock": reserved,
            "FreeStock": current - reserved, "PlanningIn": planned_in, "PlanningOut": reserved,
            "ProjectedStock": current + planned_in - reserved, "ReorderPoint": ZERO, "UnitCode": item.get("Unit"),
            "UnitDescription": item.get("Unit"), "Division": self.division, "Timestamp": self.timestamp,
            "Modified": local_now(self.clock())})
        return row


def _position_id(item_id: str, warehouse_code: str) -> str:
    """Stable ID of an item x warehouse row (and of its stock position)."""
    return str(uuid.uuid5(uuid.UUID(item_id), f"warehouse:{warehouse_code}"))
