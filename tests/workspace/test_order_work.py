"""Order work through the workspace: sorting by any column in SQL, search by waybill and city, the printed view, the
new columns, hold and release, the receiver before a waybill, the seller's flag, merge suggestions, cancelling a
waybill with a reason (against the sandbox carrier over HTTP), and the order's timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import UsageError
from app.orders.values import SORT_KEYS, OrderFilter
from app.orders.work_values import Receiver
from tests.printing.support import make_parcels
from tests.waybills.support import workspace as seed
from tests.workspace.orders_seed import T0, add_orders


def _ids(workspace: Any, **flt: Any) -> list[int]:
    return [r.id for r in workspace.orders.list_orders(OrderFilter(**flt))]


def _all_batches(workspace: Any, flt: OrderFilter) -> list[int]:
    ids, following = workspace.orders.first_ids(flt)
    out = list(ids)
    while following is not None:
        ids, following = workspace.orders.more_ids(flt, following)
        out.extend(ids)
    return out


def test_every_column_sorts_in_the_database_both_ways(workspace: Any, store: Any, monkeypatch: Any) -> None:
    from app.orders import values

    parcels = make_parcels(store, 3)  # issued waybills; the first is printed below
    ids = add_orders(store, [
        {"total_amount": 30, "buyer_message": "b", "seller_remark": "z", "paid_at": T0 + timedelta(hours=3)},
        {"total_amount": 5, "buyer_message": "c", "seller_remark": "a", "paid_at": T0 + timedelta(hours=1)},
        {"total_amount": 12, "buyer_message": "a", "seller_remark": "m", "paid_at": T0 + timedelta(hours=2)},
    ])  # fmt: skip
    from app.store.models import Shipment

    with store.session() as s:
        s.get(Shipment, parcels[0].shipment_id).printed_at = T0  # type: ignore[union-attr]
    workspace.orders.set_flag([ids[2]], "red")
    workspace.orders.set_flag([ids[0]], "blue")
    # no amount is the smallest: first going up, last going down
    assert _ids(workspace, sort="amount") == [*sorted(p.order_id for p in parcels), ids[1], ids[2], ids[0]]
    assert _ids(workspace, sort="amount", descending=True)[:3] == [ids[0], ids[2], ids[1]]
    assert _ids(workspace, sort="paid_at")[-3:] == [ids[1], ids[2], ids[0]]
    assert _ids(workspace, sort="buyer_message")[-3:] == [ids[2], ids[0], ids[1]]
    assert _ids(workspace, sort="seller_remark", descending=True)[:3] == [ids[0], ids[2], ids[1]]
    assert _ids(workspace, sort="flag", descending=True)[:2] == [ids[2], ids[0]]  # red > blue
    assert _ids(workspace, sort="printed", descending=True)[0] == parcels[0].order_id
    waybills = [p.order_id for p in sorted(parcels, key=lambda p: p.waybill_no, reverse=True)]
    assert _ids(workspace, sort="waybill", descending=True)[:3] == waybills
    for key in SORT_KEYS:  # each key is SQL the database runs, both ways, and every order is listed once
        for descending in (False, True):
            listed = _ids(workspace, sort=key, descending=descending)
            assert sorted(listed) == sorted([*ids, *(p.order_id for p in parcels)]), key
    with pytest.raises(UsageError):
        _ids(workspace, sort="nosuch")
    # a sorted list comes in batches too: the first screenful, then the rest, each id once, in the same order
    monkeypatch.setattr(values, "FIRST_BATCH", 2)
    monkeypatch.setattr(values.IdBatch.__init__, "__defaults__", ("rest", None, 2, 0))
    flt = OrderFilter(sort="amount", descending=True)
    first, following = workspace.orders.first_ids(flt)
    assert len(first) == 2 and following is not None and following.offset == 2
    assert _all_batches(workspace, flt) == _ids(workspace, sort="amount", descending=True)


def test_search_by_waybill_number_and_by_city(workspace: Any, store: Any) -> None:
    parcels = make_parcels(store, 3)  # waybills 700000000001 …, receivers in 深圳市
    ids = add_orders(store, [{"city": "成都市"}, {"city": "杭州市", "platform_waybill": "SF1234567890"}])
    number = parcels[1].waybill_no
    for flt in (OrderFilter(search=number), OrderFilter(search=number, sort="amount")):
        assert _all_batches(workspace, flt) == [parcels[1].order_id]
    prefix = number[:-1]  # the first digits of a number find every waybill that starts with them
    assert sorted(_all_batches(workspace, OrderFilter(search=prefix))) == sorted(p.order_id for p in parcels)
    assert _all_batches(workspace, OrderFilter(search="成都")) == [ids[0]]
    assert sorted(_all_batches(workspace, OrderFilter(search="深圳市"))) == sorted(
        p.order_id for p in parcels
    )
    assert _all_batches(workspace, OrderFilter(search="SF1234567890")) == [
        ids[1]
    ]  # the platform's own number


def test_rows_carry_amount_messages_flag_and_the_printed_view(workspace: Any, store: Any) -> None:
    parcels = make_parcels(store, 2)
    (order,) = add_orders(
        store, [{"buyer_message": "请周末送", "seller_remark": "送小礼品", "total_amount": 59.8}]
    )
    workspace.orders.set_flag([order], "green")
    (row,) = workspace.orders.rows([order])
    assert (row.amount, row.buyer_message, row.seller_remark, row.flag) == (
        "59.80",
        "请周末送",
        "送小礼品",
        "green",
    )
    from app.store.models import Shipment

    with store.session() as s:
        s.get(Shipment, parcels[0].shipment_id).printed_at = T0  # type: ignore[union-attr]
    assert _ids(workspace, status="printed") == [parcels[0].order_id]
    assert _ids(workspace, status="unprinted") == [parcels[1].order_id]
    assert workspace.orders.set_flag([order], "green") == []  # unchanged: nothing written
    with pytest.raises(UsageError):
        workspace.orders.set_flag([order], "black")


def test_hold_and_release_need_a_reason_and_show_in_the_timeline(workspace: Any, store: Any) -> None:
    a, b = add_orders(store, [{}, {}])
    with pytest.raises(UsageError):
        workspace.orders.hold([a], "  ")
    assert workspace.orders.hold([a, b], "买家要求改地址") == [a, b]
    rows = workspace.orders.rows([a, b])
    assert all(r.on_hold and r.hold_reason == "买家要求改地址" for r in rows)
    assert _ids(workspace, status="ready") == []
    assert workspace.orders.release([a], "地址已确认") == [a]
    assert _ids(workspace, status="ready") == [a]
    kinds = [(e.kind, e.detail) for e in workspace.orders.detail(a).timeline]
    assert ("held", "买家要求改地址") in kinds and ("released", "地址已确认") in kinds
    order = [k for k, _ in kinds]
    assert order.index("ordered") < order.index("paid") < order.index("held") < order.index("released")


def test_the_receiver_is_edited_only_before_a_waybill(workspace: Any, store: Any) -> None:
    parcels = make_parcels(store, 1)
    (order,) = add_orders(store, [{"merge_key": "M1"}])
    current = workspace.orders.receiver(order)
    assert current.phone == "13800000000"  # in full, to edit
    new = Receiver("王五", "13912345678", "四川省", "成都市", "武侯区", "科华北路 1 号")
    assert workspace.orders.edit_receiver(order, new) == new
    (row,) = workspace.orders.rows([order])
    assert (row.receiver_name, row.city, row.address) == ("王五", "成都市", "科华北路 1 号")
    with pytest.raises(UsageError, match=r"运单|waybill"):
        workspace.orders.edit_receiver(parcels[0].order_id, new)
    with pytest.raises(UsageError):
        workspace.orders.edit_receiver(order, Receiver("", "", "", "", "", ""))
    assert any(e.kind == "receiver_edited" for e in workspace.orders.detail(order).timeline)


def test_merge_suggestions_find_the_partners_of_the_selection(workspace: Any, store: Any) -> None:
    same = {"receiver_name": "赵六", "receiver_phone": "13700001111", "address": "学院路 8 号"}
    a, b, c, other = add_orders(store, [same, same, same, {}])
    (held,) = add_orders(store, [{**same, "on_hold": True, "hold_reason": "x"}])
    (elsewhere,) = add_orders(store, [same], shop="店B")  # another shop: never merged with these
    (suggestion,) = workspace.orders.merge_suggestions([a])
    assert (
        suggestion.order_ids == (a, b, c) and suggestion.shop == "店A" and suggestion.receiver_name == "赵六"
    )
    assert held not in suggestion.order_ids and elsewhere not in suggestion.order_ids
    assert workspace.orders.merge_suggestions([other]) == []
    workspace.orders.merge(list(suggestion.order_ids))
    assert workspace.orders.merge_suggestions([a]) == []  # already merged exactly so
    detail = workspace.orders.detail(a)
    assert set(detail.merged_with) == {r.platform_order_id for r in workspace.orders.rows([b, c])}
    merged = [e for e in detail.timeline if e.kind == "merged"]
    assert merged and "P0002" in merged[0].detail


def test_cancel_a_waybill_with_a_reason_and_the_whole_timeline(
    kd: Any, workspace: Any, store: Any, tmp_path: Path, sandbox: Any
) -> None:
    seed(kd, tmp_path, n=2, endpoint=sandbox.endpoint)
    order = _ids(workspace)[0]
    report = workspace.waybills.issue("sf", [order])
    assert report.issued == 1
    (row,) = workspace.orders.rows([order])
    number = row.waybill
    with pytest.raises(UsageError):
        workspace.orders.cancel_waybills(order, "")
    assert workspace.orders.cancel_waybills(order, "买家取消了") == [number]
    (row,) = workspace.orders.rows([order])
    assert row.waybill == "" and row.waybill_state == "cancelled"
    with pytest.raises(UsageError):
        workspace.orders.cancel_waybills(order, "again")
    timeline = workspace.orders.detail(order).timeline
    kinds = [e.kind for e in timeline]
    assert kinds.index("imported") < kinds.index("waybill_issued") < kinds.index("waybill_cancelled")
    assert any(e.kind == "waybill_cancelled" and "买家取消了" in e.detail for e in timeline)
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)


def test_the_timeline_shows_printing_and_tracking(workspace: Any, store: Any) -> None:
    from app.store.models import Printer, PrintJob, TrackingEvent, Waybill

    parcel = make_parcels(store, 1)[0]
    with store.session() as s:
        printer = Printer(name="热敏1", uri="file:///dev/null", language="tspl")
        s.add(printer)
        s.flush()
        s.add(PrintJob(printer_id=printer.id, shipment_id=parcel.shipment_id, state="done", created_at=T0,
                       done_at=T0 + timedelta(seconds=5)))  # fmt: skip
        waybill = s.scalar(select(Waybill).where(Waybill.waybill_no == parcel.waybill_no))
        assert waybill is not None
        s.add(TrackingEvent(waybill_id=waybill.id, event_key="k1", occurred_at=T0 + timedelta(hours=5),
                            station="【杭州】已揽收", action="picked_up"))  # fmt: skip
    detail = workspace.orders.detail(parcel.order_id)
    kinds = [(e.kind, e.detail) for e in detail.timeline]
    assert ("print_queued", "热敏1") in kinds and ("printed", "热敏1") in kinds
    assert ("tracking", "【杭州】已揽收") in kinds
    assert detail.row.platform_order_id == parcel.platform_order_id and detail.parcels == 1


def test_sorting_and_searching_agree_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The same SQL on PostgreSQL: every key both ways (empty values smallest there too), the flag out of JSON,
    a waybill's first digits."""
    from tests.stations.support import open_station

    ws = open_station(pg_url, tmp_path / "pg")
    try:
        store = ws._ctx.store
        parcels = make_parcels(store, 2)
        ids = add_orders(store, [{"total_amount": 30}, {"total_amount": 5}])
        ws.orders.set_flag([ids[1]], "red")
        everyone = sorted([*ids, *(p.order_id for p in parcels)])
        for key in SORT_KEYS:
            for descending in (False, True):
                assert sorted(_ids(ws, sort=key, descending=descending)) == everyone, key
        assert _ids(ws, sort="amount") == [*sorted(p.order_id for p in parcels), ids[1], ids[0]]
        assert _ids(ws, sort="flag", descending=True)[0] == ids[1]
        prefix = parcels[0].waybill_no[:-1]
        assert sorted(_all_batches(ws, OrderFilter(search=prefix))) == sorted(p.order_id for p in parcels)
    finally:
        ws.close()


def test_a_reimport_of_changed_orders_keeps_what_a_person_decided(workspace: Any, tmp_path: Path) -> None:
    from tests.exportgen import taobao_rows, write_csv

    workspace.orders.add_shop("淘宝店", "taobao")
    rows = taobao_rows(4)
    first = write_csv(tmp_path / "first.csv", rows, encoding="gb18030")
    assert workspace.orders.import_file(first, "淘宝店").imported == 4
    by_number = {r.platform_order_id: r.id for r in workspace.orders.list_orders(OrderFilter(shop="淘宝店"))}
    held, moved, flagged, untouched = (by_number[str(3_700_000_000_000_000_000 + i)] for i in range(4))
    workspace.orders.hold([held], "买家要求改地址")
    workspace.orders.edit_receiver(moved, Receiver("王五", "13912345678", "四川省", "成都市", "武侯区", "科华北路 1 号"))
    workspace.orders.set_flag([flagged], "red")
    for row in rows[1:]:
        row[4] = "改了留言"  # the seller centre's next export: every order changed
    second = write_csv(tmp_path / "second.csv", rows, encoding="gb18030")
    assert workspace.orders.import_file(second, "淘宝店").updated == 4
    after = {r.id: r for r in workspace.orders.rows([held, moved, flagged, untouched], full_phones=True)}
    assert all(r.buyer_message == "改了留言" for r in after.values())  # the file's news landed
    assert after[held].on_hold and after[held].hold_reason == "买家要求改地址"
    assert (after[moved].receiver_name, after[moved].city) == ("王五", "成都市")
    assert after[flagged].flag == "red"
    assert not after[untouched].on_hold and after[untouched].flag == ""
    workspace.orders.release([held], "地址已确认")
    assert workspace.orders.import_file(second, "淘宝店").unchanged == 4
    assert not workspace.orders.rows([held])[0].on_hold
