"""Changing and removing shops and sender profiles (the settings window's forms; adding is in ``shops``).

A shop's own settings live in ``Shop.settings`` (a JSON column), read by the label rendering and the importer:
``mask_phone`` and ``mask_name`` (bool: its labels hide the receiver's phone / name), ``template`` (a label template
name, "" for the printer's own), ``mapping`` (its saved column mapping, :mod:`app.orders.mapping`), and for an API
shop ``api_version`` (Shopify) and ``query_auth`` (WooCommerce), read by the connectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.carriers.net import check_endpoint
from app.domain import Platform
from app.errors import UsageError
from app.orders.shops import _info, _sender_info, connection_settings, get_sender, get_shop
from app.orders.values import SenderInfo, ShopInfo
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import ImportRun, Order, Sender, Shipment, Shop


@dataclass(frozen=True)
class ShopChanges:
    """What a form changes; None leaves a value as it is (a secret typed as "" is left as it is too)."""

    rename: str | None = None
    platform: str | None = None
    url: str | None = None
    token: str | None = None
    key: str | None = None
    secret: str | None = None
    mask_phone: bool | None = None
    mask_name: bool | None = None
    template: str | None = None
    api_version: str | None = None  # "" = the connector's default
    query_auth: bool | None = None


def _check_template(template: str) -> str:
    from app.labels.templates import TEMPLATES

    template = template.strip()
    if template and template not in TEMPLATES:
        raise UsageError(
            f"没有面单模板 {template}（可选 {'、'.join(TEMPLATES)}）",
            f"no label template {template!r}; choose one of {', '.join(TEMPLATES)}",
        )
    return template


def update_shop(session: Session, secrets: SecretStore, name: str, changes: ShopChanges) -> ShopInfo:
    shop = get_shop(session, name)
    if changes.rename is not None and changes.rename.strip() != shop.name:
        new_name = changes.rename.strip()
        if not new_name:
            raise UsageError("店铺名称不能为空", "the shop name is empty")
        if session.scalar(select(Shop.id).where(Shop.name == new_name)) is not None:
            raise UsageError(f"店铺 {new_name} 已存在", f"a shop named {new_name} exists already")
        shop.name = new_name
    if changes.platform is not None:
        try:
            shop.platform = Platform(changes.platform).value
        except ValueError:
            raise UsageError(
                f"未知的平台 {changes.platform}", f"unknown platform {changes.platform}"
            ) from None
    if changes.url is not None:
        shop.url = check_endpoint(changes.url) if changes.url.strip() else ""
    for field, value in (("token", changes.token), ("key", changes.key), ("secret", changes.secret)):
        if value:
            setattr(shop, f"{field}_ref", secrets.put(session, f"shop/{shop.id}/{field}", value))
    settings: dict[str, Any] = dict(shop.settings or {})
    if changes.mask_phone is not None:
        settings["mask_phone"] = bool(changes.mask_phone)
    if changes.mask_name is not None:
        settings["mask_name"] = bool(changes.mask_name)
    if changes.template is not None:
        settings["template"] = _check_template(changes.template)
    settings = connection_settings(settings, changes.api_version, changes.query_auth)
    shop.settings = settings  # a new dict, so that the JSON column is written
    session.flush()
    record_audit(session, "shop.update", "shop", shop.id, {"name": shop.name})
    return _info(shop)


def delete_shop(session: Session, name: str) -> None:
    """Remove a shop that holds no orders (a shop with orders keeps them: it cannot be removed)."""
    shop = get_shop(session, name)
    held = session.scalar(select(func.count()).select_from(Order).where(Order.shop_id == shop.id)) or 0
    if held:
        raise UsageError(
            f"店铺 {name} 还有 {held} 个订单，不能删除",
            f"shop {name} still holds {held} orders: it cannot be deleted",
        )
    session.execute(delete(ImportRun).where(ImportRun.shop_id == shop.id))
    _forget_secrets(session, f"shop/{shop.id}/")
    record_audit(session, "shop.delete", "shop", shop.id, {"name": name})
    session.delete(shop)
    session.flush()


def _forget_secrets(session: Session, prefix: str) -> None:
    from app.store.models import SecretRecord

    session.execute(delete(SecretRecord).where(SecretRecord.name.startswith(prefix)))


# ------------------------------------------------------------------------------------------------------- senders


def update_sender(session: Session, profile: str, changes: dict[str, str]) -> SenderInfo:
    """Change a sender profile's fields (``profile`` renames it; name, mobile, province, city, district,
    address); the mobile is checked as when it was added."""
    from app.orders.phone import normalise_phone

    sender = get_sender(session, profile)
    allowed = {"profile", "name", "mobile", "province", "city", "district", "address"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown sender fields {sorted(unknown)}")
    new_profile = changes.get("profile", sender.profile).strip()
    if not new_profile:
        raise UsageError("发件人名称不能为空", "the sender profile needs a name")
    if new_profile != sender.profile and session.scalar(
        select(Sender.id).where(Sender.profile == new_profile)
    ):
        raise UsageError(
            f"发件人 {new_profile} 已存在", f"a sender profile named {new_profile} exists already"
        )
    if "mobile" in changes:
        check = normalise_phone(changes["mobile"])
        if check.kind == "invalid":
            raise UsageError(
                f"发件人手机号 {changes['mobile']!r} 无效：{check.reason}",
                f"sender mobile {changes['mobile']!r} is not valid",
            )
        sender.mobile = check.value
    for field in ("name", "province", "city", "district", "address"):
        if field in changes:
            value = changes[field].strip()
            if not value and field != "district":
                raise UsageError(
                    f"发件人的{_SENDER_FIELDS_ZH[field]}不能为空", f"the sender's {field} is empty"
                )
            setattr(sender, field, value)
    sender.profile = new_profile
    session.flush()
    return _sender_info(sender)


_SENDER_FIELDS_ZH = {"name": "姓名", "province": "省份", "city": "城市", "address": "地址"}


def delete_sender(session: Session, profile: str) -> None:
    """Remove a sender profile no parcel was sent with; when it was the default, the next one becomes it."""
    sender = get_sender(session, profile)
    used = (
        session.scalar(select(func.count()).select_from(Shipment).where(Shipment.sender_id == sender.id)) or 0
    )
    if used:
        raise UsageError(
            f"发件人 {profile} 已用于 {used} 个包裹，不能删除",
            f"sender {profile} was used for {used} parcels: it cannot be deleted",
        )
    was_default = sender.is_default
    session.delete(sender)
    session.flush()
    if was_default:
        following = session.scalar(select(Sender).order_by(Sender.profile).limit(1))
        if following is not None:
            following.is_default = True
            session.flush()
