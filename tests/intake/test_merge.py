"""Merge and split rules: what merges, and what must not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests import exportgen as gen


def _setup(kd: Any, tmp_path: Path) -> dict[str, int]:
    kd("shops", "add", "A", "--platform", "taobao")
    kd("shops", "add", "B", "--platform", "taobao")
    rows = gen.taobao_rows(7)
    same = rows[1][5:9]
    for r in rows[2:4]:  # orders 1-3: same receiver in shop A
        r[5:9] = same
    rows[4][5:9] = same
    rows[4][8] = "'13900000000"  # same name and address, other phone: no merge
    rows[5][5:9] = same
    rows[5][3] = "退款中"  # same receiver but refunding: no merge
    rows[6][5:9] = same  # will be shipped already
    rows[6][15] = "SF999"
    rows[6][3] = "卖家已发货，等待买家确认"
    kd("import", str(gen.write_csv(tmp_path / "a.csv", rows)), "--shop", "A")
    rows_b = [rows[0], rows[1]]
    rows_b[1] = list(rows[1])
    rows_b[1][0] = '="4000"'
    kd("import", str(gen.write_csv(tmp_path / "b.csv", rows_b)), "--shop", "B")  # same receiver, other shop
    return {o["platform_order_id"] + "@" + o["shop"]: o["id"] for o in kd("orders", "--json").json["orders"]}


def test_auto_merge_only_same_shop_same_receiver_shippable(kd: Any, tmp_path: Path) -> None:
    ids = _setup(kd, tmp_path)
    result = kd("merge", "--auto", "--json").json
    assert result["merged"] == 1
    merged = sorted(result["shipments"][0]["orders"])
    expected = sorted(ids[f"37000000000000000{n:02d}@A"] for n in (0, 1, 2))
    assert merged == expected
    again = kd("merge", "--auto", "--json").json
    assert again["merged"] == 0  # idempotent


def test_never_merges_across_shops(kd: Any, tmp_path: Path) -> None:
    ids = _setup(kd, tmp_path)
    result = kd("merge", str(ids["3700000000000000000@A"]), str(ids["4000@B"]), "--json")
    assert result.status == 2 and "shops" in result.json["error_en"] and "店铺" in result.json["error"]


def test_manual_merge_refuses_different_receivers_and_held(kd: Any, tmp_path: Path) -> None:
    ids = _setup(kd, tmp_path)
    a, other_phone, held = (
        ids["3700000000000000000@A"],
        ids["3700000000000000003@A"],
        ids["3700000000000000004@A"],
    )
    assert kd("merge", str(a), str(other_phone)).status == 2
    assert kd("merge", str(a), str(held)).status == 2
    ok = kd("merge", str(a), str(ids["3700000000000000001@A"]), "--json")
    assert ok.status == 0 and ok.json["merged"] == 1


def test_split_and_unmerge(kd: Any, tmp_path: Path) -> None:
    ids = _setup(kd, tmp_path)
    a, b = ids["3700000000000000000@A"], ids["3700000000000000001@A"]
    kd("merge", str(a), str(b))
    assert kd("split", str(a)).status == 2  # merged: unmerge first
    assert kd("unmerge", str(a), "--json").json["unmerged"] == [a]
    result = kd("split", str(a), "--parcels", "3", "--json")
    assert result.status == 0
    assert len(result.json["split"][0]["shipments"]) == 3
