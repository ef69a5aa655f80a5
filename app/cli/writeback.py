"""``kuaidan writeback [--shop NAME]``: tell the shops (Shopify, WooCommerce) the waybill of each printed parcel."""

from __future__ import annotations

from typing import Any

from app.cli.main import Context
from app.cli.sync import AddJson, fail_when_every_shop_failed
from app.lang import say


def register(sub: Any, add_json: AddJson) -> None:
    p = sub.add_parser("writeback", help=say("把已打印包裹的运单号回传给店铺 API",
                                             "tell the shops' APIs the waybill numbers of printed parcels"))  # fmt: skip
    p.add_argument("--shop", default=None, help=say("只回传这个店铺（默认：所有可通过 API 回传的店铺）",
                                                    "only this shop (default: every shop with an API write-back)"))  # fmt: skip
    add_json(p)
    p.set_defaults(handler=cmd_writeback)


def cmd_writeback(ctx: Context) -> int:
    def progress(shop: str, told: int) -> None:
        ctx.progress(say(f"{shop}：已回传 {told} 个包裹", f"{shop}: {told} parcels told"))

    results = ctx.workspace.writeback.run(ctx.args.shop, progress=progress)
    failures = ctx.workspace.writeback.failures(ctx.args.shop) if any(r.failed for r in results) else []
    payload = {
        "shops": [r.as_json() for r in results],
        "failures": [f.as_json() for f in failures],
    }
    fail_when_every_shop_failed(results, payload)

    def human() -> str:
        if not results:
            return say(
                "没有可回传的店铺（Shopify、WooCommerce）", "no shop to write back to (Shopify, WooCommerce)"
            )
        lines = [
            say(f"{r.shop}：失败：{r.error}", f"{r.shop}: failed: {r.error_en}")
            if r.error
            else say(
                f"{r.shop}：回传 {r.sent}，已有 {r.already}，失败 {r.failed}，跳过 {r.skipped}",
                f"{r.shop}: sent {r.sent}, already there {r.already}, failed {r.failed}, skipped {r.skipped}",
            )
            for r in results
        ]
        lines += [
            f"  {f.shop} {f.platform_order_id} {f.waybill_no}: {say(f.error, f.error_en)}" for f in failures
        ]
        return "\n".join(lines)

    ctx.emit(payload, human)
    return 0  # failed parcels are listed with their reasons (every shop failing is exit 1, above)
