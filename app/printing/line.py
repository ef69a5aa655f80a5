"""One connection to a printer, with the status queries written on it that are not answered yet.

The send loop (worker.py) writes a query behind a label's body and another behind its print command, and reads
the answers later, in order: each is either a plain status or a label's receipt (the printer has all of that
label). TSPL and ZPL answer one query with one answer (printers.status.StatusAnswers); ESC/POS needs three
questions in turn and is asked the old way, one ``query_status`` at a time, as is any status on a connection that
cannot carry queries ahead.
"""

from __future__ import annotations

import logging
from collections import deque

from printers.status import (
    AHEAD_QUERIES,
    PrinterState,
    PrinterStatus,
    StatusAnswers,
    offline_status,
    query_status,
)
from printers.transports import Transport, TransportError, make_transport

log = logging.getLogger(__name__)

#: the slowest line an answer is waited for behind the bytes written before its query (9600 baud, 8N1)
SLOWEST_LINE_BYTES_S = 960.0


class PrinterLine:
    def __init__(self, uri: str, language: str, io_timeout: float) -> None:
        self.uri, self.language, self.io_timeout = uri, language, io_timeout
        self._transport: Transport | None = None
        self._answers: StatusAnswers | None = None
        self._asked: deque[int | None] = deque()  # outstanding answers: the job whose receipt it is, or None
        self._unanswered = 0  # bytes written since the last answer: the next answer waits behind them

    def connect(self) -> Transport:
        if self._transport is None:
            transport = make_transport(self.uri, timeout=self.io_timeout)
            transport.open()
            self._transport = transport
            ahead = transport.can_read and self.language in AHEAD_QUERIES
            self._answers = StatusAnswers(self.language) if ahead else None
            self._asked.clear()
            self._unanswered = 0
        return self._transport

    @property
    def asks_ahead(self) -> bool:
        """Open, and queries can be written behind data and answered later in order."""
        return self._transport is not None and self._answers is not None

    @property
    def receipts(self) -> list[int]:
        """The labels whose receipt (the answer after their last byte) has not come yet."""
        return [job_id for job_id in self._asked if job_id is not None]

    def write(self, data: bytes) -> None:
        transport = self.connect()
        self._unanswered += len(data)
        transport.write(data)

    def send_asking(self, data: bytes, receipt_of: int | None = None) -> None:
        """``data`` and a status query behind it (its answer is ``receipt_of``'s receipt, when given). Only when
        ``asks_ahead``."""
        assert self._answers is not None
        self._asked.append(receipt_of)
        self.write(data + self._answers.query)

    def status(self, timeout: float) -> PrinterStatus | None:
        """Every outstanding answer in order (one query first when none is), the last one kept; None when the
        transport cannot read back. ``offline`` after silence: what was asked counts as answered (a receipt that
        did not come on a live connection counts as received) and the connection, out of step now, must be
        closed. Raises ``TransportError`` when the connection broke."""
        transport = self.connect()
        if not transport.can_read:
            return None
        if self._answers is None:
            return query_status(transport, self.language, timeout)
        if not self._asked:
            self.send_asking(b"")
        status = offline_status()
        while self._asked:
            # a query written behind a label is answered once the label's bytes have passed the line
            status = self._answers.read(transport, timeout + self._unanswered / SLOWEST_LINE_BYTES_S)
            self._unanswered = 0
            if status.state is PrinterState.OFFLINE:
                self._asked.clear()
                break
            self._asked.popleft()
        return status

    def flush(self) -> None:
        if self._transport is not None:
            self._transport.flush()

    def close(self) -> None:
        transport, self._transport = self._transport, None
        self._answers = None
        self._asked.clear()
        self._unanswered = 0
        if transport is not None:
            try:
                transport.close()
            except (TransportError, OSError) as exc:
                log.debug("closing %s: %s", self.uri, exc)
