"""app/label_jobs.py: a shipment becomes one label per parcel, rendered in each printer language; and the
``virtual-printer`` command."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageChops

from app.labels.jobs import LabelDataError, RenderOptions, render_parcels, waybill_data
from app.store.engine import Store
from app.store.models import Shipment
from tests.printers_lang.reading import ink_agreement, read_job, read_pdf

from .support import make_parcels

ROOT = Path(__file__).resolve().parents[2]


def test_waybill_data_carries_receiver_sender_and_sort_codes(store: Store) -> None:
    parcel = make_parcels(store, 1)[0]
    with store.session() as session:
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None
        (data,) = waybill_data(session, shipment)
    assert data.waybill_no == parcel.waybill_no and data.carrier_name == "中通快递"
    assert data.receiver_address == "广东省深圳市南山区科技园路 1 号"
    assert (data.sender_name, data.sender_phone) == ("李四", "13900001111")
    assert (data.sort_code, data.package_name, data.order_no) == (
        "深圳南山",
        "深圳转运中心",
        parcel.platform_order_id,
    )


def test_child_numbers_go_to_parcels_two_onwards(store: Store) -> None:
    parcel = make_parcels(store, 1, parcel_count=3, child_waybills=("C1", "C2"))[0]
    with store.session() as session:
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None
        data = waybill_data(session, shipment)
    assert [(d.parcel_index, d.parcel_count, d.child_waybill_no) for d in data] == [
        (1, 3, None),
        (2, 3, "C1"),
        (3, 3, "C2"),
    ]


def test_no_issued_waybill_is_a_label_data_error(store: Store) -> None:
    parcel = make_parcels(store, 1, issued=False)[0]
    with store.session() as session:
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None
        with pytest.raises(LabelDataError, match="还没有运单号"):
            waybill_data(session, shipment)


@pytest.mark.parametrize(
    ("language", "head", "tail"),
    [
        ("tspl", b"SIZE 100 mm,180 mm\r\n", b"PRINT 1,1\r\n"),
        ("zpl", b"^XA", b"^XZ\n"),
        ("escpos", b"\x1b@", b"\x1bd\x03"),
        ("pdf", b"%PDF", b"%%EOF\n"),
    ],
)
def test_each_language_renders_one_job_per_parcel(
    store: Store, language: str, head: bytes, tail: bytes
) -> None:
    """Each parcel's job, read back as the printer prints it, carries the waybill's barcode and the parcel's
    own text, and looks like the label's PDF page (a blank or half-drawn label fails)."""
    parcel = make_parcels(store, 1, parcel_count=2)[0]
    with store.session() as session:
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None
        jobs = render_parcels(session, shipment, RenderOptions(language=language))
        pages = [read_pdf(job) for _, job in render_parcels(session, shipment, RenderOptions(language="pdf"))]
    assert [index for index, _ in jobs] == [1, 2]
    printed = []
    for (index, payload), page in zip(jobs, pages, strict=True):
        assert payload.startswith(head) and payload.endswith(tail)
        label = read_job(language, payload)
        assert ("Code128", parcel.waybill_no) in label.barcodes, (
            f"parcel {index}: no readable waybill barcode"
        )
        # a raster carries no text: its likeness to the PDF page below shows that the text is there
        text = label.text.replace("\r", "").replace("\n", " ")
        for expected in (f"第{index}/2件", "张三", "深圳南山", "李四", parcel.platform_order_id):
            assert language == "escpos" or expected in text, f"parcel {index}: no {expected!r} in {text!r}"
        extra, covered = ink_agreement(label.image, page.image)
        assert extra > 0.75 and covered > 0.75, (
            f"parcel {index} does not look like its PDF page: {extra:.2f} {covered:.2f}"
        )
        printed.append(label.image)
    assert ImageChops.difference(printed[0], printed[1]).getbbox() is not None, "both parcels printed alike"


@pytest.mark.timeout(60)
def test_virtual_printer_command_listens_and_stops_on_sigterm() -> None:
    argv = [sys.executable, "main.py", "virtual-printer", "--port", "0", "--language", "zpl", "--speed", "50"]
    proc = subprocess.Popen(argv, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
        assert re.search(r"listening on 127\.0\.0\.1:\d+", line), line
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
