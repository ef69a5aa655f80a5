"""``kuaidan render``: one job per label in every format, 203 dpi by default, labels and bytes reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.carriers.sandbox.server import start_sandbox
from tests.waybills.support import workspace


@pytest.fixture
def issued(kd: Any, tmp_path: Path) -> Any:
    server = start_sandbox()
    workspace(kd, tmp_path, n=4, endpoint=server.endpoint)
    assert kd("waybills", "issue", "--carrier", "sf", "--all-ready").status == 0
    yield kd
    server.stop()


def test_render_every_format(issued: Any, tmp_path: Path) -> None:
    kd = issued
    orders = kd("orders", "--json").json["orders"]
    for fmt, marker in (("tspl", b"SIZE 100 mm,180 mm"), ("zpl", b"^XA"), ("escpos", None), ("pdf", b"%PDF")):
        out = tmp_path / f"labels.{fmt}"
        body = kd("render", "--all-issued", "--format", fmt, "--out", str(out), "--json").json
        data = out.read_bytes()
        assert body["labels"] == 4 and body["bytes"] == len(data)
        if fmt in ("tspl", "zpl"):
            assert data.count(marker) == 4  # type: ignore[arg-type]
        if fmt == "tspl":
            assert b"DIRECTION" in data and data.count(b"PRINT 1,1") == 4
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
    folder = tmp_path / "png"
    body = kd(
        "render", orders[0]["platform_order_id"], "--format", "png", "--out", str(folder), "--json"
    ).json
    assert body["labels"] == 1
    import zxingcpp
    from PIL import Image

    png = next(folder.glob("*.png"))
    decoded = {r.text for r in zxingcpp.read_barcodes(Image.open(png).convert("L"))}
    assert orders[0]["waybill"] in decoded


def test_render_masks_phones_and_reports_nothing_to_do(issued: Any, tmp_path: Path) -> None:
    kd = issued
    phones = [o["receiver_phone"] for o in kd("orders", "--json").json["orders"]]
    out = tmp_path / "masked.tspl"
    kd("render", "--all-issued", "--format", "tspl", "--out", str(out), "--mask-phone", "--encoding", "utf-8")
    text = out.read_bytes().decode("utf-8")
    assert all(p not in text for p in phones)
    assert all(f"{p[:3]}****{p[-4:]}" in text for p in phones)
    assert (
        kd("render", "--all-issued", "--format", "tspl", "--out", str(tmp_path / "x"), "--dpi", "600").status
        == 2
    )


def test_render_without_waybills_fails(kd: Any, tmp_path: Path) -> None:
    workspace(kd, tmp_path, n=2)
    result = kd("render", "--all-issued", "--format", "pdf", "--out", str(tmp_path / "a.pdf"), "--json")
    assert result.status == 1 and result.json["labels"] == 0


def test_packing_and_pick_lists(issued: Any, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    kd = issued
    out = tmp_path / "packing.pdf"
    body = kd("packing-list", "--all-issued", "--out", str(out), "--json").json
    assert body["orders"] == 4
    pdf = pdfium.PdfDocument(str(out))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "发货单" in text and "张三" in text
    pick = tmp_path / "pick.pdf"
    assert kd("packing-list", "--all-issued", "--pick", "--out", str(pick), "--json").json["orders"] == 4
    assert pick.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["pdf", "tspl", "zpl", "escpos"])
def test_render_to_a_folder_or_an_unwritable_path_is_a_clear_error(issued: Any, tmp_path: Path, fmt: str) -> None:
    kd = issued
    folder = tmp_path / "out"
    folder.mkdir()
    plain = tmp_path / "plain.txt"
    plain.write_text("a regular file, not a folder")
    for out, says in ((folder, "is a folder"), (plain / f"labels.{fmt}", "cannot write")):
        result = kd("render", "--all-issued", "--format", fmt, "--out", str(out), "--json")
        assert result.status == 2
        body = result.json  # exactly one JSON object
        assert says in body["error_en"] and str(out) in body["error_en"] and "log" not in body
        assert "Traceback" not in result.stderr + result.stdout
        human = kd("--lang", "en", "render", "--all-issued", "--format", fmt, "--out", str(out))
        assert human.status == 2 and says in human.stderr and "Traceback" not in human.stderr
    assert list(folder.iterdir()) == [] and plain.read_text() == "a regular file, not a folder"


def test_packing_list_to_a_folder_is_a_clear_error(issued: Any, tmp_path: Path) -> None:
    result = issued("packing-list", "--all-issued", "--out", str(tmp_path), "--json")
    assert result.status == 2 and "is a folder" in result.json["error_en"]
