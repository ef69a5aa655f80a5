"""The bulk-ship file dialog: the Chinese shops only, the file written on the writer, what was left out said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.waybills.support import workspace

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def ops(qtbot: Any, store: Any, data_dir: Path) -> Iterator[Any]:
    from app.workspace import Workspace
    from ui.ops import Ops

    crashes: list[BaseException] = []
    runner = Ops(
        Workspace(store, data_dir), show_message=lambda _t: None, show_crash=lambda e, _d: crashes.append(e)
    )
    yield runner
    runner.wait()
    runner.shutdown()
    assert crashes == []


def test_the_dialog_writes_the_file_and_says_what_it_left_out(
    qtbot: Any, kd: Any, vp: Any, tmp_path: Path, ops: Any
) -> None:
    from ui.i18n import set_language
    from ui.ship_export_dialog import ShipExportDialog

    set_language("zh")
    workspace(kd, tmp_path, n=3)
    assert kd("shops", "add", "Shop", "--platform", "shopify").status == 0
    a, b, _c = sorted(o["platform_order_id"] for o in kd("orders", "--json").json["orders"])
    host, port = vp.start_tcp()
    assert kd("printers", "add", "bench", "--uri", f"tcp://{host}:{port}", "--language", "tspl").status == 0
    assert kd("waybills", "issue", "--carrier", "sf", a, b, "--json").json["issued"] == 2
    assert kd("print", "--printer", "bench", a, "--json").json["printed"] == 1

    dialog = ShipExportDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=10000)
    assert [dialog.shop_box.itemText(i) for i in range(dialog.shop_box.count())] == ["淘宝店"]  # not Shopify
    out = tmp_path / "out" / "ship.csv"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported, timeout=10000) as signal:
        dialog.export_button.click()
    assert signal.args[0].orders == (a,)
    assert out.read_bytes().decode("gbk").splitlines()[1].startswith(a)
    assert "1 个面单未打印" in dialog.result_label.text()

    with qtbot.waitSignal(dialog.exported, timeout=10000) as signal:  # again: nothing new
        dialog.export_button.click()
    assert signal.args[0].exported == 0 and "未生成文件" in dialog.result_label.text()
