"""Code 128 encoding (ISO/IEC 15417): data -> symbol values -> bar/space widths in modules.

Subsets: C (digit pairs) for leading or trailing runs of 4+ digits and inner runs of 6+ digits, B for the
rest, A only for control characters. Results are cached: the same waybill number is encoded once.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["PATTERNS", "bar_runs", "encode_values", "modules", "total_modules"]

# Widths (bar, space, bar, space, bar, space) of symbol values 0..105, and the stop pattern (106).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip

START_A, START_B, START_C, STOP = 103, 104, 105, 106
CODE_A, CODE_B, CODE_C = 101, 100, 99  # "switch to" values (CODE_A/CODE_B read the same in A and B)


def _digit_run(data: str, i: int) -> int:
    n = i
    while n < len(data) and data[n].isdigit() and data[n].isascii():
        n += 1
    return n - i


def _value_a(ch: str) -> int:
    o = ord(ch)
    return o - 32 if o >= 32 else o + 64


def _value_b(ch: str) -> int:
    return ord(ch) - 32


@lru_cache(maxsize=4096)
def encode_values(data: str) -> tuple[int, ...]:
    """Symbol values including start, check character and stop."""
    if not data:
        raise ValueError("Code 128 data must not be empty")
    if any(ord(c) > 127 for c in data):
        raise ValueError("Code 128 data must be ASCII")
    values: list[int] = []
    subset = ""
    i = 0
    n = len(data)
    while i < n:
        run = _digit_run(data, i)
        at_start = i == 0
        at_end = i + run == n
        want_c = (run >= 4 and (at_start or at_end or run >= 6)) or (at_start and at_end and run == 2)
        if want_c:
            if run % 2:  # odd run: one digit in A/B first, unless at the start where it goes after
                if at_start:
                    run -= 1
                else:
                    ch = data[i]
                    subset = _ensure_ab(values, subset, "B")
                    values.append(_value_b(ch))
                    i += 1
                    run -= 1
            if subset != "C":
                values.append(START_C if not values else CODE_C)
                subset = "C"
            for k in range(i, i + run, 2):
                values.append(int(data[k : k + 2]))
            i += run
            continue
        ch = data[i]
        needs_a = ord(ch) < 32
        if needs_a:
            subset = _ensure_ab(values, subset, "A")
            values.append(_value_a(ch))
        elif subset == "A" and ord(ch) < 96:
            values.append(_value_a(ch))
        else:
            subset = _ensure_ab(values, subset, "B")
            values.append(_value_b(ch))
        i += 1
    check = values[0]
    for pos, v in enumerate(values[1:], start=1):
        check += pos * v
    values.append(check % 103)
    values.append(STOP)
    return tuple(values)


def _ensure_ab(values: list[int], subset: str, want: str) -> str:
    if subset == want:
        return subset
    if not values:
        values.append(START_A if want == "A" else START_B)
    else:
        values.append(CODE_A if want == "A" else CODE_B)
    return want


@lru_cache(maxsize=4096)
def modules(data: str) -> tuple[int, ...]:
    """Alternating bar/space widths in modules, starting and ending with a bar (no quiet zones)."""
    widths: list[int] = []
    for v in encode_values(data):
        widths.extend(int(c) for c in PATTERNS[v])
    return tuple(widths)


def total_modules(data: str) -> int:
    """Width of the symbol in modules, without quiet zones."""
    return 11 * (len(encode_values(data)) - 1) + 13


@lru_cache(maxsize=4096)
def bar_runs(data: str) -> tuple[tuple[int, int], ...]:
    """The dark bars as (start, width) in modules from the left edge of the symbol."""
    runs: list[tuple[int, int]] = []
    pos = 0
    for k, w in enumerate(modules(data)):
        if k % 2 == 0:
            runs.append((pos, w))
        pos += w
    return tuple(runs)
