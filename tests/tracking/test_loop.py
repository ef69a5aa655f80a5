"""The one tracking loop: rounds until told to stop, sleeping until the next parcel is due (within bounds)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from app.tracking.service import run_tracking
from app.tracking.values import PollReport, RoundReport, RuleReport

NOW = datetime(2025, 3, 10, 6, 0, 0)


class Waits(threading.Event):
    """A stop event that records each sleep instead of sleeping, and is set after ``rounds`` sleeps."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.sleeps: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.sleeps.append(float(timeout or 0.0))
        if len(self.sleeps) >= self.rounds:
            self.set()
        return self.is_set()


def _report(n: int, due_in_s: float | None) -> RoundReport:
    due = NOW + timedelta(seconds=due_in_s) if due_in_s is not None else None
    return RoundReport(PollReport(n, 1, n % 2, 0, n, due), RuleReport(n, 1, 5), 0)


def test_rounds_until_stopped_with_totals_and_bounded_sleeps() -> None:
    dues = [120.0, 0.2, None, 9999.0]
    asked: list[int] = []
    heard: list[RoundReport] = []

    def one_round(stop: threading.Event) -> RoundReport:
        asked.append(len(asked) + 1)
        return _report(len(asked), dues[len(asked) - 1])

    stop = Waits(rounds=3)
    run = run_tracking(
        one_round, stop, max_sleep_s=300.0, min_sleep_s=1.0, on_round=heard.append, clock=lambda: NOW
    )
    assert asked == [1, 2, 3]  # stopped during the third sleep
    assert stop.sleeps == [120.0, 1.0, 300.0]  # until the next parcel is due, at least 1 s, at most 300 s
    assert [r.poll.polled for r in heard] == [1, 2, 3]
    assert run.last.poll.polled == 3
    assert run.totals() == {
        "rounds": 3, "polled": 6, "updated": 3, "failed": 2, "anomalies_opened": 6, "anomalies_resolved": 3,
    }  # fmt: skip


def test_once_is_one_round_without_sleeping() -> None:
    stop = Waits(rounds=99)
    run = run_tracking(lambda _stop: _report(1, 60.0), stop, once=True, on_round=lambda _r: None)
    assert (run.rounds, stop.sleeps) == (1, [])


def test_a_stop_during_a_round_ends_after_it() -> None:
    stop = Waits(rounds=99)

    def one_round(halt: threading.Event) -> RoundReport:
        halt.set()  # Ctrl-C while polling: the round finishes what it has, then the loop ends
        return _report(4, 60.0)

    run = run_tracking(one_round, stop)
    assert (run.rounds, run.polled, stop.sleeps) == (1, 4, [])
