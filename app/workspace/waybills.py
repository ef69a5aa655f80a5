"""Waybills: issue a batch (claim, request, record), cancel, and what the issue dialog offers to choose from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.waybills import attention
from app.waybills.attention import AttentionSettled
from app.waybills.choices import IssueChoices, SenderChoice, issue_choices
from app.waybills.hot import HotGroup
from app.waybills.issue import IssueReport, IssueResult, cancel_waybill, issue_waybills
from app.workspace.core import CancelToken, Part, Progress

__all__ = ["HotGroup", "IssueChoices", "IssueReport", "IssueResult", "SenderChoice", "WaybillsPart"]


class _TokenFlag:
    """A cancel token read the way the batch reads its stop flag."""

    def __init__(self, token: CancelToken) -> None:
        self._token = token

    def is_set(self) -> bool:
        return self._token.cancelled


class WaybillsPart(Part):
    def issue(
        self,
        carrier: str | None,
        orders: Sequence[int | str] | None = None,
        *,
        sender: str | None = None,
        concurrency: int = 8,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
        chosen: Mapping[int, str] | None = None,
    ) -> IssueReport:
        """Waybills from the account ``carrier`` for ``orders`` (ids or platform order ids), or for every ready
        order when ``orders`` is None. With ``carrier`` None each order's account comes from the carrier rules
        (``ws.rules``), or from ``chosen`` (order id -> account name) where a person changed it; a lasting refusal
        moves an order to its rule's fallback account, and each result says ``carrier``, ``rule`` and
        ``fallback_from``.

        Each answer is committed as it arrives (this thread writes; the request threads only talk to the carrier).
        A cancel stops claiming and sending: calls in flight are recorded, claims not yet sent are released, and
        the report comes back with ``cancelled`` set (a cancel is not an error here: the partial report is the
        result). Orders already issued are reported as ``already``, never asked for again.
        """
        refs = None if orders is None else [str(o) for o in orders]
        return issue_waybills(
            self._ctx.store, self._secrets, self._data_dir, carrier, refs, sender=sender,
            concurrency=concurrency, progress=progress, cancel=_TokenFlag(cancel) if cancel else None, chosen=chosen,
        )  # fmt: skip

    def cancel(self, waybill_no: str) -> str:
        """Void an issued waybill at the carrier; the order can then be issued again. Returns its OrderCode."""
        return cancel_waybill(self._ctx.store, self._secrets, self._data_dir, waybill_no)

    def enter_number(self, order: int | str, waybill_no: str) -> AttentionSettled:
        """A request the carrier said it issued without a number (``needs_attention``): the number a person found
        in the carrier's system; the parcel is then issued with it (see :mod:`app.waybills.attention`)."""
        with self._session() as s:
            return attention.enter_number(s, order, waybill_no)

    def set_aside(self, order: int | str, reason: str) -> AttentionSettled:
        """A ``needs_attention`` request with no number to use, set aside with the reason; the parcel is ready
        again and its next request goes out under a new OrderCode."""
        with self._session() as s:
            return attention.set_aside(s, order, reason)

    def choices(self, order_ids: Sequence[int] = ()) -> IssueChoices:
        """The accounts and sender profiles to pick from, and the platform order ids of ``order_ids``."""
        with self._session() as s:
            return issue_choices(s, order_ids)

    def hot_groups(self, min_orders: int = 2) -> tuple[HotGroup, ...]:
        """爆款打单: the ready (and issued, not printed) orders that hold one same item in the same quantity, each
        in a parcel of its own, grouped, largest group first (see :mod:`app.waybills.hot`)."""
        from app.waybills.hot import hot_groups

        with self._session() as s:
            return hot_groups(s, min_orders)
