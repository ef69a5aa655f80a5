"""Screenshots of each settings page on a demo workspace: ``python -m ui.settings.screenshot DIR [--lang en]``
writes ``DIR/screenshot-settings-<page>.png``, and ``screenshot-settings-carriers-kuaidi100.png`` with a Kuaidi100
(百递云) account selected (run it under ``xvfb-run``; for the docs and for looking at it)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from app.demo import build_demo, start_demo_printer
from app.workspace import Workspace
from ui.i18n import set_language
from ui.qt.core import QCoreApplication, QEventLoop, QTimer
from ui.qt.widgets import QApplication
from ui.settings.window import PAGES

SAMPLE = (
    "单号,客户,联系方式,收货地址,货品,件数,备注\n"
    "WX-1001,张三,13800138000,浙江省杭州市西湖区文三路1号,保温杯,2,轻放\n"
    "WX-1002,李四,13900139000,广东省深圳市南山区科技园2号,陶瓷碗,1,\n"
    "WX-1003,王五,13700137000,北京市海淀区中关村大街3号,竹盘子,3,周末送\n"
)

# a Kuaidi100 account with made-up credentials; its endpoint is a loopback port nobody listens on, so the page's
# quota question gets a quick "not reachable" and nothing leaves the machine
K100_SAMPLE = "百递云中通"


def _add_kuaidi100_sample(workspace: Workspace) -> None:
    workspace.carriers.add_account(
        K100_SAMPLE, kind="kuaidi100", shipper_code="", app_key="sample-key", secret="sample-secret",
        kuaidicom="zhongtong", customer="SAMPLECUSTOMER0001", customer_name="ZT-0571-001",
        customer_pwd="sample-partner-key", net="杭州余杭网点", salt="sample-salt", qps=20,
        endpoint="http://127.0.0.1:9/label/order", push_url="https://station.example.com/kuaidi100",
    )  # fmt: skip


def _settle(app: QCoreApplication, ms: int = 800) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--lang", default="zh")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    set_language(args.lang)
    out = Path(args.out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace.open(None, tmp)
        build_demo(workspace)
        _add_kuaidi100_sample(workspace)
        printer = start_demo_printer(workspace)
        workspace.orders.add_shop("微信小店", "generic")
        workspace.orders.update_shop("演示淘宝店", mask_phone=True, template="76x130")
        sheet = Path(tmp) / "微信小店订单.csv"
        sheet.write_text(SAMPLE, encoding="utf-8")
        from ui.ops import Ops
        from ui.settings.window import SettingsWindow

        ops = Ops(workspace)
        window = SettingsWindow(ops)
        window.show()
        _settle(app)
        window.carriers.table.selectRow(0)
        window.carriers.make_default()
        mapping = window.mapping
        mapping.shop_box.setCurrentIndex(mapping.shop_box.findData("微信小店"))
        mapping.path_edit.setText(str(sheet))
        mapping.read_file()
        _settle(app)
        mapping.choose("mobile", "联系方式")
        mapping.choose("seller_remark", "备注")
        for page in PAGES:
            window.show_page(page)
            if page == "printers":
                window.printers.table.selectRow(0)
            if page == "shops":
                window.shops.table.selectRow(0)
            if page == "senders":
                window.senders.table.selectRow(0)
            _settle(app, 400)
            window.grab().save(str(out / f"screenshot-settings-{page}.png"))
        window.show_page("carriers")
        window.carriers.table.selectRow([a.name for a in window.carriers.accounts].index(K100_SAMPLE))
        _settle(app, 400)
        window.grab().save(str(out / "screenshot-settings-carriers-kuaidi100.png"))
        window.close()
        ops.wait()
        ops.shutdown()
        printer.stop()
        workspace.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
