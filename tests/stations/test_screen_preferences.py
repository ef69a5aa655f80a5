"""The window's choices kept as this station's preferences (language, filters, the preview's printer): declared in
app/preferences.py with defaults, merged panel by panel, damaged entries dropped, and no change lost when the GUI
thread and the operations' threads write the file at once."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from app import preferences


def test_the_screen_choices_are_kept_beside_the_others(workspace: Any, data_dir: Path) -> None:
    assert (preferences.load(data_dir).language, preferences.load(data_dir).filters) == ("", {})  # the defaults
    workspace.imports.remember_shop("pdd", "拼多多")
    workspace.stations.remember_screen(language="en", filters={"orders": {"status": "held", "shop": "",
                                                                          "search": "张"}})  # fmt: skip
    workspace.stations.remember_screen(filters={"tracking": {"state": "all"}}, preview_printer="斑马")
    saved = preferences.load(data_dir)
    assert saved.language == "en" and saved.preview_printer == "斑马"
    assert saved.filters == {"orders": {"status": "held", "shop": "", "search": "张"}, "tracking": {"state": "all"}}
    assert saved.last_shops == {"pdd": "拼多多"}  # the other preferences are left as they were
    workspace.stations.remember_screen(filters={"orders": {"status": ""}})  # a panel's filters replace its own
    assert preferences.load(data_dir).filters["orders"] == {"status": ""}


def test_a_damaged_entry_is_dropped_not_trusted(data_dir: Path) -> None:
    (data_dir / "preferences.json").write_text(
        '{"language": 3, "filters": {"orders": {"status": 5, "search": "x"}, "tracking": "all"}, "station": "A"}'
    )
    saved = preferences.load(data_dir)
    assert saved.language == "" and saved.filters == {"orders": {"search": "x"}} and saved.station == "A"


def test_no_change_is_lost_when_threads_write_at_once(data_dir: Path) -> None:
    def remember(platform: str) -> None:
        for i in range(40):
            preferences.update(data_dir, lambda p, i=i: p.with_(last_shops={**p.last_shops, f"{platform}{i}": platform}))

    threads = [threading.Thread(target=remember, args=(name,)) for name in ("a", "b", "c", "d")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(preferences.load(data_dir).last_shops) == 160
