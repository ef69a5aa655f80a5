"""Tracking as a background service: a round is poll -> evaluate -> notify; ``run_tracking`` loops rounds.

The app's worker calls :func:`run_round` (or :func:`run_tracking` on a thread of its own with a stop event);
``kuaidan track`` does the same from the command line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from app.clock import utcnow
from app.secrets import SecretStore
from app.store.engine import Store
from app.tracking.notify import Notifier, notices_for
from app.tracking.poller import PollReport, Progress, poll_due
from app.tracking.rules import RuleReport, evaluate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundReport:
    poll: PollReport
    rules: RuleReport
    notified: int

    def as_json(self) -> dict[str, object]:
        return {**self.poll.as_json(), **self.rules.as_json(), "notified": self.notified}


def evaluate_and_notify(
    store: Store, now: datetime | None = None, notifier: Notifier | None = None
) -> tuple[RuleReport, int]:
    """Evaluate the rules, then hand new high-severity anomalies to ``notifier`` (after the commit)."""
    moment = now or utcnow()
    with store.session() as session:
        report = evaluate(session=session, now=moment)
        notices = notices_for(session, report.new_high_ids, now=moment) if notifier is not None else []
    if notifier is not None and notices:
        notifier.notify(notices)
    return report, len(notices)


def run_round(
    store: Store,
    *,
    now: datetime | None = None,
    notifier: Notifier | None = None,
    secrets: SecretStore | None = None,
    data_directory: Path | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> RoundReport:
    poll = poll_due(
        store,
        now=now,
        limit=limit,
        progress=progress,
        secrets=secrets,
        data_directory=data_directory,
        stop=stop,
    )
    rules, notified = evaluate_and_notify(store, now, notifier)
    return RoundReport(poll, rules, notified)


def run_tracking(
    store: Store,
    stop: threading.Event,
    *,
    notifier: Notifier | None = None,
    secrets: SecretStore | None = None,
    data_directory: Path | None = None,
    max_sleep_s: float = 300.0,
    min_sleep_s: float = 5.0,
    on_round: Callable[[RoundReport], None] | None = None,
) -> int:
    """Poll, evaluate, sleep until the next parcel is due (at most ``max_sleep_s``, so time-based rules keep
    running); until ``stop`` is set. Returns the number of rounds."""
    rounds = 0
    while not stop.is_set():
        try:
            report = run_round(
                store, notifier=notifier, secrets=secrets, data_directory=data_directory, stop=stop
            )
        except Exception:
            log.exception("tracking round failed")
            stop.wait(max_sleep_s)
            continue
        rounds += 1
        if on_round is not None:
            on_round(report)
        wait = max_sleep_s
        if report.poll.next_due_at is not None:
            wait = (report.poll.next_due_at - utcnow()) / timedelta(seconds=1)
        stop.wait(min(max_sleep_s, max(min_sleep_s, wait)))
    return rounds
