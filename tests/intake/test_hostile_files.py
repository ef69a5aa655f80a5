"""The hostile-file suite: each kind of broken or malicious export, generated here, through the real command line.

Every file either gives a clear error — exit status 2, exactly one JSON object, nothing written — or imports
exactly right, with every order imported or listed in ``errors``. Each import runs as its own process (a wrapper
process measures the peak memory of its process tree), under a 2 GB address-space cap so that a regression fails
here instead of taking the machine down; each must finish within seconds and under a few hundred MB.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import exportgen as gen
from tests import hostile as h

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 300  # "a few hundred MB": a clean import of a small file peaks at about 60
SECONDS = 30  # "within seconds" (about one second on a quiet machine; the margin is for a busy one)
CAP_BYTES = 2 << 30

# runs the command line in a child, its output to files, and prints [status, seconds, peak MB of the tree]
_WRAPPER = """
import json, resource, subprocess, sys, time
cap, out, err, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start = time.perf_counter()
with open(out, "wb") as o, open(err, "wb") as e:
    status = subprocess.run(args, stdout=o, stderr=e, preexec_fn=limit, timeout=300).returncode
seconds = time.perf_counter() - start
print(json.dumps([status, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))
"""


@dataclass
class Run:
    status: int
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_mb: float

    @property
    def json(self) -> dict[str, Any]:
        lines = [line for line in self.stdout.decode("utf-8").splitlines() if line.strip()]
        assert len(lines) == 1, f"expected exactly one JSON line on stdout, got {self.stdout[:500]!r}"
        value = json.loads(lines[0])
        assert isinstance(value, dict)
        return value


@pytest.fixture
def shop(kd: Any) -> str:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    return "淘宝店"


@pytest.fixture
def imp(db_url: str, data_dir: Path, tmp_path: Path, shop: str) -> Callable[..., Run]:
    """Import ``path`` into the Taobao shop with ``--json`` in a process of its own; time and peak memory."""

    def run(path: Path, *extra: str) -> Run:
        out, err = tmp_path / "cli.out", tmp_path / "cli.err"
        args = [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir)]
        args += ["import", str(path), "--shop", shop, "--json", *extra]
        wrapper = [sys.executable, "-c", _WRAPPER, str(CAP_BYTES), str(out), str(err), *args]
        done = subprocess.run(wrapper, capture_output=True, timeout=360, cwd=ROOT, check=True)
        status, seconds, peak = json.loads(done.stdout)
        result = Run(status, out.read_bytes(), err.read_bytes(), seconds, peak)
        print(f"{path.name}: exit {status}, {seconds:.2f} s, peak {peak:.0f} MB")  # the closing note's table
        return result

    return run


def _written(db_url: str) -> tuple[int, int, int]:
    """(orders, order lines, import runs) in the store."""
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        return tuple(  # type: ignore[return-value]
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("orders", "order_lines", "import_runs")
        )
    finally:
        con.close()


def _within_budget(run: Run) -> None:
    assert run.seconds < SECONDS, f"took {run.seconds:.1f} s"
    assert run.peak_mb < PEAK_MB, f"peaked at {run.peak_mb:.0f} MB"
    assert b"Traceback" not in run.stderr and len(run.stderr) < 4096 and len(run.stdout) < 64 * 1024


def _unreadable(run: Run, db_url: str, data_dir: Path, *needles: str) -> dict[str, Any]:
    """Exit 2, one JSON object naming the problem (short), nothing written, no crash log."""
    _within_budget(run)
    assert run.status == 2, (run.status, run.stdout[:500], run.stderr[-500:])
    body = run.json
    assert "log" not in body and body["error_en"]
    assert len(body["error"]) < 1000
    for needle in needles:
        assert needle in body["error_en"], body["error_en"]
    assert _written(db_url) == (0, 0, 0)
    assert not (data_dir / "logs" / "kuaidan-errors.log").exists()
    return body


def _imported(run: Run) -> dict[str, Any]:
    _within_budget(run)
    assert run.status == 0, (run.status, run.stdout[:500], run.stderr[-500:])
    return run.json


def _orders(kd: Any) -> dict[str, dict[str, Any]]:
    return {o["platform_order_id"]: o for o in kd("orders", "--json").json["orders"]}


TAOBAO_START = 3_700_000_000_000_000_000


def _taobao_ids(n: int) -> set[str]:
    return {str(TAOBAO_START + i) for i in range(n)}


# ------------------------------------------------------------------------------------------- workbooks


def test_a_workbook_whose_dimension_claims_the_whole_sheet_imports_exactly(
    imp: Any, kd: Any, tmp_path: Path
) -> None:
    body = _imported(imp(h.dimension_bomb(tmp_path)))
    assert (body["imported"], body["rejected"], body["encoding"]) == (5, 0, "xlsx")
    assert set(_orders(kd)) == _taobao_ids(5)


@pytest.mark.parametrize(
    ("make", "needles"),
    [
        (lambda d: h.whitespace_bomb(d, 520), ("bytes once inflated",)),  # over the part limit, by its header
        (lambda d: h.whitespace_bomb(d, 64), ("zip bomb",)),  # inflates a thousand times
        (lambda d: h.cell_bomb(d, 40), ("zip bomb",)),  # millions of tiny cells
        (lambda d: h.lying_size(d, 64), ("CRC",)),  # a header that claims 4 KB: read no further
        (h.malformed, ("not well-formed",)),
        (lambda d: h.many_entries(d, 12_000), ("parts",)),
        (h.far_cell, ("column 16,384",)),
        (h.far_row, ("row numbered 2,000,000,000",)),
    ],
    ids=[
        "whitespace-520MB",
        "whitespace-64MB",
        "cells-40MB",
        "lying-size",
        "malformed",
        "12k-entries",
        "column-XFD",
        "row-2e9",
    ],
)
def test_a_hostile_workbook_is_unreadable_quickly_and_small(
    imp: Any,
    db_url: str,
    data_dir: Path,
    tmp_path: Path,
    make: Callable[[Path], Path],
    needles: tuple[str, ...],
) -> None:
    _unreadable(imp(make(tmp_path)), db_url, data_dir, "Excel", *needles)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: h.line_ends(d, 64), "more than 1,048,576 rows"),  # 67 million blank lines
        (lambda d: h.line_ends(d, 64, b"\r"), "more than 1,048,576 rows"),  # the same with old Mac line ends
        (h.empty_rows_sheet, "more than 1,048,576 rows"),  # 1.1 million empty rows that do not deflate away
    ],
    ids=["64MB-of-LF", "64MB-of-CR", "1.1M-empty-rows"],
)
def test_a_file_of_nothing_stops_at_the_row_limit(
    imp: Any, db_url: str, data_dir: Path, tmp_path: Path, make: Callable[[Path], Path], needle: str
) -> None:
    _unreadable(imp(make(tmp_path)), db_url, data_dir, needle)


def test_whitespace_within_the_limits_is_streamed_and_imports_exactly(
    imp: Any, kd: Any, tmp_path: Path
) -> None:
    body = _imported(imp(h.whitespace_bomb(tmp_path, 24)))  # 24 MB of it: below the ratio check, parsed
    assert (body["imported"], body["rejected"]) == (5, 0)
    assert set(_orders(kd)) == _taobao_ids(5)


@pytest.mark.parametrize("part", [h.STRINGS, h.SHEET, h.WORKBOOK, "[Content_Types].xml", "xl/styles.xml"])
def test_billion_laughs_in_any_part_is_refused_at_once(
    imp: Any, db_url: str, data_dir: Path, tmp_path: Path, part: str
) -> None:
    _unreadable(imp(h.billion_laughs(tmp_path, part)), db_url, data_dir, "Excel", "DTD")


@pytest.mark.parametrize("part", [h.STRINGS, h.SHEET])
def test_an_external_entity_is_never_read(
    imp: Any, db_url: str, data_dir: Path, tmp_path: Path, part: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    run = imp(h.xxe(tmp_path, secret, part))
    _unreadable(run, db_url, data_dir, "DTD")
    assert b"TOP-SECRET" not in run.stdout + run.stderr


def test_an_external_dtd_is_never_fetched(imp: Any, db_url: str, data_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/evil.dtd"
        _unreadable(imp(h.external_dtd(tmp_path, url)), db_url, data_dir, "DTD")
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody called


def test_a_cell_over_the_limit_is_a_rejected_row(imp: Any, kd: Any, tmp_path: Path) -> None:
    body = _imported(imp(h.huge_cell_workbook(tmp_path, 3_000_000)))
    assert body["imported"] == 5
    assert [(e["row"], "longer than" in e["reason"]) for e in body["errors"]] == [(7, True)]


def test_a_workbook_as_excel_writes_it_reads_its_dates(imp: Any, kd: Any, tmp_path: Path) -> None:
    rows = gen.taobao_rows(3)
    # 订单付款时间 as date-formatted numbers (Excel serials of Beijing times, one with float noise): kept as UTC
    serials = {(1, 10): 46346.416666666664, (2, 10): 46346.5, (3, 10): 46346.0}
    body = _imported(imp(h.excel_workbook(tmp_path / "dates.xlsx", rows, dates=serials)))
    assert (body["imported"], body["rejected"]) == (3, 0)
    paid = {k: o["paid_at"] for k, o in _orders(kd).items()}
    assert paid == {
        str(TAOBAO_START): "2026-11-20 02:00:00",
        str(TAOBAO_START + 1): "2026-11-20 04:00:00",
        str(TAOBAO_START + 2): "2026-11-19 16:00:00",
    }


# ------------------------------------------------------------------------------------------- text files


@pytest.mark.parametrize("plain_ids", [True, False], ids=["plain-ids", "quoted-ids"])
def test_a_stray_quote_loses_only_its_own_row(imp: Any, kd: Any, tmp_path: Path, plain_ids: bool) -> None:
    body = _imported(imp(h.stray_quote(tmp_path, n=20, row=5, plain_ids=plain_ids)))
    assert (body["imported"], body["rejected"]) == (19, 1)
    assert body["errors"][0]["row"] == 5 and "quote" in body["errors"][0]["reason"]
    # every order of the file is imported or listed: row r holds order r - 2
    assert set(_orders(kd)) == _taobao_ids(20) - {str(TAOBAO_START + 3)}


def test_an_export_pasted_twice_counts_each_order_once(imp: Any, kd: Any, tmp_path: Path) -> None:
    body = _imported(imp(h.pasted_twice(tmp_path, n=6)))
    assert body["imported"] == 6
    reasons = {e["row"]: e["reason"] for e in body["errors"]}
    assert "header row again" in reasons.pop(8)
    assert sorted(reasons) == list(range(9, 15))
    assert all("repeat of row" in r for r in reasons.values())
    once = _orders(kd)
    assert set(once) == _taobao_ids(6)
    # the goods are those of one copy: the same import of a single copy says "unchanged"
    single = tmp_path / "once.csv"
    single.write_bytes(h.csv_text(gen.taobao_rows(6)).encode("utf-8"))
    again = _imported(imp(single))
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 6)
    assert _orders(kd) == once


def test_a_multi_line_order_pasted_twice_keeps_its_lines_once(kd: Any, tmp_path: Path) -> None:
    assert kd("shops", "add", "shopify", "--platform", "shopify").status == 0
    body = kd("import", str(h.shopify_twice(tmp_path)), "--shop", "shopify", "--json").json
    assert body["imported"] == 2
    assert {e["row"] for e in body["errors"]} == {5, 6, 7, 8}  # the header again and three repeated rows
    goods = {o["platform_order_id"]: o["goods"] for o in kd("orders", "--json").json["orders"]}
    assert goods["5550001"].count("Mug") == 1 and goods["5550001"].count("Tea") == 1


def test_a_file_cut_mid_row_rejects_the_cut_row(imp: Any, kd: Any, tmp_path: Path) -> None:
    body = _imported(imp(h.cut_mid_row(tmp_path, n=5)))
    assert (body["imported"], body["rejected"]) == (4, 1)
    assert body["errors"][0]["row"] == 6 and "ends in the middle" in body["errors"][0]["reason"]
    assert set(_orders(kd)) == _taobao_ids(4)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: h.huge_header(d, 50), "longer than 16 MB"),
        (lambda d: h.huge_header(d, 50, columns=True), "longer than 16 MB"),
        (lambda d: h.huge_header(d, 1, columns=True), "columns"),  # 100,000 names in 1 MB
        (h.unrecognised_header, "unrecognised file layout"),  # eight names of a million characters each
    ],
    ids=["one-50MB-name", "50MB-of-names", "100k-names", "8x1M-names"],
)
def test_a_huge_header_is_refused_in_a_few_lines(
    imp: Any, db_url: str, data_dir: Path, tmp_path: Path, make: Callable[[Path], Path], needle: str
) -> None:
    run = imp(make(tmp_path))
    _unreadable(run, db_url, data_dir, needle)
    assert len(run.stdout) < 2048 and len(run.stderr) < 2048  # the input is never echoed in full


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: h.huge_cell(d, 3_000_000), "a cell is longer"),
        (lambda d: h.huge_cell(d, 30_000_000), "longer than 16 MB"),
        (lambda d: h.wide_row(d, 2_000_000), "more than 1024 columns"),
        (h.undecodable_line, "neither UTF-8 nor GBK"),
    ],
    ids=["3M-character-cell", "90MB-line", "2M-columns", "undecodable-bytes"],
)
def test_a_row_beyond_reading_is_rejected_and_the_others_import(
    imp: Any, kd: Any, tmp_path: Path, make: Callable[[Path], Path], needle: str
) -> None:
    body = _imported(imp(make(tmp_path)))
    assert (body["imported"], body["rejected"]) == (4, 1)
    assert needle in body["errors"][0]["reason"]
    assert len(_orders(kd)) == 4


@pytest.mark.parametrize(
    ("encodings", "bom", "encoding", "note"),
    [
        (["utf-8"] * 4 + ["gb18030"] + ["utf-8"] * 3, False, "mixed", "row(s) 5 read as GBK"),
        (["utf-8"] * 4 + ["gb18030"] + ["utf-8"] * 3, True, "mixed", "row(s) 5 read as GBK"),
        (["gb18030"] * 3 + ["utf-8"] + ["gb18030"] * 4, False, "mixed", "row(s) 4 read as UTF-8"),
        (["gb18030"] * 8, True, "gb18030", "UTF-8 mark (BOM) but its text is GBK"),
    ],
    ids=["utf8-with-a-gbk-line", "bom-utf8-with-a-gbk-line", "gbk-with-a-utf8-line", "bom-on-gbk"],
)
def test_mixed_encodings_are_read_right_and_named(
    imp: Any, kd: Any, tmp_path: Path, encodings: list[str], bom: bool, encoding: str, note: str
) -> None:
    body = _imported(imp(h.encoded_lines(tmp_path, encodings, bom=bom)))
    assert (body["imported"], body["rejected"], body["encoding"]) == (7, 0, encoding)
    assert any(note in w for w in body["warnings"]), body["warnings"]
    orders = _orders(kd)
    expected = {str(TAOBAO_START + i): gen.NAMES[i % len(gen.NAMES)] for i in range(7)}
    assert {k: o["receiver_name"] for k, o in orders.items()} == expected
    assert all("\ufffd" not in o["address"] for o in orders.values())


def test_damaged_utf16_rejects_the_damaged_row(imp: Any, kd: Any, tmp_path: Path) -> None:
    body = _imported(imp(h.utf16_damaged(tmp_path)))
    assert (body["imported"], body["rejected"], body["encoding"]) == (3, 1, "utf-16")
    assert body["errors"][0]["row"] == 3


def test_a_long_value_in_a_row_error_is_cut(imp: Any, kd: Any, tmp_path: Path) -> None:
    rows = gen.taobao_rows(3)
    rows[2][2] = "9" * 100_000 + "元x"  # not an amount: the reason quotes it, cut
    path = tmp_path / "long.csv"
    path.write_bytes(h.csv_text(rows).encode("utf-8"))
    body = _imported(imp(path))
    assert body["rejected"] == 1 and len(body["errors"][0]["reason"]) < 600
    assert "…" in body["errors"][0]["reason"]


def test_an_honest_export_through_the_same_runner(imp: Any, tmp_path: Path) -> None:
    """The control: an ordinary export through the same measured run, for comparison with the attacks."""
    start = time.perf_counter()
    body = _imported(imp(gen.taobao_csv(tmp_path / "honest.csv", n=20)))
    assert body["imported"] == 20 and time.perf_counter() - start < SECONDS
