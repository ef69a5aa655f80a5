"""Printers: the printers of this workspace; a form to add or change one — picked from the printers this PC can see
(system print queues, serial ports, USB printer devices) or typed as ``IP`` / ``IP:port`` (→ ``tcp://IP:9100``) or as
a URI —, with its language, dpi, template, offsets and the privacy of its labels; delete; status check and a test
print of the calibration label (frame, ruler ticks, crosshair, reference bar, Code 128).

The status check and the test print go to the printer directly through the workspace (not through the queue): a
test label is not a waybill and leaves no job behind. Both run on a reader; saving and deleting on the writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.errors import PrinterProblem
from app.labels.calibration import MAX_OFFSET_MM
from app.labels.templates import TEMPLATES
from app.printing.devices import DeviceChoice, typed_uri
from app.printing.values import LANGUAGES, ROLES, CalibrationSent, PrinterInfo, PrinterStatus
from ui.i18n import language, tr
from ui.messages import error_text
from ui.print_jobs import GREY, light_for_status, light_icon, status_message
from ui.qt.core import Qt, Signal
from ui.qt.widgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.settings.common import SettingsPage, fill_table, label_rows, list_table, selected_row

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

DPIS = (203, 300)
ENCODINGS = ("gb18030", "gbk", "utf-8")
URI_EXAMPLES = "192.168.1.50 · 192.168.1.50:9100 · tcp://192.168.1.50:9100 · serial:///dev/ttyUSB0?baud=9600 · usblp:///dev/usb/lp0 · spool://QUEUE · file:///path"


@dataclass(frozen=True)
class PrinterForm:
    """What the form holds (also what a test print or a status check uses, saved or not)."""

    name: str
    uri: str  # as a URI: a typed IP or IP:port is already tcp://IP:9100
    language: str
    dpi: int
    encoding: str
    template: str
    role: str
    default: bool
    offset_x_mm: float
    offset_y_mm: float
    mask_phone: bool
    mask_name: bool


class PrintersPage(SettingsPage):
    printers_changed = Signal()
    status_checked = Signal(object)  # PrinterStatus
    test_printed = Signal(object)  # CalibrationSent
    devices_found = Signal(object)  # list[DeviceChoice]

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.printers: list[PrinterInfo] = []
        self.devices: list[DeviceChoice] = []
        self.last_status: PrinterStatus | None = None
        self.editing = ""

        self.table = list_table(7)
        self.table.itemSelectionChanged.connect(self._fill_from_selection)

        self.name_edit = QLineEdit()
        self.device_box = QComboBox()
        self.device_box.activated.connect(self._device_chosen)
        self.find_button = QPushButton()
        self.find_button.clicked.connect(self.find_devices)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_box, 1)
        device_row.addWidget(self.find_button)
        self.uri_edit = QLineEdit()
        self.uri_edit.setToolTip(URI_EXAMPLES.replace(" · ", "\n"))
        self.uri_edit.setPlaceholderText(URI_EXAMPLES)
        self.language_box = QComboBox()
        self.language_box.addItems(list(LANGUAGES))
        self.dpi_box = QComboBox()
        for dpi in DPIS:
            self.dpi_box.addItem(f"{dpi} dpi", dpi)
        self.encoding_box = QComboBox()
        self.encoding_box.addItems(list(ENCODINGS))
        self.template_box = QComboBox()
        for name in TEMPLATES:
            self.template_box.addItem(name, name)
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem("", role)
        self.default_check = QCheckBox()
        self.mask_phone = QCheckBox()
        self.mask_name = QCheckBox()
        self.offset_x = self._offset_box()
        self.offset_y = self._offset_box()
        self.offset_x_label, self.offset_y_label = QLabel(), QLabel()
        offsets = QHBoxLayout()
        for caption, box in ((self.offset_x_label, self.offset_x), (self.offset_y_label, self.offset_y)):
            offsets.addWidget(caption)
            offsets.addWidget(box)
        offsets.addStretch(1)
        privacy = QHBoxLayout()
        privacy.addWidget(self.mask_phone)
        privacy.addWidget(self.mask_name)
        privacy.addStretch(1)

        self.form_layout = QFormLayout()
        self._labels = ("pd.name", "setup.printer.device", "pd.uri", "pd.language", "pd.dpi", "pd.encoding",
                        "pd.template", "pd.role", "", "setup.printer.privacy", "pd.offset")  # fmt: skip
        self.form_layout.addRow("", self.name_edit)
        self.form_layout.addRow("", device_row)
        for widget in (self.uri_edit, self.language_box, self.dpi_box, self.encoding_box, self.template_box,
                       self.role_box, self.default_check):  # fmt: skip
            self.form_layout.addRow("", widget)
        self.form_layout.addRow("", privacy)
        self.form_layout.addRow("", offsets)
        self.group = QGroupBox()
        self.group.setLayout(self.form_layout)

        self.check_button = QPushButton()
        self.test_button = QPushButton()
        self.check_button.clicked.connect(self.check_status)
        self.test_button.clicked.connect(self.test_print)
        buttons = self.form_buttons(right=(self.check_button, self.test_button))

        self.status_label = self.message
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.light = QLabel()
        self._show_light(GREY)
        status_row = QHBoxLayout()
        status_row.addWidget(self.light)
        status_row.addWidget(self.status_label, 1)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.group)
        layout.addLayout(buttons)
        layout.addLayout(status_row)
        layout.addWidget(self.hint)
        self.retranslate()
        self.clear_form()
        self.status_label.setText(tr("pd.status_unknown"))
        self.reload()
        self.find_devices()

    @staticmethod
    def _offset_box() -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-MAX_OFFSET_MM, MAX_OFFSET_MM)
        box.setSingleStep(0.5)
        box.setDecimals(1)
        box.setSuffix(" mm")
        return box

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([tr("pd.col.name"), tr("pd.col.uri"), tr("pd.col.language"),
                                              tr("pd.col.dpi"), tr("pd.col.role"), tr("pd.col.template"),
                                              tr("setup.printer.privacy")])  # fmt: skip
        label_rows(self.form_layout, [tr(key) if key else "" for key in self._labels])
        for index, name in enumerate(TEMPLATES):
            description = TEMPLATES[name].description
            self.template_box.setItemText(index, f"{name}  {description}" if language() == "zh" else name)
        for index, role in enumerate(ROLES):
            self.role_box.setItemText(index, tr(f"pd.role.{role}"))
        self.default_check.setText(tr("pd.default"))
        self.mask_phone.setText(tr("setup.mask_phone"))
        self.mask_name.setText(tr("setup.mask_name"))
        self.offset_x_label.setText(tr("pd.offset_x"))
        self.offset_y_label.setText(tr("pd.offset_y"))
        self.group.setTitle(tr("pd.form"))
        self.find_button.setText(tr("setup.printer.find"))
        self.new_button.setText(tr("pd.new"))
        self.save_button.setText(tr("pd.save"))
        self.delete_button.setText(tr("setup.delete"))
        self.check_button.setText(tr("pd.check"))
        self.test_button.setText(tr("pd.test_print"))
        self.hint.setText(tr("pd.test_hint"))
        self._show_devices(self.devices)
        self._loaded(self.printers)

    # --- the printers this PC can see ------------------------------------------------------------------------

    def find_devices(self) -> None:
        self.find_button.setEnabled(False)

        def done(devices: list[DeviceChoice]) -> None:
            self.find_button.setEnabled(True)
            self._show_devices(devices)
            self.devices_found.emit(devices)

        def failed(exc: BaseException) -> bool:
            self.find_button.setEnabled(True)
            return self.show_error(exc)

        self.run(lambda ws, _op: ws.printing.devices(), done, writes=False, on_failure=failed)

    def _show_devices(self, devices: list[DeviceChoice]) -> None:
        self.devices = devices
        self.device_box.clear()
        self.device_box.addItem(tr("setup.printer.pick", n=len(devices)) if devices else tr("setup.printer.none"),
                                "")  # fmt: skip
        for device in devices:
            self.device_box.addItem(f"{tr(f'setup.printer.kind.{device.kind}')}: {device.label}", device.uri)

    def _device_chosen(self, index: int) -> None:
        uri = self.device_box.itemData(index)
        if not uri:
            return
        self.uri_edit.setText(str(uri))
        if uri.startswith(
            "spool://"
        ):  # a system queue takes a page: PDF (a thermal queue in raw mode: change it)
            self.language_box.setCurrentText("pdf")
        if not self.name_edit.text().strip():
            self.name_edit.setText(self.device_box.itemText(index).split(": ", 1)[-1].split("  ")[0])

    # --- the list ----------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.run(lambda ws, _op: ws.printing.printers(), self._loaded, writes=False)

    def _loaded(self, printers: list[PrinterInfo]) -> None:
        self.printers = printers
        rows = []
        for p in printers:
            privacy = " ".join(t for on, t in ((p.mask_phone, tr("setup.phone")), (p.mask_name, tr("setup.name")))
                               if on) or "—"  # fmt: skip
            rows.append((f"{p.name}  ★" if p.is_default else p.name, p.uri, p.language, str(p.dpi),
                         tr(f"pd.role.{p.role}"), p.template, privacy))  # fmt: skip
        fill_table(self.table, rows)
        for row, p in enumerate(printers):
            if p.name == self.editing:
                self.table.blockSignals(True)
                self.table.selectRow(row)
                self.table.blockSignals(False)

    def _fill_from_selection(self) -> None:
        row = selected_row(self.table)
        if not 0 <= row < len(self.printers):
            return
        p = self.printers[row]
        self.editing = p.name
        self.name_edit.setText(p.name)
        self.uri_edit.setText(p.uri)
        self.language_box.setCurrentText(p.language)
        self.dpi_box.setCurrentIndex(max(0, self.dpi_box.findData(p.dpi)))
        self.encoding_box.setCurrentText(p.encoding)
        self.template_box.setCurrentIndex(max(0, self.template_box.findData(p.template)))
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(p.role)))
        self.default_check.setChecked(p.is_default)
        self.mask_phone.setChecked(p.mask_phone)
        self.mask_name.setChecked(p.mask_name)
        self.offset_x.setValue(p.offset_x_mm)
        self.offset_y.setValue(p.offset_y_mm)
        self.delete_button.setEnabled(True)

    def clear_form(self) -> None:
        self.editing = ""
        self.table.clearSelection()
        self.name_edit.clear()
        self.uri_edit.clear()
        self.device_box.setCurrentIndex(0)
        self.language_box.setCurrentText("tspl")
        self.dpi_box.setCurrentIndex(0)
        self.encoding_box.setCurrentText("gb18030")
        self.template_box.setCurrentIndex(max(0, self.template_box.findData("100x180")))
        self.role_box.setCurrentIndex(0)
        for check in (self.default_check, self.mask_phone, self.mask_name):
            check.setChecked(False)
        self.offset_x.setValue(0)
        self.offset_y.setValue(0)
        self.delete_button.setEnabled(False)
        self.name_edit.setFocus()

    def form(self) -> PrinterForm:
        typed = self.uri_edit.text().strip()
        return PrinterForm(
            name=self.name_edit.text().strip(),
            uri=typed_uri(typed) or typed,
            language=self.language_box.currentText(),
            dpi=int(self.dpi_box.currentData()),
            encoding=self.encoding_box.currentText(),
            template=str(self.template_box.currentData()),
            role=str(self.role_box.currentData()),
            default=self.default_check.isChecked(),
            offset_x_mm=self.offset_x.value(),
            offset_y_mm=self.offset_y.value(),
            mask_phone=self.mask_phone.isChecked(),
            mask_name=self.mask_name.isChecked(),
        )

    # --- actions -----------------------------------------------------------------------------------------------

    def save(self) -> None:
        form, editing = self.form(), self.editing
        if not form.name or not form.uri:
            self.say(False, tr("pd.need_name_uri"))
            return
        if form.uri != self.uri_edit.text().strip():
            self.uri_edit.setText(form.uri)  # the typed address as it is kept

        def work(ws: Workspace, _op: Op[PrinterInfo]) -> PrinterInfo:
            if not editing:
                ws.printing.add_printer(form.name, form.uri, form.language, dpi=form.dpi, encoding=form.encoding,
                                        template=form.template, role=form.role, default=form.default)  # fmt: skip
            return ws.printing.update_printer(
                editing or form.name, rename=form.name, uri=form.uri, language=form.language, dpi=form.dpi,
                encoding=form.encoding, template=form.template, role=form.role, default=form.default or None,
                offset_x_mm=form.offset_x_mm, offset_y_mm=form.offset_y_mm, mask_phone=form.mask_phone,
                mask_name=form.mask_name,
            )  # fmt: skip

        def done(info: PrinterInfo) -> None:
            self.editing = info.name
            self.delete_button.setEnabled(True)
            self.say(True, tr("pd.saved", name=info.name))
            self.reload()
            self.printers_changed.emit()
            self.changed.emit()

        self.run(work, done)

    def delete(self) -> None:
        name = self.editing

        def said(removed: bool) -> str:
            return tr("setup.deleted", name=name) if removed else tr("setup.printer.retired", name=name)

        self.delete_named(
            name, lambda ws, _op: ws.printing.delete_printer(name), said, self.printers_changed.emit
        )

    def check_status(self) -> None:
        form = self.form()
        if not form.uri:
            self.say(False, tr("pd.need_name_uri"))
            return
        self.check_button.setEnabled(False)
        self._show_light(GREY)
        self.status_label.setStyleSheet("")
        self.status_label.setText(tr("pd.checking"))

        def done(status: PrinterStatus) -> None:
            self.check_button.setEnabled(True)
            self.last_status = status
            self._show_light(light_for_status(status))
            self.status_label.setText(f"{tr(f'pd.state.{status.state.value}')} — {status_message(status)()}")
            self.status_checked.emit(status)

        def failed(exc: BaseException) -> bool:
            self.check_button.setEnabled(True)
            return self._failed(exc)

        self.run(
            lambda ws, _op: ws.printing.probe(form.uri, form.language), done, writes=False, on_failure=failed
        )

    def test_print(self) -> None:
        form = self.form()
        if not form.uri:
            self.say(False, tr("pd.need_name_uri"))
            return
        self.test_button.setEnabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(tr("pd.test_sending"))

        def work(ws: Workspace, _op: Op[CalibrationSent]) -> CalibrationSent:
            return ws.printing.test_print(
                form.uri, form.language, name=form.name, dpi=form.dpi, encoding=form.encoding,
                template=form.template, offset_x_mm=form.offset_x_mm, offset_y_mm=form.offset_y_mm,
            )  # fmt: skip

        def done(result: CalibrationSent) -> None:
            self.test_button.setEnabled(True)
            text = tr("pd.test_sent", bytes=result.bytes_sent, dpi=form.dpi)
            if result.status is not None:
                self._show_light(light_for_status(result.status))
                text += f" — {status_message(result.status)()}"
            self.say(True, text)
            self.test_printed.emit(result)

        def failed(exc: BaseException) -> bool:
            self.test_button.setEnabled(True)
            return self._failed(exc)

        self.run(work, done, writes=False, on_failure=failed)

    # --- showing ------------------------------------------------------------------------------------------------

    def _show_light(self, light: str) -> None:
        self.light.setPixmap(light_icon(light).pixmap(14, 14))
        self.light.setProperty("light", light)

    def _failed(self, exc: BaseException) -> bool:
        """A user-facing error is shown on the page (True: handled); a bug goes the default way (crash dialog)."""
        text = error_text(exc)
        if text is None:
            return False
        self._show_light("red" if isinstance(exc, PrinterProblem) else GREY)
        return self.show_error(exc)
