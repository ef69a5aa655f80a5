"""Orders: shops and senders, file import, the order list and search, merge and split.

Every method returns values from :mod:`app.orders.values` (or plain ints and lists), never live ORM objects.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import UsageError
from app.orders import order_work, privacy, query, shipments, shops
from app.orders.values import (
    IdBatch,
    ImportReport,
    MergeResult,
    OrderFilter,
    OrderRow,
    SenderInfo,
    ShippedExport,
    ShopInfo,
    first_batch,
)
from app.orders.work_values import MergeSuggestion, OrderDetail, Receiver
from app.workspace.core import CancelToken, Part, Progress

if TYPE_CHECKING:
    from app.orders.mapping import FilePreview
    from app.orders.shop_check import ShopCheck
    from app.orders.sync import SyncResult

IdSlice = tuple["array[int]", IdBatch | None]
SYNC_INTERVALS = (0, 5, 15, 30, 60)  # minutes between the window's automatic syncs (0 = off)


class OrdersPart(Part):
    _show_full: bool | None = None  # the station's "show full phone numbers", read once

    # ---------------------------------------------------------------------------------------------- shops

    def shops(self, *, counts: bool = False) -> list[ShopInfo]:
        """Every shop, by name (with ``counts``: each with the number of orders it holds)."""
        with self._session() as s:
            return shops.list_shops(s, counts=counts)

    def add_shop(
        self,
        name: str,
        platform: str,
        url: str = "",
        token: str = "",
        key: str = "",
        secret: str = "",
        *,
        api_version: str = "",
        query_auth: bool = False,
    ) -> ShopInfo:
        """A new shop; its token, key and secret go to the secret store (app/secrets.py), never into its row; a
        plain ``http://`` URL to another machine is refused (:class:`app.errors.UsageError`)."""
        with self._session() as s:
            return shops.add_shop(
                s, self._secrets, name, platform, url, token, key, secret,
                api_version=api_version, query_auth=query_auth,
            )  # fmt: skip

    def update_shop(
        self,
        name: str,
        *,
        rename: str | None = None,
        platform: str | None = None,
        url: str | None = None,
        token: str | None = None,
        key: str | None = None,
        secret: str | None = None,
        mask_phone: bool | None = None,
        mask_name: bool | None = None,
        template: str | None = None,
        api_version: str | None = None,
        query_auth: bool | None = None,
    ) -> ShopInfo:
        """Change a shop (what is given; a secret given as "" is kept): its name, platform, connection (``url``,
        the secrets, ``api_version``: "" for the connector's, ``query_auth``), and the settings its labels follow
        (``mask_phone``, ``mask_name``, ``template``: "" for the printer's)."""
        from app.health.service import resolve_gone
        from app.orders.shop_edit import ShopChanges, update_shop

        changes = ShopChanges(rename, platform, url, token, key, secret, mask_phone, mask_name, template,
                              api_version, query_auth)  # fmt: skip
        with self._session() as s:
            info = update_shop(s, self._secrets, name, changes)
            if platform is not None:  # a shop moved off an API platform makes no more calls
                resolve_gone(s)
            return info

    def delete_shop(self, name: str) -> None:
        """Remove a shop that holds no orders (:class:`app.errors.UsageError` when it holds some); its
        ``integration_down`` anomaly, if one is open, is resolved with it."""
        from app.health.service import resolve_gone
        from app.orders.shop_edit import delete_shop

        with self._session() as s:
            delete_shop(s, name)
            resolve_gone(s)

    # ---------------------------------------------------------------------------------------- column mapping

    def preview_file(self, path: str | Path, rows: int = 10) -> FilePreview:
        """The header and first rows of a CSV/XLSX file, for the column mapping wizard (nothing is written)."""
        from app.orders.mapping import preview_file

        return preview_file(path, rows)

    def save_mapping(self, shop: str, columns: Mapping[str, str], headers: Sequence[str] = ()) -> ShopInfo:
        """Keep the shop's column mapping ({field: header}; empty removes it): imports of format ``generic``
        into that shop use it."""
        from app.orders.mapping import save

        with self._session() as s:
            return save(s, shop, columns, headers)

    # -------------------------------------------------------------------------------------------- senders

    def senders(self) -> list[SenderInfo]:
        """Every sender profile, the default one first."""
        with self._session() as s:
            return shops.list_senders(s)

    def add_sender(
        self,
        profile: str,
        *,
        name: str,
        mobile: str,
        province: str,
        city: str,
        district: str = "",
        address: str,
        default: bool = False,
    ) -> SenderInfo:
        """A new sender profile; the first one, or one added with ``default``, becomes the default."""
        with self._session() as s:
            return shops.add_sender(
                s,
                profile,
                name=name,
                mobile=mobile,
                province=province,
                city=city,
                district=district,
                address=address,
                default=default,
            )

    def default_sender(self) -> SenderInfo | None:
        with self._session() as s:
            return shops.default_sender(s)

    def set_default_sender(self, profile: str) -> SenderInfo:
        with self._session() as s:
            return shops.set_default_sender(s, profile)

    def update_sender(self, profile: str, *, rename: str | None = None, **changes: str) -> SenderInfo:
        """Change a sender profile (``rename``; name, mobile, province, city, district, address)."""
        from app.orders.shop_edit import update_sender

        if rename is not None:
            changes["profile"] = rename
        with self._session() as s:
            return update_sender(s, profile, changes)

    def delete_sender(self, profile: str) -> None:
        """Remove a sender profile no parcel was sent with (the next one becomes the default if it was)."""
        from app.orders.shop_edit import delete_sender

        with self._session() as s:
            delete_sender(s, profile)

    # --------------------------------------------------------------------------------------------- intake

    def import_file(
        self,
        path: str | Path,
        shop: str,
        fmt: str = "auto",
        mapping: str | None = None,
        *,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        """Import an export file into the shop (chunks committed as they go; see :mod:`app.orders.importer`).

        Raises :class:`app.errors.InputError` for an unreadable file (nothing written),
        :class:`app.errors.Conflict` when another import keeps taking the same orders, and
        :class:`app.workspace.core.Cancelled` when ``cancel`` was set (the chunks written so far stay).
        """
        from app.orders.importer import import_file

        check = cancel.check if cancel is not None else None
        return import_file(self._ctx.store, path, shop, fmt, mapping, progress, check=check)

    def export_shipped(self, shop: str, out: str | Path, *, everything: bool = False) -> ShippedExport:
        """Write the shop's bulk-ship upload file (Taobao/Tmall, Pinduoduo, Douyin, JD) at ``out``: its printed
        orders not exported before (``everything``: all printed orders again), then mark them exported
        (:mod:`app.orders.ship_export`). Nothing new: no file, ``exported`` 0."""
        from app.orders.ship_export import export_shipped

        with self._session() as s:
            return export_shipped(s, shop, out, everything)

    def sync(
        self,
        shop: str | None = None,
        *,
        progress: Callable[[str, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> list[SyncResult]:
        """Read new and changed orders from the shop's API (``shop``), or from every shop that has one, since each
        shop's watermark (see :mod:`app.orders.sync`). A shop that fails is in the list with its reason; a named
        shop without an API connector is a :class:`app.errors.UsageError`. ``progress(shop, orders read)``."""
        from app.orders.sync import api_shops, sync_shops

        check = cancel.check if cancel is not None else None
        names = api_shops(self._ctx.store, shop)
        return sync_shops(self._ctx.store, self._secrets, names, progress=progress, check=check)

    def sync_interval(self) -> int:
        """Minutes between the window's automatic syncs at this station (0 = off; a preference)."""
        from app import preferences

        value = preferences.load(self._data_dir).sync.get("interval", 0)
        return value if isinstance(value, int) and value in SYNC_INTERVALS else 0

    def set_sync_interval(self, minutes: int) -> int:
        """Sync API shops automatically every ``minutes`` (one of :data:`SYNC_INTERVALS`; 0 = off)."""
        from app import preferences

        if minutes not in SYNC_INTERVALS:
            raise UsageError(
                f"自动同步间隔只能是 {'、'.join(map(str, SYNC_INTERVALS))} 分钟（0 为关闭）",
                f"the automatic sync interval is one of {', '.join(map(str, SYNC_INTERVALS))} minutes (0 = off)",
            )
        preferences.update(
            self._data_dir, lambda prefs: prefs.with_(sync={**prefs.sync, "interval": minutes})
        )
        return minutes

    def test_shop(self, name: str) -> ShopCheck:
        """Test an API shop's stored URL and credentials with one cheap read (nothing is written): ok with the
        store's name and the orders visible, or the reason in plain words (:mod:`app.orders.shop_check`). A shop
        without an API connector is a :class:`app.errors.UsageError`."""
        from app.orders.shop_check import check_shop

        return check_shop(self._ctx.store, self._secrets, name)

    # ------------------------------------------------------------------------------------------- the list

    def list_orders(self, flt: OrderFilter, *, full_phones: bool | None = None) -> list[OrderRow]:
        """Every order the filter matches, newest first (the command line's ``orders``). Phones are masked unless
        ``full_phones`` (None: this station's preference, :meth:`full_phones`); a shop that masks phones or names
        has them masked whatever it says (app/orders/privacy.py)."""
        with self._session() as s:
            return privacy.mask_rows(s, query.list_orders(s, flt), full_phones=self._full(full_phones))

    def first_ids(self, flt: OrderFilter) -> IdSlice:
        """The first, small batch of the filter's ids (a screenful, shown at once) and the batch that follows
        (None once the list is complete): for a table that shows the first rows before it has every id."""
        return self.more_ids(flt, first_batch(flt))

    def more_ids(self, flt: OrderFilter, batch: IdBatch) -> IdSlice:
        """The ids of ``batch`` (as :meth:`first_ids` or an earlier call gave it) and the batch after it."""
        with self._session() as s:
            return query.order_id_batch(s, flt, batch)

    def rows(self, ids: Sequence[int], *, full_phones: bool | None = None) -> list[OrderRow]:
        """The rows of ``ids``, in the order given (ids no longer there are left out); phones and names masked as
        in :meth:`list_orders`."""
        with self._session() as s:
            return privacy.mask_rows(s, query.order_rows(s, list(ids)), full_phones=self._full(full_phones))

    def full_phones(self) -> bool:
        """Whether this station's lists show full phone numbers (a preference; masked by default)."""
        if self._show_full is None:
            from app import preferences

            self._show_full = preferences.load(self._data_dir).show_full_phones
        return self._show_full

    def show_full_phones(self, on: bool) -> bool:
        """Make this station's lists show full phone numbers (``on``) or masked ones; saved as a preference."""
        from app import preferences

        preferences.update(self._data_dir, lambda prefs: prefs.with_(show_full_phones=bool(on)))
        self._show_full = bool(on)
        return self._show_full

    def _full(self, full_phones: bool | None) -> bool:
        return self.full_phones() if full_phones is None else full_phones

    def ready_ids(self) -> list[int]:
        """The ids of every order ready for a waybill (paid, not held, none yet), newest first."""
        with self._session() as s:
            return list(query.order_ids(s, OrderFilter(status="ready")))

    # ------------------------------------------------------------------------------------- merge and split

    def merge(self, refs: Sequence[str | int]) -> MergeResult:
        """Merge the named orders (ids or platform order numbers) into one parcel."""
        with self._session() as s:
            return shipments.merge_orders(s, [str(r) for r in refs])

    def auto_merge(self) -> MergeResult:
        """Merge every group of shippable orders of one shop with one receiver (or one merge id)."""
        with self._session() as s:
            return shipments.auto_merge(s)

    def split(self, refs: Sequence[str | int], parcels: int | None = None) -> dict[str, list[int]]:
        """Split each named order into several parcels (all or none): order ref -> the new shipment ids."""
        with self._session() as s:
            return {str(ref): shipments.split_order(s, str(ref), parcels) for ref in refs}

    def unmerge(self, refs: Sequence[str | int]) -> list[int]:
        """Take each named order out of its merged parcel; the ids of the orders that were in one."""
        with self._session() as s:
            return shipments.unmerge(s, [str(r) for r in refs])

    # ------------------------------------------------------------------------- order work in the window

    def detail(self, order: int | str) -> OrderDetail:
        """The order, its lines, its parcel and its timeline (imported, merged, waybill, printed, tracking)."""
        from app.orders.detail import order_detail

        with self._session() as s:
            detail = order_detail(s, order)
        # its row as the lists show it (a masked phone where the lists mask it)
        shown = self.rows([detail.row.id])
        return dataclasses.replace(detail, row=shown[0]) if shown else detail

    def merge_suggestions(self, ids: Sequence[int]) -> list[MergeSuggestion]:
        """What ``merge --auto`` would merge that holds one of the orders ``ids``."""
        with self._session() as s:
            return order_work.merge_suggestions(s, ids)

    def hold(self, ids: Sequence[int], reason: str) -> list[int]:
        """Put orders on hold with a reason (nothing prints or gets a waybill); the ids changed."""
        with self._session() as s:
            return order_work.hold(s, ids, reason)

    def release(self, ids: Sequence[int], reason: str) -> list[int]:
        """Take orders off hold, with a reason; the ids changed."""
        with self._session() as s:
            return order_work.release(s, ids, reason)

    def receiver(self, order_id: int) -> Receiver:
        """The order's receiver in full (to edit it)."""
        with self._session() as s:
            return order_work.receiver(s, order_id)

    def edit_receiver(self, order_id: int, new: Receiver) -> Receiver:
        """Change the receiver while the order has no waybill."""
        with self._session() as s:
            return order_work.edit_receiver(s, order_id, new)

    def set_flag(self, ids: Sequence[int], flag: str) -> list[int]:
        """The seller's flag on the orders ("" clears it); the ids changed."""
        with self._session() as s:
            return order_work.set_flag(s, ids, flag)

    def cancel_waybills(self, order_id: int, reason: str) -> list[str]:
        """回收单号: void each waybill in force of the order at its carrier, with a reason (audited on the order);
        the order can then get a new waybill. The numbers cancelled."""
        from app.waybills.issue import cancel_waybill

        reason = order_work.cancel_reason(reason)
        with self._session() as s:
            numbers = order_work.waybills_in_force(s, order_id)
        if not numbers:
            raise UsageError("这个订单没有可回收的运单", "this order has no waybill to cancel")
        for number in numbers:
            cancel_waybill(self._ctx.store, self._secrets, self._data_dir, number)
            with self._session() as s:
                order_work.audit_waybill_cancel(s, order_id, number, reason)
        return numbers
