"""What a printer can do, as data: its language, resolution, printable width, text encodings and fonts.

A printer is described by a :class:`Capabilities` value, never by a subclass. :data:`LANGUAGE_DEFAULTS` holds the
defaults of each output language and :data:`MODELS` a few common classes of printer; :func:`capabilities_for`
starts from a language's defaults and changes what a particular printer says differently (its dpi, the code page it
was set to, the CJK font stored on it). ``printers.render(label, capabilities)`` compiles a label for it.

Nothing here imports a renderer: choosing a printer costs nothing until a label is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from printers.label import dots_per_mm

__all__ = [
    "LANGUAGES",
    "LANGUAGE_DEFAULTS",
    "MODELS",
    "Capabilities",
    "capabilities_for",
]

LANGUAGES = ("tspl", "zpl", "escpos", "pdf")


@dataclass(frozen=True)
class Capabilities:
    """One printer's capabilities; every field is plain data.

    ``width_mm`` is the widest the head prints (``None``: no limit, a page printer); an ESC/POS label wider than
    the head is drawn at a proportionally lower resolution (``head_dots``). ``encodings`` are the text encodings
    the printer understands and ``encoding`` the one labels are sent in (TSPL; ZPL is always UTF-8, ESC/POS and
    PDF carry no text). ``cjk_font`` is the Chinese font stored on a ZPL printer (``None``: Chinese is sent as
    bitmaps drawn on the host); ``font_path`` a host font for PDF (``None``: a CJK font found on the system).
    """

    language: str
    dpi: int = 203
    width_mm: float | None = None
    encodings: tuple[str, ...] = ()
    encoding: str = "utf-8"
    cjk_font: str | None = None
    font_path: str | None = None
    gap_mm: float = 2.0  # TSPL: the gap between labels on the roll
    cut: bool = False  # ESC/POS: cut after each label

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"no renderer for printer language {self.language!r}")
        if self.dpi <= 0:
            raise ValueError(f"dpi must be positive, got {self.dpi}")
        if self.width_mm is not None and self.width_mm <= 0:
            raise ValueError(f"width_mm must be positive, got {self.width_mm}")
        if self.gap_mm < 0:
            raise ValueError(f"gap_mm must not be negative, got {self.gap_mm}")

    @property
    def dots_per_mm(self) -> float:
        return dots_per_mm(self.dpi)

    @property
    def head_dots(self) -> int | None:
        """The printable width in dots at this printer's resolution (``None`` without a limit)."""
        if self.width_mm is None:
            return None
        return round(self.width_mm * self.dots_per_mm)

    def with_head_dots(self, dots: int) -> Capabilities:
        """The same printer with a head ``dots`` wide at its resolution (how ESC/POS printers state it)."""
        if dots <= 0:
            raise ValueError(f"head width must be positive, got {dots} dots")
        return replace(self, width_mm=dots / self.dots_per_mm)


_TSPL_ENCODINGS = ("gb18030", "gbk", "utf-8")

LANGUAGE_DEFAULTS: Mapping[str, Capabilities] = MappingProxyType(
    {
        # a 4-inch thermal label printer: 104 mm of head, Chinese in the printer's GB18030 code page
        "tspl": Capabilities("tspl", 203, 104.0, _TSPL_ENCODINGS, "gb18030"),
        "zpl": Capabilities("zpl", 203, 104.0, ("utf-8",), "utf-8", cjk_font="E:SIMSUN.TTF"),
        # an 80 mm receipt printer: 72 mm printable, 576 dots
        "escpos": Capabilities("escpos", 203, 72.0),
        "pdf": Capabilities("pdf"),  # vector pages: dpi and width do not apply
    }
)

MODELS: Mapping[str, Capabilities] = MappingProxyType(
    {
        "tspl-203": LANGUAGE_DEFAULTS["tspl"],
        "tspl-300": replace(LANGUAGE_DEFAULTS["tspl"], dpi=300),
        "zpl-203": LANGUAGE_DEFAULTS["zpl"],
        "zpl-300": replace(LANGUAGE_DEFAULTS["zpl"], dpi=300),
        "zpl-no-cjk-font": replace(LANGUAGE_DEFAULTS["zpl"], cjk_font=None),
        "escpos-80mm": LANGUAGE_DEFAULTS["escpos"],
        "escpos-58mm": Capabilities("escpos", 203, 48.0),  # 384 dots
        "pdf": LANGUAGE_DEFAULTS["pdf"],
    }
)


def capabilities_for(language: str, *, head_dots: int | None = None, **changes: Any) -> Capabilities:
    """The defaults of ``language`` with ``changes`` (any field of :class:`Capabilities`).

    ``head_dots`` sets the printable width in dots at the resulting dpi. Raises ``ValueError`` for an unknown
    language or a value a printer cannot have.
    """
    base = LANGUAGE_DEFAULTS.get(language)
    if base is None:
        raise ValueError(f"no renderer for printer language {language!r}")
    caps = replace(base, **changes) if changes else base
    return caps.with_head_dots(head_dots) if head_dots is not None else caps
