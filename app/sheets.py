"""Cells for files a spreadsheet opens (CSV, XLSX): text that cannot run as a formula.

Excel, WPS and LibreOffice read a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and a leading tab
or carriage return is dropped before that test), so text a shop or a carrier wrote — a receiver's name, a
carrier's words — could run ``=HYPERLINK(…)`` or worse on the user's PC. Every text cell the application writes
for a spreadsheet goes through :func:`sheet_cell`: such a text gets a leading apostrophe, which shows it as text.

Only text is changed. Numbers the application writes itself (ids, counts, hours, a negative age) stay numbers:
pass them as ``int`` / ``float``. A phone number kept as text (``+86…``) is text, and is guarded like any other.
"""

from __future__ import annotations

from collections.abc import Iterable

#: what makes a spreadsheet read a text cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def sheet_text(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_cell(value: object) -> object:
    """A value as a cell: ``None`` empty, numbers and booleans as they are, any other value as guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    return sheet_text(str(value))


def sheet_row(values: Iterable[object]) -> list[object]:
    return [sheet_cell(v) for v in values]
