"""Hypothesis fuzzes the importer: whatever the cells hold, it never crashes and never loses a good row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.orders.intake import record_chunks
from app.orders.profiles import TAOBAO
from app.orders.reading import read_table
from tests import exportgen as gen

cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
) | st.sampled_from(["=1+1", '="123"', "'138", "1.2E+18", "", "\r\n", '"', "，", "北京市"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(cell, min_size=18, max_size=18), min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))  # fmt: skip
def test_importer_never_crashes(tmp_path: Path, cells: list[list[str]], encoding: str) -> None:
    good = gen.taobao_rows(1, start=1)[1]
    rows = [gen.TAOBAO_HEADER, good, *cells]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = buf.getvalue().encode("utf-8")
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    records, errors = [], []
    for chunk, chunk_errors in record_chunks(read_table(path), TAOBAO, 2):  # small chunks: every boundary
        records.extend(chunk)
        errors.extend(chunk_errors)
    ids = [r.platform_order_id for r in records]
    assert "1" in ids  # the good row survives whatever follows it
    assert len(records) + len(errors) <= len(rows) - 1
    for error in errors:
        assert error.row >= 2 and error.reason
