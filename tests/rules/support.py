"""Workspaces for the carrier-rule tests: orders in several provinces (some out of one shipper's area), a sender,
and carrier accounts on a real sandbox over HTTP.

Each account kind is one entry of ``ACCOUNT_KINDS``: the Kdniao-speaking sandbox and the Kuaidi100-speaking one (its
endpoint the sandbox's ``/label/order``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.carriers.kuaidi100.codes import kuaidicom_for
from tests import exportgen as gen

XJ = ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路1号")

# account kind -> the words of ``carriers add`` after the name, for a sandbox at ``endpoint`` with ``shipper``
ACCOUNT_KINDS: dict[str, Callable[[str, str], list[str]]] = {
    "kdniao-sandbox": lambda shipper, endpoint: [
        "--kind",
        "sandbox",
        "--shipper-code",
        shipper,
        "--endpoint",
        endpoint,
    ],
    "kuaidi100-sandbox": lambda shipper, endpoint: [
        "--kind",
        "sandbox",
        "--protocol",
        "kuaidi100",
        "--kuaidicom",
        kuaidicom_for(shipper),
        "--endpoint",
        endpoint,
    ],
}


def add_account(
    kd: Any, name: str, shipper: str, endpoint: str, kind: str = "kdniao-sandbox", **db: str
) -> None:
    result = kd("carriers", "add", name, *ACCOUNT_KINDS[kind](shipper, endpoint), **db)
    assert result.status == 0, result.stderr


def orders_csv(path: Path, places: Sequence[tuple[str, str, str, str]], titles: Sequence[str] = ()) -> Path:
    """A Taobao report with one order per place (province, city, district, street); ``titles`` their goods."""
    rows = gen.taobao_rows(len(places))
    for i, (row, (prov, city, dist, street)) in enumerate(zip(rows[1:], places, strict=True)):
        row[6] = f"{prov} {city} {dist} {street}"
        if i < len(titles):
            row[11] = titles[i]
    return gen.write_csv(path, rows, encoding="gb18030")


def seed(kd: Any, tmp_path: Path, places: Sequence[tuple[str, str, str, str]], titles: Sequence[str] = (),
         **db: str) -> None:  # fmt: skip
    assert kd("shops", "add", "淘宝店", "--platform", "taobao", **db).status == 0
    assert kd("senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province", "浙江省",
              "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号", **db).status == 0  # fmt: skip
    assert (
        kd(
            "import", str(orders_csv(tmp_path / "orders.csv", places, titles)), "--shop", "淘宝店", **db
        ).status
        == 0
    )


def places(n_plain: int, n_remote: int, *, out_of_area: str = "") -> list[tuple[str, str, str, str]]:
    """``n_plain`` orders to 浙江省 and ``n_remote`` to 新疆 (their street tagged out of ``out_of_area``'s area)."""
    tag = f" [超区:{out_of_area}]" if out_of_area else ""
    plain = [("浙江省", "杭州市", "西湖区", f"文三路{i}号") for i in range(n_plain)]
    remote = [(XJ[0], XJ[1], XJ[2], f"{XJ[3]}{i}室{tag}") for i in range(n_remote)]
    return plain + remote
