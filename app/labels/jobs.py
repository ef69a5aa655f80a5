"""From a shipment to the bytes a printer gets: Shipment (+ active waybill, orders, sender) -> WaybillData -> bytes.

One label per parcel: a shipment of ``n`` parcels gives ``n`` labels, numbered ``i/n``. Multi-parcel waybills
(子母件) carry child numbers: with ``n - 1`` children parcel 1 shows the main number and parcel ``i`` the child
``i - 1``; with ``n`` children parcel ``i`` shows child ``i``. The main barcode is always the main waybill number.

The bytes are rendered once, when the job is queued, and stored with it: a resend or a reprint sends exactly the
same artefact.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import KuaidanError
from app.labels.templates import WaybillData, build_label
from app.orders.address_line import full_address
from app.orders.shops import get_sender
from app.store.models import Printer, Sender, Shipment, Waybill
from printers import capabilities_for, render
from printers.label import Label, shifted

# Kdniao shipper codes -> the name printed on the carrier band.
CARRIER_NAMES: dict[str, str] = {
    "SF": "顺丰速运",
    "ZTO": "中通快递",
    "YTO": "圆通速递",
    "STO": "申通快递",
    "YD": "韵达速递",
    "JTSD": "极兔速递",
    "EMS": "EMS",
    "YZPY": "邮政快递包裹",
    "JD": "京东快递",
    "DBL": "德邦快递",
    "HTKY": "百世快递",
    "FWX": "丰网速运",
}


class LabelDataError(KuaidanError):
    """A shipment that cannot become a label (no issued waybill, no sender); says why in Chinese and English."""


@dataclass(frozen=True)
class RenderOptions:
    """What the printer needs: its language and capabilities, the template, privacy masking."""

    language: str
    dpi: int = 203
    encoding: str = "gb18030"
    template: str = "100x180"
    mask_phone: bool = False
    cjk_font: str | None = "E:SIMSUN.TTF"  # ZPL: a CJK font on the printer; None prints Chinese as bitmaps
    head_width_dots: int = 576  # ESC/POS
    offset_x_mm: float = 0.0  # the printer's calibration offset, applied to every label
    offset_y_mm: float = 0.0

    @staticmethod
    def for_printer(printer: Printer) -> RenderOptions:
        settings = printer.settings or {}
        return RenderOptions(
            language=printer.language,
            dpi=printer.dpi,
            encoding=printer.encoding,
            template=printer.template,
            mask_phone=bool(settings.get("mask_phone", False)),
            cjk_font=settings.get("cjk_font", "E:SIMSUN.TTF"),
            head_width_dots=int(settings.get("head_width_dots", 576)),
            offset_x_mm=printer.offset_x_mm or 0.0,
            offset_y_mm=printer.offset_y_mm or 0.0,
        )


def _sender(session: Session, shipment: Shipment) -> Sender:
    if shipment.sender_id is not None:
        sender = session.get(Sender, shipment.sender_id)
        if sender is not None:
            return sender
    return get_sender(session, None)


def active_waybill(shipment: Shipment) -> Waybill:
    waybill = shipment.active_waybill
    if waybill is None or waybill.state != "issued" or not waybill.waybill_no:
        raise LabelDataError("该包裹还没有运单号", "this parcel has no issued waybill yet")
    return waybill


def waybill_data(session: Session, shipment: Shipment) -> list[WaybillData]:
    """The label data of every parcel of ``shipment`` (one per parcel, in order)."""
    waybill = active_waybill(shipment)
    orders = sorted(shipment.orders, key=lambda o: o.id)
    if not orders:
        raise LabelDataError("包裹没有订单", "the parcel has no orders")
    first = orders[0]
    sender = _sender(session, shipment)
    goods = "；".join(o.goods_summary for o in orders if o.goods_summary) or "；".join(
        f"{line.title}{(' ' + line.spec) if line.spec else ''}×{line.quantity}"
        for o in orders
        for line in o.lines
    )
    remark = "；".join(r for o in orders for r in (o.buyer_message, o.seller_remark) if r)
    carrier = CARRIER_NAMES.get(waybill.shipper_code.upper(), "") or waybill.carrier_account.name
    count = max(1, shipment.parcel_count)
    children = list(waybill.child_waybill_nos or [])
    out: list[WaybillData] = []
    for index in range(1, count + 1):
        child: str | None = None
        if children and len(children) >= count:
            child = children[index - 1]
        elif children and index >= 2 and index - 2 < len(children):
            child = children[index - 2]
        out.append(
            WaybillData(
                waybill_no=waybill.waybill_no,
                carrier_name=carrier,
                shipper_code=waybill.shipper_code,
                receiver_name=first.receiver_name,
                receiver_phone=first.receiver_phone or first.receiver_tel,
                receiver_address=full_address(first.province, first.city, first.district, first.address),
                sender_name=sender.name,
                sender_phone=sender.mobile or sender.tel,
                sender_address=full_address(sender.province, sender.city, sender.district, sender.address),
                sort_code=waybill.mark_destination,
                sorting_code=waybill.sorting_code,
                package_name=waybill.package_name,
                goods=goods,
                remark=remark,
                order_no=" ".join(o.platform_order_id for o in orders),
                parcel_index=index,
                parcel_count=count,
                child_waybill_no=child,
            )
        )
    return out


def render_label(label: Label, options: RenderOptions) -> bytes:
    """One print job's bytes for ``label`` in the printer's language (moved by the printer's offset)."""
    label = shifted(label, options.offset_x_mm, options.offset_y_mm)
    capabilities = capabilities_for(
        options.language,
        dpi=options.dpi,
        encoding=options.encoding,
        cjk_font=options.cjk_font,
        head_dots=options.head_width_dots if options.language == "escpos" else None,
    )
    return render(label, capabilities)


def render_parcels(session: Session, shipment: Shipment, options: RenderOptions) -> list[tuple[int, bytes]]:
    """``(parcel_index, bytes)`` for every parcel of ``shipment``."""
    return [
        (
            data.parcel_index,
            render_label(build_label(data, options.template, mask_phone=options.mask_phone), options),
        )
        for data in waybill_data(session, shipment)
    ]
