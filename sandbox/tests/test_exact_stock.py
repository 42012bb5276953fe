"""Exact stand-in logistics over HTTP: warehouses, stock positions per item and warehouse, reservations by sales
orders, goods deliveries POSTed with their lines (as Exact documents them), the sync endpoints and SyncTimestamp."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.core import SandboxServer
from sandbox.exact import ExactOnline, seed_id

DIV = ExactOnline.DIVISION
START = 1_714_550_400.0  # 2024-05-01 10:00 CEST
HEADERS = {"Accept": "application/json", "Prefer": "return=representation"}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Api:
    """One token pair on the stand-in's initial refresh token, JSON in and out."""

    def __init__(self, server: SandboxServer) -> None:
        self.base = f"{server.base_url}/api/v1/{DIV}"
        token = requests.post(f"{server.base_url}/api/oauth2/token", timeout=5, data={
            "grant_type": "refresh_token", "refresh_token": ExactOnline.REFRESH_TOKEN,
            "client_id": ExactOnline.CLIENT_ID, "client_secret": ExactOnline.CLIENT_SECRET}).json()
        self.headers = {"Authorization": f"Bearer {token['access_token']}", **HEADERS}

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        return requests.request(method, f"{self.base}/{path}", json=body, params=params or None,
                                headers=self.headers, timeout=5)

    def results(self, path: str, **params: Any) -> list[dict[str, Any]]:
        resp = self.call("GET", path, **params)
        assert resp.status_code == 200, resp.text
        return list(resp.json()["d"]["results"])


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[SandboxServer, Clock]]:
    clock = Clock()
    srv = SandboxServer(ExactOnline(seed="demo", orders=10, catalogue=True, clock=clock, minutely_limit=None,
                                    daily_limit=None)).start()
    yield srv, clock
    srv.stop()


@pytest.fixture
def server(shared: tuple[SandboxServer, Clock]) -> SandboxServer:
    shared[1].now = START
    shared[0].reset()
    return shared[0]


@pytest.fixture
def api(server: SandboxServer) -> Api:
    return Api(server)


def vendor(server: SandboxServer) -> ExactOnline:
    assert isinstance(server.vendor, ExactOnline)
    return server.vendor


def position(api: Api, code: str, warehouse: str = "1") -> dict[str, Any]:
    rows = api.results("sync/Inventory/StockPositions", **{"$filter": "Timestamp gt 1L"})
    matches = [r for r in rows if r["ItemCode"] == code and r["WarehouseCode"] == warehouse]
    assert len(matches) == 1, (code, warehouse, len(matches))
    return matches[0]


def sales_order(api: Api, code: str, quantity: int, your_ref: str = "shopify:#1001") -> dict[str, Any]:
    account = next(a for a in api.results("crm/Accounts", **{"$filter": "Status eq 'C'", "$select": "ID"}))
    item = api.results("logistics/Items", **{"$filter": f"Code eq '{code}'", "$select": "ID"})[0]
    resp = api.call("POST", "salesorder/SalesOrders", {"OrderedBy": account["ID"], "YourRef": your_ref,
                                                       "SalesOrderLines": [{"Item": item["ID"], "Quantity": quantity}]})
    assert resp.status_code == 201, resp.text
    return dict(resp.json()["d"])


def test_given_catalogue_seed_when_reading_stock_then_one_position_per_item_and_warehouse(api: Api,
                                                                                          server: SandboxServer):
    warehouses = api.results("inventory/Warehouses", **{"$select": "Code,Description,Main"})
    rows = api.results("sync/Inventory/StockPositions", **{"$filter": "Timestamp gt 1L"})

    assert sorted((w["Code"], w["Main"]) for w in warehouses) == [("1", 1), ("2", 0)]
    stock_items = [i for i in vendor(server).items() if i.get("IsStockItem")]
    assert len(rows) == 2 * len(stock_items) and len({r["ID"] for r in rows}) == len(rows)
    for row in rows:
        assert row["FreeStock"] == row["CurrentStock"] - row["ReservedStock"]
        assert row["ProjectedStock"] == row["CurrentStock"] + row["PlanningIn"] - row["PlanningOut"]


def test_given_a_sales_order_when_posted_then_free_stock_goes_down_and_the_position_is_synced_again(
        api: Api, server: SandboxServer):
    code = vendor(server).stock_positions()[0]["ItemCode"]
    vendor(server).set_stock(code, "1", 10)
    high = max(r["Timestamp"] for r in api.results("sync/Inventory/StockPositions", **{"$filter": "Timestamp gt 1L"}))

    sales_order(api, code, 3)

    after = api.results("sync/Inventory/StockPositions", **{"$filter": f"Timestamp gt {high}L"})
    assert [(r["ItemCode"], r["WarehouseCode"]) for r in after] == [(code, "1")]  # one row, its latest figures
    assert (after[0]["CurrentStock"], after[0]["ReservedStock"], after[0]["FreeStock"]) == (10, 3, 7)


def test_given_a_goods_delivery_when_posted_with_its_lines_then_stock_leaves_and_the_order_is_delivered(
        api: Api, server: SandboxServer):
    code = vendor(server).stock_positions()[0]["ItemCode"]
    vendor(server).set_stock(code, "1", 10)
    order = sales_order(api, code, 3)
    line = api.results("salesorder/SalesOrderLines", **{"$filter": f"OrderID eq guid'{order['OrderID']}'",
                                                        "$select": "ID"})[0]

    resp = api.call("POST", "salesorder/GoodsDeliveries", {
        "DeliveryDate": "2024-05-02T00:00:00", "TrackingNumber": "3S123", "ShippingMethod": seed_id(
            "ShippingMethod", "POSTNL"), "GoodsDeliveryLines": [{"SalesOrderLineID": line["ID"], "QuantityDelivered": 2}]})

    assert resp.status_code == 201, resp.text
    delivery = resp.json()["d"]
    lines = api.results("salesorder/GoodsDeliveryLines", **{"$filter": f"EntryID eq guid'{delivery['EntryID']}'"})
    assert [(ln["ItemCode"], ln["QuantityDelivered"], ln["SalesOrderNumber"]) for ln in lines] == [
        (code, 2, order["OrderNumber"])]
    assert (delivery["ShippingMethodCode"], delivery["TrackingNumber"]) == ("POSTNL", "3S123")
    now = position(api, code)
    assert (now["CurrentStock"], now["ReservedStock"], now["FreeStock"]) == (8, 1, 7)
    status = api.results("salesorder/SalesOrders", **{"$filter": f"OrderID eq guid'{order['OrderID']}'",
                                                      "$select": "DeliveryStatus"})[0]["DeliveryStatus"]
    assert status == 20  # partially delivered
    synced = api.results("sync/SalesOrder/GoodsDeliveries", **{"$filter": "Timestamp gt 1L"})
    assert [d["EntryID"] for d in synced] == [delivery["EntryID"]]


@pytest.mark.parametrize(("body", "message"), [
    ({"GoodsDeliveryLines": []}, "Verplicht: Leverdatum"),
    ({"DeliveryDate": "2024-05-02T00:00:00"}, "Verplicht: Regels"),
    ({"DeliveryDate": "2024-05-02T00:00:00",
      "GoodsDeliveryLines": [{"SalesOrderLineID": "00000000-0000-0000-0000-000000000001", "QuantityDelivered": 1}]},
     "Ongeldige referentie: Verkooporderregel"),
])
def test_given_an_incomplete_goods_delivery_when_posted_then_exacts_business_error(api: Api, body: dict[str, Any],
                                                                                   message: str):
    resp = api.call("POST", "salesorder/GoodsDeliveries", body)

    assert resp.status_code == 500 and resp.json()["error"]["message"]["value"] == message


def test_given_a_delivery_line_alone_when_posted_then_refused(api: Api):
    resp = api.call("POST", "salesorder/GoodsDeliveryLines", {"QuantityDelivered": 1})

    assert resp.status_code == 500, resp.text
    assert "alleen met de levering" in resp.json()["error"]["message"]["value"]  # lines come with their delivery


def test_given_a_start_date_when_asking_sync_timestamp_then_only_rows_changed_since_follow(api: Api,
                                                                                            server: SandboxServer):
    shared_clock = vendor(server).clock
    assert isinstance(shared_clock, Clock)
    shared_clock.now = START + 500  # within the access token's 600 s
    new = vendor(server).add_stock_item("LATER-1", "Later artikel", price="5.00")

    resp = api.call("GET", "read/sync/Sync/SyncTimestamp", modified="datetime'2024-05-01T10:05:00'",
                    endPoint="'Items'")

    assert resp.status_code == 200, resp.text
    stamp = int(resp.json()["d"]["TimeStampAsBigInt"])
    rows = api.results("sync/Logistics/Items", **{"$filter": f"Timestamp gt {stamp}L", "$select": "Code"})
    assert [r["Code"].strip() for r in rows] == [new["Code"].strip()]
    assert api.call("GET", "read/sync/Sync/SyncTimestamp", endPoint="'Items'").status_code == 400
