"""What printing hands to the GUI and the CLI: frozen values and constants, no database, no I/O.

Kept apart from the services (which need a session and SQLAlchemy) so that ``ui/`` can import the types it shows
without importing the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from printers.status import PrinterState, PrinterStatus

__all__ = [  # the printer's state and status come from ``printers``; the GUI takes them from here
    "LANGUAGES",
    "MAX_OFFSET_MM",
    "QUERYABLE",
    "ROLES",
    "CalibrationSent",
    "Enqueued",
    "JobInfo",
    "Outcome",
    "PrinterInfo",
    "PrinterState",
    "PrinterStatus",
    "QueueEvent",
    "Refused",
    "Reprinted",
    "RunReport",
]

LANGUAGES = ("tspl", "zpl", "escpos", "pdf")
ROLES = ("label", "a4")
MAX_OFFSET_MM = 20.0
QUERYABLE = ("tspl", "zpl", "escpos")  # languages whose printers answer a status query


@dataclass(frozen=True)
class PrinterInfo:
    id: int
    name: str
    uri: str
    language: str
    dpi: int
    encoding: str
    template: str
    role: str
    station: str
    is_default: bool
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    # ``Printer.settings``: its labels hide the receiver's phone / name (a shop can ask for it too)
    mask_phone: bool = False
    mask_name: bool = False

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class JobInfo:
    """One job as the UI and the CLI show it."""

    id: int
    printer: str
    kind: str
    state: str
    shipment_id: int | None
    waybill_no: str
    orders: tuple[str, ...]
    parcel_index: int
    attempts: int
    error: str
    reprint_of_id: int | None
    reason: str
    batch: str
    size: int
    created_at: datetime
    sent_at: datetime | None
    done_at: datetime | None
    station: str = ""  # the station that queued it

    def as_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["orders"] = list(self.orders)
        return out


@dataclass(frozen=True)
class Outcome:
    """What happened to one order (or parcel) of a request: ``queued``, ``skipped`` or ``failed``, and why."""

    order: str
    shipment_id: int | None
    waybill_no: str
    status: str
    reason: str = ""
    job_ids: tuple[int, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "order": self.order,
            "shipment": self.shipment_id,
            "waybill": self.waybill_no,
            "status": self.status,
            "reason": self.reason,
            "jobs": list(self.job_ids),
        }


@dataclass
class Enqueued:
    """What a request put into the queue. ``printer``: the name of the printer its jobs went to (for a reprint,
    the printer of its first job)."""

    batch: str
    job_ids: list[int] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    printer: str = ""
    cancelled: bool = False  # a large request stopped by its caller: what is listed was queued, the rest not

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(frozen=True)
class Waiting:
    """Labels left in the queue of one of this station's printers (after a restart, a stop, a cancelled
    enqueue): ``queued`` wait to be sent (``sending`` ones a process left are counted: they go back to the queue
    when the printer's loop starts), ``unconfirmed`` wait for a person to check them."""

    printer: str
    printer_id: int
    queued: int
    unconfirmed: int


@dataclass(frozen=True)
class Refused:
    """An order a request of several could not take, with the reason."""

    order: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Reprinted:
    """A reprint of several orders: what was queued, and the orders that could not be reprinted."""

    queued: Enqueued
    refused: tuple[Refused, ...] = ()


@dataclass(frozen=True)
class QueueEvent:
    """Something the UI shows. ``kind``: paused, resumed, job (a job changed state), reconnecting, unconfirmed,
    held (a queued job was cancelled, not sent, because its order went on hold; the message says why)."""

    kind: str
    printer: str
    message_zh: str = ""
    message_en: str = ""
    job_id: int | None = None
    state: str = ""  # the job's new state (kind job) or the printer's state (kind paused)

    def __str__(self) -> str:
        head = f"[{self.printer}] {self.kind}"
        if self.job_id is not None:
            head += f" job {self.job_id}"
        if self.state:
            head += f" {self.state}"
        if self.message_zh or self.message_en:
            from app.lang import say

            head += f": {say(self.message_zh, self.message_en)}"
        return head


@dataclass(frozen=True)
class RunReport:
    done: tuple[int, ...]
    failed: tuple[int, ...]
    unconfirmed: tuple[int, ...]
    left: tuple[int, ...]  # still queued (deadline reached, stopped, or paused)
    timed_out: bool
    held: tuple[int, ...] = ()  # cancelled, not sent: the order went on hold after the label was queued


@dataclass(frozen=True)
class CalibrationSent:
    """A test print: how many bytes went to the printer, and its answer after them (None: it cannot answer)."""

    bytes_sent: int
    status: PrinterStatus | None
