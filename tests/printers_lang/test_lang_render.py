"""``printers.render(label, capabilities)``: the capability table, one entry point for every language, and an
import of ``printers`` that loads no renderer."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

import printers
from app.labels.templates import build_label
from printers import LANGUAGE_DEFAULTS, LANGUAGES, MODELS, Capabilities, capabilities_for, render
from printers.label import Label
from printers.languages.escpos import render_escpos
from printers.languages.pdf import render_pdf
from printers.languages.tspl import render_tspl
from printers.languages.zpl import render_zpl

from .conftest import make_waybill
from .reading import read_job
from .test_lang_escpos import NO_TEXT
from .test_lang_tspl import SMALL

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parents[2]


def _pdf(label: Label, font_path: str | None = None) -> bytes:
    import io

    buffer = io.BytesIO()
    render_pdf([label], buffer, font_path=font_path)
    return buffer.getvalue()


def test_the_table_covers_every_language_and_its_models_are_valid() -> None:
    assert set(LANGUAGE_DEFAULTS) == set(LANGUAGES) == {"tspl", "zpl", "escpos", "pdf"}
    for language, caps in LANGUAGE_DEFAULTS.items():
        assert caps.language == language
    assert {caps.language for caps in MODELS.values()} == set(LANGUAGES)
    assert MODELS["escpos-80mm"].head_dots == 576 and MODELS["escpos-58mm"].head_dots == 384
    assert MODELS["tspl-300"].dpi == 300 and MODELS["zpl-300"].dpi == 300
    assert MODELS["zpl-no-cjk-font"].cjk_font is None
    assert LANGUAGE_DEFAULTS["tspl"].encoding in LANGUAGE_DEFAULTS["tspl"].encodings
    assert LANGUAGE_DEFAULTS["pdf"].head_dots is None


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_renders_a_readable_waybill(name: str) -> None:
    caps = MODELS[name]
    data = make_waybill()
    printed = read_job(caps.language, render(build_label(data), caps), caps.dpi)
    assert ("Code128", data.waybill_no) in printed.barcodes
    assert ("QRCode", data.qr_text) in printed.barcodes
    if caps.head_dots is not None and caps.language == "escpos":
        assert printed.image.width == caps.head_dots


def test_capabilities_for_changes_only_what_it_is_told() -> None:
    caps = capabilities_for("tspl", dpi=300, encoding="utf-8", gap_mm=0)
    assert (caps.language, caps.dpi, caps.encoding, caps.gap_mm) == ("tspl", 300, "utf-8", 0)
    assert caps.encodings == LANGUAGE_DEFAULTS["tspl"].encodings
    assert capabilities_for("zpl") is LANGUAGE_DEFAULTS["zpl"]
    escpos = capabilities_for("escpos", dpi=300, head_dots=576)
    assert escpos.head_dots == 576 and escpos.width_mm == pytest.approx(576 * 25.4 / 300)
    with pytest.raises(ValueError, match="no renderer for printer language 'epl'"):
        capabilities_for("epl")
    with pytest.raises(ValueError, match="language"):
        Capabilities("postscript")
    with pytest.raises(ValueError, match="dpi"):
        capabilities_for("tspl", dpi=0)
    with pytest.raises(ValueError, match="width"):
        capabilities_for("escpos", width_mm=-1)
    with pytest.raises(ValueError, match="head width"):
        capabilities_for("escpos", head_dots=0)
    with pytest.raises(TypeError):
        capabilities_for("tspl", colour=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        caps.dpi = 600  # type: ignore[misc]


def test_render_keeps_the_golden_bytes() -> None:
    assert render(SMALL, capabilities_for("tspl")) == (GOLDEN / "small.tspl").read_bytes()
    utf8_300 = capabilities_for("tspl", dpi=300, encoding="utf-8", gap_mm=0)
    assert render(SMALL, utf8_300) == (GOLDEN / "small_300_utf8.tspl").read_bytes()
    assert render(SMALL, capabilities_for("zpl")) == (GOLDEN / "small.zpl").read_bytes()
    assert render(NO_TEXT, capabilities_for("escpos")) == (GOLDEN / "no_text.escpos").read_bytes()


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("language", LANGUAGES)
def test_render_is_the_language_builder_with_the_printers_capabilities(language: str, dpi: int) -> None:
    data = make_waybill()
    label = build_label(data)
    caps = capabilities_for(language, dpi=dpi)
    job = render(label, caps)
    direct = {
        "tspl": lambda: render_tspl(label, dpi=dpi, encoding="gb18030", gap_mm=2.0),
        "zpl": lambda: render_zpl(label, dpi=dpi, cjk_font="E:SIMSUN.TTF"),
        "escpos": lambda: render_escpos(label, dpi=dpi, head_width_dots=caps.head_dots or 0),
        "pdf": lambda: _pdf(label),
    }[language]()
    assert job == direct
    printed = read_job(language, job, dpi)
    assert ("Code128", data.waybill_no) in printed.barcodes
    assert ("QRCode", data.qr_text) in printed.barcodes
    if language in ("tspl", "zpl", "pdf"):
        assert data.receiver_name in printed.text
    dpmm = 8.0 if dpi == 203 else dpi / 25.4
    if language == "escpos":  # 72 mm of head at this dpi: the 100 mm label is drawn to fit it, whole bytes
        assert printed.image.width == (round(72 * dpmm) + 7) // 8 * 8
    elif language != "pdf":  # the label at the printer's own resolution
        assert printed.image.size == (round(100 * dpmm), round(180 * dpmm))


def test_render_passes_each_capability_through() -> None:
    label = build_label(make_waybill())
    zpl_bitmaps = render(label, capabilities_for("zpl", cjk_font=None))
    assert b"^GFA" in zpl_bitmaps and b"SIMSUN" not in zpl_bitmaps
    assert b"^A@N" in render(label, capabilities_for("zpl", cjk_font="E:SIMSUN.TTF"))
    assert render(label, capabilities_for("escpos", cut=True)).endswith(b"\x1dV\x00")
    assert render(label, capabilities_for("tspl", gap_mm=0)).count(b"GAP 0,0\r\n") == 1
    assert b"CODEPAGE UTF-8" in render(label, capabilities_for("tspl", encoding="utf-8"))
    narrow = read_job("escpos", render(label, MODELS["escpos-58mm"]))
    assert narrow.image.width == 384
    unlimited = read_job("escpos", render(label, capabilities_for("escpos", width_mm=None)))
    assert unlimited.image.width == 800  # no head limit: the label at its own width
    with pytest.raises(ValueError, match="unsupported TSPL encoding"):
        render(label, capabilities_for("tspl", encoding="latin-1"))


def test_importing_printers_loads_no_renderer() -> None:
    code = (
        "import sys, printers, printers.transports\n"
        "from printers.label import Label, Box\n"
        "heavy = lambda: sorted({m.split('.')[0] for m in sys.modules} & {'PIL', 'reportlab'})\n"
        "assert heavy() == [], heavy()\n"
        "assert 'printers.languages.pdf' not in sys.modules\n"
        "printers.render(Label(20, 10, (Box(0, 0, 20, 10),)), printers.capabilities_for('tspl'))\n"
        "assert 'reportlab' not in heavy(), heavy()\n"
        "printers.render(Label(20, 10, (Box(0, 0, 20, 10),)), printers.capabilities_for('pdf'))\n"
        "assert 'reportlab' in heavy(), heavy()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_package_names_its_public_api() -> None:
    assert printers.render is render and printers.Label is Label
    assert set(printers.__all__) >= {"Capabilities", "Label", "PrinterError", "capabilities_for", "render"}
