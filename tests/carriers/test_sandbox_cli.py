"""The sandbox as its own process: announces its port on stderr, serves, and stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.carriers.factory import make_client

from .support import make_request

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str) -> tuple[subprocess.Popen[str], int]:
    code = (
        "import sys; from pathlib import Path; from app.carriers.sandbox.server import serve_forever_cli; "
        "serve_forever_cli(0, latency_ms=int(sys.argv[1]), state_file=Path(sys.argv[2]) if sys.argv[2] else None)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", line)
    if match is None:
        proc.kill()
        proc.wait(10)
        raise AssertionError(f"unexpected first line: {line!r}")
    return proc, int(match.group(1))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_separate_process_serves_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    state = tmp_path / "sandbox.jsonl"
    proc, port = _start("5", str(state))
    try:
        client = make_client("sandbox", endpoint=f"http://127.0.0.1:{port}/api/EOrderService")
        first = client.issue(make_request("CLI-1", "JTSD"))
        client.close()
    finally:
        proc.send_signal(sig)
        assert proc.wait(15) == 0
    # a new process with the same state file still knows the OrderCode (the crash-healing path of waybills.py)
    proc, port = _start("0", str(state))
    try:
        client = make_client("sandbox", endpoint=f"http://127.0.0.1:{port}/api/EOrderService")
        again = client.issue(make_request("CLI-1", "JTSD"))
        client.close()
        assert again.already_issued and again.waybill_no == first.waybill_no
    finally:
        proc.terminate()
        assert proc.wait(15) == 0
