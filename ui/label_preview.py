"""The label preview (面单预览) for one order: exactly what the chosen printer would print.

One read-only operation (``writes=False``) asks the workspace for the label printers and for
``ws.labels.printer_preview``: the bytes the print queue would store for that parcel on that printer — its template
(or the shop's), the mask of the shop or the printer, its offsets, dpi and language — drawn back into a picture.
Nothing here chooses how a label looks: the printer and the shop do (their settings are shown, read-only, under the
printer's name); the panel only picks which printer to look through. The newest request wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import QSize, Qt, Signal
from ui.qt.gui import QPixmap, QResizeEvent
from ui.qt.widgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.labels.proof import LabelProof
    from app.printing.values import PrinterInfo
    from app.workspace import Workspace

    Loaded = tuple[list[PrinterInfo], LabelProof]


class LabelPreview(QWidget):
    """``rendered`` is emitted whenever the preview shows something new (a label or a message)."""

    rendered = Signal()

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.order_id: int | None = None
        self.proof: LabelProof | None = None  # what is shown: the bytes and the picture drawn from them
        self.label_size = QSize()  # the rendered label in pixels (before scaling to fit)
        self._printer: str | None = None  # the printer looked through (None: this station's default)
        self._pixmap = QPixmap()
        self._generation = 0

        self.printer_label = QLabel()
        self.printer_box = QComboBox()
        self.printer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.parcel_box = QComboBox()
        self.parcel_box.setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(self.printer_label)
        bar.addWidget(self.printer_box)
        bar.addWidget(self.parcel_box)
        bar.addStretch(1)
        self.settings = QLabel()  # the printer's (and shop's) template, mask, offsets: display only
        self.settings.setWordWrap(True)
        self.settings.setStyleSheet("QLabel { color: #444; }")

        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setMinimumSize(120, 160)
        self.image.setStyleSheet("QLabel { background: #e8e8e8; }")
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.settings)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.caption)

        self.printer_box.activated.connect(self._printer_chosen)
        self.parcel_box.activated.connect(lambda _i: self.refresh_label())
        self.retranslate()

    def retranslate(self) -> None:
        self.printer_label.setText(tr("privacy.preview_printer"))
        if not self.printer_box.count():  # not known until an order is shown
            self.printer_box.setEnabled(False)
        if self.order_id is None:
            self._show_message(tr("preview.no_selection"))
        else:  # read again: the printers' names (…default), the settings line and any message in the new words
            self.refresh_label()

    # -- what to show
    def template(self) -> str:
        """The template of the label shown ("" when none is)."""
        return self.proof.template if self.proof is not None else ""

    def payload(self) -> bytes:
        """The bytes the printer would receive for the label shown (b"" without a printer)."""
        return self.proof.payload if self.proof is not None else b""

    def printer(self) -> str:
        """The printer looked through ("" when there is none)."""
        return self.proof.printer if self.proof is not None else ""

    def looked_through(self) -> str:
        """The printer chosen to look through, whose template and mask the preview draws ("" = the default)."""
        return self._printer or ""

    def set_printer(self, name: str | None) -> None:
        """Look through the printer called ``name`` (None: this station's default label printer)."""
        self._printer = name or None
        self.refresh_label()

    def has_label(self) -> bool:
        return not self._pixmap.isNull() and self.image.isVisibleTo(self)

    def show_order(self, order_id: int | None) -> None:
        """Show the label of ``order_id`` (its first parcel; a picker appears when it has several)."""
        self.order_id = order_id
        self.proof = None
        if order_id is None:
            self._generation += 1
            self._show_message(tr("preview.no_selection"))
            return
        self.message.setText(tr("preview.loading"))
        self._load(order_id, 0)

    def refresh_label(self) -> None:
        """Draw the chosen parcel for the chosen printer again (after a choice or a change of settings)."""
        if self.order_id is not None:
            self._load(self.order_id, max(0, self.parcel_box.currentIndex()))

    # -- loading
    def _printer_chosen(self, index: int) -> None:
        name = self.printer_box.itemData(index)
        self.set_printer(str(name) if name else None)

    def _load(self, order_id: int, parcel: int) -> None:
        self._generation += 1
        generation = self._generation
        printer = self._printer

        def read(ws: Workspace) -> Loaded:
            printers = [p for p in ws.printing.printers() if p.role == "label"]
            known = printer if printer in {p.name for p in printers} else None
            return printers, ws.labels.printer_preview(order_id, known, parcel)

        def loaded(result: Loaded) -> None:
            if generation != self._generation:
                return
            printers, proof = result
            self._fill_printers(printers, proof.printer)
            self._fill_parcels(proof)
            self.proof = proof
            if not proof.parcels:
                self._show_message(tr("preview.no_waybill", order=proof.order_ref))
                return
            self._show(proof)

        self.ops.run(
            lambda ws, _op: read(ws),
            loaded,
            writes=False,
            on_failure=self._error_for(generation),
            guard=lambda: is_alive(self),
        )

    def _fill_printers(self, printers: Sequence[PrinterInfo], current: str = "") -> None:
        self.printer_box.blockSignals(True)
        self.printer_box.clear()
        if not printers:
            self.printer_box.addItem(tr("privacy.preview_no_printer"), None)
        elif not current:  # label printers, none of them this station's default: the label as render draws it
            self.printer_box.addItem(tr("privacy.preview_pick_printer"), None)
        for info in printers:
            text = info.name + (tr("privacy.preview_default") if info.is_default else "")
            self.printer_box.addItem(text, info.name)
        self.printer_box.setCurrentIndex(max(0, self.printer_box.findData(current)) if current else 0)
        self.printer_box.setEnabled(self.printer_box.count() > 1)
        self.printer_box.blockSignals(False)

    def _fill_parcels(self, proof: LabelProof) -> None:
        self.parcel_box.blockSignals(True)
        self.parcel_box.clear()
        for i, data in enumerate(proof.parcels):
            parcel = f" {data.parcel_index}/{data.parcel_count}" if data.parcel_count > 1 else ""
            self.parcel_box.addItem(f"{data.waybill_no}{parcel}", i)
        self.parcel_box.setCurrentIndex(proof.parcel)
        self.parcel_box.setVisible(len(proof.parcels) > 1)
        self.parcel_box.blockSignals(False)

    # -- showing
    def _describe(self, proof: LabelProof) -> None:
        template = tr(f"preview.template_{proof.template}")
        source = tr("privacy.from_shop") if proof.template_from_shop else tr("privacy.from_printer")
        parts = [tr("privacy.template_line", template=template, source=source)]
        if proof.printer:
            parts.append(f"{proof.language.upper()} {proof.dpi} dpi")
            if proof.offset_x_mm or proof.offset_y_mm:
                parts.append(
                    tr("privacy.offsets", x=f"{proof.offset_x_mm:+.1f}", y=f"{proof.offset_y_mm:+.1f}")
                )
        hidden = [tr("privacy.hides_phone")] if proof.mask_phone else []
        hidden += [tr("privacy.hides_name")] if proof.mask_name else []
        parts.append(tr("privacy.list_separator").join(hidden) if hidden else tr("privacy.hides_nothing"))
        self.settings.setText(" · ".join(parts))
        if not proof.printer:
            origin = tr("privacy.no_printer_note")
        elif proof.from_bytes:
            origin = tr("privacy.from_bytes", size=len(proof.payload))
        else:
            origin = tr("privacy.pdf_note", size=len(proof.payload))
        self.caption.setText(f"{proof.waybill_no} · {origin}")

    def _show(self, proof: LabelProof) -> None:
        pixmap = QPixmap()
        pixmap.loadFromData(proof.png, "PNG")
        self._pixmap = pixmap
        self.label_size = pixmap.size()
        self.message.setVisible(False)
        self.image.setVisible(True)
        self._describe(proof)
        self._fit()
        self.rendered.emit()

    def _error_for(self, generation: int) -> Callable[[BaseException], bool]:
        """A user-facing error is shown in the preview; a bug says so here and goes on to the crash dialog."""

        def failed(exc: BaseException) -> bool:
            if generation != self._generation:
                return True  # a newer request is on its way: this one no longer matters
            text = error_text(exc)
            self._show_message(tr("preview.failed") if text is None else text)
            return text is not None

        return failed

    def _show_message(self, text: str) -> None:
        self._pixmap = QPixmap()
        self.label_size = QSize()
        self.image.clear()
        self.image.setVisible(False)
        self.caption.setText("")
        self.settings.setText("")
        self.message.setText(text)
        self.message.setVisible(True)
        self.rendered.emit()

    def _fit(self) -> None:
        if self._pixmap.isNull():
            return
        target = self.image.size()
        if target.width() < 10 or target.height() < 10:
            target = QSize(300, 500)
        self.image.setPixmap(
            self._pixmap.scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                Qt.TransformationMode.SmoothTransformation)
        )  # fmt: skip

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
