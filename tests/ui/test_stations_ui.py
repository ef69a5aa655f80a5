"""Several stations in the window: another process's imports and prints, and new anomalies, show in the lists by
themselves within seconds (SQLite and PostgreSQL); the print history names the station; the store dialog tests,
saves, renames and joins without blocking the GUI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests import exportgen as gen
from tests.stations.support import kuaidan, open_station

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def window(qtbot: Any, shared_url: str, tmp_path: Path) -> Any:
    from ui.main_window import MainWindow

    ws = open_station(shared_url, tmp_path / "a")
    w = MainWindow(ws)
    w.change_watch.timer.setInterval(300)  # the test need not wait the real 3 s
    qtbot.addWidget(w)
    w.show()
    yield w
    w.ops.wait()
    w.close()
    ws.close()


def _cli(url: str, data_dir: Path, *args: str) -> dict[str, Any]:
    proc = kuaidan(url, data_dir, *args, env={"KUAIDAN_STATION": "bench-2"})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    body: dict[str, Any] = json.loads(out)
    return body


def test_another_stations_work_shows_without_a_restart(
    qtbot: Any, window: Any, shared_url: str, tmp_path: Path
) -> None:
    from tests.printing.support import make_parcels

    ws = window.workspace
    parcels = make_parcels(ws._ctx.store, 2)
    ws.printing.add_printer("p1", uri=f"file://{tmp_path / 'out.prn'}", language="tspl", default=True)
    ws.orders.add_shop("淘宝店", "taobao")
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 2, timeout=10000)
    qtbot.wait(1000)  # this station's own writes above have been seen
    seen: list[set[str]] = []
    window.change_watch.changed.connect(seen.append)
    qtbot.wait(1500)
    assert not seen  # polled several times: nothing changed, nothing reloaded
    window.orders.table.selectRow(1)
    kept = window.orders.selected_order_ids()
    window.print_queue.reload_printers()

    other = tmp_path / "b"  # another station: its own data directory, the same store
    path = gen.taobao_csv(tmp_path / "tb.csv", n=7)
    assert _cli(shared_url, other, "import", str(path), "--shop", "淘宝店", "--json")["imported"] == 7
    qtbot.waitUntil(lambda: window.orders.model.rowCount() == 9, timeout=8000)
    assert window.orders.selected_order_ids() == kept  # a quiet reload keeps what was selected

    assert {"orders"} in seen
    _cli(shared_url, other, "print", "--printer", "p1", parcels[0].platform_order_id, "--json")
    qtbot.waitUntil(lambda: len(window.print_queue.jobs.jobs) == 1, timeout=8000)
    job = window.print_queue.jobs.jobs[0]
    assert job.station == "bench-2"
    from ui.qt.core import Qt

    model = window.print_queue.jobs
    column = model.columnCount() - 1
    assert model.headerData(column, Qt.Orientation.Horizontal) in ("Station", "站点")
    assert model.data(model.index(0, column)) == "bench-2"

    window.tabs.setCurrentWidget(window.tracking)
    qtbot.waitUntil(lambda: not window.tracking._loading, timeout=8000)
    rows_before = window.tracking.model.rowCount()
    engine = create_engine(shared_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO anomalies (kind, state, severity, active_key, order_id, since, detected_at,"
                          " resolved_by, assignee, note, detail) VALUES ('ship_late', 'open', 2, 'ship_late:o1', 1,"
                          " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', '', '', 'from another station')"))  # fmt: skip
    engine.dispose()
    qtbot.waitUntil(lambda: window.tracking.model.rowCount() == rows_before + 1, timeout=8000)


def test_the_store_dialog(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import preferences
    from ui.main_window import MainWindow

    monkeypatch.delenv("KUAIDAN_STATION", raising=False)
    monkeypatch.delenv("KUAIDAN_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    a_ws = open_station(url, tmp_path / "a")
    a_ws.carriers.add_account("kdn", kind="kdniao", shipper_code="SF", ebusiness_id="1", app_key="the-key")
    b_ws = open_station(url, tmp_path / "b")
    window = MainWindow(b_ws)
    qtbot.addWidget(window)
    dialog = window.open_store()
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        pass
    assert not dialog.info.has_key
    assert "加入" in dialog.current_label.text() or "join" in dialog.current_label.text()

    # a test of the local file, then of an unreachable server (its password never shown)
    with qtbot.waitSignal(dialog.tested, timeout=15000) as tested:
        dialog.test_button.click()
    assert tested.args[0].ok and dialog.test_result.text().startswith("✔")
    dialog.server_radio.setChecked(True)
    dialog.url_edit.setText("postgresql://kuaidan@127.0.0.1:1/none")
    dialog.password_edit.setText("very-secret")
    with qtbot.waitSignal(dialog.tested, timeout=30000):
        dialog.test_button.click()
    assert dialog.test_result.text().startswith("✘") and "very-secret" not in dialog.test_result.text()

    # saved for the next start: no keyring in the tests, so the password will be asked for
    with qtbot.waitSignal(dialog.store_saved, timeout=10000):
        dialog.save_button.click()
    saved = (tmp_path / "b" / "preferences.json").read_text()
    assert "very-secret" not in saved and json.loads(saved)["store_password"] == "ask"
    assert dialog.password_edit.text() == ""

    # the station's name
    dialog.station_edit.setText("包装台 B")
    with qtbot.waitSignal(dialog.station_renamed, timeout=10000) as renamed:
        dialog.station_button.click()
    assert renamed.args == ["包装台 B"] and preferences.load(tmp_path / "b").station == "包装台 B"

    # joining: a code from station A, typed here
    code = a_ws.stations.invite().code
    dialog.join_edit.setText("wrong-code")
    with qtbot.waitSignal(dialog.join_button.clicked):
        dialog.join_button.click()
    qtbot.waitUntil(lambda: dialog.join_button.isEnabled() and dialog.join_result.text() != "", timeout=10000)
    assert "16" in dialog.join_result.text()
    dialog.join_edit.setText(code)
    with qtbot.waitSignal(dialog.joined, timeout=10000):
        dialog.join_button.click()
    qtbot.waitUntil(lambda: dialog.info is not None and dialog.info.has_key, timeout=10000)
    with qtbot.waitSignal(dialog.invited, timeout=10000) as invited:
        dialog.invite_button.click()
    assert invited.args[0].code.replace("-", "")[:4] in dialog.code_label.text().replace("-", "")
    window.ops.wait()
    window.close()
    a_ws.close()
    b_ws.close()
    assert os.environ.get("KUAIDAN_SECRETS") == "db"
