"""Bugs go to a crash dialog and the log; known errors are shown as plain messages where they happen."""

from __future__ import annotations

import logging

from ui.i18n import tr
from ui.messages import error_text
from ui.qt.widgets import QMessageBox, QWidget

log = logging.getLogger("kuaidan.crash")


def show_crash(parent: QWidget | None, exc: BaseException, tb: str) -> None:
    log.error("unexpected error: %s\n%s", exc, tb)
    box = QMessageBox(
        QMessageBox.Icon.Critical, tr("crash.title"), f"{tr('crash.text')}\n{exc}", parent=parent
    )
    box.setDetailedText(tb)
    box.open()


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    QMessageBox.warning(parent, tr("error.title"), error_text(exc) or str(exc))
