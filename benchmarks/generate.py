"""Write realistic salesctl databases for the benchmarks, straight through `salesctl.store.Store`.

    python -m benchmarks.generate 10000 benchmarks/data/10k.db
    python -m benchmarks.generate 100000 benchmarks/data/100k.db
    python -m benchmarks.generate --csv 100000 benchmarks/data/leads-100k.csv

(from the repository root, with salesctl installed; tests import `benchmarks.generate.generate`).

A team of reps (20 for 10k leads, 50 for 100k) works a history that grows with the database: the 10k
team has about a year of leads, the 100k team several years. Each rep keeps a realistic portfolio of a
few hundred open leads (older leads are mostly won or lost, with reasons), so `today --rep R` lists a
meaningful day on either size and the difference between sizes is history, which indexes must skip.
Every lead has about 10 activities (1M at 100k leads), a stage history consistent with its stage,
follow-ups spread around "now", and the team has monthly targets and plays.

Deterministic: the same arguments write the same rows. "Now" is `SALESCTL_NOW` (default
2026-11-26T10:00:00, the test suite's pinned Thursday), the database's time zone is UTC.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from salesctl.model import DEFAULT_LOST_REASONS, DEFAULT_STAGES
from salesctl.store import Store

NOW_TEXT = os.environ.get("SALESCTL_NOW", "2026-11-26T10:00:00")
OPEN_PER_REP = 350  # a busy rep's portfolio; the same on every database size
ACTIVITIES_PER_LEAD = 10

FIRST = [
    "Alice",
    "Bob",
    "Chen",
    "Dana",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wang",
    "Xin",
    "Yara",
    "Zoe",
    "李伟",
    "王芳",
    "张敏",
    "刘洋",
    "陈静",
    "杨磊",
]
LAST = [
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Tanaka",
    "Kim",
    "Nguyen",
    "Okafor",
    "Silva",
    "Novak",
    "Haddad",
    "Larsen",
    "Dubois",
    "Cohen",
    "Ivanova",
    "O'Brien",
]
COMPANY_A = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "北京智造",
    "上海云帆",
    "深圳创新",
    "杭州数联",
    "Nordwind",
    "Sakura",
    "Aurora",
    "Zenith",
    "Pioneer",
    "Atlas",
]
COMPANY_B = [
    "Labs",
    "Systems",
    "Foods",
    "Logistics",
    "Media",
    "Retail",
    "Health",
    "Energy",
    "Capital",
    "Works",
    "科技",
    "贸易",
    "GmbH",
    "Ltd",
    "Group",
    "Partners",
]
SOURCES = ["referral", "web", "event", "cold-call", "partner", "linkedin"]
INDUSTRIES = [
    "software",
    "manufacturing",
    "retail",
    "logistics",
    "healthcare",
    "finance",
    "education",
    "food",
]
PERSONAS = ["no-authority", "hesitant", "price-shopper", "busy", "champion", None, None]
KINDS = ["call", "call", "call", "email", "email", "message", "meeting", "visit", "note"]
NOTES = [
    "called, left a voicemail",
    "wants a quote by Friday",
    "sent the brochure",
    "demo went well",
    "asked about volume pricing",
    "decision maker on holiday",
    "回电话，需要报价",
    "meeting at their office",
    "follow-up on the proposal",
    "no answer",
    "budget approved next quarter",
    "compared us with a competitor",
]
STEPS = [
    "send quote",
    "call back",
    "demo",
    "follow up on proposal",
    "meet the buyer",
    "发报价",
    "check budget",
]
TAGS = ["expo", "vip", "q4", "partner", "upsell", "renewal"]
PLAYS = [
    (
        "price-objection",
        "Offer a pilot at list price; move the discount to volume.",
        "quoted",
        "price-shopper",
    ),
    (
        "find-the-boss",
        "Ask who signs; invite them to the next call.",
        "negotiating",
        "no-authority",
    ),
    ("gentle-nudge", "Short message with one concrete next step.", None, "hesitant"),
    ("busy-buyer", "Two-line email, one question, a calendar link.", None, "busy"),
]


def parse_now(text: str) -> datetime:
    now = datetime.fromisoformat(text)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


class Clock:
    """Fast UTC storage strings for epoch seconds (formatting 1M datetimes one by one is the slow part)."""

    def __init__(self, start: datetime, days: int):
        self.start = int(start.timestamp()) // 86400 * 86400
        self.days = [
            (datetime.fromtimestamp(self.start + d * 86400, UTC)).strftime("%Y-%m-%d")
            for d in range(days + 800)
        ]

    def db(self, t: float) -> str:
        s = int(t) - self.start
        d, r = divmod(s, 86400)
        h, r = divmod(r, 3600)
        m, sec = divmod(r, 60)
        return f"{self.days[d]}T{h:02d}:{m:02d}:{sec:02d}Z"

    def date(self, t: float) -> str:
        return self.days[(int(t) - self.start) // 86400]


def plan(n_leads: int) -> tuple[int, int]:
    """(reps, days of history) for a database size: bigger databases are older and bigger teams."""
    reps = 20 if n_leads <= 20000 else min(50, round(n_leads / 2000))
    # 10k leads is a year of a 20-rep team; bigger databases are older (up to four years).
    days = max(120, min(4 * 365, round(365 * n_leads / 10000 / (reps / 20))))
    return reps, days


def open_decay(ages: list[float], target_open: int) -> float:
    """The time constant tau (days) so that sum(exp(-age/tau)) over all leads ≈ target_open."""
    lo, hi = 0.1, 1e6
    for _ in range(60):
        tau = math.sqrt(lo * hi)
        expected = sum(math.exp(-a / tau) for a in ages)
        lo, hi = (tau, hi) if expected < target_open else (lo, tau)
    return tau


def bulk_index(store: Store, table: str):
    """Store.bulk_index where the store has full-text search, else nothing to do."""
    if hasattr(store, "bulk_index"):
        return store.bulk_index(table)
    from contextlib import nullcontext

    return nullcontext()


def generate(n_leads: int, path: Path, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = parse_now(NOW_TEXT)
    now_s = now.timestamp()
    n_reps, days = plan(n_leads)
    first_day = now - timedelta(days=days)
    clock = Clock(first_day - timedelta(days=1), days + 400)
    DAY = 86400.0

    if path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store(path)  # creates the file and runs every migration
    conn = store.conn

    reps = []
    for i in range(n_reps):
        name = f"{FIRST[i % len(FIRST)]}" + ("" if i < len(FIRST) else f" {i // len(FIRST) + 1}")
        reps.append(
            (i + 1, name, f"rep{i + 1}@example.com", 1, clock.db(first_day.timestamp() - 30 * DAY))
        )

    # Creation times, oldest first (ids grow with time as in real use); which leads are still open.
    created = sorted(
        first_day.timestamp() + rng.random() * (days * DAY - 3600) for _ in range(n_leads)
    )
    ages = [(now_s - c) / DAY for c in created]
    target_open = min(int(n_leads * 0.75), n_reps * OPEN_PER_REP)
    tau = open_decay(ages, target_open)

    leads, tags, activities, history = [], [], [], []
    stages = list(DEFAULT_STAGES)
    act_id = 0
    for lead_id, (c, age) in enumerate(zip(created, ages, strict=True), start=1):
        owner = rng.randrange(n_reps) + 1
        is_open = rng.random() < math.exp(-age / tau)
        life_end = now_s if is_open else c + min(age, rng.uniform(0.1, 1.0) * min(age, 120)) * DAY
        life_end = min(life_end, now_s - 60)
        # The furthest open stage reached, then (for closed leads) won or lost.
        furthest = min(len(stages) - 1, int(rng.expovariate(0.6)))
        outcome = None
        if not is_open:
            outcome = "won" if rng.random() < 0.3 + 0.12 * furthest else "lost"
        n_acts = max(0, int(rng.gauss(ACTIVITIES_PER_LEAD, 3)))
        if is_open and furthest == 0 and rng.random() < 0.25:
            n_acts = 0  # new and untouched
        if n_acts == 0 and furthest > 0:
            n_acts = 1
        span = max(life_end - c, 120.0)
        times = sorted(c + rng.random() * span for _ in range(n_acts))
        # Stage moves at evenly spaced points of the lead's life; the first move follows the first touch.
        path_stages = stages[: furthest + 1] + ([outcome] if outcome else [])
        stage = path_stages[-1]
        move_times = [c]
        for k in range(1, len(path_stages)):
            lo = times[0] if times and k == 1 else move_times[-1]
            t = lo + (life_end - lo) * (k / len(path_stages)) * rng.uniform(0.6, 1.0)
            move_times.append(max(t, move_times[-1] + 1))
        if outcome:
            move_times[-1] = life_end
        for k, st in enumerate(path_stages):
            history.append(
                (lead_id, owner, path_stages[k - 1] if k else None, st, clock.db(move_times[k]))
            )
        for t in times:
            act_id += 1
            kind = rng.choice(KINDS)
            # A lead still in `new` has had no effective touch (one would have moved it to contacted).
            effective = 0 if kind == "note" or stage == "new" else int(rng.random() < 0.7)
            play = rng.randrange(len(PLAYS)) + 1 if rng.random() < 0.03 else None
            at = clock.db(t)
            activities.append(
                (act_id, lead_id, owner, kind, rng.choice(NOTES), effective, at, play, at)
            )
        value = (
            rng.choice([5, 8, 10, 12, 20, 25, 40, 50, 80, 120]) * 100_000
            if rng.random() < 0.9
            else None
        )
        next_at = next_step = snoozed = close_by = None
        if is_open:
            roll = rng.random()
            if roll < 0.85:  # a follow-up around now: some overdue, some today, most ahead
                next_t = now_s + rng.gauss(4, 8) * DAY
                next_t = max(next_t, c + 3600)
                next_at, next_step = clock.db(next_t // 1800 * 1800), rng.choice(STEPS)
            if rng.random() < 0.4:
                close_by = clock.date(now_s + rng.uniform(-5, 60) * DAY)
            if rng.random() < 0.02:
                snoozed = clock.db(now_s + rng.uniform(1, 20) * DAY)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}" if rng.random() < 0.9 else None
        phone = (
            f"+1 555 {lead_id // 10000:03d} {lead_id % 10000:04d}" if rng.random() < 0.7 else None
        )
        leads.append(
            (
                lead_id,
                name,
                company,
                name,
                f"lead{lead_id}@example.com" if rng.random() < 0.8 else None,
                phone,
                "".join(ch for ch in phone if ch.isdigit()) if phone else None,
                rng.choice(SOURCES),
                rng.choice(("hot", "warm", "warm", "cold", None)),
                rng.choice(INDUSTRIES),
                rng.choice(PERSONAS),
                value,
                "USD",
                owner,
                stage,
                clock.db(c),
                clock.db(move_times[-1]),
                clock.db(times[-1]) if times else None,
                next_at,
                next_step,
                close_by,
                int(rng.random() < 0.05),
                clock.db(life_end) if outcome == "won" else None,
                (value or 1_000_000) if outcome == "won" else None,
                clock.db(life_end) if outcome == "lost" else None,
                rng.choice(DEFAULT_LOST_REASONS) if outcome == "lost" else None,
                stages[furthest] if outcome == "lost" else None,
                snoozed,
            )
        )
        if rng.random() < 0.2:
            tags.append((lead_id, rng.choice(TAGS)))

    months = sorted({clock.date(now_s - k * 30 * DAY)[:7] for k in range(0, 13)})
    targets = [
        (r[0], m, rng.choice([50, 80, 100, 150]) * 1_000_000, clock.db(now_s - 40 * DAY))
        for r in reps
        for m in months
    ]
    targets += [(None, m, 100 * 1_000_000 * n_reps, clock.db(now_s - 40 * DAY)) for m in months]
    plays = [(n, t, s, p, clock.db(first_day.timestamp())) for n, t, s, p in PLAYS]

    columns = ("id",) + Store.LEAD_FIELDS
    with store.write():
        conn.executemany(
            "INSERT INTO reps (id, name, email, active, created_at) VALUES (?, ?, ?, ?, ?)", reps
        )
        # Migrations may already have added default plays: ours come after them.
        conn.executemany(
            "INSERT OR IGNORE INTO plays (name, text, stage, persona, created_at) VALUES (?, ?, ?, ?, ?)",
            plays,
        )
        play_ids = [r[0] for r in conn.execute("SELECT id FROM plays ORDER BY id")]
        activities = [
            a if a[7] is None else (*a[:7], play_ids[a[7] % len(play_ids)], a[8])
            for a in activities
        ]
        # Full-text indexing, when the schema has it, in one statement per table (as `import` does).
        with bulk_index(store, "leads"):
            conn.executemany(
                f"INSERT INTO leads ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                leads,
            )
        conn.executemany("INSERT OR IGNORE INTO lead_tags (lead_id, tag) VALUES (?, ?)", tags)
        with bulk_index(store, "activities"):
            conn.executemany(
                "INSERT INTO activities (id, lead_id, rep_id, kind, note, effective, at, play_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                activities,
            )
        conn.executemany(
            "INSERT INTO stage_history (lead_id, rep_id, from_stage, to_stage, at) VALUES (?, ?, ?, ?, ?)",
            history,
        )
        conn.executemany(
            "INSERT INTO targets (rep_id, month, amount, set_at) VALUES (?, ?, ?, ?)", targets
        )
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('timezone', ?)", (json.dumps("UTC"),)
        )
    # No ANALYZE: a real database has no planner statistics either, so the plans measured are the ones users get.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n_open = sum(1 for lead in leads if lead[14] not in ("won", "lost"))
    store.close()
    return {
        "leads": n_leads,
        "open": n_open,
        "reps": n_reps,
        "days": days,
        "activities": len(activities),
        "stage_history": len(history),
        "rep": reps[0][1],
    }


CSV_COLUMNS = [
    "name",
    "company",
    "contact",
    "email",
    "phone",
    "source",
    "intent",
    "industry",
    "value",
    "owner",
    "stage",
    "created_at",
    "next_at",
    "next_step",
    "close_by",
    "tags",
]


def write_csv(n_rows: int, path: Path, seed: int = 11) -> None:
    """A CRM export of n_rows leads for the import benchmark (the same file for salesctl and sqlite-utils)."""
    rng = random.Random(seed)
    now = parse_now(NOW_TEXT)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_COLUMNS)
        for i in range(1, n_rows + 1):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            created = now - timedelta(days=rng.uniform(1, 365))
            nxt = now + timedelta(days=round(rng.gauss(3, 6)))
            out.writerow(
                [
                    name,
                    f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}",
                    name,
                    f"import{i}@example.com",
                    f"+44 20 {i // 10000:04d} {i % 10000:04d}",
                    rng.choice(SOURCES),
                    rng.choice(("hot", "warm", "cold")),
                    rng.choice(INDUSTRIES),
                    rng.choice([500, 1200, 5000, 12000, 30000]),
                    f"{FIRST[rng.randrange(20)]}",
                    rng.choice(DEFAULT_STAGES),
                    created.strftime("%Y-%m-%d %H:%M"),
                    nxt.strftime("%Y-%m-%d"),
                    rng.choice(STEPS),
                    "",
                    rng.choice(TAGS),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("leads", type=int, help="number of leads (or CSV rows with --csv)")
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--csv", action="store_true", help="write an import CSV instead of a database"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    if args.csv:
        write_csv(args.leads, args.path, args.seed)
        print(f"{args.path}: {args.leads} rows in {time.perf_counter() - start:.1f}s")
        return
    args.path.parent.mkdir(parents=True, exist_ok=True)
    info = generate(args.leads, args.path, args.seed)
    print(
        f"{args.path}: {json.dumps(info, ensure_ascii=False)} in {time.perf_counter() - start:.1f}s"
    )


if __name__ == "__main__":
    main()
