"""Print benchmark results as a table: what | measured | budget | ok."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(title: str, rows: Sequence[tuple[str, str, str, bool | None]]) -> bool:
    header: tuple[str, str, str, bool | None] = ("what", "measured", "budget", None)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    print(f"\n{title}")
    print(f"| {'what':<{widths[0]}} | {'measured':<{widths[1]}} | {'budget':<{widths[2]}} | ok |")
    print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|----|")
    all_ok = True
    for what, measured, budget, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "NO")
        all_ok = all_ok and ok is not False
        print(f"| {what:<{widths[0]}} | {measured:<{widths[1]}} | {budget:<{widths[2]}} | {mark:<2} |")
    return all_ok
