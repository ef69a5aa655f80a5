"""Shared test data for the carrier tests."""

from __future__ import annotations

from app.carriers.base import Goods, IssueRequest, Party

SENDER = Party("张三", "13800001111", "", "广东省", "深圳市", "南山区", "科技园南区1号", company="快单小店")
RECEIVER = Party("李四", "13900002222", "", "北京市", "北京市", "朝阳区", "建国路88号SOHO现代城A座1201")


def make_request(order_code: str, shipper: str = "ZTO", **changes: object) -> IssueRequest:
    fields: dict[str, object] = {
        "order_code": order_code,
        "shipper_code": shipper,
        "sender": SENDER,
        "receiver": RECEIVER,
        "goods": (Goods("纯棉T恤 白色 XL", 2, 0.4, 59.0),),
        "weight_kg": 0.8,
    }
    fields.update(changes)
    return IssueRequest(**fields)  # type: ignore[arg-type]
