"""Tracking as a service: a round is poll -> evaluate -> notify; :func:`run_tracking` is the one loop of rounds.

The workspace (``app.workspace.tracking``) is the door: the GUI runs one round at a time on its writer thread
(a timer asks for the next), ``kuaidan track`` runs the loop (``--once``: one round).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from app.carriers import CarrierClient
from app.clock import utcnow
from app.health.service import integrations_to_tell, record_calls, resolve_gone
from app.insight.upkeep import upkeep
from app.secrets import SecretStore
from app.store.engine import Store
from app.tracking.notices import Notifier
from app.tracking.notify import held_in_quiet, load_quiet, notices_for
from app.tracking.poller import Progress, Stop, poll_due
from app.tracking.rules import evaluate
from app.tracking.tickets import escalate_due
from app.tracking.values import RoundReport, RuleReport, TrackingRun

log = logging.getLogger(__name__)


def evaluate_and_notify(
    store: Store, now: datetime | None = None, notifier: Notifier | None = None
) -> tuple[RuleReport, int]:
    """Evaluate the rules, then hand new high-severity anomalies and tickets past their due time (escalated once,
    app/tracking/tickets.py) to ``notifier`` (after the commit). In the quiet hours nobody is told; what they held
    is told at the first round after them (an overdue ticket is escalated then)."""
    moment = now or utcnow()
    with store.session() as session:
        # routes noted and expected deliveries set first: the overdue rule reads them (app/insight/upkeep.py)
        upkeep(session)
        report = evaluate(session=session, now=moment)
        resolve_gone(session, now=moment)  # a deleted account's or shop's integration_down (app/health/service.py)
        notices = []
        quiet = load_quiet(session)
        if notifier is not None and not quiet.covers(moment):
            ids = sorted(
                {
                    *report.new_high_ids,
                    *held_in_quiet(session, quiet, now=moment),
                    *integrations_to_tell(session),
                }
            )
            notices = notices_for(session, ids, now=moment)
            notices += escalate_due(session, now=moment)
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
    stop: Stop | None = None,
    clients: Mapping[int, CarrierClient] | None = None,
) -> RoundReport:
    """One round: poll what is due (``clients``: account id -> client, default built from each account), then the
    rules, then notify. Blocks: call it from a worker."""
    poll = poll_due(
        store,
        now=now,
        limit=limit,
        progress=progress,
        secrets=secrets,
        data_directory=data_directory,
        clients=clients,
        stop=stop,
    )
    record_calls(store)  # the polls' calls (recorded by the pool's threads), written by this thread
    rules, notified = evaluate_and_notify(store, now, notifier)
    return RoundReport(poll, rules, notified)


def run_tracking(
    round_once: Callable[[threading.Event], RoundReport],
    stop: threading.Event,
    *,
    once: bool = False,
    max_sleep_s: float = 300.0,
    min_sleep_s: float = 1.0,
    on_round: Callable[[RoundReport], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> TrackingRun:
    """Run rounds until ``stop`` is set (``once``: just one): after each, sleep until the next parcel is due, at
    least ``min_sleep_s`` and at most ``max_sleep_s`` (so the time-based rules keep running).

    ``round_once(stop)`` does one round; an error in it ends the loop (it goes to the caller). ``on_round`` hears of
    each round the loop goes on from (before its sleep). Returns the last round and the totals.
    """
    totals = dict.fromkeys(("rounds", "polled", "updated", "failed", "opened", "resolved"), 0)
    while True:
        last = round_once(stop)
        totals["rounds"] += 1
        totals["polled"] += last.poll.polled
        totals["updated"] += last.poll.updated
        totals["failed"] += last.poll.failed
        totals["opened"] += last.rules.opened
        totals["resolved"] += last.rules.resolved
        if once or stop.is_set():
            break
        if on_round is not None:
            on_round(last)
        wait = max_sleep_s
        if last.poll.next_due_at is not None:
            wait = min(
                max_sleep_s, max(min_sleep_s, (last.poll.next_due_at - clock()) / timedelta(seconds=1))
            )
        if stop.wait(wait):
            break
    return TrackingRun(
        last,
        rounds=totals["rounds"],
        polled=totals["polled"],
        updated=totals["updated"],
        failed=totals["failed"],
        anomalies_opened=totals["opened"],
        anomalies_resolved=totals["resolved"],
    )
