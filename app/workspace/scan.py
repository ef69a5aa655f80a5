"""The scan station: one scanned code -> its answer, and the label printed through the print queue.

``scan`` looks the code up, refuses what must not print (unknown, held, already printed, no waybill), follows a
verification item by item, gets a missing waybill exactly once when the station has a carrier account, and queues
the label; its step then holds the queued job ids. ``wait`` runs the printer's send loop on the calling thread
until the printer confirmed those labels (the CLI); the window hands them to its print loop instead and listens
for their end (``ui/pack_panel.py``). The verification in progress is a frozen :class:`Checking` the caller keeps
and hands back with the next scan: the part itself holds no state between scans.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from app.errors import KuaidanError, NotFound, UsageError
from app.printing import enqueue, registry
from app.printing.loop import PrintLoop
from app.printing.values import Enqueued, QueueEvent
from app.printing.worker import PrintWorker
from app.scan import answers
from app.scan import values as v
from app.scan.lookup import look_up
from app.scan.values import Checking, Found, ScanAnswer, ScanOptions, ScanStep
from app.store import claims
from app.workspace.core import Part

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Checking", "ScanAnswer", "ScanOptions", "ScanPart", "ScanStep"]


NO_PRINTER = (
    "找不到面单打印机：请在打印机设置里添加，或在扫描台选择一台",
    "no label printer: add one in the printer settings, or choose one for the scan station",
)


def _split(text: str) -> tuple[str, str]:
    """A stored ``zh / en`` reason as (zh, en); also the nested form ``zh / en: inner_zh / inner_en`` that a
    reason quoting another error takes."""
    parts = text.split(" / ")
    if len(parts) == 3 and ": " in parts[1]:
        head_en, inner_zh = parts[1].split(": ", 1)
        return f"{parts[0]}：{inner_zh}", f"{head_en}: {parts[2]}"
    return parts[0], parts[-1]


class ScanPart(Part):
    def remembered(self) -> ScanOptions:
        """The choices this station's pack tab made last (a station preference; nothing chosen at first)."""
        from app import preferences

        pack = preferences.load(self._data_dir).pack
        return ScanOptions(pack.get("printer") or None, pack.get("carrier") or None, bool(pack.get("verify")))

    def remember(self, options: ScanOptions) -> None:
        """Keep the pack tab's choices for its next start."""
        from app import preferences

        chosen = {"printer": options.printer or "", "carrier": options.carrier or "", "verify": options.verify}
        if preferences.load(self._data_dir).pack != chosen:
            preferences.update(self._data_dir, lambda prefs: prefs.with_(pack=chosen))

    def prepare(self, options: ScanOptions) -> str:
        """Check the station's printer and carrier account (else :class:`app.errors.NotFound`) and get ready for
        the first scan, so that it is as quick as the others (modules loaded, the printer's label drawn once, the
        look-up's queries compiled). Returns the printer's name."""
        from app.carriers.accounts import get_account
        from app.printing.device import calibration_payload

        with self._session() as s:
            printer = registry.get_printer(s, options.printer)
            if options.carrier:
                get_account(s, options.carrier)
                import app.waybills.issue  # noqa: F401 - loaded now rather than at the first scan
            info = registry.printer_info(printer)
            look_up(s, "\x00")  # nothing is called that: compiles the look-up's queries
        with contextlib.suppress(KuaidanError):  # a printer that cannot draw it says so at its first label
            calibration_payload(
                info.name, info.language, dpi=info.dpi, encoding=info.encoding, template=info.template
            )
        return info.name

    def scan(self, code: str, options: ScanOptions, checking: Checking | None = None) -> ScanStep:
        """Answer one scanned ``code`` (its answers carry it as typed, less the line end; it is looked up without
        the spaces around it); ``checking``: the verification under way (from the previous step)."""
        typed, code = code.rstrip("\r\n"), code.strip()
        if not code:
            raise UsageError("扫描内容为空", "the scan was empty")
        try:
            step = self._scan(code, options, checking)
        except KuaidanError as exc:  # the carrier or the printer said no: an answer, and the station goes on
            step = ScanStep((answers.failed(code, exc.message_zh, exc.message_en),), checking)
        if typed == code:
            return step
        return replace(step, answers=tuple(replace(a, code=typed) for a in step.answers))

    def _scan(self, code: str, options: ScanOptions, checking: Checking | None) -> ScanStep:
        with self._session() as s:
            found = look_up(s, code)  # a platform order id of several shops: UsageError, a failed answer
        before: tuple[ScanAnswer, ...] = ()
        if checking is not None:
            after = checking.take(code)
            if after is not None:
                if after.left > 0:
                    return ScanStep((answers.item_ok(code, after),), after)
                with self._session() as s:
                    again = look_up(s, str(checking.order_id))
                if again is None:
                    return ScanStep((answers.unknown(code),))
                return self._print(code, again, options)
            if found is None:
                return ScanStep((answers.mismatch(code, checking),), checking)
            if found.order_id == checking.order_id:  # the same order again: its lines, as far as checked
                return ScanStep((answers.verify(code, found, checking),), checking)
            before = (answers.abandoned(code, checking),)
        if found is None:
            return ScanStep((answers.unknown(code),))
        refused = answers.refusal(code, found, options)
        if refused is not None:
            return ScanStep((*before, refused))
        if options.verify and found.lines:
            started = answers.checking_of(found)
            return ScanStep((*before, answers.verify(code, found, started)), started)
        step = self._print(code, found, options)
        return ScanStep((*before, *step.answers), None, step.job_ids, step.printer)

    def abandon(self, checking: Checking, code: str = "") -> ScanAnswer:
        """The answer for a verification left unfinished (the end of input, the packer moving on)."""
        return answers.abandoned(code or checking.order, checking)

    def _print(self, code: str, found: Found, options: ScanOptions) -> ScanStep:
        """Get the waybill if the station may and must, then queue the label: a ``queued`` step with its jobs."""
        waybill = found.waybill
        if not waybill:
            if not options.carrier:
                refused = answers.refusal(code, found, options)
                assert refused is not None
                return ScanStep((refused,))
            waybill, problem = self._issue(found, options.carrier)
            if problem is not None:
                return ScanStep((answers.failed(code, *problem, found),))
        try:
            queued = self._enqueue(found, options.printer)
        except NotFound:  # no such printer (any more), or no default one: said for the packer, not the CLI
            zh, en = NO_PRINTER
            return ScanStep((answers.failed(code, zh, en, found),))
        if queued.job_ids:
            answer = answers.queued(code, found, waybill, queued.printer)
            return ScanStep((answer,), None, tuple(queued.job_ids), queued.printer)
        reason = next((o.reason for o in queued.outcomes if o.reason), "没有可打印的标签 / no label to print")
        with self._session() as s:  # held or printed meanwhile (another station): say so as such
            now = look_up(s, str(found.order_id))
        refused = answers.refusal(code, now, options) if now is not None else None
        return ScanStep((refused or answers.failed(code, *_split(reason), found),))

    def _issue(self, found: Found, carrier: str) -> tuple[str, tuple[str, str] | None]:
        """The order's waybill from ``carrier`` (asked once: an order issued meanwhile is reported ``already``)."""
        from app.waybills.issue import issue_waybills

        report = issue_waybills(
            self._ctx.store, self._secrets, self._data_dir, carrier, [str(found.order_id)], concurrency=1
        )
        result = report.results[0] if report.results else None
        if result is None or not result.waybill:
            why = (result.error or result.attention) if result is not None else ""
            zh, en = _split(why) if why else ("没有取到运单号", "no waybill was issued")
            return "", (f"取号失败：{zh}", f"could not get a waybill: {en}")
        return result.waybill, None

    def _enqueue(self, found: Found, printer: str | None) -> Enqueued:
        def work(s: Session) -> Enqueued:
            return enqueue.enqueue_orders(s, registry.get_printer(s, printer), [str(found.order_id)])

        with self._ctx.store.sessions() as s:
            return claims.claim(s, work)

    def wait(
        self,
        step: ScanStep,
        *,
        on_event: Callable[[QueueEvent], None] | None = None,
        timeout: float = 600.0,
    ) -> ScanAnswer:
        """Print the step's queued labels on this thread (through a paper-out, which waits) and answer
        ``printed`` once the printer confirmed every one; ``failed`` when it did not (the message says why)."""
        answer = step.last
        if not step.job_ids:
            return answer
        loop: PrintLoop | None = None

        def heard(event: QueueEvent) -> None:
            if event.kind == "unconfirmed" and loop is not None:
                loop.stop()  # nobody at the bench confirms it here: leave it unconfirmed, answer failed
            if on_event is not None:
                on_event(event)

        with self._session() as s:
            printer_id = registry.get_printer(s, step.printer).id
        loop = PrintLoop(PrintWorker(self._ctx.store, printer_id, on_event=heard))
        report = loop.run(step.job_ids, deadline=time.monotonic() + max(0.0, timeout))
        wanted = set(step.job_ids)
        if wanted <= set(report.done):
            return answers.printed(answer)
        if set(report.held) & wanted:
            return answers.print_failed(
                answer, "订单已挂起，没有打印", "the order went on hold: nothing printed", v.HELD
            )
        if set(report.unconfirmed) & wanted:
            return answers.print_failed(
                answer,
                "标签已发送，但打印机没有报告打印完成：请查看打印机",
                "the label was sent but the printer never reported it printed: check the printer",
            )
        if report.timed_out or set(report.left) & wanted:
            return answers.print_failed(
                answer,
                "打印机迟迟没有打印，标签仍在队列中",
                "the printer did not print in time: the label stays queued",
            )
        return answers.print_failed(
            answer, "打印失败：请查看打印队列", "printing failed: see the print queue"
        )
