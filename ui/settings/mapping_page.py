"""The column mapping wizard: for any CSV/XLSX, pick the header that holds each field, watch the first rows as the
import will read them, save the mapping for a shop (imports of format ``generic`` into that shop use it) and import.

Reading the file runs on a reader; saving and importing on the writer. The live preview is worked out on the GUI
thread from the rows already read (no file or database access there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.orders import mapping
from app.orders.mapping import MAPPING_FIELDS, FilePreview
from app.orders.values import ImportReport, ShopInfo
from ui.i18n import language, tr
from ui.qt.core import Signal
from ui.qt.widgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, list_table

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

REQUIRED = ("order_id", "receiver_name", "mobile")


class MappingPage(SettingsPage):
    preview_loaded = Signal(object)  # FilePreview
    mapping_saved = Signal(object)  # ShopInfo
    imported = Signal(object)  # ImportReport

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.shops: list[ShopInfo] = []
        self.preview: FilePreview | None = None
        self._wanted_shop = ""

        self.shop_box = QComboBox()
        self.shop_box.currentIndexChanged.connect(lambda _i: self._shop_changed())
        self.path_edit = QLineEdit()
        self.path_edit.returnPressed.connect(self.read_file)
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self._browse)
        self.shop_label, self.file_label = QLabel(), QLabel()
        top = QHBoxLayout()
        top.addWidget(self.shop_label)
        top.addWidget(self.shop_box)
        top.addSpacing(12)
        top.addWidget(self.file_label)
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse_button)

        self.field_boxes: dict[str, QComboBox] = {}
        self.field_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        half = (len(MAPPING_FIELDS) + 1) // 2
        for index, (field, _zh, _en) in enumerate(MAPPING_FIELDS):
            box = QComboBox()
            box.addItem("", "")
            box.currentIndexChanged.connect(lambda _i: self._update_preview())
            label = QLabel()
            self.field_boxes[field], self.field_labels[field] = box, label
            row, column = index % half, (index // half) * 2
            grid.addWidget(label, row, column)
            grid.addWidget(box, row, column + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.fields_box = QGroupBox()
        self.fields_box.setLayout(grid)

        self.table = list_table(0)
        self.preview_box = QGroupBox()
        preview_layout = QVBoxLayout(self.preview_box)
        preview_layout.addWidget(self.table)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)

        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_now)
        buttons = QHBoxLayout()
        buttons.addWidget(self.missing_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.fields_box)
        layout.addWidget(self.preview_box, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.shop_label.setText(tr("setup.mapping.shop"))
        self.file_label.setText(tr("setup.mapping.file"))
        self.browse_button.setText(tr("setup.mapping.browse"))
        self.path_edit.setPlaceholderText(tr("setup.mapping.file_hint"))
        for field, label in self.field_labels.items():
            mark = " *" if field in REQUIRED else ""
            label.setText(mapping.field_label(field, language()) + mark)
            self.field_boxes[field].setItemText(0, tr("setup.mapping.none"))
        self.fields_box.setTitle(tr("setup.mapping.fields"))
        self.preview_box.setTitle(tr("setup.mapping.preview"))
        self.save_button.setText(tr("setup.mapping.save"))
        self.import_button.setText(tr("setup.mapping.import"))
        self._update_preview()

    # --- shops and the file ------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.run(lambda ws, _op: ws.orders.shops(), self._show_shops, writes=False)

    def _show_shops(self, shops: list[ShopInfo]) -> None:
        current = self.shop_box.currentData()
        wanted = current
        if any(shop.name == self._wanted_shop for shop in shops):  # else kept for a later, fuller list
            wanted, self._wanted_shop = self._wanted_shop, ""
        self.shops = shops
        self.shop_box.blockSignals(True)
        self.shop_box.clear()
        for shop in shops:
            self.shop_box.addItem(f"{shop.name}（{tr('setup.mapping.saved')}）" if shop.mapping else shop.name,
                                  shop.name)  # fmt: skip
        self.shop_box.setCurrentIndex(max(0, self.shop_box.findData(wanted)))
        self.shop_box.blockSignals(False)
        if self.shop_box.currentData() != current:  # the same shop keeps the choices made for it
            self._shop_changed()
        else:
            self._update_preview()

    def current_shop(self) -> ShopInfo | None:
        name = self.shop_box.currentData()
        return next((s for s in self.shops if s.name == name), None)

    def _shop_changed(self) -> None:
        if self.preview is not None:
            self._choose(self._suggested(self.preview))

    def open_file(self, shop: str, path: str) -> None:
        """Start the wizard on ``path`` for ``shop`` (what the import dialog does for a file it cannot read alone)."""
        index = self.shop_box.findData(shop)
        if index >= 0:
            self.shop_box.setCurrentIndex(index)
        else:  # the shops are still loading: chosen when they come
            self._wanted_shop = shop
        self.path_edit.setText(path)
        self.read_file()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, tr("setup.mapping.file"), "",
                                                    "CSV / Excel (*.csv *.txt *.xlsx);;* (*)")  # fmt: skip
        if path:
            self.path_edit.setText(path)
            self.read_file()

    def read_file(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self.say(False, tr("setup.mapping.need_file"))
            return
        self.message.setText(tr("setup.mapping.reading"))
        self.message.setStyleSheet("")
        self.run(lambda ws, _op: ws.orders.preview_file(path), self._show_file, writes=False)

    def _suggested(self, preview: FilePreview) -> dict[str, str]:
        shop = self.current_shop()
        return mapping.suggest(preview.headers, dict(shop.mapping) if shop is not None else None)

    def _show_file(self, preview: FilePreview) -> None:
        self.preview = preview
        for box in self.field_boxes.values():
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for header in preview.headers:
                if header.strip():
                    box.addItem(header, header)
            box.blockSignals(False)
        self._choose(self._suggested(preview))
        self.say(True, tr("setup.mapping.read", rows=preview.total_rows, columns=len(preview.headers)))
        self.preview_loaded.emit(preview)

    def _choose(self, columns: dict[str, str]) -> None:
        for field, box in self.field_boxes.items():
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(columns.get(field, ""))))
            box.blockSignals(False)
        self._update_preview()

    def choose(self, field: str, header: str) -> None:
        """Pick ``header`` for ``field`` (what a click in the field's list does)."""
        box = self.field_boxes[field]
        box.setCurrentIndex(max(0, box.findData(header)))

    # --- the live preview --------------------------------------------------------------------------------------

    def columns(self) -> dict[str, str]:
        return {f: str(b.currentData()) for f, b in self.field_boxes.items() if b.currentData()}

    def _update_preview(self) -> None:
        columns = self.columns()
        fields = [f for f, _zh, _en in MAPPING_FIELDS if f in columns]
        self.table.setColumnCount(len(fields))
        self.table.setHorizontalHeaderLabels([mapping.field_label(f, language()) for f in fields])
        rows = mapping.apply(self.preview, columns) if self.preview is not None else []
        fill_table(self.table, [[row.get(f, "") for f in fields] for row in rows])
        lacking = mapping.missing(columns)
        ready = self.preview is not None and not lacking
        if self.preview is None:
            self.missing_label.setText(tr("setup.mapping.pick_file"))
        elif lacking:
            names = "、".join(mapping.field_label(f, language()) for f in lacking) if language() == "zh" else \
                ", ".join(mapping.field_label(f, language()) for f in lacking)  # fmt: skip
            self.missing_label.setText(tr("setup.mapping.missing", fields=names))
        else:
            self.missing_label.setText(tr("setup.mapping.complete"))
        self.save_button.setEnabled(ready and self.current_shop() is not None)
        self.import_button.setEnabled(ready and self.current_shop() is not None)

    # --- save and import ---------------------------------------------------------------------------------------

    def save(self) -> None:
        self._save(then_import=False)

    def import_now(self) -> None:
        """Save the mapping for the shop, then import the file with it (format generic)."""
        self._save(then_import=True)

    def _save(self, *, then_import: bool) -> None:
        shop, preview = self.current_shop(), self.preview
        if shop is None or preview is None:
            return
        columns, name, path = self.columns(), shop.name, preview.path

        def work(
            ws: Workspace, op: Op[tuple[ShopInfo, ImportReport | None]]
        ) -> tuple[ShopInfo, ImportReport | None]:
            info = ws.orders.save_mapping(name, columns, preview.headers)
            if not then_import:
                return info, None
            return info, ws.orders.import_file(path, name, "generic", progress=op.progress, cancel=op.token)

        self.save_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.ops.run(work, self._done, writes=True, label=tr("setup.mapping.importing") if then_import else "",
                     cancellable=then_import, on_failure=self._failed, guard=self._alive)  # fmt: skip

    def _alive(self) -> bool:
        from ui.qt import is_alive

        return is_alive(self)

    def _done(self, result: tuple[ShopInfo, ImportReport | None]) -> None:
        info, report = result
        self._update_preview()
        self.mapping_saved.emit(info)
        self.changed.emit()
        if report is None:
            self.say(True, tr("setup.mapping.saved_for", shop=info.name))
        else:
            self.say(report.rejected == 0, tr("setup.mapping.imported", shop=info.name, imported=report.imported,
                                               updated=report.updated, rejected=report.rejected))  # fmt: skip
            self.imported.emit(report)
        self.reload()

    def _failed(self, exc: BaseException) -> bool:
        self._update_preview()
        return self.show_error(exc)
