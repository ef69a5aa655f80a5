"""Shopify write-back: one fulfillment with the tracking number per printed parcel, exactly once.

``GET /admin/api/{v}/orders/{id}/fulfillment_orders.json`` gives the order's fulfillment orders; the open ones (all
their lines, or a split parcel's own lines) go into ONE ``POST /admin/api/{v}/fulfillments.json`` with
``tracking_info{number, company, url}`` and ``notify_customer``. Shopify takes no idempotency key, so the tracking
number is the key: an attempt that may have reached the shop before (``notice.uncertain``), a POST whose answer
never came, and a POST refused because its lines were fulfilled meanwhile all read
``GET /admin/api/{v}/orders/{id}/fulfillments.json`` and look for a fulfillment carrying that number.
"""

from __future__ import annotations

from typing import Any

from app.orders.connectors.base import (
    ShipmentNotice,
    ShopApiError,
    ShopAuthError,
    ShopUnreachable,
    WriteBackOutcome,
)
from app.orders.connectors.shopify import ShopifyApi

OPEN = ("open", "in_progress")  # fulfillment order statuses that take a fulfillment
GONE = ("cancelled", "error", "failure")  # fulfillments that do not count


class ShopifyWriter(ShopifyApi):
    def _url(self, path: str) -> str:
        return self.http.url(f"/admin/api/{self.version}{path}")

    def _json(self, response: Any, key: str) -> Any:
        try:
            return response.json()[key]
        except (ValueError, KeyError, TypeError) as exc:
            raise ShopApiError(
                f"店铺 {self.name} 的接口返回了无法读取的内容",
                f"shop {self.name}'s API answered something unreadable",
            ) from exc

    def find(self, notice: ShipmentNotice) -> str:
        """The id of the order's fulfillment that carries ``notice.waybill_no`` ("" when there is none)."""
        got = self.http.get(self._url(f"/orders/{notice.platform_order_id}/fulfillments.json"))
        for f in self._json(got, "fulfillments") or []:
            numbers = {str(n) for n in (f.get("tracking_numbers") or [])} | {
                str(f.get("tracking_number") or "")
            }
            if notice.waybill_no in numbers and str(f.get("status") or "") not in GONE:
                return str(f.get("id") or "?")
        return ""

    def tell_shipped(self, notice: ShipmentNotice) -> WriteBackOutcome:
        if notice.uncertain:
            found = self.find(notice)
            if found:
                return WriteBackOutcome("already", found)
        got = self.http.get(self._url(f"/orders/{notice.platform_order_id}/fulfillment_orders.json"))
        groups = line_groups(self._json(got, "fulfillment_orders") or [], notice.lines)
        if not groups:
            found = "" if notice.uncertain else self.find(notice)
            if found:
                return WriteBackOutcome("already", found)
            raise ShopApiError(
                f"Shopify 订单 {notice.platform_order_id} 已没有待发货的商品（可能已在店铺后台发货）",
                f"Shopify order {notice.platform_order_id} has nothing left to fulfill (shipped in the shop admin?)",
            )
        body = {
            "fulfillment": {
                "notify_customer": notice.notify_customer,
                "tracking_info": {
                    "number": notice.waybill_no,
                    "company": notice.carrier_name,
                    "url": notice.tracking_url,
                },
                "line_items_by_fulfillment_order": groups,
            }
        }
        try:
            answer = self.http.send("POST", self._url("/fulfillments.json"), body=body)
        except (ShopAuthError, ShopUnreachable):
            raise
        except ShopApiError as exc:
            # the answer never came (WriteUncertain), or the lines were fulfilled meanwhile (422): ours?
            found = self.find(notice)
            if found:
                return WriteBackOutcome("already", found)
            raise exc from None
        made = self._json(answer, "fulfillment") or {}
        return WriteBackOutcome("sent", str(made.get("id") or ""))


def line_groups(
    fulfillment_orders: list[dict[str, Any]], lines: tuple[tuple[str, int], ...]
) -> list[dict[str, Any]]:
    """``line_items_by_fulfillment_order`` for the open fulfillment orders: every remaining line (``lines`` empty),
    or only a split parcel's lines (platform line id, quantity); empty when none of them is left to fulfill."""
    open_orders = [fo for fo in fulfillment_orders if str(fo.get("status") or "") in OPEN]
    if not lines:
        return [{"fulfillment_order_id": fo["id"]} for fo in open_orders]
    wanted = {line_id: quantity for line_id, quantity in lines}
    groups = []
    for fo in open_orders:
        items = []
        for item in fo.get("line_items") or []:
            line_id = str(item.get("line_item_id") or "")
            left = int(item.get("fulfillable_quantity") or 0)
            if line_id in wanted and wanted[line_id] > 0 and left > 0:
                take = min(left, wanted[line_id])
                wanted[line_id] -= take
                items.append({"id": item["id"], "quantity": take})
        if items:
            groups.append({"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": items})
    return groups
