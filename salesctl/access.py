"""Who may change what on a team server (docs/team.md, "Who may do what").

salesctl checks here first, so a refused change is one clear message and nothing written; PostgreSQL's
grants and row-level security (dialects/postgres.py, migration 0011_team_logins) enforce the same rules
for anything that gets past. On a SQLite file, and for the database's own owner role on a server, there
is no Access and no limit but the `owners` setting's rule for activities.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Refused, Words
from .i18n import N_

# What only an owner may do, as a refusal names it.
OWNER_ACTIONS = {
    "delete": N_("delete leads"),
    "assign": N_("assign leads to another rep"),
    "handoff": N_("hand off a rep's leads"),
    "import": N_("import or restore"),
    "settings": N_("change settings"),
    "targets": N_("set targets"),
    "reps": N_("add, change or deactivate reps"),
    "plays": N_("add or change plays"),
    "team": N_("grant or revoke logins"),
    "remind": N_("mail other reps' digests"),
    "recycle": N_("return other reps' leads to the pool"),
}


def how_to_make_owner(is_server: bool) -> str:
    """The command that makes a rep an owner, for refusals that say who may: on a team server owners
    are granted with their login (`config set owners` is refused there), on a SQLite file set."""
    if is_server:
        return "salesctl team grant REP --login ROLE --owner"
    return "salesctl config set owners NAME,…"


def lead_refusal(lead_id: int, owner: str | None) -> Refused:
    return Refused(
        N_("lead #{id} belongs to {owner}; ask an owner to assign it"),
        id=lead_id,
        owner=owner or "?",
    )


@dataclass(frozen=True)
class Access:
    """The PostgreSQL role this run connects as, and the rep `team grant` mapped it to."""

    role: str
    rep_id: int | None  # None: the role is no rep of this team (it may do nothing here)
    rep: str | None
    owner: bool

    def check_write(self) -> None:
        if self.rep_id is None:
            raise Refused(
                N_(
                    'PostgreSQL role "{role}" is not a rep of this team; ask an owner to run: salesctl team grant REP --login {role}'
                ),
                role=self.role,
            )

    def check_owner(self, action: str) -> None:
        self.check_write()
        if not self.owner:
            raise Refused(
                N_("only an owner may {action}; {rep} is a rep: ask an owner (docs/team.md)"),
                action=Words(OWNER_ACTIONS[action]),
                rep=self.rep,
            )

    def check_lead(self, lead_id: int, owner_id: int | None, owner: str | None) -> None:
        """A rep changes only their own leads (and may take one nobody owns, from the shared pool)."""
        self.check_write()
        if not (self.owner or owner_id is None or owner_id == self.rep_id):
            raise lead_refusal(lead_id, owner)

    def check_new_owner(self, owner_id: int | None) -> None:
        """A rep's new leads are their own; giving a lead to someone else is an owner's assignment."""
        if owner_id is not None and owner_id != self.rep_id:
            self.check_owner("assign")
        self.check_write()
