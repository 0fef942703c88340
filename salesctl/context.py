"""What every command needs, resolved once per run: the database, "now", the time zone, the current rep."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from .errors import Invalid, printable
from .i18n import N_
from .model import NO_REP, Settings
from .store import Store


def database_location(given: str | None) -> Path | str:
    """--db or $SALESCTL_DB as given: a PostgreSQL URL stays text; a file name becomes a Path."""
    from .dialects import is_server

    if not given:
        return default_db_path()
    return given if is_server(given) else Path(given).expanduser()


def check_db_path(path: Path, field: str) -> Path:
    """A database path must name a file: SQLite's ":memory:" would silently keep nothing."""
    if str(path) == ":memory:":
        raise Invalid(
            field, str(path), N_("needs a file"), N_("give a database file, e.g. --db sales.db")
        )
    return path


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("salesctl", appauthor=False) / "salesctl.db"


def demo_db_path() -> Path:
    """Where `salesctl demo` puts the sample team unless told otherwise: beside the default database,
    never in it (docs/first-hour.md)."""
    return default_db_path().with_name("demo.db")


@dataclass
class Run:
    """`ctx.obj` from the start of a run to its end: main() makes it before the command line is parsed,
    the root callback resolves `app` from the global options, and main() still has it when reporting
    an error after the context has closed."""

    app: App | None = None


@dataclass
class App:
    db_path: Path | str  # a SQLite file, or a postgresql:// URL
    as_of: str | None = None  # raw --as-of (a WHEN), parsed once the time zone is known
    env_now: str | None = None  # raw $SALESCTL_NOW (an ISO date or datetime)
    db_chosen: bool = False  # the database was named on the command line (--db or --demo)
    lang: str | None = None  # --lang, checked
    _store: Store | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Checked before anything opens the database: a bad $SALESCTL_REP must not create a file.
        if os.environ.get("SALESCTL_REP"):
            self._named_rep()

    # --- database ----------------------------------------------------------------------------------

    def store(self, *, write: bool = False) -> Store:
        """The run's one open database, opened for reading or (`write`) for writing by Store's rule: a
        read of a missing file sees an empty database and creates nothing; the first `write` call makes
        the same store writable, creating the file if need be (docs/design.md, "Opening a database").
        A team server's store is checked for who logged in as soon as it opens (docs/team.md)."""
        if self._store is None:
            store = Store(self.db_path, write=write)
            if self.is_server:
                self._check_login(store)
            self._store = store
            self._forget("settings")
        elif write and not self._store.writable:
            blank = self._store.blank
            self._store.allow_writes()
            if blank:  # the file, just created or set up by another process meanwhile, is read anew
                self._forget("settings")
        return self._store

    def _forget(self, *names: str) -> None:
        """Drop cached properties (settings, tz, now) so that the next use reads them again: the one
        place that invalidates them."""
        for name in names:
            self.__dict__.pop(name, None)  # how functools.cached_property is reset

    @staticmethod
    def _check_login(store: Store) -> None:
        """On a team server, whoever connects is the rep their role is mapped to (docs/team.md); a role
        that is no rep of this team may do nothing here."""
        try:
            access = store.load_access()
            if access is not None:
                access.check_write()
        except BaseException:
            store.close()
            raise

    @property
    def is_server(self) -> bool:
        from .dialects import is_server

        return is_server(self.db_path)

    @property
    def has_database(self) -> bool:
        """The database exists: a PostgreSQL URL, or a SQLite file already there."""
        return self.is_server or self.db_path.exists()

    @contextmanager
    def write(self, *, dry_run: bool = False) -> Iterator[Store]:
        """One change in one write transaction (BEGIN IMMEDIATE) on the database, created if need be.

        The rule for settings (docs/data-safety.md): they are read again once the write lock is held, so
        whatever the change is checked against inside this block (stages, lost reasons, the currency, the
        default rep) is what is committed, and no `config set` can come between the check and the write.
        Check against `self.settings` inside the block, never before it.

        `dry_run`: the same work, rolled back at the end (Store.write); a missing file stays missing."""
        store = self.store(write=not dry_run)
        with store.write(dry_run=dry_run):
            self._forget("settings")
            yield store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def use_database(self, db_path: Path | str) -> None:
        """Switch to another database (`demo --db`): what was read from the old one is forgotten."""
        self.close()
        self.db_path = check_db_path(db_path, "--db") if isinstance(db_path, Path) else db_path
        # The time zone (and so "now") is a setting of the file.
        self._forget("settings", "tz", "now")

    @cached_property
    def settings(self) -> Settings:
        return Settings.from_rows(self.store().settings_rows())

    @property
    def settings_read(self) -> bool:
        """The settings were read this run (and not forgotten since)."""
        return "settings" in self.__dict__

    def language(self, peek: bool = False) -> str:
        """--lang, else the `lang` setting, else $SALESCTL_LANG, else the locale (docs/chinese.md, Output).
        `peek` (the error path): the setting only if already read, never opening the database for it."""
        from .i18n import lang_of_environment

        if self.lang:
            return self.lang
        if not peek or self.settings_read:
            try:
                if self.settings.lang:
                    return self.settings.lang
            except Exception:  # noqa: BLE001 - an unreadable database still gets its error in some language
                pass
        return lang_of_environment()

    def money_style(self, lang: str | None = None) -> str:
        """How tables show amounts to a reader of `lang` (default: this run's language): the
        `money_style` setting, else wan for a Chinese screen of a CNY or TWD team, else western
        (docs/chinese.md, Money)."""
        from .model import default_money_style

        try:
            settings = self.settings
        except Exception:  # noqa: BLE001 - an unreadable database: its error is shown, amounts plainly
            return "western"
        return settings.money_style or default_money_style(
            lang or self.language(), settings.currency
        )

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

            return parse_when(
                self.as_of, now=self._clock(), tz=self.tz, field="--as-of", default_time=time(0, 0)
            )

    def _clock(self) -> datetime:
        """$SALESCTL_NOW, else the system clock."""
        if self.env_now:
            from .dates import parse_now

            return parse_now(self.env_now, self.tz, field="SALESCTL_NOW")
        return datetime.now(UTC).replace(microsecond=0)

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
        """Who you are: on a team server the rep your PostgreSQL role is (team grant); else
        $SALESCTL_REP, else the default_rep setting, else the login name; checked like any rep name."""
        if self.is_server:
            access = self.store().access
            if access is not None:
                return access.rep
        return self._named_rep()

    def _named_rep(self) -> str:
        from .model import check_name

        field, name = "SALESCTL_REP", os.environ.get("SALESCTL_REP")
        if not name:
            field, name = "default_rep", self.settings.default_rep
        if not name:
            try:
                field, name = "login name", getpass.getuser()
            except (KeyError, OSError):
                name = "me"
        return check_name(name, field=field)

    def acting_rep_id(self) -> int:
        """The id of whoever is making this change; their first write creates them. Call inside
        `write()` (a dry run's too, whose rollback forgets them again)."""
        return self.store().ensure_rep(self.current_rep_name(), self.now_db)

    def rep_scope(self, rep: str | None, team: bool) -> int | None:
        """`--rep R | --team` → one rep's id, or None for the whole team. Default: the current rep (NO_REP
        when they have no data yet)."""
        if rep and team:
            raise Invalid("--team", "--team", N_("cannot be combined with --rep"))
        if team:
            return None
        store = self.store()
        if rep:
            return store.require_rep(rep, field="--rep", active=False)["id"]
        return self.current_rep_id()

    def reps_scope(
        self, reps: list[str] | None, team: bool, *, field: str = "--rep"
    ) -> list[int] | None:
        """`--rep R…` (repeatable) `| --team` → rep ids, or None for the whole team. Default: the current rep."""
        if reps and team:
            raise Invalid("--team", "--team", N_("cannot be combined with {other}"), other=field)
        if team:
            return None
        if reps:
            store = self.store()
            return list(
                dict.fromkeys(store.require_rep(r, field=field, active=False)["id"] for r in reps)
            )
        return [self.current_rep_id()]

    def current_rep_id(self) -> int:
        """The current rep's id for a read; NO_REP (an empty list, not an error) when they have no row yet.

        Then, if other reps exist, one note on stderr says who salesctl thinks you are (docs/first-hour.md):
        `SALESCTL_REP=lina` on a team whose rep is 李娜 should not silently show nothing to do.
        """
        name = self.current_rep_name()
        store = self.store()
        row = store.rep(name)
        if row is not None:
            return row["id"]
        others = [r["name"] for r in store.reps(active_only=True)]
        if others:
            listed = ", ".join(others[:10]) + (", …" if len(others) > 10 else "")
            from .i18n import _

            note = _(
                'Note: no rep "{name}" yet; reps: {listed} — set SALESCTL_REP or config set default_rep'
            )
            print(printable(note.format(name=name, listed=listed)), file=sys.stderr)
        return NO_REP
