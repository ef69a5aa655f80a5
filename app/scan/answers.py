"""The words of each answer (zh and en), and the rules that refuse an order before anything is printed.

Pure functions over :class:`app.scan.lookup.Found` and :class:`app.scan.values.Checking`: no database, no I/O.
"""

from __future__ import annotations

from app.scan import values as v
from app.scan.values import Checking, Found, ScanAnswer, ScanLine, ScanOptions


def _about(
    code: str, found: Found, result: str, zh: str, en: str, lines: tuple[ScanLine, ...] = (),
    remaining: int | None = None,
) -> ScanAnswer:  # fmt: skip
    return ScanAnswer(
        code, result, found.order, found.waybill or None, zh, en, lines, remaining, found.order_id
    )


def unknown(code: str) -> ScanAnswer:
    return ScanAnswer(
        code, v.UNKNOWN, None, None, f"找不到这个单号：{code}", f"no order or waybill is called {code}"
    )


def failed(code: str, zh: str, en: str, found: Found | None = None) -> ScanAnswer:
    if found is None:
        return ScanAnswer(code, v.FAILED, None, None, zh, en)
    return _about(code, found, v.FAILED, zh, en)


def refusal(code: str, found: Found, options: ScanOptions) -> ScanAnswer | None:
    """Why this order's label must not print now (held, already printed, no waybill), or None."""
    if found.held is not None:
        return _about(code, found, v.HELD, *found.held)
    if found.printed:
        return _about(
            code, found, v.ALREADY_PRINTED,
            f"订单 {found.order} 已打印过，这次没有打印；要补打请说明原因",
            f"order {found.order} was printed before: nothing printed now; a reprint needs a reason",
        )  # fmt: skip
    if not found.waybill and not options.carrier:
        return _about(
            code, found, v.NOT_ISSUED,
            f"订单 {found.order} 还没有运单号，本工作站不取号：请先取号，或选择取号的快递账号",
            f"order {found.order} has no waybill yet and this station does not get one: get it first, "
            "or choose a carrier account for the station",
        )  # fmt: skip
    return None


def checking_of(found: Found) -> Checking:
    return Checking(
        found.order_id,
        found.order,
        found.waybill,
        found.lines,
        tuple((ln.sku, ln.quantity) for ln in found.lines),
    )


def verify(code: str, found: Found, checking: Checking) -> ScanAnswer:
    n = checking.left
    return _about(
        code, found, v.VERIFY,
        f"请逐件扫描商品：订单 {found.order} 还差 {n} 件", f"scan each item of order {found.order}: {n} to go",
        lines=found.lines, remaining=n,
    )  # fmt: skip


def _checking_answer(code: str, checking: Checking, result: str, zh: str, en: str) -> ScanAnswer:
    return ScanAnswer(
        code, result, checking.order, checking.waybill or None, zh, en, (), checking.left, checking.order_id
    )


def item_ok(code: str, checking: Checking) -> ScanAnswer:
    n = checking.left
    return _checking_answer(code, checking, v.ITEM_OK, f"商品正确，还差 {n} 件", f"right item: {n} to go")


def mismatch(code: str, checking: Checking) -> ScanAnswer:
    wanted = dict(checking.remaining)
    if code in wanted:  # in the order, but every one of it was scanned already
        zh = f"商品 {code} 已经扫够了，请拿出多的一件"
        en = f"item {code} was scanned enough times already: take the extra one out"
    else:
        zh = f"订单 {checking.order} 里没有 {code}：请放回，换对的商品"
        en = f"order {checking.order} holds no {code}: put it back and take the right item"
    return _checking_answer(code, checking, v.MISMATCH, zh, en)


def abandoned(code: str, checking: Checking) -> ScanAnswer:
    n = checking.left
    return _checking_answer(
        code, checking, v.ABANDONED,
        f"订单 {checking.order} 没有核对完（还差 {n} 件），没有打印",
        f"order {checking.order} was left unfinished ({n} item(s) to go): nothing printed",
    )  # fmt: skip


def queued(code: str, found: Found, waybill: str, printer: str) -> ScanAnswer:
    return ScanAnswer(
        code, v.QUEUED, found.order, waybill or None, f"正在打印（{printer}）", f"printing on {printer}",
        order_id=found.order_id,
    )  # fmt: skip


def printed(answer: ScanAnswer) -> ScanAnswer:
    zh, en = (
        (f"面单已打印（运单 {answer.waybill}）", f"label printed (waybill {answer.waybill})")
        if answer.waybill
        else ("面单已打印", "label printed")
    )
    return ScanAnswer(answer.code, v.PRINTED, answer.order, answer.waybill, zh, en, order_id=answer.order_id)


def print_failed(answer: ScanAnswer, zh: str, en: str, result: str = v.FAILED) -> ScanAnswer:
    return ScanAnswer(answer.code, result, answer.order, answer.waybill, zh, en, order_id=answer.order_id)
