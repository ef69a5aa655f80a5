"""``kuaidan scan``: the scan station in a terminal, reading codes as a USB scanner types them (DESIGN.md, "Scan
station"). One answer per scan on stdout (one JSON line each with ``--json``), flushed at once; the printer's
pauses and other human text on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from app.cli.main import Context
from app.lang import say
from app.printing.values import QueueEvent
from app.scan import values as v
from app.scan.values import Checking, ScanAnswer, ScanOptions

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("scan", help=say("扫描台：扫一单打一张面单（条码从标准输入读取）",
                                        "scan station: print each scanned order's label (codes on standard input)"))  # fmt: skip
    p.add_argument("--printer", default=None,
                   help=say("打印机名称（默认：本工作站的面单打印机）", "printer name (default: this station's label printer)"))  # fmt: skip
    p.add_argument("--carrier", default=None,
                   help=say("没有运单时用来取号的快递账号（只取一次）", "carrier account that issues a missing waybill (once)"))  # fmt: skip
    p.add_argument("--verify", action="store_true",
                   help=say("打印前逐件扫描商品 SKU 核对", "scan each item's SKU before the label prints"))  # fmt: skip
    p.add_argument("--timeout", type=float, default=600.0, metavar="S",
                   help=say("一张面单等待 S 秒后放弃（默认 600）", "give up on one label after S seconds (default 600)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_scan)


def _say(ctx: Context, answer: ScanAnswer) -> None:
    if ctx.json:
        sys.stdout.write(json.dumps(answer.as_json(), ensure_ascii=False) + "\n")
    else:
        order = f" [{answer.order}]" if answer.order else ""
        sys.stdout.write(
            f"{answer.code}{order}: {answer.result} — {say(answer.message_zh, answer.message_en)}\n"
        )
    sys.stdout.flush()


def cmd_scan(ctx: Context) -> int:
    a = ctx.args
    options = ScanOptions(a.printer, a.carrier, a.verify)
    ws = ctx.workspace
    printer = ws.scan.prepare(options)  # an unknown printer or account: bad usage (exit 2), before any input
    ctx.progress(say(f"扫描台就绪，打印机 {printer}", f"scan station ready on printer {printer}"))

    def heard(event: QueueEvent) -> None:
        if event.kind != "job":
            ctx.progress(str(event))

    checking: Checking | None = None
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue  # a blank line is not a scan
        step = ws.scan.scan(line, options, checking)
        checking = step.checking
        for answer in step.answers:
            if answer.result == v.QUEUED:
                answer = ws.scan.wait(step, on_event=heard, timeout=a.timeout)
            _say(ctx, answer)
    if checking is not None:  # the input ended in the middle of an order: it was not printed
        _say(ctx, ws.scan.abandon(checking))
    return 0
