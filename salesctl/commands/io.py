"""Data in and out: import, export, search, backup."""

from __future__ import annotations

import os
import sys
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


class _ProgressBar:
    """A Rich progress bar on stderr for `importing.run_import`, only on a terminal and only for large
    files; use as its `progress` callback, then stop()."""

    def __init__(self) -> None:
        self.bar = None
        self.off = not sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if self.off or total < 2 * PROGRESS_FROM:
                self.off = True
                return
            from rich.progress import Progress

            from ..render import console

            self.bar = Progress(console=console(sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("import"), total=total)
        self.bar.update(self.task, completed=done)

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
        bool,
        typer.Option(
            "--dry-run",
            help="Run the whole import, then roll it back: every check, nothing written.",
        ),
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
    from ..importing import run_import

    bar = _ProgressBar()
    try:
        summary = run_import(
            app_of(ctx),
            file,
            maps=map_,
            stage_maps=stage_map,
            encoding=encoding,
            on_duplicate=on_duplicate.value,
            dry_run=dry_run,
            pool_empty=pool_empty,
            progress=bar,
        )
    finally:
        bar.stop()
    say(_summary_text(summary))


def _summary_text(s) -> str:
    """An importing.Summary as the line on stderr, in the run's language."""
    if s.restored is not None:
        from ..views.counts import table_counts

        counts = table_counts(s.restored, empty=True)
        if s.dry_run:
            return _("Dry run of {source}: would restore {counts}; nothing was written").format(
                source=s.source, counts=counts
            )
        return _("Restored {source}: {counts}").format(source=s.source, counts=counts)
    from ..importing import ignored_note

    lines = [ignored_note(s.ignored).render(_)] if s.ignored else []
    counts = dict(
        source=s.source,
        added=s.added,
        updated=s.updated,
        skipped=s.skipped,
        reps=", ".join(s.new_reps),
    )
    if s.dry_run and s.new_reps:
        template = _(
            "Dry run of {source}: would add {added}, update {updated}, skip {skipped}; new reps: {reps}; nothing was written"
        )
    elif s.dry_run:
        template = _(
            "Dry run of {source}: would add {added}, update {updated}, skip {skipped}; nothing was written"
        )
    elif s.new_reps:
        template = _(
            "Imported {source}: {added} added, {updated} updated, {skipped} skipped; new reps: {reps}"
        )
    else:
        template = _("Imported {source}: {added} added, {updated} updated, {skipped} skipped")
    lines.append(template.format(**counts))
    return "\n".join(lines)


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
    from ..exporting import export as export_rows

    app = app_of(ctx)
    fmt = fmt or (FileFormat.json if what is What.all else FileFormat.csv)
    if what is What.all and fmt is FileFormat.csv:
        raise Invalid(
            "--format", "csv", N_("cannot hold every table"), N_("use export all --format json")
        )
    count = export_rows(
        app.store(), what.value, fmt.value, out, tz=app.tz, now=app.now, protect=app.db_path
    )
    if out is not None:
        said = {
            "leads": _("Exported {count} leads to {file}"),
            "activities": _("Exported {count} activities to {file}"),
        }.get(what.value) or _("Exported {count} rows to {file}")
        say(said.format(count=count, file=out))


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
    from ..views.search import search_output

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
    show(search_output(text, lead_rows, activity_rows, app.tz, app.now), fmt)


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
