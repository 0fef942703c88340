"""What the report's pictures cost: the report document with its trends, rhythm and funnel against the
same report without them (docs/speed.md, The report's pictures).

    python -m benchmarks.bench_report_sections [RUNS]     # default 7; builds benchmarks/data/ first

There is no command for "the report without its trends", so this one times `figures.report` in one
process (store open, caches warm after one run), as `report --week --team` builds it, once whole and
once with the three sections replaced by empty ones; the median of RUNS each, alternately, at 10k and
at 100k leads. Goal: with ≤ 1.5× without. (In one process the fixed start-up cost is left out, so the
100k / 10k ratio printed last is steeper than the whole-process one benchmarks/run.py holds to ≤ 2×.)
"""

from __future__ import annotations

import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

from benchmarks.run import DATA, SIZES, build
from salesctl import figures
from salesctl.dates import start_of_day
from salesctl.model import Settings
from salesctl.store import Store

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
SECTIONS = ("_trends", "_rhythm", "report_funnel")


@contextmanager
def without_pictures():
    with mock.patch.multiple(figures, **{name: lambda *a, **k: {} for name in SECTIONS}):
        yield


def report(store: Store, settings: Settings) -> dict:
    # The last whole Monday–Sunday, as `report --week` takes it.
    monday = start_of_day(NOW.date() - timedelta(days=NOW.weekday() + 7), UTC)
    return figures.report(
        store,
        settings,
        since=monday,
        until=monday + timedelta(days=7),
        now=NOW,
        tz=UTC,
        rep_id=None,
    )


def seconds(store: Store, settings: Settings, bare: bool) -> float:
    start = time.perf_counter()
    if bare:
        with without_pictures():
            report(store, settings)
    else:
        report(store, settings)
    return time.perf_counter() - start


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    build(10_000)
    medians: dict[tuple[str, bool], float] = {}
    for label in SIZES:
        store = Store(DATA / f"{label}.db")
        settings = Settings.from_rows(store.settings_rows())
        report(store, settings)  # warm the page cache
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(runs):
            for bare in (False, True):
                times[bare].append(seconds(store, settings, bare))
        for bare, seen in times.items():
            medians[label, bare] = statistics.median(seen)
        store.close()
        whole, bare = medians[label, False], medians[label, True]
        print(
            f"{label}: report {whole * 1000:.0f} ms, without trends/rhythm/funnel {bare * 1000:.0f} ms"
            f" → {whole / bare:.2f}× (goal ≤ 1.5×)"
        )
    for bare in (False, True):
        what = "without the pictures" if bare else "whole"
        ratio = medians["100k", bare] / medians["10k", bare]
        print(f"report {what}, in process: 100k / 10k = {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
