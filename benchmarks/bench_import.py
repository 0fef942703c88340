"""Import speed: `salesctl import` of a 100k-row CSV against `sqlite-utils insert DB leads FILE --csv`.

Run: python benchmarks/bench_import.py [ROWS]. Each tool runs in a fresh process on a fresh database,
3 times; the figure is the median, in wall time and in CPU time (user + sys, via RUSAGE_CHILDREN: the
machines are shared and wall time moves with the neighbours' load). Goal: salesctl ≤ 2× sqlite-utils.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_csv(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "name",
                "company",
                "email",
                "phone",
                "value",
                "stage",
                "owner",
                "created_at",
                "tags",
                "source",
            ]
        )
        for i in range(rows):
            w.writerow(
                [
                    f"Lead {i}",
                    f"Company {i % 5000}",
                    f"l{i}@example.com",
                    f"+1 555 {i:07d}",
                    rng.randint(100, 100000),
                    rng.choice(["new", "contacted", "quoted"]),
                    f"rep{i % 20}",
                    f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "a;b",
                    "web",
                ]
            )


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "leads.csv"
        make_csv(data, rows)
        env = {**os.environ, "SALESCTL_REP": "bench"}
        results = {"sqlite-utils": [], "salesctl": []}
        for run in range(3):
            for name in results:
                db = Path(tmp) / f"{name}-{run}.db"
                cmd = (
                    [str(bindir / "sqlite-utils"), "insert", str(db), "leads", str(data), "--csv"]
                    if name == "sqlite-utils"
                    else [sys.executable, "-m", "salesctl", "--db", str(db), "import", str(data)]
                )
                results[name].append(timed(cmd, env))
        base_wall = statistics.median(w for w, _ in results["sqlite-utils"])
        base_cpu = statistics.median(c for _, c in results["sqlite-utils"])
        for name, times in results.items():
            wall, cpu = (
                statistics.median(w for w, _ in times),
                statistics.median(c for _, c in times),
            )
            print(
                f"{name:13} {rows} rows: wall {wall:6.2f} s ({wall / base_wall:.2f}×)   cpu {cpu:6.2f} s ({cpu / base_cpu:.2f}×)"
            )


if __name__ == "__main__":
    main()
