"""What every settings page shares: running its actions as operations, its message line, a read-only table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from ui.i18n import tr
from ui.messages import FAILED_COLOUR, OK_COLOUR, error_text
from ui.qt import is_alive
from ui.qt.core import Signal
from ui.qt.widgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from app.workspace import Workspace
    from ui.ops import Op, Ops

T = TypeVar("T")

DOTS = "●" * 10  # a stored secret's placeholder (the form is never given the secret itself)


def list_table(columns: int) -> QTableWidget:
    """A table the user picks one row of (never edits in place)."""
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.blockSignals(True)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(text))
    table.blockSignals(False)


def label_rows(form: QFormLayout, texts: Sequence[str]) -> None:
    """Set the labels of a form's rows, in order (a row added without a label text gets its label here)."""
    for row, text in enumerate(texts):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel):
            label.setText(text)
        elif text:
            form.setWidget(row, QFormLayout.ItemRole.LabelRole, QLabel(text))


def selected_row(table: QTableWidget) -> int:
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


class SettingsPage(QWidget):
    """A page: ``changed`` after it wrote something (other pages and the window may reload), ``failed`` with the
    user-facing text of an error it showed. ``message`` is the page's line for results and errors."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.confirm_delete = True  # tests answer the question themselves
        self.new_button = QPushButton()
        self.save_button = QPushButton()
        self.delete_button = QPushButton()

    def form_buttons(self, *more: QPushButton, right: tuple[QPushButton, ...] = ()) -> QHBoxLayout:
        """New, Save, Delete (wired to :meth:`clear_form`, :meth:`save`, :meth:`delete`), ``more`` beside them and
        ``right`` at the far end."""
        self.new_button.clicked.connect(self.clear_form)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        row = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button, *more):
            row.addWidget(button)
        row.addStretch(1)
        for button in right:
            row.addWidget(button)
        return row

    def lay_out(self, table: QTableWidget, *parts: QWidget | QLayout) -> None:
        """The page's layout: its list on top (taking the room there is), then ``parts``, then its message line."""
        layout = QVBoxLayout(self)
        layout.addWidget(table, 1)
        for part in parts:
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addWidget(self.message)

    def delete_named(
        self,
        name: str,
        work: Callable[[Workspace, Op[T]], T],
        said: Callable[[T], str] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        """Ask (unless told not to), delete ``name`` with ``work``, then empty the form, say so and reload."""
        if not name:
            return
        if self.confirm_delete:
            answer = QMessageBox.question(self, tr("setup.delete"), tr("setup.confirm_delete", name=name))
            if answer != QMessageBox.StandardButton.Yes:
                return

        def done(result: T) -> None:
            self.clear_form()
            self.say(True, said(result) if said is not None else tr("setup.deleted", name=name))
            self.reload()
            self.changed.emit()
            if after is not None:
                after()

        self.run(work, done)

    def run(
        self,
        fn: Callable[[Workspace, Op[T]], T],
        on_success: Callable[[T], None],
        *,
        writes: bool = True,
        on_failure: Callable[[BaseException], bool] | None = None,
    ) -> None:
        """An operation for this page; a result that comes back after the page is gone is dropped."""
        self.ops.run(fn, on_success, writes=writes, on_failure=on_failure or self.show_error,
                     guard=lambda: is_alive(self))  # fmt: skip

    def say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet(f"color: {(OK_COLOUR if ok else FAILED_COLOUR).name()}")
        self.message.setText(text)

    def show_error(self, exc: BaseException) -> bool:
        """A user-facing error on the page's line (handled); a bug goes on to the crash dialog."""
        text = error_text(exc)
        if text is None:
            return False
        self.say(False, text)
        self.failed.emit(text)
        return True

    def reload(self) -> None:  # pragma: no cover - every page has its own
        raise NotImplementedError

    def clear_form(self) -> None:  # pragma: no cover - the pages with a form have their own
        raise NotImplementedError

    def save(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def delete(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def retranslate(self) -> None:  # pragma: no cover - every page has its own
        raise NotImplementedError
