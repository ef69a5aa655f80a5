"""The virtual printer's ZPL side: ^XA..^XZ jobs, ~HS answers, ^GF (hex, compressed, Z64), ^FH, ^CI28, barcodes."""

from __future__ import annotations

import base64
import zlib

import pytest
import zxingcpp
from PIL import Image

from printers.status import PrinterState, decode_zpl_hs, query_status
from printers.transports import open_transport
from printers.virtual.device import VirtualPrinter
from printers.virtual.stream import Job, StatusQuery, ZplStream
from printers.virtual.zpl import ZplSettings, crc16_ccitt, decode_gf_data, render_zpl

# 3 bytes per row, 16 rows: the left byte black, the middle white, the right half-black (1 = black in ZPL)
GF_ROWS = b"\xff\x00\xf0" * 16


def z64(data: bytes) -> str:
    text = base64.b64encode(zlib.compress(data)).decode("ascii")
    return f":Z64:{text}:{crc16_ccitt(text.encode('ascii')):04X}"


LABEL = (
    "^XA^CI28^PW800^LL600^LH0,0\n"
    "^FO20,20^A0N,40,40^FD收件人 张三^FS\n"
    "^FO20,80^A@N,30,30,E:SIMSUN.TTF^FH^FD_e5_bf_ab_e5_8d_95 ok^FS\n"
    "^BY3,3,100^FO50,150^BCN,100,Y,N,N,A^FDSF1234567890123^FS\n"
    "^FO500,300^BQN,2,5^FDQA,https://kuaidan.example/中^FS\n"
    "^FO10,10^GB780,580,3^FS\n"
    "^FO600,20^GB150,60,60^FS^FO610,30^FR^A0N,40,40^FDREV^FS\n"
    f"^FO300,300^GFA,48,48,3,{z64(GF_ROWS)}^FS\n"
    "^FO300,400^GFA,48,48,3,FF00F0:::::::::::::::^FS\n"
    "^PQ2^XZ"
).encode()


def black(image: Image.Image, x: int, y: int) -> bool:
    return image.convert("L").getpixel((x, y)) == 0


@pytest.mark.parametrize("step", [1, 5, 4096])
def test_stream_splits_jobs_and_answers_hs_anywhere(step: int) -> None:
    data = b"~HS\r\n" + LABEL[:40] + b"~HS" + LABEL[40:] + b"\r\n~hs" + LABEL
    stream = ZplStream()
    events: list[StatusQuery | Job] = []
    for i in range(0, len(data), step):
        events.extend(stream.feed(data[i : i + step]))
    assert [type(e) for e in events] == [StatusQuery, StatusQuery, Job, StatusQuery, Job]
    first, second = events[2], events[4]
    assert isinstance(first, Job) and isinstance(second, Job)
    assert first.raw == LABEL == second.raw


def test_gf_decoders_agree() -> None:
    warnings: list[str] = []
    assert decode_gf_data(z64(GF_ROWS), 3, warnings) == GF_ROWS
    assert decode_gf_data("FF00F0" * 16, 3, warnings) == GF_ROWS
    assert decode_gf_data("FF00F0" + ":" * 15, 3, warnings) == GF_ROWS
    # run-length: I = 3 repeats, ',' = rest of the row white
    assert decode_gf_data("IF0,", 3, warnings) == b"\xff\xf0\x00"
    assert warnings == []
    broken = z64(GF_ROWS)[:-4] + "0000"
    decode_gf_data(broken, 3, warnings)
    assert warnings == ["^GF :Z64: CRC does not match"]


def test_render_label() -> None:
    result = render_zpl(LABEL, ZplSettings())
    assert result.warnings == []
    assert result.copies == 2
    image = result.image
    assert image.size == (800, 600)
    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)}
    assert ("Code128", "SF1234567890123") in found
    assert ("QRCode", "https://kuaidan.example/中") in found
    # the Z64 graphic and the ':'-compressed one: byte 0 black, byte 1 white, byte 2 half black
    for top in (300, 400):
        assert black(image, 300, top + 5) and black(image, 307, top + 15)
        assert not black(image, 310, top + 5)
        assert black(image, 316, top + 5) and not black(image, 321, top + 5)
    assert black(image, 605, 25)  # the filled box
    assert image.crop((20, 20, 260, 65)).convert("L").histogram()[0] > 300  # Chinese text inked


def test_field_hex_and_encoding() -> None:
    with_ci28 = render_zpl(b"^XA^CI28^FO10,10^A0N,30,30^FH^FD_e5_bf_ab^FS^XZ", ZplSettings())
    assert with_ci28.warnings == []
    raw_utf8_without_ci28 = render_zpl("^XA^FO10,10^A0N,30,30^FD快^FS^XZ".encode(), ZplSettings())
    assert (
        raw_utf8_without_ci28.warnings == []
    )  # decoded as Latin-1: prints mojibake, as a real printer would
    unknown = render_zpl(b"^XA^FO10,10^ZZ1^FS^XZ", ZplSettings())
    assert unknown.warnings == ["unknown command ^ZZ"]


@pytest.mark.timeout(30)
def test_virtual_zpl_printer_over_tcp(zpl_printer: VirtualPrinter) -> None:
    host, port = zpl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}") as transport:
        ready = query_status(transport, "zpl", 2)
        assert ready.state is PrinterState.READY
        assert ready.raw.count(b"\x02") == 3 and ready.raw.endswith(b"\x03\r\n")
        transport.write(LABEL)
        assert zpl_printer.wait_for_labels(2, 15)
        assert query_status(transport, "zpl", 2).state is PrinterState.READY
    labels = zpl_printer.completed
    assert [(c.job_index, c.copy) for c in labels] == [(1, 1), (1, 2)]
    assert labels[0].data == LABEL and "张三" in labels[0].text
    png = labels[1].png
    assert png is not None and png.exists()
    assert "SF1234567890123" in [r.text for r in zxingcpp.read_barcodes(Image.open(png))]


@pytest.mark.timeout(20)
def test_hs_layout_reports_buffered_formats(zpl_printer: VirtualPrinter) -> None:
    zpl_printer.set_head_open(True)
    host, port = zpl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}") as transport:
        transport.write(b"^XA^FO10,10^A0N,30,30^FDONE^FS^PQ3^XZ")
        status = query_status(transport, "zpl", 2)
    strings = [s.split(b",") for s in status.raw.split(b"\r\n") if s]
    assert strings[1][2] == b"1"  # string 2 field 3: head up
    assert strings[0][4] == b"001"  # string 1 field 5: formats in the receive buffer
    assert strings[1][8] == b"00000003"  # string 2 field 9: labels remaining
    assert decode_zpl_hs(status.raw).state is PrinterState.HEAD_OPEN
    assert zpl_printer.completed == []
