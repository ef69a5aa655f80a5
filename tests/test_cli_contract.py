"""The command-line contract, from outside: a real process, exactly one JSON object on stdout, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import exportgen as gen

ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUAIDAN_DATA_DIR": str(tmp_path / "data"), "KUAIDAN_SECRETS": "db"}
    env.pop("KUAIDAN_DB", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_contract_over_a_real_process(tmp_path: Path) -> None:
    assert run(tmp_path, "shops", "add", "淘宝店", "--platform", "taobao").returncode == 0
    path = gen.taobao_csv(tmp_path / "tb.csv", n=5)
    done = run(tmp_path, "import", str(path), "--shop", "淘宝店", "--json")
    assert done.returncode == 0
    body = json.loads(done.stdout)  # the whole of stdout is one JSON object
    assert body["imported"] == 5 and isinstance(body["rejected"], int)
    assert "5/5" in done.stderr  # progress goes to stderr
    listed = json.loads(run(tmp_path, "orders", "--json").stdout)
    keys = {"id", "shop", "platform_order_id", "status", "receiver_name", "receiver_phone", "province", "city",
            "district", "address", "waybill", "carrier"}  # fmt: skip
    assert len(listed["orders"]) == 5 and keys <= set(listed["orders"][0])
    shops = json.loads(run(tmp_path, "shops", "list", "--json").stdout)
    assert shops["shops"][0]["name"] == "淘宝店"


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path, "import").returncode == 2
    assert run(tmp_path, "shops", "add", "x", "--platform", "nosuch").returncode == 2
    bad = run(tmp_path, "import", str(tmp_path / "missing.csv"), "--shop", "x", "--json")
    assert bad.returncode == 2 and "error" in json.loads(bad.stdout)


def test_usage_error_under_json_prints_one_json_object(tmp_path: Path) -> None:
    done = run(tmp_path, "import", "--json")  # the file and --shop are missing
    assert done.returncode == 2
    body = json.loads(done.stdout)
    # in the command line's language (Chinese by default), with error_en in English always
    assert "缺少必需的参数" in body["error"] and body["usage"].startswith("用法：")
    assert "required" in body["error_en"] and "缺少" not in body["error_en"]
    assert run(tmp_path, "orders", "--status").returncode == 2  # without --json: usage on stderr only
