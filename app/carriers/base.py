"""The carrier client protocol: the values that cross it and the errors a user sees.

Every carrier client (Kdniao, the sandbox, a future aggregator) takes and returns these plain frozen values, so
``waybills.py`` and ``tracking/`` never see a carrier's own JSON except in ``raw``.

Times: carriers in China answer in China Standard Time without a zone. ``Trace.time`` is kept that way (naive,
UTC+8); use :func:`carrier_now` when comparing with "now".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol

from app.domain import AnomalyKind, ParcelStatus
from app.errors import KuaidanError

#: The zone carrier times are written in (China Standard Time, no daylight saving).
CARRIER_TZ = timezone(timedelta(hours=8), "CST")

_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


def carrier_now() -> datetime:
    """The current time as carriers write it: naive, in China Standard Time."""
    return datetime.now(UTC).astimezone(CARRIER_TZ).replace(tzinfo=None)


def parse_carrier_time(text: object) -> datetime | None:
    """Parse a carrier time (``2014-06-25 08:05:37``, ``2014/06/25 08:05:37``, a bare date, …); None if unreadable.

    Single-digit months, days and hours (``2014/6/5 8:05:37``) are accepted too. The result is naive (carrier time).
    """
    if not isinstance(text, str):
        return None
    value = text.strip()
    if not value:
        return None
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.replace(tzinfo=None)
    return None


def format_carrier_time(moment: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss``, the form Kdniao writes and expects."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Party:
    """A sender or receiver as the carrier wants it (province/city/district as stored; clients normalise)."""

    name: str
    mobile: str
    tel: str
    province: str
    city: str
    district: str
    address: str
    company: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class Goods:
    name: str
    quantity: int = 1
    weight_kg: float = 0.0
    price: float = 0.0


@dataclass(frozen=True)
class IssueRequest:
    """One waybill request. ``order_code`` is the idempotency key: asking again with it returns the same waybill."""

    order_code: str
    shipper_code: str
    sender: Party
    receiver: Party
    goods: tuple[Goods, ...]
    quantity: int = 1
    weight_kg: float = 0.0
    remark: str = ""
    pay_type: int = 1
    exp_type: int = 1
    customer_name: str = ""
    customer_pwd: str = field(default="", repr=False)
    month_code: str = ""
    is_notice: int = 1
    template_size: str = ""


@dataclass(frozen=True)
class IssuedWaybill:
    order_code: str
    shipper_code: str
    waybill_no: str
    mark_destination: str  # 大头笔
    sorting_code: str  # 三段码
    package_name: str  # 集包地
    package_code: str
    origin_code: str
    origin_name: str
    child_waybill_nos: tuple[str, ...]
    estimated_delivery: str  # as the carrier wrote it ("" if none); parse with parse_carrier_time
    already_issued: bool  # the carrier had issued it before (result 106): same number as the first time
    raw: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Trace:
    time: datetime  # naive, carrier time (UTC+8)
    station: str
    location: str
    action: str  # the carrier's own code for this trace ("" if none)


@dataclass(frozen=True)
class TrackResult:
    waybill_no: str
    shipper_code: str
    state: str  # the carrier's basic State, as text ("" if absent)
    state_ex: str  # the carrier's detailed StateEx, as text ("" if absent)
    status: ParcelStatus
    anomaly_hint: AnomalyKind | None
    location: str
    traces: tuple[Trace, ...]  # ascending by time
    estimated_delivery: str
    raw: dict[str, Any] = field(compare=False, repr=False)

    @property
    def last_trace(self) -> Trace | None:
        return self.traces[-1] if self.traces else None


# --------------------------------------------------------------------------------------------------- errors


class CarrierError(KuaidanError):
    """A carrier problem a user should read: ``message_zh`` and ``message_en``; ``str()`` gives both."""


class CarrierRejected(CarrierError):
    """The carrier said no (a business answer). Never retried: asking again gives the same answer.

    ``reason`` is the carrier's text exactly as it came (None when the carrier sent null).
    """

    def __init__(
        self, result_code: str, reason: str | None, *, message_zh: str = "", message_en: str = ""
    ) -> None:
        shown = reason if reason else "（无说明）"
        shown_en = reason if reason else "(no reason given)"
        code = f"，代码 {result_code}" if result_code else ""
        code_en = f", code {result_code}" if result_code else ""
        super().__init__(
            message_zh or f"快递公司拒绝了请求：{shown}{code}",
            message_en or f"The carrier rejected the request: {shown_en}{code_en}",
        )
        self.result_code = result_code
        self.reason = reason


class CarrierAlreadyIssued(CarrierRejected):
    """The carrier says this OrderCode was issued before, but gives no waybill number (Kdniao answers
    ``ResultCode "E-LOGISTICSEX-907"``, ``Success false``). Not a failure: a waybill exists that we cannot name. The
    order needs a person (``needs_attention``); asking under a new OrderCode would make a second waybill."""


class CarrierTransient(CarrierError):
    """The answer was lost or unreadable (timeout, HTTP 5xx, connection error, garbled JSON).

    Safe to retry with the same OrderCode: the carrier answers 106 with the same waybill if it had issued one.
    """

    def __init__(self, detail: str, *, message_zh: str = "", message_en: str = "") -> None:
        super().__init__(
            message_zh or f"快递公司暂时没有正常应答，稍后会自动重试（{detail}）",
            message_en or f"The carrier did not answer properly; it will be retried ({detail})",
        )
        self.detail = detail


class CarrierConfigError(CarrierError):
    """The carrier account is set up wrongly (bad endpoint, missing credentials, plain http to a remote host)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)


class BadPush(CarrierError):
    """A push from the carrier that cannot be read."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"无法识别的快递推送：{detail}", f"Unreadable carrier push: {detail}")
        self.detail = detail


class BadSignature(BadPush):
    """A push whose DataSign does not match: not from the carrier (or another account's key)."""

    def __init__(self) -> None:
        CarrierError.__init__(
            self, "快递推送签名不正确，已拒收", "The carrier push has a wrong signature; refused"
        )
        self.detail = "DataSign mismatch"


# --------------------------------------------------------------------------------------------------- protocol


class CarrierClient(Protocol):
    """What every carrier client offers. Methods block; call them from a worker, never the GUI thread.

    ``issue`` raises CarrierRejected (record as failed), CarrierTransient (retry with the same order_code) or
    CarrierConfigError (stop the batch: the account is wrong).
    """

    def issue(self, req: IssueRequest) -> IssuedWaybill: ...

    def cancel(
        self,
        shipper_code: str,
        order_code: str,
        waybill_no: str,
        customer_name: str = "",
        customer_pwd: str = "",
    ) -> None: ...

    def track(
        self, shipper_code: str, waybill_no: str, *, order_code: str = "", customer_name: str = ""
    ) -> TrackResult: ...

    def close(self) -> None: ...
