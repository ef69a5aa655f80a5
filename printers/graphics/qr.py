"""A small, fast QR Code model 2 encoder (ISO/IEC 18004): byte mode, versions 1-10, all four ECC levels.

Why not segno for everything: a 1,000-label PDF needs 1,000 different QR matrices, and a general encoder
that tries all eight masks costs about 4 ms each. Here the function patterns and the module placement order
are computed once per version, and a symbol costs one Reed-Solomon pass and one scatter. Mask choice: the
ISO penalty rules are evaluated only when ``mask=None``; renderers pass :data:`FAST_MASK` (any mask is valid
for a reader, which reads it from the format information).
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise, zip_longest

__all__ = ["FAST_MASK", "QRError", "matrix", "packed_rows", "size_for"]

FAST_MASK = 2  # (column % 3 == 0): breaks up long runs well on short payloads

# (ec codewords per block, ((block count, data codewords per block), ...)) per version, per level.
_BLOCKS: dict[str, tuple[tuple[int, tuple[tuple[int, int], ...]], ...]] = {
    "L": (
        (7, ((1, 19),)), (10, ((1, 34),)), (15, ((1, 55),)), (20, ((1, 80),)), (26, ((1, 108),)),
        (18, ((2, 68),)), (20, ((2, 78),)), (24, ((2, 97),)), (30, ((2, 116),)), (18, ((2, 68), (2, 69))),
    ),
    "M": (
        (10, ((1, 16),)), (16, ((1, 28),)), (26, ((1, 44),)), (18, ((2, 32),)), (24, ((2, 43),)),
        (16, ((4, 27),)), (18, ((4, 31),)), (22, ((2, 38), (2, 39))), (22, ((3, 36), (2, 37))),
        (26, ((4, 43), (1, 44))),
    ),
    "Q": (
        (13, ((1, 13),)), (22, ((1, 22),)), (18, ((2, 17),)), (26, ((2, 24),)), (18, ((2, 15), (2, 16))),
        (24, ((4, 19),)), (18, ((2, 14), (4, 15))), (22, ((4, 18), (2, 19))), (20, ((4, 16), (4, 17))),
        (24, ((6, 19), (2, 20))),
    ),
    "H": (
        (17, ((1, 9),)), (28, ((1, 16),)), (22, ((2, 13),)), (16, ((4, 9),)), (22, ((2, 11), (2, 12))),
        (28, ((4, 15),)), (26, ((4, 13), (1, 14))), (26, ((4, 14), (2, 15))), (24, ((4, 12), (4, 13))),
        (28, ((6, 15), (2, 16))),
    ),
}  # fmt: skip
_ALIGN = ((), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34), (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50))
_ECL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}
MAX_VERSION = 10


class QRError(ValueError):
    """The data does not fit a version-10 symbol at the requested level."""


# GF(256) arithmetic with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_v = 1
for _i in range(255):
    _EXP[_i] = _v
    _LOG[_v] = _i
    _v <<= 1
    if _v & 0x100:
        _v ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _generator(degree: int) -> tuple[int, ...]:
    """Coefficients (highest first, leading 1 dropped) of prod (x - a^i), i < degree."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, c in enumerate(poly):
            nxt[j] ^= c
            if c:
                nxt[j + 1] ^= _EXP[_LOG[c] + i]
        poly = nxt
    return tuple(poly[1:])


@cache
def _gen_logs(degree: int) -> tuple[int, ...]:
    return tuple(_LOG[c] for c in _generator(degree))


@cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """For each factor 0..255, factor * generator as one big-endian integer of ``degree`` bytes."""
    glog = _gen_logs(degree)
    table = [0]
    for factor in range(1, 256):
        lf = _LOG[factor]
        table.append(int.from_bytes(bytes(_EXP[lf + g] for g in glog), "big"))
    return tuple(table)


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    """Reed-Solomon remainder; the register is one integer shifted a byte at a time."""
    table = _rs_table(degree)
    shift = 8 * (degree - 1)
    keep = (1 << (8 * degree)) - 1
    rem = 0
    for b in data:
        factor = b ^ (rem >> shift)
        rem = ((rem << 8) & keep) ^ table[factor]
    return list(rem.to_bytes(degree, "big"))


def _capacity(version: int, ecl: str) -> int:
    _, groups = _BLOCKS[ecl][version - 1]
    return sum(n * k for n, k in groups)


def size_for(data: str | bytes, ecl: str = "M") -> int:
    """Side length in modules (no quiet zone) of the symbol for ``data``."""
    return 17 + 4 * _version_for(_as_bytes(data), ecl)


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _version_for(payload: bytes, ecl: str) -> int:
    for version in range(1, MAX_VERSION + 1):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(payload) <= 8 * _capacity(version, ecl):
            return version
    raise QRError(f"QR data too long ({len(payload)} bytes) for version {MAX_VERSION}-{ecl}")


@cache
def _template(version: int) -> tuple[tuple[int, ...], tuple[bool, ...], tuple[int, ...]]:
    """(base modules with function patterns, is-function mask, data placement order), flat row-major."""
    size = 17 + 4 * version
    mods = [0] * (size * size)
    func = [False] * (size * size)

    def put(x: int, y: int, dark: bool) -> None:
        mods[y * size + x] = 1 if dark else 0
        func[y * size + x] = True

    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    d = max(abs(dx), abs(dy))
                    put(x, y, d not in (2, 4))
    pos = _ALIGN[version - 1]
    last = len(pos) - 1
    for i, ax in enumerate(pos):
        for j, ay in enumerate(pos):
            if (i == 0 and j == 0) or (i == 0 and j == last) or (i == last and j == 0):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
    # Reserve format areas (written per symbol) and the dark module.
    for i in range(9):
        func[8 * size + i] = func[i * size + 8] = True
    for i in range(8):
        func[8 * size + size - 1 - i] = True
        func[(size - 1 - i) * size + 8] = True
    put(8, size - 8, True)
    if version >= 7:
        rem = version
        for _ in range(12):
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
        bits = version << 12 | rem
        for i in range(18):
            bit = (bits >> i) & 1 == 1
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bit)
            put(b, a, bit)
    order: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            y = size - 1 - vert if upward else vert
            for j in range(2):
                idx = y * size + right - j
                if not func[idx]:
                    order.append(idx)
        right -= 2
    return tuple(mods), tuple(func), tuple(order)


_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


@cache
def _mask_bits(version: int, mask: int) -> tuple[int, ...]:
    """The mask value (0/1) of each data module, in placement order."""
    size = 17 + 4 * version
    fn = _MASKS[mask]
    return tuple(1 if fn(idx // size, idx % size) else 0 for idx in _template(version)[2])


_BYTE_BITS = tuple(bytes((w >> (7 - k)) & 1 for k in range(8)) for w in range(256))


@cache
def _mask_int(version: int, mask: int) -> int:
    """The mask bits in placement order, one byte (0/1) per module, as one big integer."""
    return int.from_bytes(bytes(_mask_bits(version, mask)), "big")


def _format_bits(ecl: str, mask: int) -> int:
    data = _ECL_BITS[ecl] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _codewords(payload: bytes, version: int, ecl: str) -> list[int]:
    ec_len, groups = _BLOCKS[ecl][version - 1]
    capacity = _capacity(version, ecl)
    count_bits = 8 if version < 10 else 16
    bits = (0b0100 << count_bits | len(payload)) << (8 * len(payload)) | int.from_bytes(payload, "big")
    nbits = 4 + count_bits + 8 * len(payload)
    term = min(4, capacity * 8 - nbits)
    bits <<= term
    nbits += term
    pad = (-nbits) % 8
    bits <<= pad
    nbits += pad
    data = list(bits.to_bytes(nbits // 8, "big"))
    filler = (0xEC, 0x11)
    k = 0
    while len(data) < capacity:
        data.append(filler[k % 2])
        k += 1
    blocks: list[list[int]] = []
    eccs: list[list[int]] = []
    pos = 0
    for count, length in groups:
        for _ in range(count):
            block = data[pos : pos + length]
            pos += length
            blocks.append(block)
            eccs.append(_rs_remainder(block, ec_len))
    if len({len(b) for b in blocks}) == 1:
        out = [w for column in zip(*blocks, strict=True) for w in column]
    else:
        out = [w for column in zip_longest(*blocks) for w in column if w is not None]
    out += [w for column in zip(*eccs, strict=True) for w in column]
    return out


def _build(payload: bytes, version: int, ecl: str, mask: int) -> list[int]:
    base, _, order = _template(version)
    size = 17 + 4 * version
    mods = list(base)
    words = _codewords(payload, version, ecl)
    bits = b"".join([_BYTE_BITS[w] for w in words]).ljust(len(order), b"\0")  # + remainder bits
    masked = (int.from_bytes(bits, "big") ^ _mask_int(version, mask)).to_bytes(len(order), "big")
    for idx, bit in zip(order, masked, strict=True):
        mods[idx] = bit
    fmt = _format_bits(ecl, mask)
    for i in range(15):
        bit = (fmt >> i) & 1
        # first copy, around the top-left finder
        if i < 6:
            mods[i * size + 8] = bit
        elif i < 8:
            mods[(i + 1) * size + 8] = bit
        elif i == 8:
            mods[8 * size + 7] = bit
        else:
            mods[8 * size + 14 - i] = bit
        # second copy, split between the top-right and bottom-left finders
        if i < 8:
            mods[8 * size + size - 1 - i] = bit
        else:
            mods[(size - 15 + i) * size + 8] = bit
    return mods


def _penalty(mods: list[int], size: int) -> int:
    rows = ["".join("1" if mods[y * size + x] else "0" for x in range(size)) for y in range(size)]
    cols = ["".join(r[x] for r in rows) for x in range(size)]
    score = 0
    for line in rows + cols:
        run = 1
        for a, b in pairwise(line):
            if a == b:
                run += 1
            else:
                if run >= 5:
                    score += run - 2
                run = 1
        if run >= 5:
            score += run - 2
        score += 40 * (line.count("10111010000") + line.count("00001011101"))
    for y in range(size - 1):
        r0, r1 = rows[y], rows[y + 1]
        for x in range(size - 1):
            if r0[x] == r0[x + 1] == r1[x] == r1[x + 1]:
                score += 3
    dark = sum(mods)
    total = size * size
    score += 10 * (abs(dark * 20 - total * 10) // total)
    return score


_BITCHARS = bytes.maketrans(b"\x00\x01", b"01")


def packed_rows(data: str | bytes, ecl: str = "M", mask: int | None = FAST_MASK) -> tuple[int, list[int]]:
    """(modules per side, each row as an integer whose most significant of ``n`` bits is the leftmost)."""
    n, mods = _modules(data, ecl, mask)
    flat = bytes(mods).translate(_BITCHARS).decode("ascii")
    return n, [int(flat[y * n : (y + 1) * n], 2) for y in range(n)]


def matrix(data: str | bytes, ecl: str = "M", mask: int | None = FAST_MASK) -> tuple[tuple[int, ...], ...]:
    """The symbol as rows of 0/1 (1 = dark), without quiet zone. ``mask=None`` picks the lowest penalty."""
    n, mods = _modules(data, ecl, mask)
    return tuple(tuple(mods[y * n : (y + 1) * n]) for y in range(n))


def _modules(data: str | bytes, ecl: str, mask: int | None) -> tuple[int, list[int]]:
    if ecl not in _BLOCKS:
        raise ValueError("ecl must be one of L, M, Q, H")
    payload = _as_bytes(data)
    version = _version_for(payload, ecl)
    size = 17 + 4 * version
    if mask is None:
        candidates = [_build(payload, version, ecl, m) for m in range(8)]
        mods = min(candidates, key=lambda c: _penalty(c, size))
    else:
        mods = _build(payload, version, ecl, mask)
    return size, mods
