"""The bulk-ship upload files of the Chinese platforms: which columns, how each spells the carriers, which encoding.

Each seller centre has a "批量发货" (bulk ship) page that takes a file of order number, express company and waybill
number. The company must be written the way that platform names it (Pinduoduo says 顺丰快递 where Taobao says
顺丰速运); a shop may override a name in its settings (``ship_carrier_names``: shipper code -> name) when a
platform renames a company. CSV for all four: Taobao/Tmall and JD read GBK (what Excel writes on a Chinese
Windows), Pinduoduo and Douyin UTF-8 with a BOM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.domain import CARRIER_NAMES, Platform


@dataclass(frozen=True)
class ShipFormat:
    platform_zh: str
    header: tuple[str, str, str]  # order number, express company, waybill number
    encoding: str  # Python codec name
    bom: bool = False
    carriers: Mapping[str, str] = field(default_factory=dict)  # shipper code -> the platform's name

    def carrier_name(self, shipper_code: str, overrides: Mapping[str, str] | None = None) -> str:
        code = shipper_code.strip().upper()
        if overrides and overrides.get(code):
            return str(overrides[code])
        return self.carriers.get(code) or CARRIER_NAMES.get(code) or code


_TAOBAO_CARRIERS = {
    "SF": "顺丰速运", "ZTO": "中通快递", "YTO": "圆通速递", "STO": "申通快递", "YD": "韵达快递", "JTSD": "极兔速递",
    "EMS": "EMS", "YZPY": "邮政快递包裹", "JD": "京东快递", "DBL": "德邦快递", "HTKY": "百世快递", "FWX": "丰网速运",
}  # fmt: skip
_PDD_CARRIERS = {
    "SF": "顺丰快递", "ZTO": "中通快递", "YTO": "圆通快递", "STO": "申通快递", "YD": "韵达快递", "JTSD": "极兔速递",
    "EMS": "邮政EMS", "YZPY": "邮政快递包裹", "JD": "京东配送", "DBL": "德邦快递", "HTKY": "百世快递", "FWX": "丰网速运",
}  # fmt: skip
_DOUYIN_CARRIERS = {
    "SF": "顺丰速运", "ZTO": "中通快递", "YTO": "圆通速递", "STO": "申通快递", "YD": "韵达快递", "JTSD": "极兔速递",
    "EMS": "中国邮政EMS", "YZPY": "邮政快递包裹", "JD": "京东快递", "DBL": "德邦快递", "HTKY": "百世快递",
    "FWX": "丰网速运",
}  # fmt: skip
_JD_CARRIERS = {
    "SF": "顺丰快递", "ZTO": "中通速递", "YTO": "圆通快递", "STO": "申通快递", "YD": "韵达快递", "JTSD": "极兔速递",
    "EMS": "EMS", "YZPY": "邮政快递包裹", "JD": "京东快递", "DBL": "德邦物流", "HTKY": "百世快递", "FWX": "丰网速运",
}  # fmt: skip

_TAOBAO = ShipFormat("淘宝/天猫", ("订单编号", "物流公司", "运单号"), "gbk", carriers=_TAOBAO_CARRIERS)

FORMATS: dict[Platform, ShipFormat] = {
    Platform.TAOBAO: _TAOBAO,
    Platform.TMALL: _TAOBAO,
    Platform.PDD: ShipFormat(
        "拼多多", ("订单号", "快递公司", "快递单号"), "utf-8", bom=True, carriers=_PDD_CARRIERS
    ),
    Platform.DOUYIN: ShipFormat(
        "抖店", ("订单号", "快递公司", "快递单号"), "utf-8", bom=True, carriers=_DOUYIN_CARRIERS
    ),
    Platform.JD: ShipFormat("京东", ("订单号", "物流公司", "运单号"), "gbk", carriers=_JD_CARRIERS),
}
