"""Re-importing is idempotent: (shop, platform order id) is the key; refunds go on hold; waybills are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests import exportgen as gen


def test_reimport_unchanged_then_updated(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "淘宝店", "--platform", "taobao")
    rows = gen.taobao_rows(10)
    path = gen.write_csv(tmp_path / "a.csv", rows, encoding="gb18030")
    assert kd("import", str(path), "--shop", "淘宝店", "--json").json["imported"] == 10
    again = kd("import", str(path), "--shop", "淘宝店", "--json").json
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 10)

    rows[1][3] = "交易关闭"  # the buyer cancelled
    rows[2][14] = "送礼，不要放发票"  # a seller remark was added
    path2 = gen.write_csv(tmp_path / "b.csv", rows, encoding="gb18030")
    third = kd("import", str(path2), "--shop", "淘宝店", "--json").json
    assert (third["imported"], third["updated"], third["unchanged"]) == (0, 2, 8)
    orders = kd("orders", "--json").json["orders"]
    assert len(orders) == 10
    held = [o for o in orders if o["on_hold"]]
    assert [o["platform_order_id"] for o in held] == ["3700000000000000000"]
    assert held[0]["status"] == "closed"
    ready = kd("orders", "--status", "ready", "--json").json["orders"]
    assert len(ready) == 9


def test_same_order_id_in_two_shops_is_two_orders(kd: Any, tmp_path: Path) -> None:
    kd("shops", "add", "A", "--platform", "taobao")
    kd("shops", "add", "B", "--platform", "taobao")
    path = gen.taobao_csv(tmp_path / "a.csv", n=3)
    kd("import", str(path), "--shop", "A")
    kd("import", str(path), "--shop", "B")
    assert len(kd("orders", "--json").json["orders"]) == 6
    assert len(kd("orders", "--shop", "A", "--json").json["orders"]) == 3


def test_reimport_never_changes_an_issued_shipment(store: Any, tmp_path: Path, data_dir: Path) -> None:
    from sqlalchemy import select

    from app.orders.importer import import_file
    from app.orders.shipments import ensure_shipment
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.store.models import CarrierAccount, Order, Waybill

    with store.session() as s:
        add_shop(s, SecretStore(data_dir), "淘宝店", "taobao")
    rows = gen.taobao_rows(2)
    import_file(store, gen.write_csv(tmp_path / "a.csv", rows, encoding="gb18030"), "淘宝店")
    with store.session() as s:
        order = s.scalars(select(Order).order_by(Order.id)).first()
        assert order is not None
        shipment = ensure_shipment(s, order)
        account = CarrierAccount(name="c", kind="sandbox", shipper_code="SF")
        s.add(account)
        s.flush()
        wb = Waybill(shipment_id=shipment.id, carrier_account_id=account.id, order_code="KD1", state="issued",
                     shipper_code="SF", waybill_no="SF100")  # fmt: skip
        s.add(wb)
        s.flush()
        shipment.active_waybill_id = wb.id
        order_id = order.id
        before = (order.province, order.city, order.district, order.address)
    rows[1][6] = "上海 上海市 黄浦区 南京东路1号"  # the address changed in the shop
    rows[1][3] = "退款中"
    rows[2][6] = "上海 上海市 黄浦区 南京东路2号"
    report = import_file(store, gen.write_csv(tmp_path / "b.csv", rows, encoding="gb18030"), "淘宝店")
    assert report.updated == 2
    with store.session() as s:
        issued = s.get(Order, order_id)
        assert issued is not None
        assert (issued.province, issued.city, issued.district, issued.address) == before  # it has a waybill
        assert issued.on_hold and issued.status == "refunding"  # but the refund is recorded
        other = s.scalars(select(Order).where(Order.id != order_id)).one()
        assert other.province == "上海市" and other.address.startswith("南京东路2号")
