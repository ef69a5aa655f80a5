"""What the sandbox carrier has issued: thread-safe, optionally persisted as JSON lines.

Each issue, cancel and scenario choice is appended (and flushed) as one JSON object per line before the answer goes
out, so a restarted sandbox (a separate process across test reruns) still answers 106 for an OrderCode it issued.
An OrderCode asked again is appended too (``again``), so a test can count how often each one was sent.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)


@dataclass
class SandboxRecord:
    order_code: str
    shipper_code: str
    waybill_no: str
    children: list[str]
    issued_at: datetime
    counter: int  # the last issue counter this record used
    scenario: str
    mark_destination: str
    sorting_code: str
    package_name: str
    package_code: str
    origin_code: str
    origin_name: str
    estimated_delivery: str
    o_city: str
    o_area: str
    d_city: str
    d_area: str
    # last 4 digits of the sender's and receiver's phones (SF tracking checks CustomerName against them)
    phone_tails: list[str] = field(default_factory=list)
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        # field by field (every field is a str, an int, a bool or a list of str): ``asdict`` deep-copies each value
        # and was most of the CPU of recording an issue
        data = {f.name: getattr(self, f.name) for f in _FIELDS}
        data["children"] = list(self.children)
        data["phone_tails"] = list(self.phone_tails)
        data["issued_at"] = self.issued_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxRecord:
        values = dict(data)
        values["issued_at"] = datetime.fromisoformat(values["issued_at"])
        return cls(**values)


_FIELDS = fields(SandboxRecord)


class SandboxStore:
    def __init__(self, state_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._by_order: dict[str, SandboxRecord] = {}
        self._by_waybill: dict[str, SandboxRecord] = {}
        self._numbers_by_order: dict[str, set[str]] = {}
        self._scenarios: dict[str, str] = {}
        self._counter = 0
        self._file: IO[str] | None = None
        if state_file is not None:
            self._load(state_file)
            state_file.parent.mkdir(parents=True, exist_ok=True)
            self._file = state_file.open("a", encoding="utf-8")

    # -- persistence

    def _load(self, path: Path) -> None:
        if not path.exists():
            return
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    self._replay(entry)
                except (ValueError, KeyError, TypeError) as exc:  # a line cut short by a crash
                    log.warning("sandbox state %s line %d skipped: %s", path, number, exc)

    def _replay(self, entry: dict[str, Any]) -> None:
        op = entry["op"]
        if op == "issue":
            self._remember(SandboxRecord.from_json(entry["record"]))
        elif op == "cancel":
            record = self._by_waybill.get(entry["waybill"])
            if record is not None:
                record.cancelled = True
        elif op == "scenario":
            self._scenarios[entry["waybill"]] = entry["scenario"]

    def _append(self, entry: dict[str, Any]) -> None:
        if self._file is not None:
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._file.flush()

    def _remember(self, record: SandboxRecord) -> None:
        self._by_order[record.order_code] = record
        for number in (record.waybill_no, *record.children):
            self._by_waybill[number] = record
        self._numbers_by_order.setdefault(record.order_code, set()).add(record.waybill_no)
        self._counter = max(self._counter, record.counter)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    # -- operations

    def issue(
        self,
        order_code: str,
        build: Callable[[Callable[[], int], Callable[[str], bool]], SandboxRecord],
        *,
        fresh: bool = False,
    ) -> tuple[SandboxRecord, bool]:
        """(record, already): the existing record for ``order_code``, or a new one made by ``build`` (always a new
        one with ``fresh``: it then replaces the old one as the order's record, and both numbers are counted).

        ``build(next_counter, is_taken)`` runs under the lock; its record's ``counter`` is the last one it used.
        """
        with self._lock:
            existing = self._by_order.get(order_code)
            if existing is not None and not fresh:
                self._append({"op": "again", "order_code": order_code})  # asked again: tests count these
                return existing, True

            def next_counter() -> int:
                self._counter += 1
                return self._counter

            record = build(next_counter, self._by_waybill.__contains__)
            self._remember(record)
            self._append({"op": "issue", "record": record.to_json()})
            return record, False

    def cancel(self, waybill_no: str) -> SandboxRecord | None:
        with self._lock:
            record = self._by_waybill.get(waybill_no)
            if record is not None and not record.cancelled:
                record.cancelled = True
                self._append({"op": "cancel", "waybill": waybill_no})
            return record

    def set_scenario(self, waybill_no: str, scenario: str) -> None:
        with self._lock:
            self._scenarios[waybill_no] = scenario
            self._append({"op": "scenario", "waybill": waybill_no, "scenario": scenario})

    def find(self, waybill_no: str) -> SandboxRecord | None:
        with self._lock:
            return self._by_waybill.get(waybill_no)

    def scenario_of(self, record: SandboxRecord) -> str:
        with self._lock:
            return self._scenarios.get(record.waybill_no, record.scenario)

    def issued(self) -> dict[str, str]:
        with self._lock:
            return {code: record.waybill_no for code, record in self._by_order.items()}

    def issue_count(self, order_code: str) -> int:
        with self._lock:
            return len(self._numbers_by_order.get(order_code, ()))

    def cancelled(self) -> set[str]:
        with self._lock:
            return {r.waybill_no for r in self._by_order.values() if r.cancelled}

    def records(self) -> list[SandboxRecord]:
        with self._lock:
            return list(self._by_order.values())
