"""'Test connection' for a carrier account: a tracking query that proves the endpoint answers and the signature
is accepted, without issuing (and paying for) a waybill.

The answer is said in plain words, in Chinese and English: what happened and what to do, with the carrier's own
words when it gave some; never an exception's name or a command-line option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.carriers import CarrierClient, CarrierConfigError, CarrierError, CarrierRejected, CarrierTransient

PROBE_NUMBER = "KDTEST0000000001"
# a refusal of the account itself, not of the probe number (Kdniao's and Kuaidi100's words)
_ACCOUNT_WORDS = re.compile(r"DataSign|签名|EBusinessID|账号|customer|授权|key", re.IGNORECASE)


def _credential_names(client: CarrierClient) -> tuple[str, str]:
    from app.carriers.kuaidi100.client import Kuaidi100Client
    from app.carriers.metered import MeteredClient

    if isinstance(client, MeteredClient):  # the client under the call records
        client = client.inner
    if isinstance(client, Kuaidi100Client):
        return "授权 key、secret 或 customer ", "the key, the secret or the customer"
    return "商户ID 或 AppKey ", "the EBusinessID or the AppKey"


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str  # both languages, "中文 / English" (the command line prints it)
    message_zh: str = ""
    message_en: str = ""

    def text(self, language: str) -> str:
        """The message in ``language`` ("zh" or "en")."""
        chosen = self.message_zh if language == "zh" else self.message_en
        return chosen or self.message


def _check(ok: bool, zh: str, en: str) -> ConnectionCheck:
    return ConnectionCheck(ok, f"{zh} / {en}", zh, en)


def _network_words(exc: CarrierTransient) -> tuple[str, str]:
    """What a lost or unreadable answer means for the person testing the account."""
    detail = exc.detail
    if detail.startswith("no answer within"):
        seconds = detail.removeprefix("no answer within").strip()
        return (
            f"快递公司的服务器在 {seconds} 内没有回答：请检查网络，或稍后再试",
            f"the carrier's server did not answer within {seconds}: check the network, or try again later",
        )
    if detail.startswith("connection error"):
        return (
            "连不上快递公司的服务器：请检查接口地址（主机和端口）和网络",
            "cannot reach the carrier's server: check the service address (host and port) and the network",
        )
    if detail.startswith("HTTP "):
        return (
            f"快递公司的服务器出了问题（{detail}）：请稍后再试",
            f"the carrier's server has a problem ({detail}): try again later",
        )
    return (
        "快递公司的服务器的回答无法读懂：请检查接口地址是否正确",
        "the carrier's server gave an answer that cannot be read: check that the service address is right",
    )


def test_connection(client: CarrierClient, shipper_code: str) -> ConnectionCheck:
    try:
        client.track(shipper_code, PROBE_NUMBER, customer_name="0000")
    except CarrierRejected as exc:
        reason = exc.reason or ""
        if _ACCOUNT_WORDS.search(reason):
            zh, en = _credential_names(client)
            return _check(
                False,
                f"快递公司拒绝了这个账号：{zh}不对（快递公司说：{reason}）",
                f"the carrier refused this account: {en} is wrong (the carrier said: {reason})",
            )
        # a rejection of the probe number itself proves the account and signature were accepted
        return _check(
            True, "连接正常，账号和密钥有效", "connection OK: the account and its key were accepted"
        )
    except CarrierTransient as exc:
        return _check(False, *_network_words(exc))
    except CarrierConfigError as exc:
        return _check(False, exc.message_zh, exc.message_en)
    except CarrierError as exc:
        return _check(False, exc.message_zh, exc.message_en)
    return _check(True, "连接正常，账号和密钥有效", "connection OK: the account and its key were accepted")
