"""The demo workspace: three shops with orders from real-format export files, a sender, two sandbox carrier accounts
(one in-process sandbox, spoken to in the Kdniao protocol by one account and in Kuaidi100's by the other) and a
virtual printer.

:func:`build_demo` sets the workspace up (idempotent: running it again changes nothing that is there).
:func:`open_demo` is ``kuaidan demo``: the clock, the sandbox carrier and the printer, then, on a fresh workspace,
the shop's last days played for real on the demo clock (about 200 orders imported day by day, waybills issued,
labels printed on the virtual printer, parcels tracked as the sandbox moves them), and the clock left running one
demo hour per real minute, with a tracking loop that moves the parcels on while you watch. Every number the app
shows is then something the demo did; no trace is dated after the clock's now (the sandbox reads the same clock).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app import clock, lang
from app.carriers import start_demo_sandbox
from app.demo_orders import demo_costs, order_file
from app.orders.values import ImportReport
from app.paths import resources_dir
from app.profit.prices import PriceBand
from app.tracking.times import utc_to_china
from app.workspace import Workspace
from printers.virtual.device import VirtualPrinter

log = logging.getLogger(__name__)

DEMO_CARRIER = "演示顺丰（沙箱）"
DEMO_KUAIDI100_CARRIER = "演示中通（百递云沙箱）"
DEMO_PRINTER = "演示热敏打印机（虚拟）"

DEMO_SHOPS = (
    ("演示淘宝店", "taobao", "taobao_orders.csv"),
    ("演示拼多多店", "pdd", "pdd_orders.csv"),
    ("演示抖店", "douyin", "douyin_orders.csv"),
)

#: Demo seconds per real second: one demo hour per real minute (parcels move while you watch).
DEMO_CLOCK_SPEED = 60.0
#: The days played before the window opens (today is the last one), and the orders each shop takes in each day.
DEMO_DAYS = 4
DEMO_ORDERS_PER_DAY = ((18, 17, 16), (17, 18, 17), (16, 17, 18), (17, 16, 17))  # 204 over three shops
#: Today: of the orders taken in, this many get a waybill, and of those this many are printed (the rest wait).
TODAY_ISSUE = 30
TODAY_PRINT = 20
#: Demo hours between tracking rounds while the days are played.
HISTORY_ROUND_HOURS = 3
#: Real seconds between the demo's tracking rounds once the window is open.
LIVE_ROUND_S = 10.0


@dataclass(frozen=True)
class DemoWorkspace:
    shops: tuple[str, ...]
    imports: tuple[ImportReport, ...]
    carrier: str = DEMO_CARRIER


def build_demo(ws: Workspace) -> DemoWorkspace:
    """Shops, sender, carrier accounts (everything through the workspace, as a user would set it up); the sample
    export files are imported when the workspace has no orders yet (:func:`open_demo` imports day by day)."""
    _setup(ws)
    reports: list[ImportReport] = []
    if not _order_count(ws):
        reports = [
            ws.orders.import_file(resources_dir() / "demo" / file_name, name)
            for name, _, file_name in DEMO_SHOPS
        ]
    return DemoWorkspace(tuple(name for name, _, _ in DEMO_SHOPS), tuple(reports))


def _setup(ws: Workspace) -> None:
    existing = {shop.name for shop in ws.orders.shops()}
    for name, platform, _ in DEMO_SHOPS:
        if name not in existing:
            ws.orders.add_shop(name, platform)
    if not ws.orders.senders():
        ws.orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                             district="余杭区", address="文一西路969号", default=True)  # fmt: skip
    if DEMO_CARRIER not in {account.name for account in ws.carriers.accounts()}:
        ws.carriers.add_account(DEMO_CARRIER, kind="sandbox", shipper_code="SF")
    if DEMO_KUAIDI100_CARRIER not in {account.name for account in ws.carriers.accounts()}:
        ws.carriers.add_account(
            DEMO_KUAIDI100_CARRIER,
            kind="sandbox",
            shipper_code="",
            protocol="kuaidi100",
            kuaidicom="zhongtong",
        )
    _prices_and_costs(ws)


def _prices_and_costs(ws: Workspace) -> None:
    """Goods costs for the demo's SKUs and a price table per demo carrier (首重 1 kg + 续重 per kg; the far west
    dearer), so that File → 利润统计 shows a real report."""
    if not ws.profit.costs():
        for sku, cost in demo_costs().items():
            ws.profit.set_cost(sku, cost)
    if not ws.profit.prices():
        bands = []
        for carrier, first, extra in ((DEMO_CARRIER, "12.00", "2.00"), (DEMO_KUAIDI100_CARRIER, "5.00", "1.50")):
            bands.append(PriceBand(carrier, "", 0, None, 1000, Decimal(first), Decimal(extra)))
            for far in ("新疆维吾尔自治区", "西藏自治区"):
                bands.append(PriceBand(carrier, far, 0, None, 1000, Decimal(first) + 10, Decimal(extra) * 4))
        ws.profit.set_prices(bands)


def _order_count(ws: Workspace) -> int:
    return sum(shop.orders for shop in ws.orders.shops(counts=True))


def start_demo_carrier(data_directory: Path) -> None:
    """Start the in-process sandbox with the demo's mix of outcomes, before anything asks it for waybills: most
    parcels arrive in one to four days, some are refused, fail delivery, sit at a locker… It reads the app clock
    (:mod:`app.clock`), so its traces are never dated after the app's now."""
    start_demo_sandbox(data_directory / "sandbox-carrier.jsonl", speed=1.0)


def start_demo_printer(ws: Workspace, *, speed_mm_s: float = 150) -> VirtualPrinter:
    """A virtual TSPL printer on a free local port, registered as the default label printer (PNGs of what it
    prints land in ``virtual-printer/`` in the data directory). It runs until the process ends."""
    printer = VirtualPrinter("tspl", out_dir=ws.data_dir / "virtual-printer", speed_mm_s=speed_mm_s)
    host, port = printer.start_tcp("127.0.0.1", 0)
    ws.printing.add_printer(DEMO_PRINTER, f"tcp://{host}:{port}", "tspl", default=True)
    return printer


@dataclass
class DemoSession:
    """A running demo: its printer and the live tracking loop (stop it with :meth:`stop`)."""

    workspace: DemoWorkspace
    printer: VirtualPrinter
    played: bool  # the days were played now (a fresh workspace)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start_tracking(self, ws: Workspace) -> None:
        """Track on a thread: a round every :data:`LIVE_ROUND_S` real seconds (ten demo minutes)."""

        def run() -> None:
            try:
                ws.tracking.track(self._stop, max_sleep_s=LIVE_ROUND_S)
            except Exception:  # the demo's tracking must not take the window down; logged
                log.exception("demo tracking loop ended")

        self._thread = threading.Thread(target=run, name="kuaidan-demo-tracking", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.printer.stop()


Progress = Callable[[str], None]


def open_demo(
    ws: Workspace, *, speed: float = DEMO_CLOCK_SPEED, days: int = DEMO_DAYS, progress: Progress | None = None
) -> DemoSession:
    """Set the demo up, play its days when the workspace is fresh, and leave the clock running at ``speed``.

    The clock starts ``days - 1`` days before now (a fresh workspace) or where the workspace left off (never before
    its latest stamp), so a demo reopened later goes on from where it was."""
    say = progress or (lambda _text: None)
    now = clock.utcnow()
    fresh = not _order_count(ws)
    if fresh:
        clock.run_clock(_morning(now - timedelta(days=days - 1)), speed=1.0)
    else:
        clock.run_clock(max(now, ws.tracking.last_activity() or now), speed=1.0)
    start_demo_carrier(ws.data_dir)
    printer = start_demo_printer(ws, speed_mm_s=0 if fresh else 150)
    _setup(ws)
    reports: list[ImportReport] = []
    if fresh:
        reports = play_days(ws, days, end=max(now, clock.utcnow()), progress=say)
        printer.set_speed(150)
    clock.run_clock(clock.utcnow(), speed=speed)
    demo = DemoWorkspace(tuple(name for name, _, _ in DEMO_SHOPS), tuple(reports))
    return DemoSession(demo, printer, fresh)


def _morning(moment: datetime) -> datetime:
    """09:00 China time on the day of ``moment`` (naive UTC)."""
    china = utc_to_china(moment)
    return china.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(hours=8)


def play_days(ws: Workspace, days: int, *, end: datetime, progress: Progress) -> list[ImportReport]:
    """The shop's last ``days`` days for real on the clock: each morning the day's orders come in and get their
    waybills and labels, then the clock moves on in steps with a tracking round each. Today (the last day) part of
    its orders get a waybill an hour and a half before ``end`` and part of those a label half an hour later, so the
    first screen shows orders waiting, issued and printed beside the parcels on their way. Ends at ``end`` or
    later."""
    reports: list[ImportReport] = []
    incoming = ws.data_dir / "demo-imports"
    for day in range(days):
        last = day == days - 1
        morning = clock.utcnow()
        date = f"{utc_to_china(morning):%Y-%m-%d}"
        progress(lang.say(f"演示第 {day + 1}/{days} 天：{date}", f"demo day {day + 1}/{days}: {date}"))
        paid_from = utc_to_china(morning) - timedelta(hours=1)
        counts = DEMO_ORDERS_PER_DAY[day % len(DEMO_ORDERS_PER_DAY)]
        for (name, platform, _), count in zip(DEMO_SHOPS, counts, strict=True):
            path = order_file(platform, day, count, paid_from, incoming / f"{platform}-day{day + 1}.csv")
            reports.append(ws.orders.import_file(path, name))
        if last:
            _track_until(ws, max(clock.utcnow(), end - timedelta(hours=1, minutes=30)))
        clock.advance(timedelta(minutes=30))
        ready = ws.orders.ready_ids()
        to_issue = ready[:TODAY_ISSUE] if last else ready
        if to_issue:
            half = len(to_issue) // 2
            ws.waybills.issue(DEMO_CARRIER, to_issue[:half])
            ws.waybills.issue(DEMO_KUAIDI100_CARRIER, to_issue[half:])
        clock.advance(timedelta(minutes=30))
        _print(ws, limit=TODAY_PRINT if last else None)
        _track_until(ws, end if last else morning + timedelta(days=1))
    return reports


def _track_until(ws: Workspace, stop_at: datetime) -> None:
    """Move the clock on to ``stop_at`` in steps, a tracking round after each."""
    while clock.utcnow() < stop_at:
        step = min(timedelta(hours=HISTORY_ROUND_HOURS), stop_at - clock.utcnow())
        clock.advance(max(step, timedelta(seconds=1)))
        ws.tracking.round()


def _print(ws: Workspace, *, limit: int | None) -> None:
    """Print the unprinted labels (at most ``limit`` parcels) on the virtual printer and wait for them."""
    if limit is None:
        queued = ws.printing.enqueue_unprinted()
    else:
        from app.orders.values import OrderFilter

        rows = ws.orders.list_orders(OrderFilter(status="unprinted"))[:limit]
        if not rows:
            return
        queued = ws.printing.enqueue_orders([str(row.id) for row in rows])
    if not queued.job_ids:
        return
    loop = ws.printing.start_printing(job_ids=queued.job_ids)
    loop.wait(120)
