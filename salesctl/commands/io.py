"""Data in and out: import, export, search, backup."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import Invalid, SalesError
from ..i18n import N_, _
from . import FormatOpt, app_of, check_limit, say, show

PROGRESS_FROM = 5000  # rows; smaller files import faster than a bar could draw
MAX_SEARCH_WORDS = (
    64  # each word is a condition; thousands would exhaust SQLite's expression limits
)


class Duplicates(str, Enum):
    skip = "skip"
    update = "update"
    error = "error"


class What(str, Enum):
    leads = "leads"
    activities = "activities"
    all = "all"


class FileFormat(str, Enum):
    csv = "csv"
    json = "json"


class _Progress:
    """A Rich progress bar on stderr, only on a terminal and only for large files."""

    def __init__(self, total: int):
        self.bar = None
        if total >= PROGRESS_FROM and sys.stderr.isatty():
            from rich.progress import Progress

            from ..render import console

            self.bar = Progress(console=console(sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("import", total=total * 2)

    def step(self, base: int):
        return (lambda n: self.bar.update(self.task, completed=base + n)) if self.bar else None

    def stop(self) -> None:
        if self.bar:
            self.bar.stop()


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV, JSON lines of leads, or an `export all --format json` file (a regular file; lines up to 1 MiB).",
        ),
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="FIELD=COLUMN",
            help="Read FIELD from COLUMN (repeatable). Columns named like fields map themselves.",
        ),
    ] = None,
    stage_map: Annotated[
        list[str] | None,
        typer.Option(
            "--stage-map",
            metavar="VALUE=STAGE",
            help="Read the file's stage VALUE as STAGE (repeatable), e.g. Won=won.",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="The file's encoding if not UTF-8, e.g. gbk or utf-16."),
    ] = None,
    on_duplicate: Annotated[
        Duplicates,
        typer.Option(
            "--on-duplicate",
            case_sensitive=False,
            help="A lead with the same email or phone exists: skip the row, update the lead, or stop (error).",
        ),
    ] = Duplicates.error,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; write nothing.")
    ] = False,
    pool_empty: Annotated[
        bool,
        typer.Option(
            "--pool-empty",
            help="A row with an empty owner goes to the shared pool (docs/pool.md); "
            "without it, to you.",
        ),
    ] = False,
) -> None:
    """Import leads from a file in one transaction: any bad row stops it, listing every problem.

    A full export is checked whole (its settings, ids and references) before anything is written.

    \b
    Example:
      salesctl import leads.csv --map name=客户 --map owner=销售 --encoding gbk
      salesctl import trade-show.csv --pool-empty
      salesctl import sales_pipeline.csv --map name=opportunity_id --map owner=sales_agent \\
          --map company=account --map stage=deal_stage --map created_at=engage_date --map closed_at=close_date \\
          --map amount=close_value --stage-map Won=won --stage-map Lost=lost \\
          --stage-map Engaging=contacted --stage-map Prospecting=new
    """
    from .. import importing

    app = app_of(ctx)
    source = str(file)
    with importing.open_file(file, source) as stream:
        parsed = importing.read(importing.text_lines(stream, encoding, source), source)
    maps = importing.parse_pairs(map_, "--map")
    stages = importing.parse_pairs(stage_map, "--stage-map")
    if isinstance(parsed, dict):
        if maps or stages:
            raise Invalid(
                "--map", (maps or stages)[0][0], N_("does not apply to a full export file")
            )
        document = importing.check_document(
            parsed, app.tz, app.now, source
        )  # before anything is written
        if dry_run:
            importing.require_empty(app.store(), source)
            say(
                _("Dry run of {source}: would restore {counts}; nothing was written").format(
                    source=source,
                    counts=", ".join(f"{n} {t}" for t, n in document.counts().items()),
                )
            )
            return
        with _no_new_file_on_failure(app), app.write() as store:
            counts = importing.restore(store, document, source)
        say(
            _("Restored {source}: {counts}").format(
                source=source, counts=", ".join(f"{n} {t}" for t, n in counts.items())
            )
        )
        return
    validator = importing.Validator(
        app.settings, app.tz, app.now, stages
    )  # settings: a read, creates nothing
    store = app.store()

    sources, ignored = importing.map_columns(parsed.columns, maps)
    if ignored:
        say(
            _("Ignored columns (map them with --map FIELD=COLUMN): {columns}").format(
                columns=", ".join(ignored)
            )
        )
    progress = _Progress(len(parsed.rows))
    try:
        if dry_run or (
            not app.is_server and not app.db_path.exists()
        ):  # a new file: find every problem before the first write creates it
            plan, _index = _checked_plan(
                source, parsed, sources, validator, store, on_duplicate.value, progress, pool_empty
            )
        if dry_run:
            say(
                _(
                    "Dry run of {source}: would add {added}, update {updated}, skip {skipped}; nothing was written"
                ).format(
                    source=source,
                    added=len(plan.add),
                    updated=len(plan.update) + plan.replaced,
                    skipped=plan.skipped,
                )
            )
            return
        with _no_new_file_on_failure(app), app.write() as store:
            store.require_owner("import")
            # Validated again under the write lock, against the settings as committed (docs/data-safety.md).
            validator = importing.Validator(app.settings, app.tz, app.now, stages)
            plan, index = _checked_plan(
                source, parsed, sources, validator, store, on_duplicate.value, progress, pool_empty
            )
            reps = importing.RepIds(
                store, index[0], app.now_db, app.acting_rep_id, pool_empty=pool_empty
            )
            importing.write_new(store, plan.add, reps, app.now_db, progress.step(len(parsed.rows)))
            late = importing.write_updates(
                store, app.settings, plan.update, reps, app.acting_rep_id, app.now_db
            )
            _check(source, late, len(late))
    finally:
        progress.stop()
    counts = dict(
        source=source,
        added=len(plan.add),
        updated=len(plan.update) + plan.replaced,
        skipped=plan.skipped,
        reps=", ".join(reps.created),
    )
    if reps.created:
        say(
            _(
                "Imported {source}: {added} added, {updated} updated, {skipped} skipped; new reps: {reps}"
            ).format(**counts)
        )
    else:
        say(
            _("Imported {source}: {added} added, {updated} updated, {skipped} skipped").format(
                **counts
            )
        )


def _checked_plan(
    source, parsed, sources, validator, store, on_duplicate: str, progress, pool_empty=False
):
    """Every row validated and sorted into add / update / skip; any problem stops the import. Returns the
    plan and the store's import index it was made against."""
    from .. import importing

    records, errors, total = importing.validate(parsed, sources, validator, progress.step(0))
    index = store.import_index()
    plan, problems = importing.plan(records, index, on_duplicate)
    problems += importing.inactive_owners(plan.add, store.inactive_rep_names())
    if pool_empty:
        problems += importing.closed_in_pool(plan.add)
    _check(source, errors + problems, total + len(problems))
    return plan, index


@contextmanager
def _no_new_file_on_failure(app) -> Iterator[None]:
    """An import that fails leaves no database behind that it created (nor its -wal and -shm)."""
    created = not app.is_server and not app.db_path.exists()
    try:
        yield
    except BaseException:
        if created and app.db_path.exists() and _holds_nothing(app):
            app.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(app.db_path) + suffix).unlink(missing_ok=True)
        raise


def _holds_nothing(app) -> bool:
    """No rep has been written to the database (by this run or, meanwhile, by anyone else)."""
    try:
        return not app.store().row_counts()["reps"]
    except SalesError:
        return False


def _check(source: str, errors: list, total: int) -> None:
    from ..importing import ImportErrors

    if errors:
        raise ImportErrors(source, errors, total)


def export(
    ctx: typer.Context,
    what: Annotated[
        What,
        typer.Argument(
            help="leads, activities, or all (every table, JSON only).", case_sensitive=False
        ),
    ] = What.leads,
    fmt: Annotated[
        FileFormat | None,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="csv (default for leads and activities) or json (default and only choice for all).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Write to FILE (created private, 0600) instead of stdout.",
        ),
    ] = None,
) -> None:
    """Write every field of every lead, activity, or the whole database.

    \b
    Example:
      salesctl export leads --out leads.csv
      salesctl export activities --format json > activities.json
      salesctl export all --format json --out salesctl-full.json
    """
    from .. import exporting

    app = app_of(ctx)
    fmt = fmt or (FileFormat.json if what is What.all else FileFormat.csv)
    if what is What.all and fmt is FileFormat.csv:
        raise Invalid(
            "--format", "csv", N_("cannot hold every table"), N_("use export all --format json")
        )
    store = app.store()
    tz = app.tz
    with (
        exporting.private_output(out, protect=app.db_path, bom=fmt is FileFormat.csv) as stream,
        store.snapshot(),
    ):
        if what is What.all:
            count = exporting.write_document(store, tz, app.now.astimezone(tz).isoformat(), stream)
        else:
            keys = exporting.LEAD_KEYS if what is What.leads else exporting.ACTIVITY_KEYS
            rows = (
                exporting.leads(store, tz)
                if what is What.leads
                else exporting.activities(store, tz)
            )
            if fmt is FileFormat.csv:
                count = exporting.write_csv(keys, rows, stream)
            else:
                count = exporting.write_json_array(rows, stream)
    if out is not None:
        say(
            _("Exported {count} {what} to {file}").format(
                count=count, what=what.value if what is not What.all else "rows", file=out
            )
        )


def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            metavar="TEXT",
            help="Words to find (each must appear, at most 64); any characters are literal.",
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most N leads and N activities.")
    ] = 50,
    fmt: FormatOpt = None,
) -> None:
    """Find leads by name or company and activities by their notes (full-text, any language).

    \b
    Example:
      salesctl search 智造
      salesctl search "price quote" --format json
    """
    from ..dates import to_local_iso
    from ..render import Column, Output, Table
    from ..views.lead import lead_object

    app = app_of(ctx)
    if not text.strip():
        raise Invalid("TEXT", text, N_("is blank"), N_("give a word to search for"))
    words = text.split()
    if len(words) > MAX_SEARCH_WORDS:
        raise Invalid(
            "TEXT",
            " ".join(words[:3]) + f" … ({len(words)} words)",
            N_("has too many words (max {most})"),
            N_("search for the few that matter"),
            most=MAX_SEARCH_WORDS,
        )
    lead_rows, activity_rows = app.store().search(text, check_limit(limit))
    leads = [lead_object(r, app.tz) for r in lead_rows]
    notes = [
        {
            "activity_id": r["id"],
            "lead_id": r["lead_id"],
            "name": r["name"],
            "company": r["company"],
            "stage": r["stage"],
            "rep": r["rep"],
            "kind": r["kind"],
            "at": to_local_iso(r["at"], app.tz),
            "note": r["note"],
        }
        for r in activity_rows
    ]
    hits = [
        {
            "type": "lead",
            "lead_id": o["id"],
            "name": o["name"],
            "company": o["company"],
            "stage": o["stage"],
            "at": o["created_at"],
            "text": o["name"] + (f" ({o['company']})" if o["company"] else ""),
        }
        for o in leads
    ]
    hits += [
        {
            "type": "activity",
            "lead_id": n["lead_id"],
            "name": n["name"],
            "company": n["company"],
            "stage": n["stage"],
            "at": n["at"],
            "text": n["note"],
        }
        for n in notes
    ]
    from ..i18n import _, moment, stage

    year = app.now.astimezone(app.tz).year
    table = Table(
        [
            Column("lead_id", "#", "right"),
            Column("type", _("Found in")),
            Column("name", _("Lead")),
            Column("stage", _("Stage"), show=stage),
            Column("at", _("When"), show=lambda v: moment(v, year)),
            Column("text", _("Text")),
        ],
        [
            {
                **h,
                "text": h["text"].replace("\n", " ")[:80],
                "type": _("note") if h["type"] == "activity" else _("lead"),
            }
            for h in hits
        ],
        empty=_('Nothing matches "{text}".').format(text=text),
    )
    show(
        Output(
            {"query": text, "leads": leads, "activities": notes},
            [table],
            csv=Table(table.columns, hits),
        ),
        fmt,
    )


def backup(
    ctx: typer.Context,
    dest: Annotated[
        str,
        typer.Argument(
            metavar="DEST",
            help="The backup file, or a folder (an existing one, or "
            "any path ending in /) to put a dated file in: salesctl-YYYY-MM-DD-HHMM.db.",
        ),
    ],
) -> None:
    """Copy the database safely while it is in use (SQLite's backup API), into a private 0600 file.

    The copy is written to a temporary file beside DEST and renamed onto it once it passed its integrity
    check, so an existing DEST is replaced whole or not at all.

    \b
    Example:
      salesctl backup ~/backups/
      salesctl backup sales-2026-11-26.db
    """
    from ..files import write_file_by_name

    app = app_of(ctx)
    if app.is_server:
        raise SalesError(
            N_(
                "backup: the database is on PostgreSQL; back it up with pg_dump, or copy it to a file with: salesctl db copy URL FILE (docs/team.md)"
            )
        )
    if app.is_server:
        raise SalesError(
            N_(
                "backup: the database is on PostgreSQL; back it up with pg_dump, or copy it to a file with: salesctl db copy URL FILE (docs/team.md)"
            )
        )
    if not app.db_path.exists():
        raise SalesError(
            N_("backup: there is no database at {path} yet; nothing to back up"), path=app.db_path
        )
    path = _backup_path(dest, app)
    store = app.store(write=True)
    write_file_by_name(
        path, lambda tmp: store.backup_to(tmp, name=path), protect=app.db_path, field="DEST"
    )
    say(_("Backed up {database} to {file}").format(database=app.db_path, file=path))


def _backup_path(dest: str, app) -> Path:
    """DEST as typed, or a dated file inside it when it is a folder (a trailing / says it must be one)."""
    path = Path(dest).expanduser()
    if dest.endswith(("/", os.sep)) and not path.is_dir():
        raise Invalid(
            "DEST",
            dest,
            N_("is not an existing folder"),
            N_("create it first: mkdir -p {folder}"),
            folder=dest,
        )
    if path.is_dir():
        return path / f"salesctl-{app.now.astimezone(app.tz):%Y-%m-%d-%H%M}.db"
    return path


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
    app.command("search")(search)
    app.command("backup")(backup)
