"""The set-up step installs as root, through sudo -n otherwise, or names the command and stops; it says what and
why first, runs nothing when nothing is missing, and .ci/run keeps no list of its own. apt is never run here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import sysdeps, syssetup
from app.sysdeps import Missing
from app.syssetup import Plan

ROOT = Path(__file__).resolve().parents[2]
PKGS = ["fonts-wqy-microhei", "libdbus-1-3", "libxcb-shape0"]
INSTALL = ["install", "-y", "--no-install-recommends", *PKGS]


def test_root_runs_apt_get_itself() -> None:
    plan = syssetup.plan(PKGS, uid=0, has_apt=True, sudo=None, sudo_works=False)
    assert [c[0] for c in plan.commands] == ["apt-get", "apt-get"]
    assert plan.commands[0][-1] == "update" and plan.commands[1][-len(INSTALL) :] == INSTALL
    assert plan.manual == "apt-get install -y fonts-wqy-microhei libdbus-1-3 libxcb-shape0"


def test_a_user_with_passwordless_sudo_goes_through_sudo_n() -> None:
    plan = syssetup.plan(PKGS, uid=1000, has_apt=True, sudo="/usr/bin/sudo", sudo_works=True)
    assert all(c[:3] == ["/usr/bin/sudo", "-n", "env"] for c in plan.commands)
    assert (
        "DEBIAN_FRONTEND=noninteractive" in plan.commands[1] and plan.commands[1][-len(INSTALL) :] == INSTALL
    )


@pytest.mark.parametrize(
    ("sudo", "works", "apt"), [(None, False, True), ("/usr/bin/sudo", False, True), (None, False, False)]
)
def test_anyone_else_is_told_the_exact_command(sudo: str | None, works: bool, apt: bool) -> None:
    plan = syssetup.plan(PKGS, uid=1000, has_apt=apt, sudo=sudo, sudo_works=works)
    assert plan.commands == []
    assert plan.manual == "sudo apt-get install -y fonts-wqy-microhei libdbus-1-3 libxcb-shape0"


ITEMS = [
    Missing("libxcb-shape0", "libxcb-shape.so.0"),
    Missing("libdbus-1-3", "libdbus-1.so.3"),
    Missing("fonts-wqy-microhei", "CJK font"),
]


def fake_machine(
    monkeypatch: pytest.MonkeyPatch, uid: int = 0, fixed_by_install: bool = True
) -> tuple[list[list[str]], Plan]:
    """A machine (root, or a user without sudo) that lacks ITEMS until apt-get install runs (recorded, never run)."""
    ran: list[list[str]] = []
    plan = syssetup.plan(PKGS, uid=uid, has_apt=True, sudo=None, sudo_works=False)
    monkeypatch.setenv("KUAIDAN_LANG", "en")
    monkeypatch.setattr(syssetup, "plan_here", lambda packages: plan)

    def lacking(for_tests: bool = False, run: object = None) -> list[Missing]:
        installed = fixed_by_install and any("install" in c for c in ran)
        return [] if installed else list(ITEMS)

    monkeypatch.setattr(sysdeps, "missing", lacking)
    return ran, plan


def recorder(ran: list[list[str]]) -> syssetup.Runner:
    def run(command: list[str]) -> int:
        ran.append(command)
        return 0

    return run


def test_setup_says_what_and_why_then_installs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran, plan = fake_machine(monkeypatch)
    assert syssetup.setup(for_tests=True, run=recorder(ran)) == 0
    assert ran == plan.commands
    err = capsys.readouterr().err
    assert "installing them" in err
    assert re.search(r"libxcb-shape0\s+libxcb-shape\.so\.0", err) and re.search(
        r"fonts-wqy-microhei\s+CJK font", err
    )


def test_setup_without_root_or_sudo_names_the_command_and_stops(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran, _ = fake_machine(monkeypatch, uid=1000)
    assert syssetup.setup(for_tests=False, run=recorder(ran)) == 1
    assert ran == []
    assert "sudo apt-get install -y fonts-wqy-microhei libdbus-1-3 libxcb-shape0" in capsys.readouterr().err


def test_setup_reports_what_the_install_did_not_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran, _ = fake_machine(monkeypatch, fixed_by_install=False)
    assert syssetup.setup(for_tests=False, run=recorder(ran)) == 1
    assert "still missing after the install: libxcb-shape.so.0" in capsys.readouterr().err


def test_dry_run_installs_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran, _ = fake_machine(monkeypatch)
    assert syssetup.main(["--dry-run"]) == 1
    assert ran == [] and "would run: apt-get" in capsys.readouterr().err


def test_nothing_missing_runs_nothing_and_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[list[str]] = []
    assert syssetup.setup(for_tests=True, run=recorder(ran)) == 0  # this machine has everything
    assert ran == [] and capsys.readouterr().err == ""


def test_ci_run_and_the_makefile_use_the_one_setup_step() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get" not in ci and "libxcb" not in ci and "fonts-wqy" not in ci and "make test" in ci
    makefile = (ROOT / "Makefile").read_text()
    rules = {m.group(1): m.group(2) for m in re.finditer(r"^([a-z-]+):([^\n]*)", makefile, re.M)}
    assert "system" in rules["demo"].split() and "system-tests" in rules["test"].split()
    assert "app.syssetup" in makefile and "libxcb" not in makefile


def test_before_the_venv_python3_venv_is_asked_for_when_ensurepip_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUAIDAN_LANG", "en")
    assert sysdeps.missing_for_venv() == []  # this python has ensurepip
    monkeypatch.setattr(sysdeps, "VENV_MODULE", ("no_such_module_kuaidan", "python3-venv"))
    monkeypatch.setattr(
        syssetup, "plan_here", lambda packages: syssetup.plan(packages, 1000, True, None, False)
    )
    assert syssetup.main(["--venv"]) == 1
    assert "sudo apt-get install -y python3-venv" in capsys.readouterr().err


def test_the_setup_runs_on_the_system_python_before_any_dependency_is_installed() -> None:
    """No site-packages (-S) and not the cwd (-I): the set-up needs the standard library only."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import app.syssetup; sys.exit(app.syssetup.main(['--venv']))"
    result = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PYTHON) -m app.syssetup --venv && $(PYTHON) -m venv $(VENV)" in makefile
