"""The virtual printer's TSPL side: splitting the stream, answering status mid-job, counting and rendering labels."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from printers.status import PrinterState, decode_tspl_status, query_status
from printers.transports import open_transport
from printers.virtual.device import VirtualPrinter
from printers.virtual.stream import Job, StatusQuery, TsplStream
from printers.virtual.tspl import TsplSettings, render_tspl, split_args

from .helpers import tspl_job

# 2 bytes wide, 4 rows: the payload holds CR, LF, '"' and ',' bytes that a line parser would trip on
BITMAP_ROWS = [b"\x0d\x0a", b'"\x2c', b"\x00\xff", b"\xff\x00"]
BITMAP_PAYLOAD = b"".join(BITMAP_ROWS)

WAYBILL = (
    (
        "SIZE 100 mm,60 mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 0\r\nREFERENCE 0,0\r\nCODEPAGE 936\r\nCLS\r\n"
        'TEXT 20,20,"TSS24.BF2",0,2,2,"收件人：张三 \\["]加急\\["]"\r\n'
        'BARCODE 50,120,"128",100,1,0,3,3,"SF1234567890123"\r\n'
        'QRCODE 560,250,M,5,A,0,"https://kuaidan.example/t/SF1234567890123"\r\n'
        "BOX 4,4,796,476,3\r\nBAR 20,300,300,6\r\nREVERSE 600,20,150,60\r\n"
    ).encode("gb18030")
    + b"BITMAP 400,400,2,4,0,"
    + BITMAP_PAYLOAD
    + b"\r\nPRINT 1,1\r\n"
)


def feed_all(stream: TsplStream, data: bytes, step: int) -> list[StatusQuery | Job]:
    events: list[StatusQuery | Job] = []
    for i in range(0, len(data), step):
        events.extend(stream.feed(data[i : i + step]))
    return events


@pytest.mark.parametrize("step", [1, 3, 7, 4096])
def test_stream_splits_jobs_whatever_the_chunking(step: int) -> None:
    events = feed_all(TsplStream(), WAYBILL + WAYBILL, step)
    assert [type(e) for e in events] == [Job, Job]
    job = events[0]
    assert isinstance(job, Job)
    names = [c.name for c in job.commands]
    expected = "SIZE GAP DIRECTION REFERENCE CODEPAGE CLS TEXT BARCODE QRCODE BOX BAR REVERSE BITMAP PRINT"
    assert " ".join(names) == expected
    bitmap = job.commands[names.index("BITMAP")]
    assert bitmap.payload == BITMAP_PAYLOAD
    assert bitmap.line == b"BITMAP 400,400,2,4,0"


def test_status_query_mid_job_and_mid_line_is_answered_in_order() -> None:
    stream = TsplStream()
    data = b"\x1b!?SIZE 60 mm,\x1b!?40 mm\r\nCLS\r\n\x1b!?PRINT 1\r\n\x1b!?"
    events = feed_all(stream, data, 2)
    assert [type(e) for e in events] == [StatusQuery, StatusQuery, StatusQuery, Job, StatusQuery]
    job = events[3]
    assert isinstance(job, Job)
    assert job.commands[0].line == b"SIZE 60 mm,40 mm"
    assert b"\x1b" not in job.raw


def test_status_bytes_inside_bitmap_data_are_data() -> None:
    payload = b"\x1b!?\x00"  # 4 bytes of picture that happen to look like a query
    events = TsplStream().feed(b"CLS\r\nBITMAP 0,0,1,4,0," + payload + b"\r\nPRINT 1\r\n")
    assert [type(e) for e in events] == [Job]
    job = events[0]
    assert isinstance(job, Job) and job.commands[1].payload == payload


def test_split_args_handles_quotes_commas_and_escaped_quotes() -> None:
    assert split_args('10,20,"TSS24.BF2",0,1,1,"a,b \\["]c\\["]"') == [
        "10",
        "20",
        "TSS24.BF2",
        "0",
        "1",
        "1",
        'a,b "c"',
    ]


def test_render_draws_a_decodable_code128_and_qr() -> None:
    events = TsplStream().feed(WAYBILL)
    job = events[0]
    assert isinstance(job, Job)
    result, settings = render_tspl(job.commands, TsplSettings())
    assert result.warnings == []
    assert (settings.width, settings.height) == (800, 480)
    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(result.image)}
    assert ("Code128", "SF1234567890123") in found
    assert ("QRCode", "https://kuaidan.example/t/SF1234567890123") in found


def black(image: Image.Image, x: int, y: int) -> bool:
    return image.convert("L").getpixel((x, y)) == 0


def test_render_bitmap_bits_reverse_bar_and_text() -> None:
    job = TsplStream().feed(WAYBILL)[0]
    assert isinstance(job, Job)
    image = render_tspl(job.commands, TsplSettings())[0].image
    # BITMAP row 2 is 00 ff: bit 0 = printed dot, so the left 8 dots are black and the right 8 white
    assert all(black(image, 400 + i, 402) for i in range(8))
    assert not any(black(image, 408 + i, 402) for i in range(8))
    # row 0 is 0d 0a = 00001101 00001010: dots 0-3 printed, 4 not, 5 not, 6 printed
    assert [black(image, 400 + i, 400) for i in range(8)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        True,
        False,
    ]
    assert black(image, 650, 50) and black(image, 100, 303)  # REVERSE turns white to black; BAR is black
    text_area = image.crop((20, 20, 500, 70)).convert("L")
    assert text_area.histogram()[0] > 500  # the doubled Chinese text left plenty of ink


def test_text_with_wrong_encoding_is_reported() -> None:
    bad = b'SIZE 60 mm,40 mm\r\nCLS\r\nTEXT 10,10,"TSS24.BF2",0,1,1,"\xff\xfe\xfd"\r\nPRINT 1\r\n'
    job = TsplStream().feed(bad)[0]
    assert isinstance(job, Job)
    result, _ = render_tspl(job.commands, TsplSettings())
    assert any("not valid gb18030" in w for w in result.warnings)


def test_unknown_command_is_reported_not_ignored() -> None:
    job = TsplStream().feed(b"SIZE 60 mm,40 mm\r\nCLS\r\nFROBNICATE 1,2\r\nPRINT 1\r\n")[0]
    assert isinstance(job, Job)
    assert render_tspl(job.commands, TsplSettings())[0].warnings == ["unknown command FROBNICATE"]


@pytest.mark.timeout(30)
def test_virtual_printer_counts_and_renders_labels_over_tcp(tspl_printer: VirtualPrinter) -> None:
    host, port = tspl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}") as transport:
        transport.write(WAYBILL)
        transport.write(tspl_job("第二张", copies="2,1"))
        assert tspl_printer.wait_for_labels(3, 15)
        status = query_status(transport, "tspl", 2)
    assert status.state is PrinterState.READY
    labels = tspl_printer.completed
    assert [(c.index, c.job_index, c.copy) for c in labels] == [(1, 1, 1), (2, 2, 1), (3, 2, 2)]
    assert labels[0].data == WAYBILL
    assert "第二张" in labels[1].text
    assert all(c.png is not None and c.png.exists() for c in labels)
    assert labels[0].warnings == ()
    png = labels[0].png
    assert png is not None
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(png))]
    assert "SF1234567890123" in decoded
    assert Image.open(png).size == (800, 480)


@pytest.mark.timeout(20)
def test_status_byte_is_answered_immediately_mid_job(tspl_printer: VirtualPrinter) -> None:
    host, port = tspl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}") as transport:
        transport.write(b"SIZE 60 mm,40 mm\r\nCLS\r\nTEXT 10,10,")
        transport.write(b"\x1b!?")
        answer = transport.read(1, 3)
        assert decode_tspl_status(answer).state is PrinterState.READY
        transport.write(b'"3",0,1,1,"ABC"\r\nPRINT 1\r\n')
        assert tspl_printer.wait_for_labels(1, 10)
    assert tspl_printer.completed[0].warnings == ()
