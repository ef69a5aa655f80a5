"""Notifications: a real robot webhook server on 127.0.0.1, masked phones, rate limit, never blocking."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.carriers.sandbox.server import SandboxServer
from app.errors import UsageError
from app.secrets import SecretStore
from app.store.engine import Store
from app.store.models import Setting
from app.tracking.notify import AnomalyNotice, WebhookNotifier, daily_summary, load_webhook, save_webhook
from app.tracking.service import evaluate_and_notify
from tests.tracking.support import issue_parcel, make_world


class Robot(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.messages: list[dict[str, object]] = []
        self.queries: list[dict[str, list[str]]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.got = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/webhook/send?key=test-key"


class _RobotHandler(BaseHTTPRequestHandler):
    server: Robot

    def do_POST(self) -> None:
        self.server.gate.wait(10)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.got:
            self.server.messages.append(json.loads(body))
            self.server.queries.append(parse_qs(urlsplit(self.path).query))
            self.server.got.notify_all()
        answer = b'{"errcode":0,"errmsg":"ok"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[Robot]:
    server = Robot()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.gate.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def notice(i: int) -> AnomalyNotice:
    return AnomalyNotice(i, "rejected", 3, f"YT{i:010d}", "YTO", f"TB{i}", "张三", "138****5678",
                         datetime(2024, 5, 1, 8), "收件人拒收")  # fmt: skip


def wait_for(robot: Robot, count: int) -> None:
    with robot.got:
        assert robot.got.wait_for(lambda: len(robot.messages) >= count, timeout=10)


@pytest.mark.timeout(30)
def test_new_high_anomalies_reach_the_robot_with_masked_phones(
    store: Store, sandbox: SandboxServer, robot: Robot, data_dir: Path
) -> None:
    world = make_world(store, sandbox)
    issue_parcel(store, sandbox, world, "rejected", phone="13812345678")
    issue_parcel(store, sandbox, world, "normal")
    from datetime import timedelta

    from app.tracking import poll_due
    from tests.tracking.support import sandbox_now

    sandbox.advance(timedelta(hours=40))
    now = sandbox_now(sandbox)
    poll_due(store, now=now, data_directory=data_dir)
    webhook = WebhookNotifier(robot.url)
    try:
        report, notified = evaluate_and_notify(store, now, webhook)
        assert report.opened_by_kind == {"rejected": 1} and notified == 1
        _, again = evaluate_and_notify(store, now, webhook)  # nothing new: nothing sent twice
        assert again == 0
        wait_for(robot, 1)
    finally:
        webhook.close()
    [message] = robot.messages
    assert message["msgtype"] == "text"
    content = message["text"]["content"]  # type: ignore[index]
    assert "拒收" in content and "138****5678" in content and "13812345678" not in content


@pytest.mark.timeout(30)
def test_notify_never_blocks_and_the_rate_is_capped(robot: Robot) -> None:
    robot.gate.clear()  # the robot hangs: the caller must not
    webhook = WebhookNotifier(robot.url, per_minute=2, batch=1, queue_size=5, clock=lambda: 0.0)
    try:
        webhook.notify([notice(i) for i in range(20)])  # returns at once; the queue overflows
        assert webhook.dropped >= 20 - 5 - 1
        robot.gate.set()
        wait_for(robot, 2)
    finally:
        webhook.close(timeout=0.5)  # a frozen clock never frees a third slot: the rest are not sent
    assert len(robot.messages) == 2


@pytest.mark.timeout(30)
def test_dingtalk_signing_and_config(robot: Robot, store: Store, data_dir: Path) -> None:
    secrets = SecretStore(data_dir)
    with store.session() as s:
        with pytest.raises(UsageError):
            save_webhook(
                s, secrets, "http://oapi.dingtalk.com/robot/send?access_token=x"
            )  # plain http, remote
        save_webhook(s, secrets, robot.url, dingtalk_secret="SECabc")
    with store.session() as s:
        config = load_webhook(s, secrets)
        assert config is not None and config.url == robot.url and config.dingtalk_secret == "SECabc"
        stored = s.get(Setting, "tracking.webhook")
        assert stored is not None and "test-key" not in json.dumps(stored.value)  # the token is a secret
    webhook = WebhookNotifier(config.url, dingtalk_secret=config.dingtalk_secret)
    try:
        webhook.send_text("日报")
        wait_for(robot, 1)
    finally:
        webhook.close()
    assert (
        robot.queries[0]["key"] == ["test-key"]
        and "sign" in robot.queries[0]
        and "timestamp" in robot.queries[0]
    )


def test_daily_summary_counts_by_kind(store: Store, sandbox: SandboxServer) -> None:
    from datetime import timedelta

    from app.tracking import evaluate
    from tests.tracking.support import add_unprinted_order, sandbox_now

    world = make_world(store, sandbox)
    add_unprinted_order(store, world, paid_at=sandbox_now(sandbox) - timedelta(hours=50))
    now = sandbox_now(sandbox)
    evaluate(store, now)
    with store.session() as s:
        text = daily_summary(s, now=now)
    assert "超时未发货" in text and "新增 new: 1" in text


def test_quiet_hours_hold_notices_until_they_end(store: Store, sandbox: SandboxServer) -> None:
    from datetime import datetime, timedelta

    from app.store.models import Anomaly
    from app.tracking.notices import QuietHours
    from app.tracking.notify import save_quiet
    from app.tracking.service import evaluate_and_notify
    from tests.tracking.support import issue_parcel

    class Told:
        def __init__(self) -> None:
            self.ids: list[int] = []

        def notify(self, notices: Any) -> None:
            self.ids.extend(n.id for n in notices)

    world = make_world(store, sandbox)
    issue_parcel(store, sandbox, world, "rejected")
    with store.session() as s:
        save_quiet(s, QuietHours(22, 8))  # 22:00 to 08:00 China time
    told = Told()
    night = datetime(2026, 12, 5, 16, 0)  # 00:00 in China: quiet
    with store.session() as s:
        from app.store.models import Waybill

        s.query(Waybill).update({"parcel_status": "rejected", "carrier_hint": "rejected"})
    report, notified = evaluate_and_notify(store, night, told)
    assert report.new_high_ids and notified == 0 and told.ids == []
    # 08:30 in China: the quiet hours are over, the held notice goes out once
    _, notified = evaluate_and_notify(store, night + timedelta(hours=8, minutes=30), told)
    assert notified == 1 and told.ids == list(report.new_high_ids)
    _, notified = evaluate_and_notify(store, night + timedelta(hours=9), told)
    assert notified == 0
    with store.session() as s:
        assert s.query(Anomaly).filter(Anomaly.notified_at.is_(None)).count() == 0
