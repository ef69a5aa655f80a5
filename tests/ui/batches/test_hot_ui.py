"""爆款打单 in its dialog, offscreen, against a real sandbox carrier over HTTP and the virtual printer over TCP on
127.0.0.1: the largest group first, a batch gets its waybills, its labels print, its pick list is written, and the
next batch is the largest group left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.waybills.batch_support import seed_promotion

pytest.importorskip("PySide6")
pytestmark = pytest.mark.timeout(120)


def test_hot_batches_largest_first_each_with_its_pick_list(
    qtbot: Any, kd: Any, workspace: Any, data_dir: Path, tmp_path: Path, sandbox: Any, vp: Any, ops: Any
) -> None:
    from ui.hot_dialog import HotDialog

    seed_promotion(kd, tmp_path, sandbox.endpoint)
    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏1", f"tcp://{host}:{port}", "tspl", default=True)

    dialog = HotDialog(ops, open_pick_lists=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=10000)
    assert [(g.sku, g.quantity, g.size) for g in dialog.groups] == [("TEE-RED-M", 1, 6), ("CUP-01", 2, 4),
                                                                     ("TEE-RED-M", 2, 2)]  # fmt: skip
    assert dialog.table.rowCount() == 3 and dialog.selected_group() == dialog.groups[0]  # the largest first
    assert dialog.printer_box.currentData() == "热敏1"

    # the first batch: four of the six T-shirts
    dialog.batch_size.setValue(4)
    with qtbot.waitSignal(dialog.batch_done, timeout=30000) as blocker:
        dialog.print_button.click()
    batch = blocker.args[0]
    assert batch.orders == 4 and batch.labels == 4 and batch.printer == "热敏1"
    assert batch.report is not None and (batch.report.issued, batch.report.failed) == (4, 0)
    pick = Path(batch.pick_list)
    assert pick.parent == data_dir / "picklists" and pick.read_bytes().startswith(b"%PDF")
    assert "TEE-RED-M" in pick.name
    import pypdfium2 as pdfium

    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(str(pick)))
    assert "拣货单" in text and "TEE-RED-M" in text and "4" in text  # one pick: the SKU, four of it
    assert "CUP-01" not in text

    # its labels print on the virtual printer, each with its waybill number
    jobs = [j.id for j in workspace.printing.jobs() if j.state == "queued"]
    assert len(jobs) == 4
    loop = workspace.printing.start_printing("热敏1", job_ids=jobs)
    assert vp.wait_for_labels(4, 30) and loop.wait(30)
    printed = "".join(label.text for label in vp.completed)
    assert all(r.waybill in printed for r in batch.report.results)

    # the next batch is the largest group left: the four cups (two T-shirts are left)
    qtbot.waitUntil(lambda: bool(dialog.groups) and dialog.groups[0].sku == "CUP-01", timeout=10000)
    assert sorted(g.size for g in dialog.groups) == [2, 2, 4]
    with qtbot.waitSignal(dialog.batch_done, timeout=30000) as blocker:
        dialog.print_button.click()
    second = blocker.args[0]
    assert second.labels == 4 and Path(second.pick_list).exists() and second.pick_list != batch.pick_list
    assert len(sandbox.issued) == 8 and all(sandbox.issue_count(code) == 1 for code in sandbox.issued)
    qtbot.waitUntil(lambda: [g.size for g in dialog.groups] == [2, 2], timeout=10000)
