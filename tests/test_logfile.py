"""The running log under the data directory: what the app says, phones masked, credentials never."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app import logfile
from app.crashlog import write_crash
from tests.sync.shopapi import TOKEN, FakeShopify, serve

ROOT = Path(__file__).resolve().parent.parent


def test_a_command_writes_its_warnings_to_the_log_file_without_the_token(tmp_path: Path) -> None:
    shop = FakeShopify()
    shop.fail_after = 0  # every request answers 500: the sync fails and says so
    env = {**os.environ, "KUAIDAN_DATA_DIR": str(tmp_path), "KUAIDAN_DB": f"sqlite:///{tmp_path / 'k.db'}"}
    with serve(shop) as url:
        for args in (["shops", "add", "A", "--platform", "shopify", "--url", url, "--token", TOKEN],
                     ["sync", "--json"]):  # fmt: skip
            subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env, capture_output=True,
                           timeout=120, check=False)  # fmt: skip
    text = (tmp_path / "logs" / "kuaidan.log").read_text(encoding="utf-8")
    assert "sync of shop A failed" in text and "WARNING" in text
    assert TOKEN not in text


def test_lines_are_masked_and_a_bug_points_at_its_traceback(tmp_path: Path, caplog: Any) -> None:
    path = logfile.install(tmp_path)
    assert path == tmp_path / "logs" / "kuaidan.log"
    try:
        log = logging.getLogger("app.test")
        log.info("asked %s with token=%s", "13812345678", "shpat_abc123")
        log.info('answer {"consumer_secret": "cs_live_9"} Authorization: Basic dXNlcjpwYXNz')
        try:
            raise ValueError("receiver 13912345678 unreadable")
        except ValueError as exc:
            crash = write_crash(exc, tmp_path, command="print")
        text = path.read_text(encoding="utf-8")
    finally:
        logfile.install(tmp_path / "elsewhere")  # the next test's lines do not land here
    assert "138****5678" in text and "13812345678" not in text
    assert "token=***" in text and "shpat_abc123" not in text
    assert "cs_live_9" not in text and "dXNlcjpwYXNz" not in text
    assert f"bug in print: ValueError; traceback in {crash}" in text
    assert crash is not None and "139****5678" in crash.read_text(encoding="utf-8")


def test_mask_secrets_keeps_the_rest_of_the_line() -> None:
    assert (
        logfile.mask_secrets("GET /orders?consumer_key=ck_1&page=2") == "GET /orders?consumer_key=***&page=2"
    )
    assert logfile.mask_secrets("X-Shopify-Access-Token: shpat_x rest") == "X-Shopify-Access-Token: *** rest"
    assert logfile.mask_secrets("order 5 printed") == "order 5 printed"
