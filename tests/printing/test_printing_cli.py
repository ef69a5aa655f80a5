"""``printers add|list``, ``print``, ``reprint``, ``jobs``, ``confirm`` per the command-line contract, printing real
waybill labels (app/label_jobs.py) to the virtual printer over TCP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.store.engine import Store
from app.store.models import AuditEntry, Printer, PrintJob, Shipment
from printers.transports import open_transport
from printers.virtual.device import VirtualPrinter

from .support import count_by_state, make_parcels, tspl_payload


@pytest.fixture
def vprinter(tmp_path: Path) -> Iterator[VirtualPrinter]:
    printer = VirtualPrinter("tspl", out_dir=tmp_path / "png")
    yield printer
    printer.stop()


@pytest.fixture
def label_printer(kd: Any, vprinter: VirtualPrinter) -> str:
    host, port = vprinter.start_tcp()
    result = kd("printers", "add", "bench", "--uri", f"tcp://{host}:{port}", "--language", "tspl", "--json")
    assert result.status == 0, result.stderr
    return "bench"


def test_printers_add_and_list(kd: Any) -> None:
    r = kd("printers", "add", "a4", "--uri", "spool://Office", "--language", "pdf", "--role", "a4", "--json")
    assert r.status == 0 and r.json["printer"]["role"] == "a4" and r.json["printer"]["is_default"] is True
    r = kd("printers", "add", "zebra", "--uri", "tcp://127.0.0.1:9100", "--language", "zpl", "--dpi", "300")
    assert r.status == 0
    r = kd(
        "printers",
        "add",
        "tsc",
        "--uri",
        "serial:///dev/ttyUSB0?baud=9600",
        "--language",
        "tspl",
        "--default",
    )
    assert r.status == 0
    listed = {p["name"]: p for p in kd("printers", "list", "--json").json["printers"]}
    assert set(listed) == {"a4", "zebra", "tsc"}
    assert listed["tsc"]["is_default"] and not listed["zebra"]["is_default"] and listed["zebra"]["dpi"] == 300


@pytest.mark.parametrize(
    "args",
    [
        ["--uri", "tcp://127.0.0.1:9100", "--language", "epl"],
        ["--uri", "ftp://printer", "--language", "tspl"],
        ["--uri", "tcp://127.0.0.1:9100", "--language", "tspl", "--template", "90x90"],
        ["--uri", "tcp://127.0.0.1:9100", "--language", "tspl", "--encoding", "latin-9"],
    ],
)
def test_printers_add_rejects_bad_input_with_status_2(kd: Any, args: list[str]) -> None:
    r = kd("printers", "add", "x", *args, "--json")
    assert r.status == 2
    assert kd("printers", "list", "--json").json["printers"] == []


@pytest.mark.timeout(60)
def test_print_orders_then_rerun_prints_nothing_twice(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    parcels = make_parcels(store, 4)
    no_waybill = make_parcels(store, 1, start=100, issued=False)[0]
    refs = [p.platform_order_id for p in parcels] + [str(no_waybill.order_id)]

    r = kd("print", "--printer", label_printer, *refs, "--json")

    assert r.status == 0, r.stderr
    body = r.json
    assert (body["printed"], body["skipped"], body["failed"]) == (4, 1, 0)
    skipped = [o for o in body["results"] if o["status"] == "skipped"]
    assert skipped[0]["order"] == no_waybill.platform_order_id and "waybill" in skipped[0]["reason"]
    assert vprinter.wait_for_labels(4, 5) and len(vprinter.completed) == 4
    texts = [label.text for label in vprinter.completed]
    for parcel, text in zip(parcels, texts, strict=True):
        assert parcel.waybill_no in text and "张三" in text

    again = kd("print", "--printer", label_printer, *refs[:2], "--json")
    assert again.status == 0
    assert (again.json["printed"], again.json["skipped"]) == (0, 2)
    assert "already printed" in again.json["results"][0]["reason"]
    assert len(vprinter.completed) == 4
    with store.session() as session:
        counts = [s.print_count for s in session.scalars(select(Shipment).order_by(Shipment.id))]
    assert counts == [1, 1, 1, 1, 0]


@pytest.mark.timeout(60)
def test_printed_waybill_png_decodes_to_its_number(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    parcel = make_parcels(store, 1)[0]
    assert kd("print", "--printer", label_printer, parcel.platform_order_id, "--json").json["printed"] == 1
    png = vprinter.completed[0].png
    assert png is not None
    decoded = {r.text for r in zxingcpp.read_barcodes(Image.open(png))}
    assert parcel.waybill_no in decoded


@pytest.mark.timeout(60)
def test_multi_parcel_shipment_gets_one_label_per_parcel_with_child_numbers(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    parcel = make_parcels(store, 1, parcel_count=3, child_waybills=("C0001", "C0002"))[0]
    r = kd("print", "--printer", label_printer, parcel.platform_order_id, "--json")
    assert r.json["printed"] == 3
    texts = [label.text for label in vprinter.completed]
    assert all(parcel.waybill_no in t for t in texts)
    assert ["第1/3件" in texts[0], "C0001" in texts[1], "C0002" in texts[2]] == [True, True, True]


@pytest.mark.timeout(60)
def test_all_unprinted_prints_each_unprinted_waybill(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    first = make_parcels(store, 3)
    assert kd("print", "--printer", label_printer, first[0].platform_order_id, "--json").json["printed"] == 1
    make_parcels(store, 2, start=50, issued=False)
    r = kd("print", "--printer", label_printer, "--all-unprinted", "--json")
    assert r.status == 0 and (r.json["printed"], r.json["skipped"], r.json["failed"]) == (2, 0, 0)
    assert len(vprinter.completed) == 3
    r = kd("print", "--printer", label_printer, "--all-unprinted", "--json")
    assert (r.json["printed"], r.json["skipped"]) == (0, 0)


@pytest.mark.timeout(60)
def test_print_times_out_while_paper_out_and_rerun_finishes(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    parcels = make_parcels(store, 3)
    vprinter.paper_out_after(0, None)  # out of paper until reloaded: the next label is held
    with store.session() as session:
        uri = session.scalars(select(Printer.uri)).one()
    with open_transport(uri, timeout=2) as direct:
        direct.write(tspl_payload(99999))
        for _ in range(100):
            direct.write(b"\x1b!?")
            if direct.read(1, 2) == b"\x04":  # paper out
                break
            time.sleep(0.02)
    assert "paper_out" in vprinter.status_flags()
    refs = [p.platform_order_id for p in parcels]

    r = kd("print", "--printer", label_printer, *refs, "--timeout", "1", "--json")

    assert r.status == 1
    assert (r.json["printed"], r.json["queued"]) == (0, 3)
    assert "paper" in r.stderr.lower() and "缺纸" in r.stderr
    assert count_by_state(store) == {"queued": 3}
    assert vprinter.jobs_received == 1

    vprinter.reload_paper()
    again = kd("print", "--printer", label_printer, *refs, "--json")
    assert again.status == 0 and again.json["printed"] == 3
    assert vprinter.wait_for_labels(4, 5)
    assert count_by_state(store) == {"done": 3}
    with store.session() as session:
        assert [j.attempts for j in session.scalars(select(PrintJob).order_by(PrintJob.id))] == [1, 1, 1]


@pytest.mark.timeout(60)
def test_reprint_needs_a_reason_and_is_audited(
    kd: Any, store: Store, label_printer: str, vprinter: VirtualPrinter
) -> None:
    parcel = make_parcels(store, 1)[0]
    assert kd("reprint", parcel.platform_order_id, "--reason", "x", "--json").status == 2  # never printed
    assert kd("print", "--printer", label_printer, parcel.platform_order_id, "--json").json["printed"] == 1
    assert kd("reprint", parcel.platform_order_id, "--json").status == 2  # --reason is required
    assert kd("reprint", parcel.platform_order_id, "--reason", "  ", "--json").status == 2

    r = kd("reprint", parcel.platform_order_id, "--reason", "标签被撕坏", "--json")

    assert r.status == 0 and r.json["printed"] == 1
    assert vprinter.wait_for_labels(2, 5)
    first, second = vprinter.completed
    assert first.data == second.data  # exactly the same bytes
    with store.session() as session:
        jobs = list(session.scalars(select(PrintJob).order_by(PrintJob.id)))
        assert jobs[1].reprint_of_id == jobs[0].id and jobs[1].reason == "标签被撕坏"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "print.reprint")).one()
        assert audit.entity_id == jobs[1].id and audit.detail["reason"] == "标签被撕坏"
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None and shipment.print_count == 2
    history = kd("jobs", "--json").json["jobs"]
    assert [j["state"] for j in history] == ["done", "done"]
    assert history[0]["reprint_of_id"] == history[1]["id"]


def test_confirm_marks_unconfirmed_jobs_done(kd: Any, store: Store, label_printer: str) -> None:
    parcel = make_parcels(store, 1)[0]
    with store.session() as session:
        printer = session.scalars(select(Printer)).one()
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None
        session.add(
            PrintJob(
                printer_id=printer.id,
                shipment_id=shipment.id,
                waybill_id=shipment.active_waybill_id,
                state="unconfirmed",
                payload=b"x",
            )
        )
    r = kd("print", "--printer", label_printer, parcel.platform_order_id, "--json")
    assert r.json["skipped"] == 1 and "unconfirmed" in r.json["results"][0]["reason"]
    r = kd("confirm", "--printer", label_printer, "--json")
    assert r.status == 0 and r.json["confirmed"] == 1
    with store.session() as session:
        shipment = session.get(Shipment, parcel.shipment_id)
        assert shipment is not None and shipment.printed_at is not None
