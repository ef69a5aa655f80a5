"""A carrier client that records every call it makes for integration health (app/health/calls.py).

What counts as a failed call: the carrier could not be reached or did not answer properly
(:class:`CarrierTransient`: timeout, connection error, HTTP 5xx, garbled answer) or the account is unusable
(:class:`CarrierConfigError`: a wrong endpoint, refused credentials). A refusal (:class:`CarrierRejected`: out of
area, no quota, a bad address) is an answer: the integration works. Recording costs a clock read and an append.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.carriers.base import (
    CarrierClient,
    CarrierRejected,
    IssuedWaybill,
    IssueRequest,
    PushBatch,
    Subscriber,
    TrackResult,
)
from app.health.calls import Integration


class MeteredClient:
    """``inner`` with each issue / cancel / track / subscribe call timed and recorded for ``integration``."""

    def __init__(self, inner: CarrierClient, integration: Integration) -> None:
        self.inner = inner
        self.integration = integration

    def __repr__(self) -> str:
        return f"MeteredClient({self.inner!r})"

    def __getattr__(self, name: str) -> object:
        """What else the inner client offers (a sandbox's ``waybill_quota``, a client's ``config``), unmetered."""
        if name == "inner":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def issue(self, req: IssueRequest) -> IssuedWaybill:
        with self.integration.timed("issue") as outcome:
            try:
                return self.inner.issue(req)
            except CarrierRejected:
                outcome.succeed()
                raise

    def cancel(
        self,
        shipper_code: str,
        order_code: str,
        waybill_no: str,
        customer_name: str = "",
        customer_pwd: str = "",
    ) -> None:
        with self.integration.timed("cancel") as outcome:
            try:
                self.inner.cancel(shipper_code, order_code, waybill_no, customer_name, customer_pwd)
            except CarrierRejected:
                outcome.succeed()
                raise

    def track(
        self, shipper_code: str, waybill_no: str, *, order_code: str = "", customer_name: str = ""
    ) -> TrackResult:
        with self.integration.timed("track") as outcome:
            try:
                return self.inner.track(
                    shipper_code, waybill_no, order_code=order_code, customer_name=customer_name
                )
            except CarrierRejected:
                outcome.succeed()
                raise

    def read_push(self, form: Mapping[str, str]) -> PushBatch | None:
        return self.inner.read_push(form)  # no call: a push came to us

    def close(self) -> None:
        self.inner.close()


class MeteredSubscriber(MeteredClient):
    """A metered client whose carrier can push tracking (Kuaidi100's ``/poll``)."""

    def subscribe(self, shipper_code: str, waybill_no: str, *, callback_url: str, phone: str = "") -> None:
        inner = self.inner
        assert isinstance(inner, Subscriber)
        with self.integration.timed("subscribe") as outcome:
            try:
                inner.subscribe(shipper_code, waybill_no, callback_url=callback_url, phone=phone)
            except CarrierRejected:
                outcome.succeed()
                raise


def metered(client: CarrierClient, integration: Integration) -> CarrierClient:
    """``client`` recording its calls; still a :class:`Subscriber` when it was one."""
    if isinstance(client, Subscriber):
        return MeteredSubscriber(client, integration)
    return MeteredClient(client, integration)
