"""A whole address on one line, from its stored parts: the one way labels, packing lists and lists write it.

Kept apart from :mod:`app.orders.address` (which loads the division tables) so that printing imports nothing heavy.
"""

from __future__ import annotations


def full_address(province: str, city: str, district: str, detail: str, sep: str = "") -> str:
    """浙江省杭州市西湖区文三路90号. A region part already said by one before it is not repeated (a municipality's
    city: 北京市朝阳区…, not 北京市北京市朝阳区…); the detail is always kept; blank parts are left out."""
    out: list[str] = []
    for part in (province, city, district):
        part = (part or "").strip()
        if part and not any(part in done for done in out):
            out.append(part)
    if detail := (detail or "").strip():
        out.append(detail)
    return sep.join(out)
