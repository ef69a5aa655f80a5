"""The workspace's orders part: every action opens its own session and hands back frozen values, never ORM objects."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen


def _frozen(value: object) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return dataclasses.is_dataclass(value) and params is not None and params.frozen


@pytest.fixture
def ws(workspace: Any) -> Any:
    workspace.orders.add_shop("淘宝店", "taobao")
    return workspace


def _import(ws: Any, tmp_path: Path, rows: list[list[str]], name: str = "tb.csv") -> Any:
    return ws.orders.import_file(gen.write_csv(tmp_path / name, rows), "淘宝店")


def test_shops_are_added_and_listed_by_name(workspace: Any) -> None:
    from app.errors import UsageError

    added = workspace.orders.add_shop("拼多多店", "pdd", token="tok")
    workspace.orders.add_shop("抖音店", "douyin")
    assert _frozen(added) and (added.name, added.platform, added.has_token) == ("拼多多店", "pdd", True)
    assert [s.name for s in workspace.orders.shops()] == sorted(["拼多多店", "抖音店"])
    assert all(_frozen(s) for s in workspace.orders.shops())
    with pytest.raises(UsageError):
        workspace.orders.add_shop("抖音店", "douyin")
    with pytest.raises(UsageError):
        workspace.orders.add_shop("别的", "ebay")


def test_senders_first_is_default_and_the_default_can_move(workspace: Any) -> None:
    from app.errors import NotFound, UsageError

    orders = workspace.orders
    assert orders.senders() == [] and orders.default_sender() is None
    first = orders.add_sender("仓库", name="快单仓库", mobile="13800138000", province="浙江省", city="杭州市",
                              district="余杭区", address="文一西路969号")  # fmt: skip
    second = orders.add_sender("门店", name="门店", mobile="13900139000", province="上海市", city="上海市",
                               address="世纪大道100号")  # fmt: skip
    assert _frozen(first) and first.is_default and not second.is_default
    assert orders.default_sender() == first
    assert [s.profile for s in orders.senders()] == ["仓库", "门店"]  # the default first

    moved = orders.set_default_sender("门店")
    assert moved.is_default and moved.profile == "门店"
    assert orders.default_sender().profile == "门店"
    assert [(s.profile, s.is_default) for s in orders.senders()] == [("门店", True), ("仓库", False)]

    third = orders.add_sender("总仓", name="总仓", mobile="13700137000", province="广东省", city="深圳市",
                              address="科技园路1号", default=True)  # fmt: skip
    assert [s.profile for s in orders.senders() if s.is_default] == [third.profile]
    with pytest.raises(UsageError):
        orders.add_sender("仓库", name="x", mobile="13800138000", province="浙江省", city="杭州市", address="y")
    with pytest.raises(UsageError):
        orders.add_sender("坏号", name="x", mobile="12345", province="浙江省", city="杭州市", address="y")
    with pytest.raises(NotFound):
        orders.set_default_sender("没有")


def test_import_reports_progress_and_hands_back_the_report(ws: Any, tmp_path: Path) -> None:
    rows = gen.taobao_rows(12)
    rows[3][8] = "'123"  # one bad phone
    seen: list[tuple[int, int]] = []
    report = ws.orders.import_file(gen.write_csv(tmp_path / "tb.csv", rows), "淘宝店", progress=lambda d, t: seen.append((d, t)))
    assert _frozen(report) and all(_frozen(e) for e in report.errors)
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (11, 0, 0, 1)
    assert [e.row for e in report.errors] == [4] and report.profile == "taobao"
    assert seen and seen[-1] == (12, 12)
    again = _import(ws, tmp_path, rows, "again.csv")
    assert (again.imported, again.unchanged) == (0, 11)


def test_import_of_an_unknown_shop_or_a_bad_file_writes_nothing(ws: Any, tmp_path: Path) -> None:
    from app.errors import InputError, NotFound

    with pytest.raises(NotFound):
        ws.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=3), "没有这个店")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(InputError) as caught:
        ws.orders.import_file(bad, "淘宝店")
    assert caught.value.exit_status == 2 and caught.value.path == str(bad)
    assert ws.orders.list_orders(_filter()) == []


def _filter(**kw: Any) -> Any:
    from app.orders.values import OrderFilter

    return OrderFilter(**kw)


def test_a_cancel_before_the_first_chunk_writes_nothing(ws: Any, tmp_path: Path) -> None:
    from app.workspace.core import Cancelled, CancelToken

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        ws.orders.import_file(gen.taobao_csv(tmp_path / "tb.csv", n=5), "淘宝店", cancel=token)
    assert ws.orders.list_orders(_filter()) == []


def test_a_cancel_keeps_the_chunks_written_and_a_rerun_finishes(ws: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from app.orders import importer
    from app.workspace.core import Cancelled, CancelToken

    monkeypatch.setattr(importer, "CHUNK", 10)
    path = gen.taobao_csv(tmp_path / "tb.csv", n=35)
    token = CancelToken()

    def cancel_after_two_chunks(done: int, _total: int) -> None:
        if done >= 20:
            token.cancel()

    with pytest.raises(Cancelled):
        ws.orders.import_file(path, "淘宝店", progress=cancel_after_two_chunks, cancel=token)
    assert len(ws.orders.list_orders(_filter())) == 20  # whole chunks, committed
    report = ws.orders.import_file(path, "淘宝店")
    assert (report.imported, report.unchanged) == (15, 20)
    assert len(ws.orders.list_orders(_filter())) == 35


def test_the_list_its_id_batches_and_rows_agree(ws: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from app.orders import query
    from app.orders.values import IdBatch

    rows = gen.taobao_rows(30)
    rows[5][3] = "退款中"  # held
    _import(ws, tmp_path, rows)
    whole = ws.orders.list_orders(_filter())
    assert len(whole) == 30 and all(_frozen(r) for r in whole)
    assert [r.id for r in whole] == sorted((r.id for r in whole), reverse=True)

    ids, following = ws.orders.first_ids(_filter())  # a first batch holds a screenful or more: all 30
    assert list(ids) == [r.id for r in whole] and following is None

    monkeypatch.setattr(query, "REST_BATCH", 7)  # several batches after a small first one
    ids, following = ws.orders.more_ids(_filter(), IdBatch(limit=4))
    batches = [list(ids)]
    while following is not None:
        ids, following = ws.orders.more_ids(_filter(), following)
        batches.append(list(ids))
    assert [len(b) for b in batches] == [4, 7, 7, 7, 5]
    assert [i for b in batches for i in b] == [r.id for r in whole]

    # a search: the exact matches first, then the rest
    ids, following = ws.orders.first_ids(_filter(search="李四"))
    assert following is not None and {r.receiver_name for r in ws.orders.rows(ids)} == {"李四"}

    picked = [whole[7].id, whole[2].id, 999_999, whole[20].id]
    assert [r.id for r in ws.orders.rows(picked)] == [whole[7].id, whole[2].id, whole[20].id]
    assert ws.orders.rows([]) == []

    held = ws.orders.list_orders(_filter(status="held"))
    assert len(held) == 1 and held[0].on_hold
    ready = ws.orders.ready_ids()
    assert len(ready) == 29 and held[0].id not in ready and ready == sorted(ready, reverse=True)
    assert ready == [r.id for r in ws.orders.list_orders(_filter(status="ready"))]


def test_an_unknown_status_is_a_usage_error(ws: Any) -> None:
    from app.errors import UsageError

    with pytest.raises(UsageError):
        ws.orders.list_orders(_filter(status="lost"))


def _parcels(store: Any, order_id: int) -> int:
    from sqlalchemy import func, select

    from app.store.models import shipment_orders

    with store.session() as s:
        return int(s.scalar(select(func.count()).where(shipment_orders.c.order_id == order_id)) or 0)


def test_merge_split_and_unmerge(ws: Any, store: Any, tmp_path: Path) -> None:
    from app.errors import UsageError
    from app.orders.values import MergeResult

    rows = gen.taobao_rows(5)
    for r in rows[2:4]:
        r[5:9] = rows[1][5:9]  # orders 0-2: one receiver
    _import(ws, tmp_path, rows)
    by_number = {r.platform_order_id: r.id for r in ws.orders.list_orders(_filter())}
    a, b, c, d, e = (by_number[f"37000000000000000{n:02d}"] for n in range(5))

    merged = ws.orders.auto_merge()
    assert isinstance(merged, MergeResult) and _frozen(merged)
    assert [sorted(o) for _, o in merged.shipments] == [sorted([a, b, c])]
    assert ws.orders.auto_merge().shipments == ()  # already so

    assert ws.orders.unmerge([c]) == [c]
    with pytest.raises(UsageError):
        ws.orders.merge([a, d])  # different receivers
    again = ws.orders.merge([str(a), c])  # ids as text or numbers
    assert sorted(again.shipments[0][1]) == sorted([a, c])

    made = ws.orders.split([d], parcels=3)
    assert list(made) == [str(d)] and len(made[str(d)]) == 3
    assert _parcels(store, d) == 3
    # all or none: the second order is merged with another, so the first is not split either
    with pytest.raises(UsageError):
        ws.orders.split([e, a])
    assert _parcels(store, e) == 0
    assert len(ws.orders.split([e])[str(e)]) == 2 and _parcels(store, e) == 2


def test_workspace_methods_hand_back_no_orm_objects(ws: Any, tmp_path: Path) -> None:
    from app.store.models import Base

    _import(ws, tmp_path, gen.taobao_rows(4))
    values: list[Any] = [
        ws.orders.shops(),
        ws.orders.list_orders(_filter()),
        ws.orders.rows(ws.orders.ready_ids()),
        ws.orders.first_ids(_filter()),
    ]

    def walk(value: Any) -> None:
        assert not isinstance(value, Base), value
        if isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))

    walk(values)
