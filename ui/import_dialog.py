"""Import orders: pick a file and a shop, watch the progress, read the result with every rejected row.

The shops are read and the file imported through the workspace, off the GUI thread: the import is a writing
operation (the window's progress bar shows it, with Cancel), the shop list a reading one.
"""

from __future__ import annotations

from pathlib import Path

from app.orders import profiles
from app.orders.values import ImportReport
from app.workspace import Workspace
from app.workspace.core import Cancelled
from ui.i18n import tr
from ui.messages import error_text
from ui.ops import Op, Ops
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportReport; None when Cancel stopped the import part-way (what it wrote stays)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.report: ImportReport | None = None
        self.setWindowTitle(tr("import.title"))
        self.resize(720, 480)

        self.path_edit = QLineEdit()
        browse = QPushButton(tr("import.browse"))
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.shop_box = QComboBox()
        self.format_box = QComboBox()
        for fmt in profiles.FORMATS:
            if fmt != "generic":
                self.format_box.addItem(fmt, fmt)
        form = QFormLayout()
        form.addRow(tr("import.file"), file_row)
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
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addWidget(self.buttons)
        self._load_shops()

    def _alive(self) -> bool:
        return is_alive(self)

    def _load_shops(self) -> None:
        """The shop names, read off the GUI thread; Import waits for them."""
        self.start_button.setEnabled(False)

        def load(ws: Workspace, _op: Op[list[str]]) -> list[str]:
            return [shop.name for shop in ws.orders.shops()]

        def show(names: list[str]) -> None:
            for name in names:
                self.shop_box.addItem(name, name)
            if names:
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

    def start(self) -> None:
        path = self.path_edit.text().strip()
        shop = self.shop_box.currentData()
        fmt = self.format_box.currentData()
        if not path or not shop:
            return
        self.start_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.summary.setText(tr("import.running"))

        def work(ws: Workspace, op: Op[ImportReport | None]) -> ImportReport | None:
            try:
                return ws.orders.import_file(path, shop, fmt, progress=op.progress, cancel=op.token)
            except Cancelled:
                return None  # stopped by Cancel: the chunks written stay (importing again finishes the job)

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
            + "".join(f"\n⚠ {w}" for w in report.warnings)
        )  # fmt: skip
        self.errors.setVisible(bool(report.errors))
        self.errors.setRowCount(len(report.errors))
        for i, error in enumerate(report.errors):
            self.errors.setItem(i, 0, QTableWidgetItem(str(error.row)))
            self.errors.setItem(i, 1, QTableWidgetItem(error.reason))
        self.imported.emit(report)

    def _failed(self, exc: BaseException) -> bool:
        """A user-facing error is shown here (True: handled); a bug takes the default path (crash dialog, log)."""
        self.start_button.setEnabled(True)
        self.progress.setVisible(False)
        text = error_text(exc)
        if text is None:
            return False
        self.summary.setText(f"{tr('import.failed')}: {text}")
        return True
