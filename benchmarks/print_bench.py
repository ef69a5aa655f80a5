"""Print queue benchmark: prints a table (what | measured | budget/limit | ok).

Run: ``.venv/bin/python benchmarks/print_bench.py [--labels 500] [--serial-labels 30]``.

1. ``--labels`` real 100x180 waybills (TSPL, GB18030) are queued (rendered and stored) and printed through the
   queue to a virtual printer at zero print time, which runs as its own process (``main.py virtual-printer``) so
   that its PNG rendering does not share our CPU. Reported: host CPU per label (this process: status queries,
   sends, three commits per label), wall time per label, and bytes per label.
2. ``--serial-labels`` through a relay that lets bytes through at 115200 baud 8N1 (11,520 bytes/s) in both
   directions, like a serial cable: labels per minute against the same labels streamed raw in the same run (the
   budget: ≥ 95 %, measured on the send loop). The queue keeps two labels in flight (app/printing/worker.py): the
   next label's body follows the previous label on the line and its print command goes once the printer reported
   ready, so the printer's own time per label overlaps the next label's bytes as in a raw stream. (It was about
   80 % when the loop waited for each label's "done" before sending the next one's first byte.)
3. ``--command-labels`` through the same relay by the whole ``kuaidan print --all-unprinted`` command, timed from
   process start (Python start-up, opening the store, rendering and queueing included): its rate against the raw
   stream, and the time from process start to the first byte on the line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import select as select_mod
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from app.printing.enqueue import enqueue_unprinted  # noqa: E402
from app.printing.worker import PrintWorker  # noqa: E402
from app.store.engine import Store, open_store  # noqa: E402
from app.store.models import CarrierAccount, Order, Printer, PrintJob, Sender, Shipment, Shop, Waybill  # noqa: E402
from benchmarks._table import print_table  # noqa: E402
from printers.status import query_status  # noqa: E402
from printers.transports import open_transport  # noqa: E402

BAUD_BYTES_PER_S = 115200 / 10  # 8N1: 10 bits on the wire per byte


def seed(store: Store, count: int) -> None:
    with store.session() as session:
        shop = Shop(name="bench", platform="taobao")
        account = CarrierAccount(name="yto", kind="sandbox", shipper_code="YTO")
        session.add_all([shop, account])
        session.add(
            Sender(
                profile="main",
                name="李四",
                mobile="13900001111",
                province="广东省",
                city="深圳市",
                district="南山区",
                address="科技园南区W1-A栋5楼",
                is_default=True,
            )
        )
        session.flush()
        for i in range(count):
            order = Order(
                shop_id=shop.id,
                platform_order_id=f"TB{i:012d}",
                status="paid",
                receiver_name="张三丰",
                receiver_phone=f"138{i:08d}",
                province="浙江省",
                city="杭州市",
                district="西湖区",
                address=f"文三路{i}号华星时代广场A座1203室",
                goods_summary="T恤 x2, 马克杯 x1",
            )
            shipment = Shipment(shop_id=shop.id, orders=[order])
            session.add(shipment)
            session.flush()
            waybill = Waybill(
                shipment_id=shipment.id,
                carrier_account_id=account.id,
                order_code=f"B{shipment.id:010d}",
                state="issued",
                shipper_code="YTO",
                waybill_no=f"YT75{i:011d}",
                mark_destination="浙江杭州转 300-A12",
                sorting_code="300-A12 05",
                package_name="杭州转运中心",
            )
            session.add(waybill)
            session.flush()
            shipment.active_waybill_id = waybill.id


def start_virtual_printer() -> tuple[subprocess.Popen[bytes], int]:
    argv = [sys.executable, "main.py", "virtual-printer", "--port", "0", "--language", "tspl"]
    proc = subprocess.Popen(argv, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    stderr = proc.stderr
    assert stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = stderr.readline().decode()
        m = re.search(r"listening on [\d.]+:(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in iter(stderr.readline, b"")], daemon=True).start()
            return proc, int(m.group(1))
    proc.kill()
    raise RuntimeError("the virtual printer did not start")


class SerialRelay:
    """A TCP relay that passes bytes at ``rate`` bytes/s each way (one connection at a time, like the printer)."""

    def __init__(self, target_port: int, rate: float) -> None:
        self.target_port, self.rate = target_port, rate
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.bytes_to_printer = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                ready, _, _ = select_mod.select([self.listener], [], [], 0.1)
            except (OSError, ValueError):
                return  # closed
            if ready:
                try:
                    client, _ = self.listener.accept()
                except OSError:
                    return
                printer = socket.create_connection(("127.0.0.1", self.target_port))
                threads = [
                    threading.Thread(target=self._pipe, args=(client, printer, True), daemon=True),
                    threading.Thread(target=self._pipe, args=(printer, client, False), daemon=True),
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()

    def _pipe(self, src: socket.socket, dst: socket.socket, outbound: bool) -> None:
        free_at = time.monotonic()
        try:
            while not self.stop.is_set():
                ready, _, _ = select_mod.select([src], [], [], 0.1)
                if not ready:
                    continue
                data = src.recv(64)
                if not data:
                    break
                free_at = max(free_at, time.monotonic()) + len(data) / self.rate
                time.sleep(max(0.0, free_at - time.monotonic()))
                dst.sendall(data)
                if outbound:
                    self.bytes_to_printer += len(data)
                    self.passed(data)
        except (OSError, ValueError):  # the other direction closed both sockets first
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def passed(self, data: bytes) -> None:
        """Called with each run of bytes just passed on to the printer (a subclass notes what it needs)."""

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def add_printer(store: Store, name: str, port: int) -> int:
    with store.session() as session:
        printer = Printer(name=name, uri=f"tcp://127.0.0.1:{port}", language="tspl", template="100x180")
        session.add(printer)
        session.flush()
        return printer.id


def run_batch(store: Store, printer_id: int) -> tuple[int, int, float, float, float]:
    """(labels, payload bytes, enqueue seconds, run wall seconds, run CPU seconds)"""
    with store.session() as session:
        printer = session.get(Printer, printer_id)
        assert printer is not None
        t0 = time.perf_counter()
        queued = enqueue_unprinted(session, printer)
    enqueue_s = time.perf_counter() - t0
    with store.session() as session:
        query = select(func.length(PrintJob.payload)).where(PrintJob.id.in_(queued.job_ids))
        sizes = [int(size or 0) for size in session.scalars(query)]
    worker = PrintWorker(store, printer_id)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    report = worker.run(queued.job_ids, deadline=time.monotonic() + 600)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert len(report.done) == len(queued.job_ids), report
    return len(report.done), sum(sizes), enqueue_s, wall, cpu


def payloads(store: Store, limit: int) -> list[bytes]:
    with store.session() as session:
        query = select(PrintJob.payload).order_by(PrintJob.id).limit(limit)
        return [bytes(p or b"") for p in session.scalars(query)]


def stream_raw(port: int, jobs: list[bytes]) -> float:
    """Seconds to stream ``jobs`` back to back and see the printer ready again (the printer's own pace)."""
    t0 = time.perf_counter()
    with open_transport(f"tcp://127.0.0.1:{port}", timeout=30) as transport:
        for job in jobs:
            transport.write(job)
        while not query_status(transport, "tspl", 30).is_ready:
            time.sleep(0.002)
    return time.perf_counter() - t0


class FirstByteRelay(SerialRelay):
    """The serial relay, noting when the first byte for the printer passed."""

    first_byte_at: float | None = None

    def passed(self, data: bytes) -> None:
        if self.first_byte_at is None:
            self.first_byte_at = time.perf_counter()


def run_command(tmp: str, port: int, count: int) -> tuple[float, float, int]:
    """The whole ``kuaidan print --all-unprinted`` of ``count`` labels through a serial relay to the printer on
    ``port``, timed from process start: (seconds, seconds to the first byte on the line, labels printed)."""
    url = f"sqlite:///{tmp}/command.sqlite3"
    store = open_store(url, tmp)
    try:
        seed(store, count)
    finally:
        store.dispose()
    relay = FirstByteRelay(port, BAUD_BYTES_PER_S)
    try:
        store = open_store(url, tmp)
        try:
            add_printer(store, "serial", relay.port)
        finally:
            store.dispose()
        argv = [sys.executable, "main.py", "--db", url, "--data-dir", tmp, "print", "--printer", "serial"]
        t0 = time.perf_counter()
        done = subprocess.run(
            [*argv, "--all-unprinted", "--json"], cwd=ROOT, capture_output=True, timeout=600
        )
        seconds = time.perf_counter() - t0
        first = (relay.first_byte_at or t0) - t0
    finally:
        relay.close()
    if done.returncode != 0:
        raise RuntimeError(f"kuaidan print failed: {done.stdout!r} {done.stderr[-2000:]!r}")
    return seconds, first, int(json.loads(done.stdout)["printed"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--serial-labels", type=int, default=30)
    parser.add_argument("--raw-labels", type=int, default=100)
    parser.add_argument("--command-labels", type=int, default=60)
    args = parser.parse_args()
    rows: list[tuple[str, str, str, bool | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite3", tmp)
        os.environ.setdefault("KUAIDAN_SECRETS", "db")
        proc, port = start_virtual_printer()
        relay: SerialRelay | None = None
        try:
            seed(store, args.labels)
            fast = add_printer(store, "fast", port)
            n, total_bytes, enqueue_s, wall, cpu = run_batch(store, fast)
            per_label = total_bytes / n
            sample = payloads(store, args.raw_labels)
            own = stream_raw(port, sample) / len(sample)  # the printer's own pace, no queue, no confirmation
            queue_ms = wall / n * 1000
            rows += [
                (f"labels printed through the queue, zero print time (TCP, {n})", f"{n}", "-", None),
                ("render + store, per label", f"{enqueue_s / n * 1000:.2f} ms", "-", None),
                (
                    "host CPU per label (status, send, confirm, 3 commits)",
                    f"{cpu / n * 1000:.2f} ms",
                    "-",
                    None,
                ),
                ("wall per label through the queue", f"{queue_ms:.2f} ms", "-", None),
                (
                    f"virtual printer's own time per label (raw stream, {len(sample)})",
                    f"{own * 1000:.2f} ms",
                    "-",
                    None,
                ),
                (
                    "queue overhead per label (wall - printer's own)",
                    f"{queue_ms - own * 1000:.2f} ms",
                    "-",
                    None,
                ),
                (
                    "TSPL bytes per label (100x180, Chinese)",
                    f"{per_label:,.0f}",
                    "≤ 2,048",
                    per_label <= 2048,
                ),
            ]
            store.dispose()
            store = open_store(f"sqlite:///{tmp}/serial.sqlite3", tmp)
            seed(store, args.serial_labels)
            relay = SerialRelay(port, BAUD_BYTES_PER_S)
            slow = add_printer(store, "serial", relay.port)
            n2, bytes2, _, wall2, _ = run_batch(store, slow)
            per_label2 = bytes2 / n2
            measured = n2 / wall2 * 60
            line_limit = 60 / (per_label2 / BAUD_BYTES_PER_S)
            stop_and_wait = 60 / (per_label2 / BAUD_BYTES_PER_S + own)
            overhead = relay.bytes_to_printer / n2 - per_label2
            raw = payloads(store, args.serial_labels)
            raw_rate = len(raw) / stream_raw(relay.port, raw) * 60
            rows += [
                (
                    f"115200 baud: labels/min through the queue ({n2})",
                    f"{measured:,.0f}/min",
                    f"line limit {line_limit:,.0f}/min",
                    None,
                ),
                (
                    "115200 baud: labels/min streamed raw, no confirmation",
                    f"{raw_rate:,.0f}/min",
                    f"line limit {line_limit:,.0f}/min",
                    None,
                ),
                (
                    "115200 baud: queue vs raw streaming in this run (DESIGN.md's budget)",
                    f"{measured / raw_rate:.0%} of {raw_rate:,.0f}/min",
                    "≥ 95%",
                    measured >= 0.95 * raw_rate,
                ),
                (
                    "115200 baud: queue vs one-at-a-time limit (line + printer's own time)",
                    f"{measured / stop_and_wait:.0%} of {stop_and_wait:,.0f}/min",
                    "-",
                    None,
                ),
                ("115200 baud: status query bytes per label", f"{overhead:.0f}", "-", None),
            ]
            relay.close()
            relay = None
            seconds, first, printed = run_command(tmp, port, args.command_labels)
            command_rate = printed / seconds * 60
            rows += [
                (
                    f"115200 baud: whole `kuaidan print` from process start ({printed})",
                    f"{seconds:.2f} s, {command_rate:,.0f}/min",
                    "-",
                    None,
                ),
                ("115200 baud: whole command vs raw streaming", f"{command_rate / raw_rate:.0%}", "-", None),
                ("115200 baud: process start -> first byte on the line", f"{first * 1000:.0f} ms", "-", None),
            ]
        finally:
            if relay is not None:
                relay.close()
            proc.terminate()
            proc.wait(10)
            store.dispose()
    ok = print_table("print queue (benchmarks/print_bench.py)", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
