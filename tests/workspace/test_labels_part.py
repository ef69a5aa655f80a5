"""The workspace's labels part: render to a file, packing and pick lists, the preview's data; label data read
set-wise (a bounded number of queries for any number of labels); outputs that cannot be written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.errors import NotFound, OutputError, UsageError
from app.labels.data import CHUNK, LabelDataError, parcels_data
from app.store.engine import Store
from app.store.models import Order, OrderLine, Sender, Shipment, Shop, Waybill
from app.workspace import Workspace
from app.workspace.core import Cancelled, CancelToken
from tests.printing.support import make_parcels


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store's engine runs inside the block."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(str(path)))


# ------------------------------------------------------------------------------------------------- label data


def test_a_thousand_labels_are_read_with_a_bounded_number_of_queries(
    store: Store, workspace: Workspace, tmp_path: Path
) -> None:
    parcels = make_parcels(store, 1000)
    out = tmp_path / "labels.zpl"
    with counted(store) as statements:
        report = workspace.labels.render(None, "zpl", out)
    assert report.labels == 1000 and out.read_bytes().count(b"^XA") == 1000
    assert len(statements) < 20, statements  # one per shipment would be 1,000+ (it was ~3,000)
    # the named orders: resolved and read set-wise too
    refs = [p.platform_order_id for p in parcels[:600]] + [str(p.order_id) for p in parcels[600:]]
    with counted(store) as statements:
        report = workspace.labels.render(refs, "zpl", out)
    assert report.labels == 1000 and not report.skipped
    assert len(statements) < 25, statements
    data = out.read_bytes()
    assert data.index(parcels[0].waybill_no.encode()) < data.index(parcels[999].waybill_no.encode())


def test_merged_parcel_reads_goods_from_lines_its_own_sender_and_child_numbers(store: Store) -> None:
    with store.session() as s:
        make_parcels(store, 1)  # the shop, the default sender, the account
        first, second = (
            Order(shop_id=1, platform_order_id=f"M{i}", status="paid", receiver_name=f"王{i}",
                  receiver_phone="", receiver_tel="0571-8888000" + str(i), province="浙江省", city="杭州市",
                  district="西湖区", address="文三路 9 号", buyer_message="轻放" if i == 1 else "",
                  seller_remark="送礼" if i == 2 else "")
            for i in (1, 2)
        )  # fmt: skip
        first.lines = [OrderLine(title="马克杯", spec="白", quantity=2), OrderLine(title="杯垫", quantity=1)]
        second.lines = [OrderLine(title="茶叶", quantity=3)]
        own = Sender(profile="branch", name="分仓", mobile="", tel="020-1234", province="广东省", city="广州市",
                     address="天河路 1 号")  # fmt: skip
        s.add_all([first, second, own])
        s.flush()
        shipment = Shipment(shop_id=1, orders=[second, first], parcel_count=3, sender_id=own.id)
        s.add(shipment)
        s.flush()
        waybill = Waybill(shipment_id=shipment.id, carrier_account_id=1, order_code="KDM", state="issued",
                          shipper_code="XYZ", waybill_no="M100", child_waybill_nos=["C1", "C2"])  # fmt: skip
        s.add(waybill)
        s.flush()
        shipment.active_waybill_id = waybill.id
        shipment_id = shipment.id
    with store.session() as s:
        data = parcels_data(s, [shipment_id])[shipment_id]
    assert [(d.parcel_index, d.parcel_count, d.child_waybill_no) for d in data] == [
        (1, 3, None), (2, 3, "C1"), (3, 3, "C2")
    ]  # fmt: skip
    label = data[0]
    assert label.goods == "马克杯 白×2；杯垫×1；茶叶×3"  # no goods summary: the lines, orders by id
    assert label.order_no == "M1 M2" and label.remark == "轻放；送礼"
    assert (label.receiver_name, label.receiver_phone) == ("王1", "0571-88880001")
    assert label.receiver_address == "浙江省杭州市西湖区文三路 9 号"
    assert (label.sender_name, label.sender_phone, label.sender_address) == (
        "分仓",
        "020-1234",
        "广东省广州市天河路 1 号",
    )
    assert label.carrier_name == "zto"  # an unknown shipper code: the account's name


def test_label_data_errors_name_the_first_bad_shipment(store: Store) -> None:
    good = make_parcels(store, 1)[0]
    bad = make_parcels(store, 1, start=2, issued=False)[0]
    with store.session() as s, pytest.raises(LabelDataError, match="还没有运单号"):
        parcels_data(s, [good.shipment_id, bad.shipment_id])
    with store.session() as s:
        s.execute(Sender.__table__.delete())
        with pytest.raises(UsageError, match="没有发件人信息"):
            parcels_data(s, [good.shipment_id])
        assert parcels_data(s, []) == {}


def test_more_shipments_than_one_chunk(store: Store) -> None:
    parcels = make_parcels(store, CHUNK + 3)
    with store.session() as s:
        data = parcels_data(s, [p.shipment_id for p in reversed(parcels)])
    assert list(data) == [p.shipment_id for p in reversed(parcels)]
    assert [d[0].waybill_no for d in data.values()] == [p.waybill_no for p in reversed(parcels)]


# ------------------------------------------------------------------------------------------------- render


def test_render_pdf_and_named_orders_with_skips(store: Store, workspace: Workspace, tmp_path: Path) -> None:
    issued = make_parcels(store, 3)
    waiting = make_parcels(store, 1, start=10, issued=False)[0]
    out = tmp_path / "labels.pdf"
    report = workspace.labels.render(None, "pdf", out)
    assert (report.labels, report.bytes, report.out) == (3, out.stat().st_size, str(out))
    assert _pdf_pages(out) == 3
    report = workspace.labels.render([issued[1].platform_order_id, waiting.platform_order_id], "pdf", out)
    assert report.labels == 1 and _pdf_pages(out) == 1
    assert report.skipped == ({"order": waiting.platform_order_id, "reason": "还没有运单 / no waybill yet"},)
    with pytest.raises(NotFound, match="找不到订单 nope"):
        workspace.labels.render(["nope"], "pdf", out)


def test_render_reports_progress_and_stops_when_cancelled(
    store: Store, workspace: Workspace, tmp_path: Path
) -> None:
    make_parcels(store, 3)
    seen: list[tuple[int, int]] = []
    workspace.labels.render(None, "tspl", tmp_path / "a.tspl", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        workspace.labels.render(None, "tspl", tmp_path / "b.tspl", cancel=token)


@pytest.mark.parametrize("fmt", ["pdf", "tspl", "zpl", "escpos"])
def test_an_output_that_cannot_be_written_is_an_output_error(
    store: Store, workspace: Workspace, tmp_path: Path, fmt: str
) -> None:
    make_parcels(store, 1)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OutputError, match="是文件夹") as info:
        workspace.labels.render(None, fmt, folder)
    assert info.value.exit_status == 2
    plain = tmp_path / "plain.txt"
    plain.write_text("not a folder")
    with pytest.raises(OutputError, match="无法写入") as info:
        workspace.labels.render(None, fmt, plain / f"labels.{fmt}")  # its folder is a regular file
    assert info.value.exit_status == 2 and "plain.txt" in info.value.message_en
    with pytest.raises(UsageError, match="文件夹不存在"):
        workspace.labels.render(None, fmt, tmp_path / "missing" / f"labels.{fmt}")


def test_png_goes_to_a_folder(store: Store, workspace: Workspace, tmp_path: Path) -> None:
    parcels = make_parcels(store, 2)
    report = workspace.labels.render(None, "png", tmp_path / "png")
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == sorted(
        f"{p.waybill_no}.png" for p in parcels
    )
    assert report.bytes == sum(p.stat().st_size for p in (tmp_path / "png").iterdir())
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    with pytest.raises(OutputError):
        workspace.labels.render(None, "png", plain)
    with pytest.raises(OutputError):
        workspace.labels.render(None, "png", plain / "png")


def test_bad_format_template_or_dpi_is_a_usage_error(workspace: Workspace, tmp_path: Path) -> None:
    for kwargs in ({"fmt": "bmp"}, {"fmt": "pdf", "template": "1x1"}, {"fmt": "pdf", "dpi": 600}):
        with pytest.raises(UsageError):
            workspace.labels.render(None, out=tmp_path / "x", **kwargs)


# ------------------------------------------------------------------------------------------------- lists, preview


def test_packing_and_pick_lists(store: Store, workspace: Workspace, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    parcels = make_parcels(store, 3)
    make_parcels(store, 1, start=10, issued=False)
    out = tmp_path / "packing.pdf"
    with counted(store) as statements:
        report = workspace.labels.packing_list(None, out)
    assert (report.orders, report.out) == (3, str(out)) and len(statements) < 10
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(str(out)))
    assert "发货单" in text and all(p.waybill_no in text for p in parcels)
    pick = workspace.labels.packing_list([parcels[0].platform_order_id], tmp_path / "pick.pdf", pick=True)
    assert pick.orders == 1 and (tmp_path / "pick.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(OutputError):
        workspace.labels.packing_list(None, tmp_path)


def test_nothing_to_list_writes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.labels.packing_list(None, tmp_path / "none.pdf")
    assert report.orders == 0 and not (tmp_path / "none.pdf").exists()


def test_preview_data_and_png(store: Store, workspace: Workspace) -> None:
    from PIL import Image

    (parcel,) = make_parcels(store, 1, parcel_count=2, child_waybills=("C1",))
    waiting = make_parcels(store, 1, start=5, issued=False)[0]
    labels = workspace.labels.order_labels(parcel.order_id)
    assert labels.order_ref == parcel.platform_order_id
    assert [(d.waybill_no, d.parcel_index, d.child_waybill_no) for d in labels.parcels] == [
        (parcel.waybill_no, 1, None), (parcel.waybill_no, 2, "C1")
    ]  # fmt: skip
    assert workspace.labels.order_labels(waiting.platform_order_id).parcels == ()
    with pytest.raises(NotFound):
        workspace.labels.order_labels("no-such-order")
    for template, ratio in (("100x180", 1.8), ("76x130", 130 / 76)):
        png = workspace.labels.preview_png(labels.parcels[0], template, mask_phone=True)
        width, height = Image.open(io.BytesIO(png)).size
        assert abs(height / width - ratio) < 0.02


def test_resolving_many_orders_matches_one_at_a_time(store: Store) -> None:
    from app.orders.shipments import resolve_order, resolve_orders

    parcels = make_parcels(store, 3)
    with store.session() as s:
        other = Shop(name="other", platform="pdd")
        s.add(other)
        s.flush()
        s.add(
            Order(shop_id=other.id, platform_order_id="T00000002", status="paid")
        )  # same number, another shop
    refs: list[str | int] = [
        parcels[0].order_id,
        f" {parcels[2].platform_order_id} ",
        str(parcels[1].order_id),
    ]
    with store.session() as s:
        assert resolve_orders(s, refs) == [resolve_order(s, r).id for r in refs]
        for bad, error in (("T00000002", UsageError), ("missing", NotFound), ("99999", NotFound)):
            with pytest.raises(error) as many:
                resolve_orders(s, [parcels[0].platform_order_id, bad])
            with pytest.raises(error) as one:
                resolve_order(s, bad)
            assert str(many.value) == str(one.value)
