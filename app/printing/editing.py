"""Changing and deleting printers (the settings window; adding is ``registry.add_printer``).

A printer's privacy settings live in ``Printer.settings``: ``mask_phone`` and ``mask_name`` (its labels hide the
receiver's phone / name; a shop can ask for the same). ``Printer.template`` is its label template.

Deleting a printer that never printed removes it. One with print history is *retired* instead: its jobs say which
labels were printed (a label is never printed twice without a reason), so the row stays, renamed out of the way
("name (已删除 #id)"), with role ``retired``, out of every list and never a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import JobState
from app.errors import UsageError
from app.printing.registry import _check, get_printer, printer_info, set_default
from app.printing.values import MAX_OFFSET_MM, PrinterInfo
from app.store.audit import record_audit
from app.store.models import Printer, PrintJob

RETIRED = "retired"
_UNFINISHED = (JobState.QUEUED, JobState.SENDING, JobState.SENT, JobState.UNCONFIRMED)


@dataclass(frozen=True)
class PrinterChanges:
    """What the form changes; None leaves a value as it is."""

    rename: str | None = None
    uri: str | None = None
    language: str | None = None
    dpi: int | None = None
    encoding: str | None = None
    template: str | None = None
    role: str | None = None
    default: bool | None = None
    offset_x_mm: float | None = None
    offset_y_mm: float | None = None
    mask_phone: bool | None = None
    mask_name: bool | None = None


def update_printer(session: Session, name: str, changes: PrinterChanges) -> PrinterInfo:
    printer = get_printer(session, name)
    if changes.rename is not None and changes.rename.strip() != printer.name:
        new_name = changes.rename.strip()
        if not new_name:
            raise UsageError("打印机名称不能为空", "the printer needs a name")
        if session.scalar(select(Printer.id).where(Printer.name == new_name)) is not None:
            raise UsageError(f"打印机 {new_name} 已存在", f"a printer named {new_name} exists already")
        printer.name = new_name
    uri = printer.uri if changes.uri is None else changes.uri.strip()
    language = printer.language if changes.language is None else changes.language.lower()
    dpi = printer.dpi if changes.dpi is None else changes.dpi
    encoding = printer.encoding if changes.encoding is None else changes.encoding.lower()
    template = printer.template if changes.template is None else changes.template
    role = printer.role if changes.role is None else changes.role
    _check(uri, language, dpi, encoding, template, role)
    offset_x = printer.offset_x_mm if changes.offset_x_mm is None else changes.offset_x_mm
    offset_y = printer.offset_y_mm if changes.offset_y_mm is None else changes.offset_y_mm
    if max(abs(offset_x or 0.0), abs(offset_y or 0.0)) > MAX_OFFSET_MM:
        raise UsageError(f"偏移不能超过 {MAX_OFFSET_MM} mm", f"an offset cannot exceed {MAX_OFFSET_MM} mm")
    printer.uri, printer.language, printer.dpi, printer.encoding = uri, language, dpi, encoding
    printer.template, printer.offset_x_mm, printer.offset_y_mm = template, offset_x, offset_y
    if role != printer.role:
        printer.role, printer.is_default = role, False
    settings: dict[str, Any] = dict(printer.settings or {})
    if changes.mask_phone is not None:
        settings["mask_phone"] = bool(changes.mask_phone)
    if changes.mask_name is not None:
        settings["mask_name"] = bool(changes.mask_name)
    printer.settings = settings
    session.flush()
    if changes.default:
        set_default(session, printer)
    record_audit(session, "printer.update", "printer", printer.id, {"name": printer.name, "uri": uri})
    return printer_info(printer)


def delete_printer(session: Session, name: str) -> bool:
    """Delete the printer; True when it was removed, False when it was retired (it has print history).
    Refused while it has labels waiting or not yet confirmed."""
    printer = get_printer(session, name)
    waiting = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.state.in_([s.value for s in _UNFINISHED]))
    )
    if waiting:
        raise UsageError(
            f"打印机 {name} 还有 {waiting} 张面单在排队或待确认：先打完、确认或取消它们再删除",
            f"printer {name} still has {waiting} labels queued or unconfirmed: print, confirm or cancel them first",
        )
    history = session.scalar(
        select(func.count()).select_from(PrintJob).where(PrintJob.printer_id == printer.id)
    )
    record_audit(
        session, "printer.delete", "printer", printer.id, {"name": name, "kept_history": bool(history)}
    )
    if not history:
        session.delete(printer)
        session.flush()
        return True
    printer.name = f"{name} (已删除 #{printer.id})"[:100]
    printer.role, printer.is_default = RETIRED, False
    printer.settings = {**(printer.settings or {}), "retired": True}
    session.flush()
    return False
