"""How many rows of each table a restore or `db copy` wrote, as a line for people (docs/chinese.md)."""

from __future__ import annotations

from ..i18n import N_, _

# What a restore or `db copy` wrote, by table: English names each table as the export does, Chinese
# in words.
TABLE_COUNTS = {
    "reps": N_("{count} reps"),
    "plays": N_("{count} plays"),
    "leads": N_("{count} leads"),
    "lead_tags": N_("{count} lead_tags"),
    "activities": N_("{count} activities"),
    "stage_history": N_("{count} stage_history"),
    "assignments": N_("{count} assignments"),
    "targets": N_("{count} targets"),
    "activity_removals": N_("{count} activity_removals"),
    "cadence_runs": N_("{count} cadence_runs"),
    "recurrences": N_("{count} recurrences"),
    "followup_revisions": N_("{count} followup_revisions"),
    "settings": N_("{count} settings"),
    "reminders": N_("{count} reminders"),
}


def table_counts(counts: dict[str, int], *, empty: bool = False) -> str:
    """`3 reps, 120 leads, …` (`3 位業務員、120 個客戶、…`) in the run's language: the tables with rows,
    or (`empty`) every table counted."""
    return _(", ").join(
        _(TABLE_COUNTS[table]).format(count=n) if table in TABLE_COUNTS else f"{n} {table}"
        for table, n in counts.items()
        if n or empty
    )
