"""Helpers for waybill tests: a workspace with orders, a sender and a carrier account on a real sandbox."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests import exportgen as gen

ROOT = Path(__file__).resolve().parents[2]


def workspace(kd: Any, tmp_path: Path, n: int = 20, endpoint: str = "", qps: str = "") -> None:
    assert kd("shops", "add", "淘宝店", "--platform", "taobao").status == 0
    assert kd("senders", "add", "仓库", "--name", "快单仓库", "--mobile", "13800138000", "--province", "浙江省",
              "--city", "杭州市", "--district", "余杭区", "--address", "文一西路969号").status == 0  # fmt: skip
    assert kd("import", str(gen.taobao_csv(tmp_path / "tb.csv", n=n)), "--shop", "淘宝店").status == 0
    args = ["carriers", "add", "sf", "--kind", "sandbox", "--shipper-code", "SF"]
    if endpoint:
        args += ["--endpoint", endpoint]
    if qps:
        args += ["--qps", qps]
    assert kd(*args).status == 0


class SandboxProcess:
    """``kuaidan sandbox-carrier`` as a separate process with a state file, as a user would run it."""

    def __init__(self, tmp_path: Path, *extra: str) -> None:
        self.state = tmp_path / "sandbox-state.jsonl"
        self.extra = extra
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> SandboxProcess:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "sandbox-carrier", "--port", str(self.port),
             "--state-file", str(self.state), *self.extra],
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            m = re.search(r"listening on [\d.]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return self
        raise AssertionError("the sandbox carrier did not start")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/EOrderService"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)

    def issued_numbers(self) -> dict[str, set[str]]:
        """OrderCode -> every distinct waybill number the sandbox ever issued for it."""
        numbers: dict[str, set[str]] = defaultdict(set)
        if self.state.exists():
            for line in self.state.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if entry.get("op") == "issue":
                    numbers[entry["record"]["order_code"]].add(entry["record"]["waybill_no"])
        return numbers

    def asked(self) -> Counter[str]:
        """OrderCode -> how many times an issue request for it reached the sandbox (first time and again)."""
        counts: Counter[str] = Counter()
        if self.state.exists():
            for line in self.state.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if entry.get("op") == "issue":
                    counts[entry["record"]["order_code"]] += 1
                elif entry.get("op") == "again":
                    counts[entry["order_code"]] += 1
        return counts


def cli_process(db_url: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "KUAIDAN_SECRETS": "db"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def run_processes(db_url: str, data_dir: Path, args: Sequence[str], count: int) -> list[dict[str, Any]]:
    """``count`` CLI processes with ``args`` at once on one store; each must exit 0 with one JSON object."""
    procs = [cli_process(db_url, data_dir, *args) for _ in range(count)]
    bodies = []
    for proc in procs:
        out, err = proc.communicate(timeout=150)
        assert proc.returncode == 0, err[-3000:]
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1, out[-2000:]
        bodies.append(json.loads(lines[0]))
    return bodies


def kill_then_rerun(
    run: Any,
    db_url: str,
    data_dir: Path,
    carrier: str,
    pause_s: float,
    until: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """``waybills issue --all-ready`` on ``carrier`` SIGKILLed ``pause_s`` after ``until()`` first holds (at once
    without one), then run again to the end (it must exit 0 with nothing failed); the orders as ``orders --json``
    lists them afterwards."""
    proc = cli_process(db_url, data_dir, "waybills", "issue", "--carrier", carrier, "--all-ready",
                       "--concurrency", "4", "--json")  # fmt: skip
    deadline = time.monotonic() + 60
    while until is not None and not until() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(pause_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rerun = cli_process(db_url, data_dir, "waybills", "issue", "--carrier", carrier, "--all-ready", "--json")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert json.loads(out)["failed"] == 0
    orders: list[dict[str, Any]] = run("orders", "--json").json["orders"]
    return orders
