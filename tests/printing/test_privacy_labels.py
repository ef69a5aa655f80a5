"""Privacy that reaches the label, and the preview that is what prints.

The print queue, ``render`` and the preview draw every label through one rule: masked when the parcel's shop or
the printer says so, in the shop's template when it chose one, else the printer's. The preview's bytes are the
queued job's bytes; a masked label printed to the virtual printer (real TCP) shows the mask in its PNG.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from sqlalchemy import select

from app.labels.jobs import RenderOptions, printer_label, render_label
from app.labels.templates import build_label
from app.store.models import Printer, PrintJob, Shop
from printers.virtual.device import VirtualPrinter
from printers.virtual.replay import job_png
from tests.printing.privacy_support import FULL, MASKED, fixed_label_time, set_settings, vp
from tests.printing.support import make_parcels

__all__ = ["fixed_label_time", "vp"]  # fixtures

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("fixed_label_time")]


def payloads(store: Any) -> list[bytes]:
    with store.session() as s:
        return [bytes(p) for p in s.scalars(select(PrintJob.payload).order_by(PrintJob.id))]


def png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


@pytest.mark.parametrize("language", ["tspl", "zpl", "escpos", "pdf"])
def test_the_preview_bytes_are_the_queued_jobs_bytes(
    workspace: Any, store: Any, tmp_path: Path, language: str
) -> None:
    parcels = make_parcels(store, 2)
    workspace.printing.add_printer(
        "p", f"file://{tmp_path / 'out.bin'}", language, dpi=300 if language == "zpl" else 203,
        template="76x130", default=True, offset_x_mm=1.5, offset_y_mm=-1.0,
    )  # fmt: skip
    set_settings(store, Printer, "p", mask_phone=True)
    set_settings(store, Shop, "testshop", template="100x150", mask_name=True)

    proof = workspace.labels.printer_preview(parcels[0].order_id)
    assert (proof.printer, proof.language, proof.template, proof.template_from_shop) == (
        "p", language, "100x150", True,
    )  # fmt: skip
    assert proof.mask_phone and proof.mask_name and proof.payload
    assert proof.from_bytes == (language != "pdf")
    assert png(proof.png).size[0] > 100

    queued = workspace.printing.enqueue_orders([parcels[0].platform_order_id])
    assert len(queued.job_ids) == 1
    assert payloads(store) == [proof.payload]  # what the preview showed is what went to the queue
    if language in ("tspl", "zpl"):
        text = proof.payload.decode("utf-8" if language == "zpl" else "gb18030", errors="replace")
        assert MASKED in text and FULL not in text and "张**" in text

    # the shop's choice is taken away: the printer's template comes back, the name is printed again
    set_settings(store, Shop, "testshop", template="", mask_name=False)
    again = workspace.labels.printer_preview(parcels[1].platform_order_id, "p")
    assert (again.template, again.template_from_shop, again.mask_name) == ("76x130", False, False)
    workspace.printing.enqueue_orders([parcels[1].platform_order_id], "p")
    assert payloads(store)[1] == again.payload


def test_a_masked_label_printed_to_the_virtual_printer_shows_the_mask(
    workspace: Any, store: Any, vp: VirtualPrinter
) -> None:
    host, port = vp.start_tcp("127.0.0.1", 0)
    workspace.printing.add_printer("热敏", f"tcp://{host}:{port}", "tspl", default=True)
    parcels = make_parcels(store, 1)
    set_settings(store, Shop, "testshop", mask_phone=True)  # the shop masks; the printer does not

    proof = workspace.labels.printer_preview(parcels[0].order_id)
    queued = workspace.printing.enqueue_orders([parcels[0].platform_order_id])
    loop = workspace.printing.start_printing(job_ids=queued.job_ids)
    assert loop.wait(30) and loop.error is None
    assert vp.wait_for_labels(1, 10)
    label = vp.completed[0]
    assert label.png is not None and label.warnings == ()
    assert MASKED in label.text and FULL not in label.text
    printed = Image.open(label.png).convert("L")

    # the printed picture is the preview's picture, drawn from the same bytes
    assert ImageChops.difference(printed, png(proof.png)).getbbox() is None

    # ... and it shows 138****5678: the very dots a label carrying that text prints, not those of the number
    data = workspace.labels.order_labels(parcels[0].order_id).parcels[0]
    options = RenderOptions(language="tspl")
    from dataclasses import replace

    plain = replace(data, privacy=replace(data.privacy, mask_phone=False))
    as_masked = replace(plain, receiver_phone=MASKED, sender_phone="139****1111")
    unmasked_png = png(job_png("tspl", render_label(printer_label(plain, options), options)) or b"")
    literal_png = png(job_png("tspl", render_label(printer_label(as_masked, options), options)) or b"")
    assert ImageChops.difference(printed, literal_png).getbbox() is None
    changed = ImageChops.difference(printed, unmasked_png).getbbox()
    assert changed is not None  # the full number would have printed other dots
    assert printed.crop(changed).histogram()[:128] != unmasked_png.crop(changed).histogram()[:128]


def test_an_already_masked_number_is_never_masked_again(workspace: Any, store: Any) -> None:
    from app.store.models import Order

    parcels = make_parcels(store, 1)
    with store.session() as s:
        order = s.get(Order, parcels[0].order_id)
        order.receiver_phone = "133****3383"  # the platform sent it masked
        order.receiver_name = "王**"
    set_settings(store, Shop, "testshop", mask_phone=True, mask_name=True)
    data = workspace.labels.order_labels(parcels[0].order_id).parcels[0]
    options = RenderOptions(language="tspl", mask_phone=True, mask_name=True)
    text = render_label(printer_label(data, options), options).decode("gb18030")
    assert "133****3383" in text and "王**" in text and "*******3383" not in text and "王***" not in text
    unmasked = render_label(build_label(data, "100x180"), options).decode("gb18030")
    assert unmasked == text  # masking a masked label changes nothing


def test_render_masks_where_the_shop_says_and_takes_its_template(
    kd: Any, workspace: Any, store: Any, tmp_path: Path
) -> None:
    make_parcels(store, 2)
    set_settings(store, Shop, "testshop", mask_phone=True, mask_name=True, template="76x130")
    out = tmp_path / "a.tspl"
    result = kd("render", "--all-issued", "--format", "tspl", "--out", str(out), "--json")
    assert result.status == 0 and result.json["labels"] == 2
    text = out.read_bytes().decode("gb18030")
    assert FULL not in text and text.count(MASKED) >= 2 and "张**" in text and "张三" not in text
    assert "SIZE 76 mm,130 mm" in text
    forced = tmp_path / "b.tspl"
    assert (
        kd("render", "--all-issued", "--format", "tspl", "--out", str(forced), "--template", "100x180").status
        == 0
    )
    assert "SIZE 100 mm,180 mm" in forced.read_bytes().decode("gb18030")


def test_without_a_printer_the_preview_draws_the_label_and_says_so(workspace: Any, store: Any) -> None:
    parcels = make_parcels(store, 1)
    make_parcels(store, 1, start=2, issued=False)
    proof = workspace.labels.printer_preview(parcels[0].order_id)
    assert (proof.printer, proof.payload, proof.from_bytes, proof.template) == ("", b"", False, "100x180")
    assert png(proof.png).size[0] > 100
    empty = workspace.labels.printer_preview("T00000002")
    assert empty.parcels == () and empty.png == b""


def test_a_reprint_after_the_shop_started_masking_is_masked(
    workspace: Any, store: Any, tmp_path: Path
) -> None:
    from app.domain import JobState

    workspace.printing.add_printer("p", f"file://{tmp_path / 'out.tspl'}", "tspl", default=True)
    parcels = make_parcels(store, 1)
    (first,) = workspace.printing.enqueue_orders([parcels[0].platform_order_id]).job_ids
    with store.session() as s:
        s.get(PrintJob, first).state = JobState.DONE
    ref = parcels[0].platform_order_id
    same = workspace.printing.reprint(ref, "撕坏了").job_ids
    assert payloads(store)[-1] == payloads(store)[0]  # nothing changed: the same bytes again
    assert FULL in payloads(store)[0].decode("gb18030")

    set_settings(store, Shop, "testshop", mask_phone=True)
    with store.session() as s:
        s.get(PrintJob, same[0]).state = JobState.DONE
    workspace.printing.reprint(ref, "换成隐私面单")
    text = payloads(store)[-1].decode("gb18030")
    assert MASKED in text and FULL not in text
