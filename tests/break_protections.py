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
    ("export created 0644", "salesctl/exporting.py", "os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)", "os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)", "tests/test_security.py"),
    ("no CSV guard", "salesctl/render.py", """    return "'" + text if text.startswith(_FORMULA_START) else text""", "    return text", "tests/test_security.py"),
    ("no one_line in headers", "salesctl/mail.py", '''        return Address(display_name=one_line(name) if name else "",''', '''        return Address(display_name=name if name else "",''', "tests/test_security.py"),
    ("string-built SQL", "salesctl/store.py", '''        return self.one("SELECT id, name, email, active FROM reps WHERE name = ?", (name,))''', '''        return self.one(f"SELECT id, name, email, active FROM reps WHERE name = '{name}'")''', "tests/test_security.py"),
    ("control characters allowed in names", "salesctl/model.py", "    if _CONTROL.search(text):\n        raise Invalid(field, value.encode", "    if False:\n        raise Invalid(field, value.encode", "tests/test_bad_input.py"),
    ("--sort not checked", "salesctl/commands/leads.py", "    if sort_key not in store.LEAD_SORTS:", "    if False:", "tests/test_bad_input.py"),
    ("migrations committed one by one", "salesctl/store.py",
     """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)""", """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)
                self.conn.execute("COMMIT")
                self.conn.execute("BEGIN IMMEDIATE")""", "tests/test_files.py"),
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
