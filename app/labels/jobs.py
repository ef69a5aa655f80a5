"""From a shipment to the bytes a printer gets: Shipment (+ active waybill, orders, sender) -> WaybillData -> bytes.

The label data (one :class:`WaybillData` per parcel) is read by :mod:`app.labels.data`.

The bytes are rendered once, when the job is queued, and stored with it: a resend or a reprint sends exactly the
same artefact.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.labels.data import CARRIER_NAMES, LabelDataError, waybill_data
from app.labels.templates import TEMPLATES, WaybillData, build_label
from app.orders.privacy import Privacy, is_masked
from app.store.models import Printer, Shipment
from printers import capabilities_for, render
from printers.label import Label, shifted

__all__ = [
    "CARRIER_NAMES",
    "LabelDataError",
    "RenderOptions",
    "label_template",
    "printer_label",
    "render_label",
    "render_parcels",
    "reveals_hidden",
    "waybill_data",
]


@dataclass(frozen=True)
class RenderOptions:
    """What the printer needs: its language and capabilities, its template, its privacy masking (a parcel's shop
    may choose another template and hide more: :func:`printer_label`)."""

    language: str
    dpi: int = 203
    encoding: str = "gb18030"
    template: str = "100x180"
    mask_phone: bool = False
    mask_name: bool = False
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
            mask_name=bool(settings.get("mask_name", False)),
            cjk_font=settings.get("cjk_font", "E:SIMSUN.TTF"),
            head_width_dots=int(settings.get("head_width_dots", 576)),
            offset_x_mm=printer.offset_x_mm or 0.0,
            offset_y_mm=printer.offset_y_mm or 0.0,
        )


def label_template(data: WaybillData, options: RenderOptions) -> str:
    """The template a parcel prints in: its shop's when the shop chose one, else the printer's."""
    return data.template if data.template in TEMPLATES else options.template


def printer_label(data: WaybillData, options: RenderOptions) -> Label:
    """One parcel's label as this printer prints it: the shop's template or the printer's, and masked when the
    shop or the printer says so (the one rule for the queue, the reprint and the preview)."""
    return build_label(
        data, label_template(data, options), mask_phone=options.mask_phone, mask_name=options.mask_name
    )


def reveals_hidden(payload: bytes, data: WaybillData, options: RenderOptions) -> bool:
    """Whether stored label bytes may show what this parcel's label must hide now (the shop or the printer
    started masking after it was printed): a reprint then draws the label again instead of resending them.
    TSPL and ZPL are read as text; other languages are assumed to show it whenever anything is masked."""
    privacy = data.privacy | Privacy(options.mask_phone, options.mask_name)
    if not privacy:
        return False
    if options.language not in ("tspl", "zpl"):
        return True
    text = payload.decode(options.encoding if options.language == "tspl" else "utf-8", errors="ignore")
    secrets = [data.receiver_phone] if privacy.mask_phone else []
    secrets += [data.receiver_name] if privacy.mask_name else []
    return any(value and not is_masked(value) and value in text for value in secrets)


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
            render_label(printer_label(data, options), options),
        )
        for data in waybill_data(session, shipment)
    ]
