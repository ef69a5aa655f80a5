"""The label preview (面单预览) for one order: the waybill as the printer will get it, in the chosen template.

Both steps are read-only operations (``writes=False``) on the workspace: the order's label data
(``ws.labels.order_labels``, plain ``WaybillData`` values), then the chosen parcel's label rasterised
(``ws.labels.preview_png``, the same raster the ESC/POS path prints). Switching the template or the privacy option
re-renders from the data already read. The newest request wins.
"""

from __future__ import annotations

from collections.abc import Callable

from app.labels.templates import TEMPLATES
from app.workspace.labels import OrderLabels
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import QSize, Qt, Signal
from ui.qt.gui import QPixmap, QResizeEvent
from ui.qt.widgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget


class LabelPreview(QWidget):
    """``rendered`` is emitted whenever the preview shows something new (a label or a message)."""

    rendered = Signal()

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.order_id: int | None = None
        self.labels: OrderLabels | None = None
        self.label_size = QSize()  # the rendered label in pixels (before scaling to fit)
        self._pixmap = QPixmap()
        self._generation = 0

        self.template_box = QComboBox()
        for name in TEMPLATES:
            self.template_box.addItem(tr(f"preview.template_{name}"), name)
        self.mask_box = QCheckBox()
        self.parcel_box = QComboBox()
        self.parcel_box.setVisible(False)
        self.template_label = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.template_label)
        bar.addWidget(self.template_box)
        bar.addWidget(self.mask_box)
        bar.addWidget(self.parcel_box)
        bar.addStretch(1)

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

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.caption)

        self.template_box.currentIndexChanged.connect(lambda _i: self.refresh_label())
        self.mask_box.toggled.connect(lambda _b: self.refresh_label())
        self.parcel_box.currentIndexChanged.connect(lambda _i: self.refresh_label())
        self.retranslate()
        self._show_message(tr("preview.no_selection"))

    def retranslate(self) -> None:
        self.template_label.setText(tr("preview.template"))
        self.mask_box.setText(tr("preview.mask_phone"))

    # -- what to show
    def template(self) -> str:
        return str(self.template_box.currentData())

    def set_template(self, name: str) -> None:
        self.template_box.setCurrentIndex(max(0, self.template_box.findData(name)))

    def has_label(self) -> bool:
        return not self._pixmap.isNull() and self.image.isVisibleTo(self)

    def show_order(self, order_id: int | None) -> None:
        """Show the label of ``order_id`` (its first parcel; a picker appears when it has several)."""
        self._generation += 1
        generation = self._generation
        self.order_id = order_id
        self.labels = None
        if order_id is None:
            self._show_message(tr("preview.no_selection"))
            return
        self.message.setText(tr("preview.loading"))

        def loaded(labels: OrderLabels) -> None:
            if generation != self._generation:
                return
            self.labels = labels
            self.parcel_box.blockSignals(True)
            self.parcel_box.clear()
            for i, data in enumerate(labels.parcels):
                parcel = f" {data.parcel_index}/{data.parcel_count}" if data.parcel_count > 1 else ""
                self.parcel_box.addItem(f"{data.waybill_no}{parcel}", i)
            self.parcel_box.setVisible(len(labels.parcels) > 1)
            self.parcel_box.blockSignals(False)
            if not labels.parcels:
                self._show_message(tr("preview.no_waybill", order=labels.order_ref))
                return
            self.refresh_label()

        self.ops.run(
            lambda ws, _op: ws.labels.order_labels(order_id),
            loaded,
            writes=False,
            on_failure=self._error_for(generation),
            guard=lambda: is_alive(self),
        )

    def refresh_label(self) -> None:
        """Build and rasterise the chosen parcel's label in the chosen template, in the background."""
        if self.labels is None or not self.labels.parcels:
            return
        self._generation += 1
        generation = self._generation
        data = self.labels.parcels[max(0, self.parcel_box.currentIndex())]
        template, mask = self.template(), self.mask_box.isChecked()

        def show(png: bytes) -> None:
            if generation != self._generation:
                return
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            self._pixmap = pixmap
            self.label_size = pixmap.size()
            self.message.setVisible(False)
            self.image.setVisible(True)
            self.caption.setText(tr("preview.caption", waybill=data.waybill_no, template=template))
            self._fit()
            self.rendered.emit()

        self.ops.run(
            lambda ws, _op: ws.labels.preview_png(data, template, mask_phone=mask),
            show,
            writes=False,
            on_failure=self._error_for(generation),
            guard=lambda: is_alive(self),
        )

    # -- showing
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
