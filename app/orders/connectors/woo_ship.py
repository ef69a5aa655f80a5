"""WooCommerce write-back: the Shipment Tracking entry (when the store has the extension), a customer note naming
the carrier and the number, and the status ``completed`` — each exactly once.

- ``POST /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings`` (``custom_tracking_provider`` and
  ``custom_tracking_link``: the extension's own provider list has no Chinese carriers); a store without the
  extension answers 404 ``rest_no_route``, remembered for the rest of the run: then note and status only;
- ``POST /wp-json/wc/v3/orders/{id}/notes`` with ``customer_note: true`` (WooCommerce mails it to the buyer);
- ``PUT /wp-json/wc/v3/orders/{id}`` with ``status: completed`` (idempotent: retried like a GET).

The tracking entry goes first so that the "order completed" mail carries it. Neither POST takes an idempotency key:
the waybill number is the key. When an earlier attempt may have reached the shop (``notice.uncertain``) every step
is read back first (the notes naming the number, the tracking entries, the order's status) and only the missing
ones are done; a POST whose answer never came is read back at once and, when not found, left uncertain.
"""

from __future__ import annotations

from typing import Any

from app.clock import utcnow
from app.orders.connectors.base import (
    ShipmentNotice,
    ShopApiError,
    ShopConnection,
    WriteBackOutcome,
    WriteUncertain,
)
from app.orders.connectors.http import Sleep
from app.orders.connectors.woocommerce import PATH, woo_client

TRACKING = "/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings"
TRACKING_META = "_wc_shipment_tracking_items"


def note_text(notice: ShipmentNotice) -> str:
    carrier = (
        notice.carrier_zh
        if notice.carrier_zh == notice.carrier_name
        else (f"{notice.carrier_zh}（{notice.carrier_name}）")
    )
    link = f" {notice.tracking_url}" if notice.tracking_url else ""
    return (
        f"您的订单已发货：{carrier}，运单号 {notice.waybill_no}。{link}\n"
        f"Your order has shipped with {notice.carrier_name}, tracking number {notice.waybill_no}.{link}"
    )


class WooWriter:
    def __init__(self, conn: ShopConnection, *, sleep: Sleep | None = None, timeout: float = 30.0) -> None:
        self.name = conn.name
        self.http, self._auth = woo_client(conn, sleep=sleep, timeout=timeout)
        self.has_tracking: bool | None = None  # the Shipment Tracking extension: None until the store told

    def close(self) -> None:
        self.http.close()

    def _list(self, path: str, *, accept: tuple[int, ...] = ()) -> list[dict[str, Any]] | None:
        """A GET answering a list (None for an ``accept`` status)."""
        response = self.http.send(
            "GET", self.http.url(path), params=self._auth, idempotent=True, accept=accept
        )
        if response.status_code in accept:
            return None
        try:
            got = response.json()
        except ValueError:
            got = None
        if not isinstance(got, list):
            raise ShopApiError(
                f"店铺 {self.name} 的接口返回了无法读取的内容",
                f"shop {self.name}'s API answered something unreadable",
            )
        return got

    def _no_route(self, response: Any) -> bool:
        try:
            return bool(response.status_code == 404 and response.json().get("code") == "rest_no_route")
        except (ValueError, AttributeError):
            return False

    # --- reading back ------------------------------------------------------------------------------------------

    def find_note(self, notice: ShipmentNotice) -> str:
        for note in self._list(f"{PATH}/{notice.platform_order_id}/notes") or []:
            if notice.waybill_no in str(note.get("note") or ""):
                return str(note.get("id") or "?")
        return ""

    def find_tracking(self, notice: ShipmentNotice) -> str:
        """The tracking entry with the number ("" when none, or when the store has no extension)."""
        if self.has_tracking is False:
            return ""
        path = TRACKING.format(id=notice.platform_order_id)
        response = self.http.send(
            "GET", self.http.url(path), params=self._auth, idempotent=True, accept=(404,)
        )
        if self._no_route(response):
            self.has_tracking = False
            return ""
        if response.status_code == 404:
            raise ShopApiError(
                f"店铺 {self.name} 中没有订单 {notice.platform_order_id}",
                f"shop {self.name} has no order {notice.platform_order_id}",
            )
        self.has_tracking = True
        items = response.json() if isinstance(response.json(), list) else []
        for item in items:
            if str(item.get("tracking_number") or "") == notice.waybill_no:
                return str(item.get("tracking_id") or "?")
        return ""

    def _status(self, notice: ShipmentNotice) -> tuple[str, str]:
        """The order's status, and the tracking entry its ``_wc_shipment_tracking_items`` meta names ("")."""
        response = self.http.get(self.http.url(f"{PATH}/{notice.platform_order_id}"), self._auth)
        order = response.json() if isinstance(response.json(), dict) else {}
        entry = ""
        for meta in order.get("meta_data") or []:
            if meta.get("key") == TRACKING_META and isinstance(meta.get("value"), list):
                for item in meta["value"]:
                    if isinstance(item, dict) and str(item.get("tracking_number")) == notice.waybill_no:
                        entry = str(item.get("tracking_id") or "?")
        return str(order.get("status") or ""), entry

    # --- writing -----------------------------------------------------------------------------------------------

    def _post(self, notice: ShipmentNotice, path: str, body: dict[str, Any], find: Any) -> Any:
        """POST once; when its answer never came, read back with ``find`` (the id found, or WriteUncertain)."""
        try:
            return self.http.send("POST", self.http.url(path), body=body, params=self._auth, accept=(404,))
        except WriteUncertain:
            found = find(notice)
            if found:
                return found
            raise

    def tell_shipped(self, notice: ShipmentNotice) -> WriteBackOutcome:
        oid = notice.platform_order_id
        note_id = tracking_id = status = ""
        if notice.uncertain:
            note_id = self.find_note(notice)
            tracking_id = self.find_tracking(notice)
            status, in_meta = self._status(notice)
            tracking_id = tracking_id or in_meta
        sent = False
        if not tracking_id and self.has_tracking is not False:
            body: dict[str, Any] = {
                "custom_tracking_provider": notice.carrier_zh or notice.carrier_name,
                "custom_tracking_link": notice.tracking_url,
                "tracking_number": notice.waybill_no,
                "date_shipped": utcnow().strftime("%Y-%m-%d"),
            }
            answer = self._post(notice, TRACKING.format(id=oid), body, self.find_tracking)
            if not isinstance(answer, str) and self._no_route(answer):
                self.has_tracking = False
            elif not isinstance(answer, str) and answer.status_code == 404:
                raise ShopApiError(
                    f"店铺 {self.name} 中没有订单 {oid}", f"shop {self.name} has no order {oid}"
                )
            else:
                self.has_tracking, sent = True, True
        if not note_id:
            note = {"note": note_text(notice), "customer_note": True}
            answer = self._post(notice, f"{PATH}/{oid}/notes", note, self.find_note)
            if isinstance(answer, str):
                note_id = answer
            elif answer.status_code == 404:
                raise ShopApiError(
                    f"店铺 {self.name} 中没有订单 {oid}", f"shop {self.name} has no order {oid}"
                )
            else:
                note_id, sent = str(answer.json().get("id") or "?"), True
        if status != "completed":
            self.http.send(
                "PUT",
                self.http.url(f"{PATH}/{oid}"),
                body={"status": "completed"},
                params=self._auth,
                idempotent=True,
            )
            sent = True
        return WriteBackOutcome("sent" if sent else "already", note_id)
