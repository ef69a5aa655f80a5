"""Changing a Kuaidi100 (百递云) account through the workspace (the settings window's path): the company code drives
the shipper code, secrets go to the secret store and are kept when not retyped, the endpoint and push URL are
checked like ``carriers add`` checks them, and another aggregator's settings are refused in plain words. A refusal
writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from app.errors import UsageError


def _add(workspace: Any) -> None:
    workspace.carriers.add_account("百递云", kind="kuaidi100", shipper_code="", app_key="K-1", secret="S-1",
                                   kuaidicom="zhongtong", customer="C-1")  # fmt: skip


def _account(workspace: Any, name: str = "百递云") -> Any:
    return next(a for a in workspace.carriers.accounts() if a.name == name)


def test_the_company_code_drives_the_shipper_code_and_secrets_are_kept(workspace: Any, store: Any) -> None:
    _add(workspace)
    before = _account(workspace)
    assert (before.has_app_key, before.has_secret, before.has_salt, before.has_customer_pwd) == (
        True, True, False, False,
    )  # fmt: skip
    info = workspace.carriers.update_account("百递云", kuaidicom=" YunDa ", app_key="", secret="", salt="SALT-9",
                                             customer_pwd="PK-9", customer_name="P-9", net="网点",
                                             push_url="https://station.example.com/kuaidi100")  # fmt: skip
    assert (info.kuaidicom, info.shipper_code, info.customer, info.net) == ("yunda", "YD", "C-1", "网点")
    assert (info.has_app_key, info.has_secret, info.has_salt, info.has_customer_pwd) == (
        True,
        True,
        True,
        True,
    )
    assert info.push_url == "https://station.example.com/kuaidi100" and info.customer_name == "P-9"
    with store.engine.connect() as conn:
        dump = "\n".join(str(r) for t in ("carrier_accounts", "secrets")
                         for r in conn.execute(text(f"SELECT * FROM {t}")))  # fmt: skip
    assert not any(secret in dump for secret in ("K-1", "S-1", "SALT-9", "PK-9"))
    # a shipper code alone (the command line's habit) moves the company code with it
    assert workspace.carriers.update_account("百递云", shipper_code="sf").kuaidicom == "shunfeng"
    assert workspace.carriers.update_account("百递云", customer="", push_url="").push_url == ""
    assert _account(workspace).customer == ""


@pytest.mark.parametrize(
    ("changes", "zh", "en"),
    [
        ({"endpoint": "http://api.kuaidi100.example/label/order"}, "拒绝明文", "refused"),
        ({"push_url": "http://10.1.1.1/kuaidi100"}, "拒绝明文", "refused"),
        ({"kuaidicom": " "}, "公司编码", "company code"),
        ({"ebusiness_id": "1001", "month_code": "M"}, "月结编码", "EBusinessID"),
    ],
)
def test_a_change_that_does_not_fit_is_refused_in_words_and_writes_nothing(
    workspace: Any, changes: dict[str, str], zh: str, en: str
) -> None:
    _add(workspace)
    before = _account(workspace)
    with pytest.raises(UsageError) as refused:
        workspace.carriers.update_account("百递云", rename="改名", **changes)
    assert zh in str(refused.value) and en in refused.value.message_en
    assert "--" not in str(refused.value) + refused.value.message_en
    assert _account(workspace) == before


def test_kuaidi100_settings_on_a_kdniao_account_are_refused(workspace: Any) -> None:
    workspace.carriers.add_account("快递鸟", kind="kdniao", shipper_code="ZTO", ebusiness_id="1", app_key="k")
    with pytest.raises(UsageError) as refused:
        workspace.carriers.update_account("快递鸟", salt="s", kuaidicom="zhongtong")
    assert "salt" in str(refused.value) and "Kuaidi100 company code" in refused.value.message_en
    assert _account(workspace, "快递鸟").shipper_code == "ZTO"
