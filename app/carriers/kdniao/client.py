"""The Kdniao (快递鸟) client: 1007 issue, 1147 cancel, 8001 tracking, and reading 101/102 tracking pushes.

Every call is a form POST (UTF-8) of RequestType, EBusinessID, RequestData (compact JSON, serialised once and
signed exactly as sent), DataSign and DataType=2. The AppKey is never logged and never shown in a repr.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from app.carriers.base import (
    BadPush,
    BadSignature,
    CarrierConfigError,
    CarrierRejected,
    IssuedWaybill,
    IssueRequest,
    NotAPush,
    PushBatch,
    TrackResult,
    carrier_now,
    format_carrier_time,
)
from app.carriers.kdniao.parse import (
    check_plain_answer,
    compact_json,
    issue_data,
    load_answer,
    parse_issue_answer,
    parse_track_answer,
    parse_track_data,
    text,
)
from app.carriers.kdniao.sign import data_sign, verify_sign
from app.carriers.net import check_endpoint, derived_url
from app.carriers.transport import encode_fields, make_http, post_form

log = logging.getLogger(__name__)

PRODUCTION_ENDPOINT = "https://api.kdniao.com/api/EOrderService"
EORDER_PATH = "/api/EOrderService"
TRACKING_PATH = "/Ebusiness/EbusinessOrderHandle.aspx"

REQ_ISSUE = "1007"
REQ_CANCEL = "1147"
REQ_TRACK_BASIC = "1002"
REQ_TRACK = "8001"
PUSH_TYPES = frozenset({"101", "102"})


@dataclass(frozen=True)
class KdniaoConfig:
    ebusiness_id: str
    app_key: str = field(repr=False)
    endpoint: str = PRODUCTION_ENDPOINT
    tracking_endpoint: str | None = None
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.ebusiness_id.strip() or not self.app_key.strip():
            raise CarrierConfigError(
                "快递鸟账号缺少商户ID（EBusinessID）或 AppKey",
                "The Kdniao account lacks its EBusinessID or AppKey",
            )
        # the one endpoint check (app.carriers.net), on the URL given and on the tracking URL derived from it
        check_endpoint(self.endpoint, CarrierConfigError)
        check_endpoint(self.tracking_url, CarrierConfigError)
        if self.timeout_s <= 0:
            raise CarrierConfigError("超时时间必须大于 0", "The timeout must be greater than 0")

    @property
    def eorder_url(self) -> str:
        return self.endpoint.strip()

    @property
    def tracking_url(self) -> str:
        return (self.tracking_endpoint or derived_url(self.endpoint, TRACKING_PATH)).strip()


def encode_form(request_type: str, ebusiness_id: str, request_data: str, app_key: str) -> bytes:
    """The form body: RequestData signed exactly as given, then RequestData and DataSign URL-encoded once."""
    fields = {
        "RequestType": request_type,
        "EBusinessID": ebusiness_id,
        "RequestData": request_data,
        "DataSign": data_sign(request_data, app_key),
        "DataType": "2",
    }
    return encode_fields(fields)


class KdniaoClient:
    """A CarrierClient over Kdniao's HTTP API. Thread-safe (one httpx.Client with a connection pool)."""

    def __init__(self, config: KdniaoConfig, *, http: httpx.Client | None = None) -> None:
        self.config = config
        self._owns_http = http is None
        if http is None:
            http = make_http((config.eorder_url, config.tracking_url), config.timeout_s)
        self._http = http

    def __repr__(self) -> str:
        return f"KdniaoClient(ebusiness_id={self.config.ebusiness_id!r}, endpoint={self.config.endpoint!r})"

    # -- the envelope

    def call(self, url: str, request_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """POST one request; the answer's JSON object. Raises CarrierTransient / CarrierRejected / CarrierConfigError."""
        request_data = compact_json(data)
        body = encode_form(request_type, self.config.ebusiness_id, request_data, self.config.app_key)
        log.debug("kdniao %s -> %s (OrderCode %s)", request_type, url, data.get("OrderCode", ""))
        return load_answer(post_form(self._http, url, body, self.config.timeout_s))

    # -- CarrierClient

    def issue(self, req: IssueRequest) -> IssuedWaybill:
        if not req.goods:
            raise CarrierRejected(
                "", None, message_zh="面单请求缺少商品信息", message_en="The request has no goods"
            )
        answer = self.call(self.config.eorder_url, REQ_ISSUE, issue_data(req))
        waybill = parse_issue_answer(answer, req)
        log.info(
            "kdniao issued %s for %s%s",
            waybill.waybill_no,
            req.order_code,
            " (again)" if waybill.already_issued else "",
        )
        return waybill

    def cancel(
        self,
        shipper_code: str,
        order_code: str,
        waybill_no: str,
        customer_name: str = "",
        customer_pwd: str = "",
    ) -> None:
        data: dict[str, Any] = {"ShipperCode": shipper_code, "OrderCode": order_code, "ExpNo": waybill_no}
        if customer_name:
            data["CustomerName"] = customer_name
        if customer_pwd:
            data["CustomerPwd"] = customer_pwd
        check_plain_answer(self.call(self.config.eorder_url, REQ_CANCEL, data))

    def track(
        self, shipper_code: str, waybill_no: str, *, order_code: str = "", customer_name: str = ""
    ) -> TrackResult:
        data: dict[str, Any] = {
            "OrderCode": order_code,
            "ShipperCode": shipper_code,
            "LogisticCode": waybill_no,
        }
        if customer_name:
            data["CustomerName"] = customer_name
        answer = self.call(self.config.tracking_url, REQ_TRACK, data)
        return parse_track_answer(answer, shipper_code=shipper_code, waybill_no=waybill_no)

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        return KdniaoPushReader(self.config.ebusiness_id, self.config.app_key).read_push(form)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> KdniaoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------------------------------------- pushes


def parse_push(form: Mapping[str, str], app_key: str) -> list[TrackResult]:
    """The tracking records of a 101/102 push. BadSignature unless DataSign matches (constant-time compare).

    ``form`` is the decoded form (the push's DataSign is not URL-encoded: use it as it came).
    """
    request_data = form.get("RequestData")
    sign = form.get("DataSign")
    if not isinstance(request_data, str) or not isinstance(sign, str):
        raise BadPush("RequestData or DataSign missing")
    if not verify_sign(request_data, app_key, sign):
        raise BadSignature()
    try:
        payload = json.loads(request_data)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        raise BadPush("RequestData is not JSON") from None
    if not isinstance(payload, dict):
        raise BadPush("RequestData is not an object")
    items = payload.get("Data")
    if not isinstance(items, list):
        return []
    return [parse_track_data(item) for item in items if isinstance(item, dict) and item.get("LogisticCode")]


def push_claims(form: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The waybills a 101/102 push names, as (ShipperCode, LogisticCode), NOT verified: which waybills it is about,
    so that it can be checked with the key of the account that issued each one. NotAPush / BadPush as ``read_push``.
    """
    if form.get("RequestType") not in PUSH_TYPES:
        raise NotAPush("RequestType must be 101 or 102")
    request_data = form.get("RequestData")
    if not isinstance(request_data, str):
        raise BadPush("RequestData missing")
    try:
        payload = json.loads(request_data)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        raise BadPush("RequestData is not JSON") from None
    if not isinstance(payload, dict):
        raise BadPush("RequestData is not an object")
    items = payload.get("Data")
    if not isinstance(items, list):
        return ()
    claims = (
        (text(item.get("ShipperCode")), text(item.get("LogisticCode")))
        for item in items
        if isinstance(item, dict)
    )
    return tuple((shipper, number) for shipper, number in claims if number)


def push_ack(ebusiness_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The JSON a push is acknowledged with."""
    return {
        "EBusinessID": ebusiness_id,
        "UpdateTime": format_carrier_time(now or carrier_now()),
        "Success": True,
        "Reason": "",
    }


class KdniaoPushReader:
    """Reads the pushes of one Kdniao merchant (EBusinessID), checked with its AppKey. No I/O, no connection."""

    def __init__(self, ebusiness_id: str, app_key: str) -> None:
        self.ebusiness_id = ebusiness_id
        self._app_key = app_key

    def __repr__(self) -> str:
        return f"KdniaoPushReader(ebusiness_id={self.ebusiness_id!r})"

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        """A 101/102 push for this merchant with a good DataSign; None if it is another merchant's or not signed
        with this AppKey; BadPush when it is no tracking push at all."""
        if form.get("RequestType") not in PUSH_TYPES:
            raise NotAPush("RequestType must be 101 or 102")
        request_data = form.get("RequestData")
        if not isinstance(request_data, str):
            raise BadPush("RequestData missing")
        try:
            sender = str(json.loads(request_data).get("EBusinessID") or "")
        except (ValueError, AttributeError, RecursionError):
            raise BadPush("RequestData is not a JSON object") from None
        if not self._app_key or sender != self.ebusiness_id:
            return None
        if "DataSign" in form:  # an unencoded sign's "+" read as " "
            form = {**form, "DataSign": form["DataSign"].replace(" ", "+")}
        try:
            records = parse_push(form, self._app_key)
        except BadSignature:
            return None
        return PushBatch(tuple(records), push_ack(self.ebusiness_id))
