"""How well the prediction would have done: train on the older delivered parcels, test on the newest.

Delivered parcels (with a pickup scan) in issue order; the newest ``holdout`` share is held out, the rest trains an
:class:`~app.insight.eta.EtaModel` with the same fallbacks. A held-out parcel is a hit when it was delivered within
its predicted p90 (by the expected delivery); ``p50_hit_rate`` says how often it beat the median (about a half when
the history is steady); ``mae_hours`` is the mean absolute error of the median. Parcels whose carrier the training
history never saw have no prediction and count in ``tested`` but not in ``predicted``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.errors import UsageError
from app.insight.eta import build_model
from app.insight.facts import TRANSIT, FactRow, parcel_facts
from app.insight.settings import load_settings
from app.insight.stats import rate


@dataclass(frozen=True)
class Backtest:
    trained: int
    tested: int
    predicted: int
    hit_rate: float | None
    p50_hit_rate: float | None
    mae_hours: float | None
    basis: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "trained": self.trained,
            "tested": self.tested,
            "predicted": self.predicted,
            "hit_rate": self.hit_rate,
            "p50_hit_rate": self.p50_hit_rate,
            "mae_hours": self.mae_hours,
            "basis": dict(self.basis),
        }


def backtest_rows(rows: list[FactRow], holdout: float = 0.2, min_parcels: int = 5) -> Backtest:
    """The back-test of fact rows already in issue order."""
    if not 0 < holdout < 1:
        raise UsageError("留出比例必须在 0 和 1 之间", "the held-out share must be between 0 and 1")
    usable = [r for r in rows if r[TRANSIT] is not None]
    split = len(usable) - round(len(usable) * holdout)
    train, test = usable[:split], usable[split:]
    model = build_model(train, min_parcels)
    hits = half = predicted = 0
    error = 0.0
    basis: Counter[str] = Counter()
    for _wid, carrier, origin, destination, _pickup, hours_, _on_time, _delivered in test:
        found = model.predict(carrier, origin, destination)
        if found is None or hours_ is None:
            continue
        transit = float(hours_)
        predicted += 1
        basis[found.basis] += 1
        hits += transit <= found.stats.p90_hours
        half += transit <= found.stats.p50_hours
        error += abs(transit - found.stats.p50_hours)
    return Backtest(
        len(train),
        len(test),
        predicted,
        rate(hits, predicted),
        rate(half, predicted),
        round(error / predicted, 2) if predicted else None,
        dict(sorted(basis.items())),
    )


def backtest(session: Session, holdout: float = 0.2) -> Backtest:
    rows = parcel_facts(session, delivered_only=True, ordered=True)
    return backtest_rows(rows, holdout, load_settings(session).eta_min_parcels)
