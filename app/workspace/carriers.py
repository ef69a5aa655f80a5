"""Carrier accounts: add, list, check the connection."""

from __future__ import annotations

from app.workspace.core import Part


class CarriersPart(Part):
    pass
