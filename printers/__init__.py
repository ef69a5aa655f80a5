"""Kuaidan's printer package: labels in millimetres, output languages, transports, status, a virtual printer.

It knows nothing of orders or the database and could be published on its own. The names below are the ones most
callers need; importing them is cheap (a language module, and reportlab for PDF, loads when a label is drawn).
"""

from printers.capabilities import LANGUAGE_DEFAULTS, LANGUAGES, MODELS, Capabilities, capabilities_for
from printers.errors import PrinterError
from printers.label import Label
from printers.renderers import render

__all__ = [
    "LANGUAGES",
    "LANGUAGE_DEFAULTS",
    "MODELS",
    "Capabilities",
    "Label",
    "PrinterError",
    "capabilities_for",
    "render",
]
