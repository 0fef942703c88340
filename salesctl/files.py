"""The one writer of every file salesctl produces: whole or not at all, private, never through a link.

How a file is written (docs/files.md):

- into a temporary file in the target's own folder, named `.NAME.salesctl-tmp-PID`, created with
  O_EXCL|O_NOFOLLOW and mode 0600, written, fsynced, then renamed onto NAME. A failure at any point
  (disk full, `ulimit -f`, an exception, Ctrl-C) removes the temporary file and leaves the old NAME as
  it was; a SIGKILL leaves the temporary file, which the next write of NAME removes once PID is gone;
- the target must be a regular file or missing: a folder, device, FIFO, socket or symbolic link at
  the final path is refused (the rename would replace a link, never write through it; refusing says so);
- the database and its -wal, -shm and -journal files are never targets, under any name that reaches them.

Public API:

    write_file(path, data, *, protect, field="--out")      data: bytes, str (UTF-8) or a callable
                                                            that writes to the binary file it gets
    open_output(path, *, protect, field=...)                a context manager: a binary stream for
                                                            output written piece by piece
    write_file_by_name(path, fill, *, protect, field=...)  fill(temporary_path) for writers that need
                                                            a file name (SQLite's backup API)
    check_target(path, *, protect, field=...)               the refusals alone, before any work

`protect` is the database path (or None): commands pass `app.db_path`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from .errors import Invalid
from .i18n import N_

T = TypeVar("T")
TEMP_MARK = ".salesctl-tmp-"
DATABASE_SIBLINGS = ("", "-wal", "-shm", "-journal")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write_file(
    path: Path | str,
    data: bytes | str | Callable[[BinaryIO], T],
    *,
    protect: Path | None,
    field: str = "--out",
) -> T | None:
    """Write `data` to `path` whole (see the module doc); returns what a callable `data` returned."""
    with open_output(path, protect=protect, field=field) as stream:
        if callable(data):
            return data(stream)
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        return None


@contextmanager
def open_output(
    path: Path | str, *, protect: Path | None, field: str = "--out"
) -> Iterator[BinaryIO]:
    """`with open_output(path, …) as stream:` a binary stream whose content replaces `path` when the
    block ends without an exception (for output written piece by piece)."""
    with _replacing(Path(path), protect, field) as (_tmp, fd):
        with os.fdopen(fd, "wb", closefd=False) as stream:
            yield stream


def write_file_by_name(
    path: Path | str, fill: Callable[[Path], T], *, protect: Path | None, field: str = "--out"
) -> T:
    """Like `write_file`, for writers that open the file by name: `fill` gets the temporary file's path
    (an empty 0600 file) and writes it; it is then fsynced and renamed onto `path`."""
    with _replacing(Path(path), protect, field) as (tmp, _fd):
        return fill(tmp)


def check_target(path: Path | str, *, protect: Path | None, field: str = "--out") -> Path:
    """Refuse a target that is the database (or its -wal/-shm/-journal), in a missing folder, or not a
    regular file. Returns the path. `write_file` checks again; calling this first just fails earlier."""
    path = Path(path)
    _refuse_database(path, protect, field)
    if not path.parent.is_dir():
        raise Invalid(
            field,
            str(path),
            N_("is in a folder that does not exist"),
            N_("create {folder} first"),
            folder=str(path.parent),
        )
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    if stat.S_ISLNK(info.st_mode):
        raise Invalid(
            field,
            str(path),
            N_("is a symbolic link; salesctl never writes through a link"),
            N_("give the real file's path"),
        )
    if stat.S_ISDIR(info.st_mode):
        raise Invalid(field, str(path), N_("is a folder"), N_("give a file name"))
    if not stat.S_ISREG(info.st_mode):
        raise Invalid(
            field,
            str(path),
            N_("is not a regular file (a device, FIFO or socket)"),
            N_("give a file name"),
        )
    return path


@contextmanager
def _replacing(path: Path, protect: Path | None, field: str) -> Iterator[tuple[Path, int]]:
    """A new private temporary file beside `path` (its name and open descriptor), renamed onto `path`
    when the block succeeds and removed when it fails."""
    check_target(path, protect=protect, field=field)
    _remove_stale(path)
    tmp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
    except OSError as exc:
        raise _naming(exc, tmp, path) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask; the file is ours and new
            yield tmp, fd
            os.fsync(fd)
        finally:
            os.close(fd)
        check_target(
            path, protect=protect, field=field
        )  # what is at `path` now, just before replacing it
        os.replace(tmp, path)
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, tmp, path) from None
        raise
    _sync_folder(path.parent)


def _refuse_database(path: Path, protect: Path | None, field: str) -> None:
    """`path` must not reach the database or its journal files, by its own name, a link or a hard link."""
    if protect is None:
        return
    target = os.path.realpath(path)
    for base in {str(protect), os.path.realpath(protect)}:
        for suffix in DATABASE_SIBLINGS:
            guarded = base + suffix
            if target == os.path.realpath(guarded) or _same_file(path, guarded):
                raise Invalid(
                    field,
                    str(path),
                    N_("is the database ({database}); writing it would destroy data")
                    if not suffix
                    else N_(
                        "is the database's {suffix} file ({database}); writing it would destroy data"
                    ),
                    N_("choose another file"),
                    database=str(protect),
                    suffix=suffix[1:],
                )


def _same_file(a: Path | str, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _remove_stale(path: Path) -> None:
    """Remove `.NAME.salesctl-tmp-PID` files beside `path` whose process is gone (left by a SIGKILL)."""
    prefix = f".{path.name}{TEMP_MARK}"
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].removesuffix(
            "-journal"
        )  # SQLite's journal beside a killed backup
        if pid.isdigit() and not _alive(int(pid)):
            _unlink(path.parent / name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a leftover of an earlier run with our PID: this process writes one file at a time
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's live process (or a PID we cannot check): leave its file alone
    return True


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _naming(exc: OSError, tmp: Path, path: Path) -> OSError:
    """`exc` with the user's `path` in place of the temporary file, so messages name what was asked for."""
    if exc.filename in (str(tmp), None):
        return OSError(exc.errno, exc.strerror, str(path))
    return exc
