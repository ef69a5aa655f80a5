"""Printer settings: the printers of this workspace, a form to add or change one, a status check, and a test print
of the calibration label (frame, ruler ticks, crosshair, reference bar, Code 128) to check the dpi and the offset.

The status check and the test print talk to the printer directly (not through the queue): a test label is not a
waybill and leaves no job behind. Both run on the I/O pool; saving runs on the database worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import KuaidanError
from app.labels.calibration import MAX_OFFSET_MM, calibration_label
from app.labels.jobs import RenderOptions, render_label
from app.labels.templates import TEMPLATES
from app.printing.registry import LANGUAGES, ROLES, PrinterInfo, add_printer, list_printers
from app.store.engine import Store
from printers.status import PrinterStatus, query_status
from printers.transports import TransportError, open_transport
from ui.i18n import language, tr
from ui.print_jobs import GREY, QUERYABLE, light_for_status, light_icon, pick, probe_printer, status_message
from ui.qt import is_alive as isValid
from ui.qt.core import Qt, Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.tasks import ProgressFn, TaskRunner

log = logging.getLogger(__name__)

DPIS = (203, 300)
ENCODINGS = ("gb18030", "gbk", "utf-8")
URI_EXAMPLES = "tcp://192.168.1.50:9100 · serial:///dev/ttyUSB0?baud=9600 · usblp:///dev/usb/lp0 · spool://QUEUE · file:///path"


@dataclass(frozen=True)
class PrinterForm:
    """What the form holds (also what a test print or a status check uses, saved or not)."""

    name: str
    uri: str
    language: str
    dpi: int
    encoding: str
    template: str
    role: str
    default: bool
    offset_x_mm: float
    offset_y_mm: float


@dataclass(frozen=True)
class TestPrint:
    bytes_sent: int
    status: PrinterStatus | None  # the printer's answer after the label (None: it cannot answer)


def send_calibration(form: PrinterForm, timeout: float = 5.0) -> TestPrint:
    """Render the calibration label in the printer's language and send it straight to the printer (blocking)."""
    template = TEMPLATES[form.template]
    label = calibration_label(
        form.name or "?", form.dpi, form.offset_x_mm, form.offset_y_mm, template.width_mm, template.height_mm
    )
    options = RenderOptions(
        language=form.language, dpi=form.dpi, encoding=form.encoding, template=form.template
    )
    payload = render_label(label, options)
    transport = open_transport(form.uri, timeout=timeout)
    try:
        transport.write(payload)
        transport.flush()
        status = (
            query_status(transport, form.language)
            if form.language in QUERYABLE and transport.can_read
            else None
        )
    finally:
        transport.close()
    return TestPrint(len(payload), status)


class PrinterDialog(QDialog):
    printers_changed = Signal()
    status_checked = Signal(object)  # PrinterStatus
    test_printed = Signal(object)  # TestPrint
    failed = Signal(str)

    def __init__(self, store: Store, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.printers: list[PrinterInfo] = []
        self.last_status: PrinterStatus | None = None
        self.setWindowTitle(tr("pd.title"))
        self.resize(900, 640)

        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [tr("pd.col.name"), tr("pd.col.uri"), tr("pd.col.language"), tr("pd.col.dpi"), tr("pd.col.role"),
             tr("pd.col.template")]
        )  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((200, 250, 70, 50, 130)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._fill_from_selection)

        self.name_edit = QLineEdit()
        self.uri_edit = QLineEdit()
        self.uri_edit.setPlaceholderText(URI_EXAMPLES)
        self.uri_edit.setToolTip(URI_EXAMPLES.replace(" · ", "\n"))
        self.language_box = QComboBox()
        self.language_box.addItems(list(LANGUAGES))
        self.dpi_box = QComboBox()
        for dpi in DPIS:
            self.dpi_box.addItem(f"{dpi} dpi", dpi)
        self.encoding_box = QComboBox()
        self.encoding_box.addItems(list(ENCODINGS))
        self.template_box = QComboBox()
        for name, template in TEMPLATES.items():
            self.template_box.addItem(f"{name}  {template.description}" if language() == "zh" else name, name)
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem(tr(f"pd.role.{role}"), role)
        self.default_check = QCheckBox(tr("pd.default"))
        self.offset_x = self._offset_box()
        self.offset_y = self._offset_box()
        offsets = QHBoxLayout()
        for caption, box in ((tr("pd.offset_x"), self.offset_x), (tr("pd.offset_y"), self.offset_y)):
            offsets.addWidget(QLabel(caption))
            offsets.addWidget(box)
        offsets.addStretch(1)

        form = QFormLayout()
        form.addRow(tr("pd.name"), self.name_edit)
        form.addRow(tr("pd.uri"), self.uri_edit)
        form.addRow(tr("pd.language"), self.language_box)
        form.addRow(tr("pd.dpi"), self.dpi_box)
        form.addRow(tr("pd.encoding"), self.encoding_box)
        form.addRow(tr("pd.template"), self.template_box)
        form.addRow(tr("pd.role"), self.role_box)
        form.addRow("", self.default_check)
        form.addRow(tr("pd.offset"), offsets)
        group = QGroupBox(tr("pd.form"))
        group.setLayout(form)

        self.new_button = QPushButton(tr("pd.new"))
        self.save_button = QPushButton(tr("pd.save"))
        self.check_button = QPushButton(tr("pd.check"))
        self.test_button = QPushButton(tr("pd.test_print"))
        self.new_button.setAutoDefault(False)
        self.save_button.setDefault(True)
        self.new_button.clicked.connect(self.clear_form)
        self.save_button.clicked.connect(self.save)
        self.check_button.clicked.connect(self.check_status)
        self.test_button.clicked.connect(self.test_print)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.test_button)

        self.status_label = QLabel(tr("pd.status_unknown"))
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.light = QLabel()
        self._show_light(GREY)
        status_row = QHBoxLayout()
        status_row.addWidget(self.light)
        status_row.addWidget(self.status_label, 1)
        hint = QLabel(tr("pd.test_hint"))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("pd.close"))
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("pd.list")))
        layout.addWidget(self.table, 1)
        layout.addWidget(group)
        layout.addLayout(buttons)
        layout.addLayout(status_row)
        layout.addWidget(hint)
        layout.addWidget(close)
        self.clear_form()
        self.reload()

    @staticmethod
    def _offset_box() -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-MAX_OFFSET_MM, MAX_OFFSET_MM)
        box.setSingleStep(0.5)
        box.setDecimals(1)
        box.setSuffix(" mm")
        return box

    # --- the list ----------------------------------------------------------------------------------------------

    def reload(self) -> None:
        def load(_p: ProgressFn) -> list[PrinterInfo]:
            with self.store.session() as s:
                return list_printers(s)

        self._run(load, self._loaded, self._failed)

    def _loaded(self, printers: list[PrinterInfo]) -> None:
        self.printers = printers
        self.table.blockSignals(True)
        self.table.setRowCount(len(printers))
        for row, p in enumerate(printers):
            name = QTableWidgetItem(f"{p.name}  ★" if p.is_default else p.name)
            if p.is_default:
                name.setToolTip(tr("pd.default"))
            values = (name, QTableWidgetItem(p.uri), QTableWidgetItem(p.language), QTableWidgetItem(str(p.dpi)),
                      QTableWidgetItem(tr(f"pd.role.{p.role}")), QTableWidgetItem(p.template))  # fmt: skip
            for column, item in enumerate(values):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def _fill_from_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.printers):
            return
        p = self.printers[rows[0].row()]
        self.name_edit.setText(p.name)
        self.uri_edit.setText(p.uri)
        self.language_box.setCurrentText(p.language)
        self.dpi_box.setCurrentIndex(max(0, self.dpi_box.findData(p.dpi)))
        self.encoding_box.setCurrentText(p.encoding)
        self.template_box.setCurrentIndex(max(0, self.template_box.findData(p.template)))
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(p.role)))
        self.default_check.setChecked(p.is_default)
        self.offset_x.setValue(p.offset_x_mm)
        self.offset_y.setValue(p.offset_y_mm)

    def clear_form(self) -> None:
        self.table.clearSelection()
        self.name_edit.clear()
        self.uri_edit.clear()
        self.language_box.setCurrentText("tspl")
        self.dpi_box.setCurrentIndex(0)
        self.encoding_box.setCurrentText("gb18030")
        self.template_box.setCurrentIndex(max(0, self.template_box.findData("100x180")))
        self.role_box.setCurrentIndex(0)
        self.default_check.setChecked(False)
        self.offset_x.setValue(0)
        self.offset_y.setValue(0)
        self.name_edit.setFocus()

    def form(self) -> PrinterForm:
        return PrinterForm(
            name=self.name_edit.text().strip(),
            uri=self.uri_edit.text().strip(),
            language=self.language_box.currentText(),
            dpi=int(self.dpi_box.currentData()),
            encoding=self.encoding_box.currentText(),
            template=str(self.template_box.currentData()),
            role=str(self.role_box.currentData()),
            default=self.default_check.isChecked(),
            offset_x_mm=self.offset_x.value(),
            offset_y_mm=self.offset_y.value(),
        )

    # --- actions -----------------------------------------------------------------------------------------------

    def save(self) -> None:
        form = self.form()
        if not form.name or not form.uri:
            self._say(tr("pd.need_name_uri"))
            return

        def work(_p: ProgressFn) -> PrinterInfo:
            with self.store.session() as s:
                return add_printer(
                    s, form.name, form.uri, form.language, dpi=form.dpi, encoding=form.encoding,
                    template=form.template, role=form.role, default=form.default,
                    offset_x_mm=form.offset_x_mm, offset_y_mm=form.offset_y_mm,
                )  # fmt: skip

        def done(info: PrinterInfo) -> None:
            self._say(tr("pd.saved", name=info.name))
            self.reload()
            self.printers_changed.emit()

        self._run(work, done, self._failed)

    def check_status(self) -> None:
        form = self.form()
        if not form.uri:
            self._say(tr("pd.need_name_uri"))
            return
        self.check_button.setEnabled(False)
        self._show_light(GREY)
        self.status_label.setText(tr("pd.checking"))

        def work(_p: ProgressFn) -> PrinterStatus:
            return probe_printer(form.uri, form.language)

        def done(status: PrinterStatus) -> None:
            self.check_button.setEnabled(True)
            self.last_status = status
            self._show_light(light_for_status(status))
            self.status_label.setText(f"{tr(f'pd.state.{status.state.value}')} — {status_message(status)()}")
            self.status_checked.emit(status)

        def failed(exc: Exception, tb: str) -> None:
            self.check_button.setEnabled(True)
            self._failed(exc, tb)

        self._run(work, done, failed, pool="io")

    def test_print(self) -> None:
        form = self.form()
        if not form.uri:
            self._say(tr("pd.need_name_uri"))
            return
        self.test_button.setEnabled(False)
        self.status_label.setText(tr("pd.test_sending"))

        def work(_p: ProgressFn) -> TestPrint:
            return send_calibration(form)

        def done(result: TestPrint) -> None:
            self.test_button.setEnabled(True)
            text = tr("pd.test_sent", bytes=result.bytes_sent, dpi=form.dpi)
            if result.status is not None:
                self._show_light(light_for_status(result.status))
                text += f" — {status_message(result.status)()}"
            self._say(text)
            self.test_printed.emit(result)

        def failed(exc: Exception, tb: str) -> None:
            self.test_button.setEnabled(True)
            self._failed(exc, tb)

        self._run(work, done, failed, pool="io")

    def _run(
        self,
        fn: Callable[[ProgressFn], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception, str], None],
        *,
        pool: str = "db",
    ) -> None:
        """The task bridge; results that come back after this widget closed are dropped."""
        self.tasks.run(fn, on_done, on_error, pool=pool, guard=lambda: isValid(self))

    # --- showing ------------------------------------------------------------------------------------------------

    def _show_light(self, light: str) -> None:
        self.light.setPixmap(light_icon(light).pixmap(14, 14))
        self.light.setProperty("light", light)

    def _say(self, text: str) -> None:
        self.status_label.setText(text)

    def _failed(self, exc: Exception, tb: str) -> None:
        if isinstance(exc, KuaidanError | TransportError):
            text = pick(exc.message_zh, exc.message_en)
            self._show_light("red" if isinstance(exc, TransportError) else GREY)
            self._say(text)
            self.failed.emit(text)
        elif isinstance(
            exc, ValueError
        ):  # a setting the renderer refuses (e.g. a language without a renderer)
            self._say(str(exc))
            self.failed.emit(str(exc))
        else:
            from ui.crash import show_crash

            show_crash(self, exc, tb)
