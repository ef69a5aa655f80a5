"""Large files are read and built in a child process: same orders, same rejections, same guarantees."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests import exportgen as gen


def _tricky_rows() -> list[list[str]]:
    """Taobao rows with rejections, an order over two rows, a duplicated header and a remark to update later."""
    rows = gen.taobao_rows(300)
    rows[0] = [*rows[0], "订单备注"]  # a duplicate header: a warning
    for r in rows[1:]:
        r.append("")
    rows[5][8] = "12345"  # a bad mobile
    rows[7][6] = ""  # no address
    rows[9][0] = "3.7E+18"  # the id lost its digits
    rows[20][13] = "-2"  # a bad quantity
    second = list(rows[30])
    second[11], second[13] = "保温杯", "2"
    rows.insert(31, second)  # order 29 has two rows (two lines)
    rows[40][2] = "1,234.50元"
    return rows


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        out = {}
        for table in ("orders", "order_lines"):
            cur = con.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [d[0] for d in cur.description]
            keep = [i for i, n in enumerate(names) if n not in ("imported_at", "updated_at")]
            out[table] = [tuple(row[i] for i in keep) for row in cur]
        return out
    finally:
        con.close()


def _store(tmp_path: Path, name: str) -> Any:
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.store.engine import open_store

    data = tmp_path / name
    data.mkdir()
    store = open_store(f"sqlite:///{data / 's.sqlite3'}", data)
    with store.session() as s:
        add_shop(s, SecretStore(data), "淘宝店", "taobao")
    return store


def test_the_child_keeps_and_rejects_exactly_what_this_process_does(tmp_path: Path) -> None:
    from app.orders.importer import import_file

    rows = _tricky_rows()
    first = gen.write_csv(tmp_path / "a.csv", rows, encoding="gb18030")
    rows[50][14] = "改了备注"  # an update on the second import
    second = gen.write_csv(tmp_path / "b.csv", rows, encoding="gb18030")
    reports = {}
    for child in (False, True):
        store = _store(tmp_path, f"child-{child}")
        progress: list[tuple[int, int]] = []
        a = import_file(
            store, first, "淘宝店", child=child, progress=lambda d, t, seen=progress: seen.append((d, t))
        )
        b = import_file(store, second, "淘宝店", child=child)
        reports[child] = (
            a.as_json(),
            b.as_json(),
            progress,
            _dump(tmp_path / f"child-{child}" / "s.sqlite3"),
        )
    in_process, in_child = reports[False], reports[True]
    assert in_child == in_process
    a_json, b_json, progress, tables = in_child
    assert (a_json["imported"], a_json["rejected"]) == (296, 4)
    assert [e["row"] for e in a_json["errors"]] == [6, 8, 10, 21]
    assert a_json["warnings"] == ["重复的表头 / duplicate header: 订单备注"]
    assert (b_json["imported"], b_json["updated"], b_json["unchanged"]) == (0, 1, 295)
    assert progress[-1] == (300, 301)  # orders and rejected rows so far, of the file's rows (one order has two)
    assert len(tables["order_lines"]) == 297


def test_unreadable_files_through_the_child_write_nothing(kd: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from app.orders import source

    monkeypatch.setattr(source, "CHILD_MIN_BYTES", 0)
    kd("shops", "add", "淘宝店", "--platform", "taobao")
    cases = [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text"),
        ("名字,年龄\n张三,3\n".encode(), "unrecognised"),
        ("订单编号,买家会员名\n".encode(), "missing required"),
        ((",".join(gen.TAOBAO_HEADER) + "\n").encode("gb18030"), "no orders"),
    ]
    for i, (content, needle) in enumerate(cases):
        path = tmp_path / f"bad{i}.csv"
        path.write_bytes(content)
        result = kd("import", str(path), "--shop", "淘宝店", "--json")
        assert result.status == 2, result
        assert needle in result.json["error_en"]
    assert kd("import", str(tmp_path), "--shop", "淘宝店").status == 2  # a folder
    assert kd("orders", "--json").json["orders"] == []


_POPEN = subprocess.Popen


class _Recorded:
    """subprocess.Popen, remembering the processes it started."""

    started: ClassVar[list[Any]] = []

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        proc = _POPEN(*args, **kwargs)
        cls.started.append(proc)
        return proc


def test_a_child_that_dies_stops_the_import_after_the_committed_chunks(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from app.orders import importer, source
    from app.orders.importer import import_file
    from app.store.models import Order, OrderLine

    monkeypatch.setattr(importer, "CHUNK", 40)
    monkeypatch.setattr(source.subprocess, "Popen", _Recorded)
    _Recorded.started = []
    store = _store(tmp_path, "kill")
    path = gen.taobao_csv(tmp_path / "a.csv", n=1000)

    def kill_after_two_chunks(done: int, total: int) -> None:
        if done == 80:
            _Recorded.started[-1].kill()

    with pytest.raises(source.SourceFailed, match="ended unexpectedly"):
        import_file(store, path, "淘宝店", child=True, progress=kill_after_two_chunks)
    assert _Recorded.started[-1].poll() is not None
    with store.session() as s:
        written = s.query(Order).count()
        assert written % 40 == 0 and 80 <= written < 1000  # whole chunks only (those the pipe already held)
        assert s.query(OrderLine).count() == written
    report = import_file(store, path, "淘宝店", child=True)
    assert (report.imported, report.unchanged) == (1000 - written, written)
    with store.session() as s:
        assert s.query(Order).count() == 1000


def test_an_error_in_the_child_is_raised_with_its_traceback(tmp_path: Path) -> None:
    from app.domain import Platform
    from app.orders.source import SourceFailed, open_source

    path = gen.taobao_csv(tmp_path / "a.csv", n=10)
    with open_source(path, "auto", None, Platform.TAOBAO, "ten", child=True) as (info, chunks):  # type: ignore[arg-type]
        assert info.rows == 10 and info.profile == "taobao"
        with pytest.raises(SourceFailed, match="TypeError"):
            list(chunks)
