"""The anomaly kinds' severities, and names of the kinds and parcel statuses for people (Chinese / English).

Pure values: the GUI and the CLI read them as they are.
"""

from __future__ import annotations

import re

from app.domain import AnomalyKind

HIGH = 3
MEDIUM = 2
LOW = 1

SEVERITY: dict[AnomalyKind, int] = {
    AnomalyKind.SHIP_LATE: MEDIUM,
    AnomalyKind.NO_PICKUP: MEDIUM,
    AnomalyKind.STALLED: MEDIUM,
    AnomalyKind.DELIVERY_FAILED: HIGH,
    AnomalyKind.REJECTED: HIGH,
    AnomalyKind.RETURNING: MEDIUM,
    AnomalyKind.PICKUP_POINT_UNCOLLECTED: LOW,
    AnomalyKind.OVERDUE: MEDIUM,
    AnomalyKind.CUSTOMS_HOLD: HIGH,
    AnomalyKind.PROBLEM: HIGH,
    AnomalyKind.INTEGRATION_DOWN: HIGH,
}

KIND_LABELS: dict[str, tuple[str, str]] = {
    "ship_late": ("超时未发货", "not shipped in time"),
    "no_pickup": ("未揽收", "not picked up"),
    "stalled": ("物流停滞", "stalled"),
    "delivery_failed": ("派送失败", "delivery failed"),
    "rejected": ("拒收", "refused"),
    "returning": ("退回中", "returning"),
    "pickup_point_uncollected": ("驿站/快递柜未取", "uncollected at pickup point"),
    "overdue": ("超时未签收", "overdue"),
    "customs_hold": ("清关异常", "customs hold"),
    "problem": ("问题件", "carrier problem"),
    "integration_down": ("接口故障", "integration down"),
}

#: the kinds about a parcel or an order (the tracking rules'); ``integration_down`` is app/health's
PARCEL_KINDS: frozenset[AnomalyKind] = frozenset(k for k in AnomalyKind if k is not AnomalyKind.INTEGRATION_DOWN)

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待揽收", "pending"),
    "picked_up": ("已揽收", "picked up"),
    "in_transit": ("运输中", "in transit"),
    "out_for_delivery": ("派送中", "out for delivery"),
    "at_pickup_point": ("待取件", "at pickup point"),
    "delivered": ("已签收", "delivered"),
    "delivery_failed": ("派送失败", "delivery failed"),
    "rejected": ("拒收", "rejected"),
    "returning": ("退回中", "returning"),
    "returned": ("已退回", "returned"),
    "customs": ("清关中", "customs"),
    "exception": ("异常", "exception"),
    "cancelled": ("已取消", "cancelled"),
}


def kind_label(kind: str) -> tuple[str, str]:
    return KIND_LABELS.get(kind, (kind, kind))


def status_label(status: str) -> tuple[str, str]:
    return STATUS_LABELS.get(status, (status, status))


# an anomaly detail as older versions stored it: the parcel status and the carrier's raw sub-code first
# ("returning [407] · 客户拒收 · 北京朝阳站"); new details hold only the carrier's words and the latest scan
_CODED_DETAIL = re.compile(r"^(?P<status>[a-z_]*)(?: \[(?P<code>[^\]]*)\])?(?: · |$)")


def detail_words(detail: str) -> tuple[str, str]:
    """A stored detail without its leading status and raw code: (the words for people, the carrier's raw code)."""
    match = _CODED_DETAIL.match(detail)
    if match is None or not (match.group("status") in STATUS_LABELS or match.group("code")):
        return detail, ""
    return detail[match.end() :], match.group("code") or ""


def status_words(status: str, lang: str) -> str:
    """A parcel status in words ("" for none)."""
    if not status:
        return ""
    zh, en = status_label(status)
    return en if lang == "en" else zh
