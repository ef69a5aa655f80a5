"""Labels: render to a file, packing and pick lists, the label preview's data."""

from __future__ import annotations

from app.workspace.core import Part


class LabelsPart(Part):
    pass
