"""Check that the reliability tests bite: remove one protection at a time from the source, run the test
that guards it, restore the file, and report CAUGHT or MISSED. Not collected by pytest (a tool).

    python tests/break_protections.py            # every protection (about a minute)
    python tests/break_protections.py CSV        # only those whose name contains CSV
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTANTS = [
    ("no transaction (write() autocommits)", "salesctl/store.py",
     '''        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")''', '''        try:
            yield self.conn''', "tests/test_crash.py"),
    ("BEGIN instead of BEGIN IMMEDIATE", "salesctl/store.py", 'self.conn.execute("BEGIN IMMEDIATE")', 'self.conn.execute("BEGIN")', "tests/test_concurrency.py"),
    ("no reminder claim", "salesctl/store.py", "        return cursor.rowcount == 1\n", "        return True\n", "tests/test_concurrency.py"),
    ("no disk I/O message", "salesctl/store.py", 'if code.startswith("SQLITE_IOERR") or "disk I/O error" in text:', "if False:", "tests/test_disk_full.py"),
    ("no read-only message", "salesctl/store.py", 'if "readonly" in text or "read-only" in text:', "if False:", "tests/test_files.py"),
    ("no newer-schema check", "salesctl/store.py", "        if version > SCHEMA_VERSION:", "        if False:", "tests/test_files.py"),
    ("db created 0644", "salesctl/store.py", "os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)", "os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)", "tests/test_security.py"),
    ("db folder parents not private", "salesctl/store.py", "        folder.mkdir(mode=0o700, exist_ok=True)", "        folder.mkdir(exist_ok=True)", "tests/test_security.py"),
    ("export created 0644", "salesctl/files.py", "            os.fchmod(fd, 0o600)", "            os.fchmod(fd, 0o644)", "tests/test_security.py"),
    ("no CSV guard", "salesctl/render.py", """    return "'" + text if text.startswith(_FORMULA_START) else text""", "    return text", "tests/test_security.py"),
    ("no one_line in headers", "salesctl/mail.py", '''        return Address(display_name=one_line(name) if name else "",''', '''        return Address(display_name=name if name else "",''', "tests/test_security.py"),
    ("string-built SQL", "salesctl/store.py", '''        return self.one("SELECT id, name, email, active FROM reps WHERE name = ?", (name,))''', '''        return self.one(f"SELECT id, name, email, active FROM reps WHERE name = '{name}'")''', "tests/test_security.py"),
    ("control characters allowed in names", "salesctl/model.py", "    bad = _first_control(text)\n", "    bad = None\n", "tests/test_bad_input.py"),
    ("--sort not checked", "salesctl/commands/leads.py", "    if sort_key not in store.LEAD_SORTS:", "    if False:", "tests/test_bad_input.py"),
    ("migrations committed one by one", "salesctl/store.py",
     """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)""", """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)
                self.conn.execute("COMMIT")
                self.conn.execute("BEGIN IMMEDIATE")""", "tests/test_files.py"),
    ("reminder claims stamped with the pinned now", "salesctl/store.py",
     "        return datetime.now(UTC)\n",
     "        return datetime.fromisoformat(os.environ['SALESCTL_NOW']).replace(tzinfo=UTC)\n",
     "tests/test_remind.py"),
    ("reminder claim not refreshed while sending", "salesctl/commands/mail.py",
     "                    store.refresh_reminder(rep_id, day)", "                    pass", "tests/test_remind.py"),
    ("encoded words kept in mail headers", "salesctl/mail.py",
     "    line = _ENCODED_WORD.sub(\"\", _CONTROL.sub(\" \", str(text)))\n    while \"=?\" in line:",
     "    line = _CONTROL.sub(\" \", str(text))\n    while False:", "tests/test_untrusted_text.py"),
    ("email addresses not one addr-spec", "salesctl/model.py",
     "    problem = email_problem(text)\n", "    problem = None if '@' in text else 'is not an email address'\n",
     "tests/test_untrusted_text.py"),
    ("stored addresses not rechecked before sending", "salesctl/mail.py",
     "    if model.email_problem(address.strip()):", "    if '@' not in address:", "tests/test_untrusted_text.py"),
    ("control characters allowed in notes", "salesctl/model.py",
     "    bad = _first_control(value, _NOTE_CONTROL)\n", "    bad = None\n", "tests/test_untrusted_text.py"),
    ("invisible names allowed", "salesctl/model.py", "    if not text.isascii() and not has_visible(text):", "    if False:",
     "tests/test_untrusted_text.py"),
    ("bidi overrides allowed in names", "salesctl/model.py", "    bad = _first_control(text, _BIDI)\n",
     "    bad = None\n", "tests/test_untrusted_text.py"),
    ("$SALESCTL_REP not checked", "salesctl/context.py", "        return check_name(name, field=field)",
     "        return name.strip()", "tests/test_untrusted_text.py"),
    ("error messages echo raw control characters", "salesctl/errors.py",
     "    if text.isprintable():\n        return text", "    if True:\n        return text", "tests/test_untrusted_text.py"),
    ("tables print stored control characters raw", "salesctl/render.py",
     "    return text if text.isprintable() else printable(text.replace(\"\\t\", \" \"), keep_newlines=True)",
     "    return text",
     "tests/test_untrusted_text.py"),
    # Output files (salesctl/files.py) and the database file (docs/reliability.md).
    ("output may overwrite the database", "salesctl/files.py", "    if protect is None:\n        return\n", "    return\n", "tests/test_output_files.py"),
    ("output target looked at through a link", "salesctl/files.py", "        info = os.lstat(path)", "        info = os.stat(path)", "tests/test_output_files.py"),
    ("output onto a device or FIFO", "salesctl/files.py", "    if not stat.S_ISREG(info.st_mode):", "    if False:", "tests/test_output_files.py"),
    ("failed output leaves its temporary file", "salesctl/files.py", "        _unlink(tmp)\n        if isinstance", "        if isinstance", "tests/test_output_files.py"),
    ("stale temporary files kept", "salesctl/files.py", "        if pid.isdigit() and not _alive(int(pid)):", "        if False:", "tests/test_output_files.py"),
    ("backup DIR writes a file named DIR", "salesctl/commands/io.py", '    if path.is_dir():\n        return path / f"salesctl-', '    if False:\n        return path / f"salesctl-', "tests/test_output_files.py"),
    ("backup DIR/ to a missing folder accepted", "salesctl/commands/io.py", '    if dest.endswith(("/", os.sep)) and not path.is_dir():', "    if False:", "tests/test_output_files.py"),
    ("CSV report file without BOM", "salesctl/commands/analytics.py", '("\\ufeff" if fmt is ReportFormat.csv else "")', '""', "tests/test_output_files.py"),
    ("foreign database opened", "salesctl/store.py", "        if foreign:\n            listed", "        if False:\n            listed", "tests/test_db_files.py"),
    ("WAL switch before the file checks", "salesctl/store.py", "            if not memory and self._check_file() and not write:", "            if not memory and (self.allow_writes() or self._check_file()) and not write:", "tests/test_db_files.py"),
    ("reads set up a blank file", "salesctl/store.py", "            if not memory and self._check_file() and not write:", "            if not memory and self._check_file() and False:", "tests/test_db_files.py"),
    ("reads switch the journal to WAL", "salesctl/store.py", "            if write and not memory:\n                self.allow_writes()", "            if not memory:\n                self.allow_writes()", "tests/test_db_files.py"),
    ("non-regular database opened", "salesctl/store.py", "    if not stat.S_ISREG(info.st_mode):\n        raise StoreError(", "    if False:\n        raise StoreError(", "tests/test_db_files.py"),
    ("undecodable schema is an internal error", "salesctl/store.py", "            if isinstance(exc, UnicodeDecodeError):\n                raise corrupt(self.path) from exc\n", "", "tests/test_db_files.py"),
    ("database through a link created 0644", "salesctl/store.py", "    path = Path(os.path.realpath(path))\n    missing = []", "    missing = []", "tests/test_db_files.py"),
    ("undecodable arguments accepted", "salesctl/cli.py", "        _check_text(command, sys.argv[1:] if argv is None else argv)", "        pass", "tests/test_db_files.py"),
    ("--db :memory: accepted", "salesctl/context.py", '    if str(path) == ":memory:":', "    if False:", "tests/test_db_files.py"),
    ("--limit beyond SQLite integers", "salesctl/commands/__init__.py", "    if limit is not None and limit > MAX_LIMIT:", "    if False:", "tests/test_db_files.py"),
    ("search words not capped", "salesctl/commands/io.py", "    if len(words) > MAX_SEARCH_WORDS:", "    if False:", "tests/test_db_files.py"),
    ("reopen leaves an inactive owner", "salesctl/pipeline.py", '    if not store.rep(lead["owner"])["active"]:', "    if False:", "tests/test_invariants.py"),
]
only = sys.argv[1:]
for name, path, old, new, test in MUTANTS:
    if only and not any(o in name for o in only):
        continue
    full = os.path.join(ROOT, path)
    original = open(full).read()
    if old not in original:
        print(f"?? {name}: pattern not found")
        continue
    open(full, "w").write(original.replace(old, new, 1))
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT}, timeout=600)
        failed = r.returncode != 0
        first = next((line for line in r.stdout.splitlines() if line.startswith("FAILED")), "")
        print(f"{'CAUGHT ' if failed else 'MISSED '} {name}: {first[:150]}", flush=True)
    finally:
        open(full, "w").write(original)
