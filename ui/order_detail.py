"""An order's detail (double-click in the list): who, what, its parcel, and the timeline of what happened to it."""

from __future__ import annotations

from datetime import UTC, datetime

from app.insight.values import ParcelEta
from app.orders.values import FLAGS
from app.orders.work_values import OrderDetail, TimelineEntry
from ui.i18n import tr
from ui.orders_model import local_time
from ui.qt.widgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def _at(at: datetime) -> str:
    return at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _words(entry: TimelineEntry) -> str:
    """The entry's particulars as shown: a flag in words, the rest as recorded."""
    if entry.kind == "flagged":
        return tr(f"orders.flag.{entry.detail}") if entry.detail in FLAGS else tr("orders.flag.none")
    return entry.detail


class OrderDetailDialog(QDialog):
    def __init__(
        self,
        detail: OrderDetail,
        parent: QWidget | None = None,
        *,
        writeback: str | None = None,
        expected: ParcelEta | None = None,
    ) -> None:
        """``writeback``: the shop's write-back state of the order ("" none yet; None: no write-back here);
        ``expected``: its parcel's expected delivery from the store's history (None: no waybill yet)."""
        super().__init__(parent)
        self.detail = detail
        row = detail.row
        self.setWindowTitle(tr("orders.detail.title", order=row.platform_order_id))
        form = QFormLayout()
        status = tr("status.held") if row.on_hold else tr(f"status.{row.status}")
        if row.on_hold and row.hold_reason:
            status = tr("text.aside", text=status, aside=row.hold_reason)
        region = " ".join(x for x in (row.province, row.city, row.district, row.address) if x)
        fields = [
            ("col.shop", row.shop),
            ("col.order", row.platform_order_id),
            ("col.status", status),
            ("col.receiver", f"{row.receiver_name}  {row.receiver_phone}"),
            ("col.address", region),
            ("orders.detail.buyer", detail.buyer_nick),
            ("orders.col.paid_at", local_time(row.paid_at)),
            ("orders.col.amount", row.amount),
            ("orders.col.buyer_message", row.buyer_message),
            ("orders.col.seller_remark", row.seller_remark),
            ("orders.col.flag", tr(f"orders.flag.{row.flag}") if row.flag else ""),
            ("col.waybill", f"{row.carrier} {row.waybill}".strip()),
            ("orders.col.printed", tr("orders.printed_yes") if row.printed else tr("orders.printed_no")),
            ("orders.detail.parcels", str(detail.parcels)),
            ("orders.detail.merged_with", ", ".join(detail.merged_with)),
        ]
        if expected is not None and expected.expected_delivery is not None and expected.basis:
            basis = tr(f"ins.expected_basis.{expected.basis}", n=expected.parcels)
            fields.append(("ins.expected", f"{local_time(expected.expected_delivery.isoformat())}（{basis}）"))
        if writeback is not None:
            fields.append(
                ("shops.writeback.state", tr(f"shops.writeback.state.{writeback}") if writeback else "")
            )
        self.values: dict[str, QLabel] = {}
        right = QFormLayout()
        for n, (key, value) in enumerate(fields):
            label = QLabel(value or "—")
            label.setWordWrap(True)
            self.values[key] = label
            (form if n < 8 else right).addRow(tr(key), label)
        columns = QHBoxLayout()
        columns.addLayout(form, 1)
        columns.addLayout(right, 1)

        self.lines = QTableWidget(len(detail.lines), 4)
        heads = (
            "orders.detail.sku",
            "orders.detail.title_col",
            "orders.detail.quantity",
            "orders.detail.price",
        )
        self.lines.setHorizontalHeaderLabels([tr(k) for k in heads])
        for r, line in enumerate(detail.lines):
            title = f"{line.title} {line.spec}".strip()
            for c, text in enumerate((line.sku, title, str(line.quantity), line.price)):
                self.lines.setItem(r, c, QTableWidgetItem(text))
        self._tidy(self.lines, stretch=1)
        self.lines.setMaximumHeight(34 + 26 * min(4, max(1, len(detail.lines))))

        self.timeline = QTableWidget(len(detail.timeline), 3)
        self.timeline.setHorizontalHeaderLabels(
            [tr("orders.detail.when"), tr("orders.detail.what"), tr("orders.detail.detail")]
        )
        for r, entry in enumerate(detail.timeline):
            for c, text in enumerate((_at(entry.at), tr(f"orders.timeline.{entry.kind}"), _words(entry))):
                self.timeline.setItem(r, c, QTableWidgetItem(text))
        self._tidy(self.timeline, stretch=2)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("orders.detail.close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(QLabel(tr("orders.detail.lines")))
        layout.addWidget(self.lines)
        layout.addWidget(QLabel(tr("orders.detail.timeline")))
        layout.addWidget(self.timeline, 1)
        layout.addWidget(buttons)
        self.resize(900, 760)

    @staticmethod
    def _tidy(table: QTableWidget, stretch: int) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def kinds(self) -> list[str]:
        """The timeline's kinds, oldest first (for tests and the screenshot check)."""
        return [entry.kind for entry in self.detail.timeline]
