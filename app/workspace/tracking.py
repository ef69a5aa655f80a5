"""Tracking: a tracking round, anomalies (list, acknowledge, assign, resolve, export), the dashboard."""

from __future__ import annotations

from app.workspace.core import Part


class TrackingPart(Part):
    pass
