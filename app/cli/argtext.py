"""argparse's own words (``usage:``, ``options``, its error messages) in the command line's language.

argparse looks each of its texts up at the moment it uses it, through the module-level ``argparse._`` and
``argparse.ngettext`` (gettext's, with no catalogue: English). :func:`install` puts in their place two functions that
ask :func:`app.lang.language` and give the Chinese below when it is Chinese, so that ``kuaidan --help`` and a usage
error are wholly in one language. A text missing from the table stays English (a newer Python's new message): the
test in tests/cli_lang reads argparse's source and fails on any text of its that is not here.
"""

from __future__ import annotations

import argparse

from app.lang import language

ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助并退出",
    "show program's version number and exit": "显示程序版本并退出",
    "subcommands": "子命令",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出这些参数之一：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可以是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选 %(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
    'argument "-" with mode %r': '参数 "-" 不能用模式 %r',
    # mistakes in the parser's own definition (a bug, never a user's): translated all the same, for completeness
    ".__call__() not defined": ".__call__() 未定义",
    "conflicting subparser: %s": "子命令重复：%s",
    "conflicting subparser alias: %s": "子命令别名重复：%s",
    "cannot merge actions - two groups are named %r": "无法合并：两个参数组都叫 %r",
    "'required' is an invalid argument for positionals": "位置参数不能用 'required'",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "无效的选项 %(option)r：必须以 %(prefix_chars)r 中的字符开头",
    "dest= is required for options like %r": "%r 这样的选项需要 dest=",
    "invalid conflict_resolution value: %r": "无效的 conflict_resolution 值：%r",
    "mutually exclusive arguments must be optional": "互斥的参数必须是选项",
    "cannot have multiple subparser arguments": "不能有多组子命令",
    "%r is not callable": "%r 不可调用",
}  # fmt: skip
ZH_PLURAL: dict[str, str] = {
    "conflicting option string: %s": "选项重复：%s",
    "expected %s argument": "需要 %s 个值",
}


def gettext(message: str) -> str:
    if language() == "zh":
        return ZH.get(message, message)
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    if language() == "zh":
        return ZH_PLURAL.get(singular, singular if n == 1 else plural)
    return singular if n == 1 else plural


def install() -> None:
    """argparse asks :func:`gettext` and :func:`ngettext` from now on (once per process is enough)."""
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
