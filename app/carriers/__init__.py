"""Carrier clients: one protocol (base.py); Kdniao (kdniao/) and a local sandbox speaking its protocol (sandbox/).

Everything outside ``app/carriers/`` uses what this package exports: the protocol's values and errors, and the
factory that picks a carrier's client (a carrier's own modules are imported only here).
"""

from app.carriers.base import (
    BadPush,
    BadSignature,
    CarrierClient,
    CarrierConfigError,
    CarrierError,
    CarrierProblem,
    CarrierRejected,
    CarrierTransient,
    Goods,
    IssuedWaybill,
    IssueRequest,
    NotAPush,
    Party,
    ProblemCode,
    PushBatch,
    PushReader,
    Trace,
    TrackResult,
    carrier_now,
    carrier_time_to_utc,
    parse_carrier_time,
    parse_carrier_utc,
)
from app.carriers.factory import (
    make_client,
    make_push_reader,
    run_sandbox_server,
    shared_sandbox,
    start_demo_sandbox,
    stop_shared_sandboxes,
)

__all__ = [
    "BadPush",
    "BadSignature",
    "CarrierClient",
    "CarrierConfigError",
    "CarrierError",
    "CarrierProblem",
    "CarrierRejected",
    "CarrierTransient",
    "Goods",
    "IssueRequest",
    "IssuedWaybill",
    "NotAPush",
    "Party",
    "ProblemCode",
    "PushBatch",
    "PushReader",
    "Trace",
    "TrackResult",
    "carrier_now",
    "carrier_time_to_utc",
    "make_client",
    "make_push_reader",
    "parse_carrier_time",
    "parse_carrier_utc",
    "run_sandbox_server",
    "shared_sandbox",
    "start_demo_sandbox",
    "stop_shared_sandboxes",
]
