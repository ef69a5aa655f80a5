"""Live tracking: the poller, trace storage and status update, anomaly rules, their lifecycle, notifications.

The workspace (``app.workspace.tracking``) is the door for the GUI and the CLI; they read plain frozen values
(:mod:`app.tracking.values`) and pure helpers (:mod:`app.tracking.kinds`, :mod:`app.tracking.times`,
:mod:`app.tracking.notices`), which import no database code. Entry points for the workspace and tests:

- :func:`poll_due` polls what is due within each carrier account's limits and stores what changed;
- :func:`evaluate` runs every anomaly rule set-wise and opens / resolves anomalies.

Both are loaded on first use, so that importing a pure module of this package loads no database code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.tracking.poller import poll_due
    from app.tracking.rules import evaluate
    from app.tracking.values import PollReport, RuleReport

__all__ = ["PollReport", "RuleReport", "evaluate", "poll_due"]

_WHERE = {
    "PollReport": "app.tracking.values",
    "RuleReport": "app.tracking.values",
    "evaluate": "app.tracking.rules",
    "poll_due": "app.tracking.poller",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'app.tracking' has no attribute {name!r}")
