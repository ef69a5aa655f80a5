"""Status decoding: every TSPL bit, the ~HS field layout, ESC/POS DLE EOT, and "no answer is never ready"."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from printers.status import (
    PrinterState,
    StatusAnswers,
    decode_escpos_status,
    decode_tspl_status,
    decode_zpl_hs,
    query_status,
)
from printers.transports import open_transport
from printers.virtual.device import VirtualPrinter

TSPL_CASES = [
    (0x01, PrinterState.HEAD_OPEN, "head_open"),
    (0x02, PrinterState.JAM, "jam"),
    (0x04, PrinterState.PAPER_OUT, "paper_out"),
    (0x08, PrinterState.RIBBON_OUT, "ribbon_out"),
    (0x10, PrinterState.PAUSED, "paused"),
    (0x20, PrinterState.PRINTING, "printing"),
    (0x40, PrinterState.HEAD_OPEN, "cover_open"),
    (0x80, PrinterState.UNKNOWN, "error"),
]


@pytest.mark.parametrize(("byte", "state", "flag"), TSPL_CASES)
def test_each_tspl_bit_decodes_to_its_state(byte: int, state: PrinterState, flag: str) -> None:
    status = decode_tspl_status(bytes([byte]))
    assert status.state is state
    assert status.flags == {flag}
    assert status.raw == bytes([byte])
    assert status.message_zh and status.message_en
    assert status.is_ready is False


def test_tspl_zero_is_ready_and_only_zero() -> None:
    ready = decode_tspl_status(b"\x00")
    assert ready.state is PrinterState.READY and ready.is_ready and ready.flags == frozenset()
    assert all(not decode_tspl_status(bytes([b])).is_ready for b in range(1, 256))


def test_tspl_several_conditions_keep_all_flags_and_pick_the_most_pressing() -> None:
    status = decode_tspl_status(bytes([0x04 | 0x20 | 0x01]))
    assert status.flags == {"paper_out", "printing", "head_open"}
    assert status.state is PrinterState.HEAD_OPEN
    assert decode_tspl_status(bytes([0x04 | 0x20])).state is PrinterState.PAPER_OUT


def test_tspl_last_byte_is_the_current_one() -> None:
    assert decode_tspl_status(b"\x04\x00").state is PrinterState.READY


def test_no_answer_is_offline_never_ready() -> None:
    for status in (decode_tspl_status(b""), decode_zpl_hs(b""), decode_escpos_status(b"")):
        assert status.state is PrinterState.OFFLINE
        assert not status.is_ready and status.is_error
        assert "无应答" in status.message_zh and "not answering" in status.message_en
        assert str(status) == f"{status.message_zh} / {status.message_en}"


def hs(
    paper: int = 0, paused: int = 0, formats: int = 0, head: int = 0, ribbon: int = 0, remaining: int = 0
) -> bytes:
    return (
        f"\x02030,{paper},{paused},1245,{formats:03d},0,0,0,000,0,0,0\x03\r\n"
        f"\x02001,0,{head},{ribbon},0,2,6,0,{remaining:08d},1,000\x03\r\n"
        "\x021234,0\x03\r\n"
    ).encode("ascii")


@pytest.mark.parametrize(
    ("answer", "state", "flag"),
    [
        (hs(paper=1), PrinterState.PAPER_OUT, "paper_out"),
        (hs(paused=1), PrinterState.PAUSED, "paused"),
        (hs(head=1), PrinterState.HEAD_OPEN, "head_open"),
        (hs(ribbon=1), PrinterState.RIBBON_OUT, "ribbon_out"),
        (hs(formats=2), PrinterState.PRINTING, "printing"),
        (hs(remaining=3), PrinterState.PRINTING, "printing"),
    ],
)
def test_zpl_hs_fields(answer: bytes, state: PrinterState, flag: str) -> None:
    status = decode_zpl_hs(answer)
    assert status.state is state
    assert flag in status.flags


def test_zpl_hs_all_clear_is_ready() -> None:
    status = decode_zpl_hs(hs())
    assert status.state is PrinterState.READY and status.flags == frozenset()


def test_zpl_hs_field_positions_are_not_confused() -> None:
    # string 1 field 2 is paper out; string 2 field 2 is unused and must not be read as paper out
    answer = b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n\x02001,1,0,0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n"
    assert decode_zpl_hs(answer).state is PrinterState.READY


def test_zpl_hs_truncated_or_garbled_is_unknown_not_ready() -> None:
    full = hs()
    assert decode_zpl_hs(full[:20]).state is PrinterState.UNKNOWN
    assert decode_zpl_hs(b"garbage").state is PrinterState.UNKNOWN
    assert not decode_zpl_hs(full[:20]).is_ready


def test_escpos_dle_eot() -> None:
    ready = decode_escpos_status(b"\x12", b"\x12", b"\x12")
    assert ready.state is PrinterState.READY
    assert decode_escpos_status(b"\x1a", b"\x12", b"\x12").state is PrinterState.OFFLINE
    assert decode_escpos_status(b"\x1a", b"\x16", b"\x12").state is PrinterState.HEAD_OPEN
    assert decode_escpos_status(b"\x12", b"\x12", b"\x72").state is PrinterState.PAPER_OUT
    assert "paper_near_end" in decode_escpos_status(b"\x12", b"\x12", b"\x1e").flags
    assert decode_escpos_status(b"\xff").state is PrinterState.UNKNOWN


@pytest.fixture
def silent_printer() -> Iterator[int]:
    """A TCP port that accepts connections and reads everything but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def run() -> None:
        conn, _ = listener.accept()
        conn.settimeout(0.1)
        while not stop.is_set():
            try:
                if not conn.recv(1024):
                    break
            except TimeoutError:
                continue
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


@pytest.mark.timeout(20)
@pytest.mark.parametrize("language", ["tspl", "zpl", "escpos"])
def test_query_to_a_silent_printer_is_offline(silent_printer: int, language: str) -> None:
    with open_transport(f"tcp://127.0.0.1:{silent_printer}", timeout=2) as transport:
        status = query_status(transport, language, timeout=0.3)
    assert status.state is PrinterState.OFFLINE
    assert not status.can_accept


def test_query_over_a_transport_without_read_back_is_never_ready(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    with open_transport((tmp_path / "out.bin").as_uri()) as transport:
        status = query_status(transport, "tspl", timeout=0.1)
    assert status.state is PrinterState.UNKNOWN and "no_readback" in status.flags


def test_answers_to_queries_sent_ahead_are_read_one_at_a_time_in_order(tspl_printer: VirtualPrinter) -> None:
    """Two queries written behind a label body: two answers, the second kept while the first is read."""
    host, port = tspl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}", timeout=2) as transport:
        answers = StatusAnswers("tspl")
        tspl_printer.set_head_open(True)
        transport.write(b"SIZE 40 mm,20 mm\r\n" + answers.query + b"CLS\r\n" + answers.query)
        time.sleep(0.2)  # both answers are in the socket buffer now
        assert answers.read(transport, 2).state is PrinterState.HEAD_OPEN
        tspl_printer.set_head_open(False)
        assert (
            answers.read(transport, 2).state is PrinterState.HEAD_OPEN
        )  # the second answer, as it was given
        assert answers.read(transport, 0.2).state is PrinterState.OFFLINE  # no third one was asked


def test_zpl_answers_sent_ahead_split_at_the_third_string(zpl_printer: VirtualPrinter) -> None:
    host, port = zpl_printer.start_tcp()
    with open_transport(f"tcp://{host}:{port}", timeout=2) as transport:
        answers = StatusAnswers("zpl")
        transport.write(answers.query + b"^XA^FO10,10" + answers.query)
        time.sleep(0.2)
        assert answers.read(transport, 2).is_ready
        assert answers.read(transport, 2).is_ready
        assert answers.read(transport, 0.2).state is PrinterState.OFFLINE
