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
    (
        "no transaction (write() autocommits)",
        "salesctl/store.py",
        """        try:
            self.dialect.begin(self.conn)
        except self.dialect.Error as exc:
            raise self.dialect.storage_error(self.path, exc) from exc
        try:""",
        """        try:
            self.conn.commit()""",
        "tests/test_crash.py",
    ),
    (
        "BEGIN instead of BEGIN IMMEDIATE",
        "salesctl/dialects/sqlite.py",
        'conn.execute("BEGIN IMMEDIATE")',
        'conn.execute("BEGIN")',
        "tests/test_concurrency.py",
    ),
    (
        "no reminder claim",
        "salesctl/store.py",
        """            (rep_id, day, self._claim_stamp(now), self._claim_stamp(now - stale_after)),
        )
        return cursor.rowcount == 1""",
        """            (rep_id, day, self._claim_stamp(now), self._claim_stamp(now - stale_after)),
        )
        return True""",
        "tests/test_concurrency.py",
    ),
    (
        "no disk I/O message",
        "salesctl/dialects/sqlite.py",
        'if code.startswith("SQLITE_IOERR") or "disk I/O error" in text:',
        "if False:",
        "tests/test_disk_full.py",
    ),
    (
        "no read-only message",
        "salesctl/dialects/sqlite.py",
        'if "readonly" in text or "read-only" in text:',
        "if False:",
        "tests/test_files.py",
    ),
    (
        "no newer-schema check",
        "salesctl/store.py",
        "        if version > SCHEMA_VERSION:",
        "        if False:",
        "tests/test_files.py",
    ),
    (
        "db created 0644",
        "salesctl/store.py",
        "os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)",
        "os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)",
        "tests/test_security.py",
    ),
    (
        "db folder parents not private",
        "salesctl/store.py",
        "        folder.mkdir(mode=0o700, exist_ok=True)",
        "        folder.mkdir(exist_ok=True)",
        "tests/test_security.py",
    ),
    (
        "export created 0644",
        "salesctl/files.py",
        "            os.fchmod(fd, 0o600)",
        "            os.fchmod(fd, 0o644)",
        "tests/test_security.py",
    ),
    (
        "no CSV guard",
        "salesctl/render.py",
        """    return "'" + text if text.startswith(_FORMULA_START) else text""",
        "    return text",
        "tests/test_security.py",
    ),
    (
        "no one_line in headers",
        "salesctl/mail.py",
        """        return Address(display_name=one_line(name) if name else "",""",
        """        return Address(display_name=name if name else "",""",
        "tests/test_security.py",
    ),
    (
        "string-built SQL",
        "salesctl/store.py",
        """        return self.one("SELECT id, name, email, active, lang FROM reps WHERE name = ?", (name,))""",
        """        return self.one(f"SELECT id, name, email, active, lang FROM reps WHERE name = '{name}'")""",
        "tests/test_security.py",
    ),
    (
        "control characters allowed in names",
        "salesctl/model.py",
        "    bad = _first_control(text)\n",
        "    bad = None\n",
        "tests/test_bad_input.py",
    ),
    (
        "--sort not checked",
        "salesctl/commands/leads.py",
        "    if sort_key not in store.LEAD_SORTS:",
        "    if False:",
        "tests/test_bad_input.py",
    ),
    (
        "migrations committed one by one",
        "salesctl/store.py",
        """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)""",
        """            for _name, migrate in MIGRATIONS[version:]:
                migrate(self.conn)
                self.conn.execute("COMMIT")
                self.conn.execute("BEGIN IMMEDIATE")""",
        "tests/test_files.py",
    ),
    (
        "reminder claims stamped with the pinned now",
        "salesctl/store.py",
        "        return datetime.now(UTC)\n",
        "        return datetime.fromisoformat(os.environ['SALESCTL_NOW']).replace(tzinfo=UTC)\n",
        "tests/test_remind.py",
    ),
    (
        "reminder claim not refreshed while sending",
        "salesctl/mail.py",
        "                    store.refresh_reminder(rep_id, day)",
        "                    pass",
        "tests/test_remind.py",
    ),
    (
        "encoded words kept in mail headers",
        "salesctl/mail.py",
        '    line = _ENCODED_WORD.sub("", _CONTROL.sub(" ", str(text)))\n    while "=?" in line:',
        '    line = _CONTROL.sub(" ", str(text))\n    while False:',
        "tests/test_untrusted_text.py",
    ),
    (
        "email addresses not one addr-spec",
        "salesctl/model.py",
        "    problem = email_problem(text)\n",
        "    problem = None if '@' in text else 'is not an email address'\n",
        "tests/test_untrusted_text.py",
    ),
    (
        "stored addresses not rechecked before sending",
        "salesctl/mail.py",
        "    if model.email_problem(address.strip()):",
        "    if '@' not in address:",
        "tests/test_untrusted_text.py",
    ),
    (
        "control characters allowed in notes",
        "salesctl/model.py",
        "    bad = _first_control(value, _NOTE_CONTROL)\n",
        "    bad = None\n",
        "tests/test_untrusted_text.py",
    ),
    (
        "invisible names allowed",
        "salesctl/model.py",
        "    if not text.isascii() and not has_visible(text):",
        "    if False:",
        "tests/test_untrusted_text.py",
    ),
    (
        "bidi overrides allowed in names",
        "salesctl/model.py",
        "    bad = _first_control(text, _BIDI)\n",
        "    bad = None\n",
        "tests/test_untrusted_text.py",
    ),
    (
        "$SALESCTL_REP not checked",
        "salesctl/context.py",
        "        return check_name(name, field=field)",
        "        return name.strip()",
        "tests/test_untrusted_text.py",
    ),
    (
        "error messages echo raw control characters",
        "salesctl/errors.py",
        "    if text.isprintable():\n        return text",
        "    if True:\n        return text",
        "tests/test_untrusted_text.py",
    ),
    (
        "tables print stored control characters raw",
        "salesctl/render.py",
        '    return text if text.isprintable() else printable(text.replace("\\t", " "), keep_newlines=True)',
        "    return text",
        "tests/test_untrusted_text.py",
    ),
    # Output files (salesctl/files.py) and the database file (docs/reliability.md).
    (
        "output may overwrite the database",
        "salesctl/files.py",
        "    if protect is None:\n        return\n",
        "    return\n",
        "tests/test_output_files.py",
    ),
    (
        "output target looked at through a link",
        "salesctl/files.py",
        "        info = os.lstat(path)",
        "        info = os.stat(path)",
        "tests/test_output_files.py",
    ),
    (
        "output onto a device or FIFO",
        "salesctl/files.py",
        "    if not stat.S_ISREG(info.st_mode):",
        "    if False:",
        "tests/test_output_files.py",
    ),
    (
        "failed output leaves its temporary file",
        "salesctl/files.py",
        "        _unlink(tmp)\n        if isinstance",
        "        if isinstance",
        "tests/test_output_files.py",
    ),
    (
        "stale temporary files kept",
        "salesctl/files.py",
        "        if pid.isdigit() and not _alive(int(pid)):",
        "        if False:",
        "tests/test_output_files.py",
    ),
    (
        "backup DIR writes a file named DIR",
        "salesctl/commands/io.py",
        '    if path.is_dir():\n        return path / f"salesctl-',
        '    if False:\n        return path / f"salesctl-',
        "tests/test_output_files.py",
    ),
    (
        "backup DIR/ to a missing folder accepted",
        "salesctl/commands/io.py",
        '    if dest.endswith(("/", os.sep)) and not path.is_dir():',
        "    if False:",
        "tests/test_output_files.py",
    ),
    (
        "CSV report file without BOM",
        "salesctl/commands/analytics.py",
        '("\\ufeff" if fmt is ReportFormat.csv else "")',
        '""',
        "tests/test_output_files.py",
    ),
    (
        "foreign database opened",
        "salesctl/store.py",
        "        if foreign:\n            listed",
        "        if False:\n            listed",
        "tests/test_db_files.py",
    ),
    (
        "WAL switch before the file checks",
        "salesctl/store.py",
        "            if path is not None and self._check_file() and not write:",
        "            if path is not None and (self.allow_writes() or self._check_file()) and not write:",
        "tests/test_db_files.py",
    ),
    (
        "reads set up a blank file",
        "salesctl/store.py",
        "            if path is not None and self._check_file() and not write:",
        "            if path is not None and self._check_file() and False:",
        "tests/test_db_files.py",
    ),
    (
        "reads switch the journal to WAL",
        "salesctl/store.py",
        "            if write and path is not None:\n                self.allow_writes()",
        "            if path is not None:\n                self.allow_writes()",
        "tests/test_db_files.py",
    ),
    (
        "non-regular database opened",
        "salesctl/store.py",
        "    if not stat.S_ISREG(info.st_mode):\n        raise StoreError(",
        "    if False:\n        raise StoreError(",
        "tests/test_db_files.py",
    ),
    (
        "undecodable schema is an internal error",
        "salesctl/store.py",
        "        if isinstance(exc, UnicodeDecodeError):\n            raise corrupt(self.path) from exc\n",
        "",
        "tests/test_db_files.py",
    ),
    (
        "database through a link created 0644",
        "salesctl/store.py",
        "    path = Path(os.path.realpath(path))\n    missing = []",
        "    missing = []",
        "tests/test_db_files.py",
    ),
    (
        "undecodable arguments accepted",
        "salesctl/cli.py",
        "        _check_text(command, sys.argv[1:] if argv is None else argv)",
        "        pass",
        "tests/test_db_files.py",
    ),
    (
        "--db :memory: accepted",
        "salesctl/context.py",
        '    if str(path) == ":memory:":',
        "    if False:",
        "tests/test_db_files.py",
    ),
    (
        "--limit beyond SQLite integers",
        "salesctl/commands/__init__.py",
        "    if limit is not None and limit > MAX_LIMIT:",
        "    if False:",
        "tests/test_db_files.py",
    ),
    (
        "search words not capped",
        "salesctl/commands/io.py",
        "    if len(words) > MAX_SEARCH_WORDS:",
        "    if False:",
        "tests/test_db_files.py",
    ),
    (
        "reopen leaves an inactive owner",
        "salesctl/pipeline.py",
        '    if lead["owner"] is None or not store.rep(lead["owner"])["active"]:',
        "    if False:",
        "tests/test_invariants.py",
    ),
    # Data safety (docs/data-safety.md)
    (
        "funnel GROUP BY the alias 'stage'",
        "salesctl/store.py",
        "\" GROUP BY l.lost_stage, coalesce(l.lost_reason, 'other')\",",
        '" GROUP BY stage, reason",',
        "tests/test_data_safety.py::test_funnel_counts_each_loss_at_the_stage_it_was_lost_at",
    ),
    (
        "money sums in 64 bits",
        "salesctl/store.py",
        "    \"printf('%d:%d', coalesce(sum((X) / 1000000000), 0), coalesce(sum((X) % 1000000000), 0))\"",
        "    \"printf('0:%d', coalesce(sum(X), 0))\"",
        "tests/test_data_safety.py::test_totals_past_64_bits_are_exact_not_a_database_error",
    ),
    (
        "export all not one snapshot",
        "salesctl/exporting.py",
        "as stream, store.snapshot():",
        "as stream:",
        "tests/test_data_safety.py::test_export_all_is_one_snapshot_while_others_write",
    ),
    (
        "settings not re-read under the write lock",
        "salesctl/context.py",
        '            self._forget("settings")\n            yield store',
        "            yield store",
        "tests/test_data_safety.py::test_settings_read_before_the_lock_are_read_again_under_it",
    ),
    (
        "changes before the lead's creation",
        "salesctl/commands/activity.py",
        '    if at < lead["created_at"]:',
        "    if False:",
        "tests/test_data_safety.py::test_a_change_dated_before_the_lead_was_created_is_refused_in_local_time",
    ),
    (
        "import of a lead created in the future",
        "salesctl/importing.py",
        "        if created > self.now_db:",
        "        if False:",
        "tests/test_data_safety.py::test_an_import_refuses_a_lead_created_in_the_future_in_local_time",
    ),
    (
        "import gives open leads to a deactivated rep",
        "salesctl/importing.py",
        "        if r.owner is not None\n        and nocase(r.owner) in inactive\n",
        "        if False\n        and nocase(r.owner) in inactive\n",
        "tests/test_data_safety.py::test_an_import_refuses_open_leads_for_a_deactivated_rep_naming_line_and_rep",
    ),
    (
        "non-text codecs accepted",
        "salesctl/importing.py",
        "        if not text_encoding:",
        "        if False:",
        "tests/test_data_safety.py::test_an_encoding_that_is_not_of_text_is_refused",
    ),
    (
        "deep JSON not caught",
        "salesctl/importing.py",
        "    except RecursionError:",
        "    except ZeroDivisionError:",
        "tests/test_data_safety.py::test_json_nested_too_deep_is_refused",
    ),
    (
        "non-regular import files read",
        "salesctl/importing.py",
        "    if not stat.S_ISREG(info.st_mode):",
        "    if stat.S_ISDIR(info.st_mode):",
        "tests/test_data_safety.py::test_only_regular_files_are_imported",
    ),
    (
        "no 1 MiB line cap",
        "salesctl/importing.py",
        "        if len(line) > MAX_LINE and",
        "        if False and",
        "tests/test_data_safety.py::test_a_line_over_one_mebibyte_is_refused_without_reading_on",
    ),
    (
        "no UTF-16 hint",
        "salesctl/importing.py",
        "        _refuse_utf16(head, source)",
        "        pass",
        "tests/test_data_safety.py::test_utf16_without_a_byte_order_mark_gets_a_hint",
    ),
    (
        "restored settings not checked",
        "salesctl/importing.py",
        "    for exc in problems:",
        "    for exc in []:",
        "tests/test_data_safety.py::test_a_restore_checks_settings_with_the_parser_of_config_set",
    ),
    (
        "restored ids not checked",
        "salesctl/importing.py",
        '    if not re.fullmatch(r"[0-9]{1,16}", text) or not 0 < int(text) < MAX_ID:',
        '    if not re.fullmatch(r"-?[0-9]+", text):',
        "tests/test_data_safety.py::test_a_restore_takes_only_positive_ids_below_2_to_the_53",
    ),
    (
        "restored references not checked",
        "salesctl/importing.py",
        "        if value is not None and value not in ids.get(table, ()):",
        "        if False:",
        "tests/test_data_safety.py::test_a_restore_checks_every_reference_against_the_document",
    ),
    (
        "restore opens the database before checking",
        "salesctl/importing.py",
        "        document = check_document(parsed, app.tz, app.now, source)",
        "        app.store(write=True)\n        document = check_document(parsed, app.tz, app.now, source)",
        "tests/test_data_safety.py::test_a_restore_checks_settings_with_the_parser_of_config_set",
    ),
    (
        "failed import leaves its new database",
        "salesctl/importing.py",
        "        if created and app.has_database and _holds_nothing(app):",
        "        if False:",
        "tests/test_data_safety.py::test_an_import_that_fails_while_writing_a_new_database_leaves_no_file",
    ),
    (
        "a dry run commits",
        "salesctl/store.py",
        '                self.conn.execute("ROLLBACK")\n            else:',
        '                self.conn.execute("COMMIT")\n            else:',
        "tests/test_io.py::test_dry_run_meets_what_the_real_import_would_meet",
    ),
    (
        "doctor does not check settings",
        "salesctl/store.py",
        "            checks.append(_settings_check(conn))\n",
        "",
        "tests/test_data_safety.py::test_settings_broken_before_restores_were_checked_are_named_by_doctor_and_repaired_by_config_set",
    ),
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
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": ROOT},
            timeout=600,
        )
        failed = r.returncode != 0
        first = next((line for line in r.stdout.splitlines() if line.startswith("FAILED")), "")
        print(f"{'CAUGHT ' if failed else 'MISSED '} {name}: {first[:150]}", flush=True)
    finally:
        open(full, "w").write(original)
