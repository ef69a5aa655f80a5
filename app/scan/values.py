"""What a scan answers: frozen values shared by the workspace, the CLI and the window (no database, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

PRINTED = "printed"  # the printer confirmed the label
ALREADY_PRINTED = "already_printed"  # nothing printed: a reprint needs a reason
UNKNOWN = "unknown"
HELD = "held"  # refunded, closed, cancelled or held by hand: nothing printed
NOT_ISSUED = "not_issued"  # no waybill and the station issues none
FAILED = "failed"  # the message says why
VERIFY = "verify"  # an order to check item by item: its lines
ITEM_OK = "item_ok"
MISMATCH = "mismatch"  # a wrong item: nothing printed
ABANDONED = "abandoned"  # the order being checked was left unfinished
QUEUED = "queued"  # in the print queue, the printer has not confirmed yet (the window's interim answer)

#: answers that mean "stop, look": the window shows them loud (colour, large text, a sound)
BAD = frozenset({ALREADY_PRINTED, UNKNOWN, HELD, NOT_ISSUED, FAILED, MISMATCH, ABANDONED})


@dataclass(frozen=True)
class ScanOptions:
    """How the station works: the printer (None: the default label printer), the carrier account that issues
    a missing waybill (None: it does not), and whether items are verified before the label prints."""

    printer: str | None = None
    carrier: str | None = None
    verify: bool = False


@dataclass(frozen=True)
class ScanLine:
    """One line to pack: its SKU, title and how many."""

    sku: str
    title: str
    quantity: int

    def as_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "title": self.title, "quantity": self.quantity}


@dataclass(frozen=True)
class Found:
    """The order a code names, as the packing bench needs it (``app/scan/lookup.py``)."""

    order_id: int
    order: str  # the platform order id, as the packer knows it
    held: tuple[str, str] | None  # (zh, en) why it must not be printed
    waybill: str  # the issued waybill in force ("" when none)
    printed: bool  # a label of it was printed (or is coming out right now)
    lines: tuple[ScanLine, ...]


@dataclass(frozen=True)
class Checking:
    """The order being verified: its lines and how many of each SKU are still to scan."""

    order_id: int
    order: str  # platform order id
    waybill: str
    lines: tuple[ScanLine, ...]
    remaining: tuple[tuple[str, int], ...]  # (sku, still to scan), in line order

    @property
    def left(self) -> int:
        return sum(n for _sku, n in self.remaining)

    def take(self, sku: str) -> Checking | None:
        """This order after one ``sku`` is scanned; None when the SKU is not (or no longer) wanted."""
        out: list[tuple[str, int]] = []
        taken = False
        for have, n in self.remaining:
            if not taken and have == sku and n > 0:
                out.append((have, n - 1))
                taken = True
            else:
                out.append((have, n))
        return replace(self, remaining=tuple(out)) if taken else None


@dataclass(frozen=True)
class ScanAnswer:
    """One answer to one scan, as ``kuaidan scan --json`` prints it (one JSON line)."""

    code: str
    result: str
    order: str | None
    waybill: str | None
    message_zh: str
    message_en: str
    lines: tuple[ScanLine, ...] = ()
    remaining: int | None = None
    order_id: int | None = None

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    @property
    def bad(self) -> bool:
        return self.result in BAD

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "result": self.result,
            "order": self.order,
            "waybill": self.waybill,
            "message": self.message,
        }
        if self.result == VERIFY:
            out["lines"] = [line.as_json() for line in self.lines]
        if self.remaining is not None:
            out["remaining"] = self.remaining
        return out


@dataclass(frozen=True)
class ScanStep:
    """What one scan did: its answers in order (an ``abandoned`` may come before the new order's answer), the
    verification now under way (None: none), and the print jobs still to confirm for the last answer (then
    ``queued``) on ``printer``."""

    answers: tuple[ScanAnswer, ...]
    checking: Checking | None = None
    job_ids: tuple[int, ...] = ()
    printer: str = ""

    @property
    def last(self) -> ScanAnswer:
        return self.answers[-1]
