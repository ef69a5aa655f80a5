"""Printers and the print queue: printers, enqueue, print, reprint, confirm, cancel, calibration, status."""

from __future__ import annotations

from app.workspace.core import Part


class PrintingPart(Part):
    pass
