"""Compile salesctl's message catalogs: `python tools/msgfmt.py` turns every
salesctl/locale/*/LC_MESSAGES/salesctl.po into the .mo beside it (docs/chinese.md, Output).

The logic of CPython's Tools/i18n/msgfmt.py, for the subset of PO the catalogs use (msgctxt, msgid,
msgstr, multi-line strings, comments; no plurals). The .mo files are committed, so an installed
package ships them as package data and nothing compiles at run time; tests/test_i18n.py fails when a
.mo is older than its .po.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "salesctl" / "locale"


def read_po(path: Path) -> dict[tuple[str | None, str], str]:
    """(msgctxt or None, msgid) → msgstr, the header (msgid "") included."""
    entries: dict[tuple[str | None, str], str] = {}
    fields: dict[str, str] = {}
    current = None

    def flush() -> None:
        if "msgid" in fields:
            key = (fields.get("msgctxt"), fields["msgid"])
            if key in entries:
                raise ValueError(f"{path}: duplicate entry {key}")
            entries[key] = fields.get("msgstr", "")
        fields.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid", "msgstr"):
            if word != "msgstr" and ("msgstr" in fields or word in fields):
                flush()
            current = word
            line = rest
        if not line.startswith('"') or current is None:
            raise ValueError(f"{path}:{number}: cannot read {line!r}")
        fields[current] = fields.get(current, "") + ast.literal_eval(line)
    flush()
    return entries


def mo_bytes(entries: dict[tuple[str | None, str], str]) -> bytes:
    """The GNU .mo image: sorted keys, then the two tables of (length, offset), then the strings."""
    pairs = sorted(
        ((ctx + "\x04" + msgid if ctx else msgid).encode(), text.encode())
        for (ctx, msgid), text in entries.items()
        if text
    )
    ids = b"".join(k + b"\0" for k, _ in pairs)
    strs = b"".join(v + b"\0" for _, v in pairs)
    start = 7 * 4 + 16 * len(pairs)
    key_table, value_table, offset = [], [], 0
    for k, _ in pairs:
        key_table += [len(k), start + offset]
        offset += len(k) + 1
    offset = 0
    for _, v in pairs:
        value_table += [len(v), start + len(ids) + offset]
        offset += len(v) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(pairs), 7 * 4, 7 * 4 + 8 * len(pairs), 0, 0)
    return (
        header
        + struct.pack(f"{len(key_table)}i", *key_table)
        + struct.pack(f"{len(value_table)}i", *value_table)
        + ids
        + strs
    )


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/salesctl.po"))


def main() -> int:
    for po in catalogs():
        po.with_suffix(".mo").write_bytes(mo_bytes(read_po(po)))
        print(f"compiled {po.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
