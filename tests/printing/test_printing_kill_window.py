"""The printing process killed (SIGKILL) with its window full: one label wholly sent and held by the printer (paper
out), the next one's body behind it. The states say so, the rerun sends only the rest, and no label comes out
twice or goes missing. Real subprocess (``python main.py … print``), real labels, virtual printer over TCP."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from app.store.engine import Store
from printers.virtual.device import VirtualPrinter

from .support import job_waybills, make_parcels, printed_waybills, start_print_process

LABELS = 30
OUT_AFTER = 10  # label 11 is held: out of paper


def window_full(store: Store) -> dict[str, list[str]] | None:
    """The states by waybill number once the window is full behind the paper-out (None until then)."""
    by_state: dict[str, list[str]] = {}
    for _, (state, number) in sorted(job_waybills(store).items()):
        by_state.setdefault(state, []).append(number)
    if len(by_state.get("done", [])) == OUT_AFTER and by_state.get("sending"):
        return by_state
    return None


@pytest.mark.timeout(120)
def test_killed_with_the_window_full_leaves_one_unconfirmed_and_the_rerun_sends_the_rest(
    kd: Any, store: Store, db_url: str, data_dir: Path
) -> None:
    parcels = make_parcels(store, LABELS)
    numbers = [p.waybill_no for p in parcels]
    printer = VirtualPrinter("tspl", paper_out_after=OUT_AFTER, paper_out_seconds=None)
    proc: subprocess.Popen[bytes] | None = None
    try:
        proc = start_print_process(kd, db_url, data_dir, printer)
        deadline = time.monotonic() + 60
        at_kill = None
        while at_kill is None and time.monotonic() < deadline:
            time.sleep(0.05)
            at_kill = window_full(store)
        assert at_kill is not None, job_waybills(store)
        time.sleep(0.3)  # the loop now waits for paper, polling: nothing more may move
        assert window_full(store) == at_kill
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        # label 11 wholly sent (the printer holds it), label 12's body only (it cannot print), the rest queued
        assert at_kill == {
            "done": numbers[:OUT_AFTER],
            "sent": [numbers[OUT_AFTER]],
            "sending": [numbers[OUT_AFTER + 1]],
            "queued": numbers[OUT_AFTER + 2 :],
        }
        assert printer.jobs_received == OUT_AFTER + 1
        printer.reload_paper()
        assert printer.wait_for_labels(OUT_AFTER + 1, 10)  # the held label comes out of the printer's buffer

        rerun = kd("print", "--printer", "bench", "--all-unprinted", "--json")

        assert rerun.status == 0, rerun.stderr
        assert rerun.json["printed"] == LABELS - OUT_AFTER - 1  # only what was not wholly sent
        assert printer.wait_for_labels(LABELS, 10)
        time.sleep(0.2)
        assert printed_waybills(printer.completed) == numbers  # every label once, in order
        after = job_waybills(store)
        assert {n for s, n in after.values() if s == "unconfirmed"} == {numbers[OUT_AFTER]}
        assert {s for s, _ in after.values()} == {"done", "unconfirmed"}
        assert len(after) == LABELS  # the rerun made no new job
    finally:
        printer.stop()
        if proc is not None and proc.poll() is None:
            proc.kill()
