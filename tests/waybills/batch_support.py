"""Workspaces for the batches' tests: a promotion's orders holding one item each (爆款), and orders in every status
a batch meets (paid, shipped, closed, refunding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests import exportgen as gen

PAID = "买家已付款，等待卖家发货"
# (sku, quantity, how many orders)
PROMOTION = (("TEE-RED-M", 1, 6), ("CUP-01", 2, 4), ("TEE-RED-M", 2, 2), ("SOCKS", 1, 1))


def promotion_csv(path: Path, groups: tuple[tuple[str, int, int], ...] = PROMOTION) -> Path:
    rows = gen.taobao_rows(sum(n for _, _, n in groups))
    rows[0].append("商家编码")
    i = 1
    for sku, quantity, n in groups:
        for _ in range(n):
            rows[i][11] = f"促销商品 {sku}"
            rows[i][13] = str(quantity)
            rows[i].append(sku)
            i += 1
    return gen.write_csv(path, rows, encoding="gb18030")


def _seed(kd: Any, csv: Path, endpoint: str) -> None:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    assert kd("senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province", "浙江省",
              "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号").status == 0  # fmt: skip
    assert kd("import", str(csv), "--shop", "淘宝店").status == 0
    assert kd("carriers", "add", "sf", "--kind", "sandbox", "--shipper-code", "SF", "--endpoint", endpoint).status == 0


def seed_promotion(kd: Any, tmp_path: Path, endpoint: str) -> None:
    _seed(kd, promotion_csv(tmp_path / "promo.csv"), endpoint)


def seed_statuses(kd: Any, tmp_path: Path, endpoint: str, statuses: list[str]) -> None:
    """One order per status as the Taobao report words it (买家已付款，等待卖家发货 is paid)."""
    rows = gen.taobao_rows(len(statuses))
    for row, status in zip(rows[1:], statuses, strict=True):
        row[3] = status
    _seed(kd, gen.write_csv(tmp_path / "statuses.csv", rows), endpoint)
