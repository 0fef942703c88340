"""Every field of a lead, written once: the other lists of lead fields derive from LEAD (docs/design.md,
Lead fields).

From this table come the `leads` columns the store writes (`Store.LEAD_FIELDS`, `TABLE_COLUMNS`), the
keys and their order in the lead object (JSON, CSV header, export), which values are times, money or
flags there, the fields `import` reads with their other spellings, what an import may update, the
`lead list --sort` words and the columns of the `lead list` table. The schema itself is the migrations'
(store.py, dialects/postgres.py); tests/test_lead_fields.py fails when a column of a fresh database is
missing here, or a column here is missing there, on either engine.

Pure and cheap: store.py imports it on the start-up path of every command (no typer, rich or I/O).
"""

from __future__ import annotations

from .i18n import N_

# kind → the SQL type of its column (SQLite's; PostgreSQL stores INTEGER as bigint or integer).
# Every other kind is TEXT: times are ISO UTC text, days ISO dates.
INTEGER_KINDS = frozenset(("id", "money", "rep", "flag"))


class Listed:
    """How `lead list` shows a field: header (English, translated where shown), the widest it gets
    (`width`, cut with … past it), whether it may fold onto more lines, and its `priority` (on a narrow
    terminal the highest goes first; 0 never goes)."""

    __slots__ = ("header", "width", "wrap", "priority")

    def __init__(self, header: str, *, width: int | None = None, wrap=False, priority: int = 0):
        self.header, self.width, self.wrap, self.priority = header, width, wrap, priority


class LeadField:
    """One field of a lead.

    name     its column in `leads` (or, with column=False, its name where it has no column)
    kind     what its values are: decides the SQL type, its form in the lead object and its parser
             (id, name, text, email, phone, digits, intent, tags, money, currency, rep, stage, label,
             time, day, flag, note)
    null     False where the column is NOT NULL; `default` what the schema gives when none is set
    key      its key in the lead object (JSON, CSV header); None: not shown (phone_digits)
    imports  (place, field): `import` reads it as `field`, listed at `place` in that command's fields
    aliases  other spellings `import` accepts for that field (a column header, an exported key)
    edit     the `lead edit` option that changes it (an import's update changes the same fields)
    sort     (place, word): `lead list --sort word`, listed at `place`; `empty_last`: leads without a
             value come after the others (`--sort -word` reverses the whole order)
    listed   how the `lead list` table shows it (Listed)
    """

    __slots__ = (
        "name",
        "kind",
        "column",
        "null",
        "default",
        "key",
        "imports",
        "aliases",
        "edit",
        "sort",
        "empty_last",
        "listed",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        *,
        column: bool = True,
        null: bool = True,
        default: object = None,
        key: str | None | bool = True,
        imports: tuple[int, str] | None = None,
        aliases: tuple[str, ...] = (),
        edit: str | None = None,
        sort: tuple[int, str] | None = None,
        empty_last: bool = False,
        listed: Listed | None = None,
    ):
        self.name, self.kind, self.column = name, kind, column
        self.null, self.default = null, default
        self.key = name if key is True else key
        self.imports, self.aliases, self.edit = imports, aliases, edit
        self.sort, self.empty_last, self.listed = sort, empty_last, listed

    @property
    def sql_type(self) -> str:
        return "INTEGER" if self.kind in INTEGER_KINDS else "TEXT"

    @property
    def required(self) -> bool:
        """A value must be given: NOT NULL without a default."""
        return not self.null and self.default is None

    def __repr__(self) -> str:
        return f"LeadField({self.name!r}, {self.kind!r})"


F, L = LeadField, Listed

# In column order (the order of the lead object's keys, and of `leads` in a fresh database).
# `imports` places follow docs/reference.md (salesctl import); `sort` places the --sort help.
LEAD = (
    F("id", "id", null=False, sort=(1, "id"), listed=L("#", wrap=True)),
    F(
        "name",
        "name",
        null=False,
        imports=(1, "name"),
        aliases=("lead",),
        edit="--name",
        sort=(2, "name"),
        listed=L(N_("Name"), width=24),
    ),
    F(
        "company",
        "text",
        imports=(2, "company"),
        edit="--company",
        sort=(3, "company"),
        listed=L(N_("Company"), width=16, priority=6),
    ),
    F("contact", "text", imports=(3, "contact"), edit="--contact"),
    F("email", "email", imports=(4, "email"), aliases=("e_mail",), edit="--email"),
    F("phone", "phone", imports=(5, "phone"), aliases=("mobile", "tel"), edit="--phone"),
    F("phone_digits", "digits", key=None),  # the phone's digits, to find duplicates
    F("source", "text", imports=(6, "source"), edit="--source"),
    F("intent", "intent", imports=(7, "intent"), edit="--intent"),
    F("industry", "text", imports=(8, "industry"), edit="--industry"),
    F("persona", "text", imports=(9, "persona"), edit="--persona"),
    F("tags", "tags", column=False, imports=(10, "tags"), aliases=("tag",), edit="--tag"),
    F(
        "value",
        "money",
        imports=(11, "value"),
        edit="--value",
        sort=(5, "value"),
        listed=L(N_("Value"), wrap=True, priority=2),
    ),
    F("currency", "currency", null=False, imports=(12, "currency"), edit="--currency"),
    F(
        "owner_id",
        "rep",  # NULL: the lead is in the shared pool (docs/pool.md)
        key="owner",
        imports=(13, "owner"),
        aliases=("rep",),
        edit="--owner",
        sort=(4, "owner"),
        listed=L(N_("Owner"), width=10, priority=3),
    ),
    F(
        "stage",
        "stage",
        null=False,
        imports=(14, "stage"),
        sort=(11, "stage"),
        listed=L(N_("Stage")),
    ),
    F(
        "created_at",
        "time",
        null=False,
        imports=(15, "created_at"),
        aliases=("created",),
        sort=(6, "created"),
        listed=L(N_("Created")),
    ),
    F(
        "stage_changed_at",
        "time",
        null=False,
        imports=(26, "stage_changed_at"),
        sort=(7, "updated"),
        listed=L(N_("Stage since")),
    ),
    F("last_activity_at", "time", sort=(8, "activity"), listed=L(N_("Last activity"))),
    F(
        "next_at",
        "time",
        imports=(23, "next_at"),
        aliases=("next",),
        edit="--next",
        sort=(9, "next"),
        empty_last=True,
        listed=L(N_("Next"), priority=4),
    ),
    F(
        "next_step",
        "text",
        imports=(24, "next_step"),
        aliases=("step",),
        edit="--step",
        listed=L(N_("Next step"), wrap=True, priority=5),
    ),
    F(
        "close_by",
        "day",
        imports=(21, "close_by"),
        edit="--close-by",
        sort=(10, "close_by"),
        empty_last=True,
        listed=L(N_("Close by")),
    ),
    F("key", "flag", null=False, default=0, imports=(22, "key"), edit="--key"),
    # A row's close time gives won_at or lost_at, by its stage.
    F("won_at", "time", imports=(16, "closed_at"), aliases=("closed",)),
    F("won_amount", "money", imports=(17, "amount")),
    F("lost_at", "time", imports=(16, "closed_at")),
    F("lost_reason", "label", imports=(18, "lost_reason")),
    F("lost_stage", "label", imports=(19, "lost_stage")),
    F("snoozed_until", "time", imports=(25, "snoozed_until")),
    # Imported as the lead's first note (an activity), never a column or a key.
    F("notes", "note", column=False, key=None, imports=(20, "notes"), aliases=("note",)),
)
del F, L

# The columns of `leads`, in order; the store writes every one but `id` by name.
COLUMNS = tuple(f.name for f in LEAD if f.column)
# The lead object's keys in order (JSON, CSV header), and which of them need converting.
KEYS = tuple(f.key for f in LEAD if f.key)
TIMES = tuple(f.key for f in LEAD if f.key and f.kind == "time")
MONEY = tuple(f.key for f in LEAD if f.key and f.kind == "money")
FLAGS = tuple(f.key for f in LEAD if f.key and f.kind == "flag")
# `import`: its fields in the order it lists them, and other spellings (an exported key where the
# field is named otherwise, e.g. won_at → closed_at) → the field.
IMPORT_FIELDS = tuple(
    dict.fromkeys(name for _place, name in sorted(f.imports for f in LEAD if f.imports))
)
IMPORT_ALIASES = {
    alias: f.imports[1]
    for f in LEAD
    if f.imports
    for alias in (*f.aliases, *((f.key,) if f.key and f.key != f.imports[1] else ()))
}
# What `lead edit` and an import's update change by value (owner and tags go through their own rules).
EDITABLE = tuple(f.name for f in LEAD if f.edit and f.column and f.kind != "rep")
# `lead list --sort` words in the order its help lists them.
SORTS = tuple(f for _place, f in sorted((f.sort[0], f) for f in LEAD if f.sort))
