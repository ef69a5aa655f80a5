"""The sandbox carrier's protocol logic: a Kdniao-shaped answer for each request (no HTTP here).

Checks the envelope (fields, EBusinessID, DataSign, JSON) and the required RequestData fields the way Kdniao answers
when they are wrong (Success false, ResultCode 101/102/103/104 and a Chinese Reason), then issues (1007), cancels
(1147), tracks (8001/1002) and subscribes (8008/1008).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from app.carriers.base import format_carrier_time
from app.carriers.kdniao.address import KdniaoArea, kdniao_area
from app.carriers.kdniao.sign import data_sign, verify_sign
from app.carriers.sandbox.numbers import SUPPORTED_SHIPPERS, origin_for, routing_for, waybill_number
from app.carriers.sandbox.state import SandboxRecord, SandboxStore
from app.carriers.sandbox.traces import (
    CROSS_BORDER_SCENARIOS,
    SCENARIO_NAMES,
    Places,
    estimated_delivery,
    is_cross_border,
    tracking_fields,
    visible_steps,
)

SANDBOX_EBUSINESS_ID = "1000001"
SANDBOX_APP_KEY = "kuaidan-sandbox-demo-key"

EORDER_PATH = "/api/EOrderService"
TRACKING_PATH = "/Ebusiness/EbusinessOrderHandle.aspx"
SUBSCRIBE_PATH = "/api/dist"
QUOTA_PATH = "/sandbox/quota"  # GET: {"quota": {shipper: waybills left}} for the shippers given a quota

ROUTES: dict[str, frozenset[str]] = {
    EORDER_PATH: frozenset({"1007", "1147"}),
    TRACKING_PATH: frozenset({"8001", "1002"}),
    SUBSCRIBE_PATH: frozenset({"8008", "1008"}),
}

_SCENARIO_TAG = re.compile(r"\[scenario:([a-z_]+)\]")
#: A receiver address holding ``[超区:ZTO,YTO]`` is outside those shippers' service area: they refuse it (超区), the
#: others issue it (tests and demos play a lasting refusal with it)
_OUT_OF_AREA_TAG = re.compile(r"\[超区:([A-Za-z0-9,]+)\]")
OUT_OF_AREA_REASON = "收件地址超出派送范围（超区）：{shipper} 不在服务范围"
NO_QUOTA_REASON = "电子面单余额不足，请联系快递网点充值"
_PARTY_FIELDS = ("Name", "Mobile", "ProvinceName", "CityName", "ExpAreaName", "Address")
MAX_QUANTITY = 50
#: How an OrderCode asked again is answered: ``106`` with the same waybill (the documented answer), or ``907``:
#: Success false, ResultCode E-LOGISTICSEX-907 and no number, as a real account answered.
DUPLICATE_ANSWERS = ("106", "907")
DUPLICATE_907_REASON = "重复操作[该订单号或快递单号已经存在，请勿重复操作]"


class Refusal(Exception):
    """A Kdniao-style failure answer."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def phone_tails(party: Mapping[str, Any], keys: tuple[str, ...] = ("Mobile", "Tel")) -> list[str]:
    """The last 4 digits of a party's phones (``keys``: Kdniao's names; Kuaidi100 writes mobile, tel)."""
    tails = []
    for key in keys:
        digits = re.sub(r"\D", "", _text(party.get(key)))
        if len(digits) >= 4:
            tails.append(digits[-4:])
    return tails


def _choose_by_hash(key: str, mix: Mapping[str, float]) -> str:
    total = sum(weight for weight in mix.values() if weight > 0)
    if total <= 0:
        return "normal"
    point = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64 * total
    for name, weight in mix.items():
        if weight <= 0:
            continue
        if point < weight:
            return name
        point -= weight
    return next(name for name, weight in mix.items() if weight > 0)


class SandboxCarrier:
    def __init__(
        self,
        store: SandboxStore,
        now: Callable[[], datetime],
        *,
        seed: int = 0,
        scenario_mix: Mapping[str, float] | None = None,
        messy: bool = False,
        duplicate_answer: str = "106",
    ) -> None:
        if duplicate_answer not in DUPLICATE_ANSWERS:
            raise ValueError(
                f"unknown duplicate answer {duplicate_answer!r}; known: {', '.join(DUPLICATE_ANSWERS)}"
            )
        for name in scenario_mix or {}:
            if name not in SCENARIO_NAMES:
                raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIO_NAMES)}")
        self.store = store
        self.now = now
        self.seed = seed
        self.scenario_mix = dict(scenario_mix or {})
        self.messy = messy
        self.duplicate_answer = duplicate_answer
        # shipper code -> new waybills it may still issue (a shipper not named has no limit); at 0 it refuses new
        # orders with 余额不足 (an OrderCode it issued before is still answered with its number)
        self.quota: dict[str, int] = {}

    # -- envelope

    def answer(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        """The JSON answer for one form POST to ``path``."""
        try:
            request_type, data = self._open_envelope(path, form)
            if request_type == "1007":
                return self._issue(data)
            if request_type == "1147":
                return self._cancel(data)
            if request_type in ("8001", "1002"):
                return self._track(data, detailed=request_type == "8001")
            return self._subscribe(data)
        except Refusal as refusal:
            return self.failure(refusal.code, refusal.reason)

    def failure(self, code: str, reason: str) -> dict[str, Any]:
        return {"EBusinessID": SANDBOX_EBUSINESS_ID, "Success": False, "ResultCode": code, "Reason": reason}

    def _open_envelope(self, path: str, form: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        for name in ("RequestType", "EBusinessID", "RequestData", "DataSign"):
            if not form.get(name):
                raise Refusal("101", f"缺少必填参数: {name}")
        if form.get("DataType", "2") != "2":
            raise Refusal("103", "非法参数[DataType]，仅支持 DataType=2 (JSON)")
        request_type = form["RequestType"]
        if request_type not in ROUTES.get(path, frozenset()):
            raise Refusal("103", f"非法参数[RequestType]：{request_type} 不能发往 {path}")
        if form["EBusinessID"] != SANDBOX_EBUSINESS_ID:
            raise Refusal("104", "非法参数[EBusinessID]：商户ID不存在")
        if not verify_sign(form["RequestData"], SANDBOX_APP_KEY, form["DataSign"]):
            raise Refusal("102", "非法参数[DataSign]")
        try:
            data = json.loads(form["RequestData"])
        except ValueError:
            raise Refusal("103", "非法参数[RequestData]：不是有效的JSON") from None
        if not isinstance(data, dict):
            raise Refusal("103", "非法参数[RequestData]：应为JSON对象")
        return request_type, data

    # -- 1007

    @staticmethod
    def _require(data: Mapping[str, Any], prefix: str, names: Iterable[str]) -> None:
        for name in names:
            value = data.get(name)
            if name == "Mobile":
                value = _text(value) or _text(data.get("Tel"))
            if value is None or (isinstance(value, str) and not value.strip()) or value == []:
                raise Refusal("101", f"缺少必填参数: {prefix}{name}")

    def _validate_issue(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], int]:
        self._require(data, "", ("ShipperCode", "OrderCode", "PayType", "Sender", "Receiver", "Commodity"))
        shipper = _text(data["ShipperCode"])
        if shipper not in SUPPORTED_SHIPPERS:
            raise Refusal("102", f"非法参数[ShipperCode]：不支持的快递公司编码 {shipper}")
        if _text(data["PayType"]) not in ("1", "2", "3"):
            raise Refusal("102", "非法参数[PayType]")
        if _text(data["PayType"]) == "3" and not (
            _text(data.get("MonthCode")) or _text(data.get("CustomerName"))
        ):
            raise Refusal("101", "缺少必填参数: MonthCode")
        parties = []
        for role in ("Sender", "Receiver"):
            party = data[role]
            if not isinstance(party, dict):
                raise Refusal("103", f"非法参数[{role}]")
            self._require(party, f"{role}.", _PARTY_FIELDS)
            parties.append(party)
        goods = data["Commodity"]
        if not isinstance(goods, list) or not goods:
            raise Refusal("101", "缺少必填参数: Commodity")
        for item in goods:
            if not isinstance(item, dict):
                raise Refusal("103", "非法参数[Commodity]")
            self._require(item, "Commodity.", ("GoodsName",))
        try:
            raw_quantity = data.get("Quantity")
            quantity = 1 if raw_quantity in (None, "") else int(raw_quantity)
        except (TypeError, ValueError):
            raise Refusal("103", "非法参数[Quantity]") from None
        if not 1 <= quantity <= MAX_QUANTITY:
            raise Refusal("102", f"非法参数[Quantity]：包裹数应为 1-{MAX_QUANTITY}")
        return parties[0], parties[1], quantity

    def _scenario_for(self, remark: str, waybill_no: str, province: str) -> str:
        """The remark's ``[scenario:…]`` tag (a test's explicit choice), else one drawn from the mix: customs only
        for a cross-border parcel (a domestic one never goes through customs)."""
        tag = _SCENARIO_TAG.search(remark)
        if tag and tag.group(1) in SCENARIO_NAMES:
            return tag.group(1)
        mix = self.scenario_mix
        if not is_cross_border(province):
            mix = {name: share for name, share in mix.items() if name not in CROSS_BORDER_SCENARIOS}
        if mix:
            return _choose_by_hash(f"{self.seed}:{waybill_no}", mix)
        return "normal"

    def issue_record(
        self,
        order_code: str,
        shipper: str,
        quantity: int,
        o_area: KdniaoArea,
        d_area: KdniaoArea,
        address: str,
        remark: str,
        phone_tails: list[str],
        *,
        fresh: bool = False,
    ) -> tuple[SandboxRecord, bool]:
        """(record, already): the waybill issued for ``order_code`` before, or a new one (``fresh``: a new one
        even when there is one, as Kuaidi100 does without ``reorder`` false). Shared by both protocols."""
        refused = _OUT_OF_AREA_TAG.search(address)
        if refused and shipper in refused.group(1).upper().split(","):
            raise Refusal("105", OUT_OF_AREA_REASON.format(shipper=shipper))

        def build(next_counter: Callable[[], int], taken: Callable[[str], bool]) -> SandboxRecord:
            if shipper in self.quota:  # under the store's lock: two requests never take the last one both
                if self.quota[shipper] <= 0:
                    raise Refusal("105", NO_QUOTA_REASON)
                self.quota[shipper] -= 1
            numbers: list[str] = []
            counter = 0
            while len(numbers) < quantity:
                counter = next_counter()
                number = waybill_number(shipper, self.seed, counter)
                if not taken(number) and number not in numbers:
                    numbers.append(number)
            issued_at = self.now().replace(microsecond=0)
            routing = routing_for(d_area.province, d_area.city, d_area.district, address)
            origin_code, origin_name = origin_for(o_area.province, o_area.city, o_area.district)
            return SandboxRecord(
                order_code=order_code,
                shipper_code=shipper,
                waybill_no=numbers[0],
                children=numbers[1:],
                issued_at=issued_at,
                counter=counter,
                scenario=self._scenario_for(remark, numbers[0], d_area.province),
                mark_destination=routing.mark_destination,
                sorting_code=routing.sorting_code,
                package_name=routing.package_name,
                package_code=routing.package_code,
                origin_code=origin_code,
                origin_name=origin_name,
                estimated_delivery=estimated_delivery(issued_at),
                o_city=o_area.city,
                o_area=o_area.district,
                d_city=d_area.city,
                d_area=d_area.district,
                phone_tails=phone_tails,
            )

        return self.store.issue(order_code, build, fresh=fresh)

    def _issue(self, data: dict[str, Any]) -> dict[str, Any]:
        sender, receiver, quantity = self._validate_issue(data)
        order_code = _text(data["OrderCode"])
        shipper = _text(data["ShipperCode"])
        o_area = kdniao_area(
            _text(sender["ProvinceName"]), _text(sender["CityName"]), _text(sender["ExpAreaName"])
        )
        d_area = kdniao_area(
            _text(receiver["ProvinceName"]), _text(receiver["CityName"]), _text(receiver["ExpAreaName"])
        )
        record, already = self.issue_record(
            order_code, shipper, quantity, o_area, d_area, _text(receiver["Address"]), _text(data.get("Remark")),
            phone_tails(sender) + phone_tails(receiver),
        )  # fmt: skip
        if already:
            if record.cancelled:
                raise Refusal("105", "该订单编号的运单已取消，请使用新的订单编号(OrderCode)重新下单")
            if record.shipper_code != shipper:
                raise Refusal("105", f"订单编号重复：该订单编号已用于 {record.shipper_code}")
            if self.duplicate_answer == "907":
                return self._duplicate_907(record)
        return self._issue_answer(record, already)

    def _duplicate_907(self, record: SandboxRecord) -> dict[str, Any]:
        """What Kdniao really answers for some accounts when an OrderCode is asked again: a failure that says the
        order exists, with no waybill number (the shape of shared/data/kdniao/1007_real_failure_…907.json)."""
        return {
            "Order": {"ShipperCode": record.shipper_code, "OrderCode": record.order_code},
            "EBusinessID": SANDBOX_EBUSINESS_ID,
            "UniquerRequestNumber": hashlib.md5(f"{record.order_code}:again".encode()).hexdigest(),
            "ResultCode": "E-LOGISTICSEX-907",
            "Reason": DUPLICATE_907_REASON,
            "Success": False,
        }

    def _issue_answer(self, record: SandboxRecord, already: bool) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "EBusinessID": SANDBOX_EBUSINESS_ID,
            "Success": True,
            "ResultCode": "106" if already else "100",
            "Reason": "订单已存在，返回原运单号" if already else "成功",
            "UniquerRequestNumber": hashlib.md5(f"{record.order_code}:{record.counter}".encode()).hexdigest(),
            "EstimatedDeliveryTime": record.estimated_delivery,
            "Order": {
                "OrderCode": record.order_code,
                "ShipperCode": record.shipper_code,
                "LogisticCode": record.waybill_no,
                "MarkDestination": record.mark_destination,
                "SortingCode": record.sorting_code,
                "PackageName": record.package_name,
                "PackageCode": record.package_code,
                "OriginCode": record.origin_code,
                "OriginName": record.origin_name,
            },
        }
        if record.children:
            answer["SubCount"] = len(record.children)
            answer["SubOrders"] = ",".join(record.children)
        return answer

    # -- 1147

    def _cancel(self, data: dict[str, Any]) -> dict[str, Any]:
        self._require(data, "", ("ShipperCode", "ExpNo"))
        number = _text(data["ExpNo"])
        record = self.store.find(number)
        if record is None or record.shipper_code != _text(data["ShipperCode"]) or number != record.waybill_no:
            raise Refusal("105", f"运单号不存在或不属于该账号：{number}")
        order_code = _text(data.get("OrderCode"))
        if order_code and order_code != record.order_code:
            raise Refusal("105", "订单编号与运单号不匹配")
        if not record.cancelled:
            if visible_steps(self.store.scenario_of(record), record.issued_at, self.now()):
                raise Refusal("105", "快件已揽收，无法取消运单")
            self.store.cancel(number)
            reason = "成功"
        else:
            reason = "运单已取消"
        return {"EBusinessID": SANDBOX_EBUSINESS_ID, "Success": True, "ResultCode": "100", "Reason": reason}

    # -- 8001 / 1002 / subscribe

    def track_fields(self, record: SandboxRecord, *, detailed: bool = True) -> dict[str, Any]:
        places = Places(record.o_city, record.o_area, record.d_city, record.d_area)
        scenario = self.store.scenario_of(record)
        return tracking_fields(
            scenario, record.issued_at, self.now(), places, detailed=detailed, messy=self.messy
        )

    def _track(self, data: dict[str, Any], *, detailed: bool) -> dict[str, Any]:
        self._require(data, "", ("ShipperCode", "LogisticCode"))
        shipper = _text(data["ShipperCode"])
        number = _text(data["LogisticCode"])
        record = self.store.find(number)
        if shipper == "SF":
            tail = _text(data.get("CustomerName"))
            if not tail:
                raise Refusal("101", "缺少必填参数: CustomerName（顺丰查询需提供寄件人或收件人手机号后四位）")
            if record is not None and record.phone_tails and tail not in record.phone_tails:
                raise Refusal("102", "非法参数[CustomerName]：手机号后四位不匹配")
        answer: dict[str, Any] = {
            "EBusinessID": SANDBOX_EBUSINESS_ID,
            "OrderCode": _text(data.get("OrderCode")),
            "ShipperCode": shipper,
            "LogisticCode": number,
            "Success": True,
        }
        if record is None or record.cancelled or record.shipper_code != shipper:
            answer.update(State="0", Reason="暂无轨迹信息", Traces=[])
            if detailed:
                answer.update(StateEx="0", Location="")
            return answer
        answer["Reason"] = ""
        answer.update(self.track_fields(record, detailed=detailed))
        return answer

    def _subscribe(self, data: dict[str, Any]) -> dict[str, Any]:
        self._require(data, "", ("ShipperCode", "LogisticCode"))
        record = self.store.find(_text(data["LogisticCode"]))
        answer: dict[str, Any] = {
            "EBusinessID": SANDBOX_EBUSINESS_ID,
            "UpdateTime": format_carrier_time(self.now()),
            "Success": True,
            "Reason": "",
        }
        if record is not None:
            answer["EstimatedDeliveryTime"] = record.estimated_delivery
        return answer

    # -- pushes (for testing a push receiver)

    def push_form(self, waybill_nos: Iterable[str]) -> dict[str, str]:
        """A 102 push as Kdniao would POST it (decoded form fields; DataSign not URL-encoded)."""
        items = []
        for number in waybill_nos:
            record = self.store.find(number)
            if record is None:
                continue
            item: dict[str, Any] = {
                "EBusinessID": SANDBOX_EBUSINESS_ID,
                "ShipperCode": record.shipper_code,
                "LogisticCode": number,
                "OrderCode": record.order_code,
                "Success": True,
                "Reason": "",
            }
            item.update(self.track_fields(record))
            items.append(item)
        payload = {
            "EBusinessID": SANDBOX_EBUSINESS_ID,
            "PushTime": format_carrier_time(self.now()),
            "Count": str(len(items)),
            "Data": items,
        }
        request_data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return {
            "RequestType": "102",
            "RequestData": request_data,
            "DataSign": data_sign(request_data, SANDBOX_APP_KEY),
        }
