"""Live tracking: the poller, trace storage and status update, anomaly rules, their lifecycle, notifications.

Entry points for the app's background worker and the CLI:

- :func:`poll_due` polls what is due within each carrier account's limits and stores what changed;
- :func:`evaluate` runs every anomaly rule set-wise and opens / resolves anomalies.

The UI reads plain frozen dataclasses from :mod:`app.tracking.views` and :mod:`app.tracking.dashboard`, and acts
through :mod:`app.tracking.lifecycle`.
"""

from app.tracking.poller import PollReport, poll_due
from app.tracking.rules import RuleReport, evaluate

__all__ = ["PollReport", "RuleReport", "evaluate", "poll_due"]
