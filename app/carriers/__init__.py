"""Carrier clients: one protocol (base.py), Kdniao (kdniao.py) and a local sandbox speaking the same protocol."""

from app.carriers.base import (
    BadPush,
    BadSignature,
    CarrierAlreadyIssued,
    CarrierClient,
    CarrierConfigError,
    CarrierError,
    CarrierRejected,
    CarrierTransient,
    Goods,
    IssuedWaybill,
    IssueRequest,
    Party,
    Trace,
    TrackResult,
    carrier_now,
    parse_carrier_time,
)
from app.carriers.factory import make_client, shared_sandbox, stop_shared_sandboxes

__all__ = [
    "BadPush",
    "BadSignature",
    "CarrierAlreadyIssued",
    "CarrierClient",
    "CarrierConfigError",
    "CarrierError",
    "CarrierRejected",
    "CarrierTransient",
    "Goods",
    "IssueRequest",
    "IssuedWaybill",
    "Party",
    "Trace",
    "TrackResult",
    "carrier_now",
    "make_client",
    "parse_carrier_time",
    "shared_sandbox",
    "stop_shared_sandboxes",
]
