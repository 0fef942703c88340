"""Follow-ups that schedule themselves: cadences (a play's sequence of steps) and recurring touches.

Like pipeline.py, every function runs inside the caller's `Store.write()` transaction; times are
database strings (UTC). The rules are described for users in docs/calendar.md.
"""

from __future__ import annotations

from .cadence import Step, parse_cadence
from .errors import Invalid, SalesError, Term, Words
from .i18n import N_
from .model import CLOSED_STAGES, Settings
from .store import Store


def _reopen_first(lead, verb: str) -> SalesError:
    """`verb` is marked N_ by the caller: it is translated with the message."""
    return SalesError(
        N_("lead #{id} {name} is {stage}; reopen it first (salesctl reopen {id}) to {verb}"),
        id=lead["id"],
        name=lead["name"],
        stage=Term("stage", lead["stage"]),
        verb=Words(verb),
    )


def due_after(offset: str, after: str, tz) -> str:
    """The follow-up time `offset` (`+2d`, `+1w`, `+4h`) after `after`, read as `log --next` reads it."""
    from .dates import from_db, parse_when, to_db

    return to_db(parse_when(offset, now=from_db(after), tz=tz, field="offset"))


def steps_of(run) -> list[Step]:
    return parse_cadence(run["cadence"] or "", field=f"play {run['play']} cadence")


def start(store: Store, lead_id: int, play, *, rep_id: int, now: str, tz) -> Step:
    """Start `play`'s cadence on the lead: its first step becomes the follow-up. Returns that step."""
    lead = store.lead(lead_id)
    if lead["stage"] in CLOSED_STAGES:
        raise _reopen_first(lead, N_("start a cadence on it"))
    running = store.running_cadence(lead_id)
    if running is not None:
        raise SalesError(
            N_(
                "lead #{id} {name} is already in cadence {play}; stop it first (salesctl cadence stop {id})"
            ),
            id=lead_id,
            name=lead["name"],
            play=running["play"],
        )
    if not play["cadence"]:
        raise Invalid(
            "PLAY",
            play["name"],
            N_("has no cadence"),
            N_(
                'give a play one: salesctl play add NAME --cadence "0d call: intro; +2d email: case study"'
            ),
        )
    first = parse_cadence(play["cadence"])[0]
    store.start_cadence(lead_id, play["id"], rep_id, now)
    store.update_lead(
        lead_id, {"next_at": due_after(first.offset, now, tz), "next_step": first.label}
    )
    store.revise_followup(lead_id, now)
    return first


def stop(store: Store, lead_id: int, *, now: str) -> str:
    """End the lead's running cadence; its follow-up stays. Returns the play's name."""
    running = store.running_cadence(lead_id)
    if running is None:
        lead = store.lead(lead_id)
        raise SalesError(
            N_("lead #{id} {name} has no cadence running"), id=lead_id, name=lead["name"]
        )
    store.end_cadence(running["id"], "stopped", now)
    return running["play"]


def end_on_move(
    store: Store, settings: Settings | None, lead_id: int, to_stage: str, *, now: str
) -> None:
    """A stage move ends the running cadence: always when the lead is won or lost; otherwise when the
    `cadence_ends_on_move` setting is on and the move is not into the play's own stage."""
    running = store.running_cadence(lead_id)
    if running is None:
        return
    if to_stage in CLOSED_STAGES:
        store.end_cadence(running["id"], to_stage, now)
    elif (
        settings is not None and settings.cadence_ends_on_move and to_stage != running["play_stage"]
    ):
        store.end_cadence(running["id"], "moved", now)


def set_every(store: Store, lead_id: int, every: str | None, *, now: str, tz) -> None:
    """`--every 2w` (or None for off). A lead with no follow-up gets one that far from now."""
    lead = store.lead(lead_id)
    if every is not None and lead["stage"] in CLOSED_STAGES:
        raise _reopen_first(lead, N_("repeat its follow-ups"))
    store.set_recurrence(lead_id, every, now)
    if every is not None and lead["next_at"] is None:
        store.update_lead(lead_id, {"next_at": due_after("+" + every, now, tz)})


def after_log(
    store: Store,
    settings: Settings,
    before,
    *,
    effective: bool,
    at: str,
    next_given: bool,
    step: str | None,
    every: str | None | bool,
    now: str,
    tz,
) -> None:
    """What a logged touch does besides the activity itself (run after pipeline.log_activity).

    `before` is the lead row before the log; `every` is False when --every was not given. An effective
    touch does the cadence's current step and schedules the next one (`--next`/`--step` override its
    date/text); a touch that was not effective leaves the step scheduled. With no cadence running, an
    effective touch on a recurring lead schedules the next follow-up `every` after the touch."""
    lead_id = before["id"]
    if every is not False:
        set_every_on_log(store, before, every, now=now)
    lead = store.lead(lead_id)
    if lead["stage"] not in CLOSED_STAGES:
        if lead["stage"] != before["stage"]:
            end_on_move(store, settings, lead_id, lead["stage"], now=now)
        running = store.running_cadence(lead_id)
        if running is not None:
            _cadence_touch(
                store,
                running,
                lead,
                before,
                effective=effective,
                at=at,
                next_given=next_given,
                step=step,
                now=now,
                tz=tz,
            )
        recurring = store.recurrence(lead_id)
        if (
            recurring
            and (effective or every)
            and not next_given
            and store.running_cadence(lead_id) is None
        ):
            store.update_lead(
                lead_id,
                {
                    "next_at": due_after("+" + recurring, at, tz),
                    "next_step": step or before["next_step"],
                },
            )
    revise_if_changed(store, before, now=now)


def set_every_on_log(store: Store, before, every: str | None, *, now: str) -> None:
    if every is not None and before["stage"] in CLOSED_STAGES:
        raise _reopen_first(before, N_("repeat its follow-ups"))
    store.set_recurrence(before["id"], every, now)


def _cadence_touch(
    store: Store, running, lead, before, *, effective, at, next_given, step, now, tz
) -> None:
    steps = steps_of(running)
    if not effective:
        if lead["next_at"] is None and before["next_at"] is not None and not next_given:
            # A touch that got no one does not do the step: it stays scheduled.
            store.update_lead(
                lead["id"], {"next_at": before["next_at"], "next_step": before["next_step"]}
            )
        return
    done = running["steps_done"] + 1
    if done >= len(steps):
        store.advance_cadence(running["id"], len(steps))
        store.end_cadence(running["id"], "completed", now)
        if not next_given and step is None and lead["next_at"] == before["next_at"]:
            store.update_lead(
                lead["id"], {"next_at": None, "next_step": None}
            )  # the last step, done early
        return
    store.advance_cadence(running["id"], done)
    upcoming = steps[done]
    store.update_lead(
        lead["id"],
        {
            "next_at": lead["next_at"] if next_given else due_after(upcoming.offset, at, tz),
            "next_step": step or upcoming.label,
        },
    )


def revise_if_changed(store: Store, before, *, now: str) -> None:
    """Count a change of the follow-up (date or step), so its calendar event updates."""
    after = store.lead(before["id"])
    if (after["next_at"], after["next_step"]) != (before["next_at"], before["next_step"]):
        store.revise_followup(before["id"], now)


def cadence_position(store: Store, lead_id: int) -> dict | None:
    """The running cadence and where the lead is in it, for `lead show`; None when there is none."""
    running = store.running_cadence(lead_id)
    if running is None:
        return None
    steps = steps_of(running)
    current = min(running["steps_done"], len(steps) - 1)
    return {
        "play": running["play"],
        "step": current + 1,
        "steps": len(steps),
        "next": steps[current].label,
        "started_at": running["started_at"],
    }
