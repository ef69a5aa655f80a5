"""Shared fixtures for the output-language tests: sample waybills and page decoding helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image as PILImage

from app.labels.templates import WaybillData

LONG_ADDRESS = "新疆维吾尔自治区乌鲁木齐市沙依巴克区西北路街道友好北路688号美居物流园二期12栋3单元1806室（工作日送公司，周末送家里）"


def make_waybill(**overrides: Any) -> WaybillData:
    base: dict[str, Any] = dict(
        waybill_no="YT7500012345678",
        carrier_name="圆通速递",
        shipper_code="YTO",
        sort_code="浙江杭州转 300-A12",
        sorting_code="300-A12 05",
        package_name="杭州转运中心",
        receiver_name="张三丰",
        receiver_phone="13812345678",
        receiver_address="浙江省杭州市西湖区文三路478号华星时代广场A座1203室",
        sender_name="李四",
        sender_phone="0571-88886666",
        sender_address="广东省深圳市南山区科技园南区W1-A栋5楼",
        goods="T恤 x2, 马克杯 x1",
        remark='易碎 "轻放"',
        order_no="TB20240501000123",
        parcel_index=1,
        parcel_count=1,
        printed_at=datetime(2024, 5, 1, 12, 30),
        qr_text="https://k.example/w/YT7500012345678",
    )
    base.update(overrides)
    return WaybillData(**base)


@pytest.fixture
def waybill() -> Callable[..., WaybillData]:
    return make_waybill


def decode(img: PILImage.Image) -> list[tuple[str, str]]:
    """(format name, text) of every barcode zxing-cpp finds in the image."""
    return [(r.format.name, r.text) for r in zxingcpp.read_barcodes(img.convert("L"))]


def pdf_pages(data: bytes, dpi: int = 203) -> list[PILImage.Image]:
    doc = pdfium.PdfDocument(io.BytesIO(data))
    return [doc[i].render(scale=dpi / 72).to_pil() for i in range(len(doc))]


def pdf_text(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(io.BytesIO(data))
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
