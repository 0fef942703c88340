"""Team mode's per-rep permissions (docs/team.md, "Who may do what"): each person connects to one
PostgreSQL database as their own role, mapped to a rep with `team grant`. A rep reads the whole team
and changes only their own leads; an owner may do everything; a role that is no rep here may do
nothing. Every case runs through the real CLI with the person's own role URL."""

from __future__ import annotations

import pytest
from conftest import PG_SERVER, digest, pg_admin

pytestmark = pytest.mark.postgres_only


# --- a server with four login roles: an owner, two reps, and one nobody mapped -----------------------


@pytest.fixture(scope="session")
def roles(worker_id) -> dict[str, str]:
    """Login roles for this test worker (roles belong to the whole server, so the names are the
    worker's own); each test's database maps them afresh."""
    names = {who: f"st_{worker_id}_{who}" for who in ("olga", "bob", "carol", "eve")}
    for role in names.values():
        pg_admin(f'DROP ROLE IF EXISTS "{role}"')
        pg_admin(f'CREATE ROLE "{role}" LOGIN')
    yield names
    for role in names.values():
        pg_admin(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def url(db, roles):
    """The URL with which one person connects: `url("bob")` is bob's own role on the test database."""

    def url(who: str) -> str:
        return db.replace("postgres@", f"{roles[who]}@", 1)

    return url


@pytest.fixture
def as_(run, url):
    """Run salesctl as one person: `as_("bob", "log", "1", "called")`."""

    def as_(who: str, *args):
        return run("--db", url(who), *args)

    return as_


@pytest.fixture
def team(ok, as_, roles):
    """The database's owner role grants olga (owner), bob and carol (reps); bob has lead #1 with
    activity #1, carol lead #2 with activity #2; lead #3 is bob's, won."""
    ok("team", "grant", "olga", "--login", roles["olga"], "--owner")
    ok("team", "grant", "bob", "--login", roles["bob"])
    ok("team", "grant", "carol", "--login", roles["carol"])
    for who, args in (
        ("bob", ("add", "Acme", "--value", "10k", "--next", "fri", "--step", "call")),
        ("bob", ("log", "1", "intro call")),
        ("carol", ("add", "Globex", "--value", "5k")),
        ("carol", ("log", "2", "sent the deck", "--kind", "email")),
        ("bob", ("add", "Initech", "--value", "3k")),
        ("bob", ("won", "3")),
    ):
        result = as_(who, *args)
        assert result.code == 0, (who, args, result.err)
    return roles


def _import_file(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name,value\nHooli,1000\n")
    return path


# Each changing command on bob's lead #1 (and bob's activity #1), or of the team.
LEAD_COMMANDS = {
    "log": ("log", "1", "called again"),
    "move": ("move", "1", "quoted"),
    "won": ("won", "1"),
    "lost": ("lost", "1", "--reason", "price"),
    "snooze": ("snooze", "1", "+2w"),
    "lead edit": ("lead", "edit", "1", "--value", "12k"),
    "reopen": ("reopen", "3"),
    "cadence start": ("cadence", "start", "1", "intro"),
}
ACTIVITY_COMMANDS = {
    "activity edit": ("activity", "edit", "1", "--note", "intro call, 20 min"),
    "activity delete": ("activity", "delete", "1", "--yes"),
}
OWNER_COMMANDS = {
    "lead delete": (("lead", "delete", "1", "--yes"), "only an owner may delete leads"),
    "lead assign": (
        ("lead", "assign", "1", "--to", "carol"),
        "only an owner may assign leads to another rep",
    ),
    "add --owner": (
        ("add", "Umbrella", "--owner", "carol"),
        "only an owner may assign leads to another rep",
    ),
    "handoff": (("handoff", "bob", "carol"), "only an owner may hand off a rep's leads"),
    "import": (("import", "FILE"), "only an owner may import or restore"),
    "config set": (("config", "set", "rot_days.new", "3"), "only an owner may change settings"),
    "target set": (("target", "set", "100k", "--team"), "only an owner may set targets"),
    "rep add": (("rep", "add", "dave"), "only an owner may add, change or deactivate reps"),
    "play add": (
        ("play", "add", "close", "--text", "ask for the order"),
        "only an owner may add or change plays",
    ),
    "team grant": (("team", "grant", "dave", "--login", "EVE"), "only an owner may grant"),
    "team revoke": (("team", "revoke", "carol"), "only an owner may grant or revoke logins"),
}


def _args(args, roles, tmp_path):
    return [
        str(_import_file(tmp_path)) if a == "FILE" else roles["eve"] if a == "EVE" else a
        for a in args
    ]


@pytest.fixture
def with_cadence(ok, team):
    """The team, and a play with a cadence for `cadence start`."""
    ok(
        "play",
        "add",
        "intro",
        "--text",
        "say hello",
        "--cadence",
        "0d call: intro; +2d email: deck",
    )
    return team


@pytest.mark.parametrize("command", list(LEAD_COMMANDS) + list(ACTIVITY_COMMANDS))
def test_a_rep_changes_their_own_leads_and_activities(as_, with_cadence, command, db):
    args = {**LEAD_COMMANDS, **ACTIVITY_COMMANDS}[command]
    before = digest(db)
    result = as_("bob", *args)
    assert result.code == 0, result.err
    assert digest(db) != before


@pytest.mark.parametrize("command", list(LEAD_COMMANDS))
def test_another_rep_may_not_change_the_lead(as_, with_cadence, command, db):
    before = digest(db)
    result = as_("carol", *LEAD_COMMANDS[command])
    assert result.code == 1, result.err
    lead = "3" if command == "reopen" else "1"
    assert result.err == f"Error: lead #{lead} belongs to bob; ask an owner to assign it\n"
    assert digest(db) == before


@pytest.mark.parametrize("command", list(ACTIVITY_COMMANDS))
def test_another_rep_may_not_fix_the_reps_activity(as_, team, command, db):
    before = digest(db)
    result = as_("carol", *ACTIVITY_COMMANDS[command])
    assert result.code == 1
    assert result.err.startswith('Error: activity #1: "carol" may not ')
    assert "logged by bob" in result.err
    assert digest(db) == before


@pytest.mark.parametrize("command", list(OWNER_COMMANDS))
def test_a_rep_may_not_do_what_only_an_owner_does(as_, team, command, db, tmp_path):
    args, message = OWNER_COMMANDS[command]
    before = digest(db)
    result = as_("bob", *_args(args, team, tmp_path))
    assert result.code == 1, result.err
    assert result.err.startswith(f"Error: {message}"), result.err
    assert "bob is a rep: ask an owner (docs/team.md)" in result.err
    assert "Traceback" not in result.err
    assert digest(db) == before


@pytest.mark.parametrize(
    "command",
    list(LEAD_COMMANDS) + list(ACTIVITY_COMMANDS) + list(OWNER_COMMANDS),
)
def test_an_owner_may_do_everything(as_, ok, with_cadence, command, db, tmp_path):
    args = {**LEAD_COMMANDS, **ACTIVITY_COMMANDS}.get(command) or OWNER_COMMANDS[command][0]
    before = digest(db)
    result = as_("olga", *_args(args, with_cadence, tmp_path))
    assert result.code == 0, result.err
    assert digest(db) != before


@pytest.mark.parametrize(
    "command",
    list(LEAD_COMMANDS) + list(ACTIVITY_COMMANDS) + list(OWNER_COMMANDS) + ["add", "today"],
)
def test_a_role_that_is_no_rep_here_may_do_nothing(as_, team, command, db, tmp_path):
    args = {
        **LEAD_COMMANDS,
        **ACTIVITY_COMMANDS,
        **{k: a for k, (a, _m) in OWNER_COMMANDS.items()},
        "add": ("add", "Hooli"),
        "today": ("today",),
    }[command]
    before = digest(db)
    result = as_("eve", *_args(args, team, tmp_path))
    assert result.code == 1, result.err
    assert result.err == (
        f'Error: PostgreSQL role "{team["eve"]}" is not a rep of this team; ask an owner to run: '
        f"salesctl team grant REP --login {team['eve']}\n"
    )
    assert digest(db) == before
