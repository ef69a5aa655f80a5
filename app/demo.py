"""The demo workspace: three shops with orders from real-format export files, a sender, a sandbox carrier account
(an in-process sandbox speaking the Kdniao protocol) and a virtual printer. Idempotent: running it again changes
nothing that is there (the virtual printer's port is updated, since it is new each run)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.carriers import start_demo_sandbox
from app.carriers.accounts import add_account
from app.orders.importer import ImportReport, import_file
from app.orders.shops import add_sender, add_shop
from app.paths import resources_dir
from app.printing.registry import add_printer
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import CarrierAccount, Sender, Shop
from printers.virtual.device import VirtualPrinter

DEMO_CARRIER = "演示顺丰（沙箱）"
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


def build_demo(store: Store, data_directory: Path) -> DemoWorkspace:
    secrets = SecretStore(data_directory)
    with store.session() as s:
        existing = set(s.scalars(select(Shop.name)))
        for name, platform, _ in DEMO_SHOPS:
            if name not in existing:
                add_shop(s, secrets, name, platform)
        if s.scalar(select(Sender.id).limit(1)) is None:
            add_sender(
                s,
                "仓库",
                name="快单仓库",
                mobile="13800138000",
                province="浙江省",
                city="杭州市",
                district="余杭区",
                address="文一西路969号",
                default=True,
            )
        if s.scalar(select(CarrierAccount.id).where(CarrierAccount.name == DEMO_CARRIER)) is None:
            add_account(s, secrets, DEMO_CARRIER, kind="sandbox", shipper_code="SF")
    reports = []
    for name, _, file_name in DEMO_SHOPS:
        reports.append(import_file(store, resources_dir() / "demo" / file_name, name))
    return DemoWorkspace(tuple(name for name, _, _ in DEMO_SHOPS), tuple(reports))


DEMO_CLOCK_SPEED = 600.0  # one real second is ten simulated minutes: parcels move while you watch


def start_demo_carrier(data_directory: Path) -> None:
    """Start the in-process sandbox with a mix of trouble and a fast clock, before anything asks it for waybills:
    most parcels arrive, some are refused, fail delivery, sit at a locker… (traces carry simulated times)."""
    start_demo_sandbox(data_directory / "sandbox-carrier.jsonl", speed=DEMO_CLOCK_SPEED)


def start_demo_printer(store: Store, data_directory: Path) -> VirtualPrinter:
    """A virtual TSPL printer on a free local port, registered as the default label printer (PNGs of what it
    prints land in ``virtual-printer/`` in the data directory). It runs until the process ends."""
    printer = VirtualPrinter("tspl", out_dir=data_directory / "virtual-printer", speed_mm_s=150)
    host, port = printer.start_tcp("127.0.0.1", 0)
    with store.session() as s:
        add_printer(s, DEMO_PRINTER, f"tcp://{host}:{port}", "tspl", default=True)
    return printer
