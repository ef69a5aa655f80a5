"""Import a 100,000-row Taobao CSV into a fresh SQLite store, next to the floor measured in the same run.

Floor: raw ``sqlite3.executemany`` of the same rows the import writes (its ``orders`` rows and their
``order_lines`` rows) into the same tables with the same indexes.
Budget (DESIGN.md): the import within 4x the floor. Peak memory of the importing process is reported too, and
that of the child process that reads and builds a large file while the importing process writes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._table import print_table  # noqa: E402

ROWS = int(os.environ.get("IMPORT_BENCH_ROWS", "100000"))


def _import(csv_path: str, workdir: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    os.environ["KUAIDAN_SECRETS"] = "db"
    from app.orders.importer import import_file
    from app.orders.shops import add_shop
    from app.secrets import SecretStore
    from app.store.engine import open_store

    store = open_store(f"sqlite:///{workdir}/import.sqlite3", workdir)
    with store.session() as s:
        add_shop(s, SecretStore(Path(workdir)), "淘宝店", "taobao")
    start = time.perf_counter()
    report = import_file(store, csv_path, "淘宝店")
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a large file is read and built in a child process (app/orders/source.py): its peak is reported too
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put((elapsed, report.imported, report.rejected, peak_mb, child_mb))


def _floor(csv_path: str, workdir: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """The same rows, already parsed into column values, inserted with one executemany."""
    from sqlalchemy import create_engine

    from app.orders.intake import record_chunks
    from app.orders.profiles import TAOBAO
    from app.orders.reading import read_table
    from app.store.models import Base

    path = f"{workdir}/floor.sqlite3"
    Base.metadata.create_all(create_engine(f"sqlite:///{path}"))
    table = read_table(csv_path)
    records = [r for chunk, _ in record_chunks(table, TAOBAO, len(table.rows) or 1) for r in chunk]
    cols = ("shop_id", "platform_order_id", "status", "platform_status", "on_hold", "hold_reason", "buyer_nick",
            "buyer_message", "seller_remark", "receiver_name", "receiver_phone", "receiver_tel", "province", "city",
            "district", "address", "postcode", "country", "merge_key", "goods_summary", "item_count", "weight_g",
            "platform_waybill", "platform_carrier", "imported_at", "updated_at", "content_hash", "extra")  # fmt: skip
    rows = [
        (1, r.platform_order_id, r.status.value, r.platform_status, 0, "", r.buyer_nick, r.buyer_message,
         r.seller_remark, r.receiver_name, r.receiver_phone, r.receiver_tel, r.province, r.city, r.district,
         r.address, r.postcode, r.country, r.merge_key, r.lines[0].title, r.lines[0].quantity, 0, "", "",
         "2026-11-24 00:00:00", "2026-11-24 00:00:00", "0" * 40, "{}")
        for r in records
    ]  # fmt: skip
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("INSERT INTO shops (name, platform, url, token_ref, key_ref, secret_ref, settings, created_at) "
                 "VALUES ('s', 'taobao', '', '', '', '', '{}', '2026-01-01')")  # fmt: skip
    conn.commit()
    sql = f"INSERT INTO orders ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    line_cols = ("order_id", "platform_line_id", "sku", "title", "spec", "quantity", "price", "weight_g")
    lines = [
        (i + 1, line.platform_line_id, line.sku, line.title, line.spec, line.quantity,
         str(line.price) if line.price is not None else None, 0)
        for i, r in enumerate(records)
        for line in r.lines
    ]  # fmt: skip
    line_sql = f"INSERT INTO order_lines ({', '.join(line_cols)}) VALUES ({', '.join('?' * len(line_cols))})"
    start = time.perf_counter()
    conn.executemany(sql, rows)
    conn.executemany(line_sql, lines)
    conn.commit()
    queue.put(time.perf_counter() - start)
    conn.close()


def _run(target: object, *args: object) -> object:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=target, args=(*args, queue))  # type: ignore[arg-type]
    proc.start()
    result = queue.get(timeout=900)
    proc.join()
    return result


def main() -> int:
    from tests.exportgen import taobao_csv

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "taobao.csv"
        taobao_csv(csv_path, n=ROWS)
        size_mb = csv_path.stat().st_size / 1e6
        floor = _run(_floor, str(csv_path), tmp)
        elapsed, imported, rejected, peak_mb, child_mb = _run(_import, str(csv_path), tmp)  # type: ignore[misc]
    assert isinstance(floor, float)
    ratio = elapsed / floor
    return (
        0
        if print_table(
            f"import_bench: {ROWS:,} Taobao rows ({size_mb:.1f} MB GBK CSV) into a fresh SQLite store",
            [
                ("floor: raw sqlite3.executemany (orders + lines)", f"{floor:.2f} s", "", None),
                ("kuaidan import", f"{elapsed:.2f} s ({imported:,} imported, {rejected} rejected)", "", None),
                ("import ÷ floor", f"{ratio:.2f}×", "≤ 4×", ratio <= 4),
                ("peak memory (importing process)", f"{peak_mb:.0f} MB", "", None),
                (
                    "peak memory (its reading child, if any)",
                    f"{child_mb:.0f} MB" if child_mb else "none",
                    "",
                    None,
                ),
            ],
        )
        else 1
    )


if __name__ == "__main__":
    raise SystemExit(main())
