"""Start-up import weight: what `python -X importtime -m salesctl ARGS` imports, median of N fresh runs.

    python benchmarks/bench_startup_imports.py --db demo.db [-n 11] [--tree DIR …]

For each command it prints the median total import time (the sum of the top-level `cumulative`
figures of -X importtime, in ms), the median of salesctl's own modules' `self` time, how many modules
load, and the median wall and CPU time of the run. -X importtime does not time modules loaded through
importlib.import_module (the command module that cli.py registers), only what they import in turn.
With several --tree (checkouts, e.g. one made by `git archive` of an earlier commit), each run takes
the trees in turn (ABAB…), so that the machine's load falls on all of them alike. docs/speed.md
("Start-up import weight") keeps the latest figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

COMMANDS = (("today", "--format", "json"), ("--help",), ("lead", "list", "--format", "json"))


def weigh(args: tuple[str, ...], db: str, tree: str) -> tuple[float, float, int, float, float]:
    """One fresh run: (total import ms, salesctl's own modules' self ms, modules imported, wall ms,
    CPU ms). The CPU time (user + system) moves least when other jobs load the machine."""
    env = {**os.environ, "SALESCTL_DB": db, "SALESCTL_NOW": "2026-11-26T10:00:00"}
    start, cpu = time.perf_counter(), _children_cpu()
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "salesctl", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,  # `-m salesctl` finds the tree's salesctl first
        check=False,
    )
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    total = own = 0.0
    count = 0
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        count += 1
        if not name[1:].startswith(" "):  # top level: its cumulative time holds its children's
            total += int(cumulative_us)
        if name.strip().startswith("salesctl"):
            own += int(self_us)
    return total / 1000, own / 1000, count, wall * 1000, cpu * 1000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database made by `salesctl demo --db FILE`")
    parser.add_argument("-n", type=int, default=11, help="runs per command (default 11)")
    parser.add_argument("--tree", action="append", help="a source tree to run (default: .)")
    options = parser.parse_args()
    trees = [os.path.abspath(t) for t in options.tree or ["."]]
    db = os.path.abspath(options.db)
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", "salesctl"], cwd=tree, check=True)
    for args in COMMANDS:
        runs: dict[str, list] = {tree: [] for tree in trees}
        for tree in trees:
            weigh(args, db, tree)  # warm-up
        for _ in range(options.n):
            for tree in trees:
                runs[tree].append(weigh(args, db, tree))
        for tree in trees:
            total, own, count, wall, cpu = (
                statistics.median(r[i] for r in runs[tree]) for i in range(5)
            )
            print(
                f"salesctl {' '.join(args):<28} imports {total:6.1f} ms "
                f"(salesctl's own {own:5.1f} ms), {count:.0f} modules; wall {wall:6.1f} ms, "
                f"CPU {cpu:6.1f} ms" + (f"  [{tree}]" if len(trees) > 1 else "")
            )


if __name__ == "__main__":
    main()
