"""The main window only assembles panels and menus; each panel owns its own behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.workspace import Workspace
from ui.change_watch import ChangeWatch
from ui.dashboard import DashboardPanel
from ui.health_panel import HealthPanel
from ui.hot_dialog import HotDialog
from ui.i18n import set_language, tr
from ui.import_dialog import ImportDialog
from ui.label_preview import LabelPreview
from ui.op_progress import OpProgress
from ui.ops import Ops
from ui.orders_panel import OrdersPanel
from ui.pack_panel import PackPanel
from ui.print_queue import PrintQueuePanel
from ui.profit_dialog import ProfitDialog
from ui.qt.core import Qt, QTimer
from ui.qt.gui import QAction, QKeySequence
from ui.qt.widgets import QDockWidget, QMainWindow, QMenu, QTabWidget, QWidget
from ui.queue_close import QueueCloseGuard
from ui.queue_waiting import WaitingBar
from ui.remembered import Remembered
from ui.settings.window import SettingsWindow
from ui.ship_export_dialog import ShipExportDialog
from ui.shop_sync import ShopSync
from ui.store_dialog import StoreDialog
from ui.tracking_panel import TrackingPanel
from ui.view_menu import ViewMenu
from ui.waybills_dialog import WaybillsDialog
from ui.writeback_dialog import WriteBackFailuresDialog

if TYPE_CHECKING:
    from app.workspace.printing import Enqueued

TRACKING_INTERVAL_MS = 10 * 60 * 1000
FIRST_TRACKING_MS = 60 * 1000


class MainWindow(QMainWindow):
    view_menu: QMenu  # the View menu's (ui/view_menu.py)
    language_menu: QMenu
    full_phones_action: QAction

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.data_dir = workspace.data_dir
        self.ops = Ops(workspace, self, show_message=self.show_message, show_crash=self._show_crash)
        self.op_progress = OpProgress(self.ops, self)
        self.statusBar().addPermanentWidget(self.op_progress)
        self.orders = OrdersPanel(self.ops)
        self.preview = LabelPreview(self.ops)
        self.preview_dock = QDockWidget(self)
        self.preview_dock.setObjectName("label-preview")
        self.preview_dock.setWidget(self.preview)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.preview_dock)
        self.orders.selection_changed.connect(self._follow_selection)
        self.print_queue = PrintQueuePanel(self.ops, self.orders.selected_order_ids)
        self.orders.print_requested.connect(self.print_queue.print_orders)
        self.orders.reprint_requested.connect(self.print_queue.reprint_orders)
        self.tracking = TrackingPanel(self.ops)
        self.dashboard = DashboardPanel(self.ops)
        self.dashboard.open_orders.connect(self._open_orders)
        self.dashboard.open_anomalies.connect(self._open_anomalies)
        self.health = HealthPanel(self.ops)
        # the packer's loop, first: it shares the print queue's loops (one per printer)
        self.pack = PackPanel(self.ops, self.print_queue.loops)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.pack, "")
        self.tabs.addTab(self.orders, "")
        self.tabs.addTab(self.print_queue, "")
        self.tabs.addTab(self.tracking, "")
        self.tabs.addTab(self.dashboard, "")
        self.tabs.addTab(self.health, "")
        self.setCentralWidget(self.tabs)
        self.resize(1280, 760)  # the first start's size; later ones open as the window was left
        # the tracking panel's backlog notice links to the orders list's view of those orders
        self.tracking.orders_view_requested.connect(self._show_orders_view)

        self.import_action = QAction(self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.open_import)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh)
        self.waybills_action = QAction(self)
        self.waybills_action.setShortcut(QKeySequence("Ctrl+W"))
        self.waybills_action.triggered.connect(self.open_waybills)
        self.hot_action = QAction(self)
        self.hot_action.triggered.connect(self.open_hot)
        self.ship_export_action = QAction(self)
        self.ship_export_action.triggered.connect(self.open_ship_export)
        self.carriers_action = QAction(self)
        self.carriers_action.triggered.connect(self.open_carriers)
        self.printers_action = QAction(self)
        self.printers_action.triggered.connect(self.open_printers)
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(lambda: self.open_settings())
        self.mapping_action = QAction(self)
        self.mapping_action.triggered.connect(lambda: self.open_settings("mapping"))
        self.store_action = QAction(self)
        self.store_action.triggered.connect(self.open_store)
        self.profit_action = QAction(self)  # 利润统计: the report, SKU costs, carrier price tables
        self.profit_action.triggered.connect(self.open_profit)
        self.shop_sync = ShopSync(self.ops, self)  # 同步店铺订单, its interval and its status-bar line
        self.shop_sync.done.connect(lambda r: self.refresh() if r.changed else None)
        self.statusBar().addPermanentWidget(self.shop_sync.status)
        self.writeback_action = QAction(self)
        self.writeback_action.triggered.connect(self.open_writeback_failures)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addActions([self.import_action, self.refresh_action, self.shop_sync.action])
        self.file_menu.addMenu(self.shop_sync.interval_menu)
        self.file_menu.addAction(self.writeback_action)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.waybills_action, self.hot_action, self.ship_export_action])
        self.file_menu.addAction(self.profit_action)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.settings_action, self.carriers_action, self.printers_action,
                                   self.mapping_action])  # fmt: skip
        self.file_menu.addAction(self.store_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.toolbar = self.addToolBar("")  # its title (shown in the View menu) is set with the texts
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.addActions(
            [self.import_action, self.shop_sync.action, self.waybills_action, self.refresh_action]
        )
        # labels left waiting in the print queue are said at start; closing with labels in flight asks first
        self.waiting_bar = WaitingBar(self.ops, self.print_queue, self)
        self.addToolBarBreak()
        self.addToolBar(self.waiting_bar)
        self.queue_guard = QueueCloseGuard(self.print_queue, self.close, self)
        # the layout and the choices of the last session; the View menu brings back any closed panel
        self.remembered = Remembered(self)
        self.view = ViewMenu(self, self.remembered)
        self.waiting_bar.check()  # after the restored layout: the bar shows whenever labels wait, whatever was saved
        self.ops.run(lambda ws, _op: ws.orders.full_phones(), self._full_phones_read, writes=False)
        self.retranslate()
        self.refresh()
        # tracking runs in the background of the app: a round (poll what is due, evaluate rules, notify)
        # every few minutes; the poller itself keeps within each carrier account's limits
        self.tracking_timer = QTimer(self)
        self.tracking_timer.setInterval(TRACKING_INTERVAL_MS)
        self.tracking_timer.timeout.connect(self.tracking.poll_now)
        QTimer.singleShot(FIRST_TRACKING_MS, self.tracking_timer.start)
        QTimer.singleShot(FIRST_TRACKING_MS, self.tracking.poll_now)
        # other stations' work (and scripts') shows in the lists without a restart
        self.change_watch = ChangeWatch(self.ops, self)
        self.change_watch.on("orders", self.orders.refresh_quietly)
        self.change_watch.on("print_jobs", self.print_queue.reload_jobs)
        self.change_watch.on("anomalies", self.tracking.changed_elsewhere)
        self.change_watch.start()

    def _show_orders_view(self, view: str) -> None:
        self.tabs.setCurrentWidget(self.orders)
        self.orders.show_view(view)

    def retranslate(self) -> None:
        self.setWindowTitle(tr("app.title"))
        self.import_action.setText(tr("action.import"))
        self.refresh_action.setText(tr("action.refresh"))
        self.quit_action.setText(tr("action.quit"))
        self.waybills_action.setText(tr("action.waybills"))
        self.hot_action.setText(tr("hot.menu"))
        self.ship_export_action.setText(tr("exports.menu"))
        self.carriers_action.setText(tr("action.carriers"))
        self.printers_action.setText(tr("action.printers"))
        self.store_action.setText(tr("action.store"))
        self.profit_action.setText(tr("profit.menu"))
        self.settings_action.setText(tr("setup.action.settings"))
        self.writeback_action.setText(tr("shops.writeback.menu"))
        self.shop_sync.retranslate()
        self.mapping_action.setText(tr("setup.action.mapping"))
        self.preview_dock.setWindowTitle(tr("dock.label_preview"))
        self.file_menu.setTitle(tr("menu.file"))
        self.view_menu.setTitle(tr("menu.view"))
        self.language_menu.setTitle(tr("menu.language"))
        self.full_phones_action.setText(tr("privacy.show_full_phones"))
        self.tabs.setTabText(self.tabs.indexOf(self.pack), tr("tab.pack"))
        self.tabs.setTabText(self.tabs.indexOf(self.orders), tr("tab.orders"))
        self.tabs.setTabText(self.tabs.indexOf(self.print_queue), tr("tab.print_queue"))
        self.tabs.setTabText(self.tabs.indexOf(self.tracking), tr("tab.tracking"))
        self.tabs.setTabText(self.tabs.indexOf(self.dashboard), tr("tab.dashboard"))
        self.pack.retranslate()
        self.orders.retranslate()
        self.print_queue.retranslate()
        self.waiting_bar.retranslate()
        self.tracking.retranslate()
        self.dashboard.retranslate()
        self.preview.retranslate()
        self.tabs.setTabText(self.tabs.indexOf(self.health), tr("tab.health"))
        self.health.retranslate()
        self.op_progress.retranslate()
        self.view.retranslate()
        self.statusBar().showMessage(tr("status.ready_msg"))

    def show_message(self, text: str) -> None:
        """The message bar: a user-facing error or notice, kept until the next one."""
        self.statusBar().showMessage(text)

    def _show_crash(self, exc: BaseException, detail: str) -> None:
        from ui.crash import show_crash

        show_crash(self, exc, detail)

    def switch_language(self, code: str) -> None:
        set_language(code)
        self.retranslate()

    def _full_phones_read(self, on: bool) -> None:
        self.full_phones_action.blockSignals(True)
        self.full_phones_action.setChecked(on)
        self.full_phones_action.blockSignals(False)

    def show_full_phones(self, on: bool) -> None:
        """The station's preference (a file, not the store: a reader): the list is read again to show it."""
        self.ops.run(
            lambda ws, _op: ws.orders.show_full_phones(on), lambda _on: self.orders.reload(), writes=False
        )

    def refresh(self) -> None:
        self.orders.reload_shops()
        self.orders.reload()
        self.preview.refresh_label()  # a printer's or a shop's settings may have changed

    def open_import(self) -> ImportDialog:
        dialog = ImportDialog(self.ops, self)
        dialog.imported.connect(lambda _r: self.refresh())
        dialog.undone.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def open_ship_export(self) -> ShipExportDialog:
        dialog = ShipExportDialog(self.ops, self)
        dialog.open()
        return dialog

    def _open_orders(self, scope: object) -> None:
        """A dashboard number clicked: its orders in the orders tab."""
        from ui.orders_panel import Scope

        if isinstance(scope, Scope):
            self.tabs.setCurrentWidget(self.orders)
            self.orders.show_scope(scope)

    def _open_anomalies(self, kind: str) -> None:
        self.tabs.setCurrentWidget(self.tracking)
        self.tracking.show_kind(kind)

    def _follow_selection(self) -> None:
        ids = self.orders.selected_order_ids()
        self.preview.show_order(ids[0] if ids else None)

    def open_waybills(self) -> None:
        """Waybills for the selected orders, or for every ready order when none is selected (read off the GUI
        thread first)."""
        ids = self.orders.selected_order_ids()
        if ids:
            self._open_waybills(ids)
        else:
            # nothing selected: the dialog says how many ready orders it will take; its Start button asks
            self.ops.run(lambda ws, _op: ws.orders.ready_ids(), lambda ids: self._open_waybills(ids, all_ready=True),
                         writes=False)  # fmt: skip

    def _open_waybills(self, ids: list[int], all_ready: bool = False) -> None:
        dialog = WaybillsDialog(self.ops, ids, self, all_ready=all_ready)
        dialog.finished.connect(lambda _report: self.refresh())
        dialog.printed.connect(self._send_queued)
        dialog.open()

    def open_hot(self) -> HotDialog:
        """爆款打单: the orders of one same item, batch by batch, each with its pick list."""
        dialog = HotDialog(self.ops, self)
        dialog.batch_done.connect(lambda _batch: self.refresh())
        dialog.queued.connect(self._send_queued)
        dialog.open()
        return dialog

    def _send_queued(self, queued: Enqueued) -> None:
        """Labels a dialog queued: the print queue tab shows them and its printer's loop sends them."""
        row = self.print_queue.rows.get(queued.printer)
        self.print_queue.reload_jobs()
        if row is not None and queued.job_ids:
            self.print_queue.start_printing(row.info)

    def open_settings(self, page: str = "shops") -> SettingsWindow:
        """The settings window at ``page`` (shops, senders, carriers, printers, mapping)."""
        dialog = SettingsWindow(self.ops, self, page)
        dialog.printers.printers_changed.connect(self.print_queue.reload_printers)
        dialog.changed.connect(self._settings_changed)
        dialog.shops.interval_changed.connect(self.shop_sync.apply_interval)
        dialog.open()
        return dialog

    def _settings_changed(self, page: str) -> None:
        if page in ("shops", "mapping"):
            self.refresh()
        if page in ("printers", "carriers"):
            self.pack.reload()  # its printer and carrier choices
        if page in ("shops", "printers"):
            self.preview.refresh_label()  # a template or a mask may have changed: the preview is what prints

    def open_carriers(self) -> SettingsWindow:
        return self.open_settings("carriers")

    def open_printers(self) -> SettingsWindow:
        return self.open_settings("printers")

    def open_writeback_failures(self) -> WriteBackFailuresDialog:
        """回传失败: the orders whose waybill number the shop was not told, with the reason and a retry."""
        dialog = WriteBackFailuresDialog(self.ops, self)
        dialog.retried.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog

    def open_profit(self) -> ProfitDialog:
        dialog = ProfitDialog(self.ops, self)
        dialog.open()
        return dialog

    def open_store(self) -> StoreDialog:
        dialog = StoreDialog(self.ops, self)
        dialog.open()
        return dialog

    def closeEvent(self, event: object) -> None:
        if not self.queue_guard.may_close():  # labels in flight: the question is open (ui/queue_close.py)
            event.ignore()  # type: ignore[attr-defined]
            return
        self.remembered.close()  # first: the layout as the user sees it
        self.change_watch.stop()
        self.pack.shutdown()
        self.print_queue.shutdown()
        self.tracking_timer.stop()
        self.shop_sync.shutdown()
        self.tracking.shutdown()
        self.dashboard.shutdown()
        self.health.shutdown()
        self.ops.wait(5000)
        self.ops.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]
