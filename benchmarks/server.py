"""Team mode against the embedded default: the same commands on the same data, PostgreSQL vs SQLite.

    python -m benchmarks.server postgresql://postgres@127.0.0.1:5432            # builds, copies, times
    python -m benchmarks.server postgresql://postgres@127.0.0.1:5432 --quick    # 5 runs per figure

The URL names a server (no database): the run creates `salesctl_bench_10k` and `salesctl_bench_100k`
on it (dropped first if there; C collation, as docs/team.md sets a team database up) and fills each
with `salesctl db copy` from the generated SQLite files of benchmarks/run.py (benchmarks/data/). The
100k copy (100k leads, ~1M activities) is itself a figure. Then each command runs alternately on the
server and on the SQLite file (ABAB…, fresh processes, one warm-up, medians), so both see the same
machine load, and the figure is the ratio. Round trips per command come from the PostgreSQL dialect's
counter ($SALESCTL_ROUND_TRIPS); on a 20 ms network each one costs 20 ms more. docs/speed.md has the
method and the latest numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.run import DATA, PY, ROOT, SIZES, build, env_for, run_once, salesctl

# (label, argv, goal: PostgreSQL time ≤ goal × SQLite time)
COMMANDS = [
    ("today --rep R --format json", ["today", "--rep", "Alice", "--format", "json"], 1.6),
    ("today --rep R (table)", ["today", "--rep", "Alice"], 1.6),
    (
        "lead list --limit 50 --format json",
        ["lead", "list", "--limit", "50", "--format", "json"],
        1.6,
    ),
    (
        "lead list --team --limit 50 --format json",
        ["lead", "list", "--team", "--limit", "50", "--format", "json"],
        1.6,
    ),
    ("report --week --team --format json", ["report", "--week", "--team", "--format", "json"], 2.0),
    ("funnel --team --format json", ["funnel", "--team", "--format", "json"], 2.0),
]
COPY_GOAL_S = 60.0
NETWORK_RTT_S = 0.020
TRIPS = re.compile(r"salesctl: (\d+) round trips")


def admin(server: str, sql: str, database: str = "postgres") -> None:
    import psycopg2

    conn = psycopg2.connect(server.rstrip("/") + "/" + database)
    conn.autocommit = True
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def fresh_database(server: str, name: str) -> str:
    admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(
        server,
        f"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8' ENCODING 'UTF8'",
    )
    return server.rstrip("/") + "/" + name


def server_cpu_s(server: str) -> float | None:
    """CPU seconds the server's processes have used, counting exited backends (the postmaster's
    children time): a figure that does not move with other jobs' load. None for a remote server."""
    import psycopg2

    conn = psycopg2.connect(server.rstrip("/") + "/postgres")
    try:
        cur = conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    finally:
        conn.close()
    try:
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime


def round_trips(argv: list[str], env: dict) -> int:
    done = subprocess.run(
        salesctl(*argv),
        env={**env, "SALESCTL_ROUND_TRIPS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(TRIPS.search(done.stderr).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description="PostgreSQL vs SQLite on the same data.")
    parser.add_argument("server", help="postgresql://USER@HOST:PORT (no database, no password)")
    parser.add_argument("--quick", action="store_true", help="5 runs per figure")
    parser.add_argument("--runs", type=int, help="timed runs per figure (at least 5)")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the server databases of an earlier run"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    os.chdir(ROOT)
    subprocess.run(
        [PY, "-m", "compileall", "-q", str(ROOT / "salesctl")],
        env=env_for(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    runs = max(5, args.runs or (5 if args.quick else 7))
    build(10_000)
    print(
        f"salesctl server benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores"
        f" · median of {runs} runs after a warm-up, PostgreSQL and SQLite alternately\n"
    )
    figures, failed = [], 0
    urls = {}
    for label in SIZES:
        name = f"salesctl_bench_{label}"
        url = args.server.rstrip("/") + "/" + name
        if not args.keep:
            url = fresh_database(args.server, name)
            cpu_before, server_before = os.times(), server_cpu_s(args.server)
            start = time.perf_counter()
            subprocess.run(
                salesctl("db", "copy", str(DATA / f"{label}.db"), url),
                env=env_for(),
                check=True,
                stdout=subprocess.DEVNULL,
            )
            took = time.perf_counter() - start
            cpu_after, server_after = os.times(), server_cpu_s(args.server)
            client_cpu = (cpu_after.children_user + cpu_after.children_system) - (
                cpu_before.children_user + cpu_before.children_system
            )
            server_cpu = (
                server_after - server_before if None not in (server_before, server_after) else None
            )
            verdict = ""
            if label == "100k":
                verdict = "PASS" if took <= COPY_GOAL_S else "FAIL"
                failed += verdict == "FAIL"
            # CPU: salesctl's and the server's; on an idle machine the copy takes at most their sum.
            cpu = f"CPU: salesctl {client_cpu:.1f} s" + (
                f" + server {server_cpu:.1f} s" if server_cpu is not None else ""
            )
            print(
                f"db copy SQLite → PostgreSQL · {label:<5} {took:8.1f} s  ({cpu})"
                + (f"   goal ≤ {COPY_GOAL_S:.0f} s  {verdict}" if verdict else ""),
                flush=True,
            )
            figures.append(
                {
                    "name": f"db copy · {label}",
                    "seconds": took,
                    "client_cpu_s": client_cpu,
                    "server_cpu_s": server_cpu,
                    "verdict": verdict,
                }
            )
            # The steady state, not the minutes after a bulk load: until autovacuum has been through
            # the copied rows it competes for the CPU and index-only scans still visit the table (the
            # report at 100k measured 0.86 s or 1.4 s on the same copy depending on when it ran).
            admin(args.server, "VACUUM (ANALYZE)", name)
        urls[label] = url
    print()
    for label, argv, goal in COMMANDS:
        for size in SIZES:
            pg_env, lite_env = env_for(urls[size]), env_for(DATA / f"{size}.db")
            pairs = [
                (run_once(salesctl(*argv), pg_env), run_once(salesctl(*argv), lite_env))
                for _ in range(runs + 1)
            ][1:]
            pg, lite = (statistics.median(p[i] for p in pairs) for i in (0, 1))
            ratio = pg / lite
            trips = round_trips(argv, pg_env)
            verdict = "PASS" if ratio <= goal else "FAIL"
            failed += verdict == "FAIL"
            print(
                f"{label:<44} {size:>5}  PG {pg * 1000:5.0f} ms  SQLite {lite * 1000:5.0f} ms"
                f"  {ratio:4.2f}× (≤ {goal:g}×) {verdict}  {trips:3d} round trips"
                f" (+{trips * NETWORK_RTT_S * 1000:.0f} ms at 20 ms)",
                flush=True,
            )
            figures.append(
                {
                    "name": f"{label} · {size}",
                    "postgresql_s": pg,
                    "sqlite_s": lite,
                    "ratio": ratio,
                    "goal": goal,
                    "verdict": verdict,
                    "round_trips": trips,
                }
            )
    print(f"\n{sum(1 for f in figures if f['verdict']) - failed} goals pass, {failed} fail")
    if args.json:
        args.json.write_text(
            json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"), "figures": figures})
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
