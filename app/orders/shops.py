"""Shops and sender profiles: the small reference data every other service needs."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.carriers.net import check_endpoint
from app.domain import Platform
from app.errors import NoSender, NotFound, UsageError
from app.orders.values import SenderInfo, ShopInfo
from app.secrets import SecretStore
from app.store.audit import record_audit
from app.store.models import Sender, Shop


def _info(shop: Shop, orders: int = 0) -> ShopInfo:
    settings = shop.settings or {}
    mapping = settings.get("mapping") or {}
    columns = mapping.get("columns", {}) if isinstance(mapping, dict) else {}
    return ShopInfo(
        shop.id,
        shop.name,
        shop.platform,
        shop.url,
        bool(shop.token_ref),
        bool(shop.key_ref),
        mask_phone=bool(settings.get("mask_phone", False)),
        mask_name=bool(settings.get("mask_name", False)),
        template=str(settings.get("template", "")),
        mapping=tuple((str(k), str(v)) for k, v in columns.items()),
        orders=orders,
        has_secret=bool(shop.secret_ref),
        api_version=str(settings.get("api_version", "")),
        query_auth=bool(settings.get("query_auth", False)),
    )


_API_VERSION = re.compile(r"\d{4}-\d{2}|unstable")


def connection_settings(
    settings: dict[str, Any], api_version: str | None = None, query_auth: bool | None = None
) -> dict[str, Any]:
    """``settings`` with the API connection's own (what is given): ``api_version`` ("" = the connector's default;
    else like ``2024-10``) and ``query_auth``."""
    out = dict(settings)
    if api_version is not None:
        version = api_version.strip()
        if version and not _API_VERSION.fullmatch(version):
            raise UsageError(
                f"接口版本 {api_version!r} 无效：应为 年-月，如 2024-10",
                f"API version {api_version!r} is not valid: it is a year and month, like 2024-10",
            )
        if version:
            out["api_version"] = version
        else:
            out.pop("api_version", None)
    if query_auth is not None:
        out["query_auth"] = bool(query_auth)
    return out


def get_shop(session: Session, name: str) -> Shop:
    shop = session.scalar(select(Shop).where(Shop.name == name))
    if shop is None:
        raise NotFound(
            f"没有名为 {name} 的店铺（先用 shops add 添加）", f"no shop named {name} (add it with shops add)"
        )
    return shop


def add_shop(
    session: Session,
    secrets: SecretStore,
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
    name = name.strip()
    if not name:
        raise UsageError("店铺名称不能为空", "the shop name is empty")
    try:
        plat = Platform(platform)
    except ValueError:
        raise UsageError(
            f"未知的平台 {platform}（可选：{', '.join(p.value for p in Platform)}）",
            f"unknown platform {platform} (one of: {', '.join(p.value for p in Platform)})",
        ) from None
    if url:
        check_endpoint(url)
    if session.scalar(select(Shop.id).where(Shop.name == name)) is not None:
        raise UsageError(f"店铺 {name} 已存在", f"a shop named {name} exists already")
    settings = connection_settings({}, api_version, query_auth or None)
    shop = Shop(name=name, platform=plat.value, url=url.strip(), settings=settings)
    session.add(shop)
    session.flush()
    shop.token_ref = secrets.put(session, f"shop/{shop.id}/token", token)
    shop.key_ref = secrets.put(session, f"shop/{shop.id}/key", key)
    shop.secret_ref = secrets.put(session, f"shop/{shop.id}/secret", secret)
    record_audit(session, "shop.add", "shop", shop.id, {"name": name, "platform": plat.value})
    return _info(shop)


def list_shops(session: Session, *, counts: bool = False) -> list[ShopInfo]:
    """Every shop by name; with ``counts``, each with the number of orders it holds (one grouped count)."""
    held: dict[int, int] = {}
    if counts:
        from sqlalchemy import func

        from app.store.models import Order

        grouped = session.execute(select(Order.shop_id, func.count()).group_by(Order.shop_id))
        held = {int(shop_id): int(n) for shop_id, n in grouped}
    return [_info(s, held.get(s.id, 0)) for s in session.scalars(select(Shop).order_by(Shop.name))]


def add_sender(
    session: Session,
    profile: str,
    *,
    name: str,
    mobile: str,
    province: str,
    city: str,
    district: str,
    address: str,
    default: bool = False,
) -> SenderInfo:
    from app.orders.phone import normalise_phone

    if session.scalar(select(Sender.id).where(Sender.profile == profile)) is not None:
        raise UsageError(f"发件人 {profile} 已存在", f"a sender profile named {profile} exists already")
    check = normalise_phone(mobile)
    if check.kind == "invalid":
        raise UsageError(
            f"发件人手机号 {mobile!r} 无效：{check.reason}", f"sender mobile {mobile!r} is not valid"
        )
    first = session.scalar(select(Sender.id).limit(1)) is None
    if default or first:
        for other in session.scalars(select(Sender).where(Sender.is_default.is_(True))):
            other.is_default = False
    sender = Sender(
        profile=profile,
        name=name,
        mobile=check.value,
        province=province,
        city=city,
        district=district,
        address=address,
        is_default=default or first,
    )
    session.add(sender)
    session.flush()
    return _sender_info(sender)


def _sender_info(sender: Sender) -> SenderInfo:
    return SenderInfo(
        sender.id,
        sender.profile,
        sender.name,
        sender.mobile,
        sender.province,
        sender.city,
        sender.district,
        sender.address,
        sender.is_default,
    )


def list_senders(session: Session) -> list[SenderInfo]:
    """Every sender profile, the default one first."""
    rows = session.scalars(select(Sender).order_by(Sender.is_default.desc(), Sender.profile))
    return [_sender_info(s) for s in rows]


def default_sender(session: Session) -> SenderInfo | None:
    sender = session.scalar(select(Sender).where(Sender.is_default.is_(True)))
    return _sender_info(sender) if sender is not None else None


def set_default_sender(session: Session, profile: str) -> SenderInfo:
    """Make the named profile the default one (the others stop being it)."""
    sender = get_sender(session, profile)
    for other in session.scalars(select(Sender).where(Sender.is_default.is_(True), Sender.id != sender.id)):
        other.is_default = False
    sender.is_default = True
    session.flush()
    return _sender_info(sender)


def get_sender(session: Session, profile: str | None) -> Sender:
    """The named sender profile, or the default one."""
    if profile:
        sender = session.scalar(select(Sender).where(Sender.profile == profile))
        if sender is None:
            raise NotFound(f"没有名为 {profile} 的发件人", f"no sender profile named {profile}")
        return sender
    sender = session.scalar(select(Sender).where(Sender.is_default.is_(True)))
    if sender is None:
        raise NoSender
    return sender
