"""The preview panel is what prints: it looks through a printer and shows the bytes that printer would receive,
drawn back into a picture; those bytes are the job the queue prints, and a masked label shows its mask."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from sqlalchemy import select

from app.store.models import Printer, PrintJob, Shop
from printers.virtual.device import VirtualPrinter
from tests.printing.privacy_support import fixed_label_time, set_settings, vp
from tests.printing.support import make_parcels

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("fixed_label_time")]

__all__ = ["fixed_label_time", "vp"]  # fixtures


@pytest.fixture
def ops(workspace: Any) -> Iterator[Any]:
    from ui.ops import Ops

    runner = Ops(workspace)
    yield runner
    assert runner.wait(20000)
    runner.shutdown()


def test_the_preview_shows_the_bytes_the_printer_prints_masked(
    qtbot: Any, ops: Any, workspace: Any, store: Any, vp: VirtualPrinter, tmp_path: Path
) -> None:
    from ui.label_preview import LabelPreview

    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏 1", f"tcp://{host}:{port}", "tspl", default=True, offset_x_mm=1.0)
    workspace.printing.add_printer("斑马", f"file://{tmp_path / 'z.zpl'}", "zpl", template="100x150")
    parcels = make_parcels(store, 2)
    set_settings(store, Printer, "热敏 1", mask_name=True)  # the printer hides names ...
    set_settings(store, Shop, "testshop", mask_phone=True)  # ... the shop hides phones

    preview = LabelPreview(ops)
    qtbot.addWidget(preview)
    preview.resize(420, 700)
    preview.show()
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.show_order(parcels[0].order_id)
    assert preview.has_label() and preview.printer() == "热敏 1"  # the station's default printer
    assert preview.printer_box.count() == 2 and preview.printer_box.isEnabled()
    text = preview.settings.text()
    assert "100" in text and "180" in text and "TSPL 203 dpi" in text
    assert preview.proof is not None and preview.proof.from_bytes
    assert preview.proof.mask_phone and preview.proof.mask_name
    shown = preview.payload().decode("gb18030")
    assert "138****5678" in shown and "13812345678" not in shown and "张**" in shown

    # the label the queue prints is the preview's, byte for byte, and the printer's picture is the preview's
    queued = workspace.printing.enqueue_orders([parcels[0].platform_order_id])
    with store.session() as s:
        (payload,) = s.scalars(select(PrintJob.payload).where(PrintJob.id.in_(queued.job_ids)))
    assert bytes(payload) == preview.payload()
    loop = workspace.printing.start_printing(job_ids=queued.job_ids)
    assert loop.wait(30) and loop.error is None and vp.wait_for_labels(1, 10)
    printed = vp.completed[0]
    assert printed.data == preview.payload() and printed.png is not None
    picture = Image.open(io.BytesIO(preview.proof.png)).convert("L")
    assert ImageChops.difference(Image.open(printed.png).convert("L"), picture).getbbox() is None

    # looking through the other printer: its language and template, the shop's mask still on
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.set_printer("斑马")
    assert preview.template() == "100x150" and preview.payload().startswith(b"^XA")
    size = preview.label_size
    assert abs(size.height() / size.width() - 150 / 100) < 0.02
    assert b"138****5678" in preview.payload() and "张**".encode() not in preview.payload()


def test_the_order_list_masks_phones_until_full_numbers_are_asked_for(
    qtbot: Any, workspace: Any, store: Any, data_dir: Path
) -> None:
    from app import preferences
    from ui.main_window import MainWindow

    make_parcels(store, 2)
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.show()
    model = window.orders.model

    def phones() -> set[str]:
        return {row.receiver_phone for r in range(model.rowCount()) if (row := model.row_data(r)) is not None}

    qtbot.waitUntil(lambda: phones() == {"138****5678"}, timeout=10000)
    assert not window.full_phones_action.isChecked()
    window.full_phones_action.setChecked(True)
    qtbot.waitUntil(lambda: phones() == {"13812345678"}, timeout=10000)
    assert preferences.load(data_dir).show_full_phones
    set_settings(store, Shop, "testshop", mask_phone=True)  # the shop masks: full numbers do not undo it
    window.refresh()
    qtbot.waitUntil(lambda: phones() == {"138****5678"}, timeout=10000)
    assert window.ops.wait()


def test_with_no_default_printer_the_preview_asks_which_one(
    qtbot: Any, ops: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    from ui.i18n import tr
    from ui.label_preview import LabelPreview

    workspace.printing.add_printer("A 热敏", f"file://{tmp_path / 'a.tspl'}", "tspl")
    workspace.printing.add_printer("B 斑马", f"file://{tmp_path / 'b.zpl'}", "zpl", template="76x130")
    with store.session() as s:  # two label printers, neither the default
        for printer in s.scalars(select(Printer)):
            printer.is_default = False
    parcels = make_parcels(store, 1)
    preview = LabelPreview(ops)
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.show_order(parcels[0].order_id)
    assert preview.has_label() and preview.printer() == "" and preview.payload() == b""
    assert preview.printer_box.itemText(0) == tr("privacy.preview_pick_printer")
    assert [preview.printer_box.itemData(i) for i in range(3)] == [None, "A 热敏", "B 斑马"]
    with qtbot.waitSignal(preview.rendered, timeout=20000):
        preview.printer_box.activated.emit(2)
    assert preview.printer() == "B 斑马" and preview.template() == "76x130"
    assert preview.printer_box.currentData() == "B 斑马" and preview.printer_box.count() == 2
