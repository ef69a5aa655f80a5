"""Which carrier refusals last: the words that mean asking this account again will not help, so an order may move
to another account (the carrier rules' fallback).

Works on the carrier's own words (``CarrierRejected.reason``), whichever aggregator said them (Kdniao, Kuaidi100,
the sandbox): the address is outside the account's service area, the account has no waybill quota left, or the
account itself has a problem. Anything else (a bad field, a missing phone) is the order's problem and stays failed
on its account; a passing fault (timeout, 5xx) is never a refusal at all (``CarrierTransient``).
"""

from __future__ import annotations

from enum import StrEnum


class Lasting(StrEnum):
    OUT_OF_AREA = "out_of_area"
    NO_QUOTA = "no_quota"
    ACCOUNT = "account"


_WORDS: tuple[tuple[Lasting, tuple[str, ...]], ...] = (
    (Lasting.OUT_OF_AREA, ("超区", "超出派送范围", "超出配送范围", "超出服务范围", "不在服务范围", "不在派送范围",
                           "不在配送范围", "不支持派送", "无法派送", "out of area", "out of service area")),
    (Lasting.NO_QUOTA, ("单号不足", "余额不足", "单号余额", "面单余额", "面单不足", "余量不足", "no waybill quota",
                        "insufficient balance")),
    (Lasting.ACCOUNT, ("商户ID不存在", "账号不存在", "账户不存在", "账号未审核", "账号已停用", "账号已冻结", "账户已冻结",
                       "未开通", "月结账号", "客户编码", "密码错误", "授权失败", "鉴权失败", "account suspended",
                       "account not found")),
)  # fmt: skip


def lasting(words: str | None) -> Lasting | None:
    """Why a refusal with these words lasts, or None when it does not (or the words are empty)."""
    text = (words or "").strip()
    if not text:
        return None
    lowered = text.lower()
    for kind, needles in _WORDS:
        if any(n in text or n in lowered for n in needles):
            return kind
    return None
