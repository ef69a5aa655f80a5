"""Commands for waybills (filled in by the issue that builds them)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

AddJson = Callable[[argparse.ArgumentParser], None]


def register(sub: Any, add_json: AddJson) -> None:
    return None
