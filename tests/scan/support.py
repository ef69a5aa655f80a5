"""Helpers for the scan station tests: orders with lines (SKUs) in the store, and ``kuaidan scan`` run as a real
process whose standard input is a pipe, answered one JSON line per scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.store.engine import Store
from app.store.models import Order, OrderLine, Shipment, Waybill

ROOT = Path(__file__).resolve().parents[2]


def add_lines(store: Store, platform_order_id: str, *lines: tuple[str, int]) -> None:
    """Give the order these ``(sku, quantity)`` lines."""
    with store.session() as session:
        order = session.scalar(select(Order).where(Order.platform_order_id == platform_order_id))
        assert order is not None
        for sku, quantity in lines:
            session.add(OrderLine(order_id=order.id, sku=sku, title=f"商品 {sku}", quantity=quantity))


def hold(store: Store, platform_order_id: str, reason: str = "买家申请退款") -> None:
    with store.session() as session:
        order = session.scalar(select(Order).where(Order.platform_order_id == platform_order_id))
        assert order is not None
        order.on_hold = True
        order.hold_reason = reason


def waybills_of(store: Store, platform_order_id: str) -> list[str]:
    """Every waybill number ever recorded for the order's parcels."""
    with store.session() as session:
        order = session.scalar(select(Order).where(Order.platform_order_id == platform_order_id))
        assert order is not None
        ids = [s.id for s in order.shipments]
        return list(session.scalars(select(Waybill.waybill_no).where(Waybill.shipment_id.in_(ids))))


def printed(store: Store, platform_order_id: str) -> bool:
    with store.session() as session:
        query = (
            select(Shipment.printed_at)
            .join(Shipment.orders)
            .where(Order.platform_order_id == platform_order_id)
        )
        return all(at is not None for at in session.scalars(query))


class ScanProcess:
    """``kuaidan scan --json …`` as a packer's terminal runs it: codes written one line at a time into its pipe."""

    def __init__(self, db_url: str, data_dir: Path, *args: str) -> None:
        argv = [sys.executable, str(ROOT / "main.py"), "--db", db_url, "--data-dir", str(data_dir), "scan", "--json",
                *args]  # fmt: skip
        env = {**os.environ, "KUAIDAN_SECRETS": "db"}
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            env=env, cwd=ROOT,
        )  # fmt: skip

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"no answer; stderr: {self.finish()[1]}"
        value = json.loads(line)
        assert isinstance(value, dict)
        return value

    def ask(self, code: str, answers: int = 1) -> list[dict[str, Any]]:
        """Scan ``code``; its answers (the scan's lines on stdout, read as they come)."""
        self.send(code)
        return [self.answer() for _ in range(answers)]

    def finish(self, timeout: float = 60) -> tuple[str, str, int]:
        """End of input: what is left on stdout, stderr, and the exit status."""
        out, err = self.proc.communicate(timeout=timeout)
        return out, err, self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
