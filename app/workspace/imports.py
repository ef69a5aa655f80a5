"""Safe import: what a file is before anything is written, the shop it last went into, and undoing an import.

The import itself is ``ws.orders.import_file``; this part is what the import dialog asks around it.
"""

from __future__ import annotations

from pathlib import Path

from app import preferences
from app.orders import shops
from app.orders.filecheck import FileCheck, check_file, platform_matches
from app.orders.undo import ImportInfo, UndoResult, recent_imports, undo_import
from app.workspace.core import Part

__all__ = ["FileCheck", "ImportInfo", "ImportsPart", "UndoResult"]


class ImportsPart(Part):
    def check_file(self, path: str | Path, fmt: str = "auto") -> FileCheck:
        """The file's layout and platform and its row count, read without writing anything (an unreadable file
        is an :class:`app.errors.InputError`)."""
        return check_file(path, fmt)

    def suggested_shop(self, platform: str) -> str:
        """The shop for a file of ``platform``: the one such a file last went into at this station, else the
        first shop of that platform, else "" (the user picks)."""
        with self._session() as s:
            known = shops.list_shops(s)
        last = preferences.load(self._data_dir).last_shops.get(platform, "")
        if last and any(shop.name == last and platform_matches(platform, shop.platform) for shop in known):
            return last
        return next((shop.name for shop in known if platform_matches(platform, shop.platform)), "") if platform else ""

    def remember_shop(self, platform: str, shop: str) -> None:
        """Remember (a station preference) that a file of ``platform`` went into ``shop``."""
        if not platform:
            return
        preferences.update(
            self._data_dir, lambda prefs: prefs.with_(last_shops={**prefs.last_shops, platform: shop})
        )

    def recent(self, limit: int = 20) -> list[ImportInfo]:
        """The latest imports, newest first, each with the orders it created that are still there."""
        with self._session() as s:
            return recent_imports(s, limit)

    def undo(self, run_id: int) -> UndoResult:
        """Remove the orders import ``run_id`` created, while none of them has a waybill (else a
        :class:`app.errors.Conflict` that names them)."""
        with self._session() as s:
            return undo_import(s, run_id)
