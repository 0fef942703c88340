"""What every command needs, resolved once per run: the database, "now", the time zone, the current rep."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from .errors import Invalid
from .model import Settings
from .store import Store


# rep_scope's id for a current rep who has no row yet: no lead or activity has it, so lists are empty.
NEW_REP = -1


def database_location(given: str | None) -> Path | str:
    """--db or $SALESCTL_DB as given: a PostgreSQL URL stays text; a file name becomes a Path."""
    from .dialects import is_server

    if not given:
        return default_db_path()
    return given if is_server(given) else Path(given).expanduser()


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("salesctl", appauthor=False) / "salesctl.db"


@dataclass
class App:
    db_path: Path | str  # a SQLite file, or a postgresql:// URL
    as_of: str | None = None  # raw --as-of (a WHEN), parsed once the time zone is known
    env_now: str | None = None  # raw $SALESCTL_NOW (an ISO date or datetime)
    _store: Store | None = field(default=None, repr=False)

    # --- database ----------------------------------------------------------------------------------

    def store(self, *, write: bool = False) -> Store:
        """The open database. Read commands on a missing file see an empty in-memory one and create nothing."""
        if self._store is None or (write and str(self._store.path) == ":memory:"):
            if write or self.is_server or self.db_path.exists():
                self._store = Store(self.db_path)
            else:
                self._store = Store.empty()
            self.__dict__.pop("settings", None)
        return self._store

    @property
    def is_server(self) -> bool:
        from .dialects import is_server

        return is_server(self.db_path)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def use_database(self, db_path: Path) -> None:
        """Switch to another database file (`demo --db`): what was read from the old one is forgotten."""
        self.close()
        self.db_path = db_path
        for cached in ("settings", "tz", "now"):  # the time zone (and so "now") is a setting of the file
            self.__dict__.pop(cached, None)

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_rows(self.store().settings_rows())

    # --- time --------------------------------------------------------------------------------------

    @cached_property
    def tz(self):
        from .dates import zone

        return zone(self.settings.timezone)

    @cached_property
    def now(self) -> datetime:
        """Aware UTC "now": pinned by --as-of WHEN (an ISO time, or a WHEN relative to $SALESCTL_NOW or
        the clock, a bare day meaning its 00:00) or by $SALESCTL_NOW, else the system clock."""
        from .dates import parse_now

        if not self.as_of:
            return self._clock()
        try:
            return parse_now(self.as_of, self.tz)
        except Invalid:
            from datetime import time

            from .dates import parse_when

            return parse_when(self.as_of, now=self._clock(), tz=self.tz, field="--as-of", default_time=time(0, 0))

    def _clock(self) -> datetime:
        """$SALESCTL_NOW, else the system clock."""
        if self.env_now:
            from .dates import parse_now

            return parse_now(self.env_now, self.tz, field="SALESCTL_NOW")
        return datetime.now(timezone.utc).replace(microsecond=0)

    @property
    def now_db(self) -> str:
        from .dates import to_db

        return to_db(self.now)

    def when(self, text: str, *, field: str, **kwargs) -> datetime:
        from .dates import parse_when

        return parse_when(text, now=self.now, tz=self.tz, field=field, **kwargs)

    def day(self, text: str, *, field: str):
        from .dates import parse_day

        return parse_day(text, now=self.now, tz=self.tz, field=field)

    # --- reps --------------------------------------------------------------------------------------

    def current_rep_name(self) -> str:
        """$SALESCTL_REP, else the default_rep setting, else the login name."""
        name = os.environ.get("SALESCTL_REP") or self.settings.default_rep
        if not name:
            try:
                name = getpass.getuser()
            except (KeyError, OSError):
                name = "me"
        if not name.strip():
            raise Invalid("SALESCTL_REP", name, "is blank")
        return name.strip()

    def acting_rep_id(self) -> int:
        """The id of whoever is making this change; their first write creates them. Call inside a write."""
        return self.store(write=True).ensure_rep(self.current_rep_name(), self.now_db)

    def rep_scope(self, rep: str | None, team: bool) -> int | None:
        """`--rep R | --team` → one rep's id, or None for the whole team. Default: the current rep (NEW_REP
        when they have no data yet)."""
        if rep and team:
            raise Invalid("--team", "--team", "cannot be combined with --rep")
        if team:
            return None
        store = self.store()
        if rep:
            return store.require_rep(rep, field="--rep", active=False)["id"]
        row = store.rep(self.current_rep_name())
        return row["id"] if row is not None else NEW_REP  # a rep with no data yet: an empty list, not an error
