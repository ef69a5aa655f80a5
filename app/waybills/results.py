"""What a waybill batch reports: one result per order, and the batch's counts.

A batch says the truth about every order it was given:

- ``issued`` (a new number), ``already`` (it had one), ``failed`` (the carrier refused, or never answered, with the
  reason as it came), ``attention`` (the carrier says it was issued before but gives no number: a person looks);
- ``skipped`` with a reason code (:data:`SKIP_REASONS`): the order is shipped, closed or on hold, so it was never
  asked for — never counted as failed;
- ``busy``: another station is asking for it right now;
- orders the batch never reached (a cancel, or a carrier that stopped answering) have no result and are left as
  they were: ``untried`` counts the ones that had been claimed and were given back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain import OrderStatus

# reason code -> (Chinese, English): why an order was skipped
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "held": ("订单已挂起", "the order is on hold"),
    "shipped": ("订单已发货", "the order is already shipped"),
    "closed": ("订单已关闭", "the order is closed"),
    "refund": ("订单退款中或已退款", "the order is being refunded or was refunded"),
    "unpaid": ("订单未付款", "the order is not paid"),
}


def skip_code(status: str, on_hold: bool) -> str:
    """Why an order with ``status`` (and the hold flag) gets no waybill, "" when it may get one. The shop's status
    says more than the hold it puts on the order (a refund holds it), so it comes first."""
    if status in {OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value}:
        return "shipped"
    if status in {OrderStatus.REFUNDING.value, OrderStatus.REFUNDED.value}:
        return "refund"
    if status in {OrderStatus.CLOSED.value, OrderStatus.CANCELLED.value}:
        return "closed"
    if on_hold:
        return "held"
    if status == OrderStatus.PAID.value:
        return ""
    return "unpaid"


def skip_text(code: str, detail: str = "") -> str:
    """The reason in both languages, as the command line shows it."""
    zh, en = SKIP_REASONS.get(code, (code, code))
    return f"{zh}：{detail} / {en}: {detail}" if detail else f"{zh} / {en}"


@dataclass(frozen=True)
class IssueResult:
    order: int
    order_ref: str
    shipment: int | None
    waybill: str
    error: str
    already: bool = False
    # the carrier said it issued this OrderCode before but gave no number: its words; a person looks it up
    attention: str = ""
    # another process or station is asking for this parcel right now (it records the answer)
    busy: bool = False
    # why the order was never asked for (a code of SKIP_REASONS), and its detail (the hold reason)
    skipped: str = ""
    skip_detail: str = ""
    # where the parcel went: the account's name, the carrier rule that chose it ("" without rules), and the account
    # it was moved from after a lasting refusal ("" when it was not moved)
    carrier: str = ""
    rule: str = ""
    fallback_from: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "platform_order_id": self.order_ref,
            "shipment": self.shipment,
            "waybill": self.waybill,
            "error": self.error,
            "already": self.already,
            "needs_attention": self.attention,
            "busy": self.busy,
            "skipped": self.skipped,
            "skip_reason": skip_text(self.skipped, self.skip_detail) if self.skipped else "",
            "carrier": self.carrier,
            "rule": self.rule,
            "fallback_from": self.fallback_from,
        }


@dataclass(frozen=True)
class IssueReport:
    issued: int
    already: int
    failed: int
    results: tuple[IssueResult, ...]
    cancelled: bool = False
    attention: int = 0
    busy: int = 0
    skipped: int = 0
    untried: int = 0
    # the batch stopped by itself (the carrier stopped answering, or the account cannot be used): why, in both
    # languages; the orders it had not reached are untouched
    stopped_zh: str = ""
    stopped_en: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "already": self.already,
            "failed": self.failed,
            "skipped": self.skipped,
            "untried": self.untried,
            "needs_attention": self.attention,
            "busy": self.busy,
            "results": [r.as_json() for r in self.results],
            "cancelled": self.cancelled,
            "stopped": self.stopped_en,
            "stopped_zh": self.stopped_zh,
        }


def count(results: tuple[IssueResult, ...] | list[IssueResult]) -> dict[str, int]:
    """The report's counts from its results."""
    return {
        "issued": sum(1 for r in results if r.waybill and not r.already and not r.error),
        "already": sum(1 for r in results if r.already),
        "failed": sum(1 for r in results if r.error),
        "attention": sum(1 for r in results if r.attention),
        "busy": sum(1 for r in results if r.busy),
        "skipped": sum(1 for r in results if r.skipped),
    }
