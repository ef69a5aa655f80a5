"""The print command split off a job's end (printers/languages/trigger.py): the body alone never prints."""

from __future__ import annotations

import pytest

from printers import Label, capabilities_for
from printers.label import QRCode, Text
from printers.languages.trigger import split_trigger
from printers.renderers import render
from printers.virtual.stream import Job, TsplStream, ZplStream


def label() -> Label:
    return Label(100, 50, (Text(5, 5, 60, 10, "收件人 张三 KD-00001", 4), QRCode(70, 5, 25, "KD-00001")))


@pytest.mark.parametrize("language", ["tspl", "zpl"])
def test_a_rendered_job_splits_into_a_body_that_never_prints_and_its_trigger(language: str) -> None:
    payload = render(label(), capabilities_for(language))
    split = split_trigger(language, payload)
    assert split is not None
    body, trigger = split
    assert body + trigger == payload
    stream = TsplStream() if language == "tspl" else ZplStream()
    assert not [e for e in stream.feed(body) if isinstance(e, Job)]  # the body alone is no job
    assert [e for e in stream.feed(trigger) if isinstance(e, Job)]  # the trigger completes it
    assert trigger.strip().upper() in (b"PRINT 1,1", b"^XZ")


@pytest.mark.parametrize(
    ("language", "payload"),
    [
        ("tspl", b"SIZE 40 mm,20 mm\r\nCLS\r\nPRINT 1,1\r\nCLS\r\nPRINT 1,1\r\n"),  # two labels in one job
        ("tspl", b'SIZE 40 mm,20 mm\r\nCLS\r\nTEXT 1,1,"3",0,1,1,"x"\r\n'),  # no print command at the end
        ("tspl", b"PRINT 1,1\r\n"),  # nothing before it to send ahead
        # bitmap bytes that look like a print command: the body could not be told from one that prints
        ("tspl", b"CLS\r\nBITMAP 0,0,12,1,0,\nPRINT 1,1\r\n\r\nPRINT 1,1\r\n"),
        ("zpl", b"^XA^FDa^FS^XZ^XA^FDb^FS^XZ"),  # two formats
        ("zpl", b"^XA^FDa^FS^XZ^FO1,1"),  # something after the end of the format
        ("escpos", b"\x1b@hello\n\x1dV\x00"),  # prints as it arrives
        ("pdf", b"%PDF-1.4 ..."),
    ],
)
def test_what_cannot_be_split_safely_is_not(language: str, payload: bytes) -> None:
    assert split_trigger(language, payload) is None
