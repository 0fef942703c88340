"""The suite stands on its own: the real data set comes through one variable, and CI never skips it quietly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA_TEST = "tests/test_io.py::test_real_crm_data_imports_with_the_right_figures"


def pytest_run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """pytest in a fresh interpreter, as .ci/run starts it, with the given environment changes."""
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "SALESCTL_REAL_DATA")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


@pytest.mark.slow
def test_a_missing_data_set_fails_in_ci_and_skips_elsewhere(tmp_path):
    missing = str(tmp_path / "no-such-folder")
    in_ci = pytest_run(REAL_DATA_TEST, CI="true", SALESCTL_REAL_DATA=missing)
    assert in_ci.returncode == 1, in_ci.stdout
    assert "the real CRM data set is missing in CI" in in_ci.stdout and missing in in_ci.stdout

    unset_in_ci = pytest_run(REAL_DATA_TEST, CI="true")
    assert unset_in_ci.returncode == 1 and "SALESCTL_REAL_DATA is not set" in unset_in_ci.stdout

    at_home = pytest_run(REAL_DATA_TEST, "-rs", SALESCTL_REAL_DATA=missing)
    assert at_home.returncode == 0, at_home.stdout
    assert "SKIPPED" in at_home.stdout and "the real CRM data set is not here" in at_home.stdout


def test_only_ci_run_names_the_folder_outside_the_repository():
    """A user's clone has no shared folder beside it: nothing in the repository may depend on it but .ci/run."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    folder = re.compile(
        r"\.\./" + "shared" + r"\b|\b" + "shared" + "/data"
    )  # split: this file names neither
    naming = [
        path
        for path in tracked
        if (ROOT / path).is_file()
        and not path.endswith((".db", ".png"))
        and folder.search((ROOT / path).read_text(encoding="utf-8", errors="replace"))
    ]
    assert naming == [".ci/run"], naming
