"""The printing process killed (SIGKILL) mid-batch: the rerun completes the rest, and no label that was done, or
wholly sent, is sent again. Real subprocess (``python main.py … print``), real labels, virtual printer over TCP."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from app.store.engine import Store
from printers.virtual.device import CompletedLabel, VirtualPrinter

from .support import job_waybills, make_parcels, start_print_process, waybill_counts

KILL_AT = 40


@pytest.mark.timeout(120)
def test_killed_mid_batch_rerun_completes_and_never_resends_done_labels(
    kd: Any, store: Store, db_url: str, data_dir: Path
) -> None:
    parcels = make_parcels(store, 120)
    proc: list[subprocess.Popen[bytes]] = []
    killed = threading.Event()

    def on_label(label: CompletedLabel) -> None:
        if label.index == KILL_AT and proc:
            os.kill(proc[0].pid, signal.SIGKILL)
            killed.set()

    printer = VirtualPrinter("tspl", on_label=on_label)
    try:
        proc.append(start_print_process(kd, db_url, data_dir, printer))
        proc[0].communicate(timeout=90)
        assert killed.is_set() and proc[0].returncode == -signal.SIGKILL

        at_kill = job_waybills(store)
        printed_at_kill = waybill_counts(printer.completed)
        by_state: dict[str, set[str]] = {}
        for state, number in at_kill.values():
            by_state.setdefault(state, set()).add(number)
        done_before = by_state.get("done", set())
        sent_before = by_state.get("sent", set())
        sending_before = by_state.get("sending", set())
        assert len(at_kill) == 120 and KILL_AT - 1 <= len(done_before) <= KILL_AT
        assert all(printed_at_kill[n] == 1 for n in done_before)

        rerun = kd("print", "--printer", "bench", "--all-unprinted", "--json")

        assert rerun.status == 0, rerun.stderr
        assert rerun.json["printed"] == 120 - len(done_before) - len(sent_before)
        assert printer.wait_for_labels(120, 10)
        counts = waybill_counts(printer.completed)
        every = {p.waybill_no for p in parcels}
        assert set(counts) == every  # nothing lost
        for number in done_before | sent_before:  # done or wholly sent before the kill: never sent again
            assert counts[number] == printed_at_kill[number] == 1
        doubled = {n for n, c in counts.items() if c > 1}
        assert doubled <= sending_before and len(doubled) <= 1  # only a label whose write had just finished
        after = job_waybills(store)
        assert {n for s, n in after.values() if s == "unconfirmed"} == sent_before
        assert {s for s, _ in after.values()} <= {"done", "unconfirmed"}
        assert len(after) == 120  # the rerun made no new job: it sent the queued ones
    finally:
        printer.stop()
        if proc and proc[0].poll() is None:
            proc[0].kill()
