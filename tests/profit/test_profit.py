"""The profit report on a known example: costs and prices imported from real CSV/XLSX files, orders shipped on two
Beijing days by two shops, a merged parcel sharing its price, and the orders it cannot cost listed, never zero."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.errors import InputError, UsageError
from app.profit.prices import PriceBand, find_band, province_key
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, OrderLine, Shipment, Shop, Waybill, shipment_orders

_serial = itertools.count(1)


def test_first_weight_and_each_started_kilogram() -> None:
    band = PriceBand("中通", "", 0, None, 1000, Decimal("5.00"), Decimal("2.00"))
    assert [band.price(w) for w in (0, 1000, 1001, 2000, 2001, 4200)] == [
        Decimal(x) for x in ("5.00", "5.00", "7.00", "7.00", "9.00", "13.00")
    ]
    table = [
        PriceBand("中通", "浙江", 0, None, 1000, Decimal("5.01"), Decimal("2.00")),
        PriceBand("中通", "", 0, 3000, 1000, Decimal("8.00"), Decimal("3.00")),
        PriceBand("中通", "", 3000, None, 3000, Decimal("15.00"), Decimal("2.50")),
    ]
    assert find_band(table, "浙江省", 5000) is table[0]
    assert find_band(table, "广东省", 2999) is table[1]
    assert find_band(table, "新疆维吾尔自治区", 3000) is table[2]
    assert find_band(table[:1], "广东省", 100) is None
    assert [province_key(p) for p in ("北京市", "广西壮族自治区", "内蒙古自治区", "香港特别行政区", "浙江")] == [
        "北京", "广西", "内蒙古", "香港", "浙江"
    ]  # fmt: skip


def _utc(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour)


class Shop_:
    def __init__(self, store: Store) -> None:
        self.store = store
        with store.session() as s:
            a, b = Shop(name="旗舰店", platform="taobao"), Shop(name="二店", platform="pdd")
            zto = CarrierAccount(name="中通月结", kind="sandbox", shipper_code="ZTO")
            sf = CarrierAccount(name="顺丰", kind="sandbox", shipper_code="SF")
            s.add_all([a, b, zto, sf])
            s.flush()
            self.shops = {"A": a.id, "B": b.id}
            self.accounts = {"ZTO": zto.id, "SF": sf.id}

    def order(
        self, shop: str, province: str, total: str | None, lines: list[tuple[str, int, str | None]],
        *, weight: int = 0, status: str = "paid",
    ) -> int:  # fmt: skip
        n = next(_serial)
        with self.store.session() as s:
            order = Order(shop_id=self.shops[shop], platform_order_id=f"P{n:04d}", status=status, province=province,
                          total_amount=Decimal(total) if total is not None else None, weight_g=weight)  # fmt: skip
            order.lines = [
                OrderLine(sku=sku, quantity=q, price=Decimal(p) if p is not None else None) for sku, q, p in lines
            ]
            s.add(order)
            s.flush()
            return order.id

    def ship(self, orders: list[int], account: str, issued_at: datetime, *, weight: int = 0,
             state: str = "issued") -> None:  # fmt: skip
        n = next(_serial)
        with self.store.session() as s:
            shop_id = s.get(Order, orders[0]).shop_id  # type: ignore[union-attr]
            shipment = Shipment(shop_id=shop_id, weight_g=weight)
            s.add(shipment)
            s.flush()
            for oid in orders:
                s.execute(shipment_orders.insert().values(shipment_id=shipment.id, order_id=oid))
            s.add(Waybill(shipment_id=shipment.id, carrier_account_id=self.accounts[account], order_code=f"OC{n}",
                          state=state, shipper_code=account, waybill_no=f"W{n:08d}", issued_at=issued_at))  # fmt: skip


def _example(store: Store) -> dict[str, int]:
    w = Shop_(store)
    ids: dict[str, int] = {}
    # day 1 (Beijing 2026-12-01)
    ids["O1"] = w.order("A", "浙江省", "99.00", [("A1", 2, "49.50")], weight=1500)
    w.ship([ids["O1"]], "ZTO", _utc(1, 2))  # 浙江: 5.01 + 1 kg × 2.00 = 7.01
    ids["O2"] = w.order("A", "广东省", "60.00", [("B2", 1, "60.00")])
    w.ship([ids["O2"]], "ZTO", _utc(1, 3), weight=800)  # anywhere 0-3 kg: 8.00
    ids["O6"] = w.order("A", "广东省", "20.00", [("NOCOST", 1, "20.00")], weight=500)
    w.ship([ids["O6"]], "ZTO", _utc(1, 4))  # no cost for its SKU: listed
    ids["O8"] = w.order("A", "广东省", "50.00", [("A1", 1, "50.00")], weight=500, status="refunded")
    w.ship([ids["O8"]], "ZTO", _utc(1, 5))  # refunded: left out
    ids["O9"] = w.order("A", "广东省", "50.00", [("A1", 1, "50.00")])  # no waybill: not in the report
    ids["O11"] = w.order("A", "广东省", "50.00", [("A1", 1, "50.00")], weight=500)
    w.ship([ids["O11"]], "ZTO", _utc(1, 6), state="cancelled")  # its waybill was cancelled: not shipped
    # day 2 (Beijing 2026-12-02): 23:00 UTC on the 1st is 07:00 in Beijing on the 2nd
    ids["O3"] = w.order("B", "新疆维吾尔自治区", "200.00", [("A1", 1, "80.00"), ("B2", 2, "60.00")])
    w.ship([ids["O3"]], "ZTO", _utc(1, 23), weight=4200)  # 3 kg+: 15.00 + 2 kg × 2.50 = 20.00
    ids["O4"] = w.order("B", "浙江省", "30.00", [("A1", 1, "30.00")])
    ids["O5"] = w.order("B", "浙江省", None, [("A1", 1, "12.34")])  # no amount: the lines' prices
    w.ship([ids["O4"], ids["O5"]], "ZTO", _utc(2, 3), weight=2001)  # merged: 9.01 shared 4.51 + 4.50
    ids["O7"] = w.order("B", "广东省", "40.00", [("A1", 1, "40.00")], weight=300)
    w.ship([ids["O7"]], "SF", _utc(2, 4))  # no price table for this account: listed
    # day 3: outside the period asked for
    ids["O10"] = w.order("A", "广东省", "70.00", [("A1", 1, "70.00")], weight=500)
    w.ship([ids["O10"]], "ZTO", _utc(3, 4))
    return ids


def _write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    costs = tmp_path / "costs.csv"
    costs.write_text("商家编码,成本\nA1,10\nB2,¥25.50\n,3\nC3,abc\n", encoding="utf-8-sig")
    prices = tmp_path / "prices.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["carrier", "province", "min_kg", "max_kg", "first_kg", "first_price", "extra_per_kg"])
    sheet.append(["中通月结", "浙江", 0, None, 1, 5.01, 2])
    sheet.append(["中通月结", "其他", 0, 3, 1, 8, 3])
    sheet.append(["中通月结", "", 3, None, 3, 15, 2.5])
    book.save(prices)
    return costs, prices


@pytest.mark.timeout(60)
def test_profit_report_on_a_known_example(kd: Any, store: Store, tmp_path: Path) -> None:
    ids = _example(store)
    costs, prices = _write_inputs(tmp_path)
    imported = kd("costs", "import", str(costs), "--json")
    assert imported.status == 0, imported.stdout
    assert imported.json["imported"] == 2 and imported.json["rejected"] == 2
    assert [e["row"] for e in imported.json["errors"]] == [4, 5]
    assert kd("prices", "import", str(prices), "--json").json == {"bands": 3}
    listed = kd("prices", "list", "--json").json["prices"]
    assert {"carrier": "中通月结", "province": "", "min_kg": 3.0, "max_kg": None, "first_kg": 3.0,
            "first_price": "15.00", "extra_per_kg": "2.50"} in listed  # fmt: skip

    by_day = kd("profit", "--from", "2026-12-01", "--to", "2026-12-02", "--json")
    assert by_day.status == 0, by_day.stderr
    body = by_day.json
    assert body["rows"] == [
        {"day": "2026-12-01", "orders": 2, "revenue": "159.00", "goods_cost": "45.50", "shipping_cost": "15.01",
         "profit": "98.49", "margin": "0.6194", "incomplete": 1},
        {"day": "2026-12-02", "orders": 3, "revenue": "242.34", "goods_cost": "81.00", "shipping_cost": "29.01",
         "profit": "132.33", "margin": "0.5461", "incomplete": 1},
    ]  # fmt: skip
    assert body["total"] == {"orders": 5, "revenue": "401.34", "goods_cost": "126.50", "shipping_cost": "44.02",
                             "profit": "230.82", "margin": "0.5751", "incomplete": 2}  # fmt: skip
    missing = {(m["order_id"], m["reason"], m["sku"], m["carrier"]) for m in body["missing_costs"]}
    assert missing == {(ids["O6"], "no_cost", "NOCOST", ""), (ids["O7"], "no_price", "", "顺丰")}

    by_shop = kd("profit", "--from", "2026-12-01", "--to", "2026-12-02", "--by", "shop", "--json").json
    assert [(r["shop"], r["orders"], r["profit"], r["incomplete"]) for r in by_shop["rows"]] == [
        ("二店", 3, "132.33", 1), ("旗舰店", 2, "98.49", 1)
    ]  # fmt: skip
    everything = kd("profit", "--json").json
    assert everything["total"]["orders"] == 6  # day 3's order too

    # the merged parcel's 9.01 is shared to the fen: the first order takes the odd fen
    from app.workspace import Workspace

    report = Workspace(store, tmp_path).profit.report(start=date(2026, 12, 2), end=date(2026, 12, 2))
    shares = {p.order_id: p.shipping_cost for p in report.orders}
    assert (shares[ids["O4"]], shares[ids["O5"]]) == (Decimal("4.51"), Decimal("4.50"))
    assert sum(shares.values()) == Decimal("29.01")

    # a cost set by hand changes the report at once; the order that had none is now counted
    assert kd("costs", "set", "NOCOST", "5", "--json").json == {"sku": "NOCOST", "cost": "5.00"}
    day1 = kd("profit", "--from", "2026-12-01", "--to", "2026-12-01", "--json").json["rows"][0]
    assert (day1["orders"], day1["revenue"], day1["profit"], day1["incomplete"]) == (3, "179.00", "105.49", 0)


def test_bad_input_is_refused(kd: Any, store: Store, tmp_path: Path, workspace: Any) -> None:
    _example(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("carrier,province,first_price\n中通月结,浙江,5\n中通月结,广东,x\n", encoding="utf-8")
    result = kd("prices", "import", str(bad), "--json")
    assert result.status == 2 and result.json["row"] == 3
    assert kd("prices", "list", "--json").json == {"prices": []}  # all or nothing
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("carrier,first_price\n没有这个账号,5\n", encoding="utf-8")
    assert kd("prices", "import", str(unknown), "--json").status == 2
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("sku\nA1\n", encoding="utf-8")
    assert kd("costs", "import", str(nocol), "--json").status == 2
    assert kd("costs", "set", "A1", "-1", "--json").status == 2
    assert kd("profit", "--from", "2026-13-01", "--json").status == 2
    assert kd("profit", "--from", "2026-12-02", "--to", "2026-12-01", "--json").status == 2
    with pytest.raises(InputError):
        workspace.profit.set_prices([PriceBand("中通月结", "浙江", 0, None, 1000, Decimal(5), Decimal(2))] * 2)
    with pytest.raises(UsageError):
        workspace.profit.report(by="week")


def test_the_same_report_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from app.store.engine import open_store
    from app.workspace import Workspace

    store = open_store(pg_url, tmp_path)
    try:
        ids = _example(store)
        ws = Workspace(store, tmp_path)
        costs, prices = _write_inputs(tmp_path)
        assert ws.profit.import_costs(costs).imported == 2
        assert ws.profit.import_prices(prices) == 3
        report = ws.profit.report(start=date(2026, 12, 1), end=date(2026, 12, 2), by="shop")
        assert [(r.key, r.orders, r.profit) for r in report.rows] == [
            ("二店", 3, Decimal("132.33")), ("旗舰店", 2, Decimal("98.49"))
        ]  # fmt: skip
        assert (report.total.revenue, report.total.shipping_cost) == (Decimal("401.34"), Decimal("44.02"))
        assert {m.order_id for m in report.missing} == {ids["O6"], ids["O7"]}
    finally:
        store.dispose()
