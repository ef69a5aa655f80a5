"""The SQLAlchemy 2.0 schema, in one place.

Designed for the whole road map: later capabilities add columns and tables, not rewrites.

- ``Order`` is what a shop sold; ``Shipment`` is a parcel we send. They are many-to-many (``shipment_orders``)
  so merges (one shipment, several orders) and splits (one order, several shipments) are natural.
- ``Waybill`` is one request to a carrier for one shipment, keyed by a stable ``order_code`` (the idempotency key).
  A cancelled waybill stays as history; a re-issue is a new row with a new ``order_code``. Tracking state lives on
  the waybill because a carrier tracks waybills, not orders.
- Secrets are never columns of plain text: ``*_ref`` columns hold a reference into the secret store (app/secrets.py).
- Every table that several stations may write carries ``station`` where it matters (print jobs, audit log).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Computed,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.store.base import Base as Base
from app.store.base import _now
from app.store.elapsed import ElapsedMs


def _rules_dirty() -> Mapped[bool]:
    """Set by every insert and update made through SQLAlchemy (``onupdate``); the anomaly rules clear it once they
    have looked at the row, so each run evaluates only what changed (app/tracking/rules.py)."""
    return mapped_column(Boolean, default=True, onupdate=True, server_default=true())


def _dirty_index(table: str) -> Index:
    """A partial index holding only the rows the rules have not looked at yet: empty in the steady state."""
    return Index(
        f"ix_{table}_rules_dirty",
        "id",
        sqlite_where=text("rules_dirty = 1"),
        postgresql_where=text("rules_dirty"),
    )


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500), default="")
    token_ref: Mapped[str] = mapped_column(String(200), default="")
    key_ref: Mapped[str] = mapped_column(String(200), default="")
    secret_ref: Mapped[str] = mapped_column(String(200), default="")
    sync_watermark: Mapped[datetime | None] = mapped_column(default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=_now)


class Sender(Base):
    """A sender (发件人) profile."""

    __tablename__ = "senders"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str] = mapped_column(String(40), default="")
    tel: Mapped[str] = mapped_column(String(40), default="")
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300))
    company: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


shipment_orders = Table(
    "shipment_orders",
    Base.metadata,
    Column("shipment_id", ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform_order_id", name="uq_orders_shop_platform_id"),
        Index("ix_orders_status_shop", "status", "shop_id"),
        Index("ix_orders_receiver_phone", "receiver_phone"),
        Index("ix_orders_receiver_name", "receiver_name"),
        Index("ix_orders_platform_order_id", "platform_order_id"),  # a search by order number, any shop
        Index("ix_orders_paid_at", "paid_at"),
        _dirty_index("orders"),
        # the shop scorecard's counts and medians, per shop in order (app/insight/shops.py; migration 0017)
        Index("ix_orders_shop_waybill", "shop_id", "waybill_ms", "paid_at"),
        Index("ix_orders_shop_print", "shop_id", "print_ms", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    platform_order_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    platform_status: Mapped[str] = mapped_column(String(60), default="")
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str] = mapped_column(String(200), default="")
    buyer_nick: Mapped[str] = mapped_column(String(100), default="")
    buyer_message: Mapped[str] = mapped_column(Text, default="")
    seller_remark: Mapped[str] = mapped_column(Text, default="")
    receiver_name: Mapped[str] = mapped_column(String(100), default="")
    receiver_phone: Mapped[str] = mapped_column(String(40), default="")
    receiver_tel: Mapped[str] = mapped_column(String(40), default="")
    province: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(40), default="")
    district: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(40), default="CN")
    merge_key: Mapped[str] = mapped_column(String(100), default="")
    total_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), default=None)
    goods_summary: Mapped[str] = mapped_column(String(500), default="")
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    weight_g: Mapped[int] = mapped_column(Integer, default=0)
    platform_waybill: Mapped[str] = mapped_column(String(64), default="")
    platform_carrier: Mapped[str] = mapped_column(String(60), default="")
    ordered_at: Mapped[datetime | None] = mapped_column(default=None)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    # kept by the database's triggers (migration 0017), never written here: the issue time of the order's earliest
    # waybill in force, its earliest printed label; and payment → each in milliseconds (0 when before the payment)
    first_waybill_at: Mapped[datetime | None] = mapped_column(default=None, deferred=True)
    first_print_at: Mapped[datetime | None] = mapped_column(default=None, deferred=True)
    waybill_ms: Mapped[int | None] = mapped_column(
        BigInteger, Computed(ElapsedMs("paid_at", "first_waybill_at", floor0=True)), deferred=True
    )
    print_ms: Mapped[int | None] = mapped_column(
        BigInteger, Computed(ElapsedMs("paid_at", "first_print_at", floor0=True)), deferred=True
    )
    imported_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)
    # hash of the fields an import sets, to tell "unchanged" from "updated" cheaply
    content_hash: Mapped[str] = mapped_column(String(40), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules_dirty: Mapped[bool] = _rules_dirty()
    # the import that created the order (an undo removes them while none has a waybill); NULL: not by an import.
    # Not indexed (an index costs the import ~20 %): the run's id range (import_runs) narrows the search instead
    import_run_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # the backlog notice that told of it: it was already past its ship-by promise when it entered the store, so
    # it raises no ``ship_late`` (app/tracking/backlog.py); NULL: none
    backlog_notice_id: Mapped[int | None] = mapped_column(Integer, default=None)

    shop: Mapped[Shop] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(secondary=shipment_orders, back_populates="orders")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    platform_line_id: Mapped[str] = mapped_column(String(64), default="")
    sku: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    spec: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), default=None)
    weight_g: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")


class Shipment(Base):
    """A parcel to send: one or more orders (merge), or part of an order (split)."""

    __tablename__ = "shipments"
    __table_args__ = (
        _dirty_index("shipments"),
        # an order gets its automatic parcel exactly once, whoever makes it (app/waybills/parcels.py)
        Index("uq_shipments_auto_order_id", "auto_order_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("senders.id"), default=None)
    parcel_count: Mapped[int] = mapped_column(Integer, default=1)
    weight_g: Mapped[int] = mapped_column(Integer, default=0)
    # for a split: which lines (ids and quantities) this parcel carries; empty = everything of its orders
    line_allocation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    # the waybill currently in force (issued, not cancelled); history lives in ``waybills``
    active_waybill_id: Mapped[int | None] = mapped_column(
        ForeignKey("waybills.id", use_alter=True, ondelete="SET NULL"), default=None
    )
    printed_at: Mapped[datetime | None] = mapped_column(default=None)
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    # the order this parcel was made for automatically (one order, one parcel); None for merges and splits
    auto_order_id: Mapped[int | None] = mapped_column(Integer, default=None)
    rules_dirty: Mapped[bool] = _rules_dirty()

    orders: Mapped[list[Order]] = relationship(secondary=shipment_orders, back_populates="shipments")
    waybills: Mapped[list[Waybill]] = relationship(
        back_populates="shipment", foreign_keys="Waybill.shipment_id", order_by="Waybill.id"
    )
    active_waybill: Mapped[Waybill | None] = relationship(foreign_keys=[active_waybill_id], post_update=True)


class CarrierAccount(Base):
    __tablename__ = "carrier_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    shipper_code: Mapped[str] = mapped_column(String(20))
    ebusiness_id: Mapped[str] = mapped_column(String(60), default="")
    app_key_ref: Mapped[str] = mapped_column(String(200), default="")
    endpoint: Mapped[str] = mapped_column(String(500), default="")
    tracking_endpoint: Mapped[str] = mapped_column(String(500), default="")
    customer_name: Mapped[str] = mapped_column(String(100), default="")
    customer_pwd_ref: Mapped[str] = mapped_column(String(200), default="")
    month_code: Mapped[str] = mapped_column(String(100), default="")
    pay_type: Mapped[int] = mapped_column(Integer, default=1)
    exp_type: Mapped[int] = mapped_column(Integer, default=1)
    qps: Mapped[float] = mapped_column(default=20.0)
    daily_query_cap: Mapped[int] = mapped_column(Integer, default=30000)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=_now)


class CarrierRule(Base):
    """A carrier rule (app/waybills/rules.py): the account for the orders whose facts meet its conditions; the
    lowest ``priority`` wins. ``conditions`` holds lists (shops, provinces, cities, keywords, skus) and the weight
    bounds in kg; a rule without conditions matches every order."""

    __tablename__ = "carrier_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    carrier_account_id: Mapped[int] = mapped_column(ForeignKey("carrier_accounts.id", ondelete="CASCADE"))
    # the account an order moves to when the first one refuses it for a lasting reason (None: no fallback)
    fallback_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("carrier_accounts.id", ondelete="SET NULL"), default=None
    )
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=_now)


#: what a scorecard reads of a waybill: one covering index holds it all (app/insight/facts.py)
INSIGHT_COLUMNS = (
    "issued_at", "state", "shipper_code", "from_province", "to_province", "picked_up_at", "delivered_at",
    "estimated_delivery", "shipment_id",
)  # fmt: skip
#: the scorecards' grouped reads (app/insight/groups.py; migration 0017): in group order, the milliseconds sorted
TRANSIT_COLUMNS = (
    "shipper_code", "from_province", "to_province", "transit_ms", "state", "issued_at", "estimated_delivery",
)  # fmt: skip
PICKUP_COLUMNS = ("shipper_code", "pickup_ms", "state", "issued_at", "delivered_at", "estimated_delivery")


#: the parcels that want Kuaidan's own expected delivery (app/insight/upkeep.py): picked up, not final, no estimate
UNEXPECTED_SQLITE = (
    "is_final = 0 AND picked_up_at IS NOT NULL AND estimated_delivery IS NULL AND expected_delivery IS NULL"
)
UNEXPECTED_POSTGRESQL = UNEXPECTED_SQLITE.replace("is_final = 0", "is_final = false")


class Waybill(Base):
    """One waybill request for one shipment; the ``order_code`` makes it idempotent at the carrier."""

    __tablename__ = "waybills"
    __table_args__ = (
        Index("ix_waybills_state", "state"),
        Index("ix_waybills_track", "is_final", "next_poll_at"),
        Index("ix_waybills_number", "waybill_no"),
        # the anomaly rules find the parcels whose thresholds were crossed since their last run by these
        Index("ix_waybills_issued_at", "issued_at"),
        Index("ix_waybills_last_trace_at", "last_trace_at"),
        Index("ix_waybills_estimated_delivery", "estimated_delivery"),
        Index("ix_waybills_status_since", "status_since"),
        _dirty_index("waybills"),
        # the scorecards read a waybill from this index alone (app/insight/facts.py; migration 0015)
        Index("ix_waybills_insight", *INSIGHT_COLUMNS),
        Index("ix_waybills_transit", *TRANSIT_COLUMNS),
        Index("ix_waybills_pickup", *PICKUP_COLUMNS),
        Index("ix_waybills_delivered_at", "delivered_at"),
        Index("ix_waybills_expected_delivery", "expected_delivery"),
        Index(
            "ix_waybills_unexpected",
            "id",
            sqlite_where=text(UNEXPECTED_SQLITE),
            postgresql_where=text(UNEXPECTED_POSTGRESQL),
        ),
        Index(
            "ix_waybills_route_unnoted",
            "id",
            sqlite_where=text("to_province IS NULL"),
            postgresql_where=text("to_province IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    carrier_account_id: Mapped[int] = mapped_column(ForeignKey("carrier_accounts.id"))
    order_code: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    shipper_code: Mapped[str] = mapped_column(String(20))
    waybill_no: Mapped[str] = mapped_column(String(64), default="")
    child_waybill_nos: Mapped[list[str]] = mapped_column(JSON, default=list)
    mark_destination: Mapped[str] = mapped_column(String(100), default="")
    sorting_code: Mapped[str] = mapped_column(String(100), default="")
    package_name: Mapped[str] = mapped_column(String(100), default="")
    package_code: Mapped[str] = mapped_column(String(100), default="")
    origin_code: Mapped[str] = mapped_column(String(100), default="")
    origin_name: Mapped[str] = mapped_column(String(100), default="")
    estimated_delivery: Mapped[datetime | None] = mapped_column(default=None)
    # Kuaidan's own expected delivery when the carrier gave no estimate: first scan + the route's usual transit
    # (app/insight/upkeep.py), set once; the ``overdue`` rule reads it in place of the estimate
    expected_delivery: Mapped[datetime | None] = mapped_column(default=None)
    # the sender's and the receiver's province, noted once issued (NULL: not yet; app/insight/upkeep.py)
    from_province: Mapped[str | None] = mapped_column(String(40), default=None)
    to_province: Mapped[str | None] = mapped_column(String(40), default=None)
    # the database keeps these (generated columns, migration 0017): issue → first pickup scan and first pickup
    # scan → delivery, in milliseconds (0 when the later scan has the earlier time); the scorecards read them from indexes
    pickup_ms: Mapped[int | None] = mapped_column(
        BigInteger, Computed(ElapsedMs("issued_at", "picked_up_at", floor0=True)), deferred=True
    )
    transit_ms: Mapped[int | None] = mapped_column(
        BigInteger, Computed(ElapsedMs("picked_up_at", "delivered_at", floor0=True)), deferred=True
    )
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime] = mapped_column(default=_now)
    # who holds the request while it is ``requesting`` (app/store/claims.py)
    claimed_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    issued_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    # tracking
    parcel_status: Mapped[str] = mapped_column(String(30), default="pending")
    carrier_state: Mapped[str] = mapped_column(
        String(20), default=""
    )  # the carrier's flag: a ProblemCode or ""
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    last_trace_at: Mapped[datetime | None] = mapped_column(default=None)
    picked_up_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    status_since: Mapped[datetime | None] = mapped_column(default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(default=None)
    next_poll_at: Mapped[datetime | None] = mapped_column(default=None)
    carrier_hint: Mapped[str] = mapped_column(String(40), default="")
    # the carrier's own words for what it flags (carrier_state holds the flag's normalised code)
    carrier_words: Mapped[str] = mapped_column(Text, default="")
    rules_dirty: Mapped[bool] = _rules_dirty()

    shipment: Mapped[Shipment] = relationship(back_populates="waybills", foreign_keys=[shipment_id])
    carrier_account: Mapped[CarrierAccount] = relationship()


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("waybill_id", "event_key", name="uq_tracking_events_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    waybill_id: Mapped[int] = mapped_column(ForeignKey("waybills.id", ondelete="CASCADE"), index=True)
    # sha1 of the carrier's identity of the scan: the same trace twice is one event
    event_key: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    station: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(20), default="")  # what the scan means: a ParcelStatus value
    received_at: Mapped[datetime] = mapped_column(default=_now)


class Anomaly(Base):
    __tablename__ = "anomalies"
    __table_args__ = (
        # one open-or-acknowledged anomaly per (subject, kind); NULL once resolved, so history can repeat
        UniqueConstraint("active_key", name="uq_anomalies_active_key"),
        Index("ix_anomalies_state_kind", "state", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default="open")
    severity: Mapped[int] = mapped_column(Integer, default=2)
    active_key: Mapped[str | None] = mapped_column(String(100), default=None)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), default=None)
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), default=None, index=True
    )
    waybill_id: Mapped[int | None] = mapped_column(
        ForeignKey("waybills.id", ondelete="CASCADE"), default=None, index=True
    )
    since: Mapped[datetime] = mapped_column(default=_now)
    detected_at: Mapped[datetime] = mapped_column(default=_now)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str] = mapped_column(String(40), default="")  # "auto" or a person
    assignee: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    # the ticket (app/tracking/tickets.py): who the assignee is (person | shop | customer_service; "" unassigned),
    # when it is due, and when it was escalated for passing that time (told once; NULL: not yet)
    assignee_kind: Mapped[str] = mapped_column(String(20), default="", server_default="")
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    # the integration an ``integration_down`` is about ("carrier:3", "shop:1"); NULL for the other kinds
    integration: Mapped[str | None] = mapped_column(String(40), default=None)


class ApiCall(Base):
    """One call to a carrier or shop API (app/health): which integration, what, when, how long, failed or not.
    Written in batches by the thread that finishes the work (app/health/calls.py); pruned after a few windows."""

    __tablename__ = "api_calls"
    __table_args__ = (
        Index("ix_api_calls_subject_at", "integration", "ref_id", "at"),
        Index("ix_api_calls_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    integration: Mapped[str] = mapped_column(String(10))  # "carrier" or "shop"
    ref_id: Mapped[int] = mapped_column(Integer)  # the carrier account's or the shop's id
    operation: Mapped[str] = mapped_column(String(20), default="", server_default="")
    at: Mapped[datetime]
    ms: Mapped[float] = mapped_column(Float)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="", server_default="")


class Printer(Base):
    __tablename__ = "printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    uri: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(10))
    dpi: Mapped[int] = mapped_column(Integer, default=203)
    encoding: Mapped[str] = mapped_column(String(20), default="gb18030")
    template: Mapped[str] = mapped_column(String(20), default="100x180")
    role: Mapped[str] = mapped_column(String(20), default="label")  # label | a4
    station: Mapped[str] = mapped_column(String(100), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    offset_x_mm: Mapped[float] = mapped_column(default=0.0)
    offset_y_mm: Mapped[float] = mapped_column(default=0.0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PrintJob(Base):
    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_printer_state", "printer_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="SET NULL"), default=None, index=True
    )
    waybill_id: Mapped[int | None] = mapped_column(
        ForeignKey("waybills.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(20), default="label")  # label | packing_list | test
    state: Mapped[str] = mapped_column(String(20), default="queued")
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    batch: Mapped[str] = mapped_column(String(40), default="")
    parcel_index: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_jobs.id"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    station: Mapped[str] = mapped_column(String(100), default="")
    # who is printing it: the process that queued it, then the loop that sends it (app/store/claims.py)
    claimed_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)


class WriteBack(Base):
    """One waybill told to the shop of one order (app/orders/writeback.py): ``pending`` → ``sending`` → ``sent``
    (or ``already``: found in the shop by reading back) or ``failed`` (retried on the next run, up to a cap).
    A row left ``sending`` by a process that died is uncertain: the shop is read back before anything is sent.
    ``tried``: some attempt may have reached the shop (never cleared, so a reset row is still read back first)."""

    __tablename__ = "write_backs"
    __table_args__ = (
        UniqueConstraint("order_id", "waybill_no"),
        Index("ix_write_backs_shop_state", "shop_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    waybill_no: Mapped[str] = mapped_column(String(64))
    shipper_code: Mapped[str] = mapped_column(String(20), default="")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    tried: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
    error_en: Mapped[str] = mapped_column(Text, default="")
    remote_id: Mapped[str] = mapped_column(String(100), default="")
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(100), default="")
    station: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# the workspace's housekeeping and profit tables live in models_more.py (one module would pass 600 lines);
# re-exported so that ``app.store.models`` names every table
from app.store.models_more import (  # noqa: E402, I001 - one block of explicit re-exports
    BacklogNotice as BacklogNotice,
    Change as Change,
    ImportRun as ImportRun,
    SecretRecord as SecretRecord,
    Setting as Setting,
    ShippingPrice as ShippingPrice,
    SkuCost as SkuCost,
    StationInvite as StationInvite,
)
