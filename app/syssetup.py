"""The set-up step of ``make demo``, ``make test`` and ``.ci/run``: install the system packages this machine lacks.

``python -m app.syssetup [--for-tests] [--venv] [--dry-run]`` finds what is missing (``app.sysdeps``: what Qt's own binaries
fail to load, a CJK font, ``xvfb-run`` for the tests), says what it installs and why, then installs it with
``apt-get`` as root or through ``sudo -n`` otherwise. When neither can work (no sudo, sudo wants a password, no
apt-get) it names the exact command to run and exits 1. Nothing missing: it says nothing, runs nothing, exits 0.
Exit 0 done, 1 something is still missing, 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app import sysdeps
from app.sysdeps import Missing, say

APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}


@dataclass(frozen=True)
class Plan:
    """How the packages get installed: the commands to run, or (``commands`` empty) the one the user must run."""

    commands: list[list[str]]
    manual: str  # the command line a person runs when ``commands`` is empty


def install_line(packages: Sequence[str], as_root: bool) -> str:
    """The command a person types to install the packages (shown by the start-up check and when stopping)."""
    return ("" if as_root else "sudo ") + "apt-get install -y " + " ".join(packages)


def plan(packages: Sequence[str], uid: int, has_apt: bool, sudo: str | None, sudo_works: bool) -> Plan:
    """Root runs apt-get; a user with a password-less sudo runs it through ``sudo -n``; anyone else is told how."""
    manual = install_line(packages, as_root=uid == 0)
    if not has_apt:
        return Plan([], manual)
    base = ["apt-get", "-q", "-o", "Dpkg::Use-Pty=0"]
    install = [*base, "install", "-y", "--no-install-recommends", *packages]
    update = [*base, "update"]
    if uid == 0:
        return Plan([update, install], manual)
    if sudo and sudo_works:
        prefix = [sudo, "-n", "env", *(f"{k}={v}" for k, v in APT_ENV.items())]
        return Plan([[*prefix, *update], [*prefix, *install]], manual)
    return Plan([], manual)


def sudo_works(sudo: str | None) -> bool:
    if sudo is None:
        return False
    result = subprocess.run([sudo, "-n", "true"], capture_output=True, check=False, stdin=subprocess.DEVNULL)
    return result.returncode == 0


def plan_here(packages: Sequence[str]) -> Plan:
    sudo = shutil.which("sudo")
    uid = os.getuid()
    return plan(packages, uid, shutil.which("apt-get") is not None, sudo, uid != 0 and sudo_works(sudo))


def describe(items: Sequence[Missing]) -> str:
    """One line per package with the reason it is needed."""
    reasons: dict[str, list[str]] = {}
    for item in items:
        if item.package:
            reasons.setdefault(item.package, []).append(item.what)
    return "\n".join(f"  {package:<24} {', '.join(whats)}" for package, whats in sorted(reasons.items()))


Runner = Callable[[list[str]], int]


def run_apt(command: list[str]) -> int:
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    env = {**os.environ, **APT_ENV}
    return subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False).returncode


def setup(for_tests: bool, dry_run: bool = False, run: Runner = run_apt, venv: bool = False) -> int:
    """Install what is missing: for the venv (``venv``), else for the app (and ``for_tests``, the tests)."""

    def lacking() -> list[Missing]:
        return sysdeps.missing_for_venv() if venv else sysdeps.missing(for_tests)

    items = lacking()
    if not items:
        return 0
    unknown = sysdeps.unmapped(items)
    packages = sysdeps.packages(items)
    if unknown:
        print(
            say("找不到提供这些库的软件包：", "no package known for these libraries: ") + " ".join(unknown),
            file=sys.stderr,
        )
    if not packages:
        return 1
    print(
        say(
            "本机缺少 Kuaidan 所需的系统软件包，现在安装：",
            "This machine lacks system packages that Kuaidan needs; installing them:",
        )
        + "\n"
        + describe(items),
        file=sys.stderr,
        flush=True,
    )
    steps = plan_here(packages)
    if dry_run:
        for command in steps.commands:
            print("  would run: " + " ".join(command), file=sys.stderr)
        if not steps.commands:
            print("  " + steps.manual, file=sys.stderr)
        return 1
    if not steps.commands:
        print(
            say(
                "无法自动安装（不是 root，且没有 sudo 或 sudo 需要密码）。请运行：\n  ",
                "Cannot install them here (not root, and no sudo or sudo asks for a password). Run:\n  ",
            )
            + steps.manual,
            file=sys.stderr,
        )
        return 1
    for command in steps.commands:
        if run(command) != 0:
            print(
                say("安装失败。请运行：\n  ", "The install failed. Run:\n  ") + steps.manual, file=sys.stderr
            )
            return 1
    left = lacking()
    if left:
        print(
            say("安装后仍然缺少：", "still missing after the install: ")
            + " ".join(item.what for item in left)
            + "\n  "
            + install_line(sysdeps.packages(left), os.getuid() == 0),
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.syssetup", description=__doc__.splitlines()[0])
    parser.add_argument("--for-tests", action="store_true", help="also what the test suite needs (xvfb)")
    parser.add_argument(
        "--venv", action="store_true", help="only what python3 -m venv needs (before the venv)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what is missing and what would run; install nothing"
    )
    args = parser.parse_args(argv)
    return setup(args.for_tests, args.dry_run, venv=args.venv)


if __name__ == "__main__":
    raise SystemExit(main())
