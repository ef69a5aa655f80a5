"""The desktop end of tracking notifications: the tracking round's :class:`~app.tracking.notices.Notifier` for
this window. ``notify`` may be called from any thread (the round runs on the writer); it posts to the GUI
thread, which shows a tray message where the desktop has a tray, else hands the text to ``fallback`` (the status
bar)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.tracking.notices import AnomalyNotice
from ui.i18n import tr
from ui.qt.core import QObject, Signal
from ui.qt.widgets import QStyle, QSystemTrayIcon, QWidget


class DesktopNotifier(QObject):
    posted = Signal(object)
    shown = Signal(str)  # the text shown (for whoever wants to know, tests included)

    def __init__(self, owner: QWidget, fallback: Callable[[str], None]) -> None:
        super().__init__(owner)
        self.owner = owner
        self.fallback = fallback
        self.tray: QSystemTrayIcon | None = None
        self.posted.connect(self._show)  # a queued connection when emitted from a worker thread

    def notify(self, notices: Sequence[AnomalyNotice]) -> None:
        if notices:
            self.posted.emit(list(notices))

    def _show(self, notices: list[AnomalyNotice]) -> None:
        escalated = all(n.escalated for n in notices)  # tickets past their due time (app/tracking/tickets.py)
        title = tr("tkt.notify_title" if escalated else "trk.notify_title", n=len(notices))
        body = notices[0].text()
        if len(notices) > 1:
            body += "\n" + tr("trk.notify_more", n=len(notices) - 1)
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self.tray is None:
                icon = self.owner.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                self.tray = QSystemTrayIcon(icon, self)
                self.tray.show()
            self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, 15000)
        else:
            self.fallback(f"{title}: {body.splitlines()[0]}")
        self.shown.emit(body)
