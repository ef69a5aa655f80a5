"""Label rendering benchmark: prints a table (what | measured | budget | ok).

Run: ``.venv/bin/python benchmarks/render_bench.py [--labels 1000]``. The PDF figure is the best of three runs
(layout caches cleared before each) after one warm-up label (the CJK font is parsed once per process, ~0.3-0.5 s, shown on its own line).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.labels.templates import WaybillData, build_label
from printers.label import Label
from printers.languages.pdf import _fit, render_pdf
from printers.languages.raster import render_raster
from printers.languages.tspl import render_tspl
from printers.languages.zpl import render_zpl

ADDRESS = "新疆维吾尔自治区乌鲁木齐市沙依巴克区西北路街道友好北路688号美居物流园二期12栋3单元1806室（工作日送公司，周末送家里）"


def waybill(i: int, address: str = "浙江省杭州市西湖区文三路{i}号华星时代广场A座1203室") -> WaybillData:
    no = f"YT75{i:011d}"
    return WaybillData(
        waybill_no=no,
        carrier_name="圆通速递",
        receiver_name="张三丰",
        receiver_phone=f"138{i:08d}",
        receiver_address=address.format(i=i),
        sender_name="李四",
        sender_phone="0571-88886666",
        sender_address="广东省深圳市南山区科技园南区W1-A栋5楼",
        sort_code="浙江杭州转 300-A12",
        sorting_code="300-A12 05",
        package_name="杭州转运中心",
        goods="T恤 x2, 马克杯 x1",
        remark="易碎",
        order_no=f"TB2024{i:010d}",
        printed_at=datetime(2024, 5, 1, 12, 30),
        qr_text=f"https://k.example/w/{no}",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=1000)
    args = parser.parse_args()
    labels: list[Label] = [build_label(waybill(i)) for i in range(args.labels)]
    rows: list[tuple[str, str, str, bool]] = []

    t0 = time.perf_counter()
    render_pdf(labels[:1], io.BytesIO())
    rows.append(("PDF first label (font load)", f"{time.perf_counter() - t0:.2f} s", "-", True))
    best = float("inf")
    size = 0
    for _ in range(3):
        _fit.cache_clear()  # no layout carried over from the previous run: each run is a fresh batch
        buf = io.BytesIO()
        t0 = time.perf_counter()
        render_pdf(labels, buf)
        best = min(best, time.perf_counter() - t0)
        size = len(buf.getvalue())
    budget = 1.5 * args.labels / 1000
    rows.append(
        (
            f"PDF {args.labels} x 100x180 (Code128+QR+CJK)",
            f"{best:.2f} s",
            f"<= {budget:.2f} s",
            best <= budget,
        )
    )
    rows.append(("PDF size per label", f"{size / args.labels / 1024:.1f} KiB", "-", True))

    long_label = build_label(waybill(7, ADDRESS))
    tspl = max(len(render_tspl(long_label)), max(len(render_tspl(lb)) for lb in labels[:50]))
    rows.append(("TSPL bytes, 100x180 (long address)", f"{tspl}", "<= 2048", tspl <= 2048))
    zpl = len(render_zpl(long_label))
    rows.append(("ZPL bytes, 100x180 (printer CJK font)", f"{zpl}", "-", True))
    zpl_bitmap = len(render_zpl(long_label, cjk_font=None))
    rows.append(("ZPL bytes, 100x180 (Chinese as ^GF Z64)", f"{zpl_bitmap}", "-", True))

    t0 = time.perf_counter()
    n = min(50, args.labels)
    for lb in labels[:n]:
        render_tspl(lb)
    rows.append(("TSPL render per label", f"{(time.perf_counter() - t0) / n * 1000:.2f} ms", "-", True))
    render_raster(labels[0])
    t0 = time.perf_counter()
    for lb in labels[:n]:
        render_raster(lb)
    rows.append(("raster 203 dpi per label", f"{(time.perf_counter() - t0) / n * 1000:.1f} ms", "-", True))

    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}} | {'measured':>10} | {'budget':>10} | ok")
    print("-" * (width + 32))
    for what, measured, bud, ok in rows:
        print(f"{what:<{width}} | {measured:>10} | {bud:>10} | {'yes' if ok else 'NO'}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
