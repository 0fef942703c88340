"""Every test gets its own database, a pinned clock and zone, and a fixed current rep."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from salesctl.cli import main

# The SMTP server fixtures (smtp_server, tls_cert) for every test module that asks for them.
pytest_plugins = ["smtp_server"]

NOW = "2026-11-26T10:00:00"  # a Thursday


def real_data(name: str) -> Path:
    """A file of the real CRM data set, found only through $SALESCTL_REAL_DATA (the folder; .ci/run sets it).

    The data set's licence is not stated, so it stays outside the repository. Without it the tests that
    need it skip, except in CI (CI=true), where a missing data set fails them: CI must not pass quietly.
    """
    folder = os.environ.get("SALESCTL_REAL_DATA")
    path = Path(folder) / name if folder else None
    if path is not None and path.is_file():
        return path
    why = f"{path} does not exist" if path else "SALESCTL_REAL_DATA is not set"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the real CRM data set is missing in CI: {why}")
    pytest.skip(f"the real CRM data set is not here: {why}")


@pytest.fixture(scope="session")
def crm_pipeline() -> Path:
    """sales_pipeline.csv of the real CRM data set (8,800 deals)."""
    return real_data("sales_pipeline.csv")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    db = tmp_path / "sales.db"
    monkeypatch.setenv("SALESCTL_DB", str(db))
    monkeypatch.setenv("SALESCTL_NOW", NOW)
    monkeypatch.setenv("SALESCTL_REP", "alice")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # English unless a test asks for Chinese (docs/chinese.md, Output): the runner's own locale must not matter.
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "SALESCTL_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("SALESCTL_SMTP_"):
            monkeypatch.delenv(name)
    return db


@pytest.fixture
def db(isolated) -> Path:
    return isolated


@pytest.fixture
def run(capsys):
    """Run salesctl through its real entry point in this process; returns code, stdout, stderr."""

    def run(*args) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def ok(run):
    """Run salesctl and require success; returns parsed JSON when --format json was asked for."""

    def ok(*args):
        result = run(*args)
        assert result.code == 0, f"salesctl {' '.join(map(str, args))} -> {result.code}\n{result.err}"
        return result.json() if "json" in args else result

    return ok


@pytest.fixture
def fails(run, db):
    """Run salesctl, require exit 1 with `Error:` naming each fragment, and the database untouched."""

    def fails(*args, names=(), code=1):
        before = digest(db)
        result = run(*args)
        assert result.code == code, f"expected exit {code}, got {result.code}: {result.out}{result.err}"
        assert result.err.startswith("Error: ") or code == 2, result.err
        assert "Traceback" not in result.err
        for fragment in names:
            assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
        assert digest(db) == before, "the database changed on a failed command"
        return result

    return fails


def mode(path: Path) -> int:
    """A file's permission bits, e.g. 0o600."""
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str | None:
    """Content of a database (main file plus WAL) for byte-for-byte comparisons."""
    if not path.exists():
        return None
    h = hashlib.sha256(path.read_bytes())
    wal = Path(str(path) + "-wal")
    if wal.exists():
        h.update(wal.read_bytes())
    return h.hexdigest()


def salesctl_process(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    """salesctl in a fresh interpreter, as cron or a shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "salesctl", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, **kwargs,
    )
