"""The carrier client protocol: the values that cross it and the errors a user sees.

Every carrier client (Kdniao, the sandbox, a future aggregator) takes and returns these plain frozen values, so
``app/waybills`` and ``app/tracking`` never see a carrier's own JSON (except in ``raw``, for the record) and never
read a carrier's own codes: a client answers with the normalised :class:`~app.domain.ParcelStatus`, a normalised
:class:`CarrierProblem` for what the carrier flags as wrong, and times in UTC.

Times: carriers in China write China Standard Time without a zone; a client turns them into naive UTC (the store's
time) with :func:`carrier_time_to_utc` / :func:`parse_carrier_utc` before they leave it. :func:`carrier_now` and
:func:`format_carrier_time` are for the clients' (and the sandbox's) own requests and answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from app.clock import utcnow
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
    """The current time as carriers write it: naive, in China Standard Time (read from :mod:`app.clock`, so the
    in-process sandbox carrier and the store share one "now", the demo's accelerated one too)."""
    return utcnow().replace(tzinfo=UTC).astimezone(CARRIER_TZ).replace(tzinfo=None)


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


def carrier_time_to_utc(moment: datetime) -> datetime:
    """A naive carrier time (UTC+8) as naive UTC, the time every value of this protocol is in."""
    return moment.replace(tzinfo=CARRIER_TZ).astimezone(UTC).replace(tzinfo=None)


def parse_carrier_utc(text: object) -> datetime | None:
    """A carrier's time text (``2024-05-01 08:00:00``, slashes, a bare date) as naive UTC; None if unreadable."""
    moment = parse_carrier_time(text)
    return None if moment is None else carrier_time_to_utc(moment)


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
    estimated_delivery: datetime | None  # the carrier's estimate, naive UTC (None if it gave none)
    already_issued: bool  # the carrier had issued it before (result 106): same number as the first time
    raw: dict[str, Any] = field(compare=False, repr=False)


class ProblemCode(StrEnum):
    """What a carrier flags as wrong with a parcel, normalised: each client maps its carrier's own codes onto these.

    Each belongs to one anomaly kind (:attr:`CarrierProblem.kind`). Failed deliveries, refusals and returns are not
    problems here: they are parcel statuses of their own.
    """

    NO_SCAN = "no_scan"  # shipped, never scanned
    LATE = "late"  # not delivered by the carrier's estimate
    DELAYED = "delayed"  # the carrier announces a delay
    NO_UPDATE = "no_update"  # no new scan for too long
    UNCOLLECTED = "uncollected"  # waiting at a locker or station for too long
    CUSTOMS = "customs"  # held at customs
    INTERCEPTED = "intercepted"
    DAMAGED = "damaged"
    UNREACHABLE = "unreachable"  # the receiver cannot be reached
    TAKEN_OUT = "taken_out"
    REDELIVERY = "redelivery"
    ADDRESS_UNCLEAR = "address_unclear"
    WRONG_PHONE = "wrong_phone"
    MIS_SORTED = "mis_sorted"
    OUT_OF_AREA = "out_of_area"
    OTHER = "other"  # a problem the carrier does not name (or names with a code no table knows)


_PROBLEM_KINDS: dict[ProblemCode, AnomalyKind] = {
    ProblemCode.NO_SCAN: AnomalyKind.NO_PICKUP,
    ProblemCode.LATE: AnomalyKind.OVERDUE,
    ProblemCode.DELAYED: AnomalyKind.OVERDUE,
    ProblemCode.NO_UPDATE: AnomalyKind.STALLED,
    ProblemCode.UNCOLLECTED: AnomalyKind.PICKUP_POINT_UNCOLLECTED,
    ProblemCode.CUSTOMS: AnomalyKind.CUSTOMS_HOLD,
}


@dataclass(frozen=True)
class CarrierProblem:
    """The carrier says something is wrong: what (normalised) and in its own words ("" if it gave none)."""

    code: ProblemCode
    words: str = ""

    @property
    def kind(self) -> AnomalyKind:
        """The anomaly this flag raises at once, whatever Kuaidan's own thresholds say."""
        return _PROBLEM_KINDS.get(self.code, AnomalyKind.PROBLEM)


@dataclass(frozen=True)
class Trace:
    time: datetime  # naive UTC
    station: str  # the carrier's text for the scan
    location: str
    status: ParcelStatus | None  # what this scan means, normalised (None: the carrier does not say)
    key: str  # the carrier's identity of this scan: the same scan in two answers has the same key (opaque)


@dataclass(frozen=True)
class TrackResult:
    waybill_no: str
    shipper_code: str
    status: ParcelStatus
    problem: CarrierProblem | None  # what the carrier flags as wrong now (None: nothing)
    location: str
    traces: tuple[Trace, ...]  # ascending by time
    estimated_delivery: datetime | None  # naive UTC
    raw: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class PushBatch:
    """A tracking push the account accepted: its records and the answer the carrier expects back."""

    records: tuple[TrackResult, ...]
    reply: dict[str, Any]


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
        zh, en = _transient_words(detail)
        super().__init__(message_zh or f"{zh}，稍后会自动重试", message_en or f"{en}; it will be retried")
        self.detail = detail  # for the log: what exactly went wrong ("connection error: ConnectError")


def _transient_words(detail: str) -> tuple[str, str]:
    """A passing fault in words a packer understands (the technical detail stays in ``detail``, for the log)."""
    if detail.startswith("no answer within"):
        return "快递公司没有及时应答", "The carrier did not answer in time"
    if detail.startswith("connection error"):
        return (
            "连不上快递公司的接口（网络不通，或接口地址不对）",
            "Could not reach the carrier's service (no network, or a wrong address)",
        )
    if detail.startswith("HTTP "):
        return f"快递公司的服务暂时出错（{detail}）", f"The carrier's service failed for now ({detail})"
    return "快递公司的应答无法读取", "The carrier's answer could not be read"


class CarrierConfigError(CarrierError):
    """The carrier account is set up wrongly (bad endpoint, missing credentials, plain http to a remote host)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)


class BadPush(CarrierError):
    """A push from the carrier that cannot be read."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"无法识别的快递推送：{detail}", f"Unreadable carrier push: {detail}")
        self.detail = detail


class NotAPush(BadPush):
    """A request to the push receiver that is no tracking push at all (another request type)."""


class BadSignature(BadPush):
    """A push whose DataSign does not match: not from the carrier (or another account's key)."""

    def __init__(self) -> None:
        CarrierError.__init__(
            self, "快递推送签名不正确，已拒收", "The carrier push has a wrong signature; refused"
        )
        self.detail = "DataSign mismatch"


# --------------------------------------------------------------------------------------------------- protocol


class PushReader(Protocol):
    """Checks and reads the tracking pushes meant for one carrier account (with that account's own key)."""

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        """The push's records if it is signed for this account; None if it is not (another account's, forged).

        Raises BadPush when the push cannot be read at all. Does no I/O.
        """
        ...


class CarrierClient(PushReader, Protocol):
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


@runtime_checkable
class Subscriber(Protocol):
    """A client that can ask the carrier to push a waybill's tracking to an address (Kuaidi100's ``/poll``)."""

    def subscribe(
        self, shipper_code: str, waybill_no: str, *, callback_url: str, phone: str = ""
    ) -> None: ...
