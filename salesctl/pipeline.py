"""The rules of changing a lead: what each verb writes, and the history it leaves.

Every function here runs inside one `Store.write()` transaction opened by the caller, so a change and
its history rows commit together or not at all. Times are database strings (UTC ISO-8601).
"""

from __future__ import annotations

from collections.abc import Callable

from . import followups
from .errors import Duplicate, Invalid, SalesError, Term, Words
from .i18n import N_
from .model import CLOSED_STAGES, Settings
from .store import Store


def _closed_error(lead, verb: str) -> SalesError:
    """`verb` is marked N_ by the caller: it is translated with the message."""
    return SalesError(
        N_("lead #{id} {name} is {stage}; reopen it first (salesctl reopen {id}) to {verb} it"),
        id=lead["id"],
        name=lead["name"],
        stage=Term("stage", lead["stage"]),
        verb=Words(verb),
    )


def check_owned(lead, verb: str) -> None:
    """A pool lead is nobody's: it is claimed before anyone works on it (docs/pool.md). `verb` is
    marked N_ by the caller."""
    if lead["owner_id"] is None:
        raise SalesError(
            N_(
                "lead #{id} {name} is in the pool; claim it first to {verb} it: salesctl claim {id}"
            ),
            id=lead["id"],
            name=lead["name"],
            verb=Words(verb),
        )


def check_still_open(lead) -> None:
    """A won or lost deal stays with the rep who closed it: it is neither reassigned nor released."""
    if lead["stage"] in CLOSED_STAGES:
        raise SalesError(
            N_("lead #{id} {name} is {stage}; closed deals stay credited to {owner}"),
            id=lead["id"],
            name=lead["name"],
            stage=Term("stage", lead["stage"]),
            owner=lead["owner"],
        )


def check_duplicates(
    store: Store, email: str | None, digits: str | None, *, exclude: int | None = None
) -> None:
    rows = store.duplicates(email, digits, exclude=exclude)
    if rows:
        listed = "; ".join(
            f"#{r['id']} {r['name']}" + (f" ({r['company']})" if r["company"] else "")
            for r in rows[:5]
        )
        what = f'--email "{email}"' if email else f'--phone "{digits}"'
        raise Duplicate(
            N_(
                "{what}: a lead with this email or phone exists: {listed}; pass --allow-duplicate to add anyway"
            ),
            what=what,
            listed=listed,
        )


def add_lead(
    store: Store,
    settings: Settings,
    fields: dict,
    tags: list[str],
    *,
    rep_id: int,
    now: str,
    allow_duplicate: bool,
    created: str | None = None,
) -> int:
    """A new lead in the first stage, created now (or at `created`, a lead met earlier)."""
    if not allow_duplicate:
        check_duplicates(store, fields.get("email"), fields.get("phone_digits"))
    stage = settings.stages[0]
    created = created or now
    lead_id = store.insert_lead(
        {**fields, "stage": stage, "created_at": created, "stage_changed_at": created}
    )
    store.record_stage(lead_id, rep_id, None, stage, created)
    store.add_tags(lead_id, tags)
    return lead_id


def follow_up_changes(*, next_at: str | None, step: str | None, clear: bool) -> dict:
    """The one rule for a lead's follow-up and its step, for `log` and `lead edit` (docs/first-hour.md).

    `next_at` is a new follow-up time and `step` a new step text (None: not given); `clear` says the
    follow-up is done or removed. A new time keeps the step unless a new step is given; a step alone
    renames it and keeps the time; a cleared follow-up takes its step with it, unless a new step is
    given (then kept with no date).
    """
    changes: dict = {}
    if next_at is not None:
        changes["next_at"] = next_at
    elif clear:
        changes.update(next_at=None, next_step=None)
    if step is not None:
        changes["next_step"] = step
    return changes


def edit_lead(
    store: Store,
    lead_id: int,
    fields: dict,
    *,
    add_tags: list[str],
    remove_tags: list[str],
    rep_id: int,
    now: str,
    allow_duplicate: bool,
) -> None:
    """Change a lead's attributes. `next_at` None (from --next "") clears the follow-up and so its step."""
    lead = store.lead(lead_id)
    if set(fields) - {"owner_id"} or add_tags or remove_tags:
        check_owned(lead, N_("edit"))
    if "next_at" in fields:
        next_at, step_given = fields.pop("next_at"), "next_step" in fields
        step = fields.pop("next_step", None)
        fields.update(follow_up_changes(next_at=next_at, step=None, clear=next_at is None))
        if step_given:  # --step "" clears the step whatever --next does
            fields["next_step"] = step
    if not allow_duplicate and ("email" in fields or "phone_digits" in fields):
        check_duplicates(store, fields.get("email"), fields.get("phone_digits"), exclude=lead_id)
    new_owner = fields.pop("owner_id", None)
    store.update_lead(lead_id, fields)
    store.add_tags(lead_id, add_tags)
    store.remove_tags(lead_id, remove_tags)
    if new_owner is not None and new_owner != lead["owner_id"]:
        assign(store, [lead_id], new_owner, rep_id=rep_id, now=now)


def log_activity(
    store: Store,
    settings: Settings,
    lead_id: int,
    *,
    rep_id: int,
    kind: str,
    note: str,
    effective: bool,
    at: str,
    next_at: str | None,
    step: str | None,
    play_id: int | None,
    now: str,
) -> None:
    """Record a follow-up; reschedule or clear the next one; an effective touch moves `new` to the next stage.

    A won lead takes a follow-up too (after-sale care, shown in `today` as `after_sale`); a lost one does not.
    """
    lead = store.lead(lead_id)
    check_owned(lead, N_("log on"))
    if lead["stage"] == "lost" and (next_at is not None or step is not None):
        raise _closed_error(lead, N_("schedule a follow-up on"))
    if at < lead["created_at"]:
        raise Invalid(
            "--at",
            at,
            N_("is before lead #{id} was created ({created})"),
            id=lead_id,
            created=lead["created_at"],
        )
    effective = effective and kind != "note"
    store.add_activity(lead_id, rep_id, kind, note, effective, at, play_id, now)
    changes: dict = {"last_activity_at": max(at, lead["last_activity_at"] or at)}
    done = (
        lead["next_at"] is not None and lead["next_at"] <= now
    )  # the follow-up just done is due or past
    changes.update(follow_up_changes(next_at=next_at, step=step, clear=done))
    if effective and lead["stage"] == settings.stages[0] and len(settings.stages) > 1:
        to_stage = settings.stages[1]
        changes.update(stage=to_stage, stage_changed_at=max(at, lead["stage_changed_at"]))
        store.record_stage(lead_id, rep_id, lead["stage"], to_stage, changes["stage_changed_at"])
    store.update_lead(lead_id, changes)


def _note(store: Store, lead_id: int, rep_id: int, note: str | None, now: str) -> None:
    """A --note on move/won/lost/snooze: a `note` activity (never effective), so it shows in the timeline."""
    if note:
        store.add_activity(lead_id, rep_id, "note", note, False, now, None, now)
        store.update_lead(lead_id, {"last_activity_at": now})


def move(
    store: Store,
    settings: Settings,
    lead_id: int,
    stage: str,
    *,
    rep_id: int,
    now: str,
    note: str | None,
) -> None:
    lead = store.lead(lead_id)
    check_owned(lead, N_("move"))
    if lead["stage"] in CLOSED_STAGES:
        raise _closed_error(lead, N_("move"))
    if lead["stage"] == stage:
        raise Invalid(
            "STAGE",
            stage,
            N_("is already the stage of lead #{id} {name}"),
            id=lead_id,
            name=lead["name"],
        )
    store.update_lead(lead_id, {"stage": stage, "stage_changed_at": now})
    store.record_stage(lead_id, rep_id, lead["stage"], stage, now)
    followups.end_on_move(store, settings, lead_id, stage, now=now)
    _note(store, lead_id, rep_id, note, now)


def won(
    store: Store, lead_id: int, amount: int | None, *, rep_id: int, now: str, note: str | None
) -> None:
    lead = store.lead(lead_id)
    check_owned(lead, N_("close"))
    if lead["stage"] in CLOSED_STAGES:
        raise SalesError(
            N_("lead #{id} {name} is already {stage}; reopen it first to change that"),
            id=lead_id,
            name=lead["name"],
            stage=Term("stage", lead["stage"]),
        )
    amount = lead["value"] if amount is None else amount
    if amount is None:
        raise Invalid(
            "--amount",
            "",
            N_("is needed: lead #{id} has no value"),
            N_("e.g. --amount 12000"),
            id=lead_id,
        )
    store.update_lead(
        lead_id,
        {
            "stage": "won",
            "stage_changed_at": now,
            "won_at": now,
            "won_amount": amount,
            "next_at": None,
            "next_step": None,
            "snoozed_until": None,
        },
    )
    store.record_stage(lead_id, rep_id, lead["stage"], "won", now)
    followups.end_on_move(store, None, lead_id, "won", now=now)
    _note(store, lead_id, rep_id, note, now)


def lost(
    store: Store, lead_id: int, reason: str, *, rep_id: int, now: str, note: str | None
) -> None:
    lead = store.lead(lead_id)
    check_owned(lead, N_("close"))
    if lead["stage"] in CLOSED_STAGES:
        raise SalesError(
            N_("lead #{id} {name} is already {stage}; reopen it first to change that"),
            id=lead_id,
            name=lead["name"],
            stage=Term("stage", lead["stage"]),
        )
    store.update_lead(
        lead_id,
        {
            "stage": "lost",
            "stage_changed_at": now,
            "lost_at": now,
            "lost_reason": reason,
            "lost_stage": lead["stage"],
            "next_at": None,
            "next_step": None,
            "snoozed_until": None,
        },
    )
    store.record_stage(lead_id, rep_id, lead["stage"], "lost", now)
    followups.end_on_move(store, None, lead_id, "lost", now=now)
    _note(store, lead_id, rep_id, note, now)


def reopen(
    store: Store, settings: Settings, lead_id: int, stage: str | None, *, rep_id: int, now: str
) -> str:
    """Back to an open stage: the one it closed from unless `stage` is given. Returns the stage."""
    lead = store.lead(lead_id)
    if lead["stage"] not in CLOSED_STAGES:
        raise SalesError(
            N_("lead #{id} {name} is open ({stage}); only won or lost leads can be reopened"),
            id=lead_id,
            name=lead["name"],
            stage=Term("stage", lead["stage"]),
        )
    if stage is None:
        stage = (
            lead["lost_stage"] if lead["stage"] == "lost" else store.stage_before(lead_id, "won")
        )
        if stage not in settings.stages:
            stage = settings.stages[0]
    store.update_lead(
        lead_id,
        {
            "stage": stage,
            "stage_changed_at": now,
            "won_at": None,
            "won_amount": None,
            "lost_at": None,
            "lost_reason": None,
            "lost_stage": None,
        },
    )
    store.record_stage(lead_id, rep_id, lead["stage"], stage, now)
    if lead["owner"] is None or not store.rep(lead["owner"])["active"]:
        # Its owner has left (a handoff keeps closed deals with them): an open lead needs an active owner,
        # so whoever reopens it takes it over, recorded as an owner change.
        acting = store.rep_by_id(rep_id)
        if not acting["active"]:
            raise SalesError(
                N_(
                    "lead #{id} {name} belongs to {owner}, who is deactivated, and so are you; reopen it as an active rep or first: salesctl rep activate {owner}"
                ),
                id=lead_id,
                name=lead["name"],
                owner=lead["owner"],
            )
        assign(store, [lead_id], rep_id, rep_id=rep_id, now=now)
    return stage


def snooze(
    store: Store, lead_id: int, until: str, *, rep_id: int, now: str, note: str | None
) -> None:
    """No stalled warning until `until` (a later snooze replaces an earlier one)."""
    lead = store.lead(lead_id)
    check_owned(lead, N_("snooze"))
    if lead["stage"] in CLOSED_STAGES:
        raise _closed_error(lead, N_("snooze"))
    if until <= now:
        raise Invalid(
            "UNTIL",
            until,
            N_("is not in the future"),
            N_("snooze until a later day, e.g. +1w or mon"),
        )
    store.update_lead(lead_id, {"snoozed_until": until})
    _note(store, lead_id, rep_id, note, now)


def assign(
    store: Store, lead_ids: list[int], to_rep_id: int, *, rep_id: int, now: str
) -> list[int]:
    """Give open leads (and their scheduled follow-ups) to another rep. Returns the ids that moved."""
    moved = []
    for lead_id in lead_ids:
        lead = store.lead(lead_id)
        check_still_open(lead)
        if lead["owner_id"] != to_rep_id:
            store.set_owner(lead_id, to_rep_id)
            store.record_assignment(
                lead_id, rep_id, lead["owner_id"], to_rep_id, now, kind="assign"
            )
            moved.append(lead_id)
    return moved


def handoff(
    store: Store,
    from_rep: str,
    to_rep: str,
    *,
    acting: Callable[[], int],
    now: str,
    deactivate: bool,
) -> tuple:
    """Give every open lead of FROM_REP (with its follow-up) to the active rep TO_REP, and with
    `deactivate` deactivate FROM_REP. Returns the two reps' rows and the leads as they were before.

    Won and lost deals stay credited to whoever closed them; each moved lead records the owner change
    and who made it (`acting()`, asked once both reps are checked, since it may create that rep).
    A dry run is this same change rolled back (Store.write)."""
    source = store.require_rep(from_rep, field="FROM_REP", active=False)
    target = store.require_rep(to_rep, field="TO_REP")
    if source["id"] == target["id"]:
        raise SalesError(
            N_('handoff: FROM_REP and TO_REP are both "{name}"; name another rep to take over'),
            name=source["name"],
        )
    leads = store.open_leads_of(source["id"])
    moved = store.hand_over(source["id"], target["id"], rep_id=acting(), now=now)
    if moved != len(leads):  # cannot happen inside one transaction; refuse rather than drop a lead
        raise SalesError(
            N_("handoff: expected to move {expected} leads but moved {moved}; nothing was changed"),
            expected=len(leads),
            moved=moved,
        )
    if deactivate:
        store.update_rep(source["id"], active=False)
    return source, target, leads


def _check_may_change(
    store: Store, settings: Settings, activity, acting: str | None, verb: str
) -> None:
    """Only the rep who logged an activity, or an owner (the `owners` setting), may change it."""
    from .access import how_to_make_owner

    if acting is not None and (
        acting.casefold() == activity["rep"].casefold()
        or acting.casefold() in {o.casefold() for o in settings.owners}
    ):
        return
    raise SalesError(
        N_(
            'activity #{id}: "{who}" may not {verb} it; it was logged by {rep} (only they or an owner may: {how})'
        )
        if acting is not None
        else N_(
            "activity #{id}: you may not {verb} it; it was logged by {rep} (only they or an owner may: {how})"
        ),
        id=activity["id"],
        who=acting,
        verb=Words(verb),
        rep=activity["rep"],
        how=how_to_make_owner(store.is_server),
    )


def edit_activity(
    store: Store, settings: Settings, activity_id: int, changes: dict, *, acting: str | None
) -> int:
    """Correct an activity's note, kind, effective flag or time. Returns its lead's id."""
    activity = store.activity(activity_id)
    _check_may_change(store, settings, activity, acting, N_("edit"))
    if "at" in changes and changes["at"] < activity["lead_created_at"]:
        raise Invalid(
            "--at",
            changes["at"],
            N_("is before lead #{id} was created ({created})"),
            id=activity["lead_id"],
            created=activity["lead_created_at"],
        )
    if "kind" in changes or "effective" in changes:  # a note is never effective
        kind = changes.get("kind", activity["kind"])
        changes["effective"] = int(
            changes.get("effective", activity["effective"]) and kind != "note"
        )
    store.update_activity(activity_id, changes)
    store.refresh_last_activity(activity["lead_id"])
    return activity["lead_id"]


def delete_activity(
    store: Store, settings: Settings, activity_id: int, *, acting: str | None, rep_id: int, now: str
) -> int:
    """Remove an activity; the lead's timeline keeps a note of what was removed. Returns its lead's id."""
    activity = store.activity(activity_id)
    _check_may_change(store, settings, activity, acting, N_("delete"))
    store.remove_activity(activity_id, rep_id=rep_id, now=now)
    store.refresh_last_activity(activity["lead_id"])
    return activity["lead_id"]
