"""Integration health and reconciliation.

- :mod:`app.health.calls`: every carrier and shop API call recorded cheaply (a per-store in-memory buffer) and who
  writes the records;
- :mod:`app.health.judge`: when an integration is down (pure rules);
- :mod:`app.health.service`: writing the records, the ``integration_down`` anomaly, the ``health`` report;
- :mod:`app.health.reconcile`: the store against the carriers and the shops (``reconcile``).
"""
