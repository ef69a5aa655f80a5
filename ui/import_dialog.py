"""Import orders: pick a file and a shop, watch the progress, read the result with every rejected row."""

from __future__ import annotations

from pathlib import Path

from app.errors import KuaidanError
from app.orders import profiles
from app.orders.importer import ImportReport, import_file
from app.orders.shops import list_shops
from app.store.engine import Store
from ui.i18n import tr
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
from ui.tasks import ProgressFn, TaskRunner


class ImportDialog(QDialog):
    imported = Signal(object)

    def __init__(self, store: Store, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
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

    def _load_shops(self) -> None:
        with self.store.session() as s:
            names = [shop.name for shop in list_shops(s)]
        for name in names:
            self.shop_box.addItem(name, name)
        if not names:
            self.summary.setText(tr("import.no_shop"))
            self.start_button.setEnabled(False)

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

        def work(progress: ProgressFn) -> ImportReport:
            return import_file(self.store, path, shop, fmt, None, progress)

        self.tasks.run(work, self._done, self._failed, self._progress)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _done(self, report: ImportReport) -> None:
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

    def _failed(self, exc: Exception, tb: str) -> None:
        self.start_button.setEnabled(True)
        self.progress.setVisible(False)
        if isinstance(exc, KuaidanError):
            self.summary.setText(f"{tr('import.failed')}: {exc}")
        else:
            from ui.crash import show_crash

            show_crash(self, exc, tb)
