"""Printers Kuaidan prints to: add, list, find by name, and the default printer per role and station.

A printer is data (URI, language, dpi, encoding, template, role), never a subclass. Roles: ``label`` for the
thermal waybill printer, ``a4`` for packing lists on an office printer. The default printer of a role is the one
flagged ``is_default`` for this station, else for any station, else the only printer of that role.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import NotFound, UsageError
from app.labels.templates import TEMPLATES
from app.printing.values import LANGUAGES, MAX_OFFSET_MM, ROLES, PrinterInfo
from app.store.audit import record_audit, station_name
from app.store.models import Printer
from printers.languages.tspl import ENCODINGS
from printers.transports import TransportError, make_transport


def printer_info(printer: Printer) -> PrinterInfo:
    return PrinterInfo(
        id=printer.id,
        name=printer.name,
        uri=printer.uri,
        language=printer.language,
        dpi=printer.dpi,
        encoding=printer.encoding,
        template=printer.template,
        role=printer.role,
        station=printer.station,
        is_default=printer.is_default,
        offset_x_mm=printer.offset_x_mm or 0.0,
        offset_y_mm=printer.offset_y_mm or 0.0,
        mask_phone=bool((printer.settings or {}).get("mask_phone", False)),
        mask_name=bool((printer.settings or {}).get("mask_name", False)),
    )


def _check(uri: str, language: str, dpi: int, encoding: str, template: str, role: str) -> None:
    if language not in LANGUAGES:
        raise UsageError(
            f"不支持的打印语言 {language}（可选 {'、'.join(LANGUAGES)}）",
            f"unsupported printer language {language!r}; choose one of {', '.join(LANGUAGES)}",
        )
    if dpi not in (203, 300, 600):
        raise UsageError(
            f"分辨率 {dpi} 不支持（203、300 或 600）", f"unsupported dpi {dpi}: use 203, 300 or 600"
        )
    if encoding.lower() not in ENCODINGS:
        raise UsageError(
            f"不支持的编码 {encoding}（可选 {'、'.join(sorted(ENCODINGS))}）",
            f"unsupported encoding {encoding!r}; choose one of {', '.join(sorted(ENCODINGS))}",
        )
    if template not in TEMPLATES:
        raise UsageError(
            f"没有面单模板 {template}（可选 {'、'.join(TEMPLATES)}）",
            f"no label template {template!r}; choose one of {', '.join(TEMPLATES)}",
        )
    if role not in ROLES:
        raise UsageError(
            f"打印机用途 {role} 不对（label 或 a4）", f"printer role {role!r} must be label or a4"
        )
    try:
        make_transport(uri)
    except TransportError as exc:
        raise UsageError(exc.message_zh, exc.message_en) from exc


def add_printer(
    session: Session,
    name: str,
    uri: str,
    language: str,
    *,
    dpi: int = 203,
    encoding: str = "gb18030",
    template: str = "100x180",
    role: str = "label",
    default: bool = False,
    station: str | None = None,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
) -> PrinterInfo:
    """Add a printer, or update the one of that name (the URI is checked, not connected to)."""
    name = name.strip()
    if not name:
        raise UsageError("打印机名称不能为空", "the printer needs a name")
    language, encoding = language.lower(), encoding.lower()
    _check(uri, language, dpi, encoding, template, role)
    printer = session.scalar(select(Printer).where(Printer.name == name))
    created = printer is None
    if printer is None:
        printer = Printer(name=name)
        session.add(printer)
    printer.uri, printer.language, printer.dpi = uri, language, dpi
    printer.encoding, printer.template, printer.role = encoding, template, role
    printer.station = station_name(session) if station is None else station
    if max(abs(offset_x_mm), abs(offset_y_mm)) > MAX_OFFSET_MM:
        raise UsageError(f"偏移不能超过 {MAX_OFFSET_MM} mm", f"an offset cannot exceed {MAX_OFFSET_MM} mm")
    printer.offset_x_mm, printer.offset_y_mm = offset_x_mm, offset_y_mm
    session.flush()
    only_one = (
        session.scalar(select(Printer.id).where(Printer.role == role, Printer.id != printer.id)) is None
    )
    if default or only_one:
        set_default(session, printer)
    record_audit(
        session,
        "printer.add" if created else "printer.update",
        "printer",
        printer.id,
        {"name": name, "uri": uri, "language": language},
    )
    return printer_info(printer)


def set_default(session: Session, printer: Printer) -> None:
    """Make ``printer`` the default of its role at its station."""
    session.execute(
        update(Printer)
        .where(Printer.role == printer.role, Printer.station == printer.station, Printer.id != printer.id)
        .values(is_default=False)
    )
    printer.is_default = True
    session.flush()


def list_printers(session: Session) -> list[PrinterInfo]:
    """Every printer in use (a deleted one that keeps its print history is left out, app/printing/editing.py)."""
    printers = session.scalars(select(Printer).order_by(Printer.role, Printer.name))
    return [printer_info(p) for p in printers if not (p.settings or {}).get("retired")]


def printer_by_id(session: Session, printer_id: int) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFound(f"没有打印机 #{printer_id}", f"no printer #{printer_id}")
    return printer


def get_printer(session: Session, name: str | None = None, role: str = "label") -> Printer:
    """The printer called ``name``, or the default printer of ``role`` for this station."""
    if name:
        printer = session.scalar(select(Printer).where(Printer.name == name))
        if printer is None:
            raise NotFound(f"没有名为 {name} 的打印机", f"no printer named {name}")
        return printer
    candidates = list(session.scalars(select(Printer).where(Printer.role == role).order_by(Printer.id)))
    here = station_name(session)
    for pick in (
        [p for p in candidates if p.is_default and p.station == here],
        [p for p in candidates if p.is_default],
        candidates if len(candidates) == 1 else [],
    ):
        if pick:
            return pick[0]
    raise UsageError(
        "还没有默认的面单打印机：请在设置的打印机页选一台设为默认，或指明用哪台打印机",
        "No default label printer yet: make one the default on the Printers page of the settings,"
        " or say which printer to use",
    )
