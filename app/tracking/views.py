"""What the tracking panel shows, as plain frozen values: counts, the anomaly list, a parcel's timeline, CSV.

Every function takes a Session (opened in the worker) and returns values, never ORM objects. Times are naive UTC;
``age_hours`` is measured from ``since`` (when the condition began) to ``now``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.domain import CARRIER_NAMES, AnomalyKind, ParcelStatus, WaybillState
from app.errors import NotFound
from app.orders.privacy import Privacy, mask_name, mask_phone
from app.sheets import sheet_row
from app.store.models import Anomaly, Order, Shop, TrackingEvent, Waybill, shipment_orders
from app.tracking.kinds import detail_words, kind_label, status_label, status_words
from app.tracking.times import china_text
from app.tracking.values import (
    ACTIVE,
    AnomalyFilter,
    AnomalyOverview,
    AnomalyRow,
    CarrierCount,
    KindCount,
    ParcelTimeline,
    TimelineEvent,
)

_STATUSES = frozenset(s.value for s in ParcelStatus)


def counts_by_kind(session: Session) -> tuple[KindCount, ...]:
    """Every kind (zeros included, in DESIGN.md order) with its open and acknowledged counts."""
    found: dict[tuple[str, str], int] = {
        (kind, state): n
        for kind, state, n in session.execute(
            select(Anomaly.kind, Anomaly.state, func.count())
            .where(Anomaly.state.in_(ACTIVE))
            .group_by(Anomaly.kind, Anomaly.state)
        )
    }
    return tuple(
        KindCount(
            k.value,
            *kind_label(k.value),
            found.get((k.value, "open"), 0),
            found.get((k.value, "acknowledged"), 0),
        )
        for k in AnomalyKind
    )


def counts_by_carrier(session: Session) -> tuple[CarrierCount, ...]:
    """Active anomalies per carrier (shipper code), a ``ship_late`` order's by the waybill it got since; ""
    for the orders with none yet (the same join as the list, so a chip's count is the rows it filters)."""
    # a literal, not a bound "": PostgreSQL sees two bound parameters in SELECT and GROUP BY as two expressions
    carrier_code = func.coalesce(Waybill.shipper_code, literal_column("''"))
    rows = session.execute(
        select(carrier_code, Anomaly.state, func.count())
        .select_from(Anomaly)
        .outerjoin(Waybill, Waybill.id == func.coalesce(Anomaly.waybill_id, _order_waybill()))
        .where(Anomaly.state.in_(ACTIVE))
        .group_by(carrier_code, Anomaly.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for carrier, state, n in rows:
        counts.setdefault(carrier, {})[state] = n
    return tuple(
        CarrierCount(c, v.get("open", 0), v.get("acknowledged", 0)) for c, v in sorted(counts.items())
    )


def _order_waybill() -> Any:
    """The newest waybill in force of the anomaly's order: a ``ship_late`` order (an anomaly of an order, not of a
    parcel) shows the waybill it got since, before it is printed."""
    return (
        select(func.max(Waybill.id))
        .join(shipment_orders, shipment_orders.c.shipment_id == Waybill.shipment_id)
        .where(shipment_orders.c.order_id == Anomaly.order_id, Waybill.state == WaybillState.ISSUED.value)
        .scalar_subquery()
    )


def _query(flt: AnomalyFilter) -> Any:
    query = (
        select(
            Anomaly,
            Order.platform_order_id,
            Order.receiver_name,
            Order.receiver_phone,
            Waybill.id,
            Waybill.waybill_no,
            Waybill.shipper_code,
            Waybill.parcel_status,
            Waybill.carrier_state,
            Shop.settings,
        )
        .outerjoin(Order, Order.id == Anomaly.order_id)
        .outerjoin(Waybill, Waybill.id == func.coalesce(Anomaly.waybill_id, _order_waybill()))
        .outerjoin(Shop, Shop.id == Order.shop_id)
    )
    if flt.states:
        query = query.where(Anomaly.state.in_(flt.states))
    if flt.kinds:
        query = query.where(Anomaly.kind.in_(flt.kinds))
    if flt.carrier:
        query = query.where(Waybill.shipper_code == flt.carrier)
    if flt.assignee is not None:
        query = query.where(Anomaly.assignee == flt.assignee)
    if flt.min_severity:
        query = query.where(Anomaly.severity >= flt.min_severity)
    if flt.waybill_id is not None:
        query = query.where(Anomaly.waybill_id == flt.waybill_id)
    if flt.search:
        text = flt.search.strip()
        query = query.where(
            or_(
                Waybill.waybill_no == text,
                Order.platform_order_id == text,
                Order.receiver_name.contains(text),
            )
        )
    query = query.order_by(Anomaly.severity.desc(), Anomaly.since, Anomaly.id)
    if flt.limit is not None:
        query = query.limit(flt.limit)
    return query


def list_anomalies(
    session: Session, flt: AnomalyFilter | None = None, *, now: datetime | None = None
) -> tuple[AnomalyRow, ...]:
    """Anomalies matching ``flt`` (default: open and acknowledged), most severe and oldest first."""
    moment = now or utcnow()
    rows = []
    for (
        a,
        order_ref,
        name,
        phone,
        waybill_id,
        waybill_no,
        shipper,
        status,
        code,
        shop_settings,
    ) in session.execute(_query(flt or AnomalyFilter())):
        zh, en = kind_label(a.kind)
        words, old_code = detail_words(a.detail)
        rows.append(
            AnomalyRow(
                id=a.id,
                kind=a.kind,
                kind_zh=zh,
                kind_en=en,
                severity=a.severity,
                state=a.state,
                order_id=a.order_id,
                order=order_ref or "",
                shipment_id=a.shipment_id,
                waybill_id=a.waybill_id if a.waybill_id is not None else waybill_id,
                waybill=waybill_no or "",
                carrier=shipper or "",
                parcel_status=status or "",
                receiver_name=mask_name(name or "") if Privacy.of(shop_settings).mask_name else name or "",
                receiver_phone_masked=mask_phone(phone) if phone else "",
                since=a.since,
                detected_at=a.detected_at,
                age_hours=max(0.0, (moment - a.since).total_seconds() / 3600),
                detail=words,
                carrier_code=code or old_code,
                assignee=a.assignee,
                note=a.note,
                acknowledged_at=a.acknowledged_at,
                resolved_at=a.resolved_at,
                resolved_by=a.resolved_by,
                assignee_kind=a.assignee_kind,
                due_at=a.due_at,
                overdue=a.due_at is not None and a.state in ACTIVE and a.due_at <= moment,
                escalated_at=a.escalated_at,
            )
        )
    return tuple(rows)


def overview(
    session: Session, flt: AnomalyFilter | None = None, *, now: datetime | None = None
) -> AnomalyOverview:
    """The counts by kind and by carrier, and the rows matching ``flt``: one read, one consistent picture."""
    return AnomalyOverview(
        counts_by_kind(session), counts_by_carrier(session), list_anomalies(session, flt, now=now)
    )


# ------------------------------------------------------------------------------------------------ timeline


def parcel_timeline(session: Session, waybill_id: int, *, now: datetime | None = None) -> ParcelTimeline:
    waybill = session.get(Waybill, waybill_id)
    if waybill is None:
        raise NotFound(f"找不到运单 #{waybill_id}", f"no waybill #{waybill_id}")
    events = tuple(
        TimelineEvent(
            e.occurred_at, e.station, e.location, e.action, e.action if e.action in _STATUSES else ""
        )
        for e in session.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.waybill_id == waybill_id)
            .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
        )
    )
    zh, en = status_label(waybill.parcel_status)
    history = list_anomalies(session, AnomalyFilter(states=(), waybill_id=waybill_id), now=now)
    return ParcelTimeline(
        waybill_id=waybill.id,
        waybill=waybill.waybill_no,
        carrier=waybill.shipper_code,
        parcel_status=waybill.parcel_status,
        status_zh=zh,
        status_en=en,
        issued_at=waybill.issued_at,
        picked_up_at=waybill.picked_up_at,
        delivered_at=waybill.delivered_at,
        estimated_delivery=waybill.estimated_delivery,
        last_polled_at=waybill.last_polled_at,
        next_poll_at=waybill.next_poll_at,
        events=events,
        anomalies=history,
    )


# ------------------------------------------------------------------------------------------------ CSV

CSV_COLUMNS = (
    "id", "kind", "severity", "state", "order", "waybill", "carrier", "parcel_status",
    "receiver_name", "receiver_phone_masked", "since", "age_hours", "detail", "assignee", "note",
    "acknowledged_at", "resolved_at", "resolved_by",
)  # fmt: skip
_TIMES = ("since", "acknowledged_at", "resolved_at")
#: the export's headers for people, in each language (times in China time, labelled)
CSV_HEADERS: dict[str, dict[str, str]] = {
    "zh": {
        "id": "编号", "kind": "类型", "severity": "严重程度", "state": "状态", "order": "订单号",
        "waybill": "运单号", "carrier": "快递公司", "parcel_status": "包裹状态", "receiver_name": "收件人",
        "receiver_phone_masked": "收件人电话", "since": "开始时间（北京时间）", "age_hours": "持续小时",
        "detail": "详情", "assignee": "负责人", "note": "备注", "acknowledged_at": "确认时间（北京时间）",
        "resolved_at": "解决时间（北京时间）", "resolved_by": "解决人",
    },
    "en": {
        "id": "ID", "kind": "Kind", "severity": "Severity", "state": "State", "order": "Order",
        "waybill": "Waybill", "carrier": "Carrier", "parcel_status": "Parcel status", "receiver_name": "Receiver",
        "receiver_phone_masked": "Receiver phone", "since": "Since (Beijing time)", "age_hours": "Hours",
        "detail": "Detail", "assignee": "Assignee", "note": "Note", "acknowledged_at": "Acknowledged (Beijing time)",
        "resolved_at": "Resolved (Beijing time)", "resolved_by": "Resolved by",
    },
}  # fmt: skip
_STATES = {
    "open": ("未处理", "open"),
    "acknowledged": ("已确认", "acknowledged"),
    "resolved": ("已解决", "resolved"),
}
_SEVERITIES = {3: ("高", "high"), 2: ("中", "medium"), 1: ("低", "low")}


def _cells(row: AnomalyRow, lang: str) -> dict[str, Any]:
    """One row as the export writes it: words in ``lang`` for the kind, state, severity, carrier and status."""
    pick = 1 if lang == "en" else 0
    data = row.as_json()
    data["kind"] = row.kind_en if lang == "en" else row.kind_zh
    data["state"] = _STATES.get(row.state, (row.state, row.state))[pick]
    data["severity"] = _SEVERITIES.get(min(max(row.severity, 1), 3), ("", ""))[pick]
    data["carrier"] = row.carrier if lang == "en" else CARRIER_NAMES.get(row.carrier, row.carrier)
    data["parcel_status"] = status_words(row.parcel_status, lang)
    for key in _TIMES:
        data[key] = china_text(getattr(row, key))
    if row.carrier_code:
        data["detail"] = " · ".join(x for x in (row.detail, f"({row.carrier_code})") if x)
    return data


def write_csv(rows: Iterable[AnomalyRow], out: TextIO, lang: str = "zh") -> int:
    """The rows as CSV with headers in ``lang`` (zh, en) and times in China time; text cells that a spreadsheet
    would run as a formula are written as text (app.sheets)."""
    headers = CSV_HEADERS["en" if lang == "en" else "zh"]
    writer = csv.writer(out)
    writer.writerow([headers[c] for c in CSV_COLUMNS])
    count = 0
    for row in rows:
        data = _cells(row, lang)
        writer.writerow(sheet_row(data[c] for c in CSV_COLUMNS))
        count += 1
    return count


def export_csv(rows: Sequence[AnomalyRow], path: Path, lang: str = "zh") -> int:
    """Write the rows as CSV (UTF-8 with a BOM, so Excel opens the Chinese right); returns the row count."""
    buffer = io.StringIO()
    count = write_csv(rows, buffer, lang)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return count
