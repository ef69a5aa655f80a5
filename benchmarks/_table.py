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


def print_columns(
    title: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str], str, bool | None]]
) -> bool:
    """A table with one measured column per variant (e.g. per carrier protocol): what | A | B | budget | ok."""
    head = ("what", *columns, "budget")
    cells = [head, *[(what, *measured, budget) for what, measured, budget, _ in rows]]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(head))]
    print(f"\n{title}")
    print("| " + " | ".join(f"{h:<{w}}" for h, w in zip(head, widths, strict=True)) + " | ok |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|----|")
    all_ok = True
    for (*_, ok), row in zip(rows, cells[1:], strict=True):
        mark = "" if ok is None else ("yes" if ok else "NO")
        all_ok = all_ok and ok is not False
        print("| " + " | ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)) + f" | {mark:<2} |")
    return all_ok
