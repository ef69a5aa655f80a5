"""The label preview that is what prints (打印预览即打印结果): one parcel's label as the chosen printer would get
it — its template (or the shop's), its mask (or the shop's), its offsets, dpi and language — as the very bytes
the print queue would store for it, and those bytes drawn back into a picture.

Reading (:func:`read_proof`) takes a session; drawing (:func:`draw_proof`) does not, so the workspace draws after
its session has ended. Without any label printer the preview shows the label as ``render`` draws it (the shop's
template, else 100x180) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import UsageError
from app.labels.jobs import RenderOptions, label_template, printer_label, render_label
from app.labels.rendering import order_parcels
from app.labels.templates import TEMPLATES, WaybillData, build_label
from app.printing import registry
from printers.label import shifted

__all__ = ["LabelProof", "ProofSource", "draw_proof", "read_proof"]

DEFAULT_TEMPLATE = "100x180"


@dataclass(frozen=True)
class ProofSource:
    """What a preview is drawn from: the order's parcels and the printer's options (None: no label printer)."""

    order_id: int | str
    order_ref: str
    parcels: tuple[WaybillData, ...]
    printer: str
    options: RenderOptions | None


@dataclass(frozen=True)
class LabelProof:
    """One parcel's label for one printer. ``payload`` is exactly what the printer receives (``b""`` without a
    printer); ``png`` is that payload drawn back (``from_bytes``) or, for PDF and without a printer, the label."""

    order_id: int | str
    order_ref: str
    parcels: tuple[WaybillData, ...]  # every parcel of the order (empty before its waybill)
    parcel: int  # the index in ``parcels`` shown
    printer: str  # "" without a label printer
    language: str
    dpi: int
    template: str
    template_from_shop: bool
    mask_phone: bool
    mask_name: bool
    offset_x_mm: float
    offset_y_mm: float
    payload: bytes
    png: bytes
    from_bytes: bool

    @property
    def waybill_no(self) -> str:
        return self.parcels[self.parcel].waybill_no if self.parcels else ""


def read_proof(session: Session, ref: int | str, printer: str | None = None) -> ProofSource:
    """The order's parcels and the printer: ``printer`` by name, else this station's default label printer, else
    none (there is no label printer, or none is the default)."""
    chosen = None
    if printer:
        chosen = registry.get_printer(session, printer)
    else:
        try:
            chosen = registry.get_printer(session, None, "label")
        except UsageError:
            chosen = None
    number, parcels = order_parcels(session, ref)
    options = RenderOptions.for_printer(chosen) if chosen is not None else None
    return ProofSource(ref, number, tuple(parcels), chosen.name if chosen is not None else "", options)


def draw_proof(source: ProofSource, parcel: int = 0) -> LabelProof:
    """Draw the ``parcel``-th label of ``source`` (see :class:`LabelProof`); no database."""
    from printers.languages.raster import render_png
    from printers.virtual.replay import job_png

    options = source.options
    index = min(max(0, parcel), max(0, len(source.parcels) - 1))
    payload, png, from_bytes = b"", b"", False
    if not source.parcels:
        template = options.template if options is not None else DEFAULT_TEMPLATE
        privacy_phone = options.mask_phone if options is not None else False
        privacy_name = options.mask_name if options is not None else False
        from_shop = False
    else:
        data = source.parcels[index]
        if options is None:
            from_shop = data.template in TEMPLATES
            template = data.template if from_shop else DEFAULT_TEMPLATE
            label = build_label(data, template)
            png = render_png(label, dpi=203)
        else:
            template = label_template(data, options)
            from_shop = data.template in TEMPLATES
            label = printer_label(data, options)
            payload = render_label(label, options)
            read_back = job_png(options.language, payload, dpi=options.dpi, encoding=options.encoding)
            from_bytes = read_back is not None
            if read_back is None:  # PDF: the label itself, moved by the printer's offset
                read_back = render_png(
                    shifted(label, options.offset_x_mm, options.offset_y_mm), dpi=options.dpi
                )
            png = read_back
        privacy_phone = data.privacy.mask_phone or (options is not None and options.mask_phone)
        privacy_name = data.privacy.mask_name or (options is not None and options.mask_name)
    return LabelProof(
        order_id=source.order_id,
        order_ref=source.order_ref,
        parcels=source.parcels,
        parcel=index,
        printer=source.printer,
        language=options.language if options is not None else "",
        dpi=options.dpi if options is not None else 203,
        template=template,
        template_from_shop=from_shop,
        mask_phone=privacy_phone,
        mask_name=privacy_name,
        offset_x_mm=options.offset_x_mm if options is not None else 0.0,
        offset_y_mm=options.offset_y_mm if options is not None else 0.0,
        payload=payload,
        png=png,
        from_bytes=from_bytes,
    )
