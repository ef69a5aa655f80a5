"""Labels: render to a file, packing and pick lists, the label preview (what a printer would print).

Each action reads what it needs in one short session (a few queries for any number of labels) and draws after the
session has ended, so a long render never holds the store. Drawing modules (reportlab, the raster) are imported
when they are needed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from app.labels.output import RenderReport
from app.labels.proof import LabelProof
from app.labels.templates import WaybillData
from app.workspace.core import CancelToken, Part, Progress

PREVIEW_DPI = 203


@dataclass(frozen=True)
class OrderLabels:
    """One order's labels as the preview shows them: every parcel of every issued shipment (by shipment id)."""

    order_id: int | str
    order_ref: str  # the platform's order number
    parcels: tuple[WaybillData, ...]


@dataclass(frozen=True)
class PackingListReport:
    orders: int
    out: str

    def as_json(self) -> dict[str, object]:
        return {"orders": self.orders, "out": self.out}


class LabelsPart(Part):
    def render(
        self,
        refs: Sequence[str] | None,
        fmt: str,
        out: str | os.PathLike[str],
        *,
        template: str | None = None,
        dpi: int = 203,
        mask_phone: bool = False,
        mask_name: bool = False,
        encoding: str = "gb18030",
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> RenderReport:
        """The labels of the named orders (``refs``), or of every issued parcel (None), drawn into ``out``.

        PDF: one page a label; PNG: ``out`` is a folder, one file a label; TSPL/ZPL/ESC-POS: one job a label,
        concatenated. ``template`` None: each parcel's shop's template, else 100x180. Phones (``mask_phone``) and
        names (``mask_name``) are masked when asked, and always where the parcel's shop masks them. Orders without
        a waybill are listed in ``skipped``. A path that cannot be written is an
        :class:`app.errors.OutputError`, found before anything is drawn.
        """
        from app.labels import output
        from app.labels.rendering import label_parcels

        output.check_request(fmt, template, dpi)
        path = output.check_output(fmt, os.fspath(out))
        with self._session() as session:
            parcels, skipped = label_parcels(session, refs)
        labels = output.build_labels(parcels, template, mask_phone, cancel, mask_name=mask_name)
        return output.write_labels(
            labels, fmt, path, template=template, dpi=dpi, mask_phone=mask_phone, encoding=encoding,
            skipped=skipped, progress=progress, cancel=cancel,
        )  # fmt: skip

    def packing_list(
        self, refs: Sequence[str] | None, out: str | os.PathLike[str], *, pick: bool = False
    ) -> PackingListReport:
        """An A4 packing list (发货单), or with ``pick`` a pick list (拣货单), of the issued parcels' orders (None)
        or of the named orders, as PDF in ``out``. Nothing is written when there is no order (``orders`` 0)."""
        from app.labels import output
        from app.labels.rendering import packing_entries

        path = output.check_output("pdf", os.fspath(out))
        with self._session() as session:
            entries = packing_entries(session, refs)
        if entries:
            from app.labels.packing_list import render_packing_list, render_pick_list

            draw = render_pick_list if pick else render_packing_list
            output.write_file(path, lambda fh: draw(entries, fh))
        return PackingListReport(len(entries), str(path))

    def order_labels(self, ref: int | str) -> OrderLabels:
        """One order's parcels' label data (none when it has no waybill yet); a NotFound for an unknown order."""
        from app.labels.rendering import order_parcels

        with self._session() as session:
            number, parcels = order_parcels(session, ref)
        return OrderLabels(ref, number, tuple(parcels))

    def preview_png(
        self,
        data: WaybillData,
        template: str = "100x180",
        *,
        mask_phone: bool = False,
        dpi: int = PREVIEW_DPI,
    ) -> bytes:
        """One parcel's label in ``template`` as a PNG, as the ESC/POS raster prints it (no database)."""
        from app.labels.templates import build_label
        from printers.languages.raster import render_png

        return render_png(build_label(data, template, mask_phone=mask_phone), dpi=dpi)

    def printer_preview(self, ref: int | str, printer: str | None = None, parcel: int = 0) -> LabelProof:
        """The ``parcel``-th label of order ``ref`` exactly as ``printer`` (else this station's default label
        printer) would receive it — the bytes the print queue would store for it, with its template or the
        shop's, the mask of the shop or the printer, its offsets, dpi and language — and those bytes drawn back
        into a PNG. Without a label printer: the label as ``render`` draws it (no bytes). A NotFound for an
        unknown order or printer; no parcels (and no picture) before the order's waybill."""
        from app.labels.proof import draw_proof, read_proof

        with self._session() as session:
            source = read_proof(session, ref, printer)
        return draw_proof(source, parcel)
