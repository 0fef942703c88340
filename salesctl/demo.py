"""The demo team: a deterministic, realistic sample database built through the pipeline rules.

Everything is relative to "now", so `today`, `stalled`, `funnel` and `report` always have something to
show: three reps, about a hundred leads created over the last four months, their follow-ups, stage
moves, wins, losses with reasons, plays used, targets for this month and the last, and open leads that
are overdue, due today, untouched, stalled, snoozed or closing soon.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, tzinfo

from . import pipeline
from .dates import to_db
from .errors import SalesError
from .i18n import N_
from .model import Settings
from .store import Store

SEED = 2026
LEADS = 96
REPS = (("maya", "maya@example.com"), ("王芳", "wang.fang@example.com"), ("tom", "tom@example.com"))
PLAYS = (
    (
        "referral-to-decider",
        "Budget but no authority: ask to be introduced to whoever signs, and offer them a short call.",
        None,
        "no-authority",
    ),
    (
        "case-study-offer",
        "Interested but hesitant: send a case study from their industry and a time-limited offer.",
        None,
        "hesitant",
    ),
    (
        "value-not-price",
        "Price shopper: talk service, delivery and details; don't fight on price.",
        "quoted",
        "price-shopper",
    ),
    (
        "short-and-fast",
        "Busy: short messages, answers within the hour, one concrete slot to pick.",
        None,
        "busy",
    ),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "桂英",
    "建华",
    "晓明",
    "子涵",
    "雨桐",
)
FIRST = (
    "Emma",
    "Oliver",
    "Sophia",
    "Liam",
    "Ava",
    "Noah",
    "Mia",
    "Lucas",
    "Harper",
    "Ethan",
    "Amelia",
    "James",
    "Grace",
    "Daniel",
    "Chloe",
    "Henry",
    "Nora",
    "Jack",
    "Ella",
    "Samuel",
)
LAST = (
    "Johnson",
    "Smith",
    "Brown",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Martin",
    "Moore",
    "Clark",
    "Lee",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
)
COMPANIES = (
    "北京智造科技",
    "Acme Logistics",
    "上海云帆贸易",
    "Northwind Foods",
    "深圳光年电子",
    "Bluebird Clinics",
    "杭州青禾餐饮",
    "Summit Builders",
    "成都蜀味食品",
    "Harbor Freight Co",
    "广州明德教育",
    "Pine & Oak Legal",
    "南京星河物流",
    "Redwood Dental",
    "苏州锦绣纺织",
    "Atlas Fitness",
    "武汉长江医药",
    "Cobalt Software",
    "西安古城文旅",
    "Maple Realty",
    "天津海港机械",
    "Orchid Hotels",
    "重庆山城火锅",
    "Brightside Solar",
    "厦门鹭岛茶业",
    "Keystone Insurance",
    "青岛蓝海水产",
    "Silverline Print",
    "长沙湘江传媒",
    "Evergreen Farms",
    "宁波东方五金",
    "Lighthouse Media",
    "郑州中原建材",
    "Riverbend Vets",
    "合肥科大讯联",
    "Granite Works",
    "昆明七彩花卉",
    "Nimbus Analytics",
    "大连北方造船",
    "Copperleaf Cafe",
)
INDUSTRIES = (
    "manufacturing",
    "logistics",
    "retail",
    "food",
    "electronics",
    "healthcare",
    "education",
    "legal",
    "software",
    "real-estate",
)
SOURCES = ("referral", "web", "event", "cold-call", "partner")
PERSONAS = ("no-authority", "hesitant", "price-shopper", "busy", None, None)
NOTES = {
    "call": (
        "Called; interested, wants numbers for 20 seats",
        "电话沟通，对方关心交付周期",
        "Call: asked about support hours",
        "Left a voicemail, called back in the afternoon",
    ),
    "email": (
        "Sent the brochure and pricing sheet",
        "邮件发送了产品资料",
        "Emailed a summary of our call",
    ),
    "message": (
        "WeChat: confirmed the meeting time",
        "微信：客户说下周给答复",
        "Texted the demo link",
    ),
    "meeting": (
        "Meeting with the ops team, good fit",
        "上门拜访，见了采购经理",
        "Video demo for three people",
    ),
    "visit": ("Visited their site, saw the current setup", "实地考察仓库"),
    "proposal": ("Sent the proposal with two options", "发送了方案书"),
    "quote": ("Quote sent: annual plan with 10% off", "报价已发，等待审批"),
    "note": ("Budget approved in Q1 per their CFO", "客户预算有限，需要分期"),
}
STEPS = (
    "send quote",
    "follow up on proposal",
    "book a demo",
    "call the decision maker",
    "确认合同条款",
    "回访",
    "check budget",
    "send case study",
)
LOST_REASONS = ("price", "budget", "competitor", "no-decision", "timing", "no-need", "unresponsive")


def build(store: Store, settings: Settings, now: datetime, tz: tzinfo) -> dict[str, int]:
    """Fill an empty database (inside the caller's transaction). Returns how many of each were made."""
    if store.row_counts()["leads"]:
        raise SalesError(
            N_(
                "demo: this database already has leads; run it on a new one, e.g. salesctl demo --db demo.db"
            )
        )
    rng = random.Random(SEED)
    now_db = to_db(now)
    rep_ids = []
    for name, email in REPS:
        row = store.rep(name)
        rep_ids.append(
            row["id"] if row else store.add_rep(name, email, to_db(now - timedelta(days=150)))
        )
    plays = {}
    for name, text, stage, persona in PLAYS:
        row = store.play(name)  # the default plays (migration 0002) when they are there
        plays[persona] = row["id"] if row else store.add_play(name, text, stage, persona, now_db)
    counts = {"leads": 0, "activities": 0, "won": 0, "lost": 0}
    names = _names(rng, LEADS)
    for n in range(LEADS):
        _lead(store, settings, rng, now, n, rep_ids, plays, counts, names, tz)
    _targets(store, rep_ids, now)
    if not settings.default_rep:
        store.set_setting("default_rep", json.dumps(REPS[0][0], ensure_ascii=False))
    counts["reps"] = len(rep_ids)
    return counts


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct person names, every other one Chinese."""
    names: list[str] = []
    while len(names) < count:
        if len(names) % 2:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    return names


def _lead(store, settings, rng, now, n, rep_ids, plays, counts, names, tz) -> None:
    stages = settings.stages
    age = (
        rng.choice((1, 2)) if n % 12 == 0 else rng.randint(3, 125)
    )  # a few brand-new leads, untouched
    created = now - timedelta(days=age, hours=rng.randint(0, 8), minutes=rng.randint(0, 59))
    owner = rep_ids[n % len(rep_ids)]
    persona = rng.choice(PERSONAS)
    company = rng.choice(COMPANIES)
    fields = {
        "name": names[n],
        "company": company,
        "email": f"contact{n}@example.com",
        "source": rng.choice(SOURCES),
        "intent": rng.choice(("hot", "warm", "cold")),
        "industry": rng.choice(INDUSTRIES),
        "persona": persona,
        "value": rng.randrange(30, 800) * 10000,
        "currency": settings.currency,
        "owner_id": owner,
        "key": int(rng.random() < 0.12),
    }
    tags = rng.sample(
        ["expo", "vip", "renewal", "smb", "enterprise", "华东", "华南"], rng.randint(0, 2)
    )
    lead_id = pipeline.add_lead(
        store, settings, fields, tags, rep_id=owner, now=to_db(created), allow_duplicate=True
    )
    counts["leads"] += 1
    if n % 12 == 0:
        return  # new and untouched
    roll = rng.random()
    outcome = "open" if age < 20 or roll < 0.55 else ("won" if roll < 0.8 else "lost")
    target = rng.randint(1, len(stages) - 1)  # the furthest open stage it reaches
    if outcome == "open":
        kind_of_open = rng.choice(
            ("active", "active", "overdue", "overdue", "stalled", "stalled", "due_today")
        )
        idle = {
            "active": rng.randint(0, 2),
            "overdue": rng.randint(2, 5),
            "due_today": rng.randint(1, 3),
            "stalled": rng.randint(16, 40),
        }[kind_of_open]
        end = now - timedelta(days=min(idle, age - 1), hours=rng.randint(1, 5))
    else:
        end = created + timedelta(days=rng.randint(7, max(8, age - 2)), hours=rng.randint(1, 6))
        end = min(end, now - timedelta(hours=2))
    touches = 1 + target + rng.randint(0, 3)
    span = (end - created) / touches
    stage_now = stages[0]
    for i in range(touches):
        at = created + span * (i + 1)
        kind = (
            rng.choice(("call", "call", "email", "message", "meeting", "visit"))
            if i < touches - 1
            else "call"
        )
        if i and stages.index(stage_now) >= 2:
            kind = rng.choice(("proposal", "quote", "call", "meeting"))
        play = plays.get(persona) if persona and rng.random() < 0.4 else None
        last = i == touches - 1 and outcome == "open"
        next_at, step = (
            (_next(rng, now, tz, kind_of_open), rng.choice(STEPS)) if last else (None, None)
        )
        pipeline.log_activity(
            store,
            settings,
            lead_id,
            rep_id=owner,
            kind=kind,
            note=rng.choice(NOTES[kind]),
            effective=rng.random() > 0.15,
            at=to_db(at),
            next_at=next_at,
            step=step,
            play_id=play,
            now=to_db(at),
        )
        counts["activities"] += 1
        stage_now = store.lead(lead_id)["stage"]
        wanted = stages[min(target, 1 + i * target // max(1, touches - 1))]
        if stage_now not in ("won", "lost") and stages.index(wanted) > stages.index(stage_now):
            pipeline.move(
                store,
                settings,
                lead_id,
                wanted,
                rep_id=owner,
                now=to_db(at + timedelta(minutes=5)),
                note=None,
            )
            stage_now = wanted
    close_at = to_db(end + timedelta(minutes=30))
    if outcome == "won":
        amount = int(fields["value"] * rng.choice((0.8, 0.9, 1, 1, 1.1)))
        pipeline.won(
            store,
            lead_id,
            amount,
            rep_id=owner,
            now=close_at,
            note=rng.choice(("Signed!", "合同已签")),
        )
        counts["won"] += 1
    elif outcome == "lost":
        pipeline.lost(
            store, lead_id, rng.choice(LOST_REASONS), rep_id=owner, now=close_at, note=None
        )
        counts["lost"] += 1
    else:
        changes = {}
        if stages.index(stage_now) >= 2:
            changes["close_by"] = (now + timedelta(days=rng.randint(2, 30))).date().isoformat()
        if kind_of_open == "stalled" and n % 5 == 0:
            changes["snoozed_until"] = to_db(now + timedelta(days=6))
        store.update_lead(lead_id, changes)


def _next(rng, now: datetime, tz: tzinfo, kind_of_open: str) -> str | None:
    """The follow-up left on an open lead: days before today (overdue), today, none, or ahead."""
    today = now.astimezone(tz).date()
    days = {"overdue": -rng.randint(1, 6), "due_today": 0, "stalled": None}.get(
        kind_of_open, rng.randint(1, 9)
    )
    if days is None:
        return None
    local = datetime.combine(
        today + timedelta(days=days), time(rng.randint(9, 17), rng.choice((0, 30))), tz
    )
    return to_db(local)


def _targets(store: Store, rep_ids: list[int], now: datetime) -> None:
    this_month = now.strftime("%Y-%m")
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for month in (last_month, this_month):
        store.set_target(None, month, 300_000 * 100, to_db(now))
        for rep_id in rep_ids:
            store.set_target(rep_id, month, 100_000 * 100, to_db(now))
