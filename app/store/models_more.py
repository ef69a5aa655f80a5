"""The workspace's housekeeping tables (settings, secrets, import runs, change counters, station invites, backlog
notices) and the profit tables (SKU costs, carrier price bands); ``app.store.models`` re-exports them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base, _now


class SkuCost(Base):
    """What one unit of a SKU costs the seller (the goods cost of the profit report, app/profit/)."""

    __tablename__ = "sku_costs"

    sku: Mapped[str] = mapped_column(String(100), primary_key=True)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    updated_at: Mapped[datetime] = mapped_column(default=_now)


class ShippingPrice(Base):
    """One band of a carrier account's price table: parcels to ``province`` ("" = anywhere not listed) weighing
    from ``min_weight_g`` up to (not including) ``max_weight_g`` (NULL: no limit) cost ``first_price`` for the first
    ``first_weight_g`` and ``extra_per_kg`` for each started kilogram beyond it (首重 / 续重)."""

    __tablename__ = "shipping_prices"
    __table_args__ = (
        UniqueConstraint("carrier_account_id", "province", "min_weight_g", name="uq_shipping_prices_band"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_account_id: Mapped[int] = mapped_column(ForeignKey("carrier_accounts.id", ondelete="CASCADE"))
    province: Mapped[str] = mapped_column(String(40), default="")
    min_weight_g: Mapped[int] = mapped_column(Integer, default=0)
    max_weight_g: Mapped[int | None] = mapped_column(Integer, default=None)
    first_weight_g: Mapped[int] = mapped_column(Integer, default=1000)
    first_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    extra_per_kg: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))


class BacklogNotice(Base):
    """Orders already past their ship-by promise when they entered the store, told once (app/tracking/backlog.py)."""

    __tablename__ = "backlog_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    dismissed_at: Mapped[datetime | None] = mapped_column(default=None)
    dismissed_by: Mapped[str] = mapped_column(String(100), default="", server_default="")


class Setting(Base):
    """Workspace-wide settings shared by every station (thresholds, defaults); user preferences live elsewhere."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SecretRecord(Base):
    """The encrypted fallback of the secret store, used where no OS keyring is available."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class ImportRun(Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    source: Mapped[str] = mapped_column(String(500))
    profile: Mapped[str] = mapped_column(String(30))
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=_now)
    undone_at: Mapped[datetime | None] = mapped_column(default=None)
    # the smallest and largest id of the orders it created (None: none, or a run of an older version)
    first_order_id: Mapped[int | None] = mapped_column(Integer, default=None)
    last_order_id: Mapped[int | None] = mapped_column(Integer, default=None)


class Change(Base):
    """A counter per kind of change (``orders``, ``print_jobs``, ``anomalies``), raised by triggers on every write
    that changes what a station's lists show, so another station's list sees the change with one cheap read
    (app/store/changes.py). SQLite only: on PostgreSQL the same triggers announce the change with NOTIFY."""

    __tablename__ = "changes"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


class StationInvite(Base):
    """A one-time join code's stored half: the store key wrapped with a key derived from the code's secret part
    (never in the database), valid until ``expires_at`` (app/stations/invites.py)."""

    __tablename__ = "station_invites"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # the code's public part
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    workspace: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=_now)
    expires_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(Integer, default=0)
