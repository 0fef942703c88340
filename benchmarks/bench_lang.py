"""What Chinese costs at start-up: `salesctl today --team` and `salesctl --help` in en, zh-Hant and zh-Hans
(docs/chinese.md).

Run: python benchmarks/bench_lang.py [RUNS]. Each language runs RUNS times (default 15), alternating, in
fresh processes on the same demo database; the figure is the median CPU time (user + sys of the child:
the machines are shared, so wall time moves with the neighbours). Goal: zh ≤ en + 5 ms.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def cpu_ms(cmd: list[str], env: dict) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.db"
        env = {
            **os.environ,
            "SALESCTL_NOW": "2026-12-03T09:00",
            "COLUMNS": "100",
            "LANG": "C.UTF-8",
            "SALESCTL_REP": "maya",
        }
        subprocess.run(
            [sys.executable, "-m", "salesctl", "demo", "--db", str(db)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        scenarios = {"today --team": ["today", "--team"], "--help": ["--help"]}
        times = {(name, lang): [] for name in scenarios for lang in ("en", "zh-Hant", "zh-Hans")}
        for _ in range(runs):
            for (name, lang), seen in times.items():
                cmd = [sys.executable, "-m", "salesctl", "--db", str(db), "--lang", lang]
                seen.append(cpu_ms(cmd + scenarios[name], env))
    for (name, lang), seen in times.items():
        en = statistics.median(times[name, "en"])
        median = statistics.median(seen)
        print(f"{lang:8} {name:13} median CPU {median:6.1f} ms ({median - en:+.1f} ms vs en)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
