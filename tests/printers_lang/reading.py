"""Read a rendered print job back as a printer would print it: an image to scan barcodes in, and its text.

Each language is read by a decoder that does not share code with its generator: TSPL and ZPL through the virtual
printer's interpreters, ESC/POS by unpacking its ``GS v 0`` raster strips here, PDF with pdfium. A blank label
reads as an empty page, so a test built on these fails when a renderer draws nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageChops, ImageFilter

from printers.virtual.stream import Job, TsplStream
from printers.virtual.tspl import TsplSettings, render_tspl
from printers.virtual.zpl import ZplSettings, render_zpl, zpl_length


@dataclass(frozen=True)
class Printed:
    image: Image.Image  # what comes out of the printer (mode "L", black ink on white)
    text: str  # the text the job carries, where the language carries text ("" for raster)

    @property
    def barcodes(self) -> set[tuple[str, str]]:
        return {(r.format.name, r.text) for r in zxingcpp.read_barcodes(self.image)}

    @property
    def inked(self) -> float:
        """The share of the label that is black."""
        histogram = self.image.histogram()
        return sum(histogram[:128]) / (self.image.width * self.image.height)


def read_tspl(job: bytes, dpi: int = 203, encoding: str = "gb18030") -> Printed:
    events = TsplStream().feed(job)
    jobs = [e for e in events if isinstance(e, Job)]
    assert len(jobs) == 1, f"expected one TSPL job, got {len(jobs)}"
    result, _ = render_tspl(jobs[0].commands, TsplSettings(dpi=dpi), encoding)
    assert result.warnings == [], result.warnings
    texts = [c.line.decode(encoding) for c in jobs[0].commands if c.name == "TEXT"]
    return Printed(result.image.convert("L"), "\n".join(texts))


def read_zpl(job: bytes, dpi: int = 203) -> Printed:
    result = render_zpl(job, zpl_length(job, ZplSettings(dpi=dpi)))
    assert result.warnings == [], result.warnings
    fields = [part.split(b"^FS", 1)[0].decode("utf-8") for part in job.split(b"^FD")[1:]]
    return Printed(result.image.convert("L"), "\n".join(fields))


def read_escpos(job: bytes, dpi: int = 203) -> Printed:
    """Unpack ``ESC @``, then ``GS v 0`` strips (1 bit = a black dot), then the feed, into one image."""
    assert job.startswith(b"\x1b@"), "an ESC/POS job starts by initialising the printer"
    pos, width_bytes, rows = 2, 0, bytearray()
    while job.startswith(b"\x1dv0", pos):
        mode = job[pos + 3]
        assert mode == 0, f"raster mode {mode}"
        xb = int.from_bytes(job[pos + 4 : pos + 6], "little")
        yn = int.from_bytes(job[pos + 6 : pos + 8], "little")
        assert width_bytes in (0, xb), "every strip of one label has the same width"
        width_bytes = xb
        rows += job[pos + 8 : pos + 8 + xb * yn]
        pos += 8 + xb * yn
    assert job[pos:] in (b"\x1bd\x03", b"\x1bd\x03\x1dV\x00"), f"unexpected tail {job[pos : pos + 16]!r}"
    assert rows, "no raster in the job"
    height = len(rows) // width_bytes
    image = Image.frombytes("1", (width_bytes * 8, height), bytes(rows), "raw", "1;I")
    return Printed(image.convert("L"), "")


def read_pdf(job: bytes, dpi: int = 203) -> Printed:
    doc = pdfium.PdfDocument(io.BytesIO(job))
    assert len(doc) == 1, f"expected one page, got {len(doc)}"
    page = doc[0]
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    return Printed(image, page.get_textpage().get_text_range())


def _ink(image: Image.Image, spread: int = 1) -> Image.Image:
    """The black dots of ``image`` as a mode-"1" mask, each grown by ``spread`` dots in every direction."""
    mask = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    if spread:
        mask = mask.filter(ImageFilter.MaxFilter(2 * spread + 1))
    return mask.convert("1")


def _count(mask: Image.Image) -> int:
    return mask.convert("L").histogram()[255]


def ink_agreement(printed: Image.Image, reference: Image.Image, spread: int = 2) -> tuple[float, float]:
    """How alike two prints of one label are, at ``printed``'s size: (the share of ``printed``'s ink that lies
    within ``spread`` dots of ``reference``'s ink, the share of ``reference``'s ink that ``printed`` covers so).

    The first falls when ``printed`` has ink where it should not, the second when it lacks what it should have
    (text, a barcode). Fonts and dot rounding differ between languages, hence the tolerance.
    """
    reference = reference.convert("L").resize(printed.size)
    mine, theirs = _ink(printed, 0), _ink(reference, 0)
    if not _count(mine) or not _count(theirs):
        return 0.0, 0.0
    near_theirs, near_mine = _ink(reference, spread), _ink(printed, spread)
    return (
        _count(ImageChops.logical_and(mine, near_theirs)) / _count(mine),
        _count(ImageChops.logical_and(theirs, near_mine)) / _count(theirs),
    )


READERS = {"tspl": read_tspl, "zpl": read_zpl, "escpos": read_escpos, "pdf": read_pdf}


def read_job(language: str, job: bytes, dpi: int = 203) -> Printed:
    """``job`` as printed by a ``dpi`` printer of ``language`` (a PDF rasterised at ``dpi``)."""
    return READERS[language](job, dpi)
