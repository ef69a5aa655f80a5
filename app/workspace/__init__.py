"""The one door into the domain: :class:`Workspace` (see ``core``)."""

from app.workspace.core import Workspace

__all__ = ["Workspace"]
