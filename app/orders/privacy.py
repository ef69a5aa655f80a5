"""Privacy (隐私面单): which labels, lists and logs hide the receiver's phone number and name, and how.

The rule, in one place: a label is masked when its shop **or** the printer it goes to says so
(``Shop.settings`` / ``Printer.settings`` keys ``mask_phone`` and ``mask_name``). Lists in the window mask every
phone unless the user asks for full numbers; even then a shop that masks stays masked.

Masking happens once: a value that already holds a ``*`` (a platform sends ``133****3383``, or a list row was
masked before) is left exactly as it is, so masking twice changes nothing.

- phones: a mobile keeps its first 3 and last 4 digits (``138****5678``), an extension stays (the courier needs
  it); any other number keeps only its last 4 digits (``0571-88886666`` -> ``****-****6666``);
- names: the first character and ``**`` (``张三`` -> ``张**``), whatever the name's length, so the length is hidden
  too.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.orders.values import OrderRow

__all__ = [
    "Privacy",
    "RedactingFilter",
    "is_masked",
    "mask_name",
    "mask_phone",
    "mask_rows",
    "masked_row",
    "redact",
    "shop_privacy",
]

_MOBILE = re.compile(r"(?:0086|86)?(1[3-9]\d{9})(\d{0,6})")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_STARS = ("*", "＊")


@dataclass(frozen=True)
class Privacy:
    """What to hide: the phone numbers, the receiver's name. ``a | b`` hides what either hides."""

    mask_phone: bool = False
    mask_name: bool = False

    @staticmethod
    def of(settings: Mapping[str, Any] | None) -> Privacy:
        """The choice a shop's or a printer's ``settings`` hold (missing keys: nothing hidden)."""
        settings = settings or {}
        return Privacy(bool(settings.get("mask_phone", False)), bool(settings.get("mask_name", False)))

    def __or__(self, other: Privacy) -> Privacy:
        return Privacy(self.mask_phone or other.mask_phone, self.mask_name or other.mask_name)

    def __bool__(self) -> bool:
        return self.mask_phone or self.mask_name


def is_masked(value: str) -> bool:
    """A value someone has masked already (a platform's ``133****3383``, a name ``张**``)."""
    return any(star in value for star in _STARS)


def mask_phone(phone: str) -> str:
    """``13812345678`` -> ``138****5678``; ``+86 138-1234-5678`` -> ``+86 138****5678``; ``13812345678-1234``
    keeps its extension; other numbers keep their last 4 digits (``0571-88886666`` -> ``****-****6666``); an
    already masked number is returned as it is."""
    text = phone.strip()
    if not text or is_masked(text):
        return text
    m = _MOBILE.fullmatch(re.sub(r"\D", "", text))
    if m:
        mobile, ext = m.group(1), m.group(2)
        prefix = "+86 " if text.startswith("+86") else ""
        return f"{prefix}{mobile[:3]}****{mobile[7:]}" + (f"-{ext}" if ext else "")
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    keep = set(digits[-4:])
    return "".join("*" if (c.isdigit() and i not in keep) else c for i, c in enumerate(text))


def mask_name(name: str) -> str:
    """``张三`` -> ``张**``, ``欧阳娜娜`` -> ``欧**``, ``Alice Li`` -> ``A**``; an already masked name stays."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text or is_masked(text):
        return text
    return text[0] + "**"


def redact(text: str) -> str:
    """Every mainland mobile number inside free ``text`` masked (for logs and messages)."""
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


R = TypeVar("R")


def masked_row(row: R, privacy: Privacy, *, phone: str = "receiver_phone", name: str = "receiver_name") -> R:
    """A frozen row (a dataclass with those fields) with its phone and name masked as ``privacy`` says."""
    changes: dict[str, str] = {}
    if privacy.mask_phone:
        changes[phone] = mask_phone(getattr(row, phone))
    if privacy.mask_name:
        changes[name] = mask_name(getattr(row, name))
    return replace(row, **changes) if changes else row  # type: ignore[type-var]


def shop_privacy(session: Session) -> dict[str, Privacy]:
    """Each shop's choice, by shop name (shops are few: one query)."""
    from sqlalchemy import select

    from app.store.models import Shop

    return {
        name: Privacy.of(settings) for name, settings in session.execute(select(Shop.name, Shop.settings))
    }


def mask_rows(session: Session, rows: Sequence[OrderRow], *, full_phones: bool) -> list[OrderRow]:
    """Order rows (with ``shop``, ``receiver_phone`` and ``receiver_name``) as a list shows them: every phone
    masked unless ``full_phones``; what a row's shop masks, masked whatever ``full_phones`` says."""
    if not rows:
        return list(rows)
    shops = shop_privacy(session)
    everyone = Privacy(mask_phone=not full_phones)
    return [masked_row(row, shops.get(row.shop, Privacy()) | everyone) for row in rows]


class RedactingFilter(logging.Filter):
    """A log filter that masks mobile numbers in every record's message (arguments included) before it is
    written: the log file never holds a receiver's full number, whatever a message or an exception says."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
