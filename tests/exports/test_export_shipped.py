"""``kuaidan export-shipped``: the bulk-ship upload file of a Chinese shop, each printed order once."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen
from tests.waybills.support import workspace as make_workspace


def _ids(kd: Any, shop: str | None = None) -> list[str]:
    rows = kd("orders", "--json").json["orders"]
    return sorted(r["platform_order_id"] for r in rows if shop is None or r["shop"] == shop)


def _waybills(kd: Any) -> dict[str, str]:
    return {r["platform_order_id"]: r["waybill"] for r in kd("orders", "--json").json["orders"]}


def _read(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def _export(kd: Any, shop: str, out: Path, *more: str) -> dict[str, Any]:
    result = kd("export-shipped", "--shop", shop, "--out", str(out), *more, "--json")
    assert result.status == 0, result.stdout + result.stderr
    return dict(result.json)


@pytest.fixture
def printer(kd: Any, vp: Any) -> str:
    host, port = vp.start_tcp()
    assert kd("printers", "add", "bench", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    return "bench"


@pytest.mark.timeout(120)
def test_printed_orders_once_then_only_new_ones_then_all_again(kd: Any, tmp_path: Path, printer: str) -> None:
    make_workspace(kd, tmp_path, n=4)
    a, b, c, d = _ids(kd)
    assert kd("waybills", "issue", "--carrier", "sf", a, b, c, "--json").json["issued"] == 3
    assert kd("print", "--printer", printer, a, b, "--json").json["printed"] == 2
    numbers = _waybills(kd)

    first = _export(kd, "淘宝店", tmp_path / "ship1.csv")
    assert (first["exported"], first["not_printed"], first["encoding"]) == (
        2,
        1,
        "gbk",
    )  # c: label not printed
    rows = _read(tmp_path / "ship1.csv", "gbk")  # Taobao reads GBK
    assert rows == [
        ["订单编号", "物流公司", "运单号"],
        [a, "顺丰速运", numbers[a]],
        [b, "顺丰速运", numbers[b]],
    ]
    assert (tmp_path / "ship1.csv").read_bytes().count(b"\r\n") == 3

    again = _export(kd, "淘宝店", tmp_path / "ship2.csv")  # nothing new: no file
    assert (again["exported"], again["already_exported"], again["file"]) == (0, 2, None)
    assert not (tmp_path / "ship2.csv").exists()

    # a re-import of the shop's export file keeps the marks
    assert kd("import", str(tmp_path / "tb.csv"), "--shop", "淘宝店").status == 0
    assert kd("print", "--printer", printer, c, "--json").json["printed"] == 1
    third = _export(kd, "淘宝店", tmp_path / "ship3.csv")
    assert third["orders"] == [c]
    assert [r[0] for r in _read(tmp_path / "ship3.csv", "gbk")[1:]] == [c]

    everything = _export(kd, "淘宝店", tmp_path / "all.csv", "--all")
    assert sorted(everything["orders"]) == [a, b, c] and d not in everything["orders"]


@pytest.mark.timeout(120)
def test_a_reissued_waybill_is_exported_again_and_a_held_order_is_not(
    kd: Any, workspace: Any, tmp_path: Path, printer: str
) -> None:
    make_workspace(kd, tmp_path, n=2)
    a, b = _ids(kd)
    assert kd("waybills", "issue", "--carrier", "sf", a, b, "--json").json["issued"] == 2
    assert kd("print", "--printer", printer, a, b, "--json").json["printed"] == 2
    assert _export(kd, "淘宝店", tmp_path / "1.csv")["exported"] == 2

    old = _waybills(kd)[a]
    assert kd("waybills", "cancel", old, "--json").status == 0
    assert kd("waybills", "issue", "--carrier", "sf", a, "--json").json["issued"] == 1
    new = _waybills(kd)[a]
    assert new != old
    # the new waybill's label is not printed yet: nothing to tell the platform until it is
    assert _export(kd, "淘宝店", tmp_path / "2a.csv")["exported"] == 0
    assert kd("print", "--printer", printer, a, "--json").json["printed"] == 1
    body = _export(kd, "淘宝店", tmp_path / "2.csv")
    assert body["orders"] == [a]  # the platform must learn the new number
    assert _read(tmp_path / "2.csv", "gbk")[1] == [a, "顺丰速运", new]

    order_b = next(r["id"] for r in kd("orders", "--json").json["orders"] if r["platform_order_id"] == b)
    workspace.orders.hold([order_b], "买家要求暂缓")
    held = _export(kd, "淘宝店", tmp_path / "3.csv", "--all")
    assert held["orders"] == [a] and held["held"] == 1


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("platform", "maker", "header", "sf", "encoding"),
    [("pdd", gen.pdd_csv, ["订单号", "快递公司", "快递单号"], "顺丰快递", "utf-8-sig"),
     ("douyin", gen.douyin_csv, ["订单号", "快递公司", "快递单号"], "顺丰速运", "utf-8-sig"),
     ("jd", gen.jd_csv, ["订单号", "物流公司", "运单号"], "顺丰快递", "gbk")],
)  # fmt: skip
def test_each_platform_has_its_columns_spelling_and_encoding(
    kd: Any,
    tmp_path: Path,
    printer: str,
    platform: str,
    maker: Any,
    header: list[str],
    sf: str,
    encoding: str,
) -> None:
    make_workspace(kd, tmp_path, n=1)
    assert kd("shops", "add", "店", "--platform", platform).status == 0
    assert kd("import", str(maker(tmp_path / "in.csv")), "--shop", "店").status == 0
    first, second = _ids(kd, "店")[:2]
    assert kd("waybills", "issue", "--carrier", "sf", first, second, "--json").json["issued"] == 2
    assert kd("print", "--printer", printer, first, second, "--json").json["printed"] == 2

    body = _export(kd, "店", tmp_path / "ship.csv")
    assert (body["exported"], body["encoding"]) == (2, encoding)
    data = (tmp_path / "ship.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    rows = _read(tmp_path / "ship.csv", encoding)
    assert rows[0] == header
    assert {r[0] for r in rows[1:]} == {first, second} and {r[1] for r in rows[1:]} == {sf}
    # the other shop's orders are its own
    assert _export(kd, "淘宝店", tmp_path / "tb-ship.csv")["exported"] == 0


def test_a_shop_without_a_bulk_ship_file_is_told_so(kd: Any, tmp_path: Path) -> None:
    assert kd("shops", "add", "Shop", "--platform", "shopify").status == 0
    result = kd("export-shipped", "--shop", "Shop", "--out", str(tmp_path / "x.csv"), "--json")
    assert result.status == 2
    assert "Taobao" in result.stdout + result.stderr
    assert kd("export-shipped", "--shop", "nope", "--out", str(tmp_path / "x.csv")).status == 2


def test_carrier_names_follow_each_platform() -> None:
    from app.domain import Platform
    from app.orders.ship_formats import FORMATS

    assert FORMATS[Platform.TMALL] is FORMATS[Platform.TAOBAO]
    assert FORMATS[Platform.PDD].carrier_name("sf") == "顺丰快递"
    assert FORMATS[Platform.TAOBAO].carrier_name("SF") == "顺丰速运"
    assert FORMATS[Platform.JD].carrier_name("XYZ") == "XYZ"  # unknown: the code itself
    assert FORMATS[Platform.DOUYIN].carrier_name("ZTO", {"ZTO": "中通"}) == "中通"  # a shop's own spelling
