"""Waybill templates: which field goes where on 100x180, 76x130 and 100x150 stock, built into a printers.Label.

A pure function of :class:`WaybillData` (no database, no Qt). The static parts of a template (rules, boxes,
captions) go into ``Label.frame`` and are the same object for every label of a template variant, so the PDF
renderer draws them once. Long texts wrap and shrink inside their boxes and never overflow (printers.graphics.textfit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from app.orders.privacy import Privacy, mask_phone, redact
from app.orders.privacy import mask_name as _mask_name
from printers.label import Align, Barcode128, Element, Label, Line, QRCode, Reverse, Text, VAlign

__all__ = ["TEMPLATES", "Template", "WaybillData", "build_label", "mask_phone"]


@dataclass(frozen=True)
class WaybillData:
    """Everything printed on one waybill label (one parcel)."""

    waybill_no: str
    carrier_name: str
    receiver_name: str
    receiver_phone: str
    receiver_address: str  # full, one line: province city district street
    sender_name: str
    sender_phone: str
    sender_address: str
    shipper_code: str = ""
    sort_code: str = ""  # 大头笔 / MarkDestination
    sorting_code: str = ""  # 三段码
    package_name: str = ""  # 集包地
    goods: str = ""
    remark: str = ""
    order_no: str = ""
    parcel_index: int = 1
    parcel_count: int = 1
    printed_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    qr_text: str | None = None
    child_waybill_no: str | None = None
    # what the parcel's shop hides on every label (the printer may hide more)
    privacy: Privacy = field(default_factory=Privacy)
    template: str = ""  # the shop's template ("" = the printer's)

    def __post_init__(self) -> None:
        if not self.waybill_no:
            raise ValueError("waybill_no is required")
        if not 1 <= self.parcel_index <= max(1, self.parcel_count):
            raise ValueError("parcel_index must be within 1..parcel_count")


@dataclass(frozen=True)
class Template:
    name: str
    width_mm: float
    height_mm: float
    # (data, mask the phones) -> (elements, frame)
    build: Callable[[WaybillData, bool], tuple[tuple[Element, ...], tuple[Element, ...]]]
    description: str = ""


# --- shared pieces -----------------------------------------------------------------------------------


def _phone(p: str, mask: bool) -> str:
    return mask_phone(p) if mask and p else p


def _parcel(d: WaybillData) -> str:
    return f"第{d.parcel_index}/{d.parcel_count}件" if d.parcel_count > 1 else ""


def _time(d: WaybillData) -> str:
    return d.printed_at.strftime("%Y-%m-%d %H:%M")


def _hline(y: float, x1: float, x2: float, t: float = 0.3) -> Line:
    return Line(x1, y, x2, y, t)


def _vline(x: float, y1: float, y2: float, t: float = 0.3) -> Line:
    return Line(x, y1, x, y2, t)


def _caption(ch: str, x: float, y: float, w: float, h: float, size: float, reverse: bool) -> list[Element]:
    els: list[Element] = [
        Text(x, y, w, h, ch, size=size, bold=True, align=Align.CENTER, valign=VAlign.MIDDLE)
    ]
    if reverse:
        els.append(Reverse(x, y, w, h))
    return els


def _head(d: WaybillData, w: float, band: float, sort_h: float, pkg_h: float, big: float) -> list[Element]:
    """Carrier band, 大头笔 sort code, 集包地 + 三段码: from y=1 down to 1 + band + sort_h + pkg_h."""
    y1 = 1 + band
    y2 = y1 + sort_h
    els: list[Element] = [
        Text(2, 1.5, w * 0.55, band - 1, d.carrier_name, size=min(6.0, band - 2), bold=True, valign=VAlign.MIDDLE,
             wrap=False),
        Text(w * 0.55 + 2, 1.5, w * 0.45 - 4, band - 1, _parcel(d), size=min(5.0, band - 3), bold=True,
             align=Align.RIGHT, valign=VAlign.MIDDLE, wrap=False),
        Text(2, y1 + 0.5, w - 4, sort_h - 1, d.sort_code, size=big, min_size=big / 2, bold=True,
             align=Align.CENTER, valign=VAlign.MIDDLE, wrap=False),
        Text(2, y2 + 0.5, w * 0.6 - 2, pkg_h - 1, d.package_name, size=min(5.0, pkg_h - 2), bold=True,
             valign=VAlign.MIDDLE, wrap=False),
        Text(w * 0.6, y2 + 0.5, w * 0.4 - 2, pkg_h - 1, d.sorting_code, size=min(5.0, pkg_h - 2), bold=True,
             align=Align.RIGHT, valign=VAlign.MIDDLE, wrap=False),
    ]  # fmt: skip
    return els


def _head_frame(w: float, band: float, sort_h: float, pkg_h: float) -> list[Element]:
    y1 = 1 + band
    return [_hline(y1, 1, w - 1), _hline(y1 + sort_h, 1, w - 1), _hline(y1 + sort_h + pkg_h, 1, w - 1)]


def _party(
    name: str, phone: str, address: str, x: float, y: float, w: float, h: float, size: float, addr_size: float
) -> list[Element]:
    """Name + phone on one line, the address wrapped below it."""
    name_h = size + 1
    return [
        Text(
            x, y + 0.5, w, name_h, f"{name} {phone}".strip(), size=size, bold=True, wrap=False, min_size=2.0
        ),
        Text(
            x, y + 0.5 + name_h, w, h - name_h - 1, address, size=addr_size, min_size=2.0, line_spacing=1.12
        ),
    ]


def _goods_text(d: WaybillData) -> str:
    return f"内容品名：{d.goods}" if d.goods else "内容品名："


# --- 100 x 180, two parts ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _frame_100x180(has_qr: bool) -> tuple[Element, ...]:
    els: list[Element] = [*_head_frame(100, 11, 16, 8)]
    els += [_hline(55, 1, 99), _hline(79, 1, 99), _hline(93, 1, 99), _hline(110, 0, 100, 0.6)]
    els += [_vline(64, 93, 110), _hline(128, 1, 99)]
    els += _caption("收", 1, 55.2, 8, 23.6, 5, True) + _caption("寄", 1, 79.2, 8, 13.6, 4.5, False)
    els.append(Text(65, 94, 33, 4, "签收人/时间", size=2.8, wrap=False))
    return tuple(els)


def _build_100x180(d: WaybillData, mask: bool) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    """Upper part 0-110 mm (sorting, main barcode, receiver, sender, goods, 签收); lower part 110-180 mm."""
    rp, sp = _phone(d.receiver_phone, mask), _phone(d.sender_phone, mask)
    has_qr = bool(d.qr_text)
    els = _head(d, 100, 11, 16, 8, 13)
    els.append(Barcode128(2, 37.5, 96, 12, d.waybill_no, text_size=2.8))
    els += _party(d.receiver_name, rp, d.receiver_address, 10.5, 55, 88, 24, 4.2, 3.6)
    els += _party(d.sender_name, sp, d.sender_address, 10.5, 79, 88, 14, 3.0, 3.0)
    goods_w = 44 if has_qr else 61
    els += [
        Text(2, 94, goods_w, 7.5, _goods_text(d), size=3.0, min_size=2.2),
        Text(
            2,
            101.8,
            goods_w,
            3.8,
            f"备注：{d.remark}" if d.remark else "",
            size=2.6,
            wrap=False,
            min_size=2.0,
        ),
        Text(2, 105.6, goods_w, 3.6, f"打印时间：{_time(d)}", size=2.6, wrap=False, min_size=2.0),
    ]
    if d.qr_text:
        els.append(QRCode(46.5, 93.5, 17, d.qr_text))
    second = d.child_waybill_no or d.waybill_no
    els.append(Barcode128(2, 111.5, 62, 10, second, module=0.25, text_size=2.6))
    els += [
        Text(65, 111.5, 33, 4.5, _parcel(d), size=3.5, bold=True, align=Align.RIGHT, wrap=False),
        Text(65, 117, 33, 10, f"订单号：{d.order_no}" if d.order_no else "", size=2.5, min_size=2.0),
    ]
    els += [
        Text(2, 129, 96, 24, f"收：{d.receiver_name} {rp} {d.receiver_address}", size=3.2, min_size=2.0),
        Text(2, 154, 96, 16, f"寄：{d.sender_name} {sp} {d.sender_address}", size=3.0, min_size=2.0),
    ]
    if d.remark:
        els.append(Text(2, 171, 96, 8, f"备注：{d.remark}", size=2.6, min_size=2.0))
    return tuple(els), _frame_100x180(has_qr)


# --- 76 x 130, one part --------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _frame_76x130(has_qr: bool) -> tuple[Element, ...]:
    els: list[Element] = [*_head_frame(76, 9, 13, 7)]
    els += [_hline(46, 1, 75), _hline(70, 1, 75), _hline(84, 1, 75), _hline(108, 1, 75)]
    els += [_vline(8, 46, 84), _vline(44, 108, 129)]
    if has_qr:
        els.append(_vline(52, 84, 108))
    els += _caption("收", 1, 46.2, 7, 23.6, 4.5, True) + _caption("寄", 1, 70.2, 7, 13.6, 4, False)
    els.append(Text(2, 109, 41, 4, "签收人/签收时间", size=2.8, wrap=False))
    return tuple(els)


def _build_76x130(d: WaybillData, mask: bool) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    rp, sp = _phone(d.receiver_phone, mask), _phone(d.sender_phone, mask)
    has_qr = bool(d.qr_text)
    els = _head(d, 76, 9, 13, 7, 10)
    els.append(Barcode128(1, 31, 74, 11, d.waybill_no, text_size=2.6))
    els += _party(d.receiver_name, rp, d.receiver_address, 9.5, 46, 65, 24, 4.0, 3.4)
    els += _party(d.sender_name, sp, d.sender_address, 9.5, 70, 65, 14, 3.0, 2.8)
    goods_w = 49 if has_qr else 72
    els += [
        Text(2, 85, goods_w, 13, _goods_text(d), size=3.0, min_size=2.0),
        Text(2, 98.5, goods_w, 9, f"备注：{d.remark}" if d.remark else "", size=2.8, min_size=2.0),
    ]
    if d.qr_text:
        els.append(QRCode(53, 85, 22, d.qr_text))
    els += [
        Text(45, 109, 29, 4, _parcel(d), size=3.2, align=Align.RIGHT, wrap=False),
        Text(45, 114, 29, 7, f"订单号：{d.order_no}" if d.order_no else "", size=2.4, min_size=2.0),
        Text(45, 122, 29, 6.5, f"打印时间：{_time(d)}", size=2.4, min_size=2.0),
    ]
    return tuple(els), _frame_76x130(has_qr)


# --- 100 x 150 -----------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _frame_100x150(has_qr: bool) -> tuple[Element, ...]:
    els: list[Element] = [*_head_frame(100, 11, 16, 8)]
    els += [_hline(55, 1, 99), _hline(79, 1, 99), _hline(93, 1, 99), _hline(108, 0, 100, 0.6)]
    els += [_vline(9, 55, 93), _vline(64, 93, 108), _hline(124, 1, 99), _vline(9, 124, 149)]
    if has_qr:
        els.append(_vline(75, 55, 79))
    els += _caption("收", 1, 55.2, 8, 23.6, 5, True) + _caption("寄", 1, 79.2, 8, 13.6, 4.5, False)
    els += _caption("收", 1, 124.2, 8, 24.6, 4.5, False)
    els.append(Text(65, 94, 33, 4, "签收人/签收时间", size=2.8, wrap=False))
    return tuple(els)


def _build_100x150(d: WaybillData, mask: bool) -> tuple[tuple[Element, ...], tuple[Element, ...]]:
    rp, sp = _phone(d.receiver_phone, mask), _phone(d.sender_phone, mask)
    has_qr = bool(d.qr_text)
    els = _head(d, 100, 11, 16, 8, 13)
    els.append(Barcode128(2, 37.5, 96, 12, d.waybill_no, text_size=2.8))
    els += _party(d.receiver_name, rp, d.receiver_address, 10.5, 55, 64 if has_qr else 88, 24, 4.2, 3.6)
    if d.qr_text:
        els.append(QRCode(76, 56, 22, d.qr_text))
    els += _party(d.sender_name, sp, d.sender_address, 10.5, 79, 88, 14, 3.0, 3.0)
    els += [
        Text(2, 94, 61, 6.5, _goods_text(d), size=3.0, min_size=2.0),
        Text(2, 100.6, 61, 3.6, f"备注：{d.remark}" if d.remark else "", size=2.6, wrap=False, min_size=2.0),
        Text(2, 104.2, 61, 3.6, f"打印时间：{_time(d)}", size=2.6, wrap=False),
    ]
    second = d.child_waybill_no or d.waybill_no
    els.append(Barcode128(2, 109.5, 62, 9, second, module=0.25, text_size=2.4))
    els += [
        Text(65, 109.5, 33, 5, d.carrier_name, size=4, bold=True, align=Align.RIGHT, wrap=False),
        Text(65, 115, 33, 4, _parcel(d), size=3.2, align=Align.RIGHT, wrap=False),
        Text(65, 119.2, 33, 4.5, f"订单号：{d.order_no}" if d.order_no else "", size=2.4, align=Align.RIGHT,
             min_size=2.0),
    ]  # fmt: skip
    els += _party(d.receiver_name, rp, d.receiver_address, 10.5, 124, 88, 25, 3.5, 3.0)
    return tuple(els), _frame_100x150(has_qr)


TEMPLATES: dict[str, Template] = {
    "100x180": Template("100x180", 100, 180, _build_100x180, "两联 100×180 (二联面单)"),
    "76x130": Template("76x130", 76, 130, _build_76x130, "一联 76×130 (菜鸟/微信默认)"),
    "100x150": Template("100x150", 100, 150, _build_100x150, "100×150 (4×6 in)"),
}


def build_label(
    data: WaybillData, template: str = "100x180", *, mask_phone: bool = False, mask_name: bool = False
) -> Label:
    """The label for one parcel. ``mask_phone`` prints a privacy waybill (phones as 138****1234), ``mask_name``
    the receiver as 张**; what the parcel's shop hides (``data.privacy``) is hidden whatever these say."""
    try:
        tpl = TEMPLATES[template]
    except KeyError:
        raise ValueError(f"unknown template {template!r}; choose one of {sorted(TEMPLATES)}") from None
    privacy = data.privacy | Privacy(mask_phone, mask_name)
    if privacy.mask_name:
        data = replace(data, receiver_name=_mask_name(data.receiver_name))
    if privacy.mask_phone:  # a buyer writes a number into the address or the message too
        data = replace(data, receiver_address=redact(data.receiver_address), remark=redact(data.remark))
    elements, frame = tpl.build(data, privacy.mask_phone)
    return Label(tpl.width_mm, tpl.height_mm, elements, frame)
