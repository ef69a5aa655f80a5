"""Packing list (发货单) and pick list (拣货单) for a batch: A4 PDF, one Code 128 of the order number per order.

The packing list has one block per order (barcode, receiver, waybill, item lines); the pick list sums the
quantities per SKU over the whole batch, for picking before packing. reportlab is imported when a list is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from printers.graphics import code128

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

__all__ = ["PackingEntry", "PackingItem", "render_packing_list", "render_pick_list"]

MM = 72.0 / 25.4
A4 = (595.2755905511812, 841.8897637795277)  # points, as reportlab.lib.pagesizes.A4


def _canvas(out: BinaryIO | str | os.PathLike[str], title: str) -> Canvas:
    from reportlab.pdfgen.canvas import Canvas

    target = os.fspath(out) if isinstance(out, (str, os.PathLike)) else out
    c = Canvas(target, pagesize=A4, invariant=True)
    c.setTitle(title)
    return c


def _font(font_path: str | None) -> str:
    from printers.languages.pdf import load_pdf_font

    return load_pdf_font(font_path).name


@dataclass(frozen=True)
class PackingItem:
    name: str
    quantity: int
    sku: str = ""
    spec: str = ""  # 规格, e.g. colour / size


@dataclass(frozen=True)
class PackingEntry:
    order_no: str
    receiver_name: str
    receiver_address: str
    items: tuple[PackingItem, ...]
    waybill_no: str = ""
    remark: str = ""


def _barcode(c: Canvas, data: str, x: float, y: float, module: float = 0.3, height: float = 9.0) -> float:
    """Vector Code 128 with its bottom-left at (x, y) in mm; returns the symbol width in mm."""
    c.saveState()
    c.translate(x * MM, y * MM)
    c.scale(module * MM, height * MM)
    path = c.beginPath()
    for start, width in code128.bar_runs(data):
        path.rect(start, 0, width, 1)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
    return code128.total_modules(data) * module


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_packing_list(
    entries: Sequence[PackingEntry],
    out: BinaryIO | str | os.PathLike[str],
    *,
    title: str = "发货单",
    font_path: str | None = None,
) -> None:
    """An A4 packing list: a block per order with its order-number barcode and item lines."""
    font = _font(font_path)
    c = _canvas(out, title)
    page_h = A4[1] / MM
    page = 1
    y = _header(c, font, title, page, page_h)
    for entry in entries:
        need = 24 + 5 * len(entry.items)
        if y - need < 12:
            c.showPage()
            page += 1
            y = _header(c, font, title, page, page_h)
        w = _barcode(c, entry.order_no, 15, y - 10)
        c.setFont(font, 9)
        c.drawString(15 * MM, (y - 14) * MM, entry.order_no)
        x = 15 + w + 8
        c.setFont(font, 10)
        c.drawString(x * MM, (y - 3) * MM, _clip(f"收件人：{entry.receiver_name}", 40))
        c.setFont(font, 9)
        c.drawString(x * MM, (y - 8) * MM, _clip(entry.receiver_address, 60))
        if entry.waybill_no:
            c.drawString(x * MM, (y - 13) * MM, f"运单号：{entry.waybill_no}")
        y -= 18
        for item in entry.items:
            c.drawString(20 * MM, y * MM, _clip(f"{item.sku}  {item.name}  {item.spec}".strip(), 70))
            c.drawRightString(190 * MM, y * MM, f"× {item.quantity}")
            y -= 5
        if entry.remark:
            c.drawString(20 * MM, y * MM, _clip(f"备注：{entry.remark}", 70))
            y -= 5
        c.setLineWidth(0.3)
        c.line(15 * MM, (y + 2) * MM, 195 * MM, (y + 2) * MM)
        y -= 4
    c.showPage()
    c.save()


def render_pick_list(
    entries: Sequence[PackingEntry],
    out: BinaryIO | str | os.PathLike[str],
    *,
    title: str = "拣货单",
    font_path: str | None = None,
) -> None:
    """An A4 pick list: total quantity per SKU (or name + spec) over the batch, most picked first."""
    totals: dict[tuple[str, str, str], int] = {}
    for entry in entries:
        for item in entry.items:
            key = (item.sku, item.name, item.spec)
            totals[key] = totals.get(key, 0) + item.quantity
    font = _font(font_path)
    c = _canvas(out, title)
    page_h = A4[1] / MM
    page = 1
    y = _header(c, font, f"{title}（{len(entries)} 单）", page, page_h)
    c.setFont(font, 10)
    for (sku, name, spec), qty in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        if y < 15:
            c.showPage()
            page += 1
            y = _header(c, font, title, page, page_h)
            c.setFont(font, 10)
        c.drawString(15 * MM, y * MM, _clip(sku, 20))
        c.drawString(55 * MM, y * MM, _clip(f"{name} {spec}".strip(), 50))
        c.drawRightString(190 * MM, y * MM, str(qty))
        y -= 6
    c.showPage()
    c.save()


def _header(c: Canvas, font: str, title: str, page: int, page_h: float) -> float:
    c.setFont(font, 16)
    c.drawString(15 * MM, (page_h - 18) * MM, title)
    c.setFont(font, 9)
    c.drawRightString(195 * MM, (page_h - 18) * MM, f"第 {page} 页")
    return page_h - 26
