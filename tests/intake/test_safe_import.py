"""Safe import through the workspace, on real SQLite files: a file's platform is known before anything is written,
the shop a platform's file last went into is remembered, and an import is undone (its new orders removed) while
none of them has a waybill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, InputError
from tests import exportgen as gen
from tests.waybills.support import workspace as seed


def _count(store: Any, model: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_files_platform_is_known_before_anything_is_written(workspace: Any, store: Any, tmp_path: Path) -> None:
    from app.store.models import ImportRun, Order

    taobao = workspace.imports.check_file(gen.taobao_csv(tmp_path / "tb.csv", n=5))
    assert (taobao.profile, taobao.platform, taobao.rows) == ("taobao", "taobao", 5) and taobao.label_zh
    pdd = workspace.imports.check_file(gen.pdd_csv(tmp_path / "pdd.csv", n=3))
    assert (pdd.platform, pdd.rows) == ("pdd", 3)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    assert workspace.imports.check_file(odd).platform == ""  # not recognised: said so, not guessed
    with pytest.raises(InputError):
        workspace.imports.check_file(tmp_path / "missing.csv")
    assert _count(store, Order) == 0 and _count(store, ImportRun) == 0


def test_the_shop_box_remembers_the_last_shop_per_platform(workspace: Any, data_dir: Path) -> None:
    from app import preferences

    for name, platform in (("淘宝A", "taobao"), ("淘宝B", "tmall"), ("拼多多", "pdd")):
        workspace.orders.add_shop(name, platform)
    assert workspace.imports.suggested_shop("taobao") == "淘宝A"  # first shop of the platform
    assert workspace.imports.suggested_shop("pdd") == "拼多多"
    assert workspace.imports.suggested_shop("jd") == ""  # no JD shop: the user picks
    workspace.imports.remember_shop("taobao", "淘宝B")  # a Tmall shop takes Taobao-layout files too
    assert workspace.imports.suggested_shop("taobao") == "淘宝B"
    assert preferences.load(data_dir).last_shops == {"taobao": "淘宝B"}
    workspace.imports.remember_shop("taobao", "拼多多")  # a remembered shop of another platform is not offered
    assert workspace.imports.suggested_shop("taobao") == "淘宝A"


def test_undo_an_import_removes_only_its_new_orders(workspace: Any, store: Any, tmp_path: Path) -> None:
    from app.store.models import Order, OrderLine, Shipment

    workspace.orders.add_shop("淘宝店", "taobao")
    first = workspace.orders.import_file(gen.taobao_csv(tmp_path / "a.csv", n=4), "淘宝店")
    rows = gen.taobao_rows(6)  # the same four (one changed) and two new ones
    rows[1][4] = "改了留言"
    second = workspace.orders.import_file(gen.write_csv(tmp_path / "b.csv", rows), "淘宝店")
    assert (second.imported, second.updated) == (2, 1) and first.run_id and second.run_id
    newest = max(o.id for o in workspace.orders.list_orders(_all()))
    workspace.orders.split([newest], 2)  # parcels of a new order: removed with it
    assert _count(store, Shipment) == 2

    recent = workspace.imports.recent()
    assert [r.id for r in recent] == [second.run_id, first.run_id]
    assert (recent[0].orders, recent[0].can_undo) == (2, True) and recent[1].orders == 4

    undone = workspace.imports.undo(second.run_id)
    assert undone.removed == 2 and undone.shop == "淘宝店"
    left = {o.platform_order_id for o in workspace.orders.list_orders(_all())}
    assert len(left) == 4  # the first import's orders stay, the one the second only updated included
    assert _count(store, OrderLine) == sum(1 for _ in left) and _count(store, Shipment) == 0
    with pytest.raises(Conflict):
        workspace.imports.undo(second.run_id)  # once
    again = workspace.imports.recent()[0]
    assert again.undone_at is not None and not again.can_undo

    workspace.imports.undo(first.run_id)
    assert _count(store, Order) == 0 and _count(store, Shipment) == 0 and _count(store, OrderLine) == 0


def test_an_import_with_a_waybill_cannot_be_undone(kd: Any, workspace: Any, store: Any, tmp_path: Path) -> None:
    from app.carriers.sandbox.server import start_sandbox
    from app.store.models import Order

    server = start_sandbox()
    try:
        seed(kd, tmp_path, n=3, endpoint=server.endpoint)
        run = workspace.imports.recent()[0]
        assert run.can_undo
        order = workspace.orders.list_orders(_all())[0]
        workspace.waybills.issue("sf", [order.id])
        run = workspace.imports.recent()[0]
        assert (run.with_waybill, run.can_undo) == (1, False)
        with pytest.raises(Conflict) as caught:
            workspace.imports.undo(run.id)
        assert order.platform_order_id in caught.value.message_zh and "waybill" in caught.value.message_en
        assert _count(store, Order) == 3  # nothing removed
        workspace.waybills.cancel(workspace.orders.rows([order.id])[0].waybill)  # 回收单号: no waybill in force
        assert workspace.imports.undo(run.id).removed == 3
        assert _count(store, Order) == 0
    finally:
        server.stop()


def _all() -> Any:
    from app.orders.values import OrderFilter

    return OrderFilter()
