"""The demo workspace: three shops with orders from real-format export files, a sender, two sandbox carrier accounts
(one in-process sandbox, spoken to in the Kdniao protocol by one account and in Kuaidi100's by the other) and a
virtual printer. Idempotent: running it again changes
nothing that is there (the virtual printer's port is updated, since it is new each run)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.carriers import start_demo_sandbox
from app.orders.values import ImportReport
from app.paths import resources_dir
from app.workspace import Workspace
from printers.virtual.device import VirtualPrinter

DEMO_CARRIER = "演示顺丰（沙箱）"
DEMO_KUAIDI100_CARRIER = "演示中通（百递云沙箱）"
DEMO_PRINTER = "演示热敏打印机（虚拟）"

DEMO_SHOPS = (
    ("演示淘宝店", "taobao", "taobao_orders.csv"),
    ("演示拼多多店", "pdd", "pdd_orders.csv"),
    ("演示抖店", "douyin", "douyin_orders.csv"),
)


@dataclass(frozen=True)
class DemoWorkspace:
    shops: tuple[str, ...]
    imports: tuple[ImportReport, ...]
    carrier: str = DEMO_CARRIER


def build_demo(ws: Workspace) -> DemoWorkspace:
    """Everything through the workspace, as a user would set it up."""
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
    reports = [
        ws.orders.import_file(resources_dir() / "demo" / file_name, name) for name, _, file_name in DEMO_SHOPS
    ]
    return DemoWorkspace(tuple(name for name, _, _ in DEMO_SHOPS), tuple(reports))


DEMO_CLOCK_SPEED = 600.0  # one real second is ten simulated minutes: parcels move while you watch


def start_demo_carrier(data_directory: Path) -> None:
    """Start the in-process sandbox with a mix of trouble and a fast clock, before anything asks it for waybills:
    most parcels arrive, some are refused, fail delivery, sit at a locker… (traces carry simulated times)."""
    start_demo_sandbox(data_directory / "sandbox-carrier.jsonl", speed=DEMO_CLOCK_SPEED)


def start_demo_printer(ws: Workspace) -> VirtualPrinter:
    """A virtual TSPL printer on a free local port, registered as the default label printer (PNGs of what it
    prints land in ``virtual-printer/`` in the data directory). It runs until the process ends."""
    printer = VirtualPrinter("tspl", out_dir=ws.data_dir / "virtual-printer", speed_mm_s=150)
    host, port = printer.start_tcp("127.0.0.1", 0)
    ws.printing.add_printer(DEMO_PRINTER, f"tcp://{host}:{port}", "tspl", default=True)
    return printer
