"""What importing a PostgreSQL driver costs a `postgresql://` run (see docs/team.md, "Driver").

Run: python benchmarks/bench_driver_import.py [RUNS]. Each import runs in a fresh interpreter, RUNS
times (default 15), alternating the drivers so that neighbours' load hits both alike; the figure is the
median wall time of `python -c "import X"` minus that of `python -c "pass"`, plus the CPU time (user +
sys) the same way. SQLite runs never import either (tests/test_startup.py).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

CANDIDATES = {
    "baseline": "pass",
    "psycopg2 (psycopg2-binary)": "import psycopg2, psycopg2.extras, psycopg2.extensions",
    "psycopg 3 (psycopg[binary])": "import psycopg, psycopg.rows",
}


def timed(code: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in CANDIDATES}
    for _ in range(runs):
        for name, code in CANDIDATES.items():
            results[name].append(timed(code))
    base_wall = statistics.median(w for w, _ in results["baseline"])
    base_cpu = statistics.median(c for _, c in results["baseline"])
    for name, samples in results.items():
        if name == "baseline":
            continue
        wall = statistics.median(w for w, _ in samples) - base_wall
        cpu = statistics.median(c for _, c in samples) - base_cpu
        print(
            f"{name:30} import: {wall * 1000:6.1f} ms wall, {cpu * 1000:6.1f} ms CPU (median of {runs})"
        )


if __name__ == "__main__":
    main()
