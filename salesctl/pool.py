"""The shared pool (公海) rules: claiming, releasing and recycling leads, and when a lead will be recycled.

A lead whose `owner_id` is NULL is in the pool: nobody's, on nobody's `today`, open for any rep to claim
(docs/pool.md). Every owner change is one `assignments` row with its kind. Each function runs inside the
caller's `Store.write()`, so a claim of several leads commits whole or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .dates import to_db
from .errors import Invalid, SalesError, Term
from .i18n import N_
from .model import CLOSED_STAGES, Settings
from .pipeline import check_still_open
from .store import Store

# `today` warns this many days before a lead would be recycled (reason recycle_soon).
WARN_DAYS = 3


def is_owner_role(settings: Settings, name: str) -> bool:
    """A rep named in the `owners` setting (they run the team)."""
    return name.casefold() in {o.casefold() for o in settings.owners}


def _taken(store: Store, lead) -> SalesError:
    """A claim of a lead someone owns: name who has it (the winner of a race says "was claimed by")."""
    change = store.last_owner_change(lead["id"])
    if change is not None and change["kind"] == "claim":
        return SalesError(
            N_("lead #{id} was claimed by {owner}; it is not in the pool"),
            id=lead["id"],
            owner=lead["owner"],
        )
    return SalesError(
        N_("lead #{id} is not in the pool: {owner} owns it"), id=lead["id"], owner=lead["owner"]
    )


def claim(
    store: Store, settings: Settings, lead_ids: list[int], *, rep_id: int, rep: str, now: str
) -> None:
    """Give pool leads to the claiming rep: all of them, or (on any refusal) none."""
    leads = [store.lead(i) for i in lead_ids]
    for lead in leads:
        if lead["owner_id"] == rep_id:
            raise SalesError(
                N_("lead #{id} {name} is already yours"), id=lead["id"], name=lead["name"]
            )
        if lead["owner_id"] is not None:
            raise _taken(store, lead)
        if lead["stage"] in CLOSED_STAGES:
            raise SalesError(
                N_("lead #{id} {name} is {stage}; only open leads are claimed"),
                id=lead["id"],
                name=lead["name"],
                stage=Term("stage", lead["stage"]),
            )
    limit = settings.pool_max_open_per_rep
    if limit is not None:
        held = store.open_lead_count(rep_id)
        if held + len(leads) > limit:
            raise SalesError(
                N_(
                    "claim: {rep} holds {held} open lead(s); claiming {count} would pass pool.max_open_per_rep ({limit}); nothing was claimed"
                ),
                rep=rep,
                held=held,
                count=len(leads),
                limit=limit,
            )
    for lead in leads:
        if not store.set_owner(lead["id"], rep_id, from_pool=True):
            raise _taken(store, store.lead(lead["id"]))  # cannot happen under the write lock
        store.record_assignment(lead["id"], rep_id, None, rep_id, now, kind="claim")


def release(
    store: Store, settings: Settings, lead_id: int, reason: str, *, rep_id: int, rep: str, now: str
) -> None:
    """The owner (or an owner-role) gives a lead back to the pool, with a reason."""
    lead = store.lead(lead_id)
    if lead["owner_id"] is None:
        raise SalesError(
            N_("lead #{id} {name} is already in the pool"), id=lead_id, name=lead["name"]
        )
    check_still_open(lead)
    if lead["owner_id"] != rep_id and not is_owner_role(settings, rep):
        from .access import how_to_make_owner

        raise SalesError(
            N_(
                'lead release: "{rep}" may not release lead #{id}; it is {owner}\'s (only they or an owner may: {how})'
            ),
            rep=rep,
            id=lead_id,
            owner=lead["owner"],
            how=how_to_make_owner(store.is_server),
        )
    # The history row first: on a team server a rep writes a lead's rows only while it is theirs.
    store.record_assignment(
        lead_id, rep_id, lead["owner_id"], None, now, kind="release", reason=reason
    )
    store.set_owner(lead_id, None)


def idle_cutoffs(settings: Settings, at: datetime) -> dict[str, str]:
    """Per open stage with a release rule: a lead idle since at or before this time is due at `at`."""
    return {
        stage: to_db(at - timedelta(days=days))
        for stage, days in settings.pool_release_days.items()
        if stage in settings.stages
    }


# The reason `pool recycle` writes into a lead's history: English as stored (JSON, export), read back
# into the reader's language by views.lead.owner_reason.
RECYCLE_REASON = N_("no effective touch for {days} days in {stage} ({setting})")


def recycle_reason(settings: Settings, stage: str) -> str:
    days = settings.pool_release_days[stage]
    return RECYCLE_REASON.format(
        days=days, stage=stage, setting=f"pool.release_days.{stage} {days}"
    )


def due(store: Store, settings: Settings, now: datetime) -> list:
    """The owned open leads `pool recycle` returns to the pool now."""
    return store.idle_leads(idle_cutoffs(settings, now))


def recycle(store: Store, settings: Settings, rows: list, *, now: str) -> None:
    """Return idle leads to the pool; the history names who lost each and why (rep_id NULL: salesctl)."""
    for row in rows:
        store.record_assignment(
            row["id"],
            None,
            row["owner_id"],
            None,
            now,
            kind="recycle",
            reason=recycle_reason(settings, row["stage"]),
        )
        store.set_owner(row["id"], None)


def recycle_at(settings: Settings, row) -> str:
    """When the lead becomes due for recycling (UTC database time)."""
    from .dates import from_db

    return to_db(
        from_db(row["idle_since"]) + timedelta(days=settings.pool_release_days[row["stage"]])
    )


def soon(store: Store, settings: Settings, now: datetime, owner_id: int | None) -> list:
    """A rep's leads that `pool recycle` returns within WARN_DAYS (or already would): `today`'s recycle_soon."""
    cutoffs = idle_cutoffs(settings, now + timedelta(days=WARN_DAYS))
    if not cutoffs:
        return []
    return store.idle_leads(cutoffs, owner_id=owner_id)


def check_reason(text: str) -> str:
    from .model import check_text

    reason = check_text(text, field="--reason")
    if not reason:
        raise Invalid(
            "--reason",
            text,
            N_("is empty"),
            N_('say why you give it back, e.g. --reason "no budget this year"'),
        )
    return reason
