"""The environment for a program of the system (``lp``, ``lpstat``) started by Kuaidan.

From source it is this process's own. In the desktop bundle (PyInstaller, Linux) the bundle's program has put its
own folder first in ``LD_LIBRARY_PATH``, so a system program started with it would load the bundle's copies of
libraries (OpenSSL, GnuTLS, glib…) instead of the system's, which breaks it wherever they differ: it gets
``LD_LIBRARY_PATH`` as it was before the bundle started (PyInstaller keeps that in ``LD_LIBRARY_PATH_ORIG``).
"""

from __future__ import annotations

import os
import sys


def system_env() -> dict[str, str] | None:
    """The environment to start a system program with (None: this process's own, unchanged)."""
    if not getattr(sys, "frozen", False) or "LD_LIBRARY_PATH" not in os.environ:
        return None
    env = dict(os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        del env["LD_LIBRARY_PATH"]
    else:
        env["LD_LIBRARY_PATH"] = original
    return env
