"""Team mode's per-rep permissions (docs/team.md, "Who may do what"): each person connects to one
PostgreSQL database as their own role, mapped to a rep with `team grant`. A rep reads the whole team
and changes only their own leads; an owner may do everything; a role that is no rep here may do
nothing. Every case runs through the real CLI with the person's own role URL."""

from __future__ import annotations

import pytest
from conftest import digest, pg_admin

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
    # owners are granted with their login here (config set owners is refused on a team server)
    assert "(only they or an owner may: salesctl team grant REP --login ROLE --owner)" in result.err
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
    "args, message",
    [
        (("import", "FILE", "--dry-run"), "only an owner may import or restore"),
        (("handoff", "bob", "carol", "--dry-run"), "only an owner may hand off a rep's leads"),
    ],
)
def test_a_reps_dry_run_of_an_owners_command_is_the_same_refusal(
    as_, team, args, message, db, tmp_path
):
    """A dry run is the change rolled back; refused before it wrote anything, it must say so, not
    fail setting back id sequences a rep's role may not touch."""
    before = digest(db)
    result = as_("bob", *_args(args, team, tmp_path))
    assert result.code == 1, result.err
    assert result.err == f"Error: {message}; bob is a rep: ask an owner (docs/team.md)\n"
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


# --- the server enforces it: row-level security and grants, should salesctl's own checks miss ------


@pytest.fixture
def unchecked(monkeypatch):
    """salesctl without its checks before writing: what the server alone refuses."""
    from salesctl.store import Store

    for name in ("_guard_lead", "_guard_new_owner", "_guard_activity", "require_owner"):
        monkeypatch.setattr(Store, name, lambda self, *args: None)


@pytest.mark.parametrize(
    "who, args, message",
    [
        ("carol", ("log", "1", "called"), 'row-level security policy for table "activities"'),
        ("carol", ("move", "1", "quoted"), "lead #1 belongs to bob; ask an owner to assign it"),
        ("carol", ("lead", "edit", "1", "--value", "1"), "lead #1 belongs to bob"),
        ("bob", ("lead", "assign", "1", "--to", "carol"), "row-level security policy"),
        ("bob", ("lead", "delete", "1", "--yes"), "permission denied for table leads"),
        ("bob", ("config", "set", "rot_days.new", "3"), "permission denied for table settings"),
        ("bob", ("target", "set", "1k", "--team"), "permission denied for table targets"),
        ("bob", ("rep", "add", "dave"), "permission denied for table reps"),
    ],
)
def test_the_server_refuses_what_the_checks_miss(as_, team, unchecked, db, who, args, message):
    before = digest(db)
    result = as_(who, *args)
    assert result.code == 1, result.err
    assert result.err.startswith("Error: ") and message in result.err, result.err
    assert "Traceback" not in result.err
    assert digest(db) == before


def test_a_rep_connecting_directly_changes_no_one_elses_rows(team, url, db):
    """psql as carol: bob's lead and activity are read but cannot be changed or deleted."""
    import psycopg2

    conn = psycopg2.connect(url("carol"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM leads")
            assert cur.fetchone()[0] == 3  # the whole team's leads
            cur.execute("UPDATE leads SET value = 1 WHERE id = 1")
            assert cur.rowcount == 0
            cur.execute("DELETE FROM activities WHERE id = 1")
            assert cur.rowcount == 0
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # giving her lead away
                cur.execute("UPDATE leads SET owner_id = 1 WHERE id = 2")
    finally:
        conn.close()
    rows = pg_admin(
        "SELECT l.id, l.value, r.name FROM leads l JOIN reps r ON r.id = l.owner_id ORDER BY l.id",
        db.rsplit("/", 1)[1],
    )
    assert rows == [(1, 1_000_000, "bob"), (2, 500_000, "carol"), (3, 300_000, "bob")]


# --- grant, revoke, and one idea of "owner" on both engines -------------------------------------------


def test_grant_needs_an_existing_role_and_a_plain_name(ok, fails, roles):
    fails(
        "team",
        "grant",
        "dave",
        "--login",
        "no_such_role_x",
        names=['"no_such_role_x" is not a role', "createuser"],
    )
    fails("team", "grant", "dave", "--login", "bad\x1bname", names=["--login"])
    fails("team", "grant", "dave", "--login", "x" * 64, names=["--login", "63 bytes"])
    ok("team", "grant", "bob", "--login", roles["bob"])
    fails(
        "team",
        "grant",
        "carol",
        "--login",
        roles["bob"],
        names=[f'role "{roles["bob"]}" is already rep bob', "team revoke bob"],
    )
    fails("team", "revoke", "carol", names=['"carol" is not a rep'])
    ok("rep", "add", "carol")
    fails("team", "revoke", "carol", names=['"carol" has no login'])


def test_owner_is_the_owners_setting_on_both_engines(ok, fails, as_, team):
    """--owner puts the rep in `owners` (who may fix anyone's activities); config set owners then
    points at team grant, and granting again without --owner takes it away."""
    assert ok("config", "show", "--format", "json")["owners"] == ["olga"]
    fails("config", "set", "owners", "bob", names=["team grant REP --login ROLE --owner"])
    assert as_("olga", "activity", "edit", "1", "--note", "fixed by olga").code == 0
    logins = ok("team", "list", "--format", "json")
    assert [(r["rep"], r["owner"]) for r in logins] == [
        ("bob", False),
        ("carol", False),
        ("olga", True),
    ]
    assert as_("olga", "team", "grant", "carol", "--login", team["carol"], "--owner").code == 0
    assert ok("config", "show", "--format", "json")["owners"] == ["olga", "carol"]
    assert as_("carol", "move", "1", "quoted").code == 0  # an owner now: bob's lead too
    assert as_("olga", "team", "grant", "carol", "--login", team["carol"]).code == 0
    assert ok("config", "show", "--format", "json")["owners"] == ["olga"]
    refused = as_("carol", "move", "1", "contacted")
    assert refused.code == 1 and "belongs to bob" in refused.err


def test_an_owner_cannot_revoke_their_own_login(as_, team, db):
    before = digest(db)
    result = as_("olga", "team", "revoke", "olga")
    assert result.code == 1 and "olga is you" in result.err
    assert digest(db) == before


@pytest.mark.sqlite_only
def test_team_commands_on_a_sqlite_file_say_team_mode_needs_postgresql(fails):
    for args in (("grant", "bob", "--login", "bob"), ("revoke", "bob"), ("list",)):
        fails(
            "team",
            *args,
            names=[
                f"team {args[0]}: per-person logins need a team database on PostgreSQL",
                "config set owners",
            ],
        )


# --- a day of a team of three on one server -------------------------------------------------------


def test_a_team_of_three_works_a_day_on_one_server(ok, as_, roles, db):
    def by(who, *args):
        result = as_(who, *args)
        assert result.code == 0, (who, args, result.err)
        return result.json() if "json" in args else result

    # The database's owner role makes olga an owner; olga grants her reps herself.
    ok("team", "grant", "olga", "--login", roles["olga"], "--owner")
    by("olga", "team", "grant", "bob", "--login", roles["bob"])
    by("olga", "team", "grant", "carol", "--login", roles["carol"])
    by("olga", "target", "set", "50k", "--team")

    # Morning: each rep adds and works their own leads.
    by("bob", "add", "Acme", "--value", "20k", "--next", "fri", "--step", "send quote")
    by("bob", "add", "Initech", "--value", "4k")
    by("carol", "add", "Globex", "--value", "8k", "--next", "today 15:00", "--step", "call")
    by("bob", "log", "Acme", "called, wants a quote", "--next", "tomorrow", "--step", "quote")
    by("bob", "move", "Acme", "quoted")
    by("carol", "log", "Globex", "signed")
    by("carol", "won", "Globex")
    refused = as_("carol", "log", "Acme", "poaching")
    assert refused.code == 1
    assert refused.err == "Error: lead #1 belongs to bob; ask an owner to assign it\n"

    # Everyone reads the whole team; each one's own day is their own.
    assert [
        lead["name"] for lead in by("carol", "lead", "list", "--team", "--all", "--format", "json")
    ] == [
        "Acme",
        "Initech",
        "Globex",
    ]
    assert by("bob", "rep", "list", "--format", "json")[0]["name"] == "bob"

    # Noon: olga moves Initech to carol, who works it.
    by("olga", "lead", "assign", "Initech", "--to", "carol")
    by("carol", "log", "Initech", "intro call")

    # Evening: bob leaves. His login goes first; handoff still works, and carol takes over.
    by("olga", "team", "revoke", "bob")
    gone = as_("bob", "today")
    assert gone.code == 1 and "is not a rep of this team" in gone.err
    moved = by("olga", "handoff", "bob", "carol", "--deactivate", "--format", "json")
    assert moved["moved"] == 1 and moved["deactivated"]
    by("carol", "log", "Acme", "took over from bob")
    owners = {
        lead["name"]: lead["owner"]
        for lead in by("olga", "lead", "list", "--team", "--all", "--format", "json")
    }
    assert owners == {"Acme": "carol", "Initech": "carol", "Globex": "carol"}
    report = by("olga", "report", "--week", "--team", "--format", "json")
    assert "carol" in str(report)
    assert [r["rep"] for r in by("olga", "team", "list", "--format", "json")] == ["carol", "olga"]


def test_a_refusal_speaks_the_runs_language(as_, team, db):
    before = digest(db)
    result = as_("carol", "--lang", "zh-Hant", "log", "1", "called")
    assert result.code == 1
    assert result.err == "錯誤: 客戶 #1 屬於 bob；請主管分配給你\n"
    assert digest(db) == before


def test_a_rep_mails_only_their_own_digest(as_, team, db):
    before = digest(db)
    result = as_("bob", "remind", "--all", "--email")
    assert result.code == 1
    assert result.err.startswith("Error: only an owner may mail other reps' digests; bob is a rep")
    assert digest(db) == before


def test_reps_claim_and_release_pool_leads_under_row_level_security(as_, team, ok):
    """The shared pool on a team server (docs/pool.md): a rep claims a lead nobody owns and gives their
    own back; they may not release another rep's lead, nor recycle (an owner's job)."""
    assert as_("bob", "lead", "release", "1", "--reason", "wrong region").code == 0
    claimed = as_("carol", "claim", "1")
    assert claimed.code == 0, claimed.err
    refused = as_("bob", "lead", "release", "2", "--reason", "mine now")
    assert refused.code == 1 and "may not release lead #2" in refused.err, refused.err
    assert "salesctl team grant REP --login ROLE --owner" in refused.err, refused.err
    ok("config", "set", "pool.release_days.contacted", "1")
    recycle = as_("bob", "pool", "recycle")
    assert recycle.code == 1 and "only an owner may" in recycle.err, recycle.err
    look = as_("bob", "pool", "recycle", "--dry-run")  # looking is reading: a rep may
    assert look.code == 0, look.err
    timeline = ok("lead", "show", "1", "--format", "json")["timeline"]
    assert [(e["change"], e["rep"]) for e in timeline if e["type"] == "owner"] == [
        ("release", "bob"),
        ("claim", "carol"),
    ]


def test_a_rep_adds_a_lead_to_the_pool(as_, team, ok):
    """docs/pool.md: `add --pool` writes a lead nobody owns with its first stage_history row and tags;
    row-level security let a rep write those rows only for leads they own, so it was refused."""
    result = as_("bob", "add", "Hooli", "--pool", "--tag", "trade-fair", "--value", "2k")
    assert result.code == 0, result.err
    (lead,) = ok("pool", "list", "--format", "json")
    assert (lead["name"], lead["owner"], lead["tags"]) == ("Hooli", None, ["trade-fair"])
    claimed = as_("carol", "claim", "Hooli")
    assert claimed.code == 0, claimed.err


def test_a_reps_own_digest_tells_them_of_a_recycle_once(as_, team, ok, db, monkeypatch):
    """The digest marks the recycles it told (assignments.notified_at): a rep printing their own digest
    on a team server was refused that update, so `remind` failed after printing. Another rep's
    `remind --all` shows bob's notice but leaves it for bob's own digest."""
    ok("config", "set", "pool.release_days.contacted", "3")
    monkeypatch.setenv("SALESCTL_NOW", "2026-12-10T10:00:00")
    ok("pool", "recycle")
    others = as_("carol", "remind", "--all")
    assert others.code == 0, others.err
    assert "Returned to the pool" in others.out
    first = as_("bob", "remind")
    assert first.code == 0, first.err
    assert "Returned to the pool" in first.out and "#1 Acme" in first.out
    again = as_("bob", "remind")
    assert again.code == 0, again.err
    assert "Returned to the pool" not in again.out


def test_a_rep_meeting_an_old_schema_is_told_who_upgrades_it(as_, team, db):
    """A schema change runs as the database's owner role; a rep's role may not alter tables."""
    from conftest import pg_admin

    pg_admin("UPDATE salesctl_schema SET version = version - 1", db.rsplit("/", 1)[1])
    before = digest(db)
    result = as_("bob", "today")
    assert result.code == 3, result.err
    assert "the upgrade runs as the database's owner role (the one that ran db init)" in result.err
    assert digest(db) == before
