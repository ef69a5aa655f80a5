"""The desktop bundle (``make dist``) started as a user would start it: its own program, outside the venv.

Run by ``make check-dist`` after ``make dist``; skipped unless ``KUAIDAN_BUNDLE`` names the bundle's program, so the
normal suite neither builds nor runs it. Every Kuaidan process here is the bundle's ``kuaidan``, with a clean
environment: no ``PYTHONPATH``/``PYTHONHOME``, no venv on ``PATH``, and ``python``/``python3`` on ``PATH`` are
traps that record being called. The harness (this file, the CSV it writes, the screenshot it takes) runs in the
venv; what it proves is about the bundle.

- the command line, end to end: the virtual printer and the sandbox carrier started from the bundle over TCP, a
  shop, a sender, a Taobao export large enough to be read by the import's reading child (proved by the ``execve``
  of ``kuaidan --_child orders-source`` that strace records), a carrier account, waybills, a printer, labels printed
  and received by the virtual printer;
- the window: the bundle with no command under Xvfb, on a workspace the CLI made, draws, and (with xdotool) an
  order number typed into its packing bench prints that order's label on the virtual printer (a screenshot, kept
  in ``KUAIDAN_DIST_SHOTS`` when set, shows it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.orders.source import CHILD_MIN_BYTES
from tests import exportgen as gen

BUNDLE = os.environ.get("KUAIDAN_BUNDLE", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not BUNDLE, reason="the bundle is checked by `make check-dist` (KUAIDAN_BUNDLE unset)"
    ),
]

READY = 3  # orders in the export that can ship; the rest are closed (read and stored, never issued)
ROWS = 14_000  # enough for a file over CHILD_MIN_BYTES


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A user's environment without Python: ``python``/``python3`` on PATH are traps that leave a mark."""
    traps = tmp_path / "traps"
    traps.mkdir()
    for name in ("python", "python3"):
        trap = traps / name
        trap.write_text(f'#!/bin/sh\necho "$0 $*" >> {tmp_path}/python-called\nexit 99\n')
        trap.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "PATH": f"{traps}:/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "Asia/Shanghai"}


def run(env: dict[str, str], data: Path, *args: str, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """``kuaidan --data-dir DATA ARGS… --json`` from the bundle; its one JSON object (exit status 0 asserted)."""
    done = subprocess.run(
        [*prefix, BUNDLE, "--data-dir", str(data), *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class Server:
    """A server command of the bundle (``virtual-printer``, ``sandbox-carrier``) on a free loopback port."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [BUNDLE, *args, "--port", "0"], env=env, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stderr is not None
        self.port = 0
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not self.port:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            m = re.search(r"listening on [\d.]+:(\d+)", line)
            self.port = int(m.group(1)) if m else 0
        assert self.port, f"{args[0]} did not start: {''.join(self.lines)}"

    def stop(self) -> str:
        """Stop it; everything it said on stderr."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, rest = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, rest = self.proc.communicate()
        return "".join(self.lines) + (rest or "")


@pytest.fixture
def servers(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    printer = Server(env, "virtual-printer", "--language", "tspl", "--out", str(tmp_path / "labels"))
    carrier = Server(env, "sandbox-carrier")
    yield printer, carrier
    for server in (printer, carrier):
        if server.proc.poll() is None:
            server.stop()


def shop_and_sender(env: dict[str, str], data: Path) -> Path:
    """A new workspace at ``data`` with a Taobao shop and a sender, made by the bundle's CLI."""
    run(env, data, "shops", "add", "淘宝店", "--platform", "taobao")
    run(env, data, "senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province",
        "浙江省", "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号")  # fmt: skip
    return data


def export_file(path: Path) -> Path:
    """A Taobao export over CHILD_MIN_BYTES: READY orders waiting to ship, the rest closed."""
    rows = gen.taobao_rows(ROWS)
    for row in rows[1 + READY :]:
        row[3] = "交易关闭"
    gen.write_csv(path, rows, encoding="gb18030")
    assert path.stat().st_size >= CHILD_MIN_BYTES
    return path


def test_cli_from_import_to_printed_labels(
    env: dict[str, str], servers: tuple[Server, Server], tmp_path: Path
) -> None:
    printer, carrier = servers
    data = shop_and_sender(env, tmp_path / "data")

    # the reading child runs when there are two CPUs; strace (when installed) sees which program it is
    seen = len(os.sched_getaffinity(0)) > 1 and shutil.which("strace") is not None
    trace = tmp_path / "execve.trace"
    strace = ("strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", str(trace))
    imported = run(
        env, data, "import", str(export_file(tmp_path / "taobao.csv")), "--shop", "淘宝店",
        prefix=strace if seen else (),
    )  # fmt: skip
    assert imported["imported"] == ROWS, imported
    if seen:
        children = [line for line in trace.read_text().splitlines() if "--_child" in line]
        assert children and all(f'execve("{BUNDLE}"' in line for line in children), children
        assert '"orders-source"' in children[0]

    endpoint = f"http://127.0.0.1:{carrier.port}/api/EOrderService"
    run(
        env,
        data,
        "carriers",
        "add",
        "zto",
        "--kind",
        "sandbox",
        "--shipper-code",
        "ZTO",
        "--endpoint",
        endpoint,
    )
    issued = run(env, data, "waybills", "issue", "--all-ready", "--carrier", "zto")
    assert issued["issued"] == READY, {k: v for k, v in issued.items() if k != "skipped"}

    run(env, data, "printers", "add", "vp", "--uri", f"tcp://127.0.0.1:{printer.port}", "--language", "tspl")
    printed = run(env, data, "print", "--all-unprinted", "--timeout", "120")
    assert printed["printed"] == READY, printed
    said = printer.stop()
    assert len(re.findall(r"label \d+ printed", said)) == READY, said
    labels = sorted((tmp_path / "labels").glob("*.png"))
    assert len(labels) == READY
    _keep(labels[0], "bundle-label.png")
    assert not (tmp_path / "python-called").exists(), (tmp_path / "python-called").read_text()
    if not seen:
        pytest.skip("labels printed; the reading child was not checked (one CPU, or strace not installed)")


def test_window_draws_and_prints_under_xvfb(
    env: dict[str, str], servers: tuple[Server, Server], tmp_path: Path
) -> None:
    """The window opens on a workspace the CLI made; with xdotool, an order number typed into the packing bench
    (as a scanner types it) prints its label on the virtual printer."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed")
    printer, _ = servers
    data = shop_and_sender(env, tmp_path / "data")
    run(env, data, "import", str(gen.taobao_csv(tmp_path / "tb.csv", n=READY)), "--shop", "淘宝店")
    run(env, data, "carriers", "add", "zto", "--kind", "sandbox", "--shipper-code", "ZTO")  # a sandbox inside
    assert run(env, data, "waybills", "issue", "--all-ready", "--carrier", "zto")["issued"] == READY
    uri = f"tcp://127.0.0.1:{printer.port}"
    run(env, data, "printers", "add", "vp", "--uri", uri, "--language", "tspl", "--default")
    order = gen.taobao_rows(READY)[2][0].strip('="')  # the second order's number, as a scanner reads it

    xvfb, display = _xvfb()
    try:
        gui_env = {**env, "DISPLAY": display}
        window = subprocess.Popen(
            [BUNDLE, "--data-dir", str(data)], env=gui_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        shot = tmp_path / "window.png"
        drawn = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and window.poll() is None and not drawn:
            time.sleep(2)
            drawn = _grab(display, shot) > 0.25  # a quarter of the screen is not the black root: a window
        alive = window.poll() is None
        scanned = alive and drawn and _scan(gui_env, order)
        if alive:
            time.sleep(3)  # let it draw the answer, then the picture to keep
            _grab(display, shot)
            window.send_signal(signal.SIGTERM)
        out, _ = window.communicate(timeout=20)
        assert alive and drawn, out.decode(errors="replace")
        _keep(shot, "bundle-window.png")
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    said = printer.stop()
    if scanned:
        assert len(re.findall(r"label \d+ printed", said)) == 1, said
    assert not (tmp_path / "python-called").exists()
    if not scanned:
        pytest.skip("the window drew; xdotool is not installed to scan an order into it")


def _scan(env: dict[str, str], order: str) -> bool:
    """Type ``order`` and Enter into Kuaidan's window (its packing bench's scan field has the focus), as a barcode
    scanner does; False without xdotool."""
    if not shutil.which("xdotool"):
        return False

    def xdotool(*args: str) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30, check=True
        )
        return done.stdout

    found = xdotool("search", "--onlyvisible", "--name", "Kuaidan").split()
    assert found, "no Kuaidan window on the display"
    xdotool("windowfocus", "--sync", found[0])
    xdotool("type", "--delay", "20", order)
    xdotool("key", "Return")
    return True


def _xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on a free display (it writes the number it took on a pipe)."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    return xvfb, f":{number}"


GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
image.save(sys.argv[1])
points = [(x, y) for x in range(0, image.width(), 8) for y in range(0, image.height(), 8)]
print(sum(image.pixel(x, y) & 0xFFFFFF != 0 for x, y in points) / len(points))
"""


def _grab(display: str, path: Path) -> float:
    """A screenshot of the display (taken with the venv's Qt); the share of it that is not black."""
    done = subprocess.run(
        [sys.executable, "-c", GRAB, str(path)],
        env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(done.stdout.split()[-1])


def _keep(path: Path, name: str) -> None:
    """Keep a picture where ``make check-dist`` says (for a person to look at)."""
    folder = os.environ.get("KUAIDAN_DIST_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(folder) / name)
