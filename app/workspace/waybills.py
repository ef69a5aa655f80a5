"""Waybills: issue a batch (claim, request, record), cancel."""

from __future__ import annotations

from app.workspace.core import Part


class WaybillsPart(Part):
    pass
