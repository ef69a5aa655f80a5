"""Privacy in lists, exports and logs: the window's order list masks every phone unless the station asks for full
numbers; a shop that masks stays masked everywhere (``orders --json`` too); a number is never masked twice; the
log never holds a full mobile number."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.orders.privacy import Privacy, RedactingFilter, is_masked, mask_name, mask_phone, redact
from app.orders.values import OrderFilter
from app.store.models import Order, Shop
from tests.printing.support import make_parcels


def settings(store: Any, shop: str, **values: Any) -> None:
    with store.session() as s:
        row = s.scalar(select(Shop).where(Shop.name == shop))
        row.settings = {**(row.settings or {}), **values}


@pytest.fixture
def two_shops(workspace: Any, store: Any) -> Any:
    """testshop (3 orders, 13812345678 / 张三) and 隐私店 (1 order, 13912345678 / 李四, masks phones and names)."""
    make_parcels(store, 3)
    with store.session() as s:
        shop = Shop(name="隐私店", platform="pdd", settings={"mask_phone": True, "mask_name": True})
        s.add(shop)
        s.flush()
        s.add(Order(shop_id=shop.id, platform_order_id="P1", status="paid", receiver_name="李四",
                    receiver_phone="13912345678", province="北京市", city="北京市", district="朝阳区",
                    address="建国路 1 号"))  # fmt: skip
        s.add(Order(shop_id=shop.id, platform_order_id="P2", status="paid", receiver_name="王**",
                    receiver_phone="133****3383", province="北京市", city="北京市", district="朝阳区",
                    address="建国路 2 号"))  # fmt: skip
    return workspace


def phones(rows: list[Any]) -> dict[str, tuple[str, str]]:
    return {r.platform_order_id: (r.receiver_phone, r.receiver_name) for r in rows}


def test_lists_mask_phones_by_default_and_the_shop_wins(two_shops: Any, data_dir: Any) -> None:
    ws = two_shops
    shown = phones(ws.orders.list_orders(OrderFilter()))
    assert shown["T00000001"] == ("138****5678", "张三")
    assert shown["P1"] == ("139****5678", "李**")
    assert shown["P2"] == ("133****3383", "王**")  # already masked: left as it came
    ids = [r.id for r in ws.orders.list_orders(OrderFilter())]
    assert phones(ws.orders.rows(ids)) == shown

    full = phones(ws.orders.list_orders(OrderFilter(), full_phones=True))
    assert full["T00000001"] == ("13812345678", "张三")
    assert full["P1"] == ("139****5678", "李**")  # the shop masks: full numbers do not undo it

    # the station's preference: saved, and read again by another workspace on the same data directory
    assert ws.orders.full_phones() is False
    assert ws.orders.show_full_phones(True) is True
    assert phones(ws.orders.rows(ids)) == full
    from app.workspace import Workspace

    again = Workspace(ws._ctx.store, data_dir)
    assert again.orders.full_phones() is True and phones(again.orders.rows(ids)) == full
    again.orders.show_full_phones(False)
    assert phones(Workspace(ws._ctx.store, data_dir).orders.rows(ids)) == shown


def test_orders_json_masks_only_where_the_shop_says(two_shops: Any, kd: Any) -> None:
    body = kd("orders", "--json").json
    by_number = {o["platform_order_id"]: (o["receiver_phone"], o["receiver_name"]) for o in body["orders"]}
    assert by_number["T00000001"] == ("13812345678", "张三")
    assert by_number["P1"] == ("139****5678", "李**")
    assert by_number["P2"] == ("133****3383", "王**")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "+86 138****5678"),
        ("13812345678-1234", "138****5678-1234"),
        ("0571-88886666", "****-****6666"),
        ("133****3383", "133****3383"),
        ("133＊＊＊＊3383", "133＊＊＊＊3383"),
        ("", ""),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"), [("张三", "张**"), ("欧阳娜娜", "欧**"), ("张**", "张**"), ("Alice", "A**"), ("", "")]
)
def test_mask_name(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


@given(st.text(alphabet="0123456789+-* 转", max_size=20))
def test_masking_twice_changes_nothing(text: str) -> None:
    once = mask_phone(text)
    assert mask_phone(once) == once
    assert mask_name(mask_name(text)) == mask_name(text)
    if sum(c.isdigit() for c in text) > 4:  # more than the 4 digits kept: something is hidden
        assert is_masked(once)


def test_the_rule_is_shop_or_printer() -> None:
    assert Privacy.of({"mask_phone": True}) | Privacy.of({"mask_name": True}) == Privacy(True, True)
    assert not Privacy.of(None) and not Privacy.of({})


def test_the_log_never_holds_a_full_mobile(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("call 13812345678 or 0571-88886666, ref 913812345678") == (
        "call 138****5678 or 0571-88886666, ref 913812345678"
    )
    log = logging.getLogger("kuaidan.test-privacy")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        log.warning("receiver %s refused", "13812345678")
        try:
            raise ValueError("bad phone 13912345678")
        except ValueError:
            log.exception("import failed")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "13812345678" not in caplog.text and "138****5678" in caplog.text
    assert "13912345678" not in caplog.text and "139****5678" in caplog.text


def test_the_crash_log_masks_mobiles(data_dir: Any) -> None:
    from app.crashlog import write_crash

    try:
        raise RuntimeError("label for 13812345678 failed")
    except RuntimeError as exc:
        path = write_crash(exc, data_dir)
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert "138****5678" in text and "13812345678" not in text


def test_exports_notices_and_packing_lists_hide_names_where_the_shop_says(store: Any) -> None:
    from app.clock import utcnow
    from app.labels.rendering import packing_entries
    from app.store.models import Anomaly
    from app.tracking.notify import notices_for
    from app.tracking.views import list_anomalies

    parcels = make_parcels(store, 2)
    with store.session() as s:
        s.get(Order, parcels[1].order_id).buyer_message = "到了打 13912345678"
        ids = []
        for p in parcels:
            anomaly = Anomaly(kind="stalled", order_id=p.order_id, shipment_id=p.shipment_id)
            s.add(anomaly)
            s.flush()
            ids.append(anomaly.id)

    def seen() -> tuple[set[str], set[str], set[str]]:
        with store.session() as s:
            rows = list_anomalies(s)
            entries = packing_entries(s, [p.platform_order_id for p in parcels])
            return (
                {r.receiver_name for r in rows},
                {e.receiver_name for e in entries},
                {e.remark for e in entries},
            )

    assert seen() == ({"张三"}, {"张三"}, {"", "到了打 13912345678"})
    settings(store, "testshop", mask_name=True, mask_phone=True)
    assert seen() == ({"张**"}, {"张**"}, {"", "到了打 139****5678"})
    with store.session() as s:
        notices = notices_for(s, ids, now=utcnow())
    assert {n.receiver for n in notices} == {"张**"} and {n.phone_masked for n in notices} == {"138****5678"}
