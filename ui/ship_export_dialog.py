"""批量发货文件 (bulk-ship file): a Chinese shop's printed orders with their waybills, for the seller centre's
bulk-ship upload. The shops are read on a reader; writing the file (and marking its orders exported) is one
writing operation, ``ws.orders.export_shipped``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.orders.ship_formats import FORMATS
from ui.i18n import tr
from ui.messages import FAILED_COLOUR, error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.orders.values import ShippedExport, ShopInfo
    from app.workspace import Workspace

_PLATFORMS = {p.value for p in FORMATS}


class ShipExportDialog(QDialog):
    exported = Signal(object)  # the ShippedExport

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.shop_box = QComboBox()
        self.shop_box.currentIndexChanged.connect(self._suggest_path)
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.all_box = QCheckBox()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.shop_label, self.file_label = QLabel(), QLabel()
        self.form = QFormLayout()
        self.form.addRow(self.shop_label, self.shop_box)
        self.form.addRow(self.file_label, path_row)
        self.form.addRow("", self.all_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.resize(560, 240)
        self.retranslate()
        self.ops.run(lambda ws, _op: ws.orders.shops(), self._shops, writes=False, guard=self._alive)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("exports.title"))
        self.shop_label.setText(tr("exports.shop"))
        self.file_label.setText(tr("exports.file"))
        self.browse_button.setText(tr("exports.browse"))
        self.all_box.setText(tr("exports.all"))
        self.export_button.setText(tr("exports.export"))
        if self.shop_box.count() == 0:
            self.result_label.setText(tr("exports.hint"))

    def _alive(self) -> bool:
        return is_alive(self)

    def _shops(self, shops: list[ShopInfo]) -> None:
        self.shop_box.clear()
        for shop in shops:
            if shop.platform in _PLATFORMS:
                self.shop_box.addItem(shop.name, shop.name)
        self.export_button.setEnabled(self.shop_box.count() > 0)
        self.result_label.setText(tr("exports.hint") if self.shop_box.count() else tr("exports.no_shop"))

    def _suggest_path(self) -> None:
        shop = self.shop_box.currentData()
        if shop:
            name = tr("exports.file_name", shop=shop, when=f"{datetime.now():%Y%m%d-%H%M}")
            self.path_edit.setText(str(self.ops.workspace.data_dir / "exports" / name))

    def _browse(self) -> None:
        chosen, _f = QFileDialog.getSaveFileName(
            self, tr("exports.title"), self.path_edit.text(), "CSV (*.csv)"
        )
        if chosen:
            self.path_edit.setText(chosen)

    def export(self) -> None:
        shop, target, everything = (
            self.shop_box.currentData(),
            Path(self.path_edit.text()),
            self.all_box.isChecked(),
        )
        if not shop or not self.path_edit.text().strip():
            return
        self.export_button.setEnabled(False)

        def run(ws: Workspace, _op: Op[ShippedExport]) -> ShippedExport:
            target.parent.mkdir(parents=True, exist_ok=True)
            return ws.orders.export_shipped(shop, target, everything=everything)

        self.ops.run(run, self._done, writes=True, label=tr("exports.title"), on_failure=self._failed,
                     guard=self._alive)  # fmt: skip

    def _done(self, result: ShippedExport) -> None:
        self.export_button.setEnabled(True)
        self.result_label.setStyleSheet("")
        if result.exported:
            text = tr("exports.done", n=result.exported, path=result.file)
        else:
            text = tr("exports.nothing")
        left = [(result.already_exported, "exports.left_before"), (result.not_printed, "exports.left_unprinted"),
                (result.held, "exports.left_held"), (result.already_shipped, "exports.left_shipped")]  # fmt: skip
        notes = [tr(key, n=n) for n, key in left if n]
        self.result_label.setText(text + ("\n" + tr("text.join").join(notes) if notes else ""))
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> bool:
        self.export_button.setEnabled(True)
        text = error_text(exc)
        if text is None:
            return False  # a bug: the crash dialog
        self.result_label.setStyleSheet(f"color: {FAILED_COLOUR.name()}")
        self.result_label.setText(text)
        return True
