"""Local HTTP servers that answer like Shopify's Admin API and WooCommerce's REST v3 for orders.

Both keep their orders in memory (tests change them between syncs), check the credentials, filter by the watermark
parameter, paginate like the real API (Shopify: ``Link`` cursors that refuse other filters beside ``page_info``;
WooCommerce: ``page``/``per_page`` with ``X-WP-Total``/``X-WP-TotalPages``) and play scripted faults on the next
requests: ``"429"`` (with ``Retry-After``), ``"500"``/``"503"``, ``"timeout"`` (answers after the client gave up).

The write side (write-back) is here too: Shopify's fulfillment orders and fulfillments, WooCommerce's order notes,
status and the Shipment Tracking extension's entries (``FakeWoo.tracking_ext = False``: a store without it). Writes
play their own scripted faults (``write_faults``): ``"late"`` (the write is done, the answer comes after the client
gave up), ``"timeout"`` (the answer is late and the write is done only then), ``"hang"`` (done, then no answer
until ``release`` is set: a process can be killed while its POST is in flight), ``"429"``, ``"500"`` (nothing
done).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

T0 = datetime(2026, 11, 1, 8, 0, 0, tzinfo=UTC)
TOKEN = "shpat_test_token_1234567890"
KEY, SECRET = "ck_test_key_abcdef", "cs_test_secret_abcdef"
TIMEOUT_SLEEP = 1.5  # a "timeout" fault answers this late (the tests' clients wait 0.5 s)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeShop:
    """What both fakes share: the orders, the faults to play, what was asked."""

    def __init__(self) -> None:
        self.orders: dict[int, dict[str, Any]] = {}
        self.faults: list[str] = []
        self.requests: list[dict[str, list[str]]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.retry_after = "2"
        self.clock = T0
        self.fail_after: int | None = None  # answer 500 to every request after this many answers
        self.latency = 0.0  # seconds each answer takes (the benchmark's realistic server)
        self.bucket_rate = (
            0.0  # >0: a real leaky bucket of 40 leaking this many requests a second (429 beyond)
        )
        self._level, self._level_at = 0.0, time.monotonic()
        self.write_faults: list[str] = []
        self.writes: list[tuple[str, str]] = []  # (method, path) of every write that reached the shop's logic
        self.release = threading.Event()  # ends a "hang"
        self.late = TIMEOUT_SLEEP

    def next_write_fault(self) -> str | None:
        with self.lock:
            return self.write_faults.pop(0) if self.write_faults else None

    def take_from_bucket(self) -> tuple[float, float]:
        """(the bucket's level after this request, 0) or (its level, seconds to wait) when it is full."""
        with self.lock:
            now = time.monotonic()
            self._level = max(0.0, self._level - (now - self._level_at) * self.bucket_rate)
            self._level_at = now
            if self._level + 1 > 40:
                return self._level, (self._level + 1 - 40) / self.bucket_rate
            self._level += 1
            return self._level, 0.0

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def keep(self, oid: int, order: dict[str, Any], fields: dict[str, Any]) -> int:
        order.update(fields)
        self.orders[oid] = order
        return oid

    def next_fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None


class _Handler(BaseHTTPRequestHandler):
    fake: Any

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        fake = self.fake
        with fake.lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            if method == "GET":
                self._answer(fake)
            else:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                self._write(fake, method, json.loads(raw) if raw else {})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a "timeout" fault)
        finally:
            with fake.lock:
                fake.in_flight -= 1

    def _write(self, fake: Any, method: str, body: Any) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        fault = fake.next_write_fault() or fake.next_fault()
        if fault == "429":
            return self._send(
                429, {"errors": "Exceeded 2 calls per second"}, {"Retry-After": fake.retry_after}
            )
        if fault in ("500", "502", "503"):
            return self._send(int(fault), {"errors": "Internal Server Error"})
        if fault == "timeout":
            time.sleep(fake.late)
        if fake.bucket_rate:
            _level, wait = fake.take_from_bucket()
            if wait:
                return self._send(
                    429, {"errors": "Exceeded 2 calls per second"}, {"Retry-After": f"{wait:.2f}"}
                )
        with fake.lock:
            fake.requests.append({"_path": [parts.path], "_method": [method], **query})
            status, answer, headers = fake.write(method, parts.path, query, body, self.headers)
            if status < 300:
                fake.writes.append((method, parts.path))
        if fault == "late":
            time.sleep(fake.late)
        elif fault == "hang":
            fake.release.wait(60)
        self._send(status, answer, headers)

    def _answer(self, fake: Any) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        fault = fake.next_fault()
        if fault == "timeout":
            time.sleep(TIMEOUT_SLEEP)
        elif fault == "429":
            return self._send(
                429,
                {"errors": "Exceeded 2 calls per second for api client."},
                {"Retry-After": fake.retry_after},
            )
        elif fault in ("500", "502", "503"):
            return self._send(int(fault), {"errors": "Internal Server Error"})
        if fake.fail_after is not None and len(fake.requests) >= fake.fail_after:
            return self._send(500, {"errors": "Internal Server Error"})
        if fake.latency:
            time.sleep(fake.latency)
        level = None
        if fake.bucket_rate:
            level, wait = fake.take_from_bucket()
            if wait:
                return self._send(
                    429, {"errors": "Exceeded 2 calls per second"}, {"Retry-After": f"{wait:.2f}"}
                )
        with fake.lock:
            fake.requests.append({"_path": [parts.path], **query})
        status, body, headers = fake.route(parts.path, query, self.headers)
        if level is not None and "X-Shopify-Shop-Api-Call-Limit" in headers:
            headers["X-Shopify-Shop-Api-Call-Limit"] = f"{round(level)}/40"
        self._send(status, body, headers)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


_ORDER_PART = re.compile(r"/admin/api/[^/]+/orders/(\d+)/(fulfillment_orders|fulfillments)\.json$")


class FakeShopify(FakeShop):
    def __init__(self) -> None:
        super().__init__()
        self.base = ""
        self.cursors: dict[str, tuple[dict[str, list[str]], int]] = {}
        self.bucket_used = 0  # reported in X-Shopify-Shop-Api-Call-Limit (tests set it near full)
        self.fulfillment_orders: dict[int, list[dict[str, Any]]] = {}
        self.fulfillments: dict[int, list[dict[str, Any]]] = {}
        self._next_id = 9_000_000

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def fos(self, oid: int) -> list[dict[str, Any]]:
        """The order's fulfillment orders (one, made on first sight, holding every line)."""
        if oid not in self.fulfillment_orders:
            order = self.orders[oid]
            self.fulfillment_orders[oid] = [{
                "id": oid * 100 + 1, "order_id": oid, "status": "open", "assigned_location_id": 77,
                "supported_actions": ["create_fulfillment"],
                "line_items": [{"id": int(li["id"]) * 10 + 1, "line_item_id": li["id"], "quantity": li["quantity"],
                                "fulfillable_quantity": li["quantity"]} for li in order["line_items"]],
            }]  # fmt: skip
        return self.fulfillment_orders[oid]

    def fulfilled(self, oid: int) -> list[str]:
        """The tracking numbers of the order's fulfillments (one entry per fulfillment)."""
        return [f["tracking_number"] for f in self.fulfillments.get(oid, [])]

    def write(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if headers.get("X-Shopify-Access-Token") != TOKEN:
            return 401, {"errors": "[API] Invalid API key or access token"}, {}
        if method != "POST" or not path.endswith("/fulfillments.json"):
            return 404, {"errors": "Not Found"}, {}
        f = body.get("fulfillment") or {}
        groups = f.get("line_items_by_fulfillment_order") or []
        tracking = f.get("tracking_info") or {}
        if not groups:
            return 422, {"errors": ["line_items_by_fulfillment_order is required"]}, {}
        by_id = {fo["id"]: fo for fos in self.fulfillment_orders.values() for fo in fos}
        taken: list[tuple[dict[str, Any], int]] = []
        for group in groups:
            fo = by_id.get(group.get("fulfillment_order_id"))
            if fo is None:
                return 404, {"errors": "Not Found"}, {}
            if fo["status"] not in ("open", "in_progress"):
                return (
                    422,
                    {
                        "errors": [
                            f"Fulfillment order {fo['id']} has an unfulfillable status= {fo['status']}."
                        ]
                    },
                    {},
                )
            wanted = group.get("fulfillment_order_line_items")
            items = {i["id"]: i for i in fo["line_items"]}
            if wanted is None:
                taken += [
                    (i, i["fulfillable_quantity"]) for i in fo["line_items"] if i["fulfillable_quantity"]
                ]
            else:
                for w in wanted:
                    item = items.get(w["id"])
                    if item is None or w["quantity"] > item["fulfillable_quantity"]:
                        return (
                            422,
                            {"errors": ["Invalid fulfillment order line item quantity requested."]},
                            {},
                        )
                    taken.append((item, w["quantity"]))
        oid = next(iter(by_id[g["fulfillment_order_id"]]["order_id"] for g in groups))
        for item, quantity in taken:
            item["fulfillable_quantity"] -= quantity
        for group in groups:
            fo = by_id[group["fulfillment_order_id"]]
            if all(i["fulfillable_quantity"] == 0 for i in fo["line_items"]):
                fo["status"] = "closed"
        made = {
            "id": self._id(), "order_id": oid, "status": "success", "tracking_company": tracking.get("company"),
            "tracking_number": tracking.get("number"), "tracking_numbers": [tracking.get("number")],
            "tracking_url": tracking.get("url"), "notify_customer": f.get("notify_customer"),
            "line_items": [{"id": i["line_item_id"], "quantity": q} for i, q in taken],
        }  # fmt: skip
        self.fulfillments.setdefault(oid, []).append(made)
        open_left = any(fo["status"] != "closed" for fo in self.fos(oid))
        self.orders[oid].update(
            fulfillment_status="partial" if open_left else "fulfilled", updated_at=iso(self.tick())
        )
        return 201, {"fulfillment": made}, {"X-Shopify-Shop-Api-Call-Limit": f"{self.bucket_used + 1}/40"}

    def add(self, n: int = 1, **fields: Any) -> list[int]:
        made = []
        for _ in range(n):
            oid = 5_000_000_000 + len(self.orders) + 1
            now = self.tick()
            order: dict[str, Any] = {
                "id": oid, "name": f"#{1000 + len(self.orders) + 1}", "created_at": iso(now), "updated_at": iso(now),
                "processed_at": iso(now), "financial_status": "paid", "fulfillment_status": None,
                "cancelled_at": None, "note": "", "tags": "", "total_price": "99.00", "email": "a@example.com",
                "phone": None, "total_weight": 500,
                "shipping_address": {
                    "name": "张三", "phone": "13800138000", "address1": "南山区科技园科苑路 15 号",
                    "address2": "", "city": "深圳市", "province": "Guangdong", "province_code": "GD",
                    "zip": "518000", "country_code": "CN",
                },
                "line_items": [{"id": oid * 10, "sku": "TEA-1", "name": "龙井茶 250g", "title": "龙井茶",
                                "quantity": 2, "grams": 250, "price": "49.50"}],
            }  # fmt: skip
            made.append(self.keep(oid, order, fields))
        return made

    def change(self, oid: int, **fields: Any) -> None:
        self.orders[oid].update(fields, updated_at=iso(self.tick()))

    def route(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, Any, dict[str, str]]:
        if headers.get("X-Shopify-Access-Token") != TOKEN:
            return (
                401,
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
                {},
            )
        part = _ORDER_PART.search(path)
        if part is not None:
            oid, what = int(part.group(1)), part.group(2)
            if oid not in self.orders:
                return 404, {"errors": "Not Found"}, {}
            limit_header = {"X-Shopify-Shop-Api-Call-Limit": f"{self.bucket_used + 1}/40"}
            if what == "fulfillment_orders":
                return 200, {"fulfillment_orders": self.fos(oid)}, limit_header
            return 200, {"fulfillments": self.fulfillments.get(oid, [])}, limit_header
        if not path.endswith("/orders.json"):
            return 404, {"errors": "Not Found"}, {}
        limit = int(query.get("limit", ["50"])[0])
        if "page_info" in query:
            if set(query) - {"page_info", "limit", "fields"}:
                return (
                    400,
                    {"errors": {"page_info": ["page_info can only be combined with limit and fields"]}},
                    {},
                )
            found = self.cursors.get(query["page_info"][0])
            if found is None:
                return 400, {"errors": {"page_info": ["Invalid value."]}}, {}
            filters, offset = found
        else:
            filters, offset = query, 0
        wanted = sorted(self.orders.values(), key=lambda o: o["id"])
        status = filters.get("status", ["open"])[0]
        if status == "open":
            wanted = [o for o in wanted if not o["cancelled_at"] and o["fulfillment_status"] != "fulfilled"]
        if "updated_at_min" in filters:
            floor = datetime.fromisoformat(filters["updated_at_min"][0].replace("Z", "+00:00"))
            wanted = [
                o for o in wanted if datetime.fromisoformat(o["updated_at"].replace("Z", "+00:00")) >= floor
            ]
        page = wanted[offset : offset + limit]
        out = {"X-Shopify-Shop-Api-Call-Limit": f"{self.bucket_used + 1}/40"}
        if offset + limit < len(wanted):
            key = json.dumps(sorted(filters.items()))  # the same query at the same place: the same cursor
            cursor = base64.urlsafe_b64encode(f"{offset + limit}:{key}".encode()).decode()
            self.cursors[cursor] = (filters, offset + limit)
            nxt = f"{self.base}{path}?{urlencode({'limit': limit, 'page_info': cursor})}"
            out["Link"] = f'<{nxt}>; rel="next"'
        return 200, {"orders": page}, out


_WOO_ORDER = re.compile(r"/wp-json/wc/v3/orders/(\d+)(/notes)?$")
_WOO_TRACKING = re.compile(r"/wp-json/wc-shipment-tracking/v3/orders/(\d+)/shipment-trackings$")
_NO_ROUTE = {"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
             "data": {"status": 404}}  # fmt: skip


class FakeWoo(FakeShop):
    def __init__(self) -> None:
        super().__init__()
        self.tracking_ext = True  # the Shipment Tracking extension is installed
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self._next_id = 500

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def trackings(self, oid: int) -> list[dict[str, Any]]:
        for meta in self.orders[oid]["meta_data"]:
            if meta["key"] == "_wc_shipment_tracking_items":
                return list(meta["value"])
        return []

    def noted(self, oid: int, number: str) -> int:
        """How many notes of the order name ``number``."""
        return sum(number in n["note"] for n in self.notes.get(oid, []))

    def _authorised(self, query: dict[str, list[str]], headers: Any) -> bool:
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        by_query = query.get("consumer_key") == [KEY] and query.get("consumer_secret") == [SECRET]
        return headers.get("Authorization") == expected or by_query

    def _one(self, path: str, method: str, body: Any) -> tuple[int, Any, dict[str, str]] | None:
        """The routes of one order (GET/PUT the order, GET/POST its notes, its tracking entries)."""
        found = _WOO_ORDER.search(path)
        tracking = _WOO_TRACKING.search(path)
        if found is None and tracking is None:
            return None
        if tracking is not None and not self.tracking_ext:
            return 404, _NO_ROUTE, {}
        oid = int((found or tracking).group(1))  # type: ignore[union-attr]
        if oid not in self.orders:
            return 404, {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID."}, {}
        order = self.orders[oid]
        if tracking is not None:
            if method == "GET":
                return 200, self.trackings(oid), {}
            item = {"tracking_id": f"t{self._id()}", "tracking_provider": body.get("tracking_provider", ""),
                    "custom_tracking_provider": body.get("custom_tracking_provider", ""),
                    "custom_tracking_link": body.get("custom_tracking_link", ""),
                    "tracking_number": body.get("tracking_number", ""), "date_shipped": body.get("date_shipped")}  # fmt: skip
            items = [*self.trackings(oid), item]
            order["meta_data"] = [m for m in order["meta_data"] if m["key"] != "_wc_shipment_tracking_items"]
            order["meta_data"].append(
                {"id": self._id(), "key": "_wc_shipment_tracking_items", "value": items}
            )
            return 201, item, {}
        if found is not None and found.group(2):
            if method == "GET":
                return 200, self.notes.get(oid, []), {}
            note = {"id": self._id(), "author": "system", "note": body.get("note", ""),
                    "customer_note": bool(body.get("customer_note"))}  # fmt: skip
            self.notes.setdefault(oid, []).append(note)
            return 201, note, {}
        if method == "PUT":
            if "status" in body:
                self.change(oid, status=body["status"])
            return 200, order, {}
        if method == "GET":
            return 200, order, {}
        return 404, _NO_ROUTE, {}

    def write(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if not self._authorised(query, headers):
            return (
                401,
                {"code": "woocommerce_rest_cannot_create", "message": "Sorry, you are not allowed."},
                {},
            )
        return self._one(path, method, body) or (404, _NO_ROUTE, {})

    def add(self, n: int = 1, **fields: Any) -> list[int]:
        made = []
        for _ in range(n):
            oid = 100 + len(self.orders) + 1
            now = iso(self.tick()).rstrip("Z")
            order: dict[str, Any] = {
                "id": oid, "number": str(oid), "status": "processing", "date_created_gmt": now,
                "date_modified_gmt": now, "date_paid_gmt": now, "customer_note": "", "total": "120.00",
                "billing": {"first_name": "四", "last_name": "李", "phone": "13900139000", "email": "b@example.com"},
                "shipping": {"first_name": "四", "last_name": "李", "address_1": "朝阳区建国路 88 号", "address_2": "",
                             "city": "北京市", "state": "CN2", "postcode": "100022", "country": "CN", "phone": ""},
                "line_items": [{"id": oid * 10, "name": "手工皂", "sku": "SOAP", "quantity": 1, "price": 120}],
                "meta_data": [],
            }  # fmt: skip
            made.append(self.keep(oid, order, fields))
        return made

    def change(self, oid: int, **fields: Any) -> None:
        self.orders[oid].update(fields, date_modified_gmt=iso(self.tick()).rstrip("Z"))

    def route(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, Any, dict[str, str]]:
        if not self._authorised(query, headers):
            return (
                401,
                {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources."},
                {},
            )
        one = self._one(path, "GET", {})
        if one is not None:
            return one
        if path != "/wp-json/wc/v3/orders":
            return 404, {"code": "rest_no_route"}, {}
        per_page = int(query.get("per_page", ["10"])[0])
        if per_page > 100:
            return (
                400,
                {"code": "rest_invalid_param", "message": "per_page must be between 1 (inclusive) and 100"},
                {},
            )
        page = int(query.get("page", ["1"])[0])
        wanted = sorted(self.orders.values(), key=lambda o: o["id"])
        status = query.get("status", ["any"])[0]
        if status != "any":
            wanted = [o for o in wanted if o["status"] == status]
        if "modified_after" in query:
            floor = query["modified_after"][0]
            wanted = [o for o in wanted if o["date_modified_gmt"] > floor]
        total = len(wanted)
        pages = max(1, -(-total // per_page))
        chunk = wanted[(page - 1) * per_page : page * per_page]
        return 200, chunk, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}


@contextmanager
def serve(fake: Any) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1 (a free port); yields its base URL."""
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}"
    if isinstance(fake, FakeShopify):
        fake.base = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
