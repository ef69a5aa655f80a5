"""Labels to a file: PDF (one page a label), PNG (a folder, one file a label), or printer commands (TSPL/ZPL/ESC-POS,
one job a label, concatenated). No database here: the label data comes read (:mod:`app.labels.rendering`).

A file that cannot be written (the path is a folder, its folder is a file, no permission, disk full) is an
:class:`app.errors.OutputError`; the output is opened before the labels are drawn, so such a mistake shows at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from app.errors import OutputError, UsageError
from app.labels.templates import TEMPLATES, WaybillData, build_label
from printers.label import Label

FORMATS = ("pdf", "png", "tspl", "zpl", "escpos")
DEFAULT_TEMPLATE = "100x180"

Progress = Callable[[int, int], None]


class _Cancel(Protocol):
    """What a render needs of a cancel token (``app.workspace.core.CancelToken``)."""

    def check(self) -> None: ...


@dataclass(frozen=True)
class RenderReport:
    labels: int
    bytes: int
    out: str
    skipped: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {"labels": self.labels, "bytes": self.bytes, "out": self.out, "skipped": list(self.skipped)}


def check_request(fmt: str, template: str | None, dpi: int) -> None:
    """A usage error unless the format, the template (None: each shop's) and the resolution are ones we render."""
    if fmt not in FORMATS:
        raise UsageError(f"未知的格式 {fmt}", f"unknown format {fmt} (one of {', '.join(FORMATS)})")
    if template is not None and template not in TEMPLATES:
        raise UsageError(
            f"未知的模板 {template}", f"unknown template {template} (one of {', '.join(TEMPLATES)})"
        )
    if dpi not in (203, 300):
        raise UsageError("--dpi 只能是 203 或 300", "--dpi must be 203 or 300")


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(f"无法写入 {path}：{reason}", f"cannot write {path}: {reason}")


def check_output(fmt: str, out: str | Path) -> Path:
    """The output path, when it can be what ``fmt`` writes: a file (a folder for PNG) in an existing folder."""
    path = Path(out)
    if fmt == "png":
        if path.exists() and not path.is_dir():
            raise OutputError(
                f"{path} 不是文件夹（PNG 输出到文件夹）", f"{path} is not a folder (PNG goes to a folder)"
            )
        return path
    if path.is_dir():
        raise OutputError(f"{path} 是文件夹，请给出文件名", f"{path} is a folder: give a file name")
    if path.parent and not path.parent.exists():
        raise UsageError(f"文件夹不存在：{path.parent}", f"no such folder: {path.parent}")
    return path


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("wb")
    except OSError as exc:
        raise _cannot_write(path, exc) from exc


def _write(fh: BinaryIO, path: Path, data: bytes) -> int:
    try:
        return fh.write(data)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc


def _close(fh: BinaryIO, path: Path) -> None:
    try:
        fh.close()
    except OSError as exc:
        raise _cannot_write(path, exc) from exc


def write_file(out: str | Path, draw: Callable[[BinaryIO], None]) -> int:
    """Write what ``draw`` writes into a buffer to ``out``; the number of bytes (an OutputError if it cannot)."""
    import io

    path = Path(out)
    fh = _open(path)
    try:
        buffer = io.BytesIO()
        draw(buffer)
        written = _write(fh, path, buffer.getvalue())
    finally:
        _close(fh, path)
    return written


def _label_name(data: WaybillData) -> str:
    return f"{data.waybill_no}-{data.parcel_index}" if data.parcel_count > 1 else data.waybill_no


def build_labels(
    parcels: Sequence[WaybillData],
    template: str | None,
    mask_phone: bool,
    cancel: _Cancel | None = None,
    *,
    mask_name: bool = False,
) -> list[tuple[str, Label]]:
    """Each parcel's label in ``template`` (None: its shop's, else 100x180), with the name its PNG file gets;
    masked when asked or when its shop masks."""
    out = []
    for i, data in enumerate(parcels):
        if cancel is not None and i % 100 == 0:
            cancel.check()
        chosen = template or (data.template if data.template in TEMPLATES else DEFAULT_TEMPLATE)
        out.append((_label_name(data), build_label(data, chosen, mask_phone=mask_phone, mask_name=mask_name)))
    return out


def write_labels(
    labels: Sequence[tuple[str, Label]],
    fmt: str,
    path: Path,
    *,
    template: str | None = None,
    dpi: int = 203,
    mask_phone: bool = False,
    encoding: str = "gb18030",
    skipped: Sequence[dict[str, str]] = (),
    progress: Progress | None = None,
    cancel: _Cancel | None = None,
) -> RenderReport:
    """Draw ``labels`` in ``fmt`` into ``path`` (a folder for PNG)."""
    total_labels = len(labels)

    def step(done: int) -> None:
        if cancel is not None:
            cancel.check()
        if progress is not None:
            progress(done, total_labels)

    if fmt == "png":
        from printers.languages.raster import render_png

        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(path, exc) from exc
        total = 0
        for done, (name, label) in enumerate(labels, 1):
            data = render_png(label, dpi=dpi)
            target = path / f"{_safe(name)}.png"
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise _cannot_write(target, exc) from exc
            total += len(data)
            step(done)
        return RenderReport(total_labels, total, str(path), tuple(skipped))
    fh = _open(path)
    try:
        if fmt == "pdf":
            total = _write(fh, path, _pdf([label for _, label in labels]) if labels else b"")
            step(total_labels)
        else:
            from app.labels.jobs import RenderOptions, render_label

            options = RenderOptions(
                language=fmt,
                dpi=dpi,
                encoding=encoding,
                template=template or DEFAULT_TEMPLATE,
                mask_phone=mask_phone,
            )
            total = 0
            for done, (_, label) in enumerate(labels, 1):
                total += _write(fh, path, render_label(label, options))
                step(done)
    finally:
        _close(fh, path)
    return RenderReport(total_labels, total, str(path), tuple(skipped))


def _pdf(labels: list[Label]) -> bytes:
    import io

    from printers.languages.pdf import render_pdf

    buffer = io.BytesIO()
    render_pdf(labels, buffer)
    return buffer.getvalue()


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]", "_", name)
