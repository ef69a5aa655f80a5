"""The store dialog (数据库): this station's name, the store it opens from the next start, and join codes.

Everything here goes through the workspace off the GUI thread: the connection test on a reader (it writes
nothing), the preferences on a reader too (they are a file of this station's, not the database), and the join
codes on the writer (an invitation is a row in the store). Passwords typed here go to the workspace, which keeps
them in the OS keyring or not at all; they are never shown again, and every location shown has its password hidden.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from app.workspace.stations import Invitation, Joined, StationInfo, StoreProbe
from ui.i18n import language, tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.ops import Ops
from ui.qt import is_alive
from ui.qt.core import Qt, Signal
from ui.qt.widgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace

PG_PLACEHOLDER = "postgresql://kuaidan@192.168.1.10:5432/kuaidan"


def _say(label: QLabel, ok: bool | None, text: str) -> None:
    colour = "" if ok is None else (OK_COLOUR if ok else FAILED_COLOUR).name()
    label.setStyleSheet(f"color: {colour}" if colour else "")
    label.setText(text)


class StoreDialog(QDialog):
    """``station_renamed(str)`` after the station's name changed; ``store_saved(StationInfo)`` after a default store
    was saved; ``joined(Joined)`` after this station joined the store."""

    loaded = Signal(object)  # StationInfo, each time it is read
    station_renamed = Signal(str)
    store_saved = Signal(object)
    tested = Signal(object)  # StoreProbe, or an error's text
    invited = Signal(object)  # Invitation
    joined = Signal(object)  # Joined

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.info: StationInfo | None = None
        self.last_probe: StoreProbe | None = None
        self.setWindowTitle(tr("store.title"))
        self.resize(720, 640)

        # this station
        self.station_edit = QLineEdit()
        self.station_edit.setMaxLength(100)
        self.station_button = QPushButton(tr("store.station_save"))
        self.station_button.clicked.connect(self.save_station)
        self.station_note = QLabel()
        self.station_note.setWordWrap(True)
        self.current_label = QLabel()
        self.current_label.setWordWrap(True)
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        station_row = QHBoxLayout()
        station_row.addWidget(self.station_edit, 1)
        station_row.addWidget(self.station_button)
        station_form = QFormLayout()
        station_form.addRow(tr("store.station"), station_row)
        station_form.addRow("", self.station_note)
        station_form.addRow(tr("store.current"), self.current_label)
        station_box = QGroupBox(tr("store.station_box"))
        station_box.setLayout(station_form)

        # the store for the next start
        self.local_radio = QRadioButton(tr("store.local"))
        self.server_radio = QRadioButton(tr("store.server"))
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.local_radio)
        self.kind_group.addButton(self.server_radio)
        self.local_label = QLabel()
        self.local_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText(PG_PLACEHOLDER)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_box = QCheckBox(tr("store.remember"))
        self.remember_box.setChecked(True)
        self.test_button = QPushButton(tr("store.test"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.save_button = QPushButton(tr("store.save"))
        self.save_button.clicked.connect(self.save_store)
        self.save_result = QLabel()
        self.save_result.setWordWrap(True)
        self.override_note = QLabel()
        self.override_note.setWordWrap(True)
        server_form = QFormLayout()
        server_form.addRow(tr("store.url"), self.url_edit)
        server_form.addRow(tr("store.password"), self.password_edit)
        server_form.addRow("", self.remember_box)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.save_result, 1)
        store_layout = QVBoxLayout()
        store_layout.addWidget(self.local_radio)
        store_layout.addWidget(self.local_label)
        store_layout.addWidget(self.server_radio)
        store_layout.addLayout(server_form)
        store_layout.addLayout(test_row)
        store_layout.addLayout(save_row)
        store_layout.addWidget(self.override_note)
        store_box = QGroupBox(tr("store.next_box"))
        store_box.setLayout(store_layout)
        self.local_radio.toggled.connect(lambda _on: self._kind_changed(forget_test=True))

        # join codes
        self.invite_button = QPushButton(tr("store.invite"))
        self.invite_button.clicked.connect(self.invite)
        self.code_label = QLabel()
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setWordWrap(True)
        self.join_edit = QLineEdit()
        self.join_edit.setPlaceholderText("ABCD-EFGH-JKMN-PQRS")
        self.join_button = QPushButton(tr("store.join"))
        self.join_button.clicked.connect(self.join)
        self.join_result = QLabel()
        self.join_result.setWordWrap(True)
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invite_button)
        invite_row.addWidget(self.code_label, 1)
        join_row = QHBoxLayout()
        join_row.addWidget(self.join_edit, 1)
        join_row.addWidget(self.join_button)
        join_layout = QVBoxLayout()
        hint = QLabel(tr("store.join_hint"))
        hint.setWordWrap(True)
        join_layout.addWidget(hint)
        join_layout.addLayout(invite_row)
        join_layout.addLayout(join_row)
        join_layout.addWidget(self.join_result)
        join_box = QGroupBox(tr("store.join_box"))
        join_box.setLayout(join_layout)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("store.close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(station_box)
        layout.addWidget(store_box)
        layout.addWidget(join_box)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.local_radio.setChecked(True)
        self._kind_changed()
        self.reload()

    def _alive(self) -> bool:
        return is_alive(self)

    # -- what there is
    def reload(self) -> None:
        self.ops.run(lambda ws, _op: ws.stations.info(), self._show_info, writes=False,
                     on_failure=self._failed, guard=self._alive)  # fmt: skip

    def _show_info(self, info: StationInfo) -> None:
        self.info = info
        self.station_edit.setPlaceholderText(info.host_name)
        if not self.station_edit.text():
            self.station_edit.setText(info.station_saved)
        overridden = bool(info.station_override)
        self.station_edit.setEnabled(not overridden)
        self.station_button.setEnabled(not overridden)
        self.station_note.setText(
            tr("store.station_env", name=info.station_override) if overridden else tr("store.station_note")
        )
        key = tr("store.key_ok") if info.has_key else tr("store.key_missing")
        self.current_label.setText(
            f"{info.location}\n{tr('store.workspace')}: {info.workspace or '-'} · {key}"
        )
        self.local_label.setText(info.local_store.removeprefix("sqlite:///"))
        if info.saved_store and not self.url_edit.text():
            self.url_edit.setText(info.saved_store)
            self.server_radio.setChecked(True)
        self.remember_box.setEnabled(info.keyring)
        if not info.keyring:
            self.remember_box.setChecked(False)
            self.remember_box.setText(tr("store.no_keyring"))
        self.override_note.setText(
            tr("store.overridden", by=info.overridden_by) if info.overridden_by else tr("store.next_start")
        )
        self._kind_changed()
        self.loaded.emit(info)

    def _kind_changed(self, forget_test: bool = False) -> None:
        server = self.server_radio.isChecked()
        for widget in (self.url_edit, self.password_edit):
            widget.setEnabled(server)
        self.remember_box.setEnabled(server and (self.info is None or self.info.keyring))
        if forget_test:  # another choice: the last test said nothing about it
            _say(self.test_result, None, "")

    def chosen_url(self) -> str:
        """The URL the form names ("" = the local file)."""
        if self.local_radio.isChecked():
            return self.info.local_store if self.info else ""
        return self.url_edit.text().strip()

    # -- this station's name
    def save_station(self) -> None:
        name = self.station_edit.text()
        self.station_button.setEnabled(False)

        def done(now: str) -> None:
            self.station_button.setEnabled(True)
            _say(self.station_note, True, tr("store.station_saved", name=now))
            self.station_renamed.emit(now)

        self.ops.run(lambda ws, _op: ws.stations.set_station_name(name), done, writes=False,
                     on_failure=self._station_failed, guard=self._alive)  # fmt: skip

    def _station_failed(self, exc: BaseException) -> bool:
        self.station_button.setEnabled(True)
        return self._show_error(self.station_note, exc)

    # -- test and save
    def test_connection(self) -> None:
        url = self.chosen_url()
        if not url:
            _say(self.test_result, False, tr("store.need_url"))
            return
        password = self.password_edit.text() if self.server_radio.isChecked() else ""
        self.test_button.setEnabled(False)
        _say(self.test_result, None, tr("store.testing"))
        self.ops.run(lambda ws, _op: ws.stations.test_store(url, password), self._show_probe, writes=False,
                     on_failure=self._test_failed, guard=self._alive)  # fmt: skip

    def _show_probe(self, probe: StoreProbe) -> None:
        self.last_probe = probe
        self.test_button.setEnabled(True)
        _say(self.test_result, probe.ok, f"{'✔' if probe.ok else '✘'} {probe.message(language())}")
        self.tested.emit(probe)

    def _test_failed(self, exc: BaseException) -> bool:
        self.test_button.setEnabled(True)
        text = error_text(exc)
        if text is None:
            return False
        _say(self.test_result, False, f"✘ {text}")
        self.tested.emit(text)
        return True

    def save_store(self) -> None:
        url = "" if self.local_radio.isChecked() else self.url_edit.text().strip()
        if self.server_radio.isChecked() and not url:
            _say(self.save_result, False, tr("store.need_url"))
            return
        password = self.password_edit.text() if url else ""
        remember = self.remember_box.isChecked()
        self.save_button.setEnabled(False)

        def work(ws: Workspace, _op: object) -> StationInfo:
            return ws.stations.save_store(url, password, remember=remember)

        self.ops.run(work, self._saved, writes=False, on_failure=self._save_failed, guard=self._alive)

    def _saved(self, info: StationInfo) -> None:
        self.save_button.setEnabled(True)
        self.password_edit.clear()
        where = info.saved_store or tr("store.local_short")
        extra = {"keyring": tr("store.pw_keyring"), "ask": tr("store.pw_ask")}.get(info.saved_password, "")
        _say(self.save_result, True, tr("store.saved", where=where) + (f" {extra}" if extra else ""))
        self._show_info(info)
        self.store_saved.emit(info)

    def _save_failed(self, exc: BaseException) -> bool:
        self.save_button.setEnabled(True)
        return self._show_error(self.save_result, exc)

    # -- join codes
    def invite(self) -> None:
        self.invite_button.setEnabled(False)
        self.ops.run(lambda ws, _op: ws.stations.invite(), self._show_invitation, writes=True,
                     on_failure=self._invite_failed, guard=self._alive)  # fmt: skip

    def _show_invitation(self, made: Invitation) -> None:
        self.invite_button.setEnabled(True)
        until = made.expires_at.replace(tzinfo=UTC).astimezone().strftime("%H:%M")
        self.code_label.setStyleSheet("font-size: 18px; font-family: monospace; font-weight: bold")
        self.code_label.setText(f"{made.code}  ({tr('store.valid_until', until=until)})")
        self.reload()  # the store may have got its workspace id just now
        self.invited.emit(made)

    def _invite_failed(self, exc: BaseException) -> bool:
        self.invite_button.setEnabled(True)
        self.code_label.setStyleSheet("")
        return self._show_error(self.code_label, exc)

    def join(self) -> None:
        code = self.join_edit.text().strip()
        if not code:
            _say(self.join_result, False, tr("store.need_code"))
            return
        self.join_button.setEnabled(False)
        self.ops.run(lambda ws, _op: ws.stations.join(code), self._joined, writes=True,
                     on_failure=self._join_failed, guard=self._alive)  # fmt: skip

    def _joined(self, joined: Joined) -> None:
        self.join_button.setEnabled(True)
        self.join_edit.clear()
        _say(self.join_result, True, tr("store.joined", workspace=joined.workspace, by=joined.invited_by or "-"))
        self.reload()
        self.joined.emit(joined)

    def _join_failed(self, exc: BaseException) -> bool:
        self.join_button.setEnabled(True)
        return self._show_error(self.join_result, exc)

    # -- errors
    def _show_error(self, label: QLabel, exc: BaseException) -> bool:
        text = error_text(exc)
        if text is None:
            return False  # a bug: the crash dialog
        _say(label, False, text)
        return True

    def _failed(self, exc: BaseException) -> bool:
        return self._show_error(self.current_label, exc)
