"""Plays (scripts per customer type and stage): the play object, and which plays fit a lead, best first.
No typer, no rich; the store reads the rows."""

from __future__ import annotations

from .store import Store


def play_object(row) -> dict:
    """A play as the commands show it (JSON)."""
    return {
        "name": row["name"],
        "text": row["text"],
        "stage": row["stage"],
        "persona": row["persona"],
        "cadence": row["cadence"],
    }


def rank_plays(plays: list[dict], stage: str, persona: str | None) -> list[dict]:
    """Plays that fit a lead, best first: stage and persona both match, then persona, then stage, then
    plays for anyone. A play for another stage or another persona does not fit; when the lead's persona is
    unknown, persona plays come last (a hint at what the customer might be)."""
    ranked = []
    for play in plays:
        if play["stage"] and play["stage"] != stage:
            continue
        matches = ["stage"] if play["stage"] else []
        score = 2 if play["stage"] else 0
        if play["persona"]:
            if persona is None:
                score -= 10
            elif play["persona"] != persona.lower():
                continue
            else:
                score += 4
                matches.append("persona")
        ranked.append((-score, play["name"].lower(), {**play, "matches": matches}))
    return [play for *_, play in sorted(ranked, key=lambda x: x[:2])]


def suggestions(store: Store, lead: str) -> dict:
    """`play suggest LEAD`: the lead (resolved from an id or part of its name) and the plays that fit it."""
    row = store.lead(store.resolve_lead(lead))
    return {
        "lead_id": row["id"],
        "name": row["name"],
        "stage": row["stage"],
        "persona": row["persona"],
        "plays": rank_plays([play_object(r) for r in store.plays()], row["stage"], row["persona"]),
    }
