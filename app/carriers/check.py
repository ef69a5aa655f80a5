"""'Test connection' for a carrier account: a tracking query that proves the endpoint answers and the signature
is accepted, without issuing (and paying for) a waybill."""

from __future__ import annotations

from dataclasses import dataclass

from app.carriers import CarrierClient, CarrierConfigError, CarrierError, CarrierRejected, CarrierTransient

PROBE_NUMBER = "KDTEST0000000001"


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


def test_connection(client: CarrierClient, shipper_code: str) -> ConnectionCheck:
    try:
        client.track(shipper_code, PROBE_NUMBER, customer_name="0000")
    except CarrierRejected as exc:
        reason = exc.reason or str(exc)
        if "DataSign" in reason or "签名" in reason or "EBusinessID" in reason or "账号" in reason:
            return ConnectionCheck(False, f"账号或密钥被拒绝 / the account or key was refused: {reason}")
        # a rejection of the probe number itself proves the account and signature were accepted
        return ConnectionCheck(True, f"连接正常 / connection OK ({reason})")
    except (CarrierTransient, CarrierConfigError) as exc:
        return ConnectionCheck(False, f"无法连接 / cannot connect: {exc}")
    except CarrierError as exc:
        return ConnectionCheck(False, str(exc))
    return ConnectionCheck(True, "连接正常 / connection OK")
