"""The store: migrations on open, SQLite pragmas, PostgreSQL, secrets never in plain text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text


def test_sqlite_store_has_wal_foreign_keys_and_busy_timeout(store: Any) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    tables = set(inspect(store.engine).get_table_names())
    assert {"orders", "order_lines", "shipments", "shipment_orders", "waybills", "carrier_accounts", "printers",
            "print_jobs", "tracking_events", "anomalies", "audit_log", "senders", "shops"} <= tables  # fmt: skip


def test_default_store_lives_in_the_data_dir(kd: Any, data_dir: Path, monkeypatch: Any) -> None:
    from app.cli.main import main

    monkeypatch.delenv("KUAIDAN_DB", raising=False)
    assert main(["--data-dir", str(data_dir), "shops", "add", "s", "--platform", "pdd"]) == 0
    assert (data_dir / "kuaidan.sqlite3").exists()


def test_env_db_url(kd: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from app.store.engine import resolve_url

    monkeypatch.setenv("KUAIDAN_DB", f"sqlite:///{tmp_path}/x.db")
    assert resolve_url() == f"sqlite:///{tmp_path}/x.db"
    assert resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"


def test_postgresql_store_end_to_end(kd: Any, pg_url: str, tmp_path: Path) -> None:
    from tests import exportgen as gen

    assert kd("shops", "add", "淘宝店", "--platform", "taobao", db=pg_url).status == 0
    path = gen.taobao_csv(tmp_path / "tb.csv", n=30)
    body = kd("import", str(path), "--shop", "淘宝店", "--json", db=pg_url).json
    assert body["imported"] == 30
    assert kd("import", str(path), "--shop", "淘宝店", "--json", db=pg_url).json["unchanged"] == 30
    assert len(kd("orders", "--json", db=pg_url).json["orders"]) == 30
    assert kd("merge", "--auto", "--json", db=pg_url).status == 0


def test_secrets_are_not_stored_in_plain_text(kd: Any, db_url: str) -> None:
    assert (
        kd(
            "shops",
            "add",
            "S",
            "--platform",
            "shopify",
            "--url",
            "https://s.example",
            "--token",
            "shpat_SECRET42",
        ).status
        == 0
    )
    raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"shpat_SECRET42" not in raw
    assert kd("shops", "list", "--json").json["shops"][0]["has_token"] is True


def test_plain_http_refused_except_loopback(kd: Any) -> None:
    assert (
        kd("shops", "add", "S", "--platform", "woocommerce", "--url", "http://shop.example.com").status == 2
    )
    assert kd("shops", "add", "L", "--platform", "woocommerce", "--url", "http://127.0.0.1:8080").status == 0
