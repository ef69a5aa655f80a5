"""A stand-in for the workspace's write-back part (``ws.writeback``, built on branch wt-writeback), with the API
the window uses: ``run``, ``retry``, ``failures``, ``states``. It records its calls; nothing else about write-back
is pretended here (the real part is tested on its own branch)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Summary:  # WriteBackSummary's fields
    shop: str
    sent: int = 0
    already: int = 0
    failed: int = 0
    skipped: int = 0
    error: str = ""
    error_en: str = ""


@dataclass(frozen=True)
class Failure:  # WriteBackFailure's fields
    order_id: int
    platform_order_id: str
    shop: str
    waybill_no: str
    attempts: int
    error: str
    error_en: str
    at: datetime


class FakeWriteBack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.threads: list[str] = []
        self.failed: dict[int, Failure] = {}
        self.state: dict[int, str] = {}
        self.sent_per_run = 1

    def fail(self, order_id: int, number: str, reason: str = "店铺拒绝了请求（HTTP 422）") -> None:
        at = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
        self.failed[order_id] = Failure(order_id, number, "茶店", f"SF{order_id:010d}", 2, reason,
                                        "the shop refused the request (HTTP 422)", at)  # fmt: skip
        self.state[order_id] = "failed"

    def run(self, shop: str | None = None, *, progress: Any = None, check: Any = None) -> list[Summary]:
        self.calls.append(("run", shop))
        self.threads.append(threading.current_thread().name)
        return [Summary("茶店", sent=self.sent_per_run, failed=len(self.failed))]

    def retry(self, order_ids: list[int]) -> list[Summary]:
        self.calls.append(("retry", list(order_ids)))
        self.threads.append(threading.current_thread().name)
        for oid in order_ids:
            self.failed.pop(oid, None)
            self.state[oid] = "sent"
        return [Summary("茶店", sent=len(order_ids))]

    def failures(self, shop: str | None = None) -> list[Failure]:
        self.calls.append(("failures", shop))
        return list(self.failed.values())

    def states(self, order_ids: list[int]) -> dict[int, str]:
        return {oid: self.state[oid] for oid in order_ids if oid in self.state}
