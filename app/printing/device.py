"""Talking to a printer outside the queue: a status probe, and the calibration label as a test print.

Neither leaves a job behind (a test label is not a waybill), neither needs the database, and both work for a
printer that is not saved yet (the settings form). Both block on the printer: call them off the GUI thread.
"""

from __future__ import annotations

import logging

from app.errors import UsageError
from app.labels.calibration import calibration_label
from app.labels.jobs import RenderOptions, render_label
from app.labels.templates import TEMPLATES
from app.printing.values import QUERYABLE, CalibrationSent
from printers.status import PrinterStatus, offline_status, query_status, unknown_status
from printers.transports import TransportError, open_transport

log = logging.getLogger(__name__)


def probe_status(uri: str, language: str, timeout: float = 3.0) -> PrinterStatus:
    """Ask a printer for its status once. Never raises for connection problems: an unreachable printer is
    ``offline`` with the reason; a printer that cannot answer (PDF, a spooler) is ``unknown`` / ``no_readback``."""
    if language not in QUERYABLE:
        return unknown_status(b"", "no_readback")
    try:
        transport = open_transport(uri, timeout=timeout)
    except TransportError as exc:
        return _offline(exc)
    try:
        return query_status(transport, language, timeout)
    except TransportError as exc:
        return _offline(exc)
    finally:
        try:
            transport.close()
        except (TransportError, OSError) as exc:
            log.debug("closing %s: %s", uri, exc)


def _offline(exc: TransportError) -> PrinterStatus:
    base = offline_status()
    return PrinterStatus(base.state, base.flags, b"", exc.message_zh, exc.message_en)


def calibration_payload(
    name: str,
    language: str,
    *,
    dpi: int = 203,
    encoding: str = "gb18030",
    template: str = "100x180",
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
) -> bytes:
    """The calibration label (app/labels/calibration.py) in the printer's language; the offset is drawn into the
    label itself. Settings it cannot be drawn with are a :class:`UsageError`."""
    size = TEMPLATES.get(template)
    if size is None:
        raise UsageError(f"没有面单模板 {template}", f"no label template {template!r}")
    try:
        label = calibration_label(name or "?", dpi, offset_x_mm, offset_y_mm, size.width_mm, size.height_mm)
        options = RenderOptions(language=language, dpi=dpi, encoding=encoding, template=template)
        return render_label(label, options)
    except ValueError as exc:  # an offset out of range, a language without a renderer
        raise UsageError(f"无法生成校准标签：{exc}", f"cannot make the calibration label: {exc}") from exc


def send_raw(uri: str, language: str, payload: bytes, timeout: float = 5.0) -> CalibrationSent:
    """Write ``payload`` straight to the printer, then ask its status when it can answer."""
    transport = open_transport(uri, timeout=timeout)
    try:
        transport.write(payload)
        transport.flush()
        status = query_status(transport, language) if language in QUERYABLE and transport.can_read else None
    finally:
        transport.close()
    return CalibrationSent(len(payload), status)
