"""The tracking panel's actions on the selected anomalies: acknowledge, assign (from the staff list), resolve (with
a note), and the CSV export (where the user chooses: Documents first; headers in the UI's language, times in China
time). Each runs on the writer (the export on a reader); the panel refreshes after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.tracking.times import utc_to_china
from app.tracking.values import AnomalyRow
from app.workspace import Workspace
from ui.anomaly_dialogs import AssignDialog, ResolveDialog
from ui.anomaly_model import AnomalyModel
from ui.i18n import language, tr
from ui.messages import error_text, in_language
from ui.ops import Op, Ops
from ui.qt.core import QStandardPaths
from ui.qt.widgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from ui.qt.core import SignalInstance


@dataclass(frozen=True)
class ActionResult:
    changed: int
    refused: tuple[str, ...]  # known errors, in the current language


class AnomalyActions:
    """Mixed into the panel (a QWidget): what it needs from it is declared here."""

    ops: Ops
    clock: Callable[[], datetime]
    acted: SignalInstance
    exported: SignalInstance
    model: AnomalyModel
    _timeline_stale: bool
    assign_dialog: AssignDialog | None
    resolve_dialog: ResolveDialog | None

    if TYPE_CHECKING:

        def selected_ids(self) -> list[int]: ...
        def selected_rows(self) -> list[AnomalyRow]: ...
        def refresh(self) -> None: ...
        def say(self, text: str) -> None: ...
        def _failed(self, exc: BaseException) -> bool: ...
        def _alive(self) -> bool: ...

    @property
    def _widget(self) -> QWidget:
        return cast(QWidget, self)

    # -- actions

    def _act(self, what: Callable[[Workspace, int], object], ids: list[int]) -> None:
        if not ids:
            return

        def work(ws: Workspace, _op: Op[ActionResult]) -> ActionResult:
            changed, refused = 0, []
            for anomaly_id in ids:  # one action each: one refused anomaly does not undo the others
                try:
                    what(ws, anomaly_id)
                    changed += 1
                except Exception as exc:
                    text = error_text(exc)
                    if text is None:
                        raise
                    refused.append(text)
            return ActionResult(changed, tuple(refused))

        def done(result: ActionResult) -> None:
            text = tr("trk.done", n=result.changed)
            if result.refused:
                text += " " + tr("text.join").join(in_language(r) for r in result.refused)
            self.say(text)
            self.acted.emit(result)
            self._timeline_stale = True
            self.refresh()

        self.ops.run(work, done, writes=True, on_failure=self._failed, guard=self._alive)

    def acknowledge_selected(self) -> None:
        now = self.clock()
        self._act(lambda ws, i: ws.tracking.acknowledge(i, now=now), self.selected_ids())

    def assign_selected(self, name: str | None = None) -> None:
        """Assign the selected anomalies to ``name`` ("" unassigns); None: pick from the staff list in a dialog
        (:attr:`assign_dialog`), whose list can be edited there."""
        ids = self.selected_ids()
        if not ids:
            return
        if name is not None:
            who = name
            self._act(lambda ws, i: ws.tracking.assign(i, who), ids)
            return
        current = self.selected_rows()[0].assignee

        def ask(staff: tuple[str, ...]) -> None:
            dialog = AssignDialog(staff, current, len(ids), self._widget)
            self.assign_dialog = dialog
            dialog.accepted.connect(lambda: self._assign_chosen(dialog, ids))
            dialog.open()

        self.ops.run(lambda ws, _op: ws.tracking.staff(), ask, writes=False, on_failure=self._failed,
                     guard=self._alive)  # fmt: skip

    def _assign_chosen(self, dialog: AssignDialog, ids: list[int]) -> None:
        who, staff, edited = dialog.chosen(), dialog.staff(), dialog.staff_changed

        def work(ws: Workspace, i: int) -> object:
            return ws.tracking.assign(i, who)

        if edited:
            self.ops.run(lambda ws, _op: ws.tracking.set_staff(staff), lambda _names: self._act(work, ids),
                         writes=True, on_failure=self._failed, guard=self._alive)  # fmt: skip
        else:
            self._act(work, ids)

    def resolve_selected(self, note: str | None = None) -> None:
        """Resolve the selected anomalies with ``note``; None: ask for one (:attr:`resolve_dialog`)."""
        ids = self.selected_ids()
        if not ids:
            return
        if note is None:
            dialog = ResolveDialog(len(ids), self._widget)
            self.resolve_dialog = dialog
            dialog.accepted.connect(lambda: self.resolve_selected(dialog.note()))
            dialog.open()
            return
        text, now = note, self.clock()
        self._act(lambda ws, i: ws.tracking.resolve(i, note=text, now=now), ids)

    def export_default_path(self) -> Path:
        """Where the save dialog starts: the user's Documents folder (home when there is none), a dated name."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{tr('trk.export_name')}-{utc_to_china(self.clock()):%Y%m%d-%H%M}.csv"
        return Path(folder or Path.home()) / name

    def export(self, path: Path | None = None) -> None:
        """Write the rows shown (the current filter) to a CSV file the user chooses (headers in the UI's language,
        times in China time), off the GUI thread."""
        rows = self.model.rows
        if path is None:
            default = str(self.export_default_path())
            chosen, _f = QFileDialog.getSaveFileName(
                self._widget, tr("trk.export_title"), default, "CSV (*.csv)"
            )
            if not chosen:
                return
            path = Path(chosen)
        target, lang = path, language()

        def done(count: int) -> None:
            self.say(tr("trk.exported", n=count, path=str(target)))
            self.exported.emit(count)

        self.ops.run(
            lambda ws, _op: ws.tracking.export(target, rows=rows, lang=lang),
            done,
            writes=False,
            on_failure=self._failed,
            guard=self._alive,
        )
