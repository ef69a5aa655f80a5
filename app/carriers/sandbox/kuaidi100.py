"""The sandbox carrier speaking Kuaidi100: e-waybill v2 at ``/label/order`` (``order``, ``cancel``), the real-time
query at ``/poll/query.do``, the subscription at ``/poll``, and pushes to a subscribed callback.

Same store, numbers and simulated journeys as the Kdniao side (a parcel issued through either protocol can be
tracked through either). Checks the signatures with the sandbox's fixed demo credentials and honours ``reorder``:
false returns the first waybill for an ``orderId`` again; true (Kuaidi100's default) issues a new one every call.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.carriers.base import format_carrier_time
from app.carriers.kdniao.address import PROVINCES, KdniaoArea, kdniao_area
from app.carriers.kdniao.parse import text as _text
from app.carriers.kuaidi100.codes import KUAIDICOM_TO_SHIPPER, shipper_code_for
from app.carriers.kuaidi100.sign import order_sign, push_sign, query_sign, same_sign
from app.carriers.sandbox.numbers import SUPPORTED_SHIPPERS
from app.carriers.sandbox.protocol import MAX_QUANTITY, Refusal, SandboxCarrier, phone_tails
from app.carriers.sandbox.state import SandboxRecord
from app.carriers.sandbox.traces import Places, step_fields, visible_steps

SANDBOX_K100_KEY = "kuaidan-sandbox-k100-key"
SANDBOX_K100_SECRET = "kuaidan-sandbox-k100-secret"
SANDBOX_K100_CUSTOMER = "KUAIDANSANDBOX0001"
SANDBOX_K100_SALT = "kuaidan-sandbox-salt"

ORDER_PATH = "/label/order"
QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"
K100_ROUTES = frozenset({ORDER_PATH, QUERY_PATH, SUBSCRIBE_PATH})

#: Kdniao StateEx of a journey step -> Kuaidi100 (state, statusCode, status word).
K100_CODES: dict[str, tuple[str, str, str]] = {
    "1": ("1", "103", "揽收"), "10": ("1", "102", "揽收"),
    "2": ("0", "1002", "在途"), "204": ("0", "1002", "在途"), "206": ("0", "1002", "在途"),
    "201": ("0", "1001", "在途"), "205": ("0", "1001", "在途"),
    "202": ("5", "5", "派件"), "211": ("5", "501", "派件"),
    "3": ("3", "301", "签收"), "301": ("3", "301", "签收"), "302": ("3", "302", "签收"),
    "304": ("3", "303", "签收"), "311": ("3", "304", "签收"),
    "401": ("2", "2", "疑难"), "402": ("2", "201", "疑难"), "403": ("2", "202", "疑难"),
    "404": ("14", "14", "拒签"), "405": ("2", "204", "疑难"), "406": ("4", "4", "退签"), "407": ("6", "6", "退回"),
    "412": ("2", "205", "疑难"), "415": ("4", "401", "销单"), "420": ("2", "2", "疑难"),
    "5": ("7", "7", "转投"), "6": ("8", "8", "清关"), "601": ("10", "10", "待清关"), "602": ("11", "11", "清关中"),
    "603": ("12", "12", "已清关"), "604": ("13", "13", "清关异常"),
}  # fmt: skip
#: The words Kuaidi100 writes for a flag that has no scan of its own (Kdniao shows these as a bare StateEx).
FLAG_TEXTS = {
    "401": "快件发出后暂无揽收信息",
    "402": "快件超时未签收",
    "403": "快件超时未更新物流信息",
    "412": "快件在驿站超时未取",
    "415": "寄件人已取消运单（已销单）",
}
_K100_PHONES = ("mobile", "tel")
NO_RESULT = {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}

_ADDRESS = re.compile(
    r"^(?P<province>北京|上海|天津|重庆|[^省市]{2,3}省|.{2,8}?自治区|.{2}特别行政区)?市?"
    r"(?P<city>.{1,10}?(?:市|自治州|州|盟|地区))?"
    r"(?P<district>.{1,10}?(?:区|县|市|旗))?"
)


def split_print_addr(print_addr: str) -> tuple[KdniaoArea, str]:
    """A ``printAddr`` line as its area (province, city, district) and the rest."""
    m = _ADDRESS.match(print_addr.strip())
    province = (m.group("province") if m else "") or ""
    city = (m.group("city") if m else "") or ""
    district = (m.group("district") if m else "") or ""
    rest = print_addr.strip()[m.end() :] if m else print_addr.strip()
    if province in ("北京", "上海", "天津", "重庆") and not city:
        city = province + "市"
    if province and province not in PROVINCES and province not in PROVINCES.values():
        province = province.removesuffix("省")
    return kdniao_area(province, city, district), rest


class SandboxKuaidi100:
    """Kuaidi100's answers over the sandbox carrier's store (no HTTP here)."""

    def __init__(self, carrier: SandboxCarrier) -> None:
        self.carrier = carrier
        self.subscriptions: dict[str, tuple[str, str]] = {}  # waybill -> (callback URL, salt)

    def answer(self, path: str, form: Mapping[str, str]) -> dict[str, Any]:
        try:
            if path == ORDER_PATH:
                return self._label(form)
            if path == QUERY_PATH:
                return self._query(form)
            return self._subscribe(form)
        except Refusal as refusal:
            return self.failure(path, refusal.code, refusal.reason)

    @staticmethod
    def failure(path: str, code: str, message: str) -> dict[str, Any]:
        if path == ORDER_PATH:
            return {
                "success": False,
                "code": int(code) if code.isdigit() else code,
                "message": message,
                "data": None,
            }
        return {"result": False, "returnCode": code, "message": message}

    # -- /label/order

    def _label(self, form: Mapping[str, str]) -> dict[str, Any]:
        for name in ("method", "key", "t", "param", "sign"):
            if not form.get(name):
                raise Refusal("30001", f"参数错误：缺少 {name}")
        if form["key"] != SANDBOX_K100_KEY:
            raise Refusal("30003", "授权key不存在或账号未开通电子面单")
        if not same_sign(
            order_sign(form["param"], form["t"], form["key"], SANDBOX_K100_SECRET), form["sign"]
        ):
            raise Refusal("30002", "签名验证失败")
        try:
            param = json.loads(form["param"])
        except ValueError:
            raise Refusal("30001", "参数错误：param 不是有效的JSON") from None
        if not isinstance(param, dict):
            raise Refusal("30001", "参数错误：param 应为JSON对象")
        if form["method"] == "order":
            return self._order(param)
        if form["method"] == "cancel":
            return self._cancel(param)
        raise Refusal("30001", f"参数错误：不支持的 method {form['method']}")

    @staticmethod
    def _shipper(param: Mapping[str, Any]) -> str:
        com = _text(param.get("kuaidicom")).lower()
        shipper = KUAIDICOM_TO_SHIPPER.get(com, "")
        if shipper not in SUPPORTED_SHIPPERS:
            raise Refusal("30004", f"暂不支持该快递公司：{com or '（空）'}")
        return shipper

    def _man(self, param: Mapping[str, Any], role: str) -> dict[str, Any]:
        man = param.get(role)
        if not isinstance(man, dict):
            raise Refusal("30001", f"参数错误：缺少 {role}")
        for name in ("name", "printAddr"):
            if not _text(man.get(name)):
                raise Refusal("30001", f"参数错误：缺少 {role}.{name}")
        if not (_text(man.get("mobile")) or _text(man.get("tel"))):
            raise Refusal("30001", f"参数错误：缺少 {role}.mobile")
        return man

    def _order(self, param: dict[str, Any]) -> dict[str, Any]:
        shipper = self._shipper(param)
        order_id = _text(param.get("orderId"))
        if not order_id or len(order_id) > 64:
            raise Refusal("30001", "参数错误：orderId 为空或超过64个字符")
        receiver = self._man(param, "recMan")
        sender = self._man(param, "sendMan")
        if not _text(param.get("cargo")):
            raise Refusal("30001", "参数错误：缺少 cargo（物品名称）")
        try:
            count = int(param.get("count") or 1)
        except (TypeError, ValueError):
            raise Refusal("30001", "参数错误：count") from None
        if not 1 <= count <= MAX_QUANTITY:
            raise Refusal("30001", f"参数错误：count 应为 1-{MAX_QUANTITY}")
        o_area, _ = split_print_addr(_text(sender["printAddr"]))
        d_area, street = split_print_addr(_text(receiver["printAddr"]))
        reorder = param.get("reorder", True) not in (False, "false", "0", 0)
        record, already = self.carrier.issue_record(
            order_id, shipper, count, o_area, d_area, street, _text(param.get("remark")),
            phone_tails(sender, _K100_PHONES) + phone_tails(receiver, _K100_PHONES), fresh=reorder,
        )  # fmt: skip
        if already:
            if record.cancelled:
                raise Refusal("30005", "该订单已取消，请使用新的 orderId 下单")
            if record.shipper_code != shipper:
                raise Refusal("30005", f"orderId 重复：已用于 {record.shipper_code}")
        return {"success": True, "code": 200, "message": "success", "data": self._order_data(record)}

    @staticmethod
    def _order_data(record: SandboxRecord) -> dict[str, Any]:
        com = next(c for c, s in KUAIDICOM_TO_SHIPPER.items() if s == record.shipper_code)
        return {
            "taskId": hashlib.md5(f"{record.order_code}:{record.counter}".encode()).hexdigest().upper(),
            "orderId": record.order_code,
            "kuaidicom": com,
            "kuaidinum": record.waybill_no,
            "childNum": ",".join(record.children),
            "returnNum": "",
            "bulkpen": record.mark_destination,
            "destSortingCode": record.sorting_code,
            "pkgName": record.package_name,
            "pkgCode": record.package_code,
            "orgCode": record.origin_code,
            "orgName": record.origin_name,
            "label": "",
        }

    def _cancel(self, param: dict[str, Any]) -> dict[str, Any]:
        shipper = self._shipper(param)
        number = _text(param.get("kuaidinum"))
        record = self.carrier.store.find(number)
        if record is None or record.shipper_code != shipper or number != record.waybill_no:
            raise Refusal("30005", f"运单号不存在或不属于该账号：{number}")
        order_id = _text(param.get("orderId"))
        if order_id and order_id != record.order_code:
            raise Refusal("30005", "orderId 与运单号不匹配")
        if not record.cancelled:
            if visible_steps(self.carrier.store.scenario_of(record), record.issued_at, self.carrier.now()):
                raise Refusal("30005", "快件已揽收，无法取消")
            self.carrier.store.cancel(number)
        return {"success": True, "code": 200, "message": "success", "data": None}

    # -- /poll/query.do

    def _query(self, form: Mapping[str, str]) -> dict[str, Any]:
        for name in ("customer", "sign", "param"):
            if not form.get(name):
                raise Refusal("400", f"提交的数据不完整：缺少 {name}")
        if form["customer"] != SANDBOX_K100_CUSTOMER:
            raise Refusal("601", "customer 不存在或 key 已过期")
        if not same_sign(query_sign(form["param"], SANDBOX_K100_KEY, form["customer"]), form["sign"]):
            raise Refusal("503", "验证签名失败")
        try:
            param = json.loads(form["param"])
        except ValueError:
            raise Refusal("400", "param 不是有效的JSON") from None
        if not isinstance(param, dict) or not _text(param.get("com")) or not _text(param.get("num")):
            raise Refusal("400", "提交的数据不完整：com 或 num")
        shipper = shipper_code_for(_text(param["com"]))
        number = _text(param["num"])
        record = self.carrier.store.find(number)
        phone = _text(param.get("phone"))
        if shipper == "SF" and not phone:
            raise Refusal("408", "顺丰查询需提供收、寄件人的电话号码")
        if record is not None and phone and record.phone_tails and phone[-4:] not in record.phone_tails:
            raise Refusal("408", "您提交的电话号码有误，请核对")
        if record is None or record.cancelled or record.shipper_code != shipper:
            return dict(NO_RESULT)
        fields = self.track_fields(record, strings=False)
        return fields if fields["data"] else dict(NO_RESULT)

    def track_fields(self, record: SandboxRecord, *, strings: bool) -> dict[str, Any]:
        """A query answer (``strings``: as a push writes it, every code a string) for the parcel at sandbox now."""
        now: datetime = self.carrier.now()
        places = Places(record.o_city, record.o_area, record.d_city, record.d_area)
        fields = step_fields(places)
        traces: list[dict[str, Any]] = []
        state = "0"
        for moment, step in visible_steps(self.carrier.store.scenario_of(record), record.issued_at, now):
            state, code, word = K100_CODES.get(step.state_ex, ("2", "2", "疑难"))
            context = (
                step.text.format(**fields) if step.visible else FLAG_TEXTS.get(step.state_ex, "快件异常")
            )
            stamp = format_carrier_time(moment)
            where = record.o_city if step.where == "o" else record.d_city
            traces.append({"time": stamp, "ftime": stamp, "context": context, "location": where,
                           "areaName": where, "status": word, "statusCode": code})  # fmt: skip
        traces.reverse()  # newest first, as Kuaidi100 answers by default
        checked = state in ("3", "4")
        com = next(c for c, s in KUAIDICOM_TO_SHIPPER.items() if s == record.shipper_code)
        return {
            "message": "ok",
            "nu": record.waybill_no,
            "ischeck": ("1" if checked else "0") if strings else int(checked),
            "condition": "F00",
            "com": com,
            "status": "200" if strings else 200,
            "state": state if strings else int(state),
            "data": traces,
        }

    # -- /poll (subscribe) and pushes

    def _subscribe(self, form: Mapping[str, str]) -> dict[str, Any]:
        try:
            param = json.loads(form.get("param") or "")
        except ValueError:
            raise Refusal("700", "param 不是有效的JSON") from None
        if not isinstance(param, dict) or param.get("key") != SANDBOX_K100_KEY:
            raise Refusal("600", "您不是合法的订阅者（key 不正确）")
        number = _text(param.get("number"))
        parameters = param.get("parameters")
        options: dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        callback = _text(options.get("callbackurl"))
        if not number or not callback:
            raise Refusal("700", "订阅参数不完整：number 或 callbackurl")
        if number in self.subscriptions:
            raise Refusal("501", "重复订阅")
        self.subscriptions[number] = (callback, _text(options.get("salt")))
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def push_form(self, waybill_no: str, salt: str = SANDBOX_K100_SALT) -> dict[str, str]:
        """A push as Kuaidi100 POSTs it to a callback: ``param`` (every code a string) and ``sign``."""
        record = self.carrier.store.find(waybill_no)
        if record is None:
            raise KeyError(waybill_no)
        result = self.track_fields(record, strings=True)
        state = result["state"]
        payload = {
            "status": "shutdown" if state in ("3", "4") else "polling",
            "billstatus": "check" if state in ("3", "4") else "got",
            "message": "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": result,
        }
        param = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return {"param": param, "sign": push_sign(param, salt)}
