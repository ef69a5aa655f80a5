"""The ``anomalies`` commands for tickets: ``assign`` (to a person, a shop or customer service, with a due time and
a note), ``due``, ``note``, ``ticket`` (with its history), ``message`` (the buyer message; ``--send`` to the robot)
and ``escalate`` (the scheduled check for tickets past their due time). Registered by app/cli/tracking.py under
``anomalies``."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from app.cli.main import Context
from app.clock import utcnow
from app.errors import UsageError
from app.lang import say
from app.tracking.times import CHINA_TZ, china_iso, china_text

AddJson = Callable[[argparse.ArgumentParser], None]
_RELATIVE = re.compile(r"^\+(\d+(?:\.\d+)?)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def register_actions(actions: Any, add_json: AddJson) -> None:
    anomaly_id = say("异常编号", "the anomaly's id")
    note = say("备注", "a note")
    q = actions.add_parser("assign", help=say("指派给某人、某个店铺或客服（工单）",
                                              "assign to a person, a shop or customer service (a ticket)"))  # fmt: skip
    q.add_argument("id", type=int, help=anomaly_id)
    q.add_argument("assignee", nargs="?", default=None, help=say("某人的名字（'' 取消指派）", "a person's name ('' unassigns)"))
    q.add_argument("--to", default=None, metavar=say("类型:名字", "KIND:NAME"),
                   help=say("person:名字、shop:名字 或 customer_service[:名字]（可简写为 cs）",
                            "person:NAME, shop:NAME or customer_service[:NAME] (cs for short)"))  # fmt: skip
    q.add_argument("--due", default=None, metavar=say("时间", "WHEN"),
                   help=say("截止时间：+4h、+30m、+2d 或北京时间 'YYYY-MM-DD HH:MM'；none 清除",
                            "due time: +4h, +30m, +2d, or 'YYYY-MM-DD HH:MM' Beijing time; 'none' clears it"))  # fmt: skip
    q.add_argument("--note", default="", help=note)
    add_json(q)
    q.set_defaults(handler=cmd_assign)

    q = actions.add_parser("due", help=say("设置或清除（none）工单的截止时间", "set or clear (none) a ticket's due time"))
    q.add_argument("id", type=int, help=anomaly_id)
    q.add_argument("when", metavar=say("时间", "WHEN"),
                   help=say("+4h、+30m、+2d、北京时间 'YYYY-MM-DD HH:MM'，或 none", "+4h, +30m, +2d, 'YYYY-MM-DD HH:MM' Beijing time, or none"))  # fmt: skip
    q.add_argument("--note", default="", help=note)
    add_json(q)
    q.set_defaults(handler=cmd_due)

    q = actions.add_parser("note", help=say("给工单加一条备注", "add a note to a ticket"))
    q.add_argument("id", type=int, help=anomaly_id)
    q.add_argument("text", help=say("备注内容", "the note"))
    add_json(q)
    q.set_defaults(handler=cmd_note)

    q = actions.add_parser("ticket", help=say("工单及其历史", "a ticket with its history"))
    q.add_argument("id", type=int, help=anomaly_id)
    add_json(q)
    q.set_defaults(handler=cmd_ticket)

    q = actions.add_parser("message", help=say("给买家的现成话术", "the ready-made message for the buyer"))
    q.add_argument("id", type=int, help=anomaly_id)
    q.add_argument("--lang", dest="message_lang", choices=("zh", "en"), default=None,
                   help=say("话术的语言（默认：界面语言）", "the message's language (default: the command's)"))  # fmt: skip
    q.add_argument("--send", action="store_true", help=say("同时发送到已配置的机器人", "send it to the configured robot too"))
    add_json(q)
    q.set_defaults(handler=cmd_message)

    q = actions.add_parser("escalate", help=say("升级已超过截止时间的工单（只通知一次）",
                                                "escalate the tickets past their due time (tell once)"))  # fmt: skip
    add_json(q)
    q.set_defaults(handler=cmd_escalate)


def parse_due(text: str, *, now: datetime) -> datetime | None:
    """A due time as naive UTC: ``+4h`` / ``+30m`` / ``+2d`` from ``now``, or a Beijing time; ``none`` / "" is None."""
    value = text.strip()
    if value.lower() in ("", "none", "无"):
        return None
    match = _RELATIVE.match(value.lower())
    if match:
        return now + timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"无法识别的时间：{text}（例如 +4h 或 2026-12-06 18:00）",
            f"not a time: {text} (e.g. +4h or 2026-12-06 18:00)",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ).replace(tzinfo=None) - timedelta(hours=8)


def _change_json(change: Any, ticket: Any) -> dict[str, Any]:
    return {
        "id": change.id,
        "kind": change.kind,
        "state": change.state,
        "assignee": change.assignee,
        "assignee_kind": ticket.assignee_kind,
        "due_at": china_iso(ticket.due_at),
        "overdue": ticket.overdue,
    }


def _done(ctx: Context, change: Any) -> int:
    ticket = ctx.workspace.tickets.ticket(change.id)
    payload = _change_json(change, ticket)
    due = f" · due {china_text(ticket.due_at)}" if ticket.due_at else ""
    who = f" → {ticket.assignee_kind}:{change.assignee}" if ticket.assignee_kind else ""
    ctx.emit(payload, f"#{change.id} {change.kind}: {change.state}{who}{due}")
    return 0


def cmd_assign(ctx: Context) -> int:
    from app.tracking.tickets import KEEP, parse_assignee

    a = ctx.args
    if a.to is not None and a.assignee is not None:
        raise UsageError("请只用 --to 或名字其中之一", "give either --to or a name, not both")
    if a.to is None and a.assignee is None:
        raise UsageError("请给出处理人：名字或 --to 类型:名字（'' 取消指派）",
                         "name the assignee: a name or --to KIND:NAME ('' unassigns)")  # fmt: skip
    kind, name = parse_assignee(a.to if a.to is not None else a.assignee or "")
    due = KEEP if a.due is None else parse_due(a.due, now=utcnow())
    return _done(ctx, ctx.workspace.tickets.assign(a.id, kind, name, due_at=due, note=a.note))


def cmd_due(ctx: Context) -> int:
    a = ctx.args
    return _done(ctx, ctx.workspace.tickets.set_due(a.id, parse_due(a.when, now=utcnow()), note=a.note))


def cmd_note(ctx: Context) -> int:
    return _done(ctx, ctx.workspace.tickets.add_note(ctx.args.id, ctx.args.text))


def cmd_ticket(ctx: Context) -> int:
    t = ctx.workspace.tickets.ticket(ctx.args.id)
    payload = {
        "id": t.id,
        "kind": t.kind,
        "state": t.state,
        "assignee_kind": t.assignee_kind,
        "assignee": t.assignee,
        "due_at": china_iso(t.due_at),
        "overdue": t.overdue,
        "escalated_at": china_iso(t.escalated_at),
        "note": t.note,
        "history": [
            {
                "at": china_iso(h.at),
                "action": h.action,
                "by": h.by,
                "station": h.station,
                "assignee_kind": h.assignee_kind,
                "assignee": h.assignee,
                "due_at": china_iso(h.due_at),
                "note": h.note,
            }
            for h in t.history
        ],
    }

    def human() -> str:
        head = f"#{t.id} {t.kind} {t.state} · {t.assignee_kind or '-'}:{t.assignee or '-'}"
        if t.due_at:
            head += f" · due {china_text(t.due_at)}" + (" (OVERDUE)" if t.overdue else "")
        lines = [head]
        for h in t.history:
            lines.append(f"  {china_text(h.at)}\t{h.action}\t{h.by}\t{h.assignee}\t{h.note}".rstrip())
        return "\n".join(lines)

    ctx.emit(payload, human)
    return 0


def cmd_message(ctx: Context) -> int:
    from app.cli.tracking import _lang

    a = ctx.args
    lang = a.message_lang or _lang(ctx)
    tickets = ctx.workspace.tickets
    message = tickets.send_message(a.id, lang) if a.send else tickets.message(a.id, lang)
    payload = {
        "id": message.anomaly_id,
        "lang": message.lang,
        "text": message.text,
        "sent": bool(a.send),
        "facts": {
            "order": message.order,
            "carrier": message.carrier,
            "waybill": message.waybill,
            "status": message.status,
            "last_trace": message.last_trace,
            "last_trace_at": message.last_trace_at,
            "action": message.action,
        },
    }
    ctx.emit(payload, message.text)
    return 0


def cmd_escalate(ctx: Context) -> int:
    from app.tracking.notices import StderrNotifier

    notices = ctx.workspace.tickets.escalate(notifier=StderrNotifier())
    ctx.emit(
        {"escalated": [n.id for n in notices]},
        say(f"已升级 {len(notices)} 个工单", f"escalated {len(notices)}") if notices
        else say("没有超时的工单", "no ticket is past its due time"),
    )
    return 0
