"""A ready-made message for the buyer about an anomaly, in Chinese or English, filled with the parcel's facts.

The facts are the store's: the order number, the carrier, the waybill number, the parcel status in words, the last
scan (China time) and what happens next (one expected action per anomaly kind). Customer service copies it into the
shop's chat, or sends it to the team's robot (app/workspace/tickets.py). Nothing of the receiver's phone or address
goes in: the buyer knows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import CARRIER_NAMES
from app.errors import UsageError
from app.store.models import Anomaly, Order, TrackingEvent, Waybill
from app.tracking.kinds import status_words
from app.tracking.lifecycle import AnomalyNotFound
from app.tracking.times import china_text
from app.tracking.views import _order_waybill

LANGS = ("zh", "en")

#: what the shop does (or asks the buyer to do) next, per anomaly kind: (Chinese, English)
ACTIONS: dict[str, tuple[str, str]] = {
    "ship_late": (
        "您的订单正在加紧备货，我们会尽快为您发出。",
        "We are preparing your order and will ship it as soon as possible.",
    ),
    "no_pickup": (
        "快递公司还未揽收包裹，我们已催促尽快上门取件。",
        "The carrier has not collected the parcel yet; we have asked them to pick it up right away.",
    ),
    "stalled": (
        "包裹的物流信息暂时没有更新，我们已联系快递公司核查，请您耐心等待。",
        "The tracking has not moved for a while; we have asked the carrier to check on the parcel.",
    ),
    "delivery_failed": (
        "快递员派送未成功，请保持电话畅通，或告诉我们方便收件的时间。",
        "The courier could not deliver the parcel; please keep your phone on or tell us when suits you.",
    ),
    "rejected": (
        "包裹显示已被拒收，请问是否需要我们重新安排派送？",
        "The parcel shows as refused; would you like us to arrange delivery again?",
    ),
    "returning": (
        "包裹正在退回，请与我们确认是否需要重新发货。",
        "The parcel is on its way back to us; please tell us whether we should send it again.",
    ),
    "pickup_point_uncollected": (
        "包裹已到达驿站/快递柜，请凭取件码尽快取件。",
        "The parcel is waiting at a pickup point or locker; please collect it with your pickup code.",
    ),
    "overdue": (
        "包裹比预计时间晚到，我们已联系快递公司加急处理。",
        "The parcel is later than expected; we have asked the carrier to hurry it.",
    ),
    "customs_hold": (
        "包裹在清关时遇到问题，我们正在处理，可能需要您提供清关信息。",
        "The parcel is held at customs; we are dealing with it and may need your details for clearance.",
    ),
    "problem": (
        "包裹在运输中遇到问题，我们已联系快递公司处理，会尽快给您答复。",
        "The parcel ran into a problem in transit; we are working with the carrier and will update you soon.",
    ),
}
_GENERIC = (
    "我们正在跟进您的包裹，会尽快给您答复。",
    "We are following up on your parcel and will update you soon.",
)


@dataclass(frozen=True)
class BuyerMessage:
    """The message and the facts it was filled with (times naive UTC)."""

    anomaly_id: int
    lang: str
    text: str
    order: str
    carrier: str  # the carrier's name in ``lang``
    waybill: str
    status: str  # the parcel status in words, "" before the waybill
    last_trace: str  # the latest scan's words, "" for none
    last_trace_at: str  # China time text, "" for none
    action: str


def buyer_message(session: Session, anomaly_id: int, lang: str = "zh") -> BuyerMessage:
    if lang not in LANGS:
        raise UsageError(f"语言只能是 zh 或 en（现在是 {lang}）", f"the language is zh or en (got {lang})")
    row = session.execute(
        select(Anomaly, Order.platform_order_id, Waybill)
        .outerjoin(Order, Order.id == Anomaly.order_id)
        .outerjoin(Waybill, Waybill.id == _waybill_of())
        .where(Anomaly.id == anomaly_id)
    ).one_or_none()
    if row is None:
        raise AnomalyNotFound(anomaly_id)
    anomaly, order_ref, waybill = row
    carrier = waybill_no = status = trace = trace_at = ""
    if waybill is not None and waybill.waybill_no:
        code = waybill.shipper_code
        carrier = code if lang == "en" else CARRIER_NAMES.get(code, code)
        waybill_no = waybill.waybill_no
        status = status_words(waybill.parcel_status, lang)
        last = session.execute(
            select(TrackingEvent.occurred_at, TrackingEvent.station, TrackingEvent.location)
            .where(TrackingEvent.waybill_id == waybill.id)
            .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
            .limit(1)
        ).one_or_none()
        if last is not None:
            trace_at = china_text(last.occurred_at)
            trace = (last.station or last.location or "").strip()
    zh, en = ACTIONS.get(anomaly.kind, _GENERIC)
    action = en if lang == "en" else zh
    facts = dict(order=order_ref or "", carrier=carrier, waybill=waybill_no, status=status, trace=trace,
                 trace_at=trace_at, action=action)  # fmt: skip
    text = _english(**facts) if lang == "en" else _chinese(**facts)
    return BuyerMessage(anomaly.id, lang, text, order_ref or "", carrier, waybill_no, status, trace, trace_at,
                        action)  # fmt: skip


def _waybill_of() -> object:
    from sqlalchemy import func

    return func.coalesce(Anomaly.waybill_id, _order_waybill())


def _chinese(
    *, order: str, carrier: str, waybill: str, status: str, trace: str, trace_at: str, action: str
) -> str:
    parts = ["亲，您好！"]
    if order:
        parts.append(f"您的订单 {order}")
    if waybill:
        parts.append(f"{'已' if order else '您的包裹已'}由{carrier}发出，运单号 {waybill}。")
    elif order:
        parts.append("还未发出。")
    if status:
        parts.append(f"当前状态：{status}。")
    if trace:
        parts.append(f"最新物流（北京时间 {trace_at}）：{trace}。")
    parts.append(action)
    parts.append("如有任何问题，请随时联系我们，谢谢！")
    return "".join(parts)


def _english(
    *, order: str, carrier: str, waybill: str, status: str, trace: str, trace_at: str, action: str
) -> str:
    parts = ["Hello!"]
    if waybill:
        whose = f"Your order {order}" if order else "Your parcel"
        parts.append(f"{whose} was shipped with {carrier}, tracking number {waybill}.")
    elif order:
        parts.append(f"Your order {order} has not been shipped yet.")
    if status:
        parts.append(f"Status: {status}.")
    if trace:
        parts.append(f"Latest update ({trace_at} Beijing time): {trace.rstrip('.')}.")
    parts.append(action)
    parts.append("If you have any questions, please let us know. Thank you!")
    return " ".join(parts)
