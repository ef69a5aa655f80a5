"""Commands for printing: ``printers add|list``, ``print``, ``reprint``, ``jobs``, ``confirm``, ``virtual-printer``.

``print`` and ``reprint`` block through a pause (paper out, head open, printer not answering) and go on by
themselves when the printer is ready; after ``--timeout`` they exit 1 and the unfinished jobs stay queued.
"""

from __future__ import annotations

import argparse
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from app.cli.main import CommandFailed, Context
from app.domain import JobState
from app.errors import UsageError
from app.lang import one, say
from app.printing.values import LANGUAGES, ROLES, Enqueued, QueueEvent, RunReport


def default_mark() -> str:
    return say("\t（默认）", "\t(default)")


AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    printers = sub.add_parser("printers", help=say("打印机", "printers"))
    printers_sub = printers.add_subparsers(dest="printers_command", required=True, metavar=say("操作", "ACTION"),
                                           help=say("要做的事", "what to do"))  # fmt: skip
    p = printers_sub.add_parser("add", help=say("添加（或修改）打印机", "add (or update) a printer"))
    p.add_argument("name", help=say("打印机名称", "the printer's name"))
    p.add_argument("--uri", required=True, help=say(
        "打印机地址：serial:///dev/ttyUSB0?baud=9600、tcp://主机:9100、usblp:///dev/usb/lp0、spool://队列、file:///路径",
        "where the printer is: serial:///dev/ttyUSB0?baud=9600, tcp://HOST:9100, usblp:///dev/usb/lp0, spool://QUEUE, "
        "file:///PATH",
    ))  # fmt: skip
    p.add_argument(
        "--language", required=True, choices=LANGUAGES, help=say("打印机语言", "the printer's language")
    )
    dpi = say("分辨率（每英寸点数，默认 203）", "resolution in dots per inch (default 203)")
    encoding = say("中文文字的编码（默认 gb18030）", "encoding of Chinese text (default gb18030)")
    p.add_argument("--dpi", type=int, default=203, help=dpi)
    p.add_argument("--encoding", default="gb18030", help=encoding)
    p.add_argument(
        "--template",
        default="100x180",
        help=say("面单模板（默认 100x180）", "label template (default 100x180)"),
    )
    p.add_argument("--offset-x", type=float, default=0.0,
                   help=say("每张标签向右移动的毫米数（校准）", "mm to move every label right (calibration)"))  # fmt: skip
    p.add_argument("--offset-y", type=float, default=0.0,
                   help=say("每张标签向下移动的毫米数（校准）", "mm to move every label down (calibration)"))  # fmt: skip
    p.add_argument("--role", default="label", choices=ROLES,
                   help=say("用途：label 面单，a4 A4 单据（默认 label）", "what it prints: label, or a4 sheets (default label)"))  # fmt: skip
    p.add_argument("--default", action="store_true",
                   help=say("设为本工作站此用途的默认打印机", "the default printer of its role at this station"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_printers_add)
    p = printers_sub.add_parser("list", help=say("列出打印机", "list printers"))
    add_json(p)
    p.set_defaults(handler=cmd_printers_list)

    printer = say(
        "打印机名称（默认：本工作站的面单打印机）", "printer name (default: this station's label printer)"
    )
    timeout = say(
        "等待 S 秒后放弃（退出码 1，剩余任务留在队列）",
        "give up after S seconds (exit 1; the rest stays queued)",
    )
    p = sub.add_parser(
        "print", help=say("通过打印队列打印面单", "print waybill labels through the print queue")
    )
    p.add_argument("--printer", default=None, help=printer)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--all-unprinted", action="store_true",
                       help=say("所有有运单、未打印的订单", "every order with a waybill not yet printed"))  # fmt: skip
    group.add_argument("orders", nargs="*", default=[], help=say("要打印的订单号", "the orders to print"))
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help=timeout)
    add_json(p)
    p.set_defaults(handler=cmd_print)

    p = sub.add_parser(
        "reprint",
        help=say("重新打印一个订单的面单（需写明原因）", "print an order's label again, with a reason"),
    )
    p.add_argument("order", help=say("订单号", "the order"))
    p.add_argument(
        "--reason", required=True, help=say("重打的原因（记入记录）", "why it is printed again (recorded)")
    )
    p.add_argument("--printer", default=None, help=printer)
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help=timeout)
    add_json(p)
    p.set_defaults(handler=cmd_reprint)

    p = sub.add_parser("jobs", help=say("打印任务记录", "print job history"))
    p.add_argument("--printer", default=None, help=say("只列出此打印机的任务", "only this printer's jobs"))
    p.add_argument("--state", action="append", default=None, choices=[s.value for s in JobState],
                   help=say("只列出此状态的任务（可重复）", "only jobs in this state (repeatable)"))  # fmt: skip
    p.add_argument(
        "--limit",
        type=int,
        default=200,
        help=say("最多列出几条（默认 200）", "list at most this many (default 200)"),
    )
    add_json(p)
    p.set_defaults(handler=cmd_jobs)

    p = sub.add_parser(
        "confirm",
        help=say(
            "确认未确认的标签已打印（有人看过）", "mark unconfirmed labels as printed (a person saw them)"
        ),
    )
    p.add_argument("jobs", nargs="*", type=int, help=say("任务编号", "job ids"))
    p.add_argument(
        "--printer",
        default=None,
        help=say("此打印机所有未确认的任务", "every unconfirmed job of this printer"),
    )
    add_json(p)
    p.set_defaults(handler=cmd_confirm)

    p = sub.add_parser(
        "virtual-printer",
        help=say(
            "在 127.0.0.1 上运行一台虚拟 TSPL/ZPL 打印机", "run a virtual TSPL/ZPL printer on 127.0.0.1"
        ),
    )
    p.add_argument(
        "--port",
        type=int,
        default=9100,
        help=say("监听的端口（默认 9100）", "the port to listen on (default 9100)"),
    )
    p.add_argument(
        "--language", required=True, choices=("tspl", "zpl"), help=say("打印机语言", "the printer's language")
    )
    p.add_argument(
        "--out",
        default=None,
        help=say("每张打印的标签存一张 PNG 的文件夹", "folder for a PNG of every printed label"),
    )
    p.add_argument("--paper-out-after", type=int, default=None, metavar="N",
                   help=say("打印 N 张后缺纸", "run out of paper after N labels"))  # fmt: skip
    p.add_argument("--paper-out-seconds", type=float, default=5.0, metavar="S",
                   help=say("缺纸持续 S 秒（默认 5）", "paper stays out for S seconds (default 5)"))  # fmt: skip
    p.add_argument(
        "--speed",
        type=float,
        default=0.0,
        help=say("打印速度，毫米/秒（0 = 立即）", "print speed in mm/s (0 = instant)"),
    )
    p.add_argument("--dpi", type=int, default=203, help=dpi)
    p.add_argument("--encoding", default="gb18030", help=encoding)
    p.set_defaults(handler=cmd_virtual_printer)


def cmd_printers_add(ctx: Context) -> int:
    a = ctx.args
    info = ctx.workspace.printing.add_printer(
        a.name,
        a.uri,
        a.language,
        dpi=a.dpi,
        encoding=a.encoding,
        template=a.template,
        role=a.role,
        default=a.default,
        offset_x_mm=a.offset_x,
        offset_y_mm=a.offset_y,
    )
    ctx.emit(
        {"printer": info.as_json()},
        say(
            f"已添加打印机 {info.name}（{info.language}，{info.uri}）",
            f"added printer {info.name} ({info.language}, {info.uri})",
        ),
    )
    return 0


def cmd_printers_list(ctx: Context) -> int:
    infos = ctx.workspace.printing.printers()
    ctx.emit(
        {"printers": [i.as_json() for i in infos]},
        lambda: (
            "\n".join(
                f"{i.name}\t{i.role}\t{i.language}\t{i.dpi}dpi\t{i.template}\t{i.uri}{default_mark() if i.is_default else ''}"
                for i in infos
            )
            or say("（没有打印机）", "(no printers)")
        ),
    )
    return 0


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM ends the command like Ctrl-C, so that a label cut off mid-send goes back to the queue."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread (tests may run commands elsewhere)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_queue(ctx: Context, queued: Enqueued, timeout: float) -> RunReport:
    """The printer's send loop on this thread, through pauses, until the queued jobs are done or ``timeout``."""
    total = len(queued.job_ids)
    done = 0

    def on_event(event: QueueEvent) -> None:
        nonlocal done
        if event.kind == "job":
            if event.state == JobState.DONE:
                done += 1
                ctx.progress(
                    say(
                        f"已打印 {done}/{total}（任务 {event.job_id}）",
                        f"printed {done}/{total} (job {event.job_id})",
                    )
                )
            return
        ctx.progress(str(event))
        if event.kind == "unconfirmed":
            loop.stop()  # no one at the command line to check the label: stop, leave the rest queued

    loop = ctx.workspace.printing.loop(queued.printer, on_event=on_event)
    if total:
        ctx.progress(
            say(f"{loop.printer} 的打印队列：{total} 张", f"{total} label(s) queued on {loop.printer}")
        )
    with _sigterm_interrupts():
        return loop.run(queued.job_ids, deadline=time.monotonic() + max(0.0, timeout))


def _payload(queued: Enqueued, report: RunReport) -> dict[str, Any]:
    return {
        "printed": len(report.done),
        "skipped": len(queued.skipped),
        "failed": sum(len(o.job_ids) or 1 for o in queued.failed) + len(report.failed),
        "unconfirmed": len(report.unconfirmed),
        "held": len(report.held),
        "queued": len(report.left),
        "batch": queued.batch,
        "results": [o.as_json() for o in queued.outcomes],
    }


def _finish(ctx: Context, queued: Enqueued, report: RunReport, printer: str) -> int:
    payload = _payload(queued, report)
    if report.left or report.timed_out or report.unconfirmed:
        if report.timed_out:
            zh, en = (
                "超时：打印未完成，剩余任务仍在队列中",
                "timed out: printing is unfinished; the rest stays queued",
            )
        elif report.unconfirmed:
            zh, en = (
                "有标签未确认打印完成：请核对后 confirm 或 reprint",
                "a label was never confirmed: check it, then confirm or reprint",
            )
        else:
            zh, en = "打印未完成，剩余任务仍在队列中", "printing is unfinished; the rest stays queued"
        raise CommandFailed(f"{zh}（{printer}）", f"{en} ({printer})", payload)

    def human() -> str:
        lines = [
            say(
                f"已打印 {payload['printed']} · 跳过 {payload['skipped']} · 失败 {payload['failed']}",
                f"printed {payload['printed']}, skipped {payload['skipped']}, failed {payload['failed']}",
            )
        ]
        lines += [f"  {o.order}: {o.status} {one(o.reason)}" for o in queued.outcomes if o.status != "queued"]
        return "\n".join(lines)

    ctx.emit(payload, human)
    return 0


def cmd_print(ctx: Context) -> int:
    a = ctx.args
    if not a.all_unprinted and not a.orders:
        raise UsageError("请给出订单号或 --all-unprinted", "give order ids or --all-unprinted")
    printing = ctx.workspace.printing
    queued = (
        printing.enqueue_unprinted(a.printer, recover=True)
        if a.all_unprinted
        else printing.enqueue_orders(a.orders, a.printer, recover=True)
    )
    for outcome in queued.outcomes:
        if outcome.status != "queued":
            ctx.progress(f"{outcome.order}: {outcome.status} — {one(outcome.reason)}")
    report = _run_queue(ctx, queued, a.timeout)
    return _finish(ctx, queued, report, queued.printer)


def cmd_reprint(ctx: Context) -> int:
    a = ctx.args
    queued = ctx.workspace.printing.reprint(a.order, a.reason, a.printer or None)
    report = _run_queue(ctx, queued, a.timeout)
    return _finish(ctx, queued, report, queued.printer)


def cmd_jobs(ctx: Context) -> int:
    a = ctx.args
    jobs = ctx.workspace.printing.jobs(a.printer or None, a.state, limit=a.limit)
    ctx.emit(
        {"jobs": [j.as_json() for j in jobs]},
        lambda: (
            "\n".join(
                f"{j.id}\t{j.printer}\t{j.state}\t{','.join(j.orders)}\t{j.waybill_no}\t#{j.parcel_index}"
                f"\t{j.attempts}x\t{one(j.reason or j.error)}"
                for j in jobs
            )
            or say("（没有打印任务）", "(no jobs)")
        ),
    )
    return 0


def cmd_confirm(ctx: Context) -> int:
    a = ctx.args
    changed = ctx.workspace.printing.confirm(a.jobs, printer=a.printer or None)
    ctx.emit(
        {"confirmed": len(changed), "jobs": changed},
        say(f"已确认 {len(changed)} 个任务", f"confirmed {len(changed)} job(s)"),
    )
    return 0


def cmd_virtual_printer(ctx: Context) -> int:
    from printers.virtual.device import serve

    a = ctx.args
    serve(
        a.language,
        a.port,
        Path(a.out) if a.out else None,
        a.paper_out_after,
        dpi=a.dpi,
        speed_mm_s=a.speed,
        encoding=a.encoding,
        paper_out_seconds=a.paper_out_seconds,
    )
    return 0
