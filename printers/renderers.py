"""The one entry point from a label to a printer's bytes: ``render(label, capabilities)``.

Each language module (``printers.languages.*``) is a pure ``Label -> bytes`` builder; this module picks the one
for the printer's language and hands it the printer's capabilities. A language module is imported the first time
a label is drawn in it, so importing ``printers`` stays cheap (reportlab loads only when a PDF is drawn).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from types import MappingProxyType

from printers.capabilities import Capabilities
from printers.label import Label

__all__ = ["RENDERERS", "render"]


def _tspl(label: Label, caps: Capabilities) -> bytes:
    from printers.languages.tspl import render_tspl

    return render_tspl(label, dpi=caps.dpi, encoding=caps.encoding, gap_mm=caps.gap_mm)


def _zpl(label: Label, caps: Capabilities) -> bytes:
    from printers.languages.zpl import render_zpl

    return render_zpl(label, dpi=caps.dpi, cjk_font=caps.cjk_font)


def _escpos(label: Label, caps: Capabilities) -> bytes:
    from printers.languages.escpos import render_escpos

    head = caps.head_dots
    if head is None:  # no head limit: the label at its own width
        head = round(label.width_mm * caps.dots_per_mm)
    return render_escpos(label, dpi=caps.dpi, head_width_dots=head, cut=caps.cut)


def _pdf(label: Label, caps: Capabilities) -> bytes:
    from printers.languages.pdf import render_pdf

    buffer = io.BytesIO()
    render_pdf([label], buffer, font_path=caps.font_path)
    return buffer.getvalue()


RENDERERS: Mapping[str, Callable[[Label, Capabilities], bytes]] = MappingProxyType(
    {"tspl": _tspl, "zpl": _zpl, "escpos": _escpos, "pdf": _pdf}
)


def render(label: Label, capabilities: Capabilities) -> bytes:
    """One print job's bytes for ``label`` on a printer with ``capabilities`` (a PDF: one page)."""
    renderer = RENDERERS.get(capabilities.language)
    if renderer is None:  # Capabilities checks its language; this guards a table out of step with it
        raise ValueError(f"no renderer for printer language {capabilities.language!r}")
    return renderer(label, capabilities)
