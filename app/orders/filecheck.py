"""What a file is, before anything of it is written: its platform's layout, its rows, and whether it fits a shop.

The GUI asks this when a file is picked, so that a Taobao file is never poured into a Pinduoduo shop unasked: the
layout is recognised from the header (the importer's own rule, :func:`app.orders.profiles.detect`) and compared
with the shop's platform (Taobao and Tmall exports are one layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain import Platform
from app.orders.profiles import by_name, detect
from app.orders.reading import read_table

_SAME = {frozenset({Platform.TAOBAO.value, Platform.TMALL.value})}


@dataclass(frozen=True)
class FileCheck:
    path: str
    profile: str  # "" when the layout is not recognised
    platform: str  # the layout's platform ("" when not recognised)
    label_zh: str  # the layout's Chinese name (淘宝/天猫 …)
    rows: int


def platform_matches(file_platform: str, shop_platform: str) -> bool:
    """Whether a file of ``file_platform`` belongs in a shop of ``shop_platform`` (a generic file fits any)."""
    if not file_platform or file_platform == Platform.GENERIC.value or file_platform == shop_platform:
        return True
    return frozenset({file_platform, shop_platform}) in _SAME


def check_file(path: str | Path, fmt: str = "auto") -> FileCheck:
    """Read the file's header and rows (an unreadable file raises :class:`app.errors.InputError`), write nothing."""
    table = read_table(path)
    profile = detect(table.headers) if fmt == "auto" else by_name(fmt) if fmt != "generic" else None
    rows = len(table.rows) + len(table.problems)
    if profile is None:
        return FileCheck(table.path, "", "", "", rows)
    return FileCheck(table.path, profile.name, profile.platform.value, profile.label_zh, rows)
