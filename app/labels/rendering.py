"""Labels to a file: ``kuaidan render`` — PDF (one page a label), PNG (a folder), or printer commands
(TSPL/ZPL/ESC-POS, one job a label, concatenated)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import UsageError
from app.labels.jobs import RenderOptions, render_label, waybill_data
from app.labels.packing_list import PackingEntry, PackingItem
from app.labels.templates import TEMPLATES, build_label
from app.orders.address_line import full_address
from app.orders.shipments import resolve_order
from app.store.models import Shipment
from printers.label import Label

FORMATS = ("pdf", "png", "tspl", "zpl", "escpos")


@dataclass(frozen=True)
class RenderReport:
    labels: int
    bytes: int
    out: str
    skipped: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {"labels": self.labels, "bytes": self.bytes, "out": self.out, "skipped": list(self.skipped)}


def _shipments(session: Session, refs: Sequence[str] | None) -> tuple[list[Shipment], list[dict[str, str]]]:
    if refs is None:
        found = session.scalars(
            select(Shipment).where(Shipment.active_waybill_id.is_not(None)).order_by(Shipment.id)
        ).all()
        return list(found), []
    shipments: dict[int, Shipment] = {}
    skipped: list[dict[str, str]] = []
    for ref in refs:
        order = resolve_order(session, ref)
        issued = [s for s in order.shipments if s.active_waybill_id]
        if not issued:
            skipped.append({"order": ref, "reason": "还没有运单 / no waybill yet"})
        for s in issued:
            shipments.setdefault(s.id, s)
    return list(shipments.values()), skipped


def _labels(
    session: Session, shipments: list[Shipment], template: str, mask_phone: bool
) -> list[tuple[str, Label]]:
    out = []
    for shipment in shipments:
        for data in waybill_data(session, shipment):
            name = f"{data.waybill_no}-{data.parcel_index}" if data.parcel_count > 1 else data.waybill_no
            out.append((name, build_label(data, template, mask_phone=mask_phone)))
    return out


def render_to(
    session: Session,
    refs: Sequence[str] | None,
    fmt: str,
    out: str | Path,
    *,
    template: str = "100x180",
    dpi: int = 203,
    mask_phone: bool = False,
    encoding: str = "gb18030",
) -> RenderReport:
    if fmt not in FORMATS:
        raise UsageError(f"未知的格式 {fmt}", f"unknown format {fmt} (one of {', '.join(FORMATS)})")
    if template not in TEMPLATES:
        raise UsageError(
            f"未知的模板 {template}", f"unknown template {template} (one of {', '.join(TEMPLATES)})"
        )
    if dpi not in (203, 300):
        raise UsageError("--dpi 只能是 203 或 300", "--dpi must be 203 or 300")
    shipments, skipped = _shipments(session, refs)
    labels = _labels(session, shipments, template, mask_phone)
    path = Path(out)
    if fmt == "png":
        from printers.languages.raster import render_png

        path.mkdir(parents=True, exist_ok=True)
        total = 0
        for name, label in labels:
            data = render_png(label, dpi=dpi)
            (path / f"{_safe(name)}.png").write_bytes(data)
            total += len(data)
        return RenderReport(len(labels), total, str(path), tuple(skipped))
    if path.parent and not path.parent.exists():
        raise UsageError(f"文件夹不存在：{path.parent}", f"no such folder: {path.parent}")
    if fmt == "pdf":
        from printers.languages.pdf import render_pdf

        with path.open("wb") as fh:
            if labels:
                render_pdf([label for _, label in labels], fh)
        return RenderReport(len(labels), path.stat().st_size, str(path), tuple(skipped))
    options = RenderOptions(
        language=fmt, dpi=dpi, encoding=encoding, template=template, mask_phone=mask_phone
    )
    total = 0
    with path.open("wb") as fh:
        for _, label in labels:
            total += fh.write(render_label(label, options))
    return RenderReport(len(labels), total, str(path), tuple(skipped))


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]", "_", name)


def packing_entries(session: Session, refs: Sequence[str] | None) -> list[PackingEntry]:
    """One packing-list entry per order of the issued parcels (or of the named orders, issued or not)."""
    if refs is None:
        orders = [o for s in _shipments(session, None)[0] for o in s.orders]
    else:
        orders = [resolve_order(session, ref) for ref in refs]
    entries = []
    for order in {o.id: o for o in orders}.values():
        active = [s.active_waybill for s in order.shipments if s.active_waybill is not None]
        entries.append(
            PackingEntry(
                order_no=order.platform_order_id,
                receiver_name=order.receiver_name,
                receiver_address=full_address(order.province, order.city, order.district, order.address, " "),
                items=tuple(
                    PackingItem(name=line.title, quantity=line.quantity, sku=line.sku, spec=line.spec)
                    for line in order.lines
                ),
                waybill_no=",".join(w.waybill_no for w in active if w.waybill_no),
                remark=order.buyer_message[:200],
            )
        )
    return entries
