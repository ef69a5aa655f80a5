"""The Kuaidi100 (快递100 / 百递云) client: e-waybill v2 (``/label/order``: ``order``, ``cancel``), the real-time
query (``/poll/query.do``), the subscription (``/poll``) and reading its tracking pushes.

Every call is a form POST (UTF-8). ``param`` is compact JSON, serialised once and signed exactly as sent. The key,
secret and salt are never logged and never shown in a repr.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.carriers.base import (
    BadPush,
    CarrierConfigError,
    CarrierRejected,
    CarrierTransient,
    IssuedWaybill,
    IssueRequest,
    PushBatch,
    TrackResult,
)
from app.carriers.kdniao.parse import compact_json, text
from app.carriers.kuaidi100.codes import kuaidicom_for, shipper_code_for
from app.carriers.kuaidi100.parse import (
    cancel_param,
    check_cancel_answer,
    last_result,
    load_json,
    order_param,
    parse_order_answer,
    parse_query_answer,
    parse_track_data,
    push_payload,
    push_reply,
    query_param,
)
from app.carriers.kuaidi100.sign import order_sign, push_sign, query_sign, same_sign
from app.carriers.net import check_endpoint, derived_url
from app.carriers.transport import encode_fields, make_http, post_form

log = logging.getLogger(__name__)

PRODUCTION_ENDPOINT = "https://api.kuaidi100.com/label/order"
PRODUCTION_QUERY = "https://poll.kuaidi100.com/poll/query.do"
PRODUCTION_SUBSCRIBE = "https://poll.kuaidi100.com/poll"
ORDER_PATH = "/label/order"
QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"


@dataclass(frozen=True)
class Kuaidi100Config:
    key: str = field(repr=False)
    secret: str = field(repr=False)
    kuaidicom: str = ""
    customer: str = ""
    net: str = ""
    salt: str = field(default="", repr=False)
    endpoint: str = ""
    query_endpoint: str | None = None
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.key.strip() or not self.secret.strip():
            raise CarrierConfigError(
                "快递100账号缺少授权 key 或 secret", "The Kuaidi100 account lacks its key or secret"
            )
        check_endpoint(self.order_url, CarrierConfigError)
        check_endpoint(self.query_url, CarrierConfigError)
        check_endpoint(self.subscribe_url, CarrierConfigError)
        if self.timeout_s <= 0:
            raise CarrierConfigError("超时时间必须大于 0", "The timeout must be greater than 0")

    @property
    def order_url(self) -> str:
        return (self.endpoint or PRODUCTION_ENDPOINT).strip()

    @property
    def query_url(self) -> str:
        if self.query_endpoint:
            return self.query_endpoint.strip()
        return derived_url(self.endpoint, QUERY_PATH) if self.endpoint else PRODUCTION_QUERY

    @property
    def subscribe_url(self) -> str:
        return derived_url(self.endpoint, SUBSCRIBE_PATH) if self.endpoint else PRODUCTION_SUBSCRIBE


def order_form(method: str, param: str, key: str, secret: str, t: str) -> bytes:
    """The e-waybill form: ``param`` signed exactly as given with ``t`` (ms), then each field URL-encoded once."""
    return encode_fields(
        {"method": method, "key": key, "t": t, "param": param, "sign": order_sign(param, t, key, secret)}
    )


def query_form(param: str, key: str, customer: str) -> bytes:
    return encode_fields({"customer": customer, "sign": query_sign(param, key, customer), "param": param})


class Kuaidi100Client:
    """A CarrierClient over Kuaidi100's HTTP API. Thread-safe (one httpx.Client with a connection pool)."""

    def __init__(self, config: Kuaidi100Config, *, http: httpx.Client | None = None) -> None:
        self.config = config
        self._owns_http = http is None
        self._http = http or make_http((config.order_url, config.query_url), config.timeout_s)

    def __repr__(self) -> str:
        return f"Kuaidi100Client(kuaidicom={self.config.kuaidicom!r}, endpoint={self.config.order_url!r})"

    def _com(self, shipper_code: str) -> str:
        """The company code to ask with: the account's own for its carrier, else from the table."""
        own = self.config.kuaidicom
        if own and shipper_code_for(own) == shipper_code.strip().upper():
            return own
        return kuaidicom_for(shipper_code) if shipper_code else own

    def _post(self, url: str, body: bytes) -> dict[str, Any]:
        return load_json(post_form(self._http, url, body, self.config.timeout_s))

    def label(self, method: str, param: Mapping[str, Any]) -> dict[str, Any]:
        """One ``/label/order`` call; the answer's JSON object."""
        text_param = compact_json(param)
        t = str(time.time_ns() // 1_000_000)
        log.debug("kuaidi100 %s -> %s (orderId %s)", method, self.config.order_url, param.get("orderId", ""))
        body = order_form(method, text_param, self.config.key, self.config.secret, t)
        return self._post(self.config.order_url, body)

    # -- CarrierClient

    def issue(self, req: IssueRequest) -> IssuedWaybill:
        if not req.goods:
            raise CarrierRejected(
                "", None, message_zh="面单请求缺少商品信息", message_en="The request has no goods"
            )
        param = order_param(req, kuaidicom=self._com(req.shipper_code), net=self.config.net)
        waybill = parse_order_answer(self.label("order", param), req)
        log.info("kuaidi100 issued %s for %s", waybill.waybill_no, req.order_code)
        return waybill

    def cancel(
        self,
        shipper_code: str,
        order_code: str,
        waybill_no: str,
        customer_name: str = "",
        customer_pwd: str = "",
    ) -> None:
        param = cancel_param(self._com(shipper_code), order_code, waybill_no, customer_name, customer_pwd)
        check_cancel_answer(self.label("cancel", param))

    def track(
        self, shipper_code: str, waybill_no: str, *, order_code: str = "", customer_name: str = ""
    ) -> TrackResult:
        """``customer_name`` is the receiver's last 4 phone digits (Kuaidi100's ``phone``)."""
        param = compact_json(query_param(self._com(shipper_code), waybill_no, customer_name))
        answer = self._post(self.config.query_url, query_form(param, self.config.key, self.config.customer))
        return parse_query_answer(answer, shipper_code=shipper_code, waybill_no=waybill_no)

    def subscribe(self, shipper_code: str, waybill_no: str, *, callback_url: str, phone: str = "") -> None:
        """Ask Kuaidi100 to push this waybill's tracking to ``callback_url`` (signed with the account's salt).
        A waybill subscribed before (returnCode 501) counts as subscribed."""
        check_endpoint(callback_url, CarrierConfigError)
        param = {
            "company": self._com(shipper_code),
            "number": waybill_no,
            "key": self.config.key,
            "parameters": {
                "callbackurl": callback_url,
                "salt": self.config.salt,
                "resultv2": "4",
                "phone": phone,
            },
        }
        body = encode_fields({"schema": "json", "param": compact_json(param)})
        answer = self._post(self.config.subscribe_url, body)
        code = text(answer.get("returnCode"))
        if answer.get("result") is True or code in ("200", "501"):
            return
        if code in ("500", "502", "503"):
            raise CarrierTransient(f"subscription not taken (returnCode {code})")
        message = answer.get("message")
        raise CarrierRejected(code, message if isinstance(message, str) else None)

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        return Kuaidi100PushReader(self.config.salt).read_push(form)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Kuaidi100Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------------- pushes


def push_claims(form: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The waybill a Kuaidi100 push names, as (shipper code, number), NOT verified: whose salt to check it with.
    NotAPush when the form has no ``param``; BadPush when it cannot be read."""
    record = last_result(push_payload(form))
    number = text(record.get("nu"))
    if not number:
        return ()
    com = text(record.get("com"))
    return ((shipper_code_for(com) if com else "", number),)


class Kuaidi100PushReader:
    """Reads the pushes signed with one account's salt. An account without a salt accepts none: anyone can compute
    ``MD5(param + "")``. No I/O."""

    def __init__(self, salt: str) -> None:
        self._salt = salt

    def __repr__(self) -> str:
        return "Kuaidi100PushReader()"

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        payload = push_payload(form)
        sign = form.get("sign")
        if not isinstance(sign, str):
            raise BadPush("sign missing")
        if not self._salt or not same_sign(push_sign(form["param"], self._salt), sign):
            return None
        record = last_result(payload)
        records = (parse_track_data(record),) if text(record.get("nu")) else ()
        return PushBatch(records, push_reply(accepted=True))
