"""Helpers for the print queue tests: orders with issued waybills written straight into the store, small
hand-written TSPL jobs with a unique marker, and counting what the virtual printer printed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.domain import JobState
from app.store.engine import Store
from app.store.models import CarrierAccount, Order, Printer, PrintJob, Sender, Shipment, Shop, Waybill
from printers.virtual.device import CompletedLabel, VirtualPrinter

ROOT = Path(__file__).resolve().parents[2]

MARKER = re.compile(r"KD-(\d{5})")
WAYBILL = re.compile(r"7\d{11}")  # the numbers make_parcels gives


@dataclass(frozen=True)
class Parcel:
    order_id: int
    platform_order_id: str
    shipment_id: int
    waybill_no: str


def tspl_payload(marker: int) -> bytes:
    """A small TSPL label (speed 0 prints it at once) carrying ``KD-nnnnn`` as text and as a barcode."""
    code = f"KD-{marker:05d}"
    lines = [
        "SIZE 40 mm,20 mm",
        "GAP 2 mm,0 mm",
        "CLS",
        f'TEXT 10,10,"3",0,1,1,"{code}"',
        f'BARCODE 10,40,"128",40,0,0,2,2,"{code}"',
        "PRINT 1,1",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def connect(printer: VirtualPrinter, link: str) -> str:
    """The printer's URI over ``tcp`` or a ``pty`` opened as a serial port."""
    if link == "tcp":
        host, port = printer.start_tcp()
        return f"tcp://{host}:{port}"
    return f"serial://{printer.attach_pty()}?baud=115200"


def start_print_process(
    kd: Any, db_url: str, data_dir: Path, printer: VirtualPrinter
) -> subprocess.Popen[bytes]:
    """Add ``printer`` (over TCP) as ``bench`` and start ``python main.py … print --all-unprinted`` on it."""
    host, port = printer.start_tcp()
    assert kd("printers", "add", "bench", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    argv = [sys.executable, "main.py", "--db", db_url, "--data-dir", str(data_dir)]
    argv += ["print", "--printer", "bench", "--all-unprinted", "--json"]
    return subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def printed_markers(labels: list[CompletedLabel]) -> Counter[int]:
    """How many times each marker came out of the printer."""
    counts: Counter[int] = Counter()
    for label in labels:
        found = set(MARKER.findall(label.text))
        assert len(found) == 1, f"label {label.index} carries {found or 'no marker'}"
        counts[int(found.pop())] += 1
    return counts


def add_printer_row(store: Store, uri: str, language: str = "tspl", name: str = "label1") -> int:
    with store.session() as session:
        printer = Printer(name=name, uri=uri, language=language, is_default=True)
        session.add(printer)
        session.flush()
        return printer.id


def make_parcels(
    store: Store,
    count: int,
    *,
    start: int = 1,
    issued: bool = True,
    parcel_count: int = 1,
    child_waybills: tuple[str, ...] = (),
) -> list[Parcel]:
    """``count`` paid orders, each in its own shipment with (``issued``) an issued waybill in force."""
    out: list[Parcel] = []
    with store.session() as session:
        shop = session.scalar(select(Shop).where(Shop.name == "testshop"))
        if shop is None:
            shop = Shop(name="testshop", platform="taobao")
            session.add(shop)
            session.add(
                Sender(
                    profile="main",
                    name="李四",
                    mobile="13900001111",
                    province="浙江省",
                    city="杭州市",
                    district="余杭区",
                    address="文一西路 1 号",
                    is_default=True,
                )
            )
            session.add(CarrierAccount(name="zto", kind="sandbox", shipper_code="ZTO"))
            session.flush()
        account = session.scalar(select(CarrierAccount).where(CarrierAccount.name == "zto"))
        assert account is not None
        for n in range(start, start + count):
            order = Order(
                shop_id=shop.id,
                platform_order_id=f"T{n:08d}",
                status="paid",
                receiver_name="张三",
                receiver_phone="13812345678",
                province="广东省",
                city="深圳市",
                district="南山区",
                address=f"科技园路 {n} 号",
                goods_summary="T恤 白色 L ×1",
            )
            shipment = Shipment(shop_id=shop.id, orders=[order], parcel_count=parcel_count)
            session.add(shipment)
            session.flush()
            number = f"7{n:011d}"
            if issued:
                waybill = Waybill(
                    shipment_id=shipment.id,
                    carrier_account_id=account.id,
                    order_code=f"KD{shipment.id:010d}",
                    state="issued",
                    shipper_code="ZTO",
                    waybill_no=number,
                    child_waybill_nos=list(child_waybills),
                    mark_destination="深圳南山",
                    sorting_code="300-A12 05",
                    package_name="深圳转运中心",
                )
                session.add(waybill)
                session.flush()
                shipment.active_waybill_id = waybill.id
            out.append(Parcel(order.id, order.platform_order_id, shipment.id, number if issued else ""))
    return out


def zpl_payload(marker: int) -> bytes:
    """A small ZPL format carrying ``KD-nnnnn``."""
    return f"^XA^PW320^LL160^FO10,10^A0N,30,30^FDKD-{marker:05d}^FS^PQ1^XZ\n".encode()


def queue_marked_jobs(
    store: Store, printer_id: int, parcels: list[Parcel], payload: Callable[[int], bytes] = tspl_payload
) -> list[int]:
    """One queued job per parcel with a hand-made payload carrying the parcel's position as its marker."""
    ids: list[int] = []
    with store.session() as session:
        for i, parcel in enumerate(parcels, start=1):
            job = PrintJob(
                printer_id=printer_id,
                shipment_id=parcel.shipment_id,
                kind="label",
                state=JobState.QUEUED,
                payload=payload(i),
            )
            session.add(job)
            session.flush()
            ids.append(job.id)
    return ids


def states(store: Store) -> dict[int, str]:
    with store.session() as session:
        return {i: s for i, s in session.execute(select(PrintJob.id, PrintJob.state))}


def count_by_state(store: Store) -> dict[str, int]:
    with store.session() as session:
        rows = session.execute(select(PrintJob.state, func.count()).group_by(PrintJob.state))
        return {state: n for state, n in rows}


def job(store: Store, job_id: int) -> dict[str, Any]:
    with store.session() as session:
        row = session.get(PrintJob, job_id)
        assert row is not None
        return {c.name: getattr(row, c.name) for c in PrintJob.__table__.columns}


def printed_waybills(labels: list[CompletedLabel]) -> list[str]:
    """The waybill number on each real label that came out, in the order they came out."""
    out: list[str] = []
    for label in labels:
        found = set(WAYBILL.findall(label.text))
        assert len(found) == 1, found
        out.append(found.pop())
    return out


def waybill_counts(labels: list[CompletedLabel]) -> Counter[str]:
    return Counter(printed_waybills(labels))


def job_waybills(store: Store) -> dict[int, tuple[str, str]]:
    """job id -> (state, waybill number)"""
    with store.session() as session:
        rows = session.execute(
            select(PrintJob.id, PrintJob.state, Waybill.waybill_no).join(
                Waybill, PrintJob.waybill_id == Waybill.id
            )
        )
        return {job_id: (state, number) for job_id, state, number in rows}
