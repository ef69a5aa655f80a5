"""How much of an export file is read, and how much of it a message repeats.

An export file is input from outside: a shop's download, a hand-edited sheet, or something made to hurt. These
limits keep reading it within seconds and a few hundred MB whatever it holds; each is far above what a real export
has (a Taobao report has about 61 columns, Shopify's 79; a buyer's note a few hundred characters).
"""

from __future__ import annotations

# the file itself (CSV or XLSX, as stored)
MAX_FILE_BYTES = 512 * 1024 * 1024
# a physical line of a text file, in bytes: a longer one is a rejected row (or, as the header, an unreadable file)
MAX_LINE_BYTES = 16 * 1024 * 1024
# one cell, in characters (Excel's own limit is 32,767; notes are kept to their first 20,000 characters)
MAX_CELL_CHARS = 2 * 1024 * 1024
# one record (all its cells and lines), in characters
MAX_RECORD_CHARS = 16 * 1024 * 1024
# columns of a row; a value further right makes the file unreadable (Excel allows 16,384)
MAX_COLUMNS = 1024
# rows of a file, blank ones included (Excel's own last row); a row number beyond it makes a workbook unreadable
MAX_ROWS = 1_048_576
# cells of a file (rows x columns of a CSV; a sheet's cell elements, empty or not): beyond, the file is too
# large to read at once (a 100,000-order Taobao report of 61 columns has 6.1 million)
MAX_CELLS = 8_000_000
# a workbook's parts: how many the archive may list, how large one may be once inflated, and how much more than
# its stored size (a sheet a program wrote inflates 5-30 times; deflate's limit is about 1,000)
MAX_ZIP_ENTRIES = 10_000
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_RATIO = 100
MIN_RATIO_CHECK_BYTES = 32 * 1024 * 1024

# what a message repeats of the input: at most this many characters of one value
ECHO_CHARS = 200
ELLIPSIS = "…"


def cut(text: str, limit: int = ECHO_CHARS) -> str:
    """``text`` as a message may repeat it: its first ``limit`` characters, and ``…`` when there was more."""
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def shown(text: str, limit: int = ECHO_CHARS) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters (``'abc…'``): for a value quoted in a message."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit])[:-1] + ELLIPSIS + repr(text[:limit])[-1]
