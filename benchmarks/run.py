"""Time salesctl as a user runs it, and check the speed goals (docs/speed.md).

    python benchmarks/run.py            # the full run (builds benchmarks/data/ on first use)
    python benchmarks/run.py --quick    # fewer runs and a 10k-row import file

Every figure is whole commands in fresh processes: one warm-up, then the median of at least 5 runs.
Absolute times move with the machine's load, so each figure is printed as a ratio against a baseline
measured in the same run: the interpreter floor (`python -c "import sqlite3"`), the 10k-lead time for
the 100k runs, `sqlite-utils insert … --csv` for import, and Taskwarrior's `task next` over 10k pending
tasks for the daily list. Peak memory is `ru_maxrss` of a child, measured through a tiny wrapper
process per command so each figure belongs to one command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
PY = sys.executable
NOW = "2026-11-26T10:00:00"
SIZES = {"10k": 10_000, "100k": 100_000}

# Peak memory of one child: the wrapper's RUSAGE_CHILDREN is exactly the command it ran.
MEMORY_WRAPPER = (
    "import resource, subprocess, sys;"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def env_for(db: Path | None = None, **extra) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SALESCTL_NOW": NOW,
        "SALESCTL_REP": "Alice",
        "TZ": "UTC",
        "NO_COLOR": "1",
        "COLUMNS": "120",
        **extra,
    }
    env.pop("SALESCTL_DEBUG", None)
    env.pop(
        "PYTHONDONTWRITEBYTECODE", None
    )  # an installed salesctl runs from compiled bytecode; so do we
    if db is not None:
        env["SALESCTL_DB"] = str(db)
    return env


def salesctl(*args) -> list[str]:
    return [PY, "-m", "salesctl", *args]


def run_once(cmd: list[str], env: dict, setup=None) -> float:
    """Wall time (seconds) of one run of `cmd` in a fresh process; setup() runs untimed first."""
    if setup:
        setup()
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd[:4])} exited {done.returncode}: {done.stderr.decode()[-500:]}"
        )
    return elapsed


def timed(cmd: list[str], env: dict, runs: int, setup=None) -> float:
    """Median wall time (seconds) of `cmd` in a fresh process, after one warm-up."""
    return statistics.median([run_once(cmd, env, setup) for _ in range(runs + 1)][1:])


def timed_pair(
    cmd: list[str], env: dict, base_cmd: list[str], base_env: dict, runs: int, setup=None
) -> tuple[float, float]:
    """Medians of a command and its baseline, run alternately so both see the same machine load."""
    pairs = [
        (run_once(cmd, env, setup), run_once(base_cmd, base_env, setup)) for _ in range(runs + 1)
    ][1:]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def peak_mib(cmd: list[str], env: dict, runs: int = 3, setup=None) -> float:
    """Median over a few runs of the command's peak resident memory, in MiB."""
    peaks = []
    for _ in range(runs):
        if setup:
            setup()
        out = subprocess.run(
            [PY, "-c", MEMORY_WRAPPER, *cmd], env=env, capture_output=True, text=True, check=True
        )
        peaks.append(int(out.stdout.strip()) / 1024)
    return statistics.median(peaks)


def available(*command: str) -> bool:
    """Whether this salesctl has the command (other issues add commands as they land)."""
    done = subprocess.run(
        salesctl(*command, "--help"), env=env_for(DATA / "absent.db"), capture_output=True
    )
    return done.returncode == 0


def build(runs_import_rows: int) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for label, n in SIZES.items():
        db = DATA / f"{label}.db"
        if not db.exists():
            print(f"building {db.name} ({n} leads)…", file=sys.stderr, flush=True)
            subprocess.run(
                [PY, "-m", "benchmarks.generate", str(n), str(db)],
                env=env_for(),
                check=True,
                cwd=ROOT,
            )
    csv_path = DATA / f"leads-{runs_import_rows}.csv"
    if not csv_path.exists():
        subprocess.run(
            [PY, "-m", "benchmarks.generate", "--csv", str(runs_import_rows), str(csv_path)],
            env=env_for(),
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )


def sample_lead(db: Path) -> int:
    """An open lead of the benchmark rep with a typical timeline (the newest such lead with ≥8 activities)."""
    conn = sqlite3.connect(db)
    row = conn.execute(
        "SELECT l.id FROM leads l JOIN reps r ON r.id = l.owner_id WHERE r.name = 'Alice'"
        " AND l.stage NOT IN ('won', 'lost')"
        " AND (SELECT count(*) FROM activities a WHERE a.lead_id = l.id) >= 8 ORDER BY l.id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    return row[0]


class Report:
    def __init__(self):
        self.rows: list[dict] = []

    def figure(
        self,
        name: str,
        value: float | None,
        base: float | None,
        base_name: str,
        goal: float | None,
        unit: str = "ms",
        note: str = "",
    ) -> None:
        ratio = value / base if value is not None and base else None
        verdict = "" if goal is None or ratio is None else ("PASS" if ratio <= goal else "FAIL")
        self.rows.append(
            {
                "name": name,
                "value": value,
                "unit": unit,
                "baseline": base_name,
                "base": base,
                "ratio": ratio,
                "goal": goal,
                "verdict": verdict,
                "note": note,
            }
        )
        shown = (
            "-"
            if value is None
            else (f"{value * 1000:.0f} ms" if unit == "ms" else f"{value:.1f} MiB")
        )
        base_shown = (
            "" if base is None else (f"{base * 1000:.0f} ms" if unit == "ms" else f"{base:.1f} MiB")
        )
        ratio_shown = "" if ratio is None else f"{ratio:.2f}× of"
        goal_shown = "" if goal is None else f"≤ {goal:g}×"
        print(
            f"{name:<48} {shown:>9}  {ratio_shown:>10} {base_name:<26} {base_shown:>9}  {goal_shown:>7}  "
            f"{verdict or note}",
            flush=True,
        )

    def skipped(self, name: str, why: str) -> None:
        self.rows.append({"name": name, "verdict": "SKIP", "note": why})
        print(f"{name:<48} skipped ({why})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Time salesctl commands; print ratios and PASS/FAIL per goal."
    )
    parser.add_argument(
        "--quick", action="store_true", help="5 runs per figure and a 10k-row import file"
    )
    parser.add_argument("--runs", type=int, help="timed runs per figure (at least 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    os.chdir(
        ROOT
    )  # `python -m salesctl` imports from the working directory first: make it this checkout
    # pip compiles an installed package; a checkout may have stale or no bytecode (PYTHONDONTWRITEBYTECODE).
    subprocess.run(
        [PY, "-m", "compileall", "-q", str(ROOT / "salesctl")],
        env=env_for(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    runs = max(5, args.runs or (5 if args.quick else 7))
    import_rows = 10_000 if args.quick else 100_000
    build(import_rows)
    dbs = {label: DATA / f"{label}.db" for label in SIZES}
    report = Report()
    print(
        f"salesctl benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()}, "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · median of {runs} runs after a warm-up\n"
    )

    floor_cmd = [PY, "-c", "import sqlite3"]
    floor = timed(floor_cmd, env_for(), runs)
    report.figure("interpreter floor: python -c 'import sqlite3'", floor, floor, "floor", None)
    help_time, floor_now = timed_pair(
        salesctl("--help"), env_for(dbs["10k"]), floor_cmd, env_for(), runs
    )
    report.figure("salesctl --help", help_time, floor_now, "floor", None)

    # Daily commands on 10k (against the floor, run alternately), then on 100k against the 10k time.
    daily = [
        (
            "today --rep R --format json",
            ["today", "--rep", "Alice", "--format", "json"],
            ("today",),
            5.0,
        ),
        ("today --rep R (table)", ["today", "--rep", "Alice"], ("today",), None),
        (
            "stalled --rep R --format json",
            ["stalled", "--rep", "Alice", "--format", "json"],
            ("stalled",),
            None,
        ),
        # --team: every rep's open leads, as this figure measured before `lead list` defaulted to yours.
        (
            "lead list --team --limit 50 --format json",
            ["lead", "list", "--team", "--limit", "50", "--format", "json"],
            ("lead", "list"),
            None,
        ),
        (
            "lead show ID --format json",
            ["lead", "show", "{lead}", "--format", "json"],
            ("lead", "show"),
            None,
        ),
    ]
    aggregates = [
        (
            "report --week --team --format json",
            ["report", "--week", "--team", "--format", "json"],
            ("report",),
        ),
        ("funnel --team --format json", ["funnel", "--team", "--format", "json"], ("funnel",)),
        ("rhythm --team --format json", ["rhythm", "--team", "--format", "json"], ("rhythm",)),
        (
            "funnel --compare quarter --format json",
            ["funnel", "--compare", "quarter", "--format", "json"],
            ("funnel",),
        ),
    ]
    leads = {label: sample_lead(db) for label, db in dbs.items()}
    at_10k: dict[str, float] = {}
    for name, argv, command, floor_goal in daily + [(n, a, c, None) for n, a, c in aggregates]:
        if not available(*command):
            report.skipped(name, "command missing")
            continue
        cmds = {
            label: salesctl(*[a.replace("{lead}", str(leads[label])) for a in argv])
            for label in dbs
        }
        t10, base = timed_pair(cmds["10k"], env_for(dbs["10k"]), floor_cmd, env_for(), runs)
        at_10k[name] = t10
        report.figure(f"{name} · 10k", t10, base, "floor", floor_goal)
        t100, t10_again = timed_pair(
            cmds["100k"], env_for(dbs["100k"]), cmds["10k"], env_for(dbs["10k"]), runs
        )
        goal = 2.0 if any(name == n for n, _, _ in aggregates) else 1.3
        report.figure(f"{name} · 100k", t100, t10_again, "its 10k time", goal)

    # "The table output close to" the JSON one: both forms of `today` on 10k, alternately.
    if "today --rep R (table)" in at_10k:
        t_table, t_json = timed_pair(
            salesctl("today", "--rep", "Alice"),
            env_for(dbs["10k"]),
            salesctl("today", "--rep", "Alice", "--format", "json"),
            env_for(dbs["10k"]),
            runs,
        )
        report.figure(
            "today --rep R (table) vs --format json · 10k",
            t_table,
            t_json,
            "today --format json",
            1.2,
        )

    # Taskwarrior's daily list over 10k pending tasks, beside `today` on 10k leads.
    if "today --rep R (table)" in at_10k:
        task = shutil.which("task")
        if task is None:
            report.skipped(
                "task next (Taskwarrior, 10k pending)",
                "task not installed: apt-get install taskwarrior",
            )
        else:
            with tempfile.TemporaryDirectory() as tmp:
                task_env = taskwarrior_data(Path(tmp), 10_000)
                t_task, base = timed_pair([task, "next"], task_env, floor_cmd, env_for(), runs)
                report.figure("task next (Taskwarrior, 10k pending)", t_task, base, "floor", None)
                for name in ("today --rep R (table)", "today --rep R --format json"):
                    argv = ["today", "--rep", "Alice"] + (
                        ["--format", "json"] if "json" in name else []
                    )
                    t, t_task = timed_pair(
                        salesctl(*argv), env_for(dbs["10k"]), [task, "next"], task_env, runs
                    )
                    report.figure(f"{name} · 10k vs task next", t, t_task, "task next", 0.5)

    # Import: the same CSV file into an empty database, against sqlite-utils insert.
    csv_path = DATA / f"leads-{import_rows}.csv"
    sqlite_utils = shutil.which("sqlite-utils", path=str(Path(PY).parent)) or shutil.which(
        "sqlite-utils"
    )
    if not available("import"):
        report.skipped(f"import {import_rows} rows", "command missing")
    elif not sqlite_utils:
        report.skipped(f"import {import_rows} rows", "no sqlite-utils: pip install -e '.[bench]'")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "import.db"

            def fresh() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(target) + suffix).unlink(missing_ok=True)

            t, base = timed_pair(
                salesctl("import", str(csv_path)),
                env_for(target),
                [sqlite_utils, "insert", str(target), "leads", str(csv_path), "--csv"],
                env_for(),
                runs,
                setup=fresh,
            )
            report.figure(
                f"import {import_rows} rows (CSV)", t, base, "sqlite-utils insert --csv", 2.0
            )

    # Memory.
    if available("today"):
        mem = peak_mib(
            salesctl("today", "--rep", "Alice", "--format", "json"), env_for(dbs["100k"])
        )
        report.figure(
            "peak memory: today --format json · 100k",
            mem,
            None,
            "",
            None,
            unit="MiB",
            note="PASS (≤ 60 MiB)" if mem <= 60 else "FAIL (> 60 MiB)",
        )
        report.rows[-1]["verdict"] = "PASS" if mem <= 60 else "FAIL"
    if not available("export"):
        report.skipped("peak memory: export --format csv", "command missing")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "export.csv"
            for what in ("leads", "activities"):
                mems = {
                    label: peak_mib(
                        salesctl("export", what, "--format", "csv", "--out", str(out)),
                        env_for(db),
                        setup=lambda: out.unlink(missing_ok=True),
                    )
                    for label, db in dbs.items()
                }
                report.figure(
                    f"peak memory: export {what} --format csv · 10k",
                    mems["10k"],
                    None,
                    "",
                    None,
                    unit="MiB",
                )
                report.figure(
                    f"peak memory: export {what} --format csv · 100k",
                    mems["100k"],
                    mems["10k"],
                    "its 10k peak",
                    1.25,
                    unit="MiB",
                )

    verdicts = [r["verdict"] for r in report.rows if r.get("verdict") in ("PASS", "FAIL")]
    print(
        f"\n{verdicts.count('PASS')} goals pass, {verdicts.count('FAIL')} fail, "
        f"{sum(1 for r in report.rows if r.get('verdict') == 'SKIP')} skipped"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "cores": os.cpu_count(),
                    "runs": runs,
                    "figures": report.rows,
                },
                indent=1,
            )
        )
    return 1 if "FAIL" in verdicts else 0


def taskwarrior_data(folder: Path, n: int) -> dict:
    """A private TASKDATA with n pending tasks, loaded with `task import`; returns the environment to use it."""
    import random
    import uuid

    rng = random.Random(3)
    rc = folder / "taskrc"
    data = folder / "data"
    data.mkdir()
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nnews.version=2.6.0\n")
    tasks = [
        {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
            "status": "pending",
            "entry": "20261101T090000Z",
            "description": f"follow up lead {i}: {rng.choice(['send quote', 'call back', 'demo'])}",
            "due": f"202611{rng.randint(10, 30):02d}T090000Z",
            "project": f"rep{i % 20}",
            "priority": rng.choice(["H", "M", "L"]),
        }
        for i in range(n)
    ]
    (folder / "tasks.json").write_text(json.dumps(tasks))
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    subprocess.run(
        ["task", "rc.confirmation=off", "import", str(folder / "tasks.json")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return env


if __name__ == "__main__":
    sys.exit(main())
