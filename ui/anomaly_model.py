"""How anomaly values look: names, ages, times and colours; the anomaly table model; a parcel's timeline as HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from app.domain import CARRIER_NAMES, AnomalyState
from app.tracking.kinds import HIGH, MEDIUM, status_label, status_words
from app.tracking.people import HistoryEntry
from app.tracking.tickets import assignee_text
from app.tracking.times import ZONE_LABEL, china_text
from app.tracking.values import AnomalyRow, ParcelTimeline
from ui.i18n import language, tr
from ui.qt.core import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from ui.qt.gui import QColor, QFont

SEVERITY_COLORS = {HIGH: "#d93025", MEDIUM: "#e8900c", 1: "#8a9099"}
ROW_LIMIT = 5000  # the list shows the most severe and oldest first; history beyond this is in the CSV/CLI
ROW_TINTS = {HIGH: "#fdeceb", MEDIUM: "#fff7e6"}


def carrier_name(code: str) -> str:
    if not code:
        return tr("trk.no_carrier")
    return CARRIER_NAMES.get(code, code) if language() == "zh" else code


def kind_name(kind: str, zh: str, en: str) -> str:
    return zh if language() == "zh" else en


def age_text(hours: float) -> str:
    if hours < 1:
        return tr("trk.age_minutes", m=int(hours * 60))
    if hours < 48:
        return tr("trk.age_hours", h=int(hours))
    return tr("trk.age_days", d=int(hours // 24), h=int(hours % 24))


def local_time(moment: datetime | None) -> str:
    """Store time (naive UTC) as China time, the carriers' and the business's clock (the zone is named once, in
    the panel's "updated" line and in the tooltips: :func:`zone`)."""
    return china_text(moment, "%m-%d %H:%M") if moment else "—"


def zone() -> str:
    return ZONE_LABEL[language()]


OVERDUE_TINT = "#f6c9c6"  # a ticket past its due time (app/tracking/tickets.py): stronger than any severity tint


def assignee_cell(row: AnomalyRow) -> str:
    """Who has the ticket (``店铺：旗舰店``, ``客服``, a person's name) and, when set, its due time."""
    who = assignee_text(row.assignee_kind, row.assignee, language()) or row.assignee
    if row.due_at is None:
        return who
    due = tr("tkt.overdue_cell" if row.overdue else "tkt.due_cell", t=local_time(row.due_at))
    return f"{who} · {due}" if who else due


def detail_text(row: AnomalyRow) -> str:
    """What the detail column says: the parcel status in words, then the carrier's words and the latest scan."""
    status = status_words(row.parcel_status, language()) if row.waybill else ""
    return " · ".join(x for x in (status, row.detail.replace("\n", " ")) if x)


# ------------------------------------------------------------------------------------------------ the list


COLUMNS: tuple[tuple[str, Callable[[AnomalyRow], str]], ...] = (
    ("trk.col.order", lambda r: r.order),
    ("trk.col.waybill", lambda r: r.waybill or "—"),
    ("trk.col.carrier", lambda r: carrier_name(r.carrier)),
    ("trk.col.kind", lambda r: kind_name(r.kind, r.kind_zh, r.kind_en)),
    ("trk.col.state", lambda r: tr(f"trk.state.{r.state}")),
    ("trk.col.severity", lambda r: tr(f"trk.sev.{min(max(r.severity, 1), HIGH)}")),
    ("trk.col.age", lambda r: age_text(r.age_hours)),
    ("trk.col.assignee", lambda r: assignee_cell(r)),
    ("trk.col.detail", detail_text),
)
SEVERITY_COLUMN = 5
AGE_COLUMN = 6
Index = QModelIndex | QPersistentModelIndex


class AnomalyModel(QAbstractTableModel):
    """The anomaly rows of the current filter (a bounded list: active anomalies, or at most ROW_LIMIT)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[AnomalyRow, ...] = ()

    def set_rows(self, rows: Sequence[AnomalyRow]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def row_data(self, row: int) -> AnomalyRow:
        return self.rows[row]

    def row_of(self, anomaly_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == anomaly_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return tr(COLUMNS[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[column][1](row)
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY_COLUMN:
            return QColor(SEVERITY_COLORS.get(min(row.severity, HIGH), SEVERITY_COLORS[1]))
        if role == Qt.ItemDataRole.BackgroundRole and row.state != AnomalyState.RESOLVED:
            if row.overdue:
                return QColor(OVERDUE_TINT)
            tint = ROW_TINTS.get(min(row.severity, HIGH))
            return QColor(tint) if tint else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.state == AnomalyState.RESOLVED:
                return QColor("#8a9099")
            if column == SEVERITY_COLUMN:
                return QColor(SEVERITY_COLORS.get(min(row.severity, HIGH), SEVERITY_COLORS[1]))
        if role == Qt.ItemDataRole.FontRole and row.state == AnomalyState.OPEN and column == 4:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AGE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [detail_text(row), tr("trk.since", t=f"{local_time(row.since)} ({zone()})")]
            if row.carrier_code:
                lines.append(tr("trk.carrier_code", code=row.carrier_code))
            if row.note:
                lines.append(tr("trk.note_tip", note=row.note))
            if row.overdue:
                lines.append(tr("tkt.overdue_tip", t=f"{local_time(row.due_at)} ({zone()})"))
            return "\n".join(x for x in lines if x)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


# ------------------------------------------------------------------------------------------------ timeline HTML


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def no_waybill_html(row: AnomalyRow) -> str:
    detail = f" · {_esc(detail_text(row))}" if detail_text(row) else ""
    return (
        f"<h3>{tr('trk.col.order')} {_esc(row.order)}</h3>"
        f"<p>{_esc(kind_name(row.kind, row.kind_zh, row.kind_en))}{detail}</p>"
        f"<p style='color:#7a7f87'>{tr('trk.no_waybill')}</p>"
    )


def history_html(entries: Sequence[HistoryEntry]) -> str:
    """Who did what with the anomaly, oldest first (times in China time)."""
    html = [f"<h4 style='margin-bottom:4px'>{tr('trk.history')} <span style='color:#7a7f87;font-weight:normal'>"
            f"({zone()})</span></h4>"]  # fmt: skip
    if not entries:
        html.append(f"<p style='color:#7a7f87'>{tr('trk.history_none')}</p>")
        return "".join(html)
    html.append("<table cellpadding='2'>")
    for e in entries:
        who = assignee_text(e.assignee_kind, e.assignee, language()) or e.assignee or tr("trk.staff.nobody")
        what = tr(f"trk.did.{e.action}", who=who)
        if e.due_at is not None:
            what += " · " + tr("tkt.due_cell", t=local_time(e.due_at))
        note = f"<br><span style='color:#7a7f87'>{_esc(e.note)}</span>" if e.note else ""
        by = " · ".join(x for x in (e.by, e.station) if x)
        html.append(
            f"<tr><td valign='top' style='color:#7a7f87;white-space:nowrap'>{local_time(e.at)}</td>"
            f"<td valign='top'>{_esc(what)} <span style='color:#7a7f87'>{_esc(by)}</span>{note}</td></tr>"
        )
    html.append("</table>")
    return "".join(html)


def timeline_html(t: ParcelTimeline) -> str:
    status = t.status_zh if language() == "zh" else t.status_en
    facts = [
        (tr("trk.tl.issued"), local_time(t.issued_at)),
        (tr("trk.tl.picked_up"), local_time(t.picked_up_at)),
        (tr("trk.tl.eta"), local_time(t.estimated_delivery)),
        (tr("trk.tl.delivered"), local_time(t.delivered_at)),
        (tr("trk.tl.polled"), local_time(t.last_polled_at)),
    ]
    html = [
        f"<h3 style='margin-bottom:2px'>{_esc(t.waybill)} <span style='color:#7a7f87;font-weight:normal'>"
        f"{_esc(carrier_name(t.carrier))}</span></h3>",
        f"<p style='margin-top:0'>{tr('trk.tl.status')} <b>{_esc(status)}</b></p>",
        "<table cellspacing='0' cellpadding='2' style='color:#505560'>",
        *(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in facts),
        "</table>",
        f"<h4 style='margin-bottom:4px'>{tr('trk.tl.events', n=len(t.events))} "
        f"<span style='color:#7a7f87;font-weight:normal'>({zone()})</span></h4>",
    ]
    if not t.events:
        html.append(f"<p style='color:#7a7f87'>{tr('trk.tl.no_events')}</p>")
    else:
        html.append("<table cellspacing='0' cellpadding='3' width='100%'>")
        for i, e in enumerate(t.events):
            dot = "#1a73e8" if i == 0 else "#b8bcc4"
            zh, en = status_label(e.status) if e.status else ("", "")
            where = " · ".join(x for x in (e.location, zh if language() == "zh" else en) if x)
            html.append(
                f"<tr><td valign='top' style='color:{dot}'>●</td>"
                f"<td valign='top' style='color:#7a7f87;white-space:nowrap'>{local_time(e.at)}</td>"
                f"<td valign='top'>{_esc(e.station or (zh if language() == 'zh' else en))}"
                + (f"<br><span style='color:#7a7f87'>{_esc(where)}</span>" if where else "")
                + "</td></tr>"
            )
        html.append("</table>")
    if t.anomalies:
        html.append(f"<h4 style='margin-bottom:4px'>{tr('trk.tl.anomalies')}</h4><table cellpadding='2'>")
        for a in t.anomalies:
            color = SEVERITY_COLORS.get(min(a.severity, HIGH), SEVERITY_COLORS[1])
            note = f"<br><span style='color:#7a7f87'>{_esc(a.note)}</span>" if a.note else ""
            who = f" · {_esc(a.assignee)}" if a.assignee else ""
            html.append(
                f"<tr><td valign='top' style='color:{color}'>■</td><td>"
                f"<b>{_esc(kind_name(a.kind, a.kind_zh, a.kind_en))}</b> · {tr(f'trk.state.{a.state}')}{who}"
                f" · {tr('trk.since', t=local_time(a.since))}{note}</td></tr>"
            )
        html.append("</table>")
    return "".join(html)
