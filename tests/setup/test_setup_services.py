"""The settings window's workspace methods on a real SQLite store: edit and delete shops, senders, carrier accounts
(over a real sandbox carrier on 127.0.0.1) and printers; the column mapping saved per shop and used by the importer;
the printers this PC can see and a typed network address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.carriers.sandbox.server import start_sandbox
from app.errors import InputError, NotFound, UsageError
from app.printing.devices import serial_ports, typed_uri, usb_printers

HOME_MADE = "单号,客户,电话,收货地址,货品,件数\nA-1,张三,13800138000,浙江省杭州市西湖区文三路1号,杯子,2\n" \
            "A-2,李四,13900139000,广东省深圳市南山区科技园2号,碗,1\n"  # fmt: skip


@pytest.fixture
def sandbox() -> Iterator[Any]:
    server = start_sandbox()
    yield server
    server.stop()


def _add_sender(ws: Any, profile: str, default: bool = False) -> Any:
    return ws.orders.add_sender(profile, name="王五", mobile="13700137000", province="浙江省", city="杭州市",
                                district="西湖区", address="文三路1号", default=default)  # fmt: skip


def test_a_shop_is_edited_and_deleted_only_while_it_holds_no_orders(workspace: Any, tmp_path: Path) -> None:
    ws = workspace
    ws.orders.add_shop("旗舰店", "taobao")
    info = ws.orders.update_shop("旗舰店", rename="天猫旗舰店", platform="tmall", mask_phone=True, mask_name=True,
                                 template="76x130")  # fmt: skip
    assert (info.name, info.platform, info.mask_phone, info.mask_name, info.template) == (
        "天猫旗舰店",
        "tmall",
        True,
        True,
        "76x130",
    )
    assert ws.orders.update_shop("天猫旗舰店", mask_name=False).mask_phone  # what is not given stays
    with pytest.raises(UsageError, match="76x999"):
        ws.orders.update_shop("天猫旗舰店", template="76x999")
    ws.orders.add_shop("自有", "generic")
    with pytest.raises(UsageError):
        ws.orders.update_shop("自有", rename="天猫旗舰店")

    sheet = tmp_path / "orders.csv"
    sheet.write_text(HOME_MADE, encoding="utf-8")
    ws.orders.save_mapping("自有", {"order_id": "单号", "receiver_name": "客户", "mobile": "电话",
                                    "address": "收货地址", "title": "货品", "quantity": "件数"})  # fmt: skip
    assert ws.orders.import_file(sheet, "自有", "generic").imported == 2
    counted = {s.name: s.orders for s in ws.orders.shops(counts=True)}
    assert counted == {"天猫旗舰店": 0, "自有": 2}
    with pytest.raises(UsageError, match="2"):
        ws.orders.delete_shop("自有")
    ws.orders.delete_shop("天猫旗舰店")
    assert [s.name for s in ws.orders.shops()] == ["自有"]
    with pytest.raises(NotFound):
        ws.orders.delete_shop("天猫旗舰店")


def test_the_saved_mapping_is_checked_kept_per_shop_and_used_by_generic_imports(
    workspace: Any, tmp_path: Path
) -> None:
    from app.orders import mapping

    ws = workspace
    ws.orders.add_shop("自有", "generic")
    ws.orders.add_shop("别的", "generic")
    sheet = tmp_path / "orders.csv"
    sheet.write_text(HOME_MADE, encoding="utf-8")
    preview = ws.orders.preview_file(sheet)
    assert preview.headers == ("单号", "客户", "电话", "收货地址", "货品", "件数") and preview.total_rows == 2
    guessed = mapping.suggest(preview.headers)
    assert guessed["order_id"] == "单号" and guessed["mobile"] == "电话" and guessed["address"] == "收货地址"
    assert mapping.apply(preview, {"receiver_name": "客户"}) == [
        {"receiver_name": "张三"},
        {"receiver_name": "李四"},
    ]

    with pytest.raises(UsageError) as lacking:
        ws.orders.save_mapping("自有", {"order_id": "单号", "receiver_name": "客户"}, preview.headers)
    assert "手机" in lacking.value.message_zh and "Mobile" in lacking.value.message_en
    with pytest.raises(UsageError, match="没有"):
        ws.orders.save_mapping("自有", {**guessed, "mobile": "手机号"}, preview.headers)
    with pytest.raises(
        InputError, match="列映射"
    ):  # no saved mapping yet: the generic format says what to do
        ws.orders.import_file(sheet, "自有", "generic")

    info = ws.orders.save_mapping("自有", guessed, preview.headers)
    assert dict(info.mapping) == guessed
    assert mapping.suggest(("电话", "客户", "单号"), dict(info.mapping))["receiver_name"] == "客户"
    report = ws.orders.import_file(sheet, "自有", "generic")
    assert (report.imported, report.rejected) == (2, 0)
    rows = ws.orders.list_orders(
        __import__("app.orders.values", fromlist=["OrderFilter"]).OrderFilter(shop="自有")
    )
    assert sorted(r.platform_order_id for r in rows) == ["A-1", "A-2"]
    assert {r.city for r in rows} == {"杭州市", "深圳市"}
    assert dict(next(s for s in ws.orders.shops() if s.name == "别的").mapping) == {}  # per shop
    assert ws.orders.save_mapping("自有", {}).mapping == ()  # an empty mapping removes it


def test_senders_are_edited_deleted_and_the_default_moves_on(workspace: Any) -> None:
    ws = workspace
    _add_sender(ws, "仓库")
    _add_sender(ws, "门店")
    changed = ws.orders.update_sender("门店", rename="二号门店", mobile="139 0013 9000", city="宁波市")
    assert (changed.profile, changed.mobile, changed.city) == ("二号门店", "13900139000", "宁波市")
    with pytest.raises(UsageError):
        ws.orders.update_sender("二号门店", mobile="123")
    with pytest.raises(UsageError):
        ws.orders.update_sender("二号门店", rename="仓库")
    assert ws.orders.default_sender().profile == "仓库"
    ws.orders.delete_sender("仓库")
    assert [(s.profile, s.is_default) for s in ws.orders.senders()] == [("二号门店", True)]


def test_a_carrier_account_becomes_the_default_only_after_a_passing_test(
    workspace: Any, sandbox: Any
) -> None:
    ws = workspace
    ws.carriers.add_account("沙箱", kind="sandbox", shipper_code="SF", endpoint=sandbox.endpoint)
    ws.carriers.add_account("快递鸟", kind="kdniao", shipper_code="ZTO", ebusiness_id="1000001", app_key="wrong",
                            endpoint=sandbox.endpoint)  # fmt: skip
    assert ws.carriers.default_account() is None
    refused = ws.carriers.test_and_make_default("快递鸟")
    assert not refused.ok and "AppKey" in refused.message_zh and "AppKey" in refused.message_en
    assert ws.carriers.default_account() is None
    passed = ws.carriers.test_and_make_default("沙箱")
    assert passed.ok and "连接正常" in passed.text("zh") and "connection OK" in passed.text("en")
    assert ws.carriers.default_account().name == "沙箱"
    assert [a.name for a in ws.waybills.choices().accounts] == ["沙箱", "快递鸟"]  # the default is offered first

    fixed = ws.carriers.update_account("快递鸟", rename="中通", app_key="9e5d5a4c0b6dd45c2e2c4e2e2c1d3d10")
    assert fixed.name == "中通" and fixed.ebusiness_id == "1000001"
    with pytest.raises(UsageError):
        ws.carriers.update_account("中通", ebusiness_id="")
    ws.carriers.delete_account("中通")
    assert [a.name for a in ws.carriers.accounts()] == ["沙箱"]


def test_a_dead_carrier_is_explained_in_plain_words(workspace: Any) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workspace.carriers.add_account("死", kind="sandbox", shipper_code="SF",
                                   endpoint=f"http://127.0.0.1:{port}/api/EOrderService")  # fmt: skip
    check = workspace.carriers.check_connection("死")
    assert not check.ok
    assert "连不上" in check.message_zh and "cannot reach" in check.message_en
    assert "Error" not in check.message and "--" not in check.message


def test_an_account_with_waybills_cannot_be_deleted(workspace: Any, store: Any) -> None:
    from tests.printing.support import make_parcels

    make_parcels(store, 1)
    account = workspace.carriers.accounts()[0]
    with pytest.raises(UsageError, match="1"):
        workspace.carriers.delete_account(account.name)


def test_printers_are_edited_deleted_or_retired_with_their_history(workspace: Any, store: Any) -> None:
    from tests.printing.support import make_parcels

    ws = workspace
    ws.printing.add_printer("热敏", "tcp://127.0.0.1:9100", "tspl", default=True)
    ws.printing.add_printer("备用", "tcp://127.0.0.1:9101", "tspl")
    info = ws.printing.update_printer("备用", rename="二号", uri="usblp:///dev/usb/lp0", dpi=300, template="76x130",
                                      offset_x_mm=1.5, mask_phone=True, mask_name=True, default=True)  # fmt: skip
    assert (info.name, info.uri, info.dpi, info.template, info.offset_x_mm) == (
        "二号",
        "usblp:///dev/usb/lp0",
        300,
        "76x130",
        1.5,
    )
    assert info.mask_phone and info.mask_name and info.is_default
    assert not ws.printing.printer("热敏").is_default
    with pytest.raises(UsageError):
        ws.printing.update_printer("二号", uri="nonsense://x")
    assert ws.printing.delete_printer("二号") is True
    assert [p.name for p in ws.printing.printers()] == ["热敏"]

    parcel = make_parcels(store, 1)[0]
    assert ws.printing.enqueue_orders([str(parcel.order_id)], "热敏").job_ids
    with pytest.raises(UsageError, match="排队"):
        ws.printing.delete_printer("热敏")
    ws.printing.cancel_queued("热敏")
    assert ws.printing.delete_printer("热敏") is False  # retired: its history stays
    assert ws.printing.printers() == []
    assert [j.printer for j in ws.printing.jobs()] == [f"热敏 (已删除 #{info.id - 1})"]
    ws.printing.add_printer("热敏", "tcp://127.0.0.1:9100", "tspl")  # the name is free again
    assert [p.name for p in ws.printing.printers()] == ["热敏"]


def test_a_typed_address_becomes_a_raw_tcp_uri() -> None:
    assert typed_uri("192.168.1.50") == "tcp://192.168.1.50:9100"
    assert typed_uri(" 192.168.1.50:6101 ") == "tcp://192.168.1.50:6101"
    assert typed_uri("printer-1.local") == "tcp://printer-1.local:9100"
    assert typed_uri("[fe80::1]:9100") == "tcp://[fe80::1]:9100"
    assert typed_uri("fe80::1") == "tcp://[fe80::1]:9100"
    assert typed_uri("serial:///dev/ttyUSB0?baud=9600") == "serial:///dev/ttyUSB0?baud=9600"
    for bad in ("", "192.168.1.50:x", "192.168.1.50:70000", "a b", "1.2.3"):
        assert typed_uri(bad) is None, bad


def test_devices_found_on_this_pc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspace: Any) -> None:
    (tmp_path / "lp0").touch()
    (tmp_path / "lp1").touch()
    assert [d.uri for d in usb_printers(str(tmp_path / "lp*"))] == [
        f"usblp://{tmp_path}/lp0",
        f"usblp://{tmp_path}/lp1",
    ]
    assert all(d.uri.startswith("serial:///") and d.uri.endswith("?baud=9600") for d in serial_ports())
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "lpstat").write_text("#!/bin/sh\necho Zebra_GK888t\necho Office_A4\n")
    (fake / "lpstat").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    found = workspace.printing.devices()
    assert [d.uri for d in found if d.kind == "system"] == ["spool://Zebra_GK888t", "spool://Office_A4"]
