"""Parsing the XML parts of a workbook safely: streamed, size-limited, no DTD.

Every part is fed to expat in pieces straight from the zip archive, so a sheet's size costs time, never memory;
the bytes inflated are counted against :data:`app.orders.limits.MAX_PART_BYTES` (and the archive's own size
claims are checked first, then held: ``zipfile`` stops at the size an entry declares and checks its CRC there).

A part that declares a DTD is refused outright: a spreadsheet part never needs one, and without a DTD there are no
entities to expand (billion laughs) and no external entities to fetch (XXE) — the only entities left are XML's
five predefined ones. This is done on expat itself (its DOCTYPE handler), so no extra package is needed; the
parser also never fetches external parameter entities.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from app.orders.limits import MAX_PART_BYTES, MAX_RATIO, MIN_RATIO_CHECK_BYTES

CHUNK = 1 << 16

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


class PartProblem(Exception):
    """A part of the workbook that cannot be read (the message says which and why, in English)."""


def _refuse_doctype(*_args: Any) -> None:
    raise PartProblem("the part declares a DTD (entities are not allowed in a workbook)")


def _refuse_entity(*_args: Any) -> int:
    raise PartProblem("the part declares or uses an external entity")


def local(name: str) -> str:
    """``{namespace}local`` or ``prefix:local`` -> ``local``."""
    return name.rpartition("}")[2].rpartition(":")[2]


def parse_part(
    archive: zipfile.ZipFile,
    name: str,
    start: StartHandler,
    end: EndHandler | None = None,
    text: TextHandler | None = None,
) -> None:
    """Stream the part ``name`` through expat. Element names reach the handlers as ``{namespace}local`` (see
    :func:`local`). Raises :class:`PartProblem` for a missing, oversized, DTD-bearing or malformed part."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise PartProblem(f"{name} is missing") from None
    if info.file_size > MAX_PART_BYTES:
        raise PartProblem(f"{name} is {info.file_size:,} bytes once inflated (at most {MAX_PART_BYTES:,})")
    if info.file_size > MIN_RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size):
        raise PartProblem(
            f"{name} inflates {info.file_size // max(1, info.compress_size):,} times "
            f"({info.compress_size:,} -> {info.file_size:,} bytes): a zip bomb, not a workbook"
        )
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.ordered_attributes = False
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    seen = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                seen += len(chunk)
                if seen > MAX_PART_BYTES:
                    raise PartProblem(f"{name} is larger than {MAX_PART_BYTES:,} bytes once inflated")
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise PartProblem(
            f"{name} is not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})"
        ) from None
