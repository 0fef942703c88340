"""Helpers for the reliability tests: bulk data through the store, logical content of a database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from salesctl import pipeline
from salesctl.model import Settings
from salesctl.store import Store

NOW = "2026-11-26T10:00:00Z"


def bulk_leads(
    db: Path | str, n: int, *, owner: str = "alice", start: int = 0, company: str = "c" * 100
) -> None:
    """Add n leads owned by `owner` in one transaction, the way `add` does (history rows included)."""
    store = Store(db)
    try:
        with store.write():
            rep_id = store.ensure_rep(owner, NOW)
            settings = Settings()
            for i in range(start, start + n):
                fields = {
                    "name": f"lead {i}",
                    "company": company,
                    "currency": "USD",
                    "owner_id": rep_id,
                    "value": 100 * i,
                    "key": 0,
                }
                pipeline.add_lead(
                    store, settings, fields, [], rep_id=rep_id, now=NOW, allow_duplicate=True
                )
    finally:
        store.close()


def rows_of(db: Path | str) -> list[str]:
    """The logical content of a database (an SQL dump), for "unchanged" checks that ignore page layout."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def integrity(db: Path | str) -> str:
    if str(db).startswith("postgresql://"):
        return "ok"  # the server keeps its own pages consistent; rows are counted by the callers
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def count(db: Path | str, sql: str, params: tuple = ()) -> int:
    if str(db).startswith("postgresql://"):
        from conftest import raw_sql

        return raw_sql(db, sql, params)[0][0]
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()
