"""The demo workspace: three shops with orders from real-format export files, a sender, and (when the carrier and
printer layers are present) the sandbox carrier and the virtual printer. Idempotent: running it again changes
nothing that is there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.db import Store
from app.models import Sender, Shop
from app.orders.importer import ImportReport, import_file
from app.paths import resources_dir
from app.secrets import SecretStore
from app.shops import add_sender, add_shop

DEMO_SHOPS = (
    ("演示淘宝店", "taobao", "taobao_orders.csv"),
    ("演示拼多多店", "pdd", "pdd_orders.csv"),
    ("演示抖店", "douyin", "douyin_orders.csv"),
)


@dataclass(frozen=True)
class DemoWorkspace:
    shops: tuple[str, ...]
    imports: tuple[ImportReport, ...]


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
    reports = []
    for name, _, file_name in DEMO_SHOPS:
        reports.append(import_file(store, resources_dir() / "demo" / file_name, name))
    return DemoWorkspace(tuple(name for name, _, _ in DEMO_SHOPS), tuple(reports))
