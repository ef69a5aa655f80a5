"""Import orders: pick a file and a shop, watch the progress, read the result with every rejected row, undo it.

The shops are read and the file imported through the workspace, off the GUI thread: the import is a writing
operation (the window's progress bar shows it, with Cancel), the shop list a reading one.

Safe import: when a file is picked its layout is recognised (nothing written) and the shop box moves to the shop
that platform's files last went into; a file that does not match the chosen shop's platform asks first. An import
(this one, or one of the recent ones listed below) can be undone while none of its new orders has a waybill.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.orders import profiles
from app.orders.filecheck import FileCheck, platform_matches
from app.orders.values import ImportReport, ShopInfo
from app.workspace import Workspace
from app.workspace.core import Cancelled
from app.workspace.imports import ImportInfo, UndoResult
from ui.i18n import tr
from ui.messages import error_text, in_language
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportReport; None when Cancel stopped the import part-way (what it wrote stays)
    undone = Signal(object)  # the UndoResult
    checked = Signal(object)  # the FileCheck of the picked file

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.report: ImportReport | None = None
        self.check: FileCheck | None = None
        self._checked: tuple[str, str, float] | None = None  # (path, format, mtime) self.check is of
        self.shops: dict[str, ShopInfo] = {}
        self.imports: list[ImportInfo] = []
        self.mapping_window: QWidget | None = None
        self.setWindowTitle(tr("import.title"))
        self.resize(720, 480)

        self.path_edit = QLineEdit()
        self.path_edit.editingFinished.connect(self.check_path)
        self.detected = QLabel()  # what the file is, before anything is written
        browse = QPushButton(tr("import.browse"))
        browse.clicked.connect(self._browse)
        # any other CSV/XLSX: the settings' column-mapping wizard, on this file, for this shop
        self.mapping_button = QPushButton(tr("lead.import.map_columns"))
        self.mapping_button.clicked.connect(self.open_mapping)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        file_row.addWidget(self.mapping_button)
        self.shop_box = QComboBox()
        self.format_box = QComboBox()
        for fmt in profiles.FORMATS:
            self.format_box.addItem(tr("lead.import.generic") if fmt == "generic" else fmt, fmt)
        form = QFormLayout()
        form.addRow(tr("import.file"), file_row)
        form.addRow("", self.detected)
        form.addRow(tr("import.shop"), self.shop_box)
        form.addRow(tr("import.format"), self.format_box)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.errors = QTableWidget(0, 2)
        self.errors.setHorizontalHeaderLabels([tr("import.row"), tr("import.reason")])
        self.errors.horizontalHeader().setStretchLastSection(True)
        self.errors.setVisible(False)

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(tr("import.start"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(tr("import.close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.undo_button = self.buttons.addButton(tr("batch.import.undo"), QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_this)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        # the recent imports, each undoable while none of its new orders has a waybill
        self.recent = QTableWidget(0, 4)
        self.recent.setHorizontalHeaderLabels([tr("batch.import.col_at"), tr("batch.import.col_shop"),
                                               tr("batch.import.col_file"), tr("batch.import.col_orders")])  # fmt: skip
        self.recent.horizontalHeader().setStretchLastSection(True)
        self.recent.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recent.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.recent.itemSelectionChanged.connect(self._recent_selected)
        self.undo_recent_button = QPushButton(tr("batch.import.undo_selected"))
        self.undo_recent_button.setEnabled(False)
        self.undo_recent_button.clicked.connect(self.undo_selected)
        recent_row = QHBoxLayout()
        recent_row.addWidget(QLabel(tr("batch.import.recent")), 1)
        recent_row.addWidget(self.undo_recent_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addLayout(recent_row)
        layout.addWidget(self.recent)
        layout.addWidget(self.buttons)
        self._load_shops()
        self._load_recent()

    def _alive(self) -> bool:
        return is_alive(self)

    def _load_shops(self) -> None:
        """The shop names, read off the GUI thread; Import waits for them."""
        self.start_button.setEnabled(False)

        def load(ws: Workspace, _op: Op[list[ShopInfo]]) -> list[ShopInfo]:
            return ws.orders.shops()

        def show(shops: list[ShopInfo]) -> None:
            self.shops = {shop.name: shop for shop in shops}
            for shop in shops:
                self.shop_box.addItem(f"{shop.name}  ({shop.platform})", shop.name)
            if shops:
                self.start_button.setEnabled(True)
            else:
                self.summary.setText(tr("import.no_shop"))

        self.ops.run(load, show, writes=False, guard=self._alive)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("import.title"), str(Path.home()), "Orders (*.csv *.xlsx *.txt);;All (*)"
        )
        if path:
            self.path_edit.setText(path)
            self.check_path()

    # -- what the file is, before anything is written
    def check_path(self) -> None:
        """Recognise the picked file's layout (a reader, nothing written) and pick the shop its platform's files
        last went into."""
        path = self.path_edit.text().strip()
        fmt = self.format_box.currentData()
        if not path or self._known(path, fmt) is not None:
            return

        def work(ws: Workspace, _op: Op[tuple[FileCheck, str]]) -> tuple[FileCheck, str]:
            check = ws.imports.check_file(path, fmt)
            return check, ws.imports.suggested_shop(check.platform)

        key = (path, fmt, _mtime(path))
        self.ops.run(work, lambda result: self._show_check(result, key), writes=False, on_failure=self._failed,
                     guard=self._alive)  # fmt: skip

    def _known(self, path: str, fmt: str) -> FileCheck | None:
        """The check of this very file (same path, format and modification time), if it was made."""
        return self.check if self._checked == (path, fmt, _mtime(path)) else None

    def _show_check(self, result: tuple[FileCheck, str], key: tuple[str, str, float]) -> None:
        check, shop = result
        self.check, self._checked = check, key
        if check.platform:
            self.detected.setText(tr("batch.import.detected", layout=check.label_zh or check.profile, rows=check.rows))
        else:
            self.detected.setText(tr("batch.import.unknown_layout", rows=check.rows))
        index = self.shop_box.findData(shop) if shop else -1
        if index >= 0:
            self.shop_box.setCurrentIndex(index)
        if not check.platform:
            self._offer_mapping(check)
        self.checked.emit(check)

    def _offer_mapping(self, check: FileCheck) -> None:
        """A layout no platform writes: the shop's saved column mapping when it has one, else the wizard."""
        info = self.shops.get(self.shop_box.currentData() or "")
        if info is not None and info.mapping:
            self.format_box.setCurrentIndex(self.format_box.findData("generic"))
            self.detected.setText(tr("lead.import.use_saved_mapping", rows=check.rows, shop=info.name))
        else:
            self.detected.setText(tr("lead.import.needs_mapping", rows=check.rows))

    def _mapping_saved(self, shop: ShopInfo) -> None:
        """The shop's new mapping: the next file of its kind is read with it."""
        self.shops[shop.name] = shop

    def open_mapping(self) -> QWidget:
        """The column-mapping wizard on the picked file for the chosen shop; what it imports shows here."""
        from ui.settings.window import SettingsWindow

        window = SettingsWindow(self.ops, self, "mapping")
        path, shop = self.path_edit.text().strip(), self.shop_box.currentData()
        if path and shop:
            window.mapping.open_file(shop, path)
        window.mapping.imported.connect(self._done)
        window.mapping.mapping_saved.connect(self._mapping_saved)
        window.open()
        self.mapping_window = window
        return window

    def mismatch(self, check: FileCheck, shop: str) -> bool:
        info = self.shops.get(shop)
        return info is not None and bool(check.platform) and not platform_matches(check.platform, info.platform)

    def confirm_mismatch(self, check: FileCheck, shop: str) -> bool:
        """A file of another platform than the shop's: ask before anything is written."""
        info = self.shops[shop]
        answer = QMessageBox.question(
            self, tr("import.title"),
            tr("batch.import.mismatch", layout=check.label_zh or check.profile, shop=shop, platform=info.platform),
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def start(self) -> None:
        """Check the file (nothing written), ask when it does not match the shop's platform, then import."""
        path = self.path_edit.text().strip()
        shop = self.shop_box.currentData()
        fmt = self.format_box.currentData()
        if not path or not shop:
            return
        self.start_button.setEnabled(False)

        def checked(check: FileCheck) -> None:
            self.check, self._checked = check, (path, fmt, _mtime(path))
            if self.mismatch(check, shop) and not self.confirm_mismatch(check, shop):
                self.start_button.setEnabled(True)
                self.summary.setText(tr("batch.import.not_imported"))
                return
            self._import(path, shop, fmt, check.platform)

        known = self._known(path, fmt)
        if known is not None:  # checked when it was picked, unchanged since
            checked(known)
            return
        self.ops.run(lambda ws, _op: ws.imports.check_file(path, fmt), checked, writes=False,
                     on_failure=self._failed, guard=self._alive)  # fmt: skip

    def _import(self, path: str, shop: str, fmt: str, platform: str) -> None:
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.summary.setText(tr("import.running"))

        def work(ws: Workspace, op: Op[ImportReport | None]) -> ImportReport | None:
            try:
                report = ws.orders.import_file(path, shop, fmt, progress=op.progress, cancel=op.token)
            except Cancelled:
                return None  # stopped by Cancel: the chunks written stay (importing again finishes the job)
            ws.imports.remember_shop(platform, shop)
            return report

        self.ops.run(
            work,
            self._done,
            writes=True,
            label=tr("import.running"),
            cancellable=True,
            on_progress=self._progress,
            on_failure=self._failed,
            guard=self._alive,
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: ImportReport | None) -> None:
        if report is None:
            self.start_button.setEnabled(True)
            self.progress.setVisible(False)
            self.summary.setText(tr("import.cancelled"))
            self.imported.emit(None)  # what was written before Cancel shows in the list
            return
        self.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.start_button.setEnabled(True)
        self.summary.setText(
            tr("import.summary", imported=report.imported, updated=report.updated, unchanged=report.unchanged,
               rejected=report.rejected)
            + "".join(f"\n⚠ {in_language(w)}" for w in report.warnings)
        )  # fmt: skip
        self.errors.setVisible(bool(report.errors))
        self.errors.setRowCount(len(report.errors))
        for i, error in enumerate(report.errors):
            self.errors.setItem(i, 0, QTableWidgetItem(str(error.row)))
            self.errors.setItem(i, 1, QTableWidgetItem(in_language(error.reason)))
        self.undo_button.setEnabled(bool(report.run_id) and report.imported > 0)
        self.imported.emit(report)
        self._load_recent()

    # -- undo
    def _load_recent(self) -> None:
        self.ops.run(lambda ws, _op: ws.imports.recent(), self._show_recent, writes=False, guard=self._alive)

    def _show_recent(self, imports: list[ImportInfo]) -> None:
        self.imports = imports
        self.recent.setRowCount(len(imports))
        for i, run in enumerate(imports):
            if run.undone_at is not None:
                state = tr("batch.import.was_undone")
            elif run.with_waybill:
                state = tr("batch.import.has_waybills", orders=run.orders, waybills=run.with_waybill)
            else:
                state = tr("batch.import.orders", orders=run.orders)
            cells = (run.at.strftime("%Y-%m-%d %H:%M"), run.shop, Path(run.source).name, state)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(run.source if column == 2 else text)
                self.recent.setItem(i, column, item)
        self._recent_selected()

    def selected_import(self) -> ImportInfo | None:
        rows = {index.row() for index in self.recent.selectionModel().selectedRows()}
        return self.imports[min(rows)] if rows and min(rows) < len(self.imports) else None

    def _recent_selected(self) -> None:
        run = self.selected_import()
        self.undo_recent_button.setEnabled(run is not None and run.can_undo)

    def confirm_undo(self, orders: int) -> bool:
        answer = QMessageBox.question(self, tr("batch.import.undo"), tr("batch.import.ask_undo", orders=orders))
        return answer == QMessageBox.StandardButton.Yes

    def undo_this(self) -> None:
        if self.report is not None and self.report.run_id:
            self._undo(self.report.run_id, self.report.imported)

    def undo_selected(self) -> None:
        run = self.selected_import()
        if run is not None and run.can_undo:
            self._undo(run.id, run.orders)

    def _undo(self, run_id: int, orders: int) -> None:
        """Remove the import's new orders (refused, with the reason, when one of them has a waybill)."""
        if not self.confirm_undo(orders):
            return
        self.undo_button.setEnabled(False)
        self.undo_recent_button.setEnabled(False)

        def done(result: UndoResult) -> None:
            self.summary.setText(tr("batch.import.undone", removed=result.removed, file=Path(result.source).name))
            self.undone.emit(result)
            self._load_recent()

        def failed(exc: BaseException) -> bool:
            text = error_text(exc)
            if text is None:
                return False
            self.summary.setText(f"{tr('batch.import.undo_failed')}: {text}")
            self._load_recent()
            return True

        self.ops.run(lambda ws, _op: ws.imports.undo(run_id), done, writes=True, label=tr("batch.import.undo"),
                     on_failure=failed, guard=self._alive)  # fmt: skip

    def _failed(self, exc: BaseException) -> bool:
        """A user-facing error is shown here (True: handled); a bug takes the default path (crash dialog, log)."""
        self.start_button.setEnabled(True)
        self.progress.setVisible(False)
        text = error_text(exc)
        if text is None:
            return False
        self.summary.setText(f"{tr('import.failed')}: {text}")
        return True


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0
