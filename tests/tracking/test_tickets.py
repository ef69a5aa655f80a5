"""Anomaly tickets: assigned to a person, a shop or customer service with a due time and notes, every change in the
history; a ticket past its due time escalates once (told through the notify path, coloured in the list); the buyer
message in Chinese and English with the parcel's facts, copied or sent to the robot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.carriers.sandbox.server import SandboxServer
from app.errors import UsageError
from app.store.engine import Store
from app.store.models import Anomaly
from app.tracking import evaluate, poll_due
from app.tracking.lifecycle import AnomalyClosed
from app.tracking.notices import AnomalyNotice, QuietHours
from app.tracking.notify import save_quiet, save_webhook
from app.tracking.service import evaluate_and_notify
from app.tracking.tickets import parse_assignee
from app.tracking.views import list_anomalies
from tests.tracking.support import add_unprinted_order, issue_parcel, make_world, sandbox_now
from tests.tracking.test_notify import Robot, robot, wait_for

__all__ = ["robot"]  # the fixture, imported for the tests below


class Told:
    def __init__(self) -> None:
        self.notices: list[AnomalyNotice] = []

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        self.notices.extend(notices)


def _late_order(store: Store, sandbox: SandboxServer) -> tuple[int, datetime]:
    """One ship_late anomaly (a paid order not printed 49 h after payment); its id and the time it was found."""
    world = make_world(store, sandbox)
    start = sandbox_now(sandbox)
    add_unprinted_order(store, world, paid_at=start)
    now = start + timedelta(hours=49)
    assert evaluate(store, now).opened_by_kind == {"ship_late": 1}
    with store.session() as s:
        return s.scalars(select(Anomaly.id)).one(), now


def test_assignee_kinds_are_read_from_the_command_line() -> None:
    assert parse_assignee("小王") == ("person", "小王")
    assert parse_assignee("person:小王") == ("person", "小王")
    assert parse_assignee("shop:旗舰店") == ("shop", "旗舰店")
    assert parse_assignee("店铺：旗舰店") == ("shop", "旗舰店")
    assert parse_assignee("cs") == ("customer_service", "")
    assert parse_assignee("customer_service:小李") == ("customer_service", "小李")
    assert parse_assignee("") == ("", "")
    with pytest.raises(UsageError):
        parse_assignee("vendor:someone")  # a mistyped kind, not a name
    with pytest.raises(UsageError):
        parse_assignee("shop:")


def test_assignment_to_a_shop_with_due_time_and_notes_is_in_the_history(
    store: Store, sandbox: SandboxServer, workspace: Any
) -> None:
    anomaly_id, now = _late_order(store, sandbox)
    tickets = workspace.tickets
    change = tickets.assign(anomaly_id, "shop", "旗舰店", due_at=now + timedelta(hours=4), note="请商家补货")
    assert (change.assignee, change.state) == ("旗舰店", "open")
    tickets.add_note(anomaly_id, "商家说明天发")
    tickets.assign(anomaly_id, "customer_service", "", note="转客服安抚买家")  # the due time stays
    tickets.set_due(anomaly_id, now + timedelta(hours=8))
    workspace.tracking.acknowledge(anomaly_id)
    ticket = tickets.ticket(anomaly_id, now=now)
    assert (ticket.assignee_kind, ticket.assignee, ticket.due_at) == (
        "customer_service", "", now + timedelta(hours=8)
    )  # fmt: skip
    assert not ticket.overdue and ticket.escalated_at is None
    assert ticket.note == "请商家补货\n商家说明天发\n转客服安抚买家"
    assert [(h.action, h.assignee_kind, h.assignee, h.due_at, h.note) for h in ticket.history] == [
        ("assign", "shop", "旗舰店", now + timedelta(hours=4), "请商家补货"),
        ("note", "", "", None, "商家说明天发"),
        ("assign", "customer_service", "", None, "转客服安抚买家"),
        ("due", "", "", now + timedelta(hours=8), ""),
        ("acknowledge", "", "", None, ""),
    ]
    # the old assign (a person's name) still works and says it is a person
    workspace.tracking.assign(anomaly_id, "小王")
    assert tickets.ticket(anomaly_id, now=now).assignee_kind == "person"
    with pytest.raises(UsageError):
        tickets.assign(anomaly_id, "shop", "")  # a shop needs its name
    with pytest.raises(UsageError):
        tickets.add_note(anomaly_id, "  ")
    workspace.tracking.resolve(anomaly_id)
    with pytest.raises(AnomalyClosed):
        tickets.assign(anomaly_id, "person", "小李")


def test_an_overdue_ticket_escalates_once_is_coloured_and_a_new_due_time_escalates_again(
    store: Store, sandbox: SandboxServer, workspace: Any
) -> None:
    anomaly_id, now = _late_order(store, sandbox)
    workspace.tickets.assign(anomaly_id, "person", "小王", due_at=now + timedelta(hours=2))
    told = Told()
    _, notified = evaluate_and_notify(store, now + timedelta(hours=1), told)
    assert notified == 0 and told.notices == []  # not due yet
    with store.session() as s:
        [row] = list_anomalies(s, now=now + timedelta(hours=1))
        assert not row.overdue
        [row] = list_anomalies(s, now=now + timedelta(hours=2, minutes=1))
        assert row.overdue and row.escalated_at is None  # coloured the moment it passes, before anyone is told

    later = now + timedelta(hours=3)
    _, notified = evaluate_and_notify(store, later, told)
    assert notified == 1
    [notice] = told.notices
    assert notice.id == anomaly_id and notice.escalated and notice.assignee == "小王"
    assert "工单超时" in notice.text() and "小王" in notice.text()
    _, notified = evaluate_and_notify(store, later + timedelta(hours=1), told)
    assert notified == 0 and len(told.notices) == 1  # told once
    assert workspace.tickets.escalate(now=later + timedelta(hours=1)) == ()
    ticket = workspace.tickets.ticket(anomaly_id, now=later)
    assert ticket.overdue and ticket.escalated_at == later
    assert ticket.history[-1].action == "escalate" and ticket.history[-1].by == "auto"

    # a new due time: passing it is news again
    workspace.tickets.set_due(anomaly_id, later + timedelta(hours=2))
    assert not workspace.tickets.ticket(anomaly_id, now=later).overdue
    escalated = workspace.tickets.escalate(now=later + timedelta(hours=3), notifier=told)
    assert [n.id for n in escalated] == [anomaly_id] and len(told.notices) == 2


def test_escalation_waits_for_the_quiet_hours_to_end(
    store: Store, sandbox: SandboxServer, workspace: Any
) -> None:
    anomaly_id, _ = _late_order(store, sandbox)
    night = datetime(2030, 1, 1, 16, 0)  # 00:00 in China
    workspace.tickets.assign(anomaly_id, "shop", "旗舰店", due_at=night - timedelta(hours=1))
    with store.session() as s:
        save_quiet(s, QuietHours(22, 8))
    told = Told()
    evaluate_and_notify(store, night, told)
    assert told.notices == [] and workspace.tickets.escalate(now=night, notifier=told) == ()
    evaluate_and_notify(store, night + timedelta(hours=9), told)  # 09:00: told now
    assert [(n.id, n.assignee) for n in told.notices] == [(anomaly_id, "店铺：旗舰店")]


@pytest.mark.timeout(60)
def test_buyer_message_in_chinese_and_english_with_the_parcel_facts_sent_to_the_robot(
    store: Store, sandbox: SandboxServer, data_dir: Path, workspace: Any, robot: Robot
) -> None:
    world = make_world(store, sandbox)
    parcel = issue_parcel(store, sandbox, world, "delivery_failed")
    sandbox.advance(timedelta(hours=39, minutes=30))
    now = sandbox_now(sandbox)
    poll_due(store, now=now, data_directory=data_dir)
    evaluate(store, now)
    [row] = workspace.tracking.anomalies()
    assert row.kind == "delivery_failed"
    timeline = workspace.tracking.timeline(parcel.waybill_id)
    last = timeline.events[0]

    zh = workspace.tickets.message(row.id, "zh")
    assert (zh.order, zh.waybill, zh.carrier, zh.status) == (
        parcel.platform_order_id, parcel.waybill_no, "圆通速递", "派送失败"
    )  # fmt: skip
    assert zh.last_trace == last.station and zh.last_trace
    for fact in (parcel.platform_order_id, parcel.waybill_no, "圆通速递", "派送失败", last.station, "保持电话畅通"):
        assert fact in zh.text
    assert "13812345678" not in zh.text  # nothing of the phone
    en = workspace.tickets.message(row.id, "en")
    for fact in (parcel.platform_order_id, parcel.waybill_no, "YTO", "delivery failed", "keep your phone on"):
        assert fact in en.text
    with pytest.raises(UsageError):
        workspace.tickets.message(row.id, "fr")
    with pytest.raises(UsageError):
        workspace.tickets.send_message(row.id, "zh")  # no robot set up

    with store.session() as s:
        save_webhook(s, workspace._ctx.secrets, robot.url)
    sent = workspace.tickets.send_message(row.id, "zh")
    wait_for(robot, 1)
    assert robot.messages[0]["text"] == {"content": sent.text}
    assert workspace.tickets.ticket(row.id).history[-1].action == "message"


@pytest.mark.timeout(60)
def test_ticket_commands(kd: Any, store: Store, sandbox: SandboxServer) -> None:
    anomaly_id, _ = _late_order(store, sandbox)
    assigned = kd("anomalies", "assign", str(anomaly_id), "--to", "shop:旗舰店", "--due", "+2h", "--note", "补货",
                  "--json")  # fmt: skip
    assert assigned.status == 0, assigned.stderr
    body = assigned.json
    assert (body["id"], body["state"], body["assignee"], body["assignee_kind"]) == (
        anomaly_id, "open", "旗舰店", "shop"
    )  # fmt: skip
    assert body["due_at"].endswith("+08:00") and body["overdue"] is False
    # the old form: a person's name
    assert kd("anomalies", "assign", str(anomaly_id), "小王", "--json").json["assignee_kind"] == "person"
    assert kd("anomalies", "note", str(anomaly_id), "已催", "--json").status == 0
    assert kd("anomalies", "due", str(anomaly_id), "2020-01-01 09:00", "--json").json["overdue"] is True
    ticket = kd("anomalies", "ticket", str(anomaly_id), "--json").json
    assert [h["action"] for h in ticket["history"]] == ["assign", "assign", "note", "due"]
    assert ticket["history"][0]["assignee_kind"] == "shop" and ticket["history"][0]["note"] == "补货"
    assert ticket["due_at"] == "2020-01-01 09:00:00+08:00" and ticket["overdue"] is True
    listed = kd("anomalies", "--json").json["anomalies"]
    assert listed[0]["overdue"] is True and listed[0]["assignee_kind"] == "person"

    escalated = kd("anomalies", "escalate", "--json")
    assert escalated.json == {"escalated": [anomaly_id]} and "工单超时" in escalated.stderr
    assert kd("anomalies", "escalate", "--json").json == {"escalated": []}

    message = kd("anomalies", "message", str(anomaly_id), "--lang", "en", "--json").json
    assert message["lang"] == "en" and message["sent"] is False and "has not been shipped" in message["text"]
    assert set(message["facts"]) == {"order", "carrier", "waybill", "status", "last_trace", "last_trace_at",
                                     "action"}  # fmt: skip
    assert kd("anomalies", "message", str(anomaly_id), "--send", "--json").status == 2  # no robot
    assert kd("anomalies", "assign", str(anomaly_id), "--to", "vendor:x", "--json").status == 2
    assert kd("anomalies", "assign", str(anomaly_id), "--json").status == 2  # nobody named
    assert kd("anomalies", "due", str(anomaly_id), "tomorrow", "--json").status == 2
    assert kd("anomalies", "ticket", "999", "--json").status == 2


def test_escalation_on_postgresql_is_told_once_by_two_stations(pg_url: str, tmp_path: Path) -> None:
    from app.store.engine import open_store
    from app.store.models import Order, Shop
    from app.workspace import Workspace

    store = open_store(pg_url, tmp_path)
    try:
        start = datetime(2026, 12, 1, 0, 0)
        with store.session() as s:
            shop = Shop(name="旗舰店", platform="taobao")
            s.add(shop)
            s.flush()
            s.add(Order(shop_id=shop.id, platform_order_id="P1", status="paid", paid_at=start, imported_at=start))
        now = start + timedelta(hours=49)
        assert evaluate(store, now).opened_by_kind == {"ship_late": 1}
        one, two = Workspace(store, tmp_path), Workspace(store, tmp_path)
        with store.session() as s:
            anomaly_id = s.scalars(select(Anomaly.id)).one()
        one.tickets.assign(anomaly_id, "customer_service", "", due_at=now + timedelta(hours=1))
        later = now + timedelta(hours=2)
        told = [one.tickets.escalate(now=later), two.tickets.escalate(now=later)]
        assert sorted(len(t) for t in told) == [0, 1]
        assert [h.action for h in two.tickets.ticket(anomaly_id, now=later).history] == ["assign", "escalate"]
    finally:
        store.dispose()
