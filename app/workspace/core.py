"""The workspace: one object per open store whose methods are the user's actions.

The GUI and the CLI reach the domain only through it. Each action lives on a part named for its capability
(``ws.orders.import_file(…)``, ``ws.waybills.issue(…)``, ``ws.printing.print_orders(…)``, ``ws.tracking.round()``);
each method opens its own session, does the work, commits, and returns frozen values (DTOs), never live ORM objects.
A part's module is imported the first time the part is used, so a command loads only what it needs.

Errors leave a part's public method as :class:`app.errors.KuaidanError` (a printer's own errors are turned into
:class:`app.errors.PrinterProblem` at this door) or as a bug.

Threads: a part's methods may be called from any thread; which threads do call the writing ones is decided by the
caller (the GUI's rule is in ``ui/ops.py``, the CLI runs everything on its main thread).
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.errors import PrinterProblem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.secrets import SecretStore
    from app.store.engine import Store
    from app.workspace.carriers import CarriersPart
    from app.workspace.health import HealthPart
    from app.workspace.imports import ImportsPart
    from app.workspace.insight import InsightPart
    from app.workspace.labels import LabelsPart
    from app.workspace.orders import OrdersPart
    from app.workspace.printing import PrintingPart
    from app.workspace.profit import ProfitPart
    from app.workspace.rules import RulesPart
    from app.workspace.scan import ScanPart
    from app.workspace.stations import StationsPart
    from app.workspace.tickets import TicketsPart
    from app.workspace.tracking import TrackingPart
    from app.workspace.waybills import WaybillsPart
    from app.workspace.writeback import WriteBackPart

F = TypeVar("F", bound=Callable[..., Any])

# progress(done, total): called from the worker; a long action calls it as it goes
Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """Raised inside a long action when its caller asked to stop (not an error: the action stopped cleanly)."""


class CancelToken:
    """Set by the caller (the GUI's Cancel button), read by a long action between steps."""

    def __init__(self) -> None:
        self._set = False

    def cancel(self) -> None:
        self._set = True

    @property
    def cancelled(self) -> bool:
        return self._set

    def check(self) -> None:
        if self._set:
            raise Cancelled


def _translated(fn: F) -> F:
    """``fn`` with a printer's own errors turned into the application's user-facing error."""
    from printers.errors import PrinterError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PrinterError as exc:
            raise PrinterProblem(exc.message_zh, exc.message_en, exc) from exc

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class WorkspaceContext:
    """What every part shares: the open store, the secrets, the data directory, and what chose the store
    (``"--db"``, ``"KUAIDAN_DB"``, or ``""`` for the station's saved default)."""

    store: Store
    secrets: SecretStore
    data_dir: Path
    origin: str = ""


class Part:
    """A group of user actions. Subclasses' public methods pass through :func:`_translated`."""

    def __init__(self, ctx: WorkspaceContext) -> None:
        self._ctx = ctx

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            plain_function = callable(value) and not isinstance(value, type | staticmethod | classmethod)
            if not name.startswith("_") and plain_function:
                setattr(cls, name, _translated(value))

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One session for one action: committed when the block ends, rolled back on an error."""
        with self._ctx.store.session() as session:
            yield session

    @property
    def _data_dir(self) -> Path:
        return self._ctx.data_dir

    @property
    def _secrets(self) -> SecretStore:
        return self._ctx.secrets


def _part(module: str, cls: str) -> Any:
    """A lazily created part: its module is imported on first use."""

    def get(self: Workspace) -> Any:
        made = self._parts.get(module)
        if made is None:
            made = getattr(importlib.import_module(f"app.workspace.{module}"), cls)(self._ctx)
            self._parts[module] = made
        return made

    return property(get)


class Workspace:
    """An open store and the user's actions on it. Close it when done."""

    if TYPE_CHECKING:
        orders: OrdersPart
        carriers: CarriersPart
        waybills: WaybillsPart
        labels: LabelsPart
        printing: PrintingPart
        tracking: TrackingPart
        stations: StationsPart
        scan: ScanPart
        imports: ImportsPart
        writeback: WriteBackPart
        rules: RulesPart
        tickets: TicketsPart
        profit: ProfitPart
        insight: InsightPart
        health: HealthPart
    else:
        orders = _part("orders", "OrdersPart")
        carriers = _part("carriers", "CarriersPart")
        waybills = _part("waybills", "WaybillsPart")
        labels = _part("labels", "LabelsPart")
        printing = _part("printing", "PrintingPart")
        tracking = _part("tracking", "TrackingPart")
        stations = _part("stations", "StationsPart")
        scan = _part("scan", "ScanPart")
        imports = _part("imports", "ImportsPart")
        writeback = _part("writeback", "WriteBackPart")
        rules = _part("rules", "RulesPart")
        tickets = _part("tickets", "TicketsPart")
        profit = _part("profit", "ProfitPart")
        insight = _part("insight", "InsightPart")
        health = _part("health", "HealthPart")

    def __init__(
        self, store: Store, data_dir: Path, secrets: SecretStore | None = None, *, origin: str = ""
    ) -> None:
        from app.secrets import SecretStore

        self._ctx = WorkspaceContext(store, secrets or SecretStore(data_dir), data_dir, origin)
        self._parts: dict[str, Any] = {}

    @classmethod
    def open(
        cls,
        url: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        password: str = "",
        origin: str | None = None,
    ) -> Workspace:
        """Open (and migrate) the store at ``url`` (else ``$KUAIDAN_DB``, else the station's saved default
        store — with ``password`` when its password is asked for —, else SQLite in the data directory).
        ``origin``: what chose the store, when not ``url`` or the environment (the GUI's fallback)."""
        from app import preferences
        from app.paths import data_dir as resolve_data_dir
        from app.store.engine import open_store

        directory = resolve_data_dir(data_dir)
        chose = "--db" if url else "KUAIDAN_DB" if os.environ.get("KUAIDAN_DB") else ""
        saved = preferences.load(directory)
        if not chose and password and saved.store_url:
            url = preferences.with_password(saved.store_url, password)
        store = open_store(url, directory, station=saved.station.strip())
        return cls(store, directory, origin=chose if origin is None else origin)

    @property
    def data_dir(self) -> Path:
        return self._ctx.data_dir

    @property
    def location(self) -> str:
        """Where the store is, safe to show (a password is hidden)."""
        from app.store.engine import redact

        return redact(self._ctx.store.url)

    def close(self) -> None:
        for part in self._parts.values():
            closing = getattr(part, "_close", None)
            if closing is not None:
                closing()
        self._ctx.store.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
